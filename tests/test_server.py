"""The HTTP API: the reply contract, one JSON error shape, headers, CORS, rate limits, privacy.

A reply is the contract in tests/test_contract.py (the same dict as `python -m bot ask --json`).
An error is {"error": {"code": "...", "message": "..."}} with a 4xx/5xx status, never a stack trace.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys

import pytest

from server import SETTINGS, create_app

from .conftest import ROOT
from .test_contract import assert_error_shape, assert_reply_shape

SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


# --------------------------------------------------------------------------- POST /api/ask


@pytest.mark.parametrize(
    ("question", "kind", "entry_id"),
    [
        ("what is adhd", "answer", "adhd-overview"),
        ("is ketamine a cure for adhd", "answer", "ketamine-for-adhd"),
        ("i want to kill myself", "safety", "safety-crisis"),
    ],
)
def test_ask_returns_the_reply_contract(api_ask, bot, question, kind, entry_id):
    response = api_ask(question)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    reply = response.get_json()
    assert_reply_shape(reply, bot.version)
    assert (reply["kind"], reply["id"]) == (kind, entry_id)


@pytest.mark.parametrize("question", ["symptoms of covid", "treatment for diabetes", "tell me a joke"])
def test_off_topic_questions_are_not_answered(api_ask, question):
    reply = api_ask(question).get_json()
    assert reply["kind"] in {"clarify", "fallback"} and reply["id"] is None


def test_ask_is_the_same_as_the_cli_json(api_ask):
    question = "do stimulants take weeks to work"
    cli = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", question],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert api_ask(question).get_json() == json.loads(cli.stdout)


@pytest.mark.parametrize(
    "question", ["¿Qué es el TDAH? 🙂", "ما هو اضطراب فرط الحركة ونقص الانتباه", "ADHD 😩😩 help", "what is\tadhd\r\n"]
)
def test_unicode_emoji_and_right_to_left_text_are_fine(api_ask, bot, question):
    response = api_ask(question)
    assert response.status_code == 200
    assert_reply_shape(response.get_json(), bot.version)


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"data": "{not json", "content_type": "application/json"}, 400, "invalid_json"),
        ({"data": "[" * 3000, "content_type": "application/json"}, 400, "invalid_json"),
        ({"data": b"\xff\xfe\x00", "content_type": "application/json"}, 400, "invalid_json"),
        ({"data": "question=what+is+adhd", "content_type": "application/x-www-form-urlencoded"}, 415, None),
        ({"data": '{"question": "what is adhd"}', "content_type": "text/plain"}, 415, None),
        ({"data": '{"question": "what is adhd"}'}, 415, None),
        ({"json": ["what is adhd"]}, 400, "invalid_request"),
        ({"json": "what is adhd"}, 400, "invalid_request"),
        ({"json": {}}, 400, "missing_question"),
        ({"json": {"q": "what is adhd"}}, 400, "unknown_field"),
        ({"json": {"question": "what is adhd", "extra": 1}}, 400, "unknown_field"),
        ({"json": {"question": None}}, 400, "invalid_question"),
        ({"json": {"question": 42}}, 400, "invalid_question"),
        ({"json": {"question": ["what is adhd"]}}, 400, "invalid_question"),
        ({"json": {"question": ""}}, 400, "empty_question"),
        ({"json": {"question": "   \n\t  "}}, 400, "empty_question"),
        ({"json": {"question": "x" * 501}}, 400, "question_too_long"),
        ({"json": {"question": "what is adhd\x00"}}, 400, "control_characters"),
        ({"json": {"question": "\x1b[31mwhat is adhd"}}, 400, "control_characters"),
        ({"data": '{"question": "what is adhd \\ud800"}', "content_type": "application/json"}, 400, "invalid_text"),
        ({"data": json.dumps({"question": "a" * 9000}), "content_type": "application/json"}, 413, "body_too_large"),
    ],
)
def test_bad_input_gets_a_clear_json_error(client, kwargs, status, code):
    response = client.post("/api/ask", **kwargs)
    assert response.status_code == status
    assert_error_shape(response.get_json(), code or "unsupported_media_type")
    assert response.headers["Cache-Control"] == "no-store"


def test_a_question_of_exactly_500_characters_is_taken(api_ask):
    assert api_ask("adhd " * 100).status_code == 200


def test_500_emoji_fit_in_the_body_limit_even_escaped(client):
    body = json.dumps({"question": "🙂" * 500})  # ensure_ascii: 12 bytes per emoji
    assert client.post("/api/ask", data=body, content_type="application/json").status_code == 200


def test_wrong_method_is_405_with_allow_header(client):
    response = client.get("/api/ask")
    assert response.status_code == 405
    assert_error_shape(response.get_json(), "method_not_allowed")
    assert "POST" in response.headers["Allow"]
    assert client.delete("/api/topics").status_code == 405


@pytest.mark.parametrize("path", ["/api/nope", "/api/", "/api/ask/more", "/api/entries/"])
def test_unknown_route_under_api_is_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert_error_shape(response.get_json(), "not_found")


def test_unexpected_exception_is_a_generic_500_and_is_logged(app, client, caplog, monkeypatch):
    bot = app.extensions["faq_bot"].current

    def boom(text):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(bot, "ask", boom)
    with caplog.at_level(logging.ERROR, logger="adhd_bot"):
        response = client.post("/api/ask", json={"question": "what is adhd"})
    assert response.status_code == 500
    assert_error_shape(response.get_json(), "internal_error")
    body = response.get_data(as_text=True)
    assert "secret" not in body and "Traceback" not in body and "RuntimeError" not in body
    assert any(r.exc_info and r.exc_info[0] is RuntimeError for r in caplog.records)


# --------------------------------------------------------------------------- topics, entries, health


def test_topics_list_every_category_and_entry_in_display_order(client, bot):
    response = client.get("/api/topics")
    assert response.status_code == 200
    data = response.get_json()
    assert data["faq_version"] == bot.version
    assert [c["id"] for c in data["categories"]] == [c.id for c in bot.kb.categories]
    ids = [e["id"] for c in data["categories"] for e in c["entries"]]
    assert sorted(ids) == sorted(e.id for e in bot.kb.entries)
    assert all(e["question"] for c in data["categories"] for e in c["entries"])
    assert client.get("/api/topics").get_json() == data  # stable


@pytest.mark.parametrize("entry_id", ["adhd-overview", "medication-how-fast", "safety-crisis"])
def test_entry_is_served_as_a_reply(client, bot, entry_id):
    response = client.get(f"/api/entries/{entry_id}")
    assert response.status_code == 200
    reply = response.get_json()
    assert_reply_shape(reply, bot.version)
    assert reply["id"] == entry_id
    assert reply == bot.entry_reply(entry_id).to_dict()


@pytest.mark.parametrize("entry_id", ["no-such-entry", "ADHD-OVERVIEW", "..%2F..%2Fetc", "%00"])
def test_unknown_entry_is_json_404(client, entry_id):
    response = client.get(f"/api/entries/{entry_id}")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] in {"unknown_entry", "not_found"}


def test_healthz_reports_the_content_in_service(client, bot):
    data = client.get("/healthz").get_json()
    assert data["status"] == "ok"
    assert data["faq_version"] == bot.version
    assert data["entries"] == len(bot.kb.entries) == 54
    assert data["loaded_at"].startswith("20")
    assert data["refused_edit"] is None


# --------------------------------------------------------------------------- headers


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/healthz"), ("GET", "/api/topics"), ("GET", "/api/nope"), ("GET", "/openapi.json"), ("POST", "/api/ask")],
)
def test_security_headers_on_every_response(client, method, path):
    response = client.open(path, method=method, json={"question": "what is adhd"} if method == "POST" else None)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/", "/visit", "/kiosk"])
def test_pages_get_a_strict_csp_with_configurable_frame_ancestors(path):
    client = create_app(
        {"TESTING": True, "RELOAD_INTERVAL": 0, "FRAME_ANCESTORS": "https://clinic.example"}
    ).test_client()
    response = client.get(path)
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert csp.endswith("frame-ancestors https://clinic.example")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("path", "mimetype"), [("/widget.js", "text/javascript"), ("/widget.css", "text/css")])
def test_widget_files_are_served_for_other_sites(client, path, mimetype):
    response = client.get(path)
    response.close()  # a file response holds the file open until closed
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_kiosk_page_carries_the_idle_setting_and_the_vetted_evidence_words(bot):
    client = create_app({"TESTING": True, "RELOAD_INTERVAL": 0, "KIOSK_IDLE_SECONDS": 42}).test_client()
    html = client.get("/kiosk").get_data(as_text=True)
    assert 'data-idle-seconds="42"' in html
    labels = re.search(r"data-evidence-labels='([^']*)'", html).group(1)
    assert json.loads(labels) == dict(bot.kb.messages.evidence_labels)


def test_the_widgets_evidence_words_are_the_vetted_ones(bot):
    """widget.js runs on other sites with no page from us, so it carries the words; they must not drift."""
    script = (ROOT / "static" / "src" / "widget.js").read_text(encoding="utf-8")
    table = re.search(r"var EVIDENCE = \{(.*?)\};", script, re.S).group(1)
    pairs = dict(re.findall(r'"?([a-z-]+)"?: "([^"]+)"', table))
    assert pairs == dict(bot.kb.messages.evidence_labels)


# --------------------------------------------------------------------------- CORS


def _cors_client(origins):
    return create_app({"TESTING": True, "RELOAD_INTERVAL": 0, "ALLOWED_ORIGINS": origins}).test_client()


def test_an_allowed_origin_gets_cors_headers():
    client = _cors_client("https://clinic.example, https://other.example")
    origin = "https://clinic.example"
    pre = client.options(
        "/api/ask",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert pre.status_code == 204
    assert pre.headers["Access-Control-Allow-Origin"] == origin
    assert "POST" in pre.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in pre.headers["Access-Control-Allow-Headers"]
    response = client.post("/api/ask", json={"question": "what is adhd"}, headers={"Origin": origin})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert "Origin" in response.headers["Vary"]


@pytest.mark.parametrize("origins", ["", "https://clinic.example"])
def test_a_refused_origin_gets_403_and_no_cors_headers(origins):
    client = _cors_client(origins)
    for origin in ["https://evil.example", "https://clinic.example.evil.example", "null"]:
        pre = client.options("/api/ask", headers={"Origin": origin, "Access-Control-Request-Method": "POST"})
        assert pre.status_code == 403
        assert "Access-Control-Allow-Origin" not in pre.headers
        response = client.post("/api/ask", json={"question": "what is adhd"}, headers={"Origin": origin})
        assert response.status_code == 403
        assert_error_shape(response.get_json(), "origin_not_allowed")
        assert "Access-Control-Allow-Origin" not in response.headers


def test_the_servers_own_origin_is_always_allowed(client):
    response = client.post("/api/ask", json={"question": "what is adhd"}, headers={"Origin": "http://localhost"})
    assert response.status_code == 200


def test_requests_without_origin_are_served(client):
    assert client.post("/api/ask", json={"question": "what is adhd"}).status_code == 200


def test_star_allows_any_site():
    client = _cors_client("*")
    response = client.get("/api/topics", headers={"Origin": "https://any.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "https://any.example"


def test_star_never_reflects_origin_null():
    """Issue 11, F16: sandboxed frames and file:// pages send `Origin: null`; no clinic site does."""
    response = _cors_client("*").get("/api/topics", headers={"Origin": "null"})
    assert response.status_code == 403 and "Access-Control-Allow-Origin" not in response.headers


