"""Trained models saved on disk (bot/detector.py): a warm start loads them instead of training."""

from __future__ import annotations

import json
import logging
import os
import time

import numpy as np
import pytest

from bot import detector as detector_module
from bot.detector import Detector, Sample, load_saved_model, save_model, trained_model
from bot.intent import IntentModel
from bot.linear import LinearScorer, Terms
from bot.safety_data import NONE

MESSAGES = [
    ("i want to end it all tonight", "crisis"),
    ("nobody would miss me if i was gone", "crisis"),
    ("i wrote goodbye letters to everyone", "crisis"),
    ("my son swallowed a whole bottle of pills", "emergency"),
    ("she took all of her adderall at once and wont wake up", "emergency"),
    ("how many mg of ritalin should i take", "dosing"),
    ("can i double my dose of vyvanse", "dosing"),
    ("what is adhd", NONE),
    ("does ritalin help with focus", NONE),
    ("how long does an adhd evaluation take", NONE),
    ("is ketamine approved for adhd", NONE),
    ("my boss will kill me if i am late again", NONE),
]
QUESTIONS = ["what is adhd", "what does adhd mean", "is ketamine safe", "ketamine side effects", "weather today"]
LABELS = ["what-is-adhd", "what-is-adhd", "ketamine-risks", "ketamine-risks", "out-of-scope"]


def vector(text: str) -> np.ndarray:
    """A stand-in sentence encoder: a fixed pseudo-random unit vector per text."""
    rng = np.random.default_rng(sum(map(ord, text)))
    v = rng.standard_normal(8).astype(np.float32)
    return v / np.linalg.norm(v)


def make_detector() -> Detector:
    samples = [Sample(text, text, label) for text, label in MESSAGES]
    return Detector(samples, vectors=np.stack([vector(t) for t, _ in MESSAGES]), embed=vector)


def make_intent() -> IntentModel:
    vectors = np.stack([vector(t) for t in QUESTIONS])
    return IntentModel(QUESTIONS, LABELS, vectors=vectors, embed=vector, prepare=str.lower)


@pytest.fixture(autouse=True)
def _fresh_memory(monkeypatch):
    """Each test starts with nothing trained in this process."""
    monkeypatch.setattr(detector_module, "_CACHE", type(detector_module._CACHE)())


def test_a_saved_detector_loads_with_the_same_probabilities(tmp_path) -> None:
    trained = make_detector()
    save_model(("k", 1), trained, tmp_path)
    loaded = load_saved_model(("k", 1), tmp_path)
    assert isinstance(loaded, Detector) and loaded.embed is None  # the encoder is not saved
    loaded.attach(embed=vector)
    for text, _ in MESSAGES + [("i feel fine today", NONE)]:
        assert loaded.probabilities(text, text) == pytest.approx(trained.probabilities(text, text), abs=1e-6)
    # What is saved is the NumPy form only: no encoder function, no scikit-learn objects.
    assert isinstance(loaded.chars, Terms) and isinstance(loaded.scorer, LinearScorer)
    assert loaded.fitted is None and trained.fitted is not None


def test_a_saved_detector_trained_with_vectors_needs_the_encoder_back(tmp_path) -> None:
    save_model(("k",), make_detector(), tmp_path)
    with pytest.raises(ValueError, match="encoder"):
        load_saved_model(("k",), tmp_path).attach(embed=None)


def test_a_saved_intent_model_loads_with_the_same_probabilities(tmp_path) -> None:
    trained = make_intent()
    save_model(("intent",), trained, tmp_path)
    loaded = load_saved_model(("intent",), tmp_path).attach(embed=vector, prepare=str.lower)
    for question in [*QUESTIONS, "Is KETAMINE risky?"]:
        np.testing.assert_allclose(loaded.probabilities(question), trained.probabilities(question), atol=1e-6)
    assert loaded.best("what is adhd")[0] == "what-is-adhd"


