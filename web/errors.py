"""The one JSON error shape: {"error": {"code", "message"}} with a 4xx/5xx status, for every error."""

from __future__ import annotations

import json

from flask import Blueprint, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from .logs import log
from .state import current_bot


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


errors = Blueprint("errors", __name__)  # app-wide handlers: every error is JSON


@errors.app_errorhandler(ApiError)
def api_error(exc: ApiError):
    g.error_code = exc.code
    return error_response(exc.status, exc.code, exc.message)


@errors.app_errorhandler(HTTPException)
def http_error(exc: HTTPException):
    code, message = _HTTP_CODES.get(exc.code or 500, ("http_error", exc.name))
    if exc.code == 404 and request.path.startswith("/api/"):
        message = "There is no API endpoint at this address."
    headers = {k: v for k, v in exc.get_headers() if k.lower() in {"allow", "retry-after"}}
    if exc.code == 429:
        from .api import safety_past_limit  # the API answers a safety message past the limit

        served = safety_past_limit()
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


@errors.app_errorhandler(Exception)
def unexpected(exc: Exception):
    if type(exc).__module__.startswith("gunicorn.http"):
        # A malformed request body that gunicorn's parser meets only when the app reads it
        # (a bad chunk size, a missing chunk end): the client's fault, not ours.
        g.error_code = "bad_request"
        return error_response(400, "bad_request", "The request body could not be read.")
    g.error_code = "internal_error"
    log.exception(json.dumps({"event": "error", "path": request.path, "error": type(exc).__name__}))
    return error_response(500, "internal_error", "Something went wrong on our side. Please try again later.")
