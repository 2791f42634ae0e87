"""Security headers, the Content-Security-Policy and the CORS allow-list (with its 403 gate)."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, g, request

from .errors import ApiError
from .logs import log_request


def _page_csp(frame_ancestors: str, form_action: str = "'none'") -> str:
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self'; font-src 'self'; base-uri 'none'; form-action {form_action}; "
        f"frame-ancestors {frame_ancestors}"
    )


def _own_origin() -> str:
    return f"{request.scheme}://{request.host}"


def _origin_allowed(origin: str) -> bool:
    if origin == "null":  # sandboxed frames and file:// pages: never a clinic's site, even with "*"
        return False
    allowed = current_app.config["ALLOWED_ORIGINS"]
    return origin == _own_origin() or "*" in allowed or origin in allowed


security = Blueprint("security", __name__)  # app-wide: every response gets the headers


@security.before_app_request
def cors_gate():
    g.started = time.perf_counter()
    if not request.path.startswith("/api/"):
        return None
    origin = request.headers.get("Origin")
    if origin is not None and not _origin_allowed(origin):
        raise ApiError(403, "origin_not_allowed", "This site is not allowed to use the API.")
    if request.method == "OPTIONS" and origin is not None:
        return current_app.response_class(status=204)  # preflight from an allowed origin
    return None


@security.after_app_request
def headers(response):
    h = response.headers
    h["X-Content-Type-Options"] = "nosniff"
    h["Referrer-Policy"] = "no-referrer"
    h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
    if request.path.startswith("/staff"):
        # The staff page: its own forms only, never framed, never cached or indexed.
        h["Content-Security-Policy"] = _page_csp("'none'", form_action="'self'")
        h["Cache-Control"] = "no-store"
        h["X-Robots-Tag"] = "noindex, nofollow"
    elif response.mimetype == "text/html" and not request.path.startswith("/api/"):
        h["Content-Security-Policy"] = _page_csp(current_app.config["FRAME_ANCESTORS"])
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
    log_request(response)
    return response
