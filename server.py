"""HTTP API and pages for the vetted ADHD FAQ bot.

`create_app()` builds the Flask app; `python server.py` serves it with waitress.
The bot itself lives in `bot/` (no Flask there): this module only parses requests,
applies limits and headers, and serialises replies.

Reply: the contract of `bot.reply.Reply.to_dict()` (same as `python -m bot ask --json`).
Error: `{"error": {"code": "...", "message": "..."}}` with a 4xx/5xx status.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import re
import signal
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, jsonify, render_template, request, send_from_directory
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from bot import Bot, ContentError, QuestionError
from bot.live import LiveBot
from bot.question import MAX_QUESTION_CHARS
from bot.reply import KINDS

ROOT = Path(__file__).resolve().parent
log = logging.getLogger("adhd_bot.server")


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class Setting:
    """One server setting: name (env var BOT_<name>), default, and what it does."""

    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("FAQ_DIR", str(ROOT / "faq"), "Folder of vetted content (YAML) to serve."),
    Setting("HOST", "127.0.0.1", "Address `python server.py` listens on."),
    Setting("PORT", 8000, "Port `python server.py` listens on."),
    Setting("THREADS", 8, "Worker threads of the waitress server started by `python server.py`."),
    Setting(
        "CONNECTION_LIMIT",
        500,
        "Open connections `python server.py` accepts at once (waitress reads requests on its own I/O "
        "thread, so idle and slow clients take a connection, not a worker thread).",
    ),
    Setting(
        "CHANNEL_TIMEOUT",
        30,
        "Seconds `python server.py` keeps a connection that sends nothing before closing it.",
    ),
    Setting(
        "ALLOWED_ORIGINS",
        "",
        "Comma-separated origins (https://clinic.example) of sites whose pages may call the API from the "
        "widget. Empty: only the server's own origin. `*` allows any site.",
    ),
    Setting("RATE_LIMIT", "30 per minute", "Questions (POST /api/ask) allowed per client."),
    Setting("BROWSE_RATE_LIMIT", "120 per minute", "Topic and entry look-ups (GET /api/...) allowed per client."),
    Setting("RATE_LIMIT_ENABLED", True, "Turn rate limiting off with `false` (for load tests only)."),
    Setting(
        "RATE_LIMIT_STORAGE_URI",
        "memory://",
        "Where rate-limit counters live: `memory://` (one process) or `redis://host:6379` to share them "
        "between workers and machines.",
    ),
    Setting(
        "TRUSTED_PROXIES",
        0,
        "How many reverse proxies in front of the app to trust for X-Forwarded-For and -Proto "
        "(X-Forwarded-Host is never trusted). 0: the headers are ignored and the client is the "
        "connecting address.",
    ),
    Setting("FRAME_ANCESTORS", "'self'", "CSP frame-ancestors for the demo and kiosk pages (who may frame them)."),
    Setting(
        "STATE_DIR",
        "",
        "Folder for the server's own files: snapshots of the last good content (served when a process "
        "starts while faq/ holds a refused edit) and cached sentence vectors. Empty: .state/ in the "
        "repository. Never inside faq/.",
    ),
    Setting("RELOAD_INTERVAL", 5.0, "Seconds between checks of FAQ_DIR for edits; 0 turns automatic reload off."),
    Setting(
        "RELOAD_SETTLE",
        1.0,
        "Seconds the files of FAQ_DIR must stand still (names, sizes, times) before an edit is loaded, so "
        "a file still being written is never read half-way. Deploys should still write to a temporary "
        "name and rename it into place.",
    ),
    Setting(
        "REPLY_CACHE_SIZE",
        2048,
        "Recent replies kept in memory, keyed by a hash of the question (not its text), so a repeated "
        "question skips matching. 0 turns the cache off.",
    ),
    Setting("KIOSK_IDLE_SECONDS", 90, "Seconds (10 to 3600) without a touch before the kiosk wipes the conversation."),
    Setting("MAX_CONTENT_LENGTH", 8192, "Largest request body in bytes; larger bodies get 413."),
    Setting("LOG_LEVEL", "INFO", "Log level of the structured JSON logs (DEBUG, INFO, WARNING, ERROR)."),
    Setting("DEBUG", False, "Flask debug mode. Never turn it on for a public server."),
)

_ORIGIN_RE = re.compile(r"^https?://[A-Za-z0-9.\-\[\]:]+$")


def _as_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    if value in (0, 1):
        return bool(value)
    raise ValueError(f"setting BOT_{name} must be true or false, not {value!r}")


def _as_number(name: str, value: Any, kind: type) -> int | float:
    if isinstance(value, bool):
        raise ValueError(f"setting BOT_{name} must be a number, not {value!r}")
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise ValueError(f"setting BOT_{name} must be a number, not {value!r}") from None
    if number < 0 or (kind is float and number != number):
        raise ValueError(f"setting BOT_{name} must be zero or more, not {value!r}")
    return number


def _origins(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list | tuple) else str(value).replace(",", " ").split()
    origins = []
    for item in items:
        origin = str(item).strip().rstrip("/")
        if origin != "*" and not _ORIGIN_RE.match(origin):
            raise ValueError(
                f"setting BOT_ALLOWED_ORIGINS: {item!r} is not an origin like https://clinic.example (no path)"
            )
        origins.append(origin)
    return tuple(origins)


def check_settings(config: dict) -> None:
    """Coerce every declared setting in config to its type; raise ValueError naming a bad one."""
    for s in SETTINGS:
        value = config.get(s.name, s.default)
        if isinstance(s.default, bool):
            value = _as_bool(s.name, value)
        elif isinstance(s.default, int | float):
            value = _as_number(s.name, value, type(s.default))
        elif s.name == "ALLOWED_ORIGINS":
            value = _origins(value)
        elif not isinstance(value, str):
            value = str(value)
        config[s.name] = value
    if config["LOG_LEVEL"].upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ValueError(f"setting BOT_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {config['LOG_LEVEL']!r}")
    if not 10 <= config["KIOSK_IDLE_SECONDS"] <= 3600:
        raise ValueError(
            f"setting BOT_KIOSK_IDLE_SECONDS must be 10 to 3600 seconds, not {config['KIOSK_IDLE_SECONDS']!r}"
        )
    if config["PORT"] > 65535:
        raise ValueError(f"setting BOT_PORT must be a port number, not {config['PORT']!r}")


# --------------------------------------------------------------------------- errors


class ApiError(Exception):
    """A request the API refuses, with its status, code and a message for people."""

    def __init__(self, status: int, code: str, message: str) -> None:
        self.status, self.code, self.message = status, code, message
        super().__init__(message)


_HTTP_CODES = {
    400: ("bad_request", "The request could not be understood."),
    403: ("forbidden", "This request is not allowed."),
    404: ("not_found", "There is nothing at this address."),
    405: ("method_not_allowed", "This address does not take that method."),
    413: ("body_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "Send JSON with Content-Type: application/json."),
    429: ("rate_limited", "Too many requests. Please wait a moment and try again."),
}


def error_response(status: int, code: str, message: str, headers: dict | None = None):
    """Return the one JSON error shape with its status."""
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _register_errors(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(exc: ApiError):
        g.error_code = exc.code
        return error_response(exc.status, exc.code, exc.message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code, message = _HTTP_CODES.get(exc.code or 500, ("http_error", exc.name))
        if exc.code == 404 and request.path.startswith("/api/"):
            message = "There is no API endpoint at this address."
        headers = {k: v for k, v in exc.get_headers() if k.lower() in {"allow", "retry-after"}}
        if exc.code == 429:
            served = _safety_past_limit()
            if served is not None:
                return served
            if exc.description:
                # Flask-Limiter's own text says which limit ("30 per 1 minute"), which helps clients.
                message = f"Too many requests ({exc.description}). Please wait a moment and try again."
            g.error_code = code
            response = error_response(429, code, message, headers)
            # Nobody in crisis meets a dead end: every 429 carries the help lines (988, 911, Poison Help).
            body = response.get_json()
            body["resources"] = [r.to_dict() for r in current_bot().kb.safety.resources]
            response.set_data(current_app.json.dumps(body))
            return response
        g.error_code = code
        return error_response(exc.code or 500, code, message, headers)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if type(exc).__module__.startswith("gunicorn.http"):
            # A malformed request body that gunicorn's parser meets only when the app reads it
            # (a bad chunk size, a missing chunk end): the client's fault, not ours.
            g.error_code = "bad_request"
            return error_response(400, "bad_request", "The request body could not be read.")
        g.error_code = "internal_error"
        log.exception(json.dumps({"event": "error", "path": request.path, "error": type(exc).__name__}))
        return error_response(500, "internal_error", "Something went wrong on our side. Please try again later.")


# --------------------------------------------------------------------------- headers, CORS


def _page_csp(frame_ancestors: str) -> str:
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
        f"frame-ancestors {frame_ancestors}"
    )


def _own_origin() -> str:
    return f"{request.scheme}://{request.host}"


def _origin_allowed(origin: str) -> bool:
    if origin == "null":  # sandboxed frames and file:// pages: never a clinic's site, even with "*"
        return False
    allowed = current_app.config["ALLOWED_ORIGINS"]
    return origin == _own_origin() or "*" in allowed or origin in allowed


def _register_security(app: Flask) -> None:
    @app.before_request
    def cors_gate():
        g.started = time.perf_counter()
        if not request.path.startswith("/api/"):
            return None
        origin = request.headers.get("Origin")
        if origin is not None and not _origin_allowed(origin):
            raise ApiError(403, "origin_not_allowed", "This site is not allowed to use the API.")
        if request.method == "OPTIONS" and origin is not None:
            return app.response_class(status=204)  # preflight from an allowed origin
        return None

    @app.after_request
    def headers(response):
        h = response.headers
        h["X-Content-Type-Options"] = "nosniff"
        h["Referrer-Policy"] = "no-referrer"
        h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        if response.mimetype == "text/html" and not request.path.startswith("/api/"):
            h["Content-Security-Policy"] = _page_csp(app.config["FRAME_ANCESTORS"])
        elif request.path in {"/widget.js", "/widget.css"}:
            h["Cross-Origin-Resource-Policy"] = "cross-origin"  # host sites on other origins load these
        else:
            h["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
        if request.path.startswith("/api/") or request.path in {"/healthz", "/openapi.json"}:
            h["Cache-Control"] = "no-store"
        origin = request.headers.get("Origin")
        if request.path.startswith("/api/") and origin is not None and _origin_allowed(origin):
            h["Access-Control-Allow-Origin"] = origin
            h["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            h["Access-Control-Allow-Headers"] = "Content-Type"
            h["Access-Control-Expose-Headers"] = "Retry-After"
            h["Access-Control-Max-Age"] = "600"
        if request.path.startswith("/api/"):
            h.add("Vary", "Origin")
        _log_request(response)
        return response


def _log_request(response) -> None:
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


# --------------------------------------------------------------------------- API


def live_bot() -> LiveBot:
    """Return the app's live bot holder."""
    return current_app.extensions["faq_bot"]