def test_forwarded_host_never_names_the_host_of_a_redirect_or_the_own_origin():
    """Issue 11, F14: behind a trusted proxy, X-Forwarded-Host (client-set) is not trusted."""
    client = create_app({"TESTING": True, "RELOAD_INTERVAL": 0, "TRUSTED_PROXIES": 1}).test_client()
    evil = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}
    response = client.get("/static//favicon.svg", headers=evil)
    assert "evil.example" not in response.headers.get("Location", "")
    assert response.status_code in (200, 404)  # no slash-merging redirect at all
    own = client.post("/api/ask", json={"question": "what is adhd"}, headers={**evil, "Origin": "https://evil.example"})
    assert own.status_code == 403


# --------------------------------------------------------------------------- rate limits


def _limited_app(**config):
    return create_app({"TESTING": True, "RELOAD_INTERVAL": 0, "RATE_LIMIT": "3 per minute", **config})


def test_rate_limit_gives_429_with_retry_after():
    client = _limited_app().test_client()
    for _ in range(3):
        assert client.post("/api/ask", json={"question": "what is adhd"}).status_code == 200
    response = client.post("/api/ask", json={"question": "what is adhd"})
    assert response.status_code == 429
    body = response.get_json()
    resources = body.pop("resources")
    assert_error_shape(body, "rate_limited")
    assert 0 < int(response.headers["Retry-After"]) <= 60
    # Nobody in crisis meets a dead end: the help lines come with every 429.
    hrefs = {r["href"] for r in resources}
    assert {"tel:988", "tel:911", "tel:18002221222"} <= hrefs
    assert all(r["label"] and r["text"] for r in resources)


