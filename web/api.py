"""The JSON API: /api/ask, /api/topics, /api/entries/<id> and /healthz (parse, ask the bot, serialise)."""

from __future__ import annotations

from flask import Flask, current_app, g, jsonify, request
from flask_limiter import Limiter
from werkzeug.exceptions import HTTPException

from bot import QuestionError

from .cache import ReplyCache
from .errors import ApiError
from .openapi import openapi_document
from .requests import question_from_request
from .state import current_bot, live_bot


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
    return reply_response(*serialise(bot.safety_reply(assessment)))


def reply_response(body: bytes, fields: dict):
    g.reply_log = fields
    return current_app.response_class(body, mimetype="application/json")


def serialise(reply) -> tuple[bytes, dict]:
    body = current_app.json.dumps(reply.to_dict()).encode()
    note = reply.safety_note.id if reply.safety_note else None
    return body, {"kind": reply.kind, "entry_id": reply.id, "score": reply.score, "safety_note": note}


def register_api(app: Flask, limiter: Limiter) -> None:
    ask_limit = limiter.shared_limit(lambda: current_app.config["RATE_LIMIT"], scope="ask")
    browse_limit = limiter.shared_limit(lambda: current_app.config["BROWSE_RATE_LIMIT"], scope="browse")
    cache = ReplyCache(app.config["REPLY_CACHE_SIZE"])
    app.extensions["reply_cache"] = cache

    @app.post("/api/ask")
    @ask_limit
    def ask():
        question = question_from_request()
        bot = current_bot()
        try:
            question = bot.clean(question)  # first: the cache key hashes valid text only
            key = cache.key(bot.version, question)
            hit = cache.get(key)
            if hit is not None:
                return reply_response(*hit)
            reply = bot.ask(question)
        except QuestionError as exc:
            g.error_code = exc.code
            raise ApiError(400, exc.code, str(exc)) from None
        served = serialise(reply)
        cache.put(key, served)
        return reply_response(*served)

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
        return reply_response(*serialise(reply))

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
