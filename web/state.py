"""The app's live bot: like flaskr's get_db(), through current_app."""

from __future__ import annotations

from flask import current_app

from bot import Bot
from bot.live import LiveBot


def live_bot() -> LiveBot:
    """Return the app's live bot holder."""
    return current_app.extensions["faq_bot"]


def current_bot() -> Bot:
    """Return the bot in service (checking faq/ for edits when a check is due)."""
    return live_bot().bot
