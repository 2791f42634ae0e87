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

from .detector import Fitted, vectorizers
from .linear import LinearScorer, Terms

OUT = "out-of-scope"
VECTOR_WEIGHT = 1.0  # chosen on the dev questions (1.0, 2.0, 3.0 tried)
C = 10.0


class IntentModel:
    """Give each entry id (and OUT) a probability for one question.

    Fitted with scikit-learn (imported only here, in the process that trains); kept and saved
    in the NumPy form of bot/linear.py, so a worker that loads it never imports scikit-learn.
    """

    def __init__(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        *,
        vectors: np.ndarray,
        embed: Callable[[str], np.ndarray],
        prepare: Callable[[str], str],
    ) -> None:
        from scipy import sparse
        from sklearn.linear_model import LogisticRegression

        self.embed = embed
        self.prepare = prepare
        chars, words = vectorizers()
        prepared = [prepare(t) for t in texts]
        x = sparse.hstack(
            [
                chars.fit_transform(prepared),
                words.fit_transform(prepared),
                sparse.csr_matrix(vectors * VECTOR_WEIGHT),
            ]
        ).tocsr()
        self.classes = tuple(sorted(set(labels)))
        y = np.array([self.classes.index(label) for label in labels])
        model = LogisticRegression(C=C, max_iter=3000).fit(x, y)
        self.chars, self.words = Terms.from_vectorizer(chars), Terms.from_vectorizer(words)
        self.scorer = LinearScorer.from_model(model, (self.chars.size, self.words.size), VECTOR_WEIGHT)
        self.fitted: Fitted | None = Fitted(chars, words, model)

    def __getstate__(self) -> dict:
        """What is saved on disk: the NumPy form only (no encoder, no normaliser, no scikit-learn objects)."""
        return {k: v for k, v in self.__dict__.items() if k not in ("embed", "prepare", "fitted")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.embed = self.prepare = None  # attach() gives them back
        self.fitted = None

    def attach(self, embed: Callable[[str], np.ndarray], prepare: Callable[[str], str]) -> IntentModel:
        """Give a model loaded from disk its sentence encoder and text preparation back."""
        self.embed, self.prepare = embed, prepare
        return self

    def probabilities(self, question: str, prepared: str | None = None) -> np.ndarray:
        """Return the probability of each class (in `self.classes` order) for one question.

        `prepared` is the question as `prepare()` gives it, when already at hand (a Query's prepared).
        """
        prepared = self.prepare(question) if prepared is None else prepared
        return self.scorer((self.chars(prepared), self.words(prepared)), self.embed(question))

    def best(self, question: str) -> tuple[str, float]:
        """Return the most likely class and its probability."""
        p = self.probabilities(question)
        i = int(p.argmax())
        return self.classes[i], float(p[i])
