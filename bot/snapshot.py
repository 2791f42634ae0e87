"""The last good content, kept across restarts.

Every time content goes into service, a copy of its YAML files is written to the state
folder (`$BOT_STATE_DIR`, else `.state/` in the repository; never inside faq/):

    <state>/snapshots/<place>/<version>/...      the files, as they were loaded
    <state>/snapshots/<place>/<version>/SNAPSHOT.json
    <state>/snapshots/<place>/last-good          the version in service last

`<place>` is a short hash of the content folder's absolute path, so two services (or
two test runs) with different content folders never serve each other's content. The
copy is made in a temporary folder and renamed into place, and `last-good` is replaced
atomically, so a crash half-way leaves the previous snapshot whole. The newest few
snapshots are kept.

A process that starts while faq/ holds a refused edit (a gunicorn worker restarted
after a crash, a timeout or a HUP; `python server.py` restarted after a bad deploy)
serves the last good snapshot instead of refusing to start; see bot/live.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path

log = logging.getLogger("bot.snapshot")

REPO_ROOT = Path(__file__).resolve().parent.parent
KEEP = 3  # snapshots kept per content folder (the one in service always among them)
MARKER = "SNAPSHOT.json"
POINTER = "last-good"


def state_root() -> Path:
    """Return the state folder: $BOT_STATE_DIR, else .state/ in the repository."""
    state = os.environ.get("BOT_STATE_DIR", "").strip()
    return Path(state) if state else REPO_ROOT / ".state"


def snapshot_files(faq_dir: Path) -> list[Path]:
    """Return every YAML file under the content folder (answers, detector data, matcher data)."""
    return sorted(p for p in faq_dir.rglob("*.yaml") if p.is_file() and not p.name.startswith("."))


def _place(faq_dir: Path, state: Path) -> Path:
    key = hashlib.sha256(str(Path(faq_dir).resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return state / "snapshots" / key


def save(faq_dir: str | Path, version: str, *, state: Path | None = None) -> Path | None:
    """Keep a copy of the content in service; return its folder, or None if it could not be written.

    A state folder that cannot be written (read-only disk, full disk) is logged and
    otherwise ignored: serving never depends on it.
    """
    faq_dir = Path(faq_dir)
    place = _place(faq_dir, state or state_root())
    target = place / version
    try:
        if not (target / MARKER).is_file():
            place.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(dir=place, prefix=".tmp-"))
            try:
                files = []
                for path in snapshot_files(faq_dir):
                    rel = path.relative_to(faq_dir)
                    (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, tmp / rel)
                    files.append(rel.as_posix())
                meta = {
                    "version": version,
                    "saved_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "files": files,
                }
                (tmp / MARKER).write_text(json.dumps(meta, indent=1), encoding="utf-8")
                try:
                    tmp.rename(target)
                except OSError:
                    if not (target / MARKER).is_file():  # not another process winning the same race
                        raise
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        _write_pointer(place, version)
        _prune(place, keep=version)
        return target
    except OSError as exc:
        log.warning(json.dumps({"event": "snapshot_not_saved", "error": exc.strerror or type(exc).__name__}))
        return None


def _write_pointer(place: Path, version: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=place, prefix=".last-good-")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(version + "\n")
    os.replace(tmp, place / POINTER)


def _prune(place: Path, *, keep: str) -> None:
    """Remove all but the newest KEEP snapshots (never the one just put into service)."""
    snaps = [p for p in place.iterdir() if p.is_dir() and (p / MARKER).is_file()]
    snaps.sort(key=lambda p: (p.name == keep, (p / MARKER).stat().st_mtime), reverse=True)
    for old in snaps[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)


def latest(faq_dir: str | Path, *, state: Path | None = None) -> Path | None:
    """Return the folder of the last good snapshot of this content folder, or None if there is none."""
    place = _place(Path(faq_dir), state or state_root())
    try:
        version = (place / POINTER).read_text(encoding="utf-8").strip()
        if version and (place / version / MARKER).is_file():
            return place / version
    except OSError:
        pass
    try:  # no pointer (or a stale one): the newest whole snapshot
        snaps = [p for p in place.iterdir() if p.is_dir() and (p / MARKER).is_file()]
    except OSError:
        return None
    return max(snaps, key=lambda p: (p / MARKER).stat().st_mtime, default=None)


__all__ = ["latest", "save", "snapshot_files", "state_root"]
