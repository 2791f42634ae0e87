"""The learned matcher (bot/intent.py)."""

from __future__ import annotations

import pytest


def test_the_learned_matcher_is_loaded_with_the_encoder_and_answers_a_plain_question(bot) -> None:
    if bot.encoder is None:
        pytest.skip("lexical mode: no sentence encoder in this environment")
    assert bot.intent is not None
    label, p = bot.intent.best("Is ketamine FDA-approved as a treatment for ADHD?")
    assert label == "ketamine-for-adhd" and p > 0.5
