"""Reading the question out of a POST /api/ask request, with a clear error for every bad body."""

from __future__ import annotations

import json

from flask import request

from .errors import ApiError


def question_from_request() -> str:
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