def test_a_safety_message_is_answered_past_the_rate_limit():
    client = _limited_app().test_client()
    for _ in range(4):
        client.post("/api/ask", json={"question": "what is adhd"})
    assert client.post("/api/ask", json={"question": "what is adhd"}).status_code == 429
    response = client.post("/api/ask", json={"question": "i want to kill myself"})
    assert response.status_code == 200
    assert response.get_json()["id"] == "safety-crisis"
    # A concern (not urgent) is refused like any other question, with the resources.
    refused = client.post("/api/ask", json={"question": "can you overdose on adderall"})
    assert refused.status_code == 429 and refused.get_json()["resources"]


def test_browsing_past_the_limit_also_gets_the_resources():
    from server import create_app

    client = create_app({"TESTING": True, "RELOAD_INTERVAL": 0, "BROWSE_RATE_LIMIT": "1 per minute"}).test_client()
    client.get("/api/topics")
    refused = client.get("/api/topics")
    assert refused.status_code == 429
    assert {r["href"] for r in refused.get_json()["resources"]} >= {"tel:988", "tel:911"}


def test_rate_limit_is_per_client():
    client = _limited_app().test_client()
    for _ in range(4):
        client.post("/api/ask", json={"question": "what is adhd"}, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    other = client.post("/api/ask", json={"question": "what is adhd"}, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert other.status_code == 200


def test_forwarded_for_is_ignored_unless_proxies_are_trusted():
    client = _limited_app().test_client()
    codes = [
        client.post("/api/ask", json={"question": "adhd"}, headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
        for i in range(4)
    ]
    assert codes == [200, 200, 200, 429]  # one client, whatever the header claims


def test_forwarded_for_names_the_client_behind_a_trusted_proxy():
    client = _limited_app(TRUSTED_PROXIES=1).test_client()
    for _ in range(4):
        client.post("/api/ask", json={"question": "adhd"}, headers={"X-Forwarded-For": "203.0.113.1"})
    assert (
        client.post("/api/ask", json={"question": "adhd"}, headers={"X-Forwarded-For": "203.0.113.1"}).status_code
        == 429
    )
    assert (
        client.post("/api/ask", json={"question": "adhd"}, headers={"X-Forwarded-For": "203.0.113.2"}).status_code
        == 200
    )


def test_rate_limit_can_be_turned_off_for_load_tests():
    client = _limited_app(RATE_LIMIT_ENABLED="false").test_client()
    assert all(client.post("/api/ask", json={"question": "adhd"}).status_code == 200 for _ in range(6))


# --------------------------------------------------------------------------- privacy


def test_the_question_text_is_never_logged(client, caplog):
    secret = "my daughter Zoe Smith 2014 adhd symptoms"
    with caplog.at_level(logging.DEBUG):
        client.post("/api/ask", json={"question": secret})
        client.post("/api/ask", json={"question": "x" * 501 + secret})
        client.post("/api/ask", json={"question": secret + "\x00"})
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "Zoe" not in text and "Smith" not in text
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "adhd_bot.server"]
    first = records[0]
    assert {"event", "kind", "entry_id", "score", "latency_ms", "status"} <= set(first)
    assert [r["status"] for r in records] == [200, 400, 400]


def test_debug_is_off_by_default(app):
    assert app.debug is False
    assert app.config["DEBUG"] is False


# --------------------------------------------------------------------------- settings


def test_settings_come_from_bot_environment_variables(monkeypatch):
    monkeypatch.setenv("BOT_RATE_LIMIT", "7 per minute")
    monkeypatch.setenv("BOT_ALLOWED_ORIGINS", "https://a.example,https://b.example")
    monkeypatch.setenv("BOT_KIOSK_IDLE_SECONDS", "30")
    monkeypatch.setenv("BOT_RELOAD_INTERVAL", "0")
    app = create_app({"TESTING": True})
    assert app.config["RATE_LIMIT"] == "7 per minute"
    assert app.config["ALLOWED_ORIGINS"] == ("https://a.example", "https://b.example")
    assert app.config["KIOSK_IDLE_SECONDS"] == 30
    assert app.config["RELOAD_INTERVAL"] == 0


def test_test_config_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("BOT_RATE_LIMIT", "7 per minute")
    assert create_app({"RATE_LIMIT": "9 per minute", "RELOAD_INTERVAL": 0}).config["RATE_LIMIT"] == "9 per minute"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ALLOWED_ORIGINS", "clinic.example"),
        ("ALLOWED_ORIGINS", "https://clinic.example/path"),
        ("PORT", "eighty"),
        ("PORT", 70000),
        ("RATE_LIMIT_ENABLED", "perhaps"),
        ("RELOAD_INTERVAL", -1),
        ("LOG_LEVEL", "LOUD"),
        ("KIOSK_IDLE_SECONDS", 0),
        ("KIOSK_IDLE_SECONDS", 5),
    ],
)
def test_a_bad_setting_is_refused_with_its_name(name, value):
    with pytest.raises(ValueError, match=f"BOT_{name}"):
        create_app({name: value, "RELOAD_INTERVAL": 0} if name != "RELOAD_INTERVAL" else {name: value})


