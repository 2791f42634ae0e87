"""The OpenAPI 3 document of the API (fuzzed against the real app by schemathesis in the tests)."""

from __future__ import annotations

from bot.question import MAX_QUESTION_CHARS
from bot.reply import reply_schemas

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
    nullable_text = {"type": ["string", "null"]}
    replies = reply_schemas()  # Reply and its parts, generated from the dataclasses in bot/reply.py
    ref = {name: {"$ref": f"#/components/schemas/{name}"} for name in (*replies, "Error", "Resource")}
    error = {"$ref": "#/components/responses/Error"}
    limited = {"$ref": "#/components/responses/RateLimited"}
    reply = {"description": "A reply.", "content": _json(ref["Reply"])}

    def ok(description: str, schema: dict) -> dict:
        return {"description": description, "content": _json(schema)}

    return {
        "openapi": "3.1.0",
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
            "/api/feedback": {
                "post": {
                    "summary": '"Was this helpful?" for an answer: counted per entry and content version, '
                    "with no text and no identifier.",
                    "operationId": "feedback",
                    "requestBody": {"required": True, "content": _json({"$ref": "#/components/schemas/Feedback"})},
                    "responses": {
                        "200": ok("Counted.", _object(recorded={"type": "boolean", "const": True})),
                        "400": error,
                        "403": error,
                        "404": error,
                        "413": error,
                        "415": error,
                        "429": limited,
                    },
                }
            },
            "/api/qr": {
                "get": {
                    "summary": "A QR code (SVG) of a source's address or the clinic's booking page, for the kiosk's "
                    "take-away. Any other address is a 404.",
                    "operationId": "qr",
                    "parameters": [{"name": "url", "in": "query", "required": True, "schema": text}],
                    "responses": {
                        "200": {"description": "The QR code.", "content": {"image/svg+xml": {"schema": text}}},
                        "403": error,
                        "404": error,
                        "429": limited,
                    },
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
                **replies,
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
                "Resource": _object(label=text, href=replies["Action"]["properties"]["href"], text=text),
                "RateLimitError": _object(
                    error=_object(code=text, message=text), resources={"type": "array", "items": ref["Resource"]}
                ),
                "Feedback": _object(
                    id={"type": "string", "description": "The entry id of the answer (its `id`)."},
                    helpful={"type": "boolean"},
                    faq_version={"type": "string", "description": "The `faq_version` of the reply."},
                ),
                "Topics": _object(
                    faq_version=text,
                    categories={
                        "type": "array",
                        "items": _object(id=text, title=text, entries={"type": "array", "items": ref["Suggestion"]}),
                    },
                    starters={
                        "type": "array",
                        "items": ref["Suggestion"],
                        "description": "Questions to offer first (BOT_STARTERS, else the fallback topics).",
                    },
                    clinic=_object(
                        name=text,
                        phone=text,
                        booking_url={"type": "string", "pattern": "^(https://.*)?$"},
                    ),
                    clinician_note=text,
                    notice={
                        "type": ["string", "null"],
                        "description": "One line to show while any entry in service is a draft, or null.",
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
                    refused_edit={"type": ["object", "null"]},
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
