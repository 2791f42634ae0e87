"""Shared fixtures: one loaded bot for the whole run, and a helper to ask it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import Bot, load_bot
from bot.engine import text_key  # noqa: F401 (how two sets are kept apart; tests import it from here)

ROOT = Path(__file__).resolve().parent.parent
FAQ_DIR = ROOT / "faq"
DATA_DIR = Path(__file__).resolve().parent / "data"


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


@pytest.fixture()
def app():
    """Return a server app on the real faq/, with automatic reload off and the default rate limit."""
    from server import create_app

    return create_app({"TESTING": True, "RELOAD_INTERVAL": 0})


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
