"""The matcher's training data (faq/matcher/) stays valid and apart from every test set."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.engine import detector_samples, intent_examples
from bot.errors import BotError
from bot.training import DECOY_CLASSES, SMALLTALK, load_training

from .conftest import DATA_DIR
from .conftest import text_key as key

FAQ = Path(__file__).resolve().parent.parent / "faq"


@pytest.fixture(scope="module")
def examples(bot):
    return load_training(FAQ, set(bot.kb.by_id), bot.kb.messages.smalltalk)


def test_every_entry_has_at_least_60_training_phrasings(bot, examples) -> None:
    """Issue 9: at least 60 per entry, counting the vetted alternates and the training questions."""
    counts = Counter(e.label for e in examples)
    short = {
        e.id: counts[e.id] + len(e.alternates) + 1 for e in bot.kb.entries if counts[e.id] + len(e.alternates) + 1 < 60
    }
    assert short == {}
    assert all(counts[e.id] >= 50 for e in bot.kb.entries)  # most of them from the fresh hand


def test_there_are_at_least_300_decoys_in_every_class(examples) -> None:
    decoys = Counter(e.label for e in examples if e.decoy)
    assert sum(decoys.values()) >= 300
    assert set(decoys) == {f"decoy:{c}" for c in DECOY_CLASSES}


def test_no_training_question_is_a_test_question(examples) -> None:
    """Training, dev and blind stay apart: no training text equals a dev, holdout or blind question."""
    held = set()
    for name in ("questions.yaml", "holdout.yaml", "near_misses_dev.yaml"):
        held |= {key(x["q"]) for x in yaml.safe_load((DATA_DIR / name).read_text(encoding="utf-8"))["questions"]}
    blind_sets = sorted(DATA_DIR.glob("blind_questions*.yaml"))
    assert len(blind_sets) >= 10
    for path in blind_sets:
        blind = yaml.safe_load(path.read_text(encoding="utf-8"))
        held |= {key(x["q"]) for section in blind.values() for x in section}
    assert [e.text for e in examples if key(e.text) in held] == []


@pytest.mark.parametrize(
    ("name", "added", "message"),
    [
        (
            "training-questions.yaml",
            '  no-such-entry:\n    - "what is this"\n',
            r"training-questions.yaml, entry 'no-such-entry'",
        ),
        ("decoys.yaml", '  weather:\n    - "is it raining"\n', r"decoys.yaml, class 'weather'"),
        ("smalltalk.yaml", '  farewell:\n    - "see you soon"\n', r"smalltalk.yaml, small-talk kind 'farewell'"),
    ],
)
def test_an_unknown_entry_id_or_decoy_class_is_refused_with_file_and_name(tmp_path, bot, name, added, message) -> None:
    shutil.copytree(FAQ / "matcher", tmp_path / "matcher")
    path = tmp_path / "matcher" / name
    path.write_text(path.read_text(encoding="utf-8") + added, encoding="utf-8")
    with pytest.raises(BotError, match=message):
        load_training(tmp_path, set(bot.kb.by_id), bot.kb.messages.smalltalk)


def test_small_talk_messages_teach_the_matcher_in_every_fold_and_never_the_detector(bot, examples) -> None:
    """faq/matcher/smalltalk.yaml: more ways to greet or thank, for the learned matcher only. The detector
    learns only messages.yaml's phrasings as harmless (a warm goodbye taught to it lowered real farewells)."""
    talk = [e for e in examples if e.smalltalk]
    assert len(talk) >= 100 and {e.label for e in talk} <= {SMALLTALK + k for k in bot.kb.messages.smalltalk}
    kept, trained = intent_examples(bot.kb, examples)
    assert {(e.text, e.label) for e in talk} <= set(kept)  # kept: never held out by the matcher's k-fold
    assert not {e.text for e in talk} & {t for t, _ in trained}
    taught = {s.raw for s in detector_samples(bot.kb, bot.safety)}
    assert [e.text for e in talk if e.text in taught] == []
