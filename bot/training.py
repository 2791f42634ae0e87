"""The matcher's labelled training questions (faq/matcher/), kept apart from the vetted alternates.

`training-questions.yaml` maps entry ids to questions written by a different hand
from the alternates (helper sessions that saw only the FAQ catalog); `smalltalk.yaml` maps
the small-talk kinds of messages.yaml to more ways of saying them (greetings with a story
around them, warm thanks), which teach the learned matcher only, never the safety
detector (which learns only the small-talk phrasings themselves); `decoys.yaml`
holds out-of-scope questions in named classes (other conditions, other drugs,
interactions, clinic logistics, legal, chit-chat, creative requests, and everyday
questions outside health that share the FAQ's words) that teach
where the FAQ's edges are. Neither file is shown to readers; both are checked here.
The blind question set (tests/data/blind_questions.yaml) never feeds them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import BotError

MATCHER_DIR = "matcher"
# The label of a small-talk training message, and the learned matcher's class: smalltalk:greeting, ...
SMALLTALK = "smalltalk:"
SMALLTALK_FILE = "smalltalk.yaml"
DECOY_CLASSES = (
    "other-conditions",
    "other-drugs-other-uses",
    "interactions",
    "clinic-logistics",
    "legal",
    "chit-chat",
    "creative-requests",
    "everyday",
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

    @property
    def smalltalk(self) -> bool:
        """Return True for a small-talk message (`smalltalk:<kind>`)."""
        return self.label.startswith(SMALLTALK)


def _texts(where: str, value: object) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(t, str) and t.strip() for t in value):
        raise BotError(f"{where}: expected a non-empty list of questions")
    return value


def _section(folder: Path, name: str, key: str, allowed: Callable[[str], bool], what: str) -> list[tuple[str, str]]:
    """Return (group, text) pairs of one file's mapping `key`, each group checked by `allowed`."""
    # libyaml's C parser when present (the training files are large); the same values as safe_load.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load((folder / name).read_text(encoding="utf-8"), Loader=loader)  # noqa: S506
    groups = data.get(key) if isinstance(data, dict) else None
    if not isinstance(groups, dict):
        raise BotError(f"{MATCHER_DIR}/{name}: expected a mapping '{key}' of {what} -> questions")
    pairs = []
    for group, texts in groups.items():
        where = f"{MATCHER_DIR}/{name}, {what} {group!r}"
        if not isinstance(group, str) or not allowed(group):
            raise BotError(f"{where}: no such {what}")
        pairs += [(group, t) for t in _texts(where, texts)]
    return pairs


def load_training(faq_dir: str | Path, known_ids: set[str], smalltalk_kinds: Collection[str]) -> list[Example]:
    """Read and check faq/matcher/: every id known, every decoy class and small-talk kind named, no text twice."""
    folder = Path(faq_dir) / MATCHER_DIR
    examples = [
        Example(text, entry_id)
        for entry_id, text in _section(folder, "training-questions.yaml", "entries", known_ids.__contains__, "entry")
    ]
    examples += [
        Example(text, f"decoy:{name}")
        for name, text in _section(folder, "decoys.yaml", "classes", DECOY_CLASSES.__contains__, "class")
    ]
    if (folder / SMALLTALK_FILE).is_file():
        kinds = set(smalltalk_kinds)
        examples += [
            Example(text, SMALLTALK + kind)
            for kind, text in _section(folder, SMALLTALK_FILE, "kinds", kinds.__contains__, "small-talk kind")
        ]
    seen: dict[str, str] = {}
    for ex in examples:
        key = " ".join(ex.text.lower().split())
        if key in seen and seen[key] != ex.label:
            raise BotError(f"faq/matcher: {ex.text!r} is labelled both {seen[key]!r} and {ex.label!r}")
        seen[key] = ex.label
    return examples
