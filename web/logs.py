"""Logging: one JSON line per API request (never the question text), and JSON lines from libraries."""

from __future__ import annotations

import json
import logging
import time

from flask import g, request

log = logging.getLogger("adhd_bot.server")


def log_request(response) -> None:
    """Log one structured line per API call: never the question text."""
    if not (request.path.startswith("/api/") or request.path == "/healthz") or not log.isEnabledFor(logging.INFO):
        return
    reply = g.get("reply_log")
    record = {
        "event": "request",
        "method": request.method,
        "route": request.url_rule.rule if request.url_rule else None,
        "status": response.status_code,
        "latency_ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 2),
    }
    if reply is not None:
        record.update(reply)
    error = g.get("error_code")
    if error:
        record["error"] = error
    if g.get("rate_limited_safety"):
        record["rate_limited"] = "safety reply served past the limit"
    log.info(json.dumps(record))


class _JsonLines(logging.Filter):
    """Rewrite another library's log lines as the app's JSON lines: {"event", "level", "message"}."""

    def __init__(self, event: str) -> None:
        super().__init__()
        self.event = event

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "_as_json", False):
            message = record.getMessage()
            if record.exc_info:  # the exception's type only: its text may hold a connection string
                message += f" ({record.exc_info[0].__name__})"
            record.msg = json.dumps({"event": self.event, "level": record.levelname.lower(), "message": message})
            record.args, record.exc_info, record.exc_text, record._as_json = (), None, None, True
        return True


def configure_logging(level: str) -> None:
    """Send the app's JSON log lines to stderr, one line each, unless logging is already set up."""
    for name in ("adhd_bot", "bot"):
        logging.getLogger(name).setLevel(level.upper())
    limiter_log = logging.getLogger("flask-limiter")  # "falling back to in-memory storage", as JSON
    if not any(isinstance(f, _JsonLines) for f in limiter_log.filters):
        limiter_log.addFilter(_JsonLines("rate_limit_storage"))
    if not logging.getLogger().handlers:
        # On the root logger, so waitress's own logging.basicConfig() adds no second copy of each line.
        logging.basicConfig(format="%(message)s")
