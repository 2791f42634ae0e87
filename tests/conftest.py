"""Shared fixtures: one loaded bot for the whole run, and a helper to ask it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import Bot, load_bot

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