def test_a_warm_start_loads_instead_of_training(tmp_path) -> None:
    builds = []

    def build() -> Detector:
        builds.append(1)
        return make_detector()

    first = trained_model(("a",), build, attach=lambda d: d.attach(vector), disk_key=("a", "v1"), folder=tmp_path)
    assert builds == [1]
    detector_module._CACHE.clear()  # a new process: nothing in memory, the file on disk
    second = trained_model(("a",), build, attach=lambda d: d.attach(vector), disk_key=("a", "v1"), folder=tmp_path)
    assert builds == [1] and second is not first
    assert second.probabilities("i want to die", "i want to die") == pytest.approx(
        first.probabilities("i want to die", "i want to die"), abs=1e-6
    )
    # Other training data (another disk key) trains again.
    detector_module._CACHE.clear()
    trained_model(("a",), build, attach=lambda d: d.attach(vector), disk_key=("a", "v2"), folder=tmp_path)
    assert builds == [1, 1]


def test_a_damaged_saved_model_is_trained_again_with_a_warning(tmp_path, caplog) -> None:
    save_model(("k",), make_detector(), tmp_path)
    (saved,) = tmp_path.glob("*.pickle")
    saved.write_bytes(saved.read_bytes()[:-10] + b"0123456789")
    with caplog.at_level(logging.WARNING, logger="bot"):
        assert load_saved_model(("k",), tmp_path) is None
    assert "unusable" in caplog.text and "does not match" in caplog.text
    builds = []
    trained_model(
        ("k",), lambda: builds.append(1) or make_detector(), attach=lambda d: d, disk_key=("k",), folder=tmp_path
    )
    assert builds == [1]
    assert load_saved_model(("k",), tmp_path) is not None  # saved again, whole


def test_a_header_for_another_model_is_not_trusted(tmp_path) -> None:
    save_model(("k",), make_detector(), tmp_path)
    (header,) = tmp_path.glob("*.json")
    data = json.loads(header.read_text())
    header.write_text(json.dumps({**data, "name": "0" * 64}))
    assert load_saved_model(("k",), tmp_path) is None


def test_a_code_change_makes_saved_models_stale(tmp_path, monkeypatch) -> None:
    save_model(("k",), make_detector(), tmp_path)
    assert load_saved_model(("k",), tmp_path) is not None
    monkeypatch.setattr(detector_module, "code_fingerprint", lambda: "another version of bot/")
    assert load_saved_model(("k",), tmp_path) is None


def test_a_folder_that_cannot_be_written_only_costs_the_saving(tmp_path, caplog) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    with caplog.at_level(logging.WARNING, logger="bot"):
        model = trained_model(("k",), make_detector, attach=lambda d: d, disk_key=("k",), folder=blocked / "models")
    assert isinstance(model, Detector)
    assert "saved models off" in caplog.text


