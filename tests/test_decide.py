"""The matcher's learned decision (bot/decide.py), small talk, and the lexical-only mode."""

from __future__ import annotations

import functools
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.content import load_knowledge_base
from bot.decide import DECISION_FILE, FEATURES, DecisionModel, Signals
from bot.engine import Bot, load_bot
from bot.errors import BotError, ContentError
from bot.live import LiveBot

from .conftest import FAQ_DIR


def signals(probs: dict[str, float], *, lexical=(), cosine=None, kind="clarify", p_out=0.0) -> Signals:
    return Signals(
        probs=probs,
        p_out=p_out,
        lexical=list(lexical),
        on_topic=True,
        lexical_kind=kind,
        cosine=cosine or dict.fromkeys(probs, 0.5),
    )


# A model that reads only the learned matcher's probability: P(right) = sigmoid(logit p).
ONLY_P = DecisionModel(tuple(1.0 if f == "logit_p" else 0.0 for f in FEATURES), 0.0, answer=0.6, clarify=0.3)


@pytest.mark.parametrize(
    ("probs", "want_kind", "want_ids"),
    [
        ({"a": 0.8, "b": 0.1, "c": 0.1}, "answer", ["a"]),  # sure enough: the answer
        ({"a": 0.45, "b": 0.4, "c": 0.15}, "clarify", ["a", "b"]),  # two real candidates: which one?
        ({"a": 0.5, "b": 0.05, "c": 0.05}, "fallback", ["a"]),  # one candidate, not sure: offered in the fallback
        ({"a": 0.1, "b": 0.1, "c": 0.1}, "fallback", []),  # nothing close
    ],
)
def test_the_decision_answers_clarifies_with_two_or_more_or_declines(probs, want_kind, want_ids) -> None:
    kind, shown = ONLY_P.decide(signals(probs))
    assert kind == want_kind
    assert [c for c, _ in shown] == want_ids


def test_candidates_come_from_every_scorer_and_carry_one_value_per_feature() -> None:
    s = signals({"a": 0.7, "b": 0.2, "c": 0.05, "d": 0.05}, lexical=[("e", 0.6)], cosine={"a": 0.3, "f": 0.9})
    rows = dict(s.candidates())
    assert {"a", "b", "c", "e", "f"} <= set(rows)  # the learned top 3, the lexical top, the encoder top
    assert all(len(r) == len(FEATURES) for r in rows.values())
    named = dict(zip(FEATURES, rows["f"], strict=True))
    assert named["encoder_top"] == 1.0 and named["cosine_gap"] == 0.0 and named["p"] == 0.0


def test_a_candidate_is_compared_with_the_nearest_out_of_scope_decoy() -> None:
    near = Signals(
        probs={"a": 0.7},
        p_out=0.3,
        lexical=[],
        on_topic=True,
        lexical_kind="clarify",
        cosine={"a": 0.6},
        decoy_cosine=0.8,
    )
    named = dict(zip(FEATURES, dict(near.candidates())["a"], strict=True))
    assert named["decoy_margin"] == pytest.approx(-0.2)  # closer to a decoy than to any of its phrasings


def test_the_bot_compares_a_question_with_its_decoys(bot) -> None:
    if bot.encoder is None:
        pytest.skip("lexical mode: no sentence encoder in this environment")
    decoy = next(ex.text for ex in bot.training if ex.decoy)
    query = bot.query(bot.clean(decoy))
    hits = bot.matcher.search(query, limit=3)
    assert bot.signals(query, hits, "fallback").decoy_cosine == pytest.approx(1.0, abs=1e-3)
    assert bot.signals(query, hits, "fallback", decoys=np.zeros((0, 384), dtype=np.float32)).decoy_cosine == 0.0


def test_a_decision_file_round_trips_and_a_bad_one_is_refused(tmp_path: Path) -> None:
    path = tmp_path / DECISION_FILE
    path.write_text(ONLY_P.dump(), encoding="utf-8")
    assert DecisionModel.load(path) == ONLY_P
    path.write_text(ONLY_P.dump().replace("logit_p:", "logit_q:"), encoding="utf-8")
    with pytest.raises(BotError, match="must name exactly"):
        DecisionModel.load(path)
    path.write_text(ONLY_P.dump().replace("answer: 0.6", "answer: 1.6"), encoding="utf-8")
    with pytest.raises(BotError, match="thresholds"):
        DecisionModel.load(path)


