"""QR codes for the kiosk's take-away: a vetted source's address, or the clinic's booking page.

Made on the server by segno (a well-kept QR library) as SVG; the kiosk shows them as
images from its own server, so no request goes to any other host. Only addresses the
content or the settings already hold are encoded: this is not a QR code maker for any
text a client sends.
"""

from __future__ import annotations

import io
from functools import lru_cache

import segno
from flask import Blueprint, Response, current_app, request
from flask_limiter import Limiter

from .errors import ApiError
from .state import current_bot


@lru_cache(maxsize=256)
def qr_svg(url: str) -> bytes:
    """Return the QR code of url as a small, scalable SVG (viewBox, no fixed size)."""
    out = io.BytesIO()
    code = segno.make(url, error="m", micro=False)
    code.save(out, kind="svg", border=2, xmldecl=False, omitsize=True, dark="#000", light="#fff")
    return out.getvalue()


def qr_blueprint(limiter: Limiter) -> Blueprint:
    """Return the blueprint of GET /api/qr?url=... (under the browse rate limit)."""
    qr = Blueprint("qr", __name__)
    browse_limit = limiter.shared_limit(lambda: current_app.config["BROWSE_RATE_LIMIT"], scope="browse")

    @qr.get("/api/qr")
    @browse_limit
    def qr_code():
        url = request.args.get("url", "")
        allowed = {s.url for s in current_bot().kb.sources.values() if s.url.startswith("https://")}
        booking = current_app.config["CLINIC_BOOKING_URL"].strip()
        if booking:
            allowed.add(booking)
        if url not in allowed:
            raise ApiError(404, "unknown_url", "There is a QR code only for a source's address or the booking page.")
        return Response(qr_svg(url), mimetype="image/svg+xml")

    return qr