def test_only_the_newest_saved_models_are_kept(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(detector_module, "MODEL_CACHE_KEEP", 2)
    model = make_detector()
    for n in range(4):
        save_model(("k", n), model, tmp_path)
        # distinct modification times, oldest first, whatever the file system's clock grain
        for age, path in enumerate(sorted(tmp_path.glob("*.pickle"), key=lambda p: p.stat().st_mtime)):
            os.utime(path, (1_000_000 + age, 1_000_000 + age))
    assert len(list(tmp_path.glob("*.pickle"))) == 2 and len(list(tmp_path.glob("*.json"))) == 2
    assert load_saved_model(("k", 3), tmp_path) is not None  # the newest is kept
    assert load_saved_model(("k", 0), tmp_path) is None


def test_saved_models_used_within_the_hour_are_never_deleted(tmp_path, monkeypatch) -> None:
    """A test run or a burst of edits saves many versions at once: the one in use stays."""
    monkeypatch.setattr(detector_module, "MODEL_CACHE_KEEP", 1)
    model = make_detector()
    for n in range(3):
        save_model(("k", n), model, tmp_path)
    assert len(list(tmp_path.glob("*.pickle"))) == 3
    old = time.time() - 7200
    for path in tmp_path.glob("*.pickle"):
        os.utime(path, (old, old))
    assert load_saved_model(("k", 0), tmp_path) is not None  # loading marks it used
    save_model(("k", 9), model, tmp_path)
    assert load_saved_model(("k", 0), tmp_path) is not None
    assert load_saved_model(("k", 9), tmp_path) is not None
    assert load_saved_model(("k", 1), tmp_path) is None and load_saved_model(("k", 2), tmp_path) is None


def test_the_real_models_are_saved_beside_the_vectors(bot) -> None:
    """Loading the real content saved both trained models (the run's state folder shares them)."""
    saved = list(detector_module.model_cache_dir().glob("*.pickle"))
    assert len(saved) >= 2
    for path in saved:
        header = json.loads(path.with_suffix(".json").read_text())
        assert set(header) == {"name", "sha256", "key"}


def test_a_model_trained_elsewhere_is_loaded_not_built(tmp_path) -> None:
    """A server worker asks a child process to train (training_elsewhere); it then loads the saved file."""
    builds, calls = [], []

    def build() -> Detector:
        builds.append(1)
        return make_detector()

    def child() -> None:  # stands in for `python -m bot.prepare_models`: trains and saves both models
        calls.append(1)
        save_model(("a", "v1"), make_detector(), tmp_path)
        save_model(("b", "v1"), make_detector(), tmp_path)

    with detector_module.training_elsewhere(child):
        first = trained_model(("a",), build, attach=lambda d: d.attach(vector), disk_key=("a", "v1"), folder=tmp_path)
        second = trained_model(("b",), build, attach=lambda d: d.attach(vector), disk_key=("b", "v1"), folder=tmp_path)
    assert calls == [1] and builds == []  # one child for both models, nothing trained here
    assert isinstance(first, Detector) and first.embed is vector and isinstance(second, Detector)
    assert (tmp_path / ".training.lock").is_file()  # two workers starting together train once


def test_a_child_that_saved_nothing_is_not_asked_twice_and_the_model_is_built_here(tmp_path) -> None:
    builds, calls = [], []

    def build() -> Detector:
        builds.append(1)
        return make_detector()

    with detector_module.training_elsewhere(lambda: calls.append(1)):
        trained_model(("a",), build, attach=lambda d: d, disk_key=("a",), folder=tmp_path)
        trained_model(("b",), build, attach=lambda d: d, disk_key=("b",), folder=tmp_path)
    assert calls == [1] and builds == [1, 1]
    # Outside the block (the CLI, tests, the child itself) models are trained in this process.
    detector_module._CACHE.clear()
    trained_model(("c",), build, attach=lambda d: d, disk_key=("c",), folder=tmp_path)
    assert calls == [1] and builds == [1, 1, 1]


def test_a_saved_model_skips_the_child(tmp_path) -> None:
    save_model(("a",), make_detector(), tmp_path)
    calls = []
    with detector_module.training_elsewhere(lambda: calls.append(1)):
        trained_model(("a",), make_detector, attach=lambda d: d, disk_key=("a",), folder=tmp_path)
    assert calls == []


def test_the_server_loads_with_models_trained_in_a_child(monkeypatch) -> None:
    """create_app's loader asks for the child, with the folder and drafts setting it loads."""
    import server

    seen = {}

    def fake_load_bot(faq_dir=None, **kwargs):
        seen.update(kwargs, faq_dir=faq_dir)
        raise RuntimeError("stop here")

    monkeypatch.setattr(server, "load_bot", fake_load_bot)
    with pytest.raises(RuntimeError, match="stop here"):
        server.create_app({"TESTING": True, "RELOAD_INTERVAL": 0, "SERVE_DRAFTS": False})
    assert seen["train_in_child"] is True and seen["serve_drafts"] is False


def test_a_child_that_fails_is_logged_and_the_caller_goes_on(tmp_path, caplog) -> None:
    from bot.prepare_models import train_in_child

    with caplog.at_level(logging.WARNING, logger="bot"):
        train_in_child(tmp_path / "no-such-folder", serve_drafts=False)  # returns; the worker trains itself
    assert "could not train the models in a child process" in caplog.text and "cannot train" in caplog.text


def test_server_prepare_models_trains_for_the_configured_content_and_exits(monkeypatch) -> None:
    """`python server.py --prepare-models` (run by gunicorn.conf.py) reads the BOT_* settings."""
    import server
    from bot import prepare_models

    seen = []
    monkeypatch.setattr(prepare_models, "prepare", lambda faq, *, serve_drafts: seen.append((faq, serve_drafts)) or 0)
    monkeypatch.setenv("BOT_SERVE_DRAFTS", "false")
    monkeypatch.setenv("BOT_PORT", "1")  # never listened on: it exits before the port check
    assert server.main(["--prepare-models"]) == 0
    assert len(seen) == 1 and str(seen[0][0]).endswith("faq") and seen[0][1] is False


def test_gunicorn_prepares_the_models_in_a_child_before_the_workers_start(monkeypatch) -> None:
    import runpy
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    settings = runpy.run_path(str(root / "gunicorn.conf.py"))
    calls = []

    class Log:
        def __init__(self) -> None:
            self.lines = []

        def info(self, *args) -> None:
            self.lines.append(("info", args))

        def warning(self, *args) -> None:
            self.lines.append(("warning", args))

    def fake_run(command, **kwargs):
        calls.append((command, kwargs))
        return subprocess.CompletedProcess(command, 3)

    monkeypatch.setattr(subprocess, "run", fake_run)
    server = type("Server", (), {"log": Log()})()
    settings["on_starting"](server)
    ((command, kwargs),) = calls
    assert command[1:] == [str(root / "server.py"), "--prepare-models"] and kwargs["cwd"] == root
    assert any(level == "warning" and "exit status 3" in args[1] for level, args in server.log.lines)


def test_a_model_another_trainer_is_building_is_waited_for_and_loaded_not_built_twice(tmp_path) -> None:
    """bot.prepare_models trains the two models side by side, in opposite order: each is built once."""
    import threading

    builds: list[str] = []

    def slow(name: str, seconds: float):
        def build() -> Detector:
            builds.append(name)
            time.sleep(seconds)
            return make_detector()

        return build

    def train(first: str, second: str, seconds: float) -> None:
        for name in (first, second):
            trained_model(
                (name,), slow(name, seconds), attach=lambda d: d.attach(vector), disk_key=(name,), folder=tmp_path
            )

    other = threading.Thread(target=train, args=("matcher", "detector", 1.5))
    other.start()
    time.sleep(0.2)  # the matcher is being built over there
    train("detector", "matcher", 0.1)  # the matcher is waited for, then loaded from its saved file
    other.join()
    assert sorted(builds) == ["detector", "matcher"]


def test_prepare_trains_the_matcher_in_a_second_process_that_starts_no_third(monkeypatch) -> None:
    import subprocess
    import sys
    from types import SimpleNamespace

    from bot import encoder as encoder_module
    from bot import engine, prepare_models

    started, loads = [], []

    class FakeProcess:
        def __init__(self, args, **kwargs) -> None:
            started.append(args)

        def wait(self, timeout=None) -> int:
            return 0

    monkeypatch.setattr(subprocess, "Popen", FakeProcess)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(encoder_module, "load_encoder", lambda threads: (SimpleNamespace(threads=threads), ""))
    monkeypatch.setattr(
        engine, "load_bot", lambda faq, **kw: loads.append(kw) or SimpleNamespace(matcher_mode="hybrid")
    )
    assert prepare_models.prepare("content", serve_drafts=False) == 0
    assert started == [
        [sys.executable, "-m", "bot.prepare_models", "--matcher-first", "--faq", "content", "--no-drafts"]
    ]
    assert loads[0]["matcher_first"] is False and loads[0]["encoder"].threads == 1  # bulk work: one thread a run
    assert prepare_models.main(["--matcher-first", "--faq", "content"]) == 0
    assert len(started) == 1 and loads[1]["matcher_first"] is True and loads[1]["serve_drafts"] is True


@pytest.mark.parametrize("matcher_first", [False, True])
def test_matcher_first_only_changes_which_model_is_trained_first(monkeypatch, bot, matcher_first) -> None:
    from bot import engine

    order: list[str] = []
    intent, detector = engine.train_intent, engine.train_detector
    monkeypatch.setattr(engine, "train_intent", lambda *a: order.append("matcher") or intent(*a))
    monkeypatch.setattr(engine, "train_detector", lambda *a: order.append("detector") or detector(*a))
    loaded = engine.load_bot(matcher_first=matcher_first)
    assert order == (["matcher", "detector"] if matcher_first else ["detector", "matcher"])
    assert loaded.matcher_mode == "hybrid" and loaded.ask("what is adhd").id == bot.ask("what is adhd").id
