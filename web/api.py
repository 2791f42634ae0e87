"""The JSON API: /api/ask, /api/topics, /api/entries/<id>, /api/feedback and /healthz (parse, ask, serialise)."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request
from flask_limiter import Limiter
from werkzeug.exceptions import HTTPException

from bot import QuestionError

from .cache import ReplyCache
from .errors import ApiError
from .openapi import openapi_document
from .requests import feedback_from_request, question_from_request
from .state import current_bot, live_bot
from .stats import UsageCounts


def safety_past_limit():
    """Return the safety reply for an over-limit question that needs one, else None.

    A message that calls for an urgent safety reply is answered even past the rate
    limit (the refused hit is still counted by the limiter); anything else gets the 429.
    """
    if request.path != "/api/ask" or request.method != "POST":
        return None
    try:
        question = question_from_request()
        bot = current_bot()
        assessment = bot.assess(bot.clean(question))
    except (ApiError, QuestionError, HTTPException):
        return None
    if not assessment.urgent:
        return None
    g.rate_limited_safety = True
    return reply_response(*serialise(bot.safety_reply(assessment)), counted=bot.version)


def usage() -> UsageCounts:
    """Return the app's usage counts (no text: kinds per day, feedback per entry)."""
    return current_app.extensions["usage"]


def reply_response(body: bytes, fields: dict, counted: str | None = None):
    """Return a reply's JSON; with counted (the content version), count its kind for the staff page."""
    g.reply_log = fields
    if counted is not None:
        usage().served(counted, fields["kind"])
    return current_app.response_class(body, mimetype="application/json")


def serialise(reply) -> tuple[bytes, dict]:
    body = current_app.json.dumps(reply.to_dict()).encode()
    note = reply.safety_note.id if reply.safety_note else None
    return body, {"kind": reply.kind, "entry_id": reply.id, "score": reply.score, "safety_note": note}


def api_blueprint(limiter: Limiter) -> Blueprint:
    """Return the API's blueprint, its routes under the app's rate limiter (one per app)."""
    api = Blueprint("api", __name__)
    ask_limit = limiter.shared_limit(lambda: current_app.config["RATE_LIMIT"], scope="ask")
    browse_limit = limiter.shared_limit(lambda: current_app.config["BROWSE_RATE_LIMIT"], scope="browse")

    feedback_limit = limiter.shared_limit(lambda: current_app.config["FEEDBACK_RATE_LIMIT"], scope="feedback")

    @api.record_once
    def _per_app(state) -> None:
        state.app.extensions["reply_cache"] = ReplyCache(state.app.config["REPLY_CACHE_SIZE"])
        state.app.extensions["usage"] = UsageCounts(state.app.config["RATE_LIMIT_STORAGE_URI"])

    @api.post("/api/ask")
    @ask_limit
    def ask():
        question = question_from_request()
        bot = current_bot()
        cache: ReplyCache = current_app.extensions["reply_cache"]
        try:
            question = bot.clean(question)  # first: the cache key hashes valid text only
            key = cache.key(bot.version, question)
            hit = cache.get(key)
            if hit is not None:
                return reply_response(*hit, counted=bot.version)
            reply = bot.ask(question)
        except QuestionError as exc:
            g.error_code = exc.code
            raise ApiError(400, exc.code, str(exc)) from None
        served = serialise(reply)
        cache.put(key, served)
        return reply_response(*served, counted=bot.version)

    @api.post("/api/feedback")
    @feedback_limit
    def feedback():
        entry_id, helpful, version = feedback_from_request()
        bot = current_bot()
        if entry_id not in bot.kb.by_id:
            raise ApiError(404, "unknown_entry", "There is no entry with that id.")
        counts = usage()
        if version != bot.version and not counts.known_version(version):
            raise ApiError(400, "unknown_version", "That content version is not one this server has served.")
        counts.feedback(entry_id, version, helpful)
        g.reply_log = {"entry_id": entry_id, "helpful": helpful}
        return jsonify({"recorded": True})

    @api.get("/api/topics")
    @browse_limit
    def topics():
        bot = current_bot()
        kb = bot.kb
        served = {e.id: e for e in kb.entries if not e.withheld}  # withheld until reviewed: not offered
        config = current_app.config
        starters = [i for i in (config["STARTERS"] or kb.messages.fallback_suggestions) if i in served]
        return jsonify(
            {
                "faq_version": kb.version,
                "categories": [
                    {
                        "id": cat.id,
                        "title": cat.title,
                        "entries": [{"id": i, "question": kb.by_id[i].question} for i in cat.entry_ids if i in served],
                    }
                    for cat in kb.categories
                ],
                # What the widget and kiosk show first: starter questions, the clinic's contact
                # (empty strings when not set) and the clinician note, shown once.
                "starters": [{"id": i, "question": served[i].question} for i in starters],
                "clinic": {
                    "name": config["CLINIC_NAME"].strip(),
                    "phone": config["CLINIC_PHONE"].strip(),
                    "booking_url": config["CLINIC_BOOKING_URL"].strip(),
                },
                "clinician_note": kb.messages.clinician_note,
                "notice": kb.draft_notice,
            }
        )

    @api.get("/api/entries/<entry_id>")
    @browse_limit
    def entry(entry_id: str):
        reply = current_bot().entry_reply(entry_id)
        if reply is None:
            raise ApiError(404, "unknown_entry", "There is no entry with that id.")
        return reply_response(*serialise(reply))

    @api.get("/healthz")
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

    @api.get("/openapi.json")
    def openapi():
        return jsonify(openapi_document(current_app.config))

    return api
