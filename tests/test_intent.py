"""The learned matcher's second opinion (bot/intent.py, Bot._second_opinion)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from bot.engine import Bot
from bot.intent import OUT
from bot.matcher import Match


class FakeIntent:
    """An intent model that gives fixed probabilities, to test the rules around it."""

    def __init__(self, probs: dict[str, float]) -> None:
        self.classes = tuple(sorted(probs))
        self._p = np.array([probs[c] for c in self.classes])

    def probabilities(self, question: str) -> np.ndarray:
        return self._p


def hit(entry_id: str, score: float = 0.5) -> Match:
    return Match(entry_id, score, entry_id)


CASES = [
    # lexical kind and hits, the model's probabilities, expected kind and entry
    (
        "answer",
        ["medication-how-fast"],
        {"ketamine-for-adhd": 0.8, "medication-how-fast": 0.1, OUT: 0.1},
        "answer",
        "ketamine-for-adhd",
    ),  # a sure model overrules a lexical answer
    (
        "answer",
        ["medication-how-fast"],
        {"ketamine-for-adhd": 0.45, "medication-how-fast": 0.4, OUT: 0.15},
        "answer",
        "medication-how-fast",
    ),  # an unsure one does not
    (
        "clarify",
        ["adhd-overview", "adhd-causes"],
        {"adhd-causes": 0.95, "adhd-overview": 0.04, OUT: 0.01},
        "answer",
        "adhd-causes",
    ),  # a clarify becomes the offered choice the model is sure of
    (
        "clarify",
        ["adhd-overview", "adhd-causes"],
        {"ketamine-risks": 0.95, "adhd-overview": 0.04, OUT: 0.01},
        "clarify",
        None,
    ),  # but never an entry that was not offered
    ("answer", ["adhd-overview"], {"adhd-overview": 0.7, OUT: 0.3}, "fallback", None),  # out of scope enough: no answer
    (
        "clarify",
        ["adhd-overview", "adhd-causes"],
        {"adhd-overview": 0.2, OUT: 0.8},
        "clarify",
        None,
    ),  # a clarify asks anyway: the reader chooses
]


@pytest.mark.parametrize(("kind", "hits", "probs", "want_kind", "want_id"), CASES)
def test_the_second_opinion_rules(bot, kind, hits, probs, want_kind, want_id) -> None:
    clone = Bot.__new__(Bot)
    clone.__dict__.update(bot.__dict__)
    clone.intent = FakeIntent(probs)
    clone.thresholds = replace(bot.thresholds)
    got_kind, shown = clone._second_opinion("any question", kind, [hit(h) for h in hits])
    assert got_kind == want_kind
    if want_id:
        assert shown[0].entry_id == want_id


def test_the_learned_matcher_is_loaded_with_the_encoder_and_answers_a_plain_question(bot) -> None:
    if bot.encoder is None:
        pytest.skip("lexical mode: no sentence encoder in this environment")
    assert bot.intent is not None
    label, p = bot.intent.best("Is ketamine FDA-approved as a treatment for ADHD?")
    assert label == "ketamine-for-adhd" and p > 0.5


def test_without_the_encoder_the_bot_matches_lexically(bot) -> None:
    lexical = Bot(bot.kb, encoder=None)
    assert lexical.intent is None
    assert lexical.ask("what is adhd").kind == "answer"
