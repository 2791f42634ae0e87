"""Browser fixtures: the real server in a subprocess, and Debian's Chromium driven by Playwright.

The tests skip only when Chromium is missing on a developer's machine; when the CI
environment variable is set, a missing browser fails the run instead.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from ..support import ServerProcess, free_port, get_json

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"

# Flags for a headless Chromium in a container: no sandbox (no user namespaces), and no
# background traffic of the browser's own (so only the page's requests happen).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
KIOSK_IDLE_SECONDS = 77  # a non-default server setting, to see it reach the kiosk page


def chromium_path() -> str | None:
    """Return the Chromium to drive: $CHROMIUM, else Debian's /usr/bin/chromium, else one on PATH."""
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file():
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class Server:
    """The running server: its base URL, and the port kept for a host site on another origin."""

    url: str
    host_site_port: int

    def get_json(self, path: str) -> dict:
        """Return the JSON the server sends for a GET of path."""
        return get_json(self.url + path)

    def ask(self, question: str) -> dict:
        """Return the API's reply to a question (what the widget must show)."""
        body = json.dumps({"question": question}).encode()
        req = urllib.request.Request(
            self.url + "/api/ask", data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        with urllib.request.urlopen(req, timeout=5) as response:
            return json.load(response)

    def refused(self, question: str) -> dict:
        """Return the body of the 429 the server sends for a question past its limit."""
        try:
            self.ask(question)
        except urllib.error.HTTPError as error:
            assert error.code == 429, error.code
            with error:
                return json.load(error)
        raise AssertionError(f"{question!r} was answered, not refused with a 429")


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """Start `python server.py` on a free port for the whole run; stop it at the end."""
    port, host_site_port = free_port(), free_port()
    env = {
        "BOT_RATE_LIMIT": "10000 per minute",
        "BOT_BROWSE_RATE_LIMIT": "10000 per minute",
        "BOT_KIOSK_IDLE_SECONDS": str(KIOSK_IDLE_SECONDS),
        "BOT_TEST_PAGES": "true",  # /test/hostile
        # The test host site (another origin) may call the API, as a clinic's own website would.
        "BOT_ALLOWED_ORIGINS": f"http://127.0.0.1:{host_site_port}",
        "BOT_RELOAD_INTERVAL": "0",
        "BOT_LOG_LEVEL": "WARNING",
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with ServerProcess("--host", "127.0.0.1", env=env, port=port, log_path=ARTIFACTS / "server.log") as proc:
        yield Server(url=proc.url, host_site_port=host_site_port)


@pytest.fixture(scope="session")
def limited_server() -> Iterator[Server]:
    """Start a second server whose question limit is already used up: ordinary questions get a 429.

    The limit is per client, and the browser and this fixture are the same client (127.0.0.1),
    so the one question allowed an hour is spent here, before any page asks.
    """
    env = {
        "BOT_RATE_LIMIT": "1 per hour",
        "BOT_BROWSE_RATE_LIMIT": "10000 per minute",  # the kiosk's topics still load
        "BOT_RELOAD_INTERVAL": "0",
        "BOT_LOG_LEVEL": "WARNING",
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with ServerProcess("--host", "127.0.0.1", env=env, log_path=ARTIFACTS / "server-limited.log") as proc:
        limited = Server(url=proc.url, host_site_port=0)
        limited.ask("what is adhd")
        assert limited.refused("what is adhd")["resources"], "a 429 must carry the help lines"
        yield limited


# A clinic's settings, as a clinic would brand its widget and lobby kiosk (the tour tests).
CLINIC = {
    "BOT_CLINIC_NAME": "Riverbend Family Clinic",
    "BOT_CLINIC_PHONE": "(555) 010-0142",
    "BOT_CLINIC_BOOKING_URL": "https://riverbend-clinic.example/book",
    "BOT_CLINIC_LOGO_URL": "/static/favicon.svg",
}
STAFF_TOKEN = "tour-staff-token-0123456789"  # the clinic's staff sign in with it (BOT_STAFF_TOKEN)


@pytest.fixture(scope="session")
def branded_server() -> Iterator[Server]:
    """Start a server with a clinic's name, phone, booking page, logo and staff token set."""
    env = {
        **CLINIC,
        "BOT_STAFF_TOKEN": STAFF_TOKEN,
        "BOT_RATE_LIMIT": "10000 per minute",
        "BOT_BROWSE_RATE_LIMIT": "10000 per minute",
        "BOT_RELOAD_INTERVAL": "0",
        "BOT_LOG_LEVEL": "WARNING",
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with ServerProcess("--host", "127.0.0.1", env=env, log_path=ARTIFACTS / "server-branded.log") as proc:
        yield Server(url=proc.url, host_site_port=0)


class _HostSiteHandler(http.server.BaseHTTPRequestHandler):
    """Serve the host site's pages from memory, and its own copy of widget.js and widget.css."""

    def do_GET(self) -> None:
        """Serve a registered page, or the site's copy of the widget files."""
        path = self.path.split("?")[0]
        site: HostSite = self.server.site  # type: ignore[attr-defined]
        if path in site.pages:
            body, csp = site.pages[path]
            kind = "text/html; charset=utf-8"
        elif path in {"/widget.js", "/widget.css"}:
            body = (ROOT / "static" / path[1:]).read_text()
            csp = None
            kind = "text/javascript" if path.endswith(".js") else "text/css"
        else:
            self.send_error(404)
            return
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        if csp:
            self.send_header("Content-Security-Policy", csp)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args) -> None:
        """Keep the test output quiet (no access log)."""


@dataclass
class HostSite:
    """A clinic website on another origin than the bot's server (a second port), for embedding tests."""

    url: str
    pages: dict[str, tuple[str, str]] = field(default_factory=dict)

    def add(self, path: str, html: str, csp: str) -> str:
        """Serve html at path with this Content-Security-Policy; return its full URL."""
        self.pages[path] = (html, csp)
        return self.url + path


@pytest.fixture(scope="session")
def host_site(server: Server) -> Iterator[HostSite]:
    """Run a small web server on another port: a host site on another origin that embeds the widget."""
    site = HostSite(url=f"http://127.0.0.1:{server.host_site_port}")
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", server.host_site_port), _HostSiteHandler)
    httpd.site = site  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield site
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Launch Chromium once for the run (skip without it, but never in CI)."""
    path = chromium_path()
    if path is None:
        message = "Chromium not found (install Debian's chromium, or set CHROMIUM=/path/to/chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI is set, so the browser tests must run", pytrace=False)
        pytest.skip(message)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Pages:
    """Opens pages in fresh browser contexts and records every request and page error."""

    browser: Browser
    base_url: str
    requests: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    contexts: list[BrowserContext] = field(default_factory=list)

    def context(self, **options) -> BrowserContext:
        """Return a new browser context (its own storage and cookies) with the given options."""
        options.setdefault("viewport", {"width": 1280, "height": 800})
        context = self.browser.new_context(base_url=self.base_url, **options)
        context.set_default_timeout(8000)
        context.on("request", lambda request: self.requests.append(request.url))
        context.on("page", self._watch)
        self.contexts.append(context)
        return context

    def _watch(self, page: Page) -> None:
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on(
            "console",
            lambda msg: self.problems.append(f"console: {msg.text}") if "Content Security Policy" in msg.text else None,
        )

    def open(self, path: str = "/", **options) -> Page:
        """Return a new page (in a new context) showing path."""
        page = self.context(**options).new_page()
        if path:
            page.goto(path)
        return page

    def close(self) -> None:
        """Close every context opened."""
        for context in self.contexts:
            context.close()


def _watched_pages(browser: Browser, server: Server) -> Iterator[Pages]:
    opened = Pages(browser, server.url)
    yield opened
    opened.close()
    assert not opened.problems, "\n".join(opened.problems)


@pytest.fixture
def pages(browser: Browser, server: Server) -> Iterator[Pages]:
    """Open pages against the test server; fail on any page error or CSP violation."""
    yield from _watched_pages(browser, server)


@pytest.fixture
def branded_pages(browser: Browser, branded_server: Server) -> Iterator[Pages]:
    """Open pages against the clinic-branded server; fail on any page error or CSP violation."""
    yield from _watched_pages(browser, branded_server)


@pytest.fixture
def page(pages: Pages) -> Page:
    """Return a desktop-sized page with nothing loaded yet."""
    return pages.open("")


@pytest.fixture(scope="session")
def screenshot() -> Callable[[Page, str], Path]:
    """Return a function that saves a screenshot under test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shot(page: Page, name: str, **options) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), **options)
        return path

    return _shot
