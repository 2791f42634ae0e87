"""Grid-search the matcher's settings and the decision thresholds on the question set.

For each matcher setting, finds the thresholds with the best in-scope accuracy whose
wrong-answer rate and out-of-scope false-answer rate stay under `--cap`, and checks
them by k-fold cross-validation (tune on k-1 parts, score the part left out), so the
figure reported is not just memory of the tuning set. Only the development set is
used: the holdout set is never tuned on.
Run: .venv/bin/python bench/tune.py [--folds 2] [--repeats 1] [--quick]
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.content import load_knowledge_base  # noqa: E402
from bot.engine import Bot, Thresholds  # noqa: E402
from bot.evaluate import load_questions  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

# The thresholds searched. `clarify` and `clarify_band` only change what a
# non-answer looks like, so they keep their defaults.
THRESHOLD_GRID = {
    "answer": [x / 100 for x in range(10, 62, 2)],
    "margin": [x / 100 for x in range(0, 14, 2)],
    "off_topic_answer": (0.5, 0.55, 0.6, 0.65, 0.7, 0.8),
}

# Matcher settings searched (--quick keeps the defaults only).
MATCHER_GRID = {
    "anchored_unknown": (0.1, 0.25),
    "unanchored_unknown": (2.0, 3.0),
    "weights": ((0.3, 0.4, 0.3), (0.4, 0.3, 0.3), (0.3, 0.3, 0.4)),
    "smoothing": (30.0, 100.0, 300.0),
    "support_weight": (0.0, 0.1, 0.2, 0.3),
    "common_probe": (0, 8),
}


def hits_for(bot: Bot, items) -> list[tuple[str, tuple[str, ...], list]]:
    """Return (group, expected ids, ranked hits) per item; safety hits are grouped apart."""
    rows = []
    for it in items:
        safe = bot.safety.check(it.q)
        hits = [] if safe else bot.matcher.search(it.q, limit=3)
        rows.append(("safety" if safe else it.group, it.expect, hits))
    return rows


def score(bot: Bot, rows, th: Thresholds) -> tuple[float, float, float]:
    """Return (accuracy, wrong rate, oos false-answer rate) of bot.decide under th."""
    bot.thresholds = th
    ok = wrong = oos_bad = n_in = n_oos = 0
    for group, expect, hits in rows:
        if group not in ("in-scope", "out-of-scope"):
            continue
        kind, shown = bot.decide(hits)
        if group == "in-scope":
            n_in += 1
            if kind == "answer":
                ok += shown[0].entry_id in expect
                wrong += shown[0].entry_id not in expect
        else:
            n_oos += 1
            oos_bad += kind == "answer"
    return ok / max(n_in, 1), wrong / max(n_in, 1), oos_bad / max(n_oos, 1)


def best_thresholds(bot: Bot, rows, cap: float):
    """Return (acc, wrong, oos, thresholds) with the best accuracy within the caps."""
    best = None
    for values in itertools.product(*THRESHOLD_GRID.values()):
        th = Thresholds(**dict(zip(THRESHOLD_GRID, values, strict=True)))
        acc, wrong, oos = score(bot, rows, th)
        # Ties go to the setting with fewer wrong answers, then fewer false answers.
        if wrong <= cap and oos <= cap and (best is None or (acc, -wrong, -oos) > best[0]):
            best = ((acc, -wrong, -oos), (acc, wrong, oos, th))
    return best[1] if best else None


def cross_validate(bot: Bot, rows, cap: float, folds: int, repeats: int = 1) -> tuple[float, float, float]:
    """Return the mean (acc, wrong, oos) on held-out folds, tuning on the rest.

    The first repeat splits the rows in file order (every k-th row); further repeats
    shuffle them with a fixed seed, so the figure does not hang on one split.
    """
    out = []
    for rep in range(repeats):
        order = list(rows)
        if rep:
            random.Random(rep).shuffle(order)
        parts = [order[i::folds] for i in range(folds)]
        for i, test in enumerate(parts):
            train = [r for j, part in enumerate(parts) if j != i for r in part]
            tuned = best_thresholds(bot, train, cap)
            out.append(score(bot, test, tuned[3]) if tuned else (0.0, 1.0, 1.0))
    return tuple(sum(x[k] for x in out) / len(out) for k in range(3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cap", type=float, default=0.025, help="highest wrong / false-answer rate allowed")
    parser.add_argument("--folds", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1, help="repeat the k-fold check over shuffled splits")
    parser.add_argument("--quick", action="store_true", help="tune the thresholds for the default matcher only")
    args = parser.parse_args()
    kb = load_knowledge_base(ROOT / "faq")
    items = load_questions(ROOT / "tests/data/questions.yaml", known_ids=set(kb.by_id))
    grid = {} if args.quick else MATCHER_GRID
    results = []
    for values in itertools.product(*grid.values()):
        options = dict(zip(grid, values, strict=True))
        bot = Bot(kb, **options)
        rows = hits_for(bot, items)
        best = best_thresholds(bot, rows, args.cap)
        if best:
            cv = cross_validate(bot, rows, args.cap, args.folds, args.repeats)
            results.append((cv[0], options, best, cv))
    results.sort(key=lambda r: r[0], reverse=True)
    for _cv_acc, options, (a, w, o, th), cv in results[:8]:
        changed = {k: v for k, v in dataclasses.asdict(th).items() if v != getattr(Thresholds(), k)}
        print(
            f"{args.folds}-fold acc {cv[0]:.3f} wrong {cv[1]:.3f} oos {cv[2]:.3f} | "
            f"all: acc {a:.3f} wrong {w:.3f} oos {o:.3f} | {options} {changed}"
        )


if __name__ == "__main__":
    main()
