"""The ADHD FAQ bot's web server: `create_app()` builds the Flask app, `python server.py` serves it.

The bot itself lives in `bot/` (no Flask there). The Flask adapter is the `web/`
package of blueprints and modules, one job each: settings, errors, security headers and CORS, the API,
the pages, the OpenAPI document, the reply cache and the logs. This file only puts
them together and serves them with waitress (gunicorn: `gunicorn -c gunicorn.conf.py
"server:create_app()"`).

Reply: the contract of `bot.reply.Reply.to_dict()` (same as `python -m bot ask --json`).
Error: `{"error": {"code": "...", "message": "..."}}` with a 4xx/5xx status.
"""

from __future__ import annotations

import argparse
import errno
import functools
import json
import signal
import socket
import sys

from flask import Config, Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from bot import ContentError, load_bot
from bot.live import LiveBot
from web.api import api_blueprint
from web.errors import errors
from web.logs import configure_logging, log
from web.openapi import openapi_document
from web.pages import pages
from web.qr import qr_blueprint
from web.security import security
from web.settings import ROOT, SETTINGS, check_settings, read_settings
from web.staff import staff_blueprint

__all__ = ["SETTINGS", "check_settings", "create_app", "main", "openapi_document"]


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then BOT_* environment variables, then test_config; load faq/ once."""
    app = Flask(__name__, static_folder=str(ROOT / "static"), template_folder=str(ROOT / "templates"))
    read_settings(app.config, test_config)
    configure_logging(app.config["LOG_LEVEL"])

    app.config.update(
        RATELIMIT_ENABLED=app.config["RATE_LIMIT_ENABLED"],
        RATELIMIT_STORAGE_URI=app.config["RATE_LIMIT_STORAGE_URI"],
        RATELIMIT_HEADERS_ENABLED=True,
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,  # Redis down: keep limiting per process, keep serving
        RATELIMIT_KEY_PREFIX="adhd-bot",
        # A hung Redis (not a dead one) must fail fast so the in-memory fallback takes over:
        # without socket timeouts each request waited 5-10 s.
        RATELIMIT_STORAGE_OPTIONS=(
            {"socket_timeout": 0.2, "socket_connect_timeout": 0.2}
            if str(app.config["RATE_LIMIT_STORAGE_URI"]).startswith(("redis://", "rediss://"))
            else {}
        ),
        SEND_FILE_MAX_AGE_DEFAULT=300,
        JSON_SORT_KEYS=False,
    )
    app.json.sort_keys = False
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        # X-Forwarded-Host only when asked for: a client could set it, and it would then name
        # the host of redirects and the API's own origin (a proxy does not overwrite it by default).
        host = n if app.config["TRUST_FORWARDED_HOST"] else 0
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=host)
    app.url_map.merge_slashes = False  # "//x" is a 404, never a redirect built from the Host header

    # Invalid content at start: the last good snapshot is served (degraded); with no snapshot
    # at all it fails closed, raising ContentError, and nothing is served.
    app.extensions["faq_bot"] = LiveBot(
        app.config["FAQ_DIR"],
        # Models not saved yet are trained in a child process: a worker never holds what training leaves behind.
        loader=functools.partial(load_bot, serve_drafts=app.config["SERVE_DRAFTS"], train_in_child=True),
        interval=app.config["RELOAD_INTERVAL"],
        state_dir=app.config["STATE_DIR"] or None,
        settle=app.config["RELOAD_SETTLE"],
    )

    limiter = Limiter(get_remote_address, app=app)
    app.extensions["rate_limiter"] = limiter  # Flask-Limiter keeps only a weak reference when disabled
    blueprints = (errors, security, api_blueprint(limiter), qr_blueprint(limiter), pages, staff_blueprint(limiter))
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    return app


def _cannot_listen(host: str, port: int) -> str | None:
    """Return why `python server.py` cannot listen on host:port (in one plain line), or None."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as waitress does
            probe.bind(address)
    except socket.gaierror:
        return f"cannot listen on {host}:{port}: no such address; set BOT_HOST (or --host) to another one"
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            return (
                f"port {port} on {host} is already in use (is the server already running?); "
                "set BOT_PORT (or --port) to a free port"
            )
        return f"cannot listen on {host}:{port}: {exc.strerror}; check BOT_HOST and BOT_PORT"
    return None


