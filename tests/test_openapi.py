"""The OpenAPI document matches the real API: a bounded schemathesis fuzz finds no 5xx and no schema break."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from server import create_app

from .test_contract import REPLY_KEYS

app = create_app({"TESTING": True, "RELOAD_INTERVAL": 0, "RATE_LIMIT_ENABLED": False})
schema = schemathesis.openapi.from_wsgi("/openapi.json", app)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def test_the_document_is_served_and_lists_every_endpoint():
    response = app.test_client().get("/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/api/ask",
        "/api/topics",
        "/api/entries/{entry_id}",
        "/api/feedback",
        "/api/qr",
        "/healthz",
    }
    question = document["components"]["schemas"]["Question"]["properties"]["question"]
    assert question["maxLength"] == 500


@schema.parametrize()
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_keeps_its_documented_promises(case):
    case.call_and_validate(checks=CHECKS)


def test_the_documented_reply_is_the_contract():
    document = app.test_client().get("/openapi.json").get_json()
    reply = document["components"]["schemas"]["Reply"]
    assert set(reply["required"]) == set(reply["properties"]) == REPLY_KEYS


def test_the_reply_schema_is_generated_from_the_dataclasses():
    """The reply shape is written once (bot/reply.py); the document's Reply is made from it."""
    import dataclasses

    from bot.reply import Action, Citation, Reply, SafetyNote, Suggestion

    schemas = app.test_client().get("/openapi.json").get_json()["components"]["schemas"]
    for cls in (Reply, Citation, Suggestion, Action, SafetyNote):
        names = [f.name for f in dataclasses.fields(cls)]
        assert list(schemas[cls.__name__]["properties"]) == names
        assert schemas[cls.__name__]["required"] == names
        assert schemas[cls.__name__]["additionalProperties"] is False
    assert schemas["Reply"]["properties"]["kind"]["enum"] == ["answer", "clarify", "fallback", "safety", "smalltalk"]
    assert schemas["Reply"]["properties"]["score"] == {"maximum": 1, "minimum": 0, "title": "Score", "type": "number"}
