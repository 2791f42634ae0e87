"""Content reload without downtime: a good edit goes into service, a bad edit is refused."""

from __future__ import annotations

import json
import logging
import shutil
import time
from pathlib import Path

import pytest

from bot.live import LiveBot
from server import create_app

from .conftest import FAQ_DIR


@pytest.fixture()
def faq_copy(tmp_path: Path) -> Path:
    """Return a private copy of faq/ that a test may edit."""
    return Path(shutil.copytree(FAQ_DIR, tmp_path / "faq"))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _good_edit(faq: Path) -> None:
    _edit(faq / "basics.yaml", "question: How common is ADHD?", "question: How common is ADHD in people?")


def _bad_edit(faq: Path) -> None:
    _edit(faq / "basics.yaml", "evidence: established", "evidence: proven")  # not an evidence label


def test_a_good_edit_is_put_into_service(faq_copy):
    live = LiveBot(faq_copy, interval=0)
    before = live.current.version
    assert live.check() == "unchanged"
    _good_edit(faq_copy)
    assert live.check() == "reloaded"
    assert live.current.version != before
    assert live.current.kb.by_id["adhd-prevalence"].question == "How common is ADHD in people?"
    assert live.refused is None


def test_a_bad_edit_is_refused_and_the_last_good_content_stays(faq_copy, caplog):
    live = LiveBot(faq_copy, interval=0)
    good = live.current
    _bad_edit(faq_copy)
    with caplog.at_level(logging.ERROR, logger="bot.live"):
        assert live.check() == "refused"
    assert live.current is good
    assert live.current.ask("how common is adhd").id == "adhd-prevalence"
    problem = live.refused.to_dict()["problems"][0]
    assert problem["file"] == "basics.yaml" and problem["field"] == "evidence" and problem["entry_id"]
    logged = json.loads(caplog.records[-1].getMessage())
    assert logged["event"] == "content_refused" and logged["in_service"] == good.version
    assert logged["problems"][0]["file"] == "basics.yaml" and logged["problems"][0]["field"] == "evidence"
    # Fixing the edit puts the fixed content into service and clears the refusal.
    _edit(faq_copy / "basics.yaml", "evidence: proven", "evidence: established")
    _good_edit(faq_copy)
    assert live.check() == "reloaded"
    assert live.refused is None and live.current.version != good.version


def test_a_deleted_file_is_refused(faq_copy):
    live = LiveBot(faq_copy, interval=0)
    (faq_copy / "sources.yaml").unlink()
    assert live.check() == "refused"
    assert live.refused.problems[0].file == "sources.yaml"
    assert live.current.ask("what is adhd").id == "adhd-overview"


def test_saving_without_a_change_does_not_reload(faq_copy):
    live = LiveBot(faq_copy, interval=0)
    bot = live.current
    path = faq_copy / "basics.yaml"
    path.write_bytes(path.read_bytes())
    assert live.check() == "unchanged"
    assert live.current is bot


def test_checks_wait_for_the_interval(faq_copy):
    now = [0.0]
    live = LiveBot(faq_copy, interval=5.0, clock=lambda: now[0])
    _good_edit(faq_copy)
    live.poll()
    assert live.current.kb.by_id["adhd-prevalence"].question == "How common is ADHD?"  # not due yet
    now[0] = 6.0
    live.poll()
    _wait_for(lambda: live.current.kb.by_id["adhd-prevalence"].question != "How common is ADHD?")