def current_bot() -> Bot:
    """Return the bot in service (checking faq/ for edits when a check is due)."""
    return live_bot().bot


def _safety_past_limit():
    """Return the safety reply for an over-limit question that needs one, else None.

    A message that calls for an urgent safety reply is answered even past the rate
    limit (the refused hit is still counted by the limiter); anything else gets the 429.
    """
    if request.path != "/api/ask" or request.method != "POST":
        return None
    try:
        question = _question_from_request()
        bot = current_bot()
        assessment = bot.assess(bot.clean(question))
    except (ApiError, QuestionError, HTTPException):
        return None
    if not assessment.urgent:
        return None
    g.rate_limited_safety = True
    return _reply_response(*_serialise(bot.safety_reply(assessment)))


def _question_from_request() -> str:
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", "Send the question as JSON with Content-Type: application/json.")
    raw = request.get_data(cache=False)  # raises 413 past MAX_CONTENT_LENGTH
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise ApiError(400, "invalid_json", "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_request", 'Send a JSON object like {"question": "What is ADHD?"}.')
    unknown = sorted(set(body) - {"question"})
    if unknown:
        raise ApiError(400, "unknown_field", f"Unknown field: {unknown[0]!r}. Only 'question' is accepted.")
    if "question" not in body:
        raise ApiError(400, "missing_question", 'Send a JSON object like {"question": "What is ADHD?"}.')
    if not isinstance(body["question"], str):
        raise ApiError(400, "invalid_question", "The question must be text.")
    return body["question"]


