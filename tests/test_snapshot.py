"""Last good content across restarts (issue 11, F1): a process that starts on a refused edit serves a snapshot."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest

from bot import ContentError, snapshot
from bot.live import LiveBot

from .conftest import FAQ_DIR
from .support import ServerProcess, free_port, get_json
from .test_serve import _post


def _copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FAQ_DIR, tmp_path / "faq"))


def _state(tmp_path: Path) -> Path:
    """Return a fresh state folder that shares the repository's cache of sentence vectors."""
    from bot.encoder import default_cache_dir

    state = tmp_path / "state"
    state.mkdir()
    vectors = default_cache_dir()
    vectors.mkdir(parents=True, exist_ok=True)
    (state / "vectors").symlink_to(vectors, target_is_directory=True)
    return state


def _bad_edit(faq: Path) -> None:
    path = faq / "basics.yaml"
    text = path.read_text(encoding="utf-8")
    assert "evidence: established" in text
    path.write_text(text.replace("evidence: established", "evidence: proven", 1), encoding="utf-8")


def test_content_in_service_is_kept_as_a_snapshot_outside_faq(tmp_path):
    faq, state = _copy(tmp_path), tmp_path / "state"
    live = LiveBot(faq, interval=0, state_dir=state)
    last = snapshot.latest(faq, state=state)
    assert last is not None and last.name == live.current.version
    assert not last.is_relative_to(faq)
    copied = {p.relative_to(last).as_posix() for p in snapshot.snapshot_files(last)}
    assert copied == {p.relative_to(faq).as_posix() for p in snapshot.snapshot_files(faq)}
    assert "matcher/training-questions.yaml" in copied and "detector/concepts.yaml" in copied
    assert not list(last.parent.glob(".tmp-*"))  # written in a temporary folder, then renamed


def test_a_start_on_a_refused_edit_serves_the_last_good_snapshot(tmp_path):
    faq, state = _copy(tmp_path), tmp_path / "state"
    good = LiveBot(faq, interval=0, state_dir=state).current.version
    _bad_edit(faq)
    live = LiveBot(faq, interval=0, state_dir=state)  # a restart with the bad edit on disk
    assert live.current.version == good
    assert live.current.ask("what is adhd").id == "adhd-overview"
    assert live.degraded and good in live.degraded
    problem = live.refused.to_dict()["problems"][0]
    assert problem["file"] == "basics.yaml" and problem["field"] == "evidence"
    # Fixing the edit puts faq/ back into service and clears the degraded state.
    path = faq / "basics.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("evidence: proven", "evidence: established", 1))
    assert live.check() == "unchanged"  # the same content as the snapshot: nothing to reload
    assert live.degraded == "" and live.refused is None


def test_with_no_good_snapshot_at_all_the_start_is_refused(tmp_path):
    faq = _copy(tmp_path)
    _bad_edit(faq)
    with pytest.raises(ContentError):
        LiveBot(faq, interval=0, state_dir=tmp_path / "state")


def test_snapshots_of_another_content_folder_are_never_served(tmp_path):
    state = tmp_path / "state"
    LiveBot(_copy(tmp_path / "a"), interval=0, state_dir=state)
    other = _copy(tmp_path / "b")
    _bad_edit(other)
    with pytest.raises(ContentError):
        LiveBot(other, interval=0, state_dir=state)


def test_an_unwritable_state_folder_never_stops_the_service(tmp_path):
    faq = _copy(tmp_path)
    blocker = tmp_path / "state"
    blocker.write_text("a file, not a folder")
    live = LiveBot(faq, interval=0, state_dir=blocker)
    assert live.current.ask("what is adhd").id == "adhd-overview"


def test_only_the_newest_snapshots_are_kept(tmp_path):
    faq, state = _copy(tmp_path), tmp_path / "state"
    live = LiveBot(faq, interval=0, state_dir=state)
    path = faq / "basics.yaml"
    for n in range(snapshot.KEEP + 2):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("question: How common is ADHD", f"question: How common is ADHD ({n})", 1))
        text2 = path.read_text(encoding="utf-8")
        path.write_text(text2.replace(f"ADHD ({n})", "ADHD", 1) if n % 2 else text2)
        live.check()
    place = snapshot.latest(faq, state=state).parent
    kept = [p for p in place.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert len(kept) <= snapshot.KEEP
    assert snapshot.latest(faq, state=state).name == live.current.version


def test_a_restart_of_server_py_after_a_bad_edit_keeps_answering(tmp_path):
    faq, state = _copy(tmp_path), _state(tmp_path)
    env = {"BOT_FAQ_DIR": str(faq), "BOT_STATE_DIR": str(state)}
    with ServerProcess(env=env) as server:
        good = get_json(server.url + "/healthz")["faq_version"]
    _bad_edit(faq)
    with ServerProcess(env=env) as server:
        health = get_json(server.url + "/healthz")
        reply = _post(server.url + "/api/ask", {"question": "what is adhd"})
    assert health["status"] == "degraded" and good in health["reason"]
    assert health["faq_version"] == good and health["refused_edit"]["problem_count"] >= 1
    assert '"event": "content_refused_at_start"' in server.output and "basics.yaml" in server.output
    assert reply["id"] == "adhd-overview" and reply["faq_version"] == good


def _worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(p) for p in children.read_text().split()] if children.exists() else []


@pytest.mark.skipif(sys.platform != "linux", reason="gunicorn and /proc are Linux-only")
def test_a_gunicorn_worker_killed_with_a_bad_edit_on_disk_comes_back_on_the_snapshot(tmp_path):
    faq, state = _copy(tmp_path), _state(tmp_path)
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = {
        "BOT_FAQ_DIR": str(faq),
        "BOT_STATE_DIR": str(state),
        "BOT_RELOAD_INTERVAL": "0",
        "BOT_RATE_LIMIT_ENABLED": "false",
    }
    argv = [str(gunicorn), "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "120", "server:create_app()"]
    with ServerProcess(env=env, port=port, argv=argv) as server:
        good = get_json(server.url + "/healthz")["faq_version"]
        deadline = time.monotonic() + 120
        while len(_worker_pids(server.proc.pid)) < 2:  # both workers booted
            assert time.monotonic() < deadline, "gunicorn workers did not start"
            time.sleep(0.2)
        _bad_edit(faq)
        victim = _worker_pids(server.proc.pid)[0]
        os.kill(victim, signal.SIGKILL)
        # The master starts a new worker; it boots on the refused content from the snapshot.
        while victim in _worker_pids(server.proc.pid) or len(_worker_pids(server.proc.pid)) < 2:
            assert server.proc.poll() is None, "the gunicorn master shut down"
            assert time.monotonic() < deadline, "no new worker"
            time.sleep(0.2)
        # Until the new worker has loaded, the old one answers alone; then both answer, the
        # new one saying it serves the snapshot. The service never stops answering meanwhile.
        seen = set()
        while "degraded" not in seen:
            assert server.proc.poll() is None, "the gunicorn master shut down"
            assert time.monotonic() < deadline, "the new worker never answered"
            reply = _post(server.url + "/api/ask", {"question": "what is adhd"})
            assert reply["id"] == "adhd-overview" and reply["faq_version"] == good
            health = get_json(server.url + "/healthz")
            assert health["faq_version"] == good
            seen.add(health["status"])
            time.sleep(0.1)
        assert server.proc.poll() is None
