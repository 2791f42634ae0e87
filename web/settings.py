"""Server settings, declared once: name (env var BOT_<name>), default and help; checked at start."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent  # the repository: faq/, static/, templates/


@dataclass(frozen=True)
class Setting:
    """One server setting: name (env var BOT_<name>), default, and what it does."""

    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("FAQ_DIR", str(ROOT / "faq"), "Folder of vetted content (YAML) to serve."),
    Setting("HOST", "127.0.0.1", "Address `python server.py` listens on."),
    Setting("PORT", 8000, "Port `python server.py` listens on."),
    Setting("THREADS", 8, "Worker threads of the waitress server started by `python server.py`."),
    Setting(
        "CONNECTION_LIMIT",
        500,
        "Open connections `python server.py` accepts at once (waitress reads requests on its own I/O "
        "thread, so idle and slow clients take a connection, not a worker thread).",
    ),
    Setting(
        "CHANNEL_TIMEOUT",
        30,
        "Seconds `python server.py` keeps a connection that sends nothing before closing it.",
    ),
    Setting(
        "ALLOWED_ORIGINS",
        "",
        "Comma-separated origins (https://clinic.example) of sites whose pages may call the API from the "
        "widget. Empty: only the server's own origin. `*` allows any site.",
    ),
    Setting("RATE_LIMIT", "30 per minute", "Questions (POST /api/ask) allowed per client."),
    Setting("BROWSE_RATE_LIMIT", "120 per minute", "Topic and entry look-ups (GET /api/...) allowed per client."),
    Setting("RATE_LIMIT_ENABLED", True, "Turn rate limiting off with `false` (for load tests only)."),
    Setting(
        "RATE_LIMIT_STORAGE_URI",
        "memory://",
        "Where rate-limit counters live: `memory://` (one process) or `redis://host:6379` to share them "
        "between workers and machines.",
    ),
    Setting(
        "TRUSTED_PROXIES",
        0,
        "How many reverse proxies in front of the app to trust for X-Forwarded-For and -Proto "
        "(and -Host with BOT_TRUST_FORWARDED_HOST). 0: the headers are ignored and the client is the "
        "connecting address.",
    ),
    Setting(
        "TRUST_FORWARDED_HOST",
        False,
        "Trust X-Forwarded-Host from the trusted proxies (only if the proxy always sets it itself; a "
        "client-set value would name the host of redirects and the API's own origin).",
    ),
    Setting("FRAME_ANCESTORS", "'self'", "CSP frame-ancestors for the demo and kiosk pages (who may frame them)."),
    Setting(
        "STATE_DIR",
        "",
        "Folder for the server's own files: snapshots of the last good content (served when a process "
        "starts while faq/ holds a refused edit) and cached sentence vectors. Empty: .state/ in the "
        "repository. Never inside faq/.",
    ),
    Setting("RELOAD_INTERVAL", 5.0, "Seconds between checks of FAQ_DIR for edits; 0 turns automatic reload off."),
    Setting(
        "RELOAD_SETTLE",
        1.0,
        "Seconds the files of FAQ_DIR must stand still (names, sizes, times) before an edit is loaded, so "
        "a file still being written is never read half-way. Deploys should still write to a temporary "
        "name and rename it into place.",
    ),
    Setting(
        "REPLY_CACHE_SIZE",
        2048,
        "Recent replies kept in memory, keyed by a hash of the question (not its text), so a repeated "
        "question skips matching. 0 turns the cache off.",
    ),
    Setting(
        "FEEDBACK_RATE_LIMIT",
        "20 per minute",
        '"Was this helpful?" answers (POST /api/feedback) allowed per client.',
    ),
    Setting(
        "STAFF_TOKEN",
        "",
        "Turns on the staff status page at /staff (content in service, refused edits, withheld and "
        "due entries, feedback and reply counts) for whoever gives this token. Empty: /staff does not "
        "exist. Use a long random value (at least 16 characters); keep it secret.",
    ),
    Setting(
        "CLINIC_NAME",
        "",
        "The clinic's name, shown with its contact details in the widget and on the kiosk. Empty: the "
        'contact action says "talk to your doctor or clinic".',
    ),
    Setting("CLINIC_PHONE", "", "The clinic's phone number (digits, spaces, +, -, brackets), as a tap-to-call link."),
    Setting("CLINIC_BOOKING_URL", "", "The clinic's booking page (https only), linked from the contact action."),
    Setting(
        "CLINIC_LOGO_URL",
        "",
        "The clinic's logo for the kiosk's welcome screen: a path on this server (for example "
        "/static/clinic-logo.svg; put the file in static/), never another site.",
    ),
    Setting(
        "STARTERS",
        "",
        "Comma-separated entry ids offered as starter questions when the widget opens (4 to 6 read "
        "best). Empty: the fallback topics of faq/messages.yaml. The widget's data-starters wins.",
    ),
    Setting(
        "SERVE_DRAFTS",
        True,
        "Serve entries marked `status: draft` (not yet approved by a clinician). While any served entry "
        "is a draft, the widget and kiosk show one line saying so. `false`: only approved entries are "
        "served (drafts get the fallback); safety replies are always served.",
    ),
    Setting("KIOSK_IDLE_SECONDS", 90, "Seconds (10 to 3600) without a touch before the kiosk wipes the conversation."),
    Setting(
        "KIOSK_FRONT_DESK",
        "Please tell the front desk now. They can help.",
        "The line the kiosk adds to a crisis or emergency reply (the help numbers stay large). Empty: none.",
    ),
    Setting("MAX_CONTENT_LENGTH", 8192, "Largest request body in bytes; larger bodies get 413."),
    Setting(
        "TEST_PAGES",
        False,
        "Serve the test-only page /test/hostile (the demo page under hostile CSS, used by the browser "
        "tests). Leave off on a public server.",
    ),
    Setting("LOG_LEVEL", "INFO", "Log level of the structured JSON logs (DEBUG, INFO, WARNING, ERROR)."),
    Setting("DEBUG", False, "Flask debug mode. Never turn it on for a public server."),
)


_ORIGIN_RE = re.compile(r"^https?://[A-Za-z0-9.\-\[\]:]+$")


def _as_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    if value in (0, 1):
        return bool(value)
    raise ValueError(f"setting BOT_{name} must be true or false, not {value!r}")


def _as_number(name: str, value: Any, kind: type) -> int | float:
    if isinstance(value, bool):
        raise ValueError(f"setting BOT_{name} must be a number, not {value!r}")
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise ValueError(f"setting BOT_{name} must be a number, not {value!r}") from None
    if number < 0 or (kind is float and number != number):
        raise ValueError(f"setting BOT_{name} must be zero or more, not {value!r}")
    return number


def _origins(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list | tuple) else str(value).replace(",", " ").split()
    origins = []
    for item in items:
        origin = str(item).strip().rstrip("/")
        if origin != "*" and not _ORIGIN_RE.match(origin):
            raise ValueError(
                f"setting BOT_ALLOWED_ORIGINS: {item!r} is not an origin like https://clinic.example (no path)"
            )
        origins.append(origin)
    return tuple(origins)


def check_settings(config: dict) -> None:
    """Coerce every declared setting in config to its type; raise ValueError naming a bad one."""
    for s in SETTINGS:
        value = config.get(s.name, s.default)
        if isinstance(s.default, bool):
            value = _as_bool(s.name, value)
        elif isinstance(s.default, int | float):
            value = _as_number(s.name, value, type(s.default))
        elif s.name == "ALLOWED_ORIGINS":
            value = _origins(value)
        elif s.name == "STARTERS" and isinstance(value, list | tuple):
            value = ",".join(str(v) for v in value)
        elif not isinstance(value, str):
            value = str(value)
        config[s.name] = value
    if config["LOG_LEVEL"].upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ValueError(f"setting BOT_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {config['LOG_LEVEL']!r}")
    if not 10 <= config["KIOSK_IDLE_SECONDS"] <= 3600:
        raise ValueError(
            f"setting BOT_KIOSK_IDLE_SECONDS must be 10 to 3600 seconds, not {config['KIOSK_IDLE_SECONDS']!r}"
        )
    phone = config["CLINIC_PHONE"].strip()
    if phone and not re.fullmatch(r"\+?[\d\s().-]{3,30}", phone):
        raise ValueError(f"setting BOT_CLINIC_PHONE must be a phone number like 555-0100, not {phone!r}")
    booking = config["CLINIC_BOOKING_URL"].strip()
    if booking and not re.fullmatch(r"https://[^\s<>\"'`]+", booking):
        raise ValueError(f"setting BOT_CLINIC_BOOKING_URL must be an https:// address, not {booking!r}")
    logo = config["CLINIC_LOGO_URL"].strip()
    if logo and not re.fullmatch(r"/(?!/)[A-Za-z0-9._~/-]+", logo):
        raise ValueError(f"setting BOT_CLINIC_LOGO_URL must be a path here like /static/logo.svg, not {logo!r}")
    config["STARTERS"] = tuple(i.strip() for i in config["STARTERS"].split(",") if i.strip())
    token = config["STAFF_TOKEN"]
    if token and (len(token) < 16 or not token.isprintable() or " " in token):
        raise ValueError("setting BOT_STAFF_TOKEN must be at least 16 characters, with no spaces")
    if config["PORT"] > 65535:
        raise ValueError(f"setting BOT_PORT must be a port number, not {config['PORT']!r}")


def read_settings(config: dict, overrides: dict | None = None) -> dict:
    """Fill config with the defaults, then BOT_* environment variables, then overrides; check them all.

    `config` is a Flask Config (the app's, or a bare one when only the settings are needed).
    """
    config.update({s.name: s.default for s in SETTINGS})
    config.from_prefixed_env("BOT")
    if overrides:
        config.update(overrides)
    check_settings(config)
    return config