class ReplyCache:
    """Recent replies, keyed by a hash of content version and question; the question text is not kept."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._replies: OrderedDict[bytes, tuple[bytes, dict]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(version: str, question: str) -> bytes:
        """Return the cache key of a question under one content version."""
        return hashlib.blake2b(f"{version}\0{question}".encode(), digest_size=16).digest()

    def get(self, key: bytes) -> tuple[bytes, dict] | None:
        """Return the cached body and log fields, or None."""
        with self._lock:
            hit = self._replies.get(key)
            if hit is not None:
                self._replies.move_to_end(key)
            return hit

    def put(self, key: bytes, value: tuple[bytes, dict]) -> None:
        """Keep a reply, dropping the least recently used past the size."""
        if self.size <= 0:
            return
        with self._lock:
            self._replies[key] = value
            self._replies.move_to_end(key)
            while len(self._replies) > self.size:
                self._replies.popitem(last=False)


def _reply_response(body: bytes, fields: dict):
    g.reply_log = fields
    return current_app.response_class(body, mimetype="application/json")


def _serialise(reply) -> tuple[bytes, dict]:
    body = current_app.json.dumps(reply.to_dict()).encode()
    note = reply.safety_note.id if reply.safety_note else None
    return body, {"kind": reply.kind, "entry_id": reply.id, "score": reply.score, "safety_note": note}


def _register_api(app: Flask, limiter: Limiter) -> None:
    ask_limit = limiter.shared_limit(lambda: current_app.config["RATE_LIMIT"], scope="ask")
    browse_limit = limiter.shared_limit(lambda: current_app.config["BROWSE_RATE_LIMIT"], scope="browse")
    cache = ReplyCache(app.config["REPLY_CACHE_SIZE"])
    app.extensions["reply_cache"] = cache

    @app.post("/api/ask")
    @ask_limit
    def ask():
        question = _question_from_request()
        bot = current_bot()
        try:
            question = bot.clean(question)  # first: the cache key hashes valid text only
            key = cache.key(bot.version, question)
            hit = cache.get(key)
            if hit is not None:
                return _reply_response(*hit)
            reply = bot.ask(question)
        except QuestionError as exc:
            g.error_code = exc.code
            raise ApiError(400, exc.code, str(exc)) from None
        served = _serialise(reply)
        cache.put(key, served)
        return _reply_response(*served)

    @app.get("/api/topics")
    @browse_limit
    def topics():
        kb = current_bot().kb
        return jsonify(
            {
                "faq_version": kb.version,
                "categories": [
                    {
                        "id": cat.id,
                        "title": cat.title,
                        "entries": [
                            {"id": i, "question": kb.by_id[i].question}
                            for i in cat.entry_ids
                            if not kb.by_id[i].withheld  # withheld until reviewed: not offered
                        ],
                    }
                    for cat in kb.categories
                ],
            }
        )

    @app.get("/api/entries/<entry_id>")
    @browse_limit
    def entry(entry_id: str):
        reply = current_bot().entry_reply(entry_id)
        if reply is None:
            raise ApiError(404, "unknown_entry", "There is no entry with that id.")
        return _reply_response(*_serialise(reply))

    @app.get("/healthz")
    def healthz():
        live = live_bot()
        bot = live.bot
        refused = live.refused
        reason = live.degraded or (
            f"an edit of faq/ was refused; serving the last good content, version {bot.version}" if refused else None
        )
        if not reason and bot.kb.withheld:
            reason = f"withheld until reviewed (review past due): {', '.join(bot.kb.withheld)}"
        return jsonify(
            {
                # "degraded": the content in service is not what faq/ holds (a refused edit, or
                # a start on refused content from the last good snapshot); "reason" says which.
                "status": "degraded" if reason else "ok",
                "reason": reason,
                "faq_version": bot.version,
                "entries": len(bot.kb.entries),
                # Entries past their review date and grace period: matched but not served.
                "withheld": list(bot.kb.withheld),
                # Entries whose review is due: still served, withheld once the grace period ends.
                "review_due": list(bot.kb.review_due),
                "loaded_at": bot.kb.loaded_at,
                # "hybrid": the sentence encoder and the learned matcher decide; "lexical": they
                # could not load (matcher_reason says why) and the bot matches by words alone.
                "matcher": bot.matcher_mode,
                "matcher_reason": bot.matcher_reason or None,
                # Where the refused edit's problems are (file, entry, field), never their text or a
                # server path: the details are in the log and in `python -m bot lint`.
                "refused_edit": refused.public() if refused else None,
            }
        )

    @app.get("/openapi.json")
    def openapi():
        return jsonify(openapi_document(current_app.config))


# --------------------------------------------------------------------------- pages


def _register_pages(app: Flask) -> None:
    templates = Path(app.root_path) / (app.template_folder or "templates")
    static = Path(app.static_folder or ROOT / "static")

    def page(name: str, **context):
        if not (templates / name).is_file():  # serve what exists, never a placeholder
            raise ApiError(404, "not_found", "There is nothing at this address.")
        return render_template(name, **context)

    @app.get("/")
    def demo_home():
        return page("index.html")

    @app.get("/visit")
    def demo_visit():
        return page("visit.html")

    @app.get("/kiosk")
    def kiosk():
        return page(
            "kiosk.html",
            idle_seconds=current_app.config["KIOSK_IDLE_SECONDS"],
            evidence_labels=dict(current_bot().kb.messages.evidence_labels),
        )

    @app.get("/widget.js")
    def widget_js():
        return send_from_directory(static, "widget.js", mimetype="text/javascript")

    @app.get("/widget.css")
    def widget_css():
        return send_from_directory(static, "widget.css", mimetype="text/css")


# --------------------------------------------------------------------------- OpenAPI


_CONTROL_CLASS = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f"
_PLAIN = f"[^{_CONTROL_CLASS}]"


def _object(**properties: dict) -> dict:
    """Return a JSON Schema object whose every property is required and nothing else is allowed."""
    return {"type": "object", "required": list(properties), "additionalProperties": False, "properties": properties}


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def openapi_document(config: dict) -> dict:
    """Return the OpenAPI 3 description of the API as it behaves with this config."""
    text = {"type": "string"}
    nullable_text = {"type": "string", "nullable": True}
    ref = {
        name: {"$ref": f"#/components/schemas/{name}"}
        for name in ("Reply", "Suggestion", "Citation", "Error", "Action", "SafetyNote", "Resource")
    }
    error = {"$ref": "#/components/responses/Error"}
    limited = {"$ref": "#/components/responses/RateLimited"}
    reply = {"description": "A reply.", "content": _json(ref["Reply"])}

    def ok(description: str, schema: dict) -> dict:
        return {"description": description, "content": _json(schema)}

    return {
        "openapi": "3.0.3",
        "info": {
            "title": "ADHD vetted FAQ bot",
            "version": "1.0.0",
            "description": "Answers only from vetted, cited content. Every error is "
            '{"error": {"code": "...", "message": "..."}}. The question text is never logged.',
        },
        "paths": {
            "/api/ask": {
                "post": {
                    "summary": "Ask a question; get an answer, a clarifying question, a fallback or a safety reply.",
                    "operationId": "ask",
                    "requestBody": {"required": True, "content": _json({"$ref": "#/components/schemas/Question"})},
                    "responses": {"200": reply, "400": error, "403": error, "413": error, "415": error, "429": limited},
                }
            },
            "/api/topics": {
                "get": {
                    "summary": "Categories with their entries, in display order, for browsing without typing.",
                    "operationId": "topics",
                    "responses": {
                        "200": ok("Topics.", {"$ref": "#/components/schemas/Topics"}),
                        "403": error,
                        "429": limited,
                    },
                }
            },
            "/api/entries/{entry_id}": {
                "get": {
                    "summary": "One entry as a reply (for a clicked suggestion).",
                    "operationId": "entry",
                    "parameters": [{"name": "entry_id", "in": "path", "required": True, "schema": text}],
                    "responses": {"200": reply, "403": error, "404": error, "429": limited},
                }
            },
            "/healthz": {
                "get": {
                    "summary": "Service health and the content version in service.",
                    "operationId": "health",
                    "responses": {"200": ok("Healthy.", {"$ref": "#/components/schemas/Health"})},
                }
            },
        },
        "components": {
            "schemas": {
                "Question": _object(
                    question={
                        "type": "string",
                        "minLength": 1,
                        "maxLength": MAX_QUESTION_CHARS,
                        # What bot.question.clean() accepts: no control characters but tab and line
                        # breaks, and at least one character that is not a space.
                        "pattern": f"^{_PLAIN}*[^\\s{_CONTROL_CLASS}]{_PLAIN}*$",
                        "description": "Plain text; not only spaces; no control characters but tab and line breaks.",
                    }
                ),
                "Citation": _object(title=text, publisher=text, year={"type": "integer", "nullable": True}, url=text),
                "Suggestion": _object(id=text, question=text),
                "Reply": _object(
                    kind={"type": "string", "enum": list(KINDS)},
                    id=nullable_text,
                    question=nullable_text,
                    answer={"type": "string", "minLength": 1},
                    citations={"type": "array", "items": ref["Citation"]},
                    clinician_note={"type": "string", "minLength": 1},
                    evidence=nullable_text,
                    suggestions={"type": "array", "items": ref["Suggestion"]},
                    score={"type": "number", "minimum": 0, "maximum": 1},
                    faq_version=text,
                    safety_note={
                        "allOf": [ref["SafetyNote"]],
                        "nullable": True,
                        "description": "A short resource line to show above the answer (the concern tier), or null.",
                    },
                    actions={
                        "type": "array",
                        "items": ref["Action"],
                        "description": "Buttons for a safety reply (call, text, chat); empty otherwise.",
                    },
                ),
                "Action": _object(label=text, href={"type": "string", "pattern": "^(tel:|sms:|https://)"}),
                "SafetyNote": _object(
                    id={"type": "string", "pattern": "^safety-"},
                    text=text,
                    actions={"type": "array", "items": ref["Action"]},
                ),
                "Resource": _object(label=text, href={"type": "string", "pattern": "^(tel:|sms:|https://)"}, text=text),
                "RateLimitError": _object(
                    error=_object(code=text, message=text), resources={"type": "array", "items": ref["Resource"]}
                ),
                "Topics": _object(
                    faq_version=text,
                    categories={
                        "type": "array",
                        "items": _object(id=text, title=text, entries={"type": "array", "items": ref["Suggestion"]}),
                    },
                ),
                "Health": _object(
                    status={"type": "string", "enum": ["ok", "degraded"]},
                    reason=nullable_text,
                    faq_version=text,
                    entries={"type": "integer", "minimum": 0},
                    withheld={"type": "array", "items": text},
                    review_due={"type": "array", "items": text},
                    loaded_at=text,
                    matcher={"type": "string", "enum": ["hybrid", "lexical"]},
                    matcher_reason=nullable_text,
                    refused_edit={"type": "object", "nullable": True},
                ),
                "Error": _object(error=_object(code=text, message=text)),
            },
            "responses": {
                "Error": {"description": "An error.", "content": _json(ref["Error"])},
                "RateLimited": {
                    "description": f"Too many requests (limit per client: {config['RATE_LIMIT']}). Carries the "
                    "help lines (988, 911, Poison Help) in `resources`. A question that calls for an urgent "
                    "safety reply is answered (200) even past the limit.",
                    "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}},
                    "content": _json({"$ref": "#/components/schemas/RateLimitError"}),
                },
            },
        },
    }


# --------------------------------------------------------------------------- factory


def _configure_logging(level: str) -> None:
    """Send the app's JSON log lines to stderr, one line each, unless logging is already set up."""
    for name in ("adhd_bot", "bot"):
        logging.getLogger(name).setLevel(level.upper())
    if not logging.getLogger().handlers:
        # On the root logger, so waitress's own logging.basicConfig() adds no second copy of each line.
        logging.basicConfig(format="%(message)s")


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then BOT_* environment variables, then test_config; load faq/ once."""
    app = Flask(__name__, static_folder=str(ROOT / "static"), template_folder=str(ROOT / "templates"))
    app.config.from_mapping({s.name: s.default for s in SETTINGS})
    app.config.from_prefixed_env("BOT")
    if test_config:
        app.config.from_mapping(test_config)
    check_settings(app.config)
    _configure_logging(app.config["LOG_LEVEL"])

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
        # X-Forwarded-Host is not trusted: a client could set it, and it would then name the
        # host of redirects and the API's own origin (a proxy does not overwrite it by default).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=0)
    app.url_map.merge_slashes = False  # "//x" is a 404, never a redirect built from the Host header

    # Invalid content at start: the last good snapshot is served (degraded); with no snapshot
    # at all it fails closed, raising ContentError, and nothing is served.
    app.extensions["faq_bot"] = LiveBot(
        app.config["FAQ_DIR"],
        interval=app.config["RELOAD_INTERVAL"],
        state_dir=app.config["STATE_DIR"] or None,
        settle=app.config["RELOAD_SETTLE"],
    )

    limiter = Limiter(get_remote_address, app=app)
    app.extensions["rate_limiter"] = limiter  # Flask-Limiter keeps only a weak reference when disabled
    _register_errors(app)
    _register_security(app)
    _register_api(app, limiter)
    _register_pages(app)
    return app


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    """Serve the app with waitress; settings from BOT_* variables, host and port also from flags."""
    parser = argparse.ArgumentParser(description="Serve the ADHD vetted FAQ bot with waitress.")
    parser.add_argument("--host", help="address to listen on (default BOT_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default BOT_PORT or 8000)")
    parser.add_argument("--threads", type=int, help="worker threads (default BOT_THREADS or 8)")
    args = parser.parse_args(argv)
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

    from waitress import serve

    host = args.host or app.config["HOST"]
    port = args.port if args.port is not None else app.config["PORT"]
    threads = args.threads or app.config["THREADS"]
    live: LiveBot = app.extensions["faq_bot"]
    if hasattr(signal, "SIGHUP"):
        # `kill -HUP` checks faq/ at once, in the background: the handler runs on waitress's
        # I/O thread, which must never wait for a load.
        signal.signal(signal.SIGHUP, lambda *_: live.poll(force=True))
    log.info(json.dumps({"event": "serving", "url": f"http://{host}:{port}", "faq_version": live.current.version}))
    serve(
        app,
        host=host,
        port=port,
        threads=threads,
        ident="adhd-faq-bot",
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
