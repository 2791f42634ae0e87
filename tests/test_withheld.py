"""An entry past its review date and grace period is withheld; the rest of the bot keeps answering."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import load_bot
from server import create_app

from .conftest import FAQ_DIR
from .test_loader import set_field


@pytest.fixture(scope="module")
def stale_faq(tmp_path_factory) -> Path:
    faq = Path(shutil.copytree(FAQ_DIR, tmp_path_factory.mktemp("stale") / "faq"))
    set_field(faq / "basics.yaml", "adhd-causes", "reviewed", "2024-01-01")
    return faq


def test_a_withheld_entry_is_never_served_or_offered(stale_faq):
    bot = load_bot(stale_faq)
    assert bot.kb.withheld == ("adhd-causes",)
    reply = bot.ask("what causes adhd")
    assert reply.kind == "fallback" and reply.id is None
    assert "adhd-causes" not in [s.id for s in reply.suggestions]
    assert bot.entry_reply("adhd-causes") is None
    for entry in bot.kb.entries:  # no related link leads to it
        if not entry.withheld:
            assert "adhd-causes" not in [s.id for s in bot.entry_reply(entry.id).suggestions]
    assert bot.ask("what is adhd").id == "adhd-overview"  # the rest keeps answering
    assert bot.ask("im going to kill myself tonight").kind == "safety"


def test_the_server_lists_withheld_entries_for_staff_and_hides_them_from_patients(stale_faq):
    client = create_app({"TESTING": True, "FAQ_DIR": str(stale_faq), "RELOAD_INTERVAL": 0}).test_client()
    health = client.get("/healthz").get_json()
    assert health["withheld"] == ["adhd-causes"]
    assert health["status"] == "degraded" and "adhd-causes" in health["reason"]
    listed = [e["id"] for c in client.get("/api/topics").get_json()["categories"] for e in c["entries"]]
    assert "adhd-causes" not in listed and "adhd-overview" in listed
    assert client.get("/api/entries/adhd-causes").status_code == 404
