"""Grid-search the matcher's weights and the decision thresholds on the question set.

Prints the best settings by in-scope accuracy subject to a wrong-answer rate and an
out-of-scope false-answer rate under `--cap`, and a two-fold check (tune on one half,
score the other) so the figure reported is not just memory of the tuning set.
Run: .venv/bin/python bench/tune.py
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.content import load_knowledge_base  # noqa: E402
from bot.engine import Bot, Thresholds  # noqa: E402
from bot.evaluate import load_questions  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def score(rows, th: Thresholds):
    """Return (accuracy, wrong rate, oos false-answer rate) for precomputed hits."""
    ok = wrong = oos_bad = n_in = n_oos = 0
    for group, expect, hits in rows:
        if group == "in-scope":
            n_in += 1
        elif group == "out-of-scope":
            n_oos += 1
        else:
            continue
        if not hits or hits[0].score < th.clarify:
            kind = "fallback"
        else:
            second = hits[1].score if len(hits) > 1 else 0.0
            kind = "answer" if hits[0].score >= th.answer and hits[0].score - second >= th.margin else "clarify"
        if group == "in-scope":
            if kind == "answer":
                ok += hits[0].entry_id in expect
                wrong += hits[0].entry_id not in expect
        elif kind == "answer":
            oos_bad += 1
    return ok / n_in, wrong / n_in, oos_bad / max(n_oos, 1)


def best_thresholds(rows, cap):
    best = None
    for a in [x / 100 for x in range(46, 80, 2)]:
        for m in (0.0, 0.02, 0.04, 0.06, 0.08, 0.10, 0.12):
            for c in (0.30, 0.34, 0.38, 0.42):
                if c > a:
                    continue
                th = Thresholds(answer=a, margin=m, clarify=c)
                acc, wrong, oos = score(rows, th)
                if wrong <= cap and oos <= cap and (best is None or acc > best[0]):
                    best = (acc, wrong, oos, th)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cap", type=float, default=0.025)
    args = parser.parse_args()
    kb = load_knowledge_base(ROOT / "faq")
    items = load_questions(ROOT / "tests/data/questions.yaml", known_ids=set(kb.by_id))
    grid = {
        "anchored_unknown": (0.1, 0.25),
        "unanchored_unknown": (1.0, 2.0, 3.0),
        "beta": (1.0, 1.5),
        "spread": (3.0, 1e9),
        "weights": ((0.3, 0.4, 0.3), (0.4, 0.3, 0.3), (0.3, 0.3, 0.4), (0.35, 0.45, 0.2)),
    }
    results = []
    for values in itertools.product(*grid.values()):
        options = dict(zip(grid, values, strict=True))
        bot = Bot(kb, **options)
        rows = []
        for it in items:
            safe = bot.safety.check(it.q)
            hits = [] if safe else bot.matcher.search(it.q, limit=3)
            rows.append((it.group if not safe else "safety", it.expect, hits))
        best = best_thresholds(rows, args.cap)
        if best:
            halves = (rows[0::2], rows[1::2])
            cv = []
            for train, test in (halves, halves[::-1]):
                tb = best_thresholds(train, args.cap)
                cv.append(score(test, tb[3]) if tb else (0, 1, 1))
            results.append((best[0], options, best, cv))
    results.sort(key=lambda r: r[0], reverse=True)
    for _acc, options, (a, w, o, th), cv in results[:8]:
        cv_acc = sum(c[0] for c in cv) / 2
        cv_wrong = sum(c[1] for c in cv) / 2
        cv_oos = sum(c[2] for c in cv) / 2
        print(
            f"acc {a:.3f} wrong {w:.3f} oos {o:.3f} | 2-fold acc {cv_acc:.3f} wrong {cv_wrong:.3f} "
            f"oos {cv_oos:.3f} | {options} {th}"
        )


if __name__ == "__main__":
    main()