def test_forwarded_host_is_trusted_only_when_the_setting_says_so():
    config = {"TESTING": True, "RELOAD_INTERVAL": 0, "TRUSTED_PROXIES": 1, "TRUST_FORWARDED_HOST": True}
    client = create_app(config).test_client()
    headers = {"X-Forwarded-Host": "clinic.example", "X-Forwarded-Proto": "https", "Origin": "https://clinic.example"}
    assert client.post("/api/ask", json={"question": "what is adhd"}, headers=headers).status_code == 200


@pytest.mark.parametrize(
    "question",
    ["what is adhd", "  ", "", "tab\tand\nline breaks", "a\u0081b", "\u0007bell", " x ", "\u00a0\u2003"],
)
def test_the_openapi_question_pattern_says_what_the_bot_accepts(question):
    """Issue 11, F15: a question valid by the OpenAPI document is one the API takes, and the reverse."""
    import re

    from bot import QuestionError
    from bot.question import clean
    from server import openapi_document

    pattern = openapi_document(create_app({"TESTING": True, "RELOAD_INTERVAL": 0}).config)["components"]["schemas"][
        "Question"
    ]["properties"]["question"]["pattern"]
    try:
        clean(question)
        accepted = True
    except QuestionError:
        accepted = False
    assert bool(re.search(pattern, question)) == accepted


