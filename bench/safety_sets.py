"""Read every safety set with the code as it is, and compare two such readings message by message.

`python -m bot eval --safety FILE` prints one set's figures. Changing a concept word or a rule moves
messages on many sets at once (the detector is re-trained on the concept features too), so before a
change lands the developer reads all the sets (blind and external; all are development data once read)
with the old code and the new, and looks at every message whose outcome moved.

Run:
  .venv/bin/python bench/safety_sets.py run OUT.json [SET.yaml ...]   # all tests/data/safety_*.yaml by default
  .venv/bin/python bench/safety_sets.py figures RUN.json [--only NAME]
  .venv/bin/python bench/safety_sets.py compare OLD.json NEW.json [--only NAME]
To read older code, copy its bot/ and faq/ (`git archive COMMIT bot faq tests/data | tar -x -C DIR`)
and run this file from DIR with `BOT_STATE_DIR` set to a scratch folder.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path.cwd()
sys.path.insert(0, str(HERE))

LABELS = ("crisis", "crisis-other", "harm", "emergency", "dosing")


def run(out: str, sets: list[str]) -> int:
    """Assess every message of the sets with the code in the working folder; write one JSON row each."""
    from bot.cli import load_bot
    from bot.evaluate_safety import load_safety_set

    start = time.perf_counter()
    bot = load_bot(None)
    files = [Path(s) for s in sets] or sorted((HERE / "tests" / "data").glob("safety_*.yaml"))
    rows = []
    for path in files:
        for n, item in enumerate(load_safety_set(path)):
            found = bot.assess(item.text)
            rows.append(
                {
                    "file": path.name,
                    "n": n,
                    "text": item.text,
                    "label": item.label,
                    "urgent": item.urgent,
                    "tier": found.tier,
                    "got": found.label,
                    "rule": found.rule,
                    "p": found.probability,
                }
            )
    Path(out).write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    print(f"{len(rows)} messages from {len(files)} sets in {time.perf_counter() - start:.0f} s -> {out}")
    return 0


def _load(path: str, only: str) -> list[dict]:
    return [r for r in json.loads(Path(path).read_text(encoding="utf-8")) if only in r["file"]]


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}% ({part}/{whole})" if whole else "    -"


def figures(path: str, only: str) -> int:
    """Print resources shown and urgent per label, and false alarms and notes on harmless messages."""
    rows = _load(path, only)
    for label in LABELS:
        group = [r for r in rows if r["label"] == label]
        plain = [r for r in group if r["urgent"]]
        shown = sum(r["tier"] is not None for r in group)
        urgent = sum(r["tier"] == "urgent" for r in plain)
        print(f"{label:13s} shown {_share(shown, len(group))}  urgent {_share(urgent, len(plain))}")
    harmless = [r for r in rows if r["label"] == "none"]
    alarms = sum(r["tier"] == "urgent" for r in harmless)
    notes = sum(r["tier"] == "concern" for r in harmless)
    print(f"{'harmless':13s} urgent false alarms {_share(alarms, len(harmless))}  notes {_share(notes, len(harmless))}")
    return 0


def _score(row: dict) -> int:
    """How well a message was served: 2 best. Harmless: nothing > note > urgent; risk: urgent where plainly urgent."""
    if row["label"] == "none":
        return {"urgent": 0, "concern": 1, None: 2}[row["tier"]]
    if row["urgent"]:
        return {"urgent": 2, "concern": 1, None: 0}[row["tier"]]
    return 0 if row["tier"] is None else 2


def compare(old: str, new: str, only: str) -> int:
    """Print every message whose tier or reply moved between two readings, marked better (+), worse (-) or same (=)."""
    before = {(r["file"], r["n"]): r for r in _load(old, only)}
    after = {(r["file"], r["n"]): r for r in _load(new, only)}
    better = worse = 0
    for key in sorted(before.keys() & after.keys()):
        a, b = before[key], after[key]
        if (a["tier"], a["got"]) == (b["tier"], b["got"]):
            continue
        step = _score(b) - _score(a)
        better += step > 0
        worse += step < 0
        mark = "+" if step > 0 else "-" if step < 0 else "="
        want = a["label"] + ("/urgent" if a["urgent"] and a["label"] != "none" else "")
        print(f"{mark} {key[0]}:{key[1]} [{want}] {a['tier']}/{a['got']} -> {b['tier']}/{b['got']} | {a['text'][:150]}")
    print(f"better {better}, worse {worse}, messages in both readings {len(before.keys() & after.keys())}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="read every safety set with the code in the working folder")
    r.add_argument("out")
    r.add_argument("sets", nargs="*")
    f = sub.add_parser("figures", help="figures of one reading")
    f.add_argument("reading")
    f.add_argument("--only", default="", help="only sets whose file name contains this")
    c = sub.add_parser("compare", help="messages whose outcome moved between two readings")
    c.add_argument("old")
    c.add_argument("new")
    c.add_argument("--only", default="", help="only sets whose file name contains this")
    args = parser.parse_args(argv)
    if args.command == "run":
        return run(args.out, args.sets)
    if args.command == "figures":
        return figures(args.reading, args.only)
    return compare(args.old, args.new, args.only)


if __name__ == "__main__":
    sys.exit(main())
