"""Fitted text models in the form a server worker runs them: NumPy arrays, no scikit-learn.

The safety detector and the learned matcher are fitted with scikit-learn (TfidfVectorizer,
LogisticRegression) in a training process. What a worker needs to score one message is
only what those fitted objects hold: each vectorizer's vocabulary and idf weights, the
regression's weights and intercept. `Terms` and `LinearScorer` keep exactly that, built
from the fitted objects, so a worker that loads a saved model never imports scikit-learn
or SciPy (about 90 MB of a worker's memory; see the README's Memory figures).

`Terms` repeats the analyzers scikit-learn documents for the two settings used here
(`char_wb` and `word` n-grams, lower-cased, no accent stripping): the same terms in the same
order, checked against the library's own analyzer by tests/test_linear.py. Its vocabulary
is one sorted array of UTF-8 byte strings with each term's column (about 12 bytes a term,
where a Python dict of str took over 100), searched with NumPy's binary search.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

_WHITE_SPACES = re.compile(r"\s\s+")  # what scikit-learn folds to one space before char_wb n-grams


class Terms:
    """One fitted TfidfVectorizer's analyzer, vocabulary and idf weights: a message's TF-IDF row."""

    def __init__(
        self,
        analyzer: str,
        ngram_range: tuple[int, int],
        vocabulary: Mapping[str, int],
        idf: np.ndarray,
        *,
        sublinear_tf: bool,
        token_pattern: str | None = None,
    ) -> None:
        if analyzer not in ("char_wb", "word"):
            raise ValueError(f"unsupported analyzer {analyzer!r}")
        self.analyzer, self.ngram_range, self.token_pattern = analyzer, tuple(ngram_range), token_pattern
        self.sublinear_tf = bool(sublinear_tf)
        self.size = len(vocabulary)
        terms = np.array([t.encode("utf-8") for t in vocabulary], dtype=np.bytes_)
        columns = np.fromiter(vocabulary.values(), dtype=np.int32, count=len(vocabulary))
        order = np.argsort(terms, kind="stable")
        self.terms, self.columns = terms[order], columns[order]
        if len(self.terms) > 1 and not (self.terms[1:] != self.terms[:-1]).all():
            raise ValueError("two vocabulary terms have the same bytes")
        self.idf = np.asarray(idf, dtype=np.float64)
        self._compile()

    @classmethod
    def from_vectorizer(cls, vectorizer: Any) -> Terms:
        """Return the Terms of a fitted TfidfVectorizer (only the settings this bot uses are accepted)."""
        plain = (
            vectorizer.lowercase
            and vectorizer.preprocessor is None
            and vectorizer.tokenizer is None
            and not vectorizer.strip_accents
            and vectorizer.stop_words is None
            and vectorizer.norm == "l2"
            and vectorizer.use_idf
            and not vectorizer.binary
            and vectorizer.input == "content"
        )
        if not plain:
            raise ValueError("Terms supports lower-cased, l2-normalised TF-IDF without stop words only")
        return cls(
            vectorizer.analyzer,
            vectorizer.ngram_range,
            vectorizer.vocabulary_,
            vectorizer.idf_,
            sublinear_tf=vectorizer.sublinear_tf,
            token_pattern=vectorizer.token_pattern if vectorizer.analyzer == "word" else None,
        )

    def _compile(self) -> None:
        self._tokens = re.compile(self.token_pattern).findall if self.token_pattern else None

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_tokens"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._compile()

    def analyze(self, text: str) -> list[str]:
        """Return the text's terms as the vectorizer's analyzer gives them, in the same order."""
        text = text.lower()
        low, high = self.ngram_range
        grams: list[str] = []
        add = grams.append
        if self.analyzer == "char_wb":
            for w in _WHITE_SPACES.sub(" ", text).split():
                w = " " + w + " "
                size = len(w)
                for n in range(low, high + 1):
                    offset = 0
                    add(w[offset : offset + n])
                    while offset + n < size:
                        offset += 1
                        add(w[offset : offset + n])
                    if offset == 0:  # a short word (shorter than n) counts once
                        break
            return grams
        tokens = self._tokens(text)
        if high == 1:
            return tokens if low == 1 else []
        if low == 1:
            grams.extend(tokens)
            low = 2
        for n in range(low, min(high + 1, len(tokens) + 1)):
            for i in range(len(tokens) - n + 1):
                add(" ".join(tokens[i : i + n]))
        return grams

    def __call__(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Return the text's TF-IDF row (sublinear tf if set, then l2-normalised): column indices and values."""
        grams = self.analyze(text)
        if not grams or not self.size:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.float32)
        wanted = np.array([g.encode("utf-8") for g in grams], dtype=np.bytes_)
        at = np.minimum(np.searchsorted(self.terms, wanted), self.size - 1)
        found = self.terms[at] == wanted
        idx, tf = np.unique(self.columns[at[found]], return_counts=True)
        idx = idx.astype(np.intp)
        tf = tf.astype(np.float64)
        if self.sublinear_tf:
            tf = 1.0 + np.log(tf)
        vals = tf * self.idf[idx]
        norm = np.sqrt(vals @ vals)
        if norm > 0:
            vals /= norm
        return idx, vals.astype(np.float32)


class LinearScorer:
    """A fitted LogisticRegression applied to one message, feature block by feature block.

    It computes what predict_proba does (a softmax over linear scores; for two classes a
    sigmoid), but each block (character n-grams, word n-grams, then the sentence vector and
    any `extra` dense features) multiplies its own slice of the weights, and the library's
    per-call checks (about 2 ms a message) are skipped. Holds its own float32 copies.
    """

    def __init__(
        self,
        coef: np.ndarray,
        intercept: np.ndarray,
        sparse_sizes: Sequence[int],
        vector_weight: float,
        *,
        extra: int = 0,
    ) -> None:
        coef = np.asarray(coef, dtype=np.float32)
        self.binary = coef.shape[0] == 1
        pieces = np.split(coef, np.cumsum(sparse_sizes), axis=1)
        self.blocks = [np.ascontiguousarray(p) for p in pieces[:-1]]  # (classes, block features)
        rest = pieces[-1].T  # the vector's weights, then the `extra` dense features'
        split = rest.shape[0] - extra
        self.vector = np.ascontiguousarray(rest[:split] * np.float32(vector_weight))
        self.extra = np.ascontiguousarray(rest[split:])
        self.bias = np.asarray(intercept, dtype=np.float64)

    @classmethod
    def from_model(
        cls, model: Any, sparse_sizes: Sequence[int], vector_weight: float, *, extra: int = 0
    ) -> LinearScorer:
        """Return the scorer of a fitted scikit-learn LogisticRegression."""
        return cls(model.coef_, model.intercept_, sparse_sizes, vector_weight, extra=extra)

    def __call__(
        self,
        rows: Sequence[tuple[np.ndarray, np.ndarray]],
        vector: np.ndarray | None = None,
        extra: np.ndarray | None = None,
    ) -> np.ndarray:
        """Return the class probabilities for one message's TF-IDF rows (see Terms), vector and extra features."""
        scores = self.bias + sum(w[:, idx] @ vals for (idx, vals), w in zip(rows, self.blocks, strict=True))
        if vector is not None:
            scores = scores + vector @ self.vector
        if extra is not None:
            scores = scores + extra @ self.extra
        if self.binary:  # scikit-learn's two-class model: one score, a sigmoid, [1 - p, p]
            p = 1.0 / (1.0 + np.exp(-float(scores[0])))
            return np.array([1.0 - p, p])
        scores = np.exp(scores - scores.max())
        return scores / scores.sum()