def main(argv: list[str] | None = None) -> int:
    """Serve the app with waitress; settings from BOT_* variables, host and port also from flags."""
    parser = argparse.ArgumentParser(description="Serve the ADHD vetted FAQ bot with waitress.")
    parser.add_argument("--host", help="address to listen on (default BOT_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default BOT_PORT or 8000)")
    parser.add_argument("--threads", type=int, help="worker threads (default BOT_THREADS or 8)")
    parser.add_argument(
        "--prepare-models",
        action="store_true",
        help="train and save the models for BOT_FAQ_DIR now (if not saved yet), then exit; "
        "gunicorn.conf.py runs this before starting its workers",
    )
    args = parser.parse_args(argv)
    try:
        config = read_settings(Config(str(ROOT)))  # only the host and port, before the slow load
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.prepare_models:
        from bot.prepare_models import prepare

        return prepare(config["FAQ_DIR"], serve_drafts=config["SERVE_DRAFTS"])
    host = args.host or config["HOST"]
    port = args.port if args.port is not None else config["PORT"]
    problem = _cannot_listen(host, port)  # say so at once, not after a minute of loading
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    print("Loading the content and the models (about 3 minutes on a first start, seconds after)...", flush=True)
    try:
        app = create_app()
    except ContentError as exc:
        print("The content in faq/ is invalid, so the server will not start:", file=sys.stderr)
        for problem in exc.problems:
            if problem.severity == "error":
                print(f"  {problem}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    from waitress import create_server

    threads = args.threads or app.config["THREADS"]
    live: LiveBot = app.extensions["faq_bot"]
    try:
        server = create_server(
            app,
            host=host,
            port=port,
            threads=threads,
            ident="",  # no Server banner (and waitress's own error pages do not name it)
            # Slow and idle clients (issue 11, F3): waitress's default of 100 connections was filled
            # by about 98 idle ones; idle connections are closed after CHANNEL_TIMEOUT seconds.
            connection_limit=app.config["CONNECTION_LIMIT"],
            channel_timeout=app.config["CHANNEL_TIMEOUT"],
            # waitress refuses a larger body itself (413) instead of spooling it to disk first
            # (it would take up to 1 GiB before the app's own limit saw it).
            max_request_body_size=app.config["MAX_CONTENT_LENGTH"],
            # With trusted proxies ProxyFix reads X-Forwarded-*; waitress must pass them through untouched.
            clear_untrusted_proxy_headers=not app.config["TRUSTED_PROXIES"],
        )
    except OSError:  # taken while the content loaded
        print(f"error: {_cannot_listen(host, port) or f'cannot listen on {host}:{port}'}", file=sys.stderr)
        return 1
    if hasattr(signal, "SIGHUP"):
        # `kill -HUP` checks faq/ at once, in the background: the handler runs on waitress's
        # I/O thread, which must never wait for a load.
        signal.signal(signal.SIGHUP, lambda *_: live.poll(force=True))
    url = f"http://{host}:{port}"
    log.info(json.dumps({"event": "serving", "url": url, "faq_version": live.current.version}))
    print(
        f"The ADHD FAQ bot is running.\n"
        f"  demo page  {url}/\n"
        f"  kiosk      {url}/kiosk\n"
        f"  API        {url}/api/ask  (described at {url}/openapi.json)\n"
        f"Press Ctrl+C to stop.",
        flush=True,
    )
    try:
        server.run()
    except KeyboardInterrupt:
        print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
