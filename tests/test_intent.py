"""The learned matcher (bot/intent.py)."""

from __future__ import annotations

import pytest


def test_the_learned_matcher_is_loaded_with_the_encoder_and_answers_a_plain_question(bot) -> None:
    if bot.encoder is None:
        pytest.skip("lexical mode: no sentence encoder in this environment")
    assert bot.intent is not None
    label, p = bot.intent.best("Is ketamine FDA-approved as a treatment for ADHD?")
    assert label == "ketamine-for-adhd" and p > 0.5


@pytest.fixture(scope="module")
def small_intent(bot):
    """A learned matcher trained here on a slice of the FAQ's phrasings, with its scikit-learn objects kept."""
    from bot.intent import IntentModel

    if bot.encoder is None:
        pytest.skip("lexical mode: no sentence encoder in this environment")
    pairs = [(p, e.id) for e in bot.kb.entries[:12] for p in (e.question, *e.alternates)]
    texts, labels = [t for t, _ in pairs], [lb for _, lb in pairs]
    prep = bot.matcher.normalizer
    return IntentModel(
        texts,
        labels,
        vectors=bot.encoder.encode(texts),
        embed=bot.encoder.encode_one,
        prepare=lambda t: " ".join(prep.tokens(t)),
    )


@pytest.mark.parametrize("question", ["what is adhd", "Ritalin vs Adderall?? which 1", "ketamine clinic near me", "x"])
def test_the_learned_matchers_probabilities_equal_the_librarys(bot, small_intent, question) -> None:
    """The NumPy form (bot/linear.py) gives the probabilities the fitted scikit-learn objects give."""
    import numpy as np
    from scipy import sparse

    intent, fitted = small_intent, small_intent.fitted
    prepared = intent.prepare(question)
    vector = bot.encoder.encode_one(question)
    blocks = [fitted.chars.transform([prepared]), fitted.words.transform([prepared]), vector[None]]
    near = intent.neighbours(vector)
    if near is not None:  # the neighbour features (see bot/intent.py)
        blocks.append(near[None])
    x = sparse.hstack(blocks)
    assert np.allclose(intent.probabilities(question), fitted.model.predict_proba(x)[0], atol=1e-5)


def test_a_training_question_is_not_its_own_neighbour(small_intent) -> None:
    """Trained without itself as a neighbour: otherwise each would sit at cosine 1 from its own entry."""
    import numpy as np

    from bot.detector import neighbour_features

    intent = small_intent
    if intent._neighbours is None:
        pytest.skip("the learned matcher is built without neighbour features")
    near = intent._training_neighbour_features(chunk=7)
    ref = intent._neighbours
    own = neighbour_features(ref @ ref.T, intent._columns)
    assert near.shape == (len(ref), 2 * len(intent.classes) + 1)
    # The raw max over its own class, with itself counted, is 1; left out, the training row differs.
    assert np.allclose(own.max(axis=1), 1.0, atol=1e-5)
    assert not np.allclose(near[:, :-1] + near[:, -1:], own, atol=1e-4)
    # A new question equal to a training question does see it.
    first = intent.neighbours(ref[0])
    assert first is not None and first.shape == (2 * len(intent.classes) + 1,)
