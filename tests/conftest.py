"""Shared fixtures: one loaded bot for the whole run, and a helper to ask it."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from bot import Bot, load_bot
from bot.detector import model_cache_dir
from bot.encoder import default_cache_dir, prepared_model_path
from bot.engine import text_key  # noqa: F401 (how two sets are kept apart; tests import it from here)

ROOT = Path(__file__).resolve().parent.parent
FAQ_DIR = ROOT / "faq"
DATA_DIR = Path(__file__).resolve().parent / "data"


def _test_state_dir() -> Path:
    """Give the test run its own state folder (content snapshots), sharing saved vectors and models.

    Servers started by tests (also as subprocesses, which inherit the variable) then never
    write snapshots of temporary content folders into the repository's .state/.
    """
    state = Path(tempfile.mkdtemp(prefix="bot-test-state-"))
    for shared in (default_cache_dir(), model_cache_dir(), prepared_model_path().parent):
        shared.mkdir(parents=True, exist_ok=True)
        (state / shared.name).symlink_to(shared, target_is_directory=True)
    atexit.register(shutil.rmtree, state, ignore_errors=True)
    return state


os.environ["BOT_STATE_DIR"] = str(_test_state_dir())


@pytest.fixture(scope="session")
def bot() -> Bot:
    """Return the bot loaded from the real faq/ (loading is the slow part)."""
    return load_bot(FAQ_DIR)


@pytest.fixture(scope="session")
def ask(bot: Bot):
    """Return a function that asks the bot and gives back the reply as a dict."""

    def _ask(text: str) -> dict:
        return bot.ask(text).to_dict()

    return _ask


@pytest.fixture(scope="session")
def _shared_app():
    from server import create_app

    return create_app({"TESTING": True, "RELOAD_INTERVAL": 0})


@pytest.fixture()
def app(_shared_app):
    """Return the server app on the real faq/ (built once per run), with automatic reload off.

    Each test starts as on a fresh app: rate-limit counters, reply cache and usage counts
    are cleared, so one test's requests never count against another's.
    """
    _shared_app.extensions["rate_limiter"].reset()
    _shared_app.extensions["reply_cache"].clear()
    return _shared_app


@pytest.fixture()
def client(app):
    """Return a test client of the app."""
    return app.test_client()


@pytest.fixture()
def api_ask(client):
    """Return a function that POSTs a question to /api/ask and gives back the response."""

    def _ask(question, **headers):
        return client.post("/api/ask", json={"question": question}, headers=headers)

    return _ask
