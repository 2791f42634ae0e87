"""The matcher's labelled training questions (faq/matcher/), kept apart from the vetted alternates.

`training-questions.yaml` maps entry ids to questions written by a different hand
from the alternates (helper sessions that saw only the FAQ catalog); `decoys.yaml`
holds out-of-scope questions in named classes (other conditions, other drugs,
interactions, clinic logistics, legal, chit-chat, creative requests) that teach
where the FAQ's edges are. Neither file is shown to readers; both are checked here.
The blind question set (tests/data/blind_questions.yaml) never feeds them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import BotError

MATCHER_DIR = "matcher"
DECOY_CLASSES = (
    "other-conditions",
    "other-drugs-other-uses",
    "interactions",
    "clinic-logistics",
    "legal",
    "chit-chat",
    "creative-requests",
)


@dataclass(frozen=True)
class Example:
    """One labelled training question: an entry id, or `decoy:<class>`."""

    text: str
    label: str

    @property
    def decoy(self) -> bool:
        """Return True for an out-of-scope decoy."""
        return self.label.startswith("decoy:")


def _texts(where: str, value: object) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(t, str) and t.strip() for t in value):
        raise BotError(f"{where}: expected a non-empty list of questions")
    return value


def load_training(faq_dir: str | Path, known_ids: set[str]) -> list[Example]:
    """Read and check faq/matcher/: every id known, every decoy class named, no text twice."""
    folder = Path(faq_dir) / MATCHER_DIR
    examples: list[Example] = []
    questions = yaml.safe_load((folder / "training-questions.yaml").read_text(encoding="utf-8"))
    entries = questions.get("entries") if isinstance(questions, dict) else None
    if not isinstance(entries, dict):
        raise BotError("matcher/training-questions.yaml: expected a mapping 'entries' of id -> questions")
    for entry_id, texts in entries.items():
        if entry_id not in known_ids:
            raise BotError(f"matcher/training-questions.yaml, entry {entry_id!r}: no such FAQ entry")
        examples += [
            Example(t, entry_id) for t in _texts(f"matcher/training-questions.yaml, entry {entry_id!r}", texts)
        ]
    decoys = yaml.safe_load((folder / "decoys.yaml").read_text(encoding="utf-8"))
    classes = decoys.get("classes") if isinstance(decoys, dict) else None
    if not isinstance(classes, dict):
        raise BotError("matcher/decoys.yaml: expected a mapping 'classes' of class -> questions")
    for name, texts in classes.items():
        if name not in DECOY_CLASSES:
            raise BotError(f"matcher/decoys.yaml, class {name!r}: not one of {', '.join(DECOY_CLASSES)}")
        examples += [Example(t, f"decoy:{name}") for t in _texts(f"matcher/decoys.yaml, class {name!r}", texts)]
    seen: dict[str, str] = {}
    for ex in examples:
        key = " ".join(ex.text.lower().split())
        if key in seen and seen[key] != ex.label:
            raise BotError(f"faq/matcher: {ex.text!r} is labelled both {seen[key]!r} and {ex.label!r}")
        seen[key] = ex.label
    return examples
