"""The pages: the demo clinic site, the kiosk, and the widget's files for other sites."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, render_template, send_from_directory

from .errors import ApiError
from .settings import ROOT
from .state import current_bot

pages = Blueprint("pages", __name__)


def _page(name: str, **context):
    templates = Path(current_app.root_path) / (current_app.template_folder or "templates")
    if not (templates / name).is_file():  # serve what exists, never a placeholder
        raise ApiError(404, "not_found", "There is nothing at this address.")
    return render_template(name, **context)


def _static() -> Path:
    return Path(current_app.static_folder or ROOT / "static")


@pages.get("/")
def demo_home():
    return _page("index.html")


@pages.get("/visit")
def demo_visit():
    return _page("visit.html")


@pages.get("/test/hostile")
def hostile_test_page():
    """The demo page under deliberately hostile CSS (browser tests); only with BOT_TEST_PAGES=true."""
    if not current_app.config["TEST_PAGES"]:
        raise ApiError(404, "not_found", "There is nothing at this address.")
    return _page("hostile.html")


@pages.get("/kiosk")
def kiosk():
    return _page(
        "kiosk.html",
        idle_seconds=current_app.config["KIOSK_IDLE_SECONDS"],
        evidence_labels=dict(current_bot().kb.messages.evidence_labels),
        front_desk=current_app.config["KIOSK_FRONT_DESK"].strip(),
        clinic_name=current_app.config["CLINIC_NAME"].strip(),
        logo_url=current_app.config["CLINIC_LOGO_URL"].strip(),
        booking_url=current_app.config["CLINIC_BOOKING_URL"].strip(),
    )


@pages.get("/widget.js")
def widget_js():
    return send_from_directory(_static(), "widget.js", mimetype="text/javascript")


@pages.get("/widget.css")
def widget_css():
    return send_from_directory(_static(), "widget.css", mimetype="text/css")
