"""Fit the matcher's decision (bot/decide.py) on held-out folds, and measure it.

The learned matcher is trained k times, each time without one fold of the training
questions and decoys (the vetted phrasings are always in). Each held-out question then
gets the signals the bot would see for a question it never saw. The decision's weights
are fitted on those; its thresholds are chosen on them and checked on the dev questions and the
dev near misses (out-of-scope questions that sound like the FAQ).
The blind question set is never read here.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .decide import DecisionModel, Signals, fit
from .encoder import cached_vectors
from .engine import Bot, intent_examples
from .intent import OUT, IntentModel
from .training import Example


@dataclass(frozen=True)
class Case:
    """One held-out question: its signals, and the entry ids that are right ("" = out of scope)."""

    signals: Signals
    expect: tuple[str, ...]
    urgent: bool = False


def case(
    bot: Bot, text: str, expect: Sequence[str], intent: IntentModel | None = None, decoys: np.ndarray | None = None
) -> Case:
    """Return the signals for one question, as the bot would see them (with this learned matcher and decoys)."""
    query = bot.query(bot.clean(text))
    hits = bot.matcher.search(query, limit=3)
    kind, _ = bot.decide(hits)
    probs = bot.class_probabilities(query, intent)
    return Case(bot.signals(query, hits, kind, probs, decoys), tuple(expect), bot.assess(query).urgent)


def out_of_fold(
    bot: Bot, examples: Sequence[Example], extra: Sequence[tuple[str, tuple[str, ...]]] = (), *, folds: int = 5
) -> list[Case]:
    """Return a held-out Case for every training example (and every `extra` question, trained on too)."""
    assert bot.encoder is not None
    kept, trained = intent_examples(bot.kb, examples)
    examples = [e for e in examples if not e.smalltalk]  # kept in every fold, like the phrasings
    base_t = [t for t, _ in kept]
    base_l = [c for _, c in kept]
    # The case's expected answer: the entry, or "" for a decoy (out of scope, whatever its class).
    items = [(e.text, ("",) if e.decoy else (e.label,)) for e in examples] + list(extra)
    texts = [t for t, _ in items]
    labels = [c for _, c in trained] + [exp[0] or OUT for _, exp in extra]
    vb = cached_vectors(bot.encoder, base_t, key="tune-phrasings")
    vt = cached_vectors(bot.encoder, texts, key="tune-training")
    order = list(range(len(items)))
    random.Random(7).shuffle(order)
    fold_of = {i: k % folds for k, i in enumerate(order)}
    prep = bot.matcher.normalizer
    out: list[Case | None] = [None] * len(items)
    for f in range(folds):
        train = [i for i in range(len(items)) if fold_of[i] != f]
        model = IntentModel(
            base_t + [texts[i] for i in train],
            base_l + [labels[i] for i in train],
            vectors=np.vstack([vb, vt[train]]),
            embed=bot.encoder.encode_one,
            prepare=lambda t: " ".join(prep.tokens(t)),
        )
        # The decoys this fold trained on are the ones its questions are compared with.
        decoys = vt[[i for i in train if i < len(examples) and examples[i].decoy]]
        for i in range(len(items)):
            if fold_of[i] == f:
                out[i] = case(bot, texts[i], items[i][1], model, decoys)
    return [c for c in out if c is not None]


def dev_cases(bot: Bot, path: str | Path) -> list[Case]:
    """Return a Case for every in-scope and out-of-scope question of a labelled file, with the bot's own model."""
    from .evaluate import OUT_OF_SCOPE, load_questions

    cases = []
    for item in load_questions(path, known_ids=set(bot.kb.by_id)):
        if item.group == "in-scope":
            cases.append(case(bot, item.q, item.expect, bot.intent))
        elif item.group == OUT_OF_SCOPE:
            cases.append(case(bot, item.q, ("",), bot.intent))
    return cases


def outcome(model: DecisionModel, c: Case) -> tuple[str, str | None]:
    """Return the reply kind and answered id the decision gives one case."""
    kind, shown = model.decide(c.signals)
    return kind, (shown[0][0] if kind == "answer" else None)


def figures(model: DecisionModel, cases: Sequence[Case]) -> dict[str, float]:
    """Return right, wrong, clarify and out-of-scope-answered rates (urgent safety cases left out)."""
    inscope = [c for c in cases if c.expect != ("",) and not c.urgent]
    oos = [c for c in cases if c.expect == ("",) and not c.urgent]
    right = wrong = clarify = offered = answered_oos = 0
    for c in inscope:
        kind, shown = model.decide(c.signals)
        got = shown[0][0] if kind == "answer" else None
        right += kind == "answer" and got in c.expect
        wrong += kind == "answer" and got not in c.expect
        clarify += kind == "clarify"
        offered += kind == "clarify" and any(cid in c.expect for cid, _ in shown)
    for c in oos:
        answered_oos += outcome(model, c)[0] == "answer"
    n, m = max(len(inscope), 1), max(len(oos), 1)
    return {
        "right": right / n,
        "wrong": wrong / n,
        "clarify": clarify / n,
        "clarify_offers_right": offered / n,
        "oos_answered": answered_oos / m,
    }


def tune(
    oof: Sequence[Case],
    dev: Sequence[Case],
    *,
    max_wrong: float = 0.02,
    max_oos: float = 0.02,
    max_clarify: float = 0.06,
) -> tuple[DecisionModel, dict[str, dict[str, float]]]:
    """Fit the weights on the held-out cases; choose the thresholds.

    The dev questions must stay within every limit; the held-out folds within the clarify limit.
    """
    coef, intercept = fit([(c.signals, c.expect[0]) for c in oof])
    best: tuple[float, DecisionModel] | None = None
    for answer in np.arange(0.30, 0.96, 0.025):
        for clarify in np.arange(0.10, float(answer), 0.05):
            model = DecisionModel(coef, intercept, float(answer), float(clarify))
            d = figures(model, dev)
            if d["wrong"] > max_wrong or d["oos_answered"] > max_oos or d["clarify"] > max_clarify:
                continue
            o = figures(model, oof)
            if o["clarify"] > max_clarify:
                continue
            # A right answer counts 1; a "did you mean" that offers the right entry counts
            # half, one that does not costs a little; a wrong answer or an answered
            # out-of-scope question costs three times a right one.
            value = sum(
                f["right"]
                + 0.5 * f["clarify_offers_right"]
                - 0.3 * (f["clarify"] - f["clarify_offers_right"])
                - 3 * (f["wrong"] + f["oos_answered"])
                for f in (o, d)
            )
            if best is None or value > best[0]:
                best = (value, model)
    if best is None:  # no thresholds meet the limits on dev: the strictest ones
        best = (0.0, DecisionModel(coef, intercept, 0.95, 0.9))
    model = best[1]
    return model, {"held-out folds": figures(model, oof), "dev": figures(model, dev)}
