"""One reply shape everywhere (CLI --json, --jsonl and, later, POST /api/ask).

A reply is a JSON object with exactly these keys:
  kind            "answer" | "clarify" | "fallback" | "safety"
  id              entry id served (answer, safety), else null
  question        canonical question of the entry served, else null
  answer          plain text, never empty
  citations       list of {title, publisher, year, url}; at least one for answer and safety
  clinician_note  never empty
  evidence        evidence label of the entry served, else null
  suggestions     list of {id, question}; 1-3 for clarify, topics for fallback
  score           number from 0 to 1
  faq_version     the content hash of the content that answered
  safety_note     null, or {id: "safety-...", text, actions: [{label, href}]}: a resource line
                  shown above a normal reply (the concern tier); never on a safety reply
  actions         list of {label, href} (tel:, sms: or https:); at least one for safety, else empty
An error is {"error": {"code": "...", "message": "..."}}; a 429 adds "resources":
[{label, href, text}] (988, 911, Poison Help).
"""

from __future__ import annotations

import pytest

from bot import QuestionError
from bot.evaluate import load_questions
from bot.matcher import Match
from bot.reply import KINDS

from .conftest import DATA_DIR

REPLY_KEYS = {
    "kind",
    "id",
    "question",
    "answer",
    "citations",
    "clinician_note",
    "evidence",
    "suggestions",
    "score",
    "faq_version",
    "safety_note",
    "actions",
    "reviewed",
    "summary",
    "points",
    "handoff",
}
ACTION_HREF = ("tel:", "sms:", "https://")


def assert_actions(actions: list) -> None:
    """Assert that every action is a label and a call, text or secure link."""
    for a in actions:
        assert set(a) == {"label", "href"} and a["label"].strip()
        assert a["href"].startswith(ACTION_HREF)


def assert_reply_shape(reply: dict, version: str) -> None:
    """Assert that reply follows the contract in this module's docstring."""
    assert set(reply) == REPLY_KEYS
    assert reply["kind"] in KINDS
    assert isinstance(reply["answer"], str) and reply["answer"].strip()
    assert isinstance(reply["clinician_note"], str) and reply["clinician_note"].strip()
    assert isinstance(reply["score"], float) and 0.0 <= reply["score"] <= 1.0
    # An entry served says when it was last reviewed; the clinic's contact goes with the
    # replies that cannot answer (fallback, clarify) and never with an answer or a safety reply.
    assert (reply["reviewed"] is not None) == (reply["id"] is not None)
    assert (reply["summary"] is not None) == (reply["id"] is not None)
    assert isinstance(reply["points"], list) and all(isinstance(p, str) and p for p in reply["points"])
    assert not reply["points"] or reply["kind"] in ("answer", "safety")
    cannot_answer = reply["kind"] in ("clarify", "fallback")
    assert reply["handoff"] is (cannot_answer or (reply["handoff"] and reply["kind"] == "smalltalk"))
    assert reply["faq_version"] == version
    for c in reply["citations"]:
        assert set(c) == {"title", "publisher", "year", "url"}
        assert c["title"] and c["publisher"] and c["url"].startswith("https://")
        assert c["year"] is None or isinstance(c["year"], int)
    for s in reply["suggestions"]:
        assert set(s) == {"id", "question"} and s["id"] and s["question"]
    assert_actions(reply["actions"])
    assert (len(reply["actions"]) >= 1) == (reply["kind"] == "safety")
    note = reply["safety_note"]
    if note is not None:
        assert reply["kind"] != "safety", "a safety reply needs no note above it"
        assert set(note) == {"id", "text", "actions"}
        assert note["id"].startswith("safety-") and note["text"].strip()
        assert_actions(note["actions"])
    if reply["kind"] in ("answer", "safety"):
        assert reply["id"] and reply["question"] and reply["evidence"]
        assert len(reply["citations"]) >= 1
    else:
        assert reply["id"] is None and reply["question"] is None and reply["evidence"] is None
        assert 1 <= len(reply["suggestions"]) <= (3 if reply["kind"] == "clarify" else 8)


def assert_error_shape(body: dict, code: str | None = None) -> None:
    """Assert that body is the error shape, optionally with this code."""
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code


def test_every_reply_to_the_question_set_follows_the_contract(bot):
    kinds = set()
    for text in [item.q for item in load_questions(DATA_DIR / "questions.yaml")] + ["hello"]:
        reply = bot.ask(text).to_dict()
        assert_reply_shape(reply, bot.version)
        kinds.add(reply["kind"])
    # "Did you mean" is rare now (issue 9: at most 6%); its shape is checked on its own.
    clarify = bot._clarify([Match("adhd-overview", 0.5, ""), Match("adhd-causes", 0.4, "")]).to_dict()
    assert_reply_shape(clarify, bot.version)
    kinds.add(clarify["kind"])
    assert kinds == set(KINDS)


@pytest.mark.parametrize("entry_id", ["adhd-overview", "ketamine-for-adhd", "safety-crisis"])
def test_entry_reply_serves_the_entry(bot, entry_id):
    reply = bot.entry_reply(entry_id).to_dict()
    assert_reply_shape(reply, bot.version)
    assert reply["id"] == entry_id
    assert bot.entry_reply("no-such-entry") is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty_question"),
        ("   \n\t ", "empty_question"),
        ("x" * 501, "question_too_long"),
        (None, "invalid_question"),
        ("ADHD\x00\x07 symptoms", "control_characters"),
        ("what is adhd\x1b[2J", "control_characters"),
        ("what is adhd \ud800", "invalid_text"),  # a lone surrogate: not valid Unicode
        ("\udfff", "invalid_text"),
    ],
)
def test_unusable_questions_raise_a_named_error(bot, text, code):
    with pytest.raises(QuestionError) as info:
        bot.ask(text)
    assert info.value.code == code
    assert_error_shape({"error": {"code": info.value.code, "message": str(info.value)}}, code)


@pytest.mark.parametrize("text", ["¿Qué es el TDAH? 🙂", "ما هو اضطراب فرط الحركة", "what is\tADHD\r\nin adults"])
def test_unicode_emoji_rtl_tabs_and_line_breaks_are_fine(bot, text):
    assert_reply_shape(bot.ask(text).to_dict(), bot.version)


def test_replies_are_immutable(bot):
    reply = bot.ask("what is adhd")
    with pytest.raises(AttributeError):
        reply.kind = "safety"
