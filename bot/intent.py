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

from .detector import Fitted, neighbour_features, training_neighbour_features, vectorizers

OUT = "out-of-scope"
VECTOR_WEIGHT = 1.0  # chosen on the dev questions (1.0, 2.0, 3.0 tried)
C = 10.0
# Per class, the mean and the highest cosine of the 3 training questions of that class nearest to
# the question (as the safety detector has had since session 13): a question can then count as an
# entry's because it reads like a few of its known questions, which one flat line per class in the
# vector space cannot say. They are given less their mean over all classes, plus that mean as one
# more column: the same information, but the fit converges in a third of the iterations.
# Session 20 (`tune-matcher --dry-run`, thresholds re-chosen each time), held-out folds without ->
# with: right 82.6 -> 84.5%, wrong 1.7 -> 1.8%; dev right 94.1 -> 94.8%. It was left out then for
# memory (the training vectors it keeps, 17 MB); session 21 freed 100 MB (bot/linear.py).
NEIGHBOURS = True


def _relative(near: np.ndarray) -> np.ndarray:
    """Return neighbour features less their row mean, and the row mean."""
    mean = near.mean(axis=1, keepdims=True)
    return np.hstack([near - mean, mean])


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
        self.classes = tuple(sorted(set(labels)))
        y = np.array([self.classes.index(label) for label in labels])
        blocks = [
            chars.fit_transform(prepared),
            words.fit_transform(prepared),
            sparse.csr_matrix(vectors * VECTOR_WEIGHT),
        ]
        self._neighbours: np.ndarray | None = None
        if NEIGHBOURS:
            self._neighbours = np.ascontiguousarray(vectors, dtype=np.float32)
            self._columns = [np.flatnonzero(y == i) for i in range(len(self.classes))]
            blocks.append(sparse.csr_matrix(self._training_neighbour_features()))
        model = LogisticRegression(C=C, max_iter=3000).fit(sparse.hstack(blocks).tocsr(), y)
        self.fitted: Fitted | None = Fitted(chars, words, model)
        extra = 2 * len(self.classes) + 1 if self._neighbours is not None else 0
        self.chars, self.words, self.scorer = self.fitted.numpy_form(VECTOR_WEIGHT, extra=extra)

    def _training_neighbour_features(self, chunk: int = 1000) -> np.ndarray:
        """Return each training question's neighbour features, itself left out."""
        return _relative(training_neighbour_features(self._neighbours, self._columns, chunk))

    def neighbours(self, vector: np.ndarray) -> np.ndarray | None:
        """Return one question's neighbour features (None for a model trained without them)."""
        if self._neighbours is None:
            return None
        return _relative(neighbour_features((self._neighbours @ vector)[None, :], self._columns))[0]

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
        vector = self.embed(question)
        return self.scorer((self.chars(prepared), self.words(prepared)), vector, self.neighbours(vector))

    def best(self, question: str) -> tuple[str, float]:
        """Return the most likely class and its probability."""
        p = self.probabilities(question)
        i = int(p.argmax())
        return self.classes[i], float(p[i])
