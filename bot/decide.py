"""Decide: which entry a question asks for, and whether to answer, ask which one, or decline.

Three scorers have looked at the question by now:
- the learned matcher (bot/intent.py): a probability for each entry, and for "none of them";
- the lexical matcher (bot/matcher.py): its ranked entries, their scores, and whether the
  question is on the bot's topic at all;
- the sentence encoder: how close the question comes to each entry's nearest phrasing, and
  to the nearest out-of-scope decoy ("is adderall used for narcolepsy" sits closer to a
  decoy about another use of the drug than to any phrasing of an entry).

Each entry any of them ranks near the top is a candidate. A small logistic regression
(`DecisionModel`) reads the signals about each candidate and gives the probability that
it is the entry asked for. Its weights and its two thresholds are fitted on held-out
folds of the training questions and decoys, the thresholds checked on the dev questions and
dev near misses (`python -m bot tune-matcher`), and stored in faq/matcher/decision.yaml.

The reply is then:
- an answer when the best candidate clears `answer`;
- "did you mean" when two or more candidates clear `clarify`;
- otherwise the fallback, with the one candidate over `clarify`, if there is one,
  offered first among its topics ("ketamine" alone: the fallback leads with the
  entry on what ketamine is).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from .errors import BotError
from .matcher import Match

DECISION_FILE = "decision.yaml"
FEATURES = (
    "logit_p",  # the learned matcher's probability for the candidate (as log-odds) ...
    "p",  # ... and as it is
    "p_gap",  # how far below the learned matcher's best entry it is
    "lexical",  # the lexical score (0 when the lexical matcher does not rank it)
    "lexical_gap",  # how far below the lexical best
    "cosine",  # the cosine of its nearest phrasing
    "cosine_gap",  # how far below the nearest entry overall
    "intent_top",  # 1 when each scorer ranks it first
    "lexical_top",
    "encoder_top",
    "on_topic",  # 1 when the question names the bot's topic and the FAQ knows its other words
    "p_out",  # the learned matcher's probability that the question is none of the entries
    "lexical_answer",  # 1 when the lexical thresholds alone would answer with this candidate
    "lexical_fallback",  # 1 when the lexical thresholds alone would decline the question
    "decoy_margin",  # its cosine minus the cosine of the nearest out-of-scope decoy
)


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


@dataclass(frozen=True)
class Signals:
    """What the three scorers say about one question."""

    probs: Mapping[str, float]  # entry id -> the learned matcher's probability (entries only)
    p_out: float  # the learned matcher's probability of every class that is not an entry
    lexical: Sequence[tuple[str, float]]  # the lexical matcher's ranked (entry id, score)
    on_topic: bool
    lexical_kind: str  # what the lexical thresholds alone would do: answer, clarify or fallback
    cosine: Mapping[str, float]  # entry id -> cosine of the entry's nearest phrasing
    decoy_cosine: float = 0.0  # the cosine of the nearest out-of-scope decoy (faq/matcher/decoys.yaml)

    def candidates(self, *, per_scorer: int = 3) -> list[tuple[str, list[float]]]:
        """Return each candidate entry with its feature row (in FEATURES order)."""
        by_p = sorted(self.probs, key=self.probs.__getitem__, reverse=True)
        by_cos = sorted(self.cosine, key=self.cosine.__getitem__, reverse=True)
        lex = dict(self.lexical)
        lex_ids = [i for i, _ in self.lexical]
        ids = list(dict.fromkeys([*by_p[:per_scorer], *lex_ids[:per_scorer], *by_cos[:2]]))
        p_max = self.probs[by_p[0]] if by_p else 0.0
        lex_max = max(lex.values(), default=0.0)
        cos_max = self.cosine[by_cos[0]] if by_cos else 0.0
        rows = []
        for c in ids:
            p = self.probs.get(c, 0.0)
            cos = self.cosine.get(c, 0.0)
            rows.append(
                (
                    c,
                    [
                        _logit(p),
                        p,
                        p - p_max,
                        lex.get(c, 0.0),
                        lex.get(c, 0.0) - lex_max,
                        cos,
                        cos - cos_max,
                        float(bool(by_p) and c == by_p[0]),
                        float(bool(lex_ids) and c == lex_ids[0]),
                        float(bool(by_cos) and c == by_cos[0]),
                        float(self.on_topic),
                        self.p_out,
                        float(self.lexical_kind == "answer" and bool(lex_ids) and c == lex_ids[0]),
                        float(self.lexical_kind == "fallback"),
                        cos - self.decoy_cosine,
                    ],
                )
            )
        return rows


@dataclass(frozen=True)
class DecisionModel:
    """The fitted weights over FEATURES and the two thresholds."""

    coef: tuple[float, ...]
    intercept: float
    answer: float
    clarify: float
    meta: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.coef) != len(FEATURES):
            raise BotError(f"decision model has {len(self.coef)} weights; expected {len(FEATURES)}")
        if not 0 < self.answer <= 1 or not 0 < self.clarify <= 1:
            raise BotError("decision thresholds must be in (0, 1]")

    def rank(self, signals: Signals) -> list[tuple[str, float]]:
        """Return (entry id, probability it is the one asked for), best first."""
        rows = signals.candidates()
        if not rows:
            return []
        x = np.array([f for _, f in rows], dtype=np.float64)
        z = x @ np.asarray(self.coef) + self.intercept
        probs = 1.0 / (1.0 + np.exp(-z))
        ranked = sorted(zip((c for c, _ in rows), probs.tolist(), strict=True), key=lambda cp: -cp[1])
        return ranked

    def decide(self, signals: Signals) -> tuple[str, list[tuple[str, float]]]:
        """Return the reply kind and the candidates to show (for a fallback: to offer first)."""
        ranked = self.rank(signals)
        if ranked and ranked[0][1] >= self.answer:
            return "answer", ranked[:1]
        close = [cp for cp in ranked if cp[1] >= self.clarify]
        if len(close) >= 2:
            return "clarify", close[:3]
        return "fallback", close[:1]  # a likely entry is offered first among the fallback's topics

    # ---------------------------------------------------------------- storage
    @classmethod
    def load(cls, path: str | Path) -> DecisionModel:
        """Read a decision file written by `save`, checking its shape."""
        where = str(path)
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise BotError(f"{where}: cannot read the decision model ({exc})") from exc
        if not isinstance(data, dict):
            raise BotError(f"{where}: expected a mapping")
        weights = data.get("weights")
        if not isinstance(weights, dict) or set(weights) != set(FEATURES) | {"intercept"}:
            raise BotError(f"{where}: 'weights' must name exactly {', '.join(FEATURES)} and intercept")
        thresholds = data.get("thresholds")
        if not isinstance(thresholds, dict) or set(thresholds) != {"answer", "clarify"}:
            raise BotError(f"{where}: 'thresholds' must give answer and clarify")
        numbers = [*weights.values(), *thresholds.values()]
        if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in numbers):
            raise BotError(f"{where}: every weight and threshold must be a number")
        return cls(
            coef=tuple(float(weights[f]) for f in FEATURES),
            intercept=float(weights["intercept"]),
            answer=float(thresholds["answer"]),
            clarify=float(thresholds["clarify"]),
            meta=data.get("fitted") or {},
        )

    def dump(self) -> str:
        """Return the model as the YAML text of a decision file."""
        body = {
            "thresholds": {"answer": round(self.answer, 4), "clarify": round(self.clarify, 4)},
            "weights": {**{f: round(w, 4) for f, w in zip(FEATURES, self.coef, strict=True)}},
            "fitted": dict(self.meta),
        }
        body["weights"]["intercept"] = round(self.intercept, 4)
        header = (
            "# The matcher's decision (bot/decide.py): weights and thresholds fitted by\n"
            "# `python -m bot tune-matcher` on held-out folds of the training questions and decoys,\n"
            "# the thresholds checked on the dev questions and dev near misses. Written by that command;\n"
            "# not edited by hand.\n"
        )
        return header + yaml.safe_dump(body, sort_keys=False, allow_unicode=True)


def fit(rows: Sequence[tuple[Signals, str]], *, c: float = 1.0) -> tuple[tuple[float, ...], float]:
    """Fit the weights on (signals, right entry id or "" for out of scope) pairs."""
    from sklearn.linear_model import LogisticRegression

    x, y = [], []
    for signals, label in rows:
        for cand, feats in signals.candidates():
            x.append(feats)
            y.append(cand == label)
    model = LogisticRegression(C=c, max_iter=5000).fit(np.array(x, dtype=np.float64), np.array(y))
    return tuple(float(w) for w in model.coef_[0]), float(model.intercept_[0])


@dataclass(frozen=True)
class Thresholds:
    """How sure the lexical matcher must be: answer, or ask which one, or say it can't help.

    These decide alone only when the learned decision (bot/decide.py) is not loaded; it
    reads what they would do as one of its signals. The winner must lead the next
    entry by `margin`. A question with a topic word (ADHD, a medicine, ketamine...) is
    then answered from `answer` up; one without needs `off_topic_answer`, since most
    such questions are about something else ("symptoms of covid"). Below `clarify`
    the bot says what it covers instead.
    """

    answer: float = 0.30
    margin: float = 0.06
    clarify: float = 0.30
    clarify_band: float = 0.18
    off_topic_answer: float = 0.65
    # The learned matcher's small-talk classes ("hello", "thanks") answer from this probability (all
    # small-talk classes together).
    smalltalk: float = 0.5


def decide_lexical(hits: Sequence[Match], t: Thresholds) -> tuple[str, list[Match]]:
    """Return the reply kind the lexical thresholds alone give ranked hits, and the hits to show."""
    if not hits:
        return "fallback", []
    top = hits[0]
    second = hits[1].score if len(hits) > 1 else 0.0
    enough = t.answer if top.on_topic else t.off_topic_answer
    if top.score >= enough and top.score - second >= t.margin:
        return "answer", [top]
    if top.score < t.clarify:
        return "fallback", []
    close = [h for h in hits if h.score >= max(t.clarify, top.score - t.clarify_band)]
    return "clarify", close