def test_every_setting_has_help_and_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert setting.help.strip(), setting.name
        assert f"`BOT_{setting.name}`" in readme, f"BOT_{setting.name} is not in the README"


# --------------------------------------------------------------------------- reply cache


def test_a_repeated_question_is_served_from_the_cache_without_keeping_its_text(app, client, monkeypatch):
    question = "my son Leo cant sit still is it adhd"
    first = client.post("/api/ask", json={"question": question})
    bot = app.extensions["faq_bot"].current
    monkeypatch.setattr(bot, "ask", lambda text: pytest.fail("the cache should have answered"))
    second = client.post("/api/ask", json={"question": question})
    assert second.get_data() == first.get_data()
    cache = app.extensions["reply_cache"]
    stored = b"".join(key + body for key, (body, _) in cache._replies.items())
    assert b"Leo" not in stored and all(len(key) == 16 for key in cache._replies)


def test_the_cache_is_bounded_and_can_be_turned_off():
    app = create_app({"TESTING": True, "RELOAD_INTERVAL": 0, "REPLY_CACHE_SIZE": 2, "RATE_LIMIT_ENABLED": False})
    client = app.test_client()
    for q in ["what is adhd", "adhd in adults", "adhd causes", "is adhd genetic"]:
        client.post("/api/ask", json={"question": q})
    assert len(app.extensions["reply_cache"]._replies) == 2
    app = create_app({"TESTING": True, "RELOAD_INTERVAL": 0, "REPLY_CACHE_SIZE": 0})
    app.test_client().post("/api/ask", json={"question": "what is adhd"})
    assert len(app.extensions["reply_cache"]._replies) == 0
