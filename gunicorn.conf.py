"""gunicorn settings for the ADHD FAQ bot (Linux, several worker processes).

    .venv/bin/gunicorn -c gunicorn.conf.py "server:create_app()"

Any value can be overridden on the command line (`-w 4`, `-b 0.0.0.0:8000`) or in
GUNICORN_CMD_ARGS. The bot's own settings stay BOT_* variables (see the README).
"""

import os

bind = [os.environ.get("BOT_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))  # each loads the bot (about 0.8 GB): one per core

# gthread, not the default sync worker: a sync worker serves one connection at a time, so two
# clients trickling a request in byte by byte stopped the service until the worker timeout
# killed them. A gthread worker gives each connection a thread of its own (idle threads cost
# little: the bot's work is CPU-bound and shares one lock anyway), and a worker holding as
# many connections as it has threads stops accepting, so the next connection goes to a worker
# with a free thread. Fewer than workers x threads slow clients (256 by default) cannot
# starve the others. Past that, or on the open internet, put a buffering reverse proxy in
# front (nginx reads whole requests before passing them on), as the README says.
worker_class = "gthread"
threads = int(os.environ.get("BOT_GUNICORN_THREADS", "128"))
worker_connections = threads  # never more connections than threads: none waits behind a slow one

timeout = 60  # a worker silent this long is restarted (it comes back on the last good content)
graceful_timeout = 30
keepalive = 0  # connections are not kept open between requests (the proxy in front keeps its own)

# Restart each worker after this many requests (spread out, so they never restart together):
# a slow leak never grows without bound. A restarted worker serves the last good snapshot if
# faq/ holds a refused edit at that moment (bot/snapshot.py).
max_requests = 5000
max_requests_jitter = 500

# Request line and header limits (gunicorn's defaults, stated here so they are reviewed).
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190


# No Server banner: gunicorn names itself in every response ("Server: gunicorn"). The app
# says what it is in /healthz to those who need it; the banner only helps scanners.
def _without_server_banner():
    from gunicorn.http import wsgi

    default_headers = wsgi.Response.default_headers
    if getattr(default_headers, "without_banner", False):
        return

    def headers(self):
        return [h for h in default_headers(self) if not h.lower().startswith("server:")]

    headers.without_banner = True
    wsgi.Response.default_headers = headers


_without_server_banner()


def on_starting(server):
    """Train the models not saved yet once, in a child process, before any worker starts.

    A worker that loads for longer than `timeout` is killed; training the safety detector and
    the learned matcher (after a change of the training data or faq/detector/) takes about a
    minute, so it is done here, once; the workers then load the saved models in seconds. The
    child reads the same BOT_* settings; the master itself imports nothing of the bot.
    """
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent
    server.log.info("preparing the bot's models (about a minute when the training data changed)")
    try:
        done = subprocess.run([sys.executable, str(root / "server.py"), "--prepare-models"], cwd=root, check=False)
        failed = f"exit status {done.returncode}" if done.returncode else ""
    except OSError as exc:
        failed = str(exc)
    if failed:
        server.log.warning("could not prepare the models (%s); the workers will prepare them as they load", failed)
