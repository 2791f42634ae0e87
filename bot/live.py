"""Content reload without downtime: serve the last good Bot and swap in edits that load cleanly.

Clinic staff edit faq/ while the server runs. ``LiveBot`` keeps one loaded ``Bot`` in
service and, every ``interval`` seconds at most, compares the files' names, sizes and
modification times with those it loaded. A change is loaded in a background thread
(requests keep getting the old bot meanwhile); if the new content fails validation the
edit is refused, the problems are logged with file, entry id and field, and the old
bot stays in service until a later edit loads cleanly.

Each content that goes into service is also kept as a snapshot in the state folder
(bot/snapshot.py). A process that starts while faq/ holds a refused edit serves the
last good snapshot (and says so: `degraded`), so a restarted worker never takes the
service down; it refuses to start only when there is no good snapshot at all.
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

from . import snapshot
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

    def public(self) -> dict:
        """Return what the public /healthz may show: when, which version, how many problems.

        The problems themselves (files, entry ids, fields, draft text, paths) go to the log
        (`content_refused`) and to `python -m bot lint`, never to the public.
        """
        return {
            "at": self.at,
            "version": self.version,
            "problem_count": sum(p.severity == "error" for p in self.problems),
        }


def content_version_or_unreadable(faq_dir: Path) -> str:
    """Return the content version of a folder, or "unreadable"."""
    try:
        return content_version(faq_dir)
    except OSError:
        return "unreadable"


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
        state_dir: str | Path | None = None,
        settle: float = 0.0,
    ) -> None:
        self.faq_dir = Path(faq_dir)
        self.interval = interval
        # A background check loads an edit only once the files' names, sizes and times have
        # stood still this many seconds: a file still being written is not read half-way.
        self.settle = settle
        self._loader = loader
        self._clock = clock
        self._state = Path(state_dir) if state_dir is not None else snapshot.state_root()
        self._seen = fingerprint(self.faq_dir)
        self.refused: RefusedEdit | None = None
        # Why the content in service is not what faq/ holds (started from a snapshot), or "".
        self.degraded = ""
        try:
            self._bot = loader(self.faq_dir)
        except (ContentError, OSError) as exc:
            self._bot = self._start_from_snapshot(exc)  # raises again when there is none
        else:
            snapshot.save(self.faq_dir, self._bot.version, state=self._state)
        self._checking = threading.Lock()
        self._again = False  # a forced check was asked for while one ran
        self._next_check = clock() + interval

    def _start_from_snapshot(self, exc: ContentError | OSError) -> Bot:
        """Return the bot of the last good snapshot, after a refused start; re-raise if there is none."""
        last = snapshot.latest(self.faq_dir, state=self._state)
        if last is None:
            raise exc  # nothing good was ever served from this folder: fail closed
        try:
            bot = self._loader(last)
        except (ContentError, OSError):
            log.exception(json.dumps({"event": "snapshot_unusable", "snapshot": last.name}))
            raise exc from None
        self.refused = self._refusal(exc, content_version_or_unreadable(self.faq_dir))
        self.degraded = (
            f"faq/ was refused at start ({len(self.refused.to_dict()['problems'])} problem(s)); "
            f"serving the last good content, version {bot.version}"
        )
        log.error(
            json.dumps(
                {"event": "content_refused_at_start", "in_service": bot.version, **self.refused.to_dict()},
                ensure_ascii=False,
            )
        )
        return bot

    def _refusal(self, exc: ContentError | OSError, version: str) -> RefusedEdit:
        problems = (
            exc.problems
            if isinstance(exc, ContentError)
            else (ContentProblem(str(exc.filename or self.faq_dir), None, None, f"cannot read: {exc.strerror}"),)
        )
        return RefusedEdit(at=_now(), version=version, problems=problems)

    @property
    def bot(self) -> Bot:
        """Return the bot in service, starting a background check for edits when one is due."""
        self.poll()
        return self._bot

    @property
    def current(self) -> Bot:
        """Return the bot in service without checking for edits."""
        return self._bot

    def poll(self, *, force: bool = False) -> None:
        """Start a background check for edits if the interval has passed (or `force`) and none is running.

        Never blocks and never loads on the calling thread: a SIGHUP handler calls
        `poll(force=True)`, which only starts the check. Checks are serialised: a forced
        check asked for while one runs is run by that thread when it is done.
        """
        if not force and (self.interval <= 0 or self._clock() < self._next_check):
            return
        if not self._checking.acquire(blocking=False):
            if force:
                self._again = True
            return
        self._next_check = self._clock() + self.interval
        threading.Thread(target=self._check_locked, name="faq-reload", daemon=True).start()

    def check(self) -> str:
        """Check faq/ now and reload it if it changed; return "unchanged", "reloaded" or "refused"."""
        with self._checking:
            return self._check(fingerprint(self.faq_dir))

    def _check_locked(self) -> None:
        try:
            while True:
                self._again = False
                self._check_settled()
                if not self._again:
                    break
        finally:
            self._checking.release()

    def _check_settled(self) -> None:
        try:
            seen = fingerprint(self.faq_dir)
            if seen != self._seen and self.settle > 0:
                seen = self._settled(seen)
                if seen is None:
                    return  # still being written: the next check tries again
            self._check(seen)
        except Exception:  # never let a reload crash the thread silently
            log.exception(json.dumps({"event": "content_reload_failed"}))

    def _settled(self, seen: Fingerprint, *, tries: int = 5) -> Fingerprint | None:
        """Return the fingerprint once it has not changed for `settle` seconds, or None if it keeps changing."""
        for _ in range(tries):
            time.sleep(self.settle)
            now = fingerprint(self.faq_dir)
            if now == seen:
                return now
            seen = now
        log.info(json.dumps({"event": "content_still_changing", "settle_seconds": self.settle}))
        return None

    def _check(self, seen: Fingerprint) -> str:
        if seen == self._seen:
            return "refused" if self.refused else "unchanged"
        self._seen = seen
        version = content_version_or_unreadable(self.faq_dir)
        if version == self._bot.version:  # touched or saved without a change
            self.refused = None
            self.degraded = ""
            return "unchanged"
        try:
            new_bot = self._loader(self.faq_dir)
        except (ContentError, OSError) as exc:
            self.refused = self._refusal(exc, version)
            log.error(
                json.dumps(
                    {"event": "content_refused", "in_service": self._bot.version, **self.refused.to_dict()},
                    ensure_ascii=False,
                )
            )
            return "refused"
        self._bot = new_bot
        self.refused = None
        self.degraded = ""
        snapshot.save(self.faq_dir, new_bot.version, state=self._state)
        log.info(
            json.dumps({"event": "content_reloaded", "version": new_bot.version, "entries": len(new_bot.kb.entries)})
        )
        return "reloaded"
