"""Content reload without downtime: serve the last good Bot and swap in edits that load cleanly.

Clinic staff edit faq/ while the server runs. ``LiveBot`` keeps one loaded ``Bot`` in
service and, every ``interval`` seconds at most, compares the files' names, sizes and
modification times with those it loaded. A change is loaded in a background thread
(requests keep getting the old bot meanwhile); if the new content fails validation the
edit is refused, the problems are logged with file, entry id and field, and the old
bot stays in service until a later edit loads cleanly.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .content import content_files, content_version
from .engine import Bot, load_bot
from .errors import ContentError, ContentProblem

log = logging.getLogger("bot.live")

Fingerprint = tuple[tuple[str, int, int], ...]


def fingerprint(faq_dir: Path) -> Fingerprint:
    """Return the name, size and modification time of every YAML file of the content."""
    rows = []
    for path in content_files(faq_dir):
        try:
            st = path.stat()
        except FileNotFoundError:  # removed between glob and stat: the next check sees it
            continue
        rows.append((path.relative_to(faq_dir).as_posix(), st.st_size, st.st_mtime_ns))
    return tuple(rows)


@dataclass(frozen=True)
class RefusedEdit:
    """An edit of faq/ that failed validation and was not put into service."""

    at: str
    version: str
    problems: tuple[ContentProblem, ...]

    def to_dict(self) -> dict:
        """Return the refusal as plain data (for /healthz and logs)."""
        return {
            "at": self.at,
            "version": self.version,
            "problems": [
                {"file": p.file, "entry_id": p.entry_id, "field": p.field, "message": p.message}
                for p in self.problems
                if p.severity == "error"
            ],
        }


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class LiveBot:
    """Hold the Bot in service and reload it when faq/ changes; thread-safe."""

    def __init__(
        self,
        faq_dir: str | Path,
        *,
        interval: float = 5.0,
        loader: Callable[[Path], Bot] = load_bot,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.faq_dir = Path(faq_dir)
        self.interval = interval
        self._loader = loader
        self._clock = clock
        self._seen = fingerprint(self.faq_dir)
        self._bot = loader(self.faq_dir)  # a bad faq/ at start raises: nothing is served
        self.refused: RefusedEdit | None = None
        self._checking = threading.Lock()
        self._next_check = clock() + interval

    @property
    def bot(self) -> Bot:
        """Return the bot in service, starting a background check for edits when one is due."""
        self.poll()
        return self._bot

    @property
    def current(self) -> Bot:
        """Return the bot in service without checking for edits."""
        return self._bot

    def poll(self) -> None:
        """Start a background check for edits if the interval has passed and none is running."""
        if self.interval <= 0 or self._clock() < self._next_check:
            return
        if not self._checking.acquire(blocking=False):
            return
        self._next_check = self._clock() + self.interval
        threading.Thread(target=self._check_locked, name="faq-reload", daemon=True).start()

    def check(self) -> str:
        """Check faq/ now and reload it if it changed; return "unchanged", "reloaded" or "refused"."""
        with self._checking:
            return self._check(fingerprint(self.faq_dir))

    def _check_locked(self) -> None:
        try:
            self._check(fingerprint(self.faq_dir))
        except Exception:  # never let a reload crash the thread silently
            log.exception(json.dumps({"event": "content_reload_failed"}))
        finally:
            self._checking.release()

    def _check(self, seen: Fingerprint) -> str:
        if seen == self._seen:
            return "refused" if self.refused else "unchanged"
        self._seen = seen
        try:
            version = content_version(self.faq_dir)
        except OSError:
            version = "unreadable"
        if version == self._bot.version:  # touched or saved without a change
            self.refused = None
            return "unchanged"
        try:
            new_bot = self._loader(self.faq_dir)
        except (ContentError, OSError) as exc:
            problems = (
                exc.problems
                if isinstance(exc, ContentError)
                else (ContentProblem(str(exc.filename or self.faq_dir), None, None, f"cannot read: {exc.strerror}"),)
            )
            self.refused = RefusedEdit(at=_now(), version=version, problems=problems)
            log.error(
                json.dumps(
                    {"event": "content_refused", "in_service": self._bot.version, **self.refused.to_dict()},
                    ensure_ascii=False,
                )
            )
            return "refused"
        self._bot = new_bot
        self.refused = None
        log.info(
            json.dumps({"event": "content_reloaded", "version": new_bot.version, "entries": len(new_bot.kb.entries)})
        )
        return "reloaded"
