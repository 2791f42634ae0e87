"""The learned matcher (issue 9, first step): which entry a question asks for, or none.

A scikit-learn logistic regression over character and word TF-IDF features and the
sentence vector, trained at load on the vetted phrasings (each entry's question and
alternates), the training questions of faq/matcher/ and its out-of-scope decoys
(one class, OUT). The lexical matcher still decides whether a question is in scope
at all; this model overrules its choice of entry when it is sure (see Bot.ask).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from .detector import BlockScorer, RowTfidf, fitted_state

OUT = "out-of-scope"
VECTOR_WEIGHT = 1.0  # chosen on the dev questions (1.0, 2.0, 3.0 tried)
C = 10.0


class IntentModel:
    """Give each entry id (and OUT) a probability for one question."""

    def __init__(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        *,
        vectors: np.ndarray,
        embed: Callable[[str], np.ndarray],
        prepare: Callable[[str], str],
    ) -> None:
        self.embed = embed
        self.prepare = prepare
        self.chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, dtype=np.float32
        )
        self.words = TfidfVectorizer(
            analyzer="word", ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32, token_pattern=r"\S+"
        )
        prepared = [prepare(t) for t in texts]
        x = sparse.hstack(
            [
                self.chars.fit_transform(prepared),
                self.words.fit_transform(prepared),
                sparse.csr_matrix(vectors * VECTOR_WEIGHT),
            ]
        ).tocsr()
        self.classes = tuple(sorted(set(labels)))
        y = np.array([self.classes.index(label) for label in labels])
        model = LogisticRegression(C=C, max_iter=3000).fit(x, y)
        self.model = model
        self._derive()

    def _derive(self) -> None:
        """Build the fast per-question scorer from the fitted model and vectorizers."""
        sizes = (len(self.chars.vocabulary_), len(self.words.vocabulary_))
        self._scorer = BlockScorer(self.model, sizes, VECTOR_WEIGHT)
        self._chars_row, self._words_row = RowTfidf(self.chars), RowTfidf(self.words)

    def __getstate__(self) -> dict:
        """What is saved on disk: the fitted parts only (no encoder, no normaliser, nothing derived)."""
        return fitted_state(self, ("embed", "prepare", "_scorer", "_chars_row", "_words_row"))

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.embed = self.prepare = None  # attach() gives them back
        self._derive()

    def attach(self, embed: Callable[[str], np.ndarray], prepare: Callable[[str], str]) -> IntentModel:
        """Give a model loaded from disk its sentence encoder and text preparation back."""
        self.embed, self.prepare = embed, prepare
        return self

    def probabilities(self, question: str, prepared: str | None = None) -> np.ndarray:
        """Return the probability of each class (in `self.classes` order) for one question.

        `prepared` is the question as `prepare()` gives it, when already at hand (a Query's prepared).
        """
        prepared = self.prepare(question) if prepared is None else prepared
        return self._scorer((self._chars_row(prepared), self._words_row(prepared)), self.embed(question))

    def best(self, question: str) -> tuple[str, float]:
        """Return the most likely class and its probability."""
        p = self.probabilities(question)
        i = int(p.argmax())
        return self.classes[i], float(p[i])
