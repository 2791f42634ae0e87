"""The staff status page (/staff): what is in service, refused edits, reviews, feedback and reply counts.

Off unless BOT_STAFF_TOKEN is set (then /staff is a 404 like any unknown address). With it,
the page needs the token: an `Authorization: Bearer <token>` header, or the sign-in form,
which sets a signed cookie that lasts SESSION_MINUTES. No public page links here, and there
is no question text on it: only versions, ids, files, fields and counts.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Blueprint, current_app, redirect, render_template, request
from flask_limiter import Limiter
from itsdangerous import BadSignature, URLSafeTimedSerializer

from .errors import ApiError
from .state import live_bot

SESSION_MINUTES = 30
COOKIE = "staff_session"


def _token() -> str:
    return current_app.config["STAFF_TOKEN"]


def _signer() -> URLSafeTimedSerializer:
    # The key comes from the token: changing the token signs everyone out.
    key = hashlib.sha256(b"adhd-bot staff session\0" + _token().encode()).digest()
    return URLSafeTimedSerializer(key, salt="staff")


def _signed_in() -> bool:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return hmac.compare_digest(header[7:].strip().encode(), _token().encode())
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        return False
    try:
        return _signer().loads(cookie, max_age=SESSION_MINUTES * 60) == "staff"
    except BadSignature:
        return False


def _sign_in_page(message: str | None, status: int):
    return render_template("staff_sign_in.html", message=message), status


def _status() -> dict:
    """Return what the page shows (no question text anywhere)."""
    live = live_bot()
    bot = live.bot
    kb = bot.kb
    usage = current_app.extensions["usage"]
    refused = live.refused.to_dict() if live.refused else None
    due = set(kb.review_due)
    soon = set(kb.review_soon)
    reviews = [
        {
            "id": e.id,
            "file": e.file,
            "reviewed": e.reviewed.isoformat(),
            "due": when.isoformat(),
            "state": "withheld" if e.withheld else "due" if e.id in due else "due soon",
            "why": e.withheld,
        }
        for e, when in kb.reviews()
        if e.withheld or e.id in due or e.id in soon
    ]
    days = usage.kinds_by_day()
    kinds = ["answer", "clarify", "fallback", "safety", "smalltalk"]
    return {
        "version": bot.version,
        "loaded_at": kb.loaded_at,
        "entries": len(kb.entries),
        "degraded": live.degraded,
        "matcher": bot.matcher_mode,
        "matcher_reason": bot.matcher_reason,
        "refused": refused,
        "reviews": reviews,
        "drafts": list(kb.drafts),
        "approved_by": sorted({e.reviewed_by for e in kb.by_id.values() if e.reviewed_by}),
        "feedback": usage.feedback_by_entry(),
        "kinds": kinds,
        "days": [(day, [counts.get(k, 0) for k in kinds]) for day, counts in days],
        "storage": usage.storage(),
        "warnings": [w for w in kb.warnings if w.field != "reviewed"],
    }


def staff_blueprint(limiter: Limiter) -> Blueprint:
    """Return the staff page's blueprint; sign-in attempts are rate-limited per client."""
    staff = Blueprint("staff", __name__)

    @staff.before_request
    def only_with_a_token():
        if not _token():
            raise ApiError(404, "not_found", "There is nothing at this address.")

    @staff.get("/staff")
    def status_page():
        if not _signed_in():
            return _sign_in_page(None, 401)
        return render_template("staff.html", **_status())

    @staff.post("/staff/sign-in")
    @limiter.limit("10 per minute")
    def sign_in():
        given = request.form.get("token", "")
        if not hmac.compare_digest(given.encode("utf-8", "surrogatepass"), _token().encode()):
            return _sign_in_page("That token is not right.", 401)
        response = redirect("/staff", code=303)
        response.set_cookie(
            COOKIE,
            _signer().dumps("staff"),
            max_age=SESSION_MINUTES * 60,
            path="/staff",
            secure=request.is_secure,
            httponly=True,
            samesite="Strict",
        )
        return response

    @staff.post("/staff/sign-out")
    def sign_out():
        response = redirect("/staff", code=303)
        response.delete_cookie(COOKIE, path="/staff", secure=request.is_secure, httponly=True, samesite="Strict")
        return response

    return staff