def test_the_shipped_decision_file_loads_and_the_bot_uses_it(bot) -> None:
    if bot.encoder is None:
        pytest.skip("lexical mode: no sentence encoder in this environment")
    assert bot.matcher_mode == "hybrid" and bot.matcher_reason == ""
    model = DecisionModel.load(FAQ_DIR / "matcher" / DECISION_FILE)
    assert 0 < model.clarify < model.answer <= 1
    reply = bot.ask("Is ketamine an approved treatment for attention deficit disorder?")
    assert (reply.kind, reply.id) == ("answer", "ketamine-for-adhd")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("hello", "greeting"),
        ("Thank you so much!", "thanks"),
        ("bye", "goodbye"),
        ("can i book an appointment", "clinic"),
        ("ok", "okay"),
        ("that didn't answer my question", "unhelpful"),
    ],
)
def test_small_talk_gets_its_vetted_reply_with_topics(bot, text, kind) -> None:
    reply = bot.ask(text)
    assert reply.kind == "smalltalk"
    assert reply.answer == bot.kb.messages.smalltalk[kind].reply
    assert [s.id for s in reply.suggestions] == list(bot.kb.messages.fallback_suggestions)


@pytest.mark.parametrize(
    ("text", "handoff"),
    [("can i book an appointment", True), ("that didn't help", True), ("ok", False), ("hello", False)],
)
def test_booking_and_an_answer_that_did_not_help_offer_the_clinic_contact(bot, text, handoff) -> None:
    assert bot.ask(text).handoff is handoff


def test_small_talk_split_between_two_kinds_is_still_small_talk(bot) -> None:
    """ "ok cool thanks bye" may be half thanks, half goodbye: together they clear the threshold."""
    split = {"smalltalk:thanks": 0.3, "smalltalk:goodbye": 0.28, "adhd-overview": 0.42}
    assert bot.smalltalk_kind("not a phrasing", split) == "thanks"
    weak = {"smalltalk:thanks": 0.2, "smalltalk:goodbye": 0.2, "adhd-overview": 0.6}
    assert bot.smalltalk_kind("not a phrasing", weak) is None
    assert bot.ask("ok cool thanks bye").kind == "smalltalk"
    assert bot.ask("how is adhd diagnosed").kind == "answer"  # an entry's question is never small talk


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Good evening from the night shift, just saying hello before I start", "greeting"),
        ("thanks a bunch, that cleared it up for me", "thanks"),
        ("ok my bus is here, bye for now", "goodbye"),
    ],
)
def test_small_talk_with_a_story_around_it_is_small_talk(bot, text, kind) -> None:
    """The learned matcher also learns faq/matcher/smalltalk.yaml (greetings and thanks with context)."""
    if bot.intent is None:
        pytest.skip("lexical mode: no learned matcher")
    reply = bot.ask(text)
    assert reply.kind == "smalltalk" and reply.answer == bot.kb.messages.smalltalk[kind].reply


def test_an_english_greeting_that_reads_as_spanish_is_still_small_talk(bot) -> None:
    """ "yo" is a Spanish word on its own; typed as a greeting phrasing it gets the greeting, not the Spanish notice."""
    assert bot.assess("yo").lang == "es"
    reply = bot.ask("yo")
    assert reply.kind == "smalltalk" and reply.answer == bot.kb.messages.smalltalk["greeting"].reply
    spanish = bot.ask("yo tengo tdah, que medicinas hay")
    assert spanish.kind == "fallback" and spanish.answer.startswith(bot.kb.safety.spanish_notice)


def test_who_are_you_is_answered_by_the_entry_about_the_bot(bot) -> None:
    reply = bot.ask("who are you")
    assert (reply.kind, reply.id) == ("answer", "about-this-bot")


@pytest.mark.parametrize(
    "text",
    [
        "goodbye everyone, i wont be here tomorrow",
        "this is my goodbye",
        "bye forever",
        "goodbye world",
        "adios para siempre",
        "see you on the other side",
        "im done with everything",
    ],
)
def test_a_farewell_that_may_be_a_crisis_gets_the_safety_reply_not_small_talk(bot, text) -> None:
    assert bot.ask(text).kind == "safety"


@pytest.mark.parametrize("text", ["i cant cope anymore", "im in crisis", "honestly im at rock bottom"])
def test_a_warning_sign_that_reads_like_a_goodbye_gets_no_small_talk(bot, text) -> None:
    """Short distress reads to the learned matcher like small talk ("goodbye"); it keeps its resource line."""
    reply = bot.ask(text)
    assert reply.kind != "smalltalk", f"{text!r} got the small-talk reply"
    assert reply.safety_note is not None or reply.kind == "safety"


