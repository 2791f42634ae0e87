"""Reading the JSON body of a POST request (a question, feedback), with a clear error for every bad body."""

from __future__ import annotations

import json

from flask import request

from .errors import ApiError


def _json_object(example: str, fields: set[str]) -> dict:
    """Return the request's JSON object, refusing any other body and any field not in fields."""
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", "Send JSON with Content-Type: application/json.")
    raw = request.get_data(cache=False)  # raises 413 past MAX_CONTENT_LENGTH
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise ApiError(400, "invalid_json", "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_request", f"Send a JSON object like {example}.")
    unknown = sorted(set(body) - fields)
    if unknown:
        accepted = ", ".join(repr(f) for f in sorted(fields))
        raise ApiError(400, "unknown_field", f"Unknown field: {unknown[0]!r}. Only {accepted} accepted.")
    return body


def question_from_request() -> str:
    """Return the question of a POST /api/ask body (its text is checked by the bot)."""
    body = _json_object('{"question": "What is ADHD?"}', {"question"})
    if "question" not in body:
        raise ApiError(400, "missing_question", 'Send a JSON object like {"question": "What is ADHD?"}.')
    if not isinstance(body["question"], str):
        raise ApiError(400, "invalid_question", "The question must be text.")
    return body["question"]


FEEDBACK_EXAMPLE = '{"id": "adhd-overview", "helpful": true, "faq_version": "..."}'


def feedback_from_request() -> tuple[str, bool, str]:
    """Return (entry id, helpful, content version) of a POST /api/feedback body."""
    body = _json_object(FEEDBACK_EXAMPLE, {"id", "helpful", "faq_version"})
    missing = sorted({"id", "helpful", "faq_version"} - set(body))
    if missing:
        raise ApiError(400, "missing_field", f"Missing field: {missing[0]!r}. Send {FEEDBACK_EXAMPLE}.")
    entry_id, helpful, version = body["id"], body["helpful"], body["faq_version"]
    if not isinstance(entry_id, str) or not isinstance(version, str):
        raise ApiError(400, "invalid_field", "'id' and 'faq_version' must be text.")
    if not isinstance(helpful, bool):
        raise ApiError(400, "invalid_field", "'helpful' must be true or false.")
    return entry_id, helpful, version
