"""bench/safety_sets.py: the figures and the message-by-message comparison of two readings of the safety sets."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("safety_sets", ROOT / "bench" / "safety_sets.py")
safety_sets = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(safety_sets)


def _row(
    n: int, label: str, urgent: bool, tier: str | None, got: str | None, file: str = "safety_blind_9.yaml"
) -> dict:
    return {"file": file, "n": n, "text": f"message {n}", "label": label, "urgent": urgent, "tier": tier, "got": got}


def _write(path: Path, rows: list[dict]) -> str:
    path.write_text(json.dumps(rows), encoding="utf-8")
    return str(path)


def test_figures_count_resources_urgent_replies_false_alarms_and_notes(tmp_path, capsys) -> None:
    rows = [
        _row(0, "crisis", True, "urgent", "crisis"),
        _row(1, "crisis", True, "concern", "crisis"),
        _row(2, "crisis", False, None, None),
        _row(3, "none", False, "urgent", "harm"),
        _row(4, "none", False, "concern", "crisis"),
        _row(5, "none", False, None, None),
        _row(6, "none", False, None, None),
        _row(7, "none", False, "urgent", "crisis", file="safety_external_3.yaml"),
    ]
    safety_sets.figures(_write(tmp_path / "r.json", rows), "blind")
    out = capsys.readouterr().out
    assert "crisis        shown  66.7% (2/3)  urgent  50.0% (1/2)" in out
    assert "urgent false alarms  25.0% (1/4)  notes  25.0% (1/4)" in out  # the external set's row is left out


def test_compare_marks_each_moved_message_better_or_worse(tmp_path, capsys) -> None:
    old = [
        _row(0, "crisis", True, "concern", "crisis"),
        _row(1, "none", False, None, None),
        _row(2, "emergency", True, "urgent", "emergency"),
        _row(3, "crisis-other", True, "urgent", "crisis-other"),
    ]
    new = [
        _row(0, "crisis", True, "urgent", "crisis"),  # better: a plainly urgent crisis now urgent
        _row(1, "none", False, "urgent", "crisis"),  # worse: a false alarm
        _row(2, "emergency", True, "urgent", "emergency"),  # unchanged: not listed
        _row(3, "crisis-other", True, "urgent", "crisis"),  # another reply, as good a tier
    ]
    safety_sets.compare(_write(tmp_path / "a.json", old), _write(tmp_path / "b.json", new), "")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("+ safety_blind_9.yaml:0 [crisis/urgent] concern/crisis -> urgent/crisis")
    assert lines[1].startswith("- safety_blind_9.yaml:1 [none] None/None -> urgent/crisis")
    assert lines[2].startswith("= safety_blind_9.yaml:3")
    assert lines[-1] == "better 1, worse 1, messages in both readings 4"