def test_greetings_thanks_and_goodbyes_raise_no_safety_note(bot) -> None:
    """The detector learns the small-talk phrasings as ordinary ("hi there" once read as a crisis)."""
    flagged = [
        p for talk in bot.kb.messages.smalltalk.values() for p in talk.phrasings if bot.assess(p).tier is not None
    ]
    assert flagged == []


def test_small_talk_with_an_unknown_kind_is_refused_with_file_and_field(tmp_path: Path) -> None:
    faq = tmp_path / "faq"
    shutil.copytree(FAQ_DIR, faq)
    messages = faq / "messages.yaml"
    messages.write_text(messages.read_text(encoding="utf-8").replace("  goodbye:\n", "  farewell:\n"), encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_knowledge_base(faq)
    assert "messages.yaml" in str(info.value) and "smalltalk.farewell" in str(info.value)


def test_without_the_encoder_the_bot_matches_lexically_and_still_knows_small_talk(bot) -> None:
    lexical = Bot(bot.kb, encoder=None)
    assert lexical.intent is None and lexical.decision is None and lexical.matcher_mode == "lexical"
    assert lexical.ask("what is adhd").kind == "answer"
    assert lexical.ask("hello").kind == "smalltalk"


def test_healthz_says_which_matcher_is_in_service_and_the_lexical_mode_is_logged(app, caplog, monkeypatch) -> None:
    client = app.test_client()
    health = client.get("/healthz").get_json()
    expected = "hybrid" if app.extensions["faq_bot"].current.encoder is not None else "lexical"
    assert health["matcher"] == expected

    with caplog.at_level(logging.WARNING, logger="bot"):
        lexical = LiveBot(FAQ_DIR, interval=0, loader=functools.partial(load_bot, encoder=None))
        monkeypatch.setitem(app.extensions, "faq_bot", lexical)  # the shared app gets its bot back after
    assert [r.getMessage() for r in caplog.records if "matcher: lexical only" in r.getMessage()] == [
        "matcher: lexical only, because the sentence encoder is not loaded (turned off)"
    ]
    health = client.get("/healthz").get_json()
    assert health["matcher"] == "lexical"
    assert "sentence encoder" in health["matcher_reason"]
    reply = client.post("/api/ask", json={"question": "what is adhd"}).get_json()
    assert (reply["kind"], reply["id"]) == ("answer", "adhd-overview")


def _case(right: str, p_right: float, rival: str = "b", *, oos: bool = False):
    from bot.tune_matcher import Case

    probs = {right: p_right, rival: (1 - p_right) / 2, "c": (1 - p_right) / 4}
    return Case(signals(probs, lexical=[(right, p_right)], p_out=1 - sum(probs.values())), ("",) if oos else (right,))


def test_tune_fits_weights_and_keeps_the_dev_limits() -> None:
    from bot.tune_matcher import figures, tune

    # Sure questions are right; unsure ones are split between right, wrong and out of scope.
    oof = [_case("a", 0.9) for _ in range(60)] + [_case("b", 0.9, "a") for _ in range(60)]
    oof += [_case("a", 0.45) for _ in range(10)] + [_case("a", 0.45, oos=True) for _ in range(20)]
    oof += [_case("b", 0.45, "a") for _ in range(10)]
    dev = [_case("a", 0.92) for _ in range(30)] + [_case("b", 0.5, oos=True) for _ in range(10)]
    model, figs = tune(oof, dev)
    assert figs["dev"] == figures(model, dev)
    assert figs["dev"]["wrong"] <= 0.02 and figs["dev"]["oos_answered"] <= 0.02 and figs["dev"]["clarify"] <= 0.06
    assert figs["dev"]["right"] == 1.0  # the sure ones are still answered
    assert figs["held-out folds"]["oos_answered"] < 0.5


def test_a_fallback_offers_the_one_likely_entry_first() -> None:
    kind, shown = ONLY_P.decide(signals({"a": 0.5, "b": 0.05, "c": 0.05}))
    assert (kind, [c for c, _ in shown]) == ("fallback", ["a"])


def test_a_topic_word_alone_leads_the_fallback_with_its_entry(bot) -> None:
    reply = bot.ask("ketamine")
    assert reply.kind in ("answer", "clarify", "fallback")
    assert reply.id == "ketamine-overview" or reply.suggestions[0].id.startswith("ketamine")
