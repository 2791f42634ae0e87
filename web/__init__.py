"""The Flask adapter of the bot: settings, errors, security, API, pages, OpenAPI, cache, logs.

Each module has one job; `server.py` puts them together (`create_app`) and serves them
(`main`). This package may import `bot/`; `bot/` never imports it.
"""
