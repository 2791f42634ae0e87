"""The pages: the demo clinic site, the kiosk, and the widget's files for other sites."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, render_template, send_from_directory

from .errors import ApiError
from .settings import ROOT
from .state import current_bot


def register_pages(app: Flask) -> None:
    templates = Path(app.root_path) / (app.template_folder or "templates")
    static = Path(app.static_folder or ROOT / "static")

    def page(name: str, **context):
        if not (templates / name).is_file():  # serve what exists, never a placeholder
            raise ApiError(404, "not_found", "There is nothing at this address.")
        return render_template(name, **context)

    @app.get("/")
    def demo_home():
        return page("index.html")

    @app.get("/visit")
    def demo_visit():
        return page("visit.html")

    @app.get("/kiosk")
    def kiosk():
        return page(
            "kiosk.html",
            idle_seconds=current_app.config["KIOSK_IDLE_SECONDS"],
            evidence_labels=dict(current_bot().kb.messages.evidence_labels),
        )

    @app.get("/widget.js")
    def widget_js():
        return send_from_directory(static, "widget.js", mimetype="text/javascript")

    @app.get("/widget.css")
    def widget_css():
        return send_from_directory(static, "widget.css", mimetype="text/css")
