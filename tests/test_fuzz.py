"""Any text at all gets a reply or a named error: never a crash, never a 5xx (issue 11, F2)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.errors import QuestionError

# Every code point, lone surrogates and control characters included; emoji and
# digits of every script (which once reached int()) come up often enough.
ANY_TEXT = st.text(alphabet=st.characters(codec=None), max_size=520)
FUZZ = settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


@FUZZ
@given(text=ANY_TEXT)
def test_bot_ask_gives_a_reply_or_a_question_error(bot, text) -> None:
    try:
        reply = bot.ask(text)
    except QuestionError as exc:
        assert exc.code and str(exc)
        return
    assert reply.kind in ("answer", "clarify", "fallback", "safety", "smalltalk") and reply.answer


@FUZZ
@given(text=ANY_TEXT)
def test_api_ask_gives_a_reply_or_a_4xx(client, text) -> None:
    body = json.dumps({"question": text})  # ASCII escapes: lone surrogates travel as \\udXXX
    response = client.post("/api/ask", data=body, content_type="application/json")
    assert response.status_code in (200, 400, 413, 429), response.status_code
    data = response.get_json()
    assert ("error" in data) == (response.status_code != 200)


# Unicode "digits" that are not decimal digits: int() refuses them (issue 11, F2).
ODD_DIGITS = ["\u1369", "\u1371", "\u19da", "\u2779", "\u24f5", "\u00b2", "\u0663"]


@pytest.mark.parametrize("digit", ODD_DIGITS)
def test_any_scripts_digits_in_an_age_are_fine(bot, client, digit) -> None:
    for text in (f"im {digit} years old, do i have adhd", f"my {digit} year old cant sit still", f"age {digit}"):
        assert bot.ask(text).answer
        assert client.post("/api/ask", json={"question": text}).status_code == 200