def _wait_for(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_the_server_reloads_without_a_restart_and_reports_a_refused_edit(faq_copy):
    client = create_app({"TESTING": True, "FAQ_DIR": str(faq_copy), "RELOAD_INTERVAL": 0.05}).test_client()
    first = client.get("/healthz").get_json()
    assert first["refused_edit"] is None

    assert first["status"] == "ok" and first["reason"] is None

    _bad_edit(faq_copy)
    _wait_for(lambda: client.get("/healthz").get_json()["refused_edit"] is not None)
    health = client.get("/healthz").get_json()
    assert health["faq_version"] == first["faq_version"]  # still serving the last good content
    assert health["status"] == "degraded" and "refused" in health["reason"]
    refused = health["refused_edit"]
    assert refused["version"] != first["faq_version"] and refused["problem_count"] >= 1
    # Issue 11, F13: the public /healthz shows counts and the version only; the details
    # (file, entry, field, draft text) are in the log and in `python -m bot lint`.
    assert set(refused) == {"at", "version", "problem_count"} and "basics.yaml" not in json.dumps(health)
    assert client.post("/api/ask", json={"question": "what is adhd"}).get_json()["faq_version"] == first["faq_version"]

    _edit(faq_copy / "basics.yaml", "evidence: proven", "evidence: established")
    _good_edit(faq_copy)
    _wait_for(lambda: client.get("/healthz").get_json()["faq_version"] != first["faq_version"])
    health = client.get("/healthz").get_json()
    assert health["refused_edit"] is None and health["status"] == "ok"
    reply = client.get("/api/entries/adhd-prevalence").get_json()
    assert reply["question"] == "How common is ADHD in people?"
    assert reply["faq_version"] == health["faq_version"]


def test_the_server_will_not_start_on_bad_content(faq_copy):
    _bad_edit(faq_copy)
    from bot import ContentError

    with pytest.raises(ContentError) as info:
        create_app({"FAQ_DIR": str(faq_copy), "RELOAD_INTERVAL": 0})
    assert info.value.file == "basics.yaml" and info.value.field == "evidence"


def test_a_cached_reply_is_not_served_after_the_content_changes(faq_copy):
    app = create_app({"TESTING": True, "FAQ_DIR": str(faq_copy), "RELOAD_INTERVAL": 0})
    client = app.test_client()
    before = client.post("/api/ask", json={"question": "how common is adhd"}).get_json()
    _good_edit(faq_copy)
    assert app.extensions["faq_bot"].check() == "reloaded"
    after = client.post("/api/ask", json={"question": "how common is adhd"}).get_json()
    assert after["faq_version"] != before["faq_version"]
    assert after["question"] == "How common is ADHD in people?"


def test_a_forced_check_never_blocks_and_is_not_lost_while_a_reload_runs(faq_copy):
    """Issue 11, F4: SIGHUP only schedules a check; a check asked for during a reload runs after it."""
    import threading

    from bot import load_bot

    release = threading.Event()
    loads = []

    def slow_loader(path):
        bot = load_bot(path)
        loads.append(path)
        if len(loads) == 2:  # the first load is the start; the reload waits, once loaded, until released
            release.wait(10)
        return bot

    live = LiveBot(faq_copy, interval=0, loader=slow_loader)
    _good_edit(faq_copy)
    live.poll(force=True)  # starts the reload in the background
    _wait_for(lambda: len(loads) == 2, 60)
    _edit(faq_copy / "basics.yaml", "How common is ADHD in people?", "How common is ADHD, really?")
    started = time.monotonic()
    live.poll(force=True)  # a reload is running: this one is queued, not run here
    assert time.monotonic() - started < 0.5  # returned at once (the reload is still waiting)
    release.set()
    _wait_for(lambda: live.current.kb.by_id["adhd-prevalence"].question == "How common is ADHD, really?", 60)


def test_a_file_still_being_written_is_not_loaded_until_it_stands_still(faq_copy):
    """Issue 11, F4 and F10: a background check waits until the files stop changing."""
    live = LiveBot(faq_copy, interval=0, settle=0.3)
    path = faq_copy / "help.yaml"
    whole = path.read_text(encoding="utf-8")
    cut = whole.index("\n  - id: about-this-bot")
    path.write_text(whole[:cut], encoding="utf-8")  # the first half of a write...
    live.poll(force=True)
    time.sleep(0.1)
    path.write_text(whole, encoding="utf-8")  # ...and the rest, before the files have settled
    time.sleep(0.05)
    _wait_for(lambda: not live._checking.locked())
    assert "about-this-bot" in live.current.kb.by_id  # the half-written file was never put into service


def test_a_huge_faq_file_is_refused_unread(faq_copy):
    """Issue 11, F6: a file over the size limit is refused at once, and the problems are capped."""
    from bot.content import MAX_FILE_BYTES, MAX_PROBLEMS

    live = LiveBot(faq_copy, interval=0)
    (faq_copy / "zz.yaml").write_text("# " + "x" * MAX_FILE_BYTES + "\n", encoding="utf-8")
    assert live.check() == "refused"
    assert any("limit" in p.message and p.file == "zz.yaml" for p in live.refused.problems)
    (faq_copy / "zz.yaml").write_text(
        "category:\n  id: zz\n  title: Z\n  order: 99\nentries:\n"
        + "".join(f"  - id: e{i}\n    question: q{i}\n" for i in range(2000)),
        encoding="utf-8",
    )
    assert live.check() == "refused"
    assert len(live.refused.problems) <= MAX_PROBLEMS + 1
    assert "more problem" in live.refused.problems[-1].message
