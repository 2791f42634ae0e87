"""The learned matcher (bot/intent.py)."""

from __future__ import annotations

import pytest


def test_the_learned_matcher_is_loaded_with_the_encoder_and_answers_a_plain_question(bot) -> None:
    if bot.encoder is None:
        pytest.skip("lexical mode: no sentence encoder in this environment")
    assert bot.intent is not None
    label, p = bot.intent.best("Is ketamine FDA-approved as a treatment for ADHD?")
    assert label == "ketamine-for-adhd" and p > 0.5


@pytest.mark.parametrize("question", ["what is adhd", "Ritalin vs Adderall?? which 1", "ketamine clinic near me", "x"])
def test_the_learned_matchers_fast_rows_equal_the_library(bot, question) -> None:
    """RowTfidf gives the row TfidfVectorizer.transform() gives, and so the same probabilities."""
    import numpy as np
    from scipy import sparse

    intent = bot.intent
    prepared = intent.prepare(question)
    for vectorizer, row in ((intent.chars, intent._chars_row), (intent.words, intent._words_row)):
        idx, vals = row(prepared)
        fast = sparse.csr_matrix((vals, (np.zeros_like(idx), idx)), shape=(1, len(vectorizer.vocabulary_)))
        assert abs(fast - vectorizer.transform([prepared])).max() < 1e-6
    x = sparse.hstack(
        [intent.chars.transform([prepared]), intent.words.transform([prepared]), bot.encoder.encode_one(question)[None]]
    )
    assert np.allclose(intent.probabilities(question), intent.model.predict_proba(x)[0], atol=1e-5)
