"""Usage counts for the staff page: replies of each kind per day, and "Was this helpful?" per entry.

Counts only: no question text, no client address, no identifier of any kind. They live in
memory (one process), or in Redis when the rate limits do (`BOT_RATE_LIMIT_STORAGE_URI`
is redis://), so that every worker and machine adds to the same counts. A Redis that is
down or hung costs one short timeout, then the counts go to memory for a while.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections import Counter, deque

from .logs import log

KEEP_DAYS = 60  # days of reply counts kept (and shown)
KEEP_VERSIONS = 10  # content versions feedback may name: those this process served lately
RETRY_REDIS_AFTER = 30.0  # seconds counts stay in memory after a Redis error


def _today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


class UsageCounts:
    """Reply kinds per day and feedback per entry and content version, in memory or in Redis."""

    def __init__(self, storage_uri: str = "memory://", prefix: str = "adhd-bot:usage") -> None:
        self._lock = threading.Lock()
        self._kinds: dict[str, Counter] = {}
        self._feedback: Counter = Counter()
        self._versions: deque[str] = deque(maxlen=KEEP_VERSIONS)
        self._prefix = prefix
        self._redis = None
        self._redis_off_until = 0.0
        if storage_uri.startswith(("redis://", "rediss://")):
            import redis

            self._redis = redis.Redis.from_url(
                storage_uri, socket_timeout=0.2, socket_connect_timeout=0.2, decode_responses=True
            )

    # --- what is counted -------------------------------------------------------------------

    def served(self, version: str, kind: str) -> None:
        """Count one reply of this kind today, served under this content version."""
        with self._lock:
            if version not in self._versions:
                self._versions.append(version)
        day = _today()
        if self._try(lambda r: self._redis_add(r, f"{self._prefix}:kinds:{day}", kind, KEEP_DAYS * 86400)):
            return
        with self._lock:
            self._kinds.setdefault(day, Counter())[kind] += 1
            for old in sorted(self._kinds)[:-KEEP_DAYS]:
                del self._kinds[old]

    def known_version(self, version: str) -> bool:
        """Return whether feedback may name this version (one this process served lately)."""
        with self._lock:
            return version in self._versions

    def feedback(self, entry_id: str, version: str, helpful: bool) -> None:
        """Count one "Was this helpful?" answer for an entry under a content version."""
        field = f"{entry_id}\t{version}\t{'yes' if helpful else 'no'}"
        if self._try(lambda r: self._redis_add(r, f"{self._prefix}:feedback", field, None)):
            return
        with self._lock:
            self._feedback[field] += 1

    # --- what the staff page shows ---------------------------------------------------------

    def kinds_by_day(self) -> list[tuple[str, dict[str, int]]]:
        """Return (day, {kind: count}) for the kept days, newest first."""
        merged: dict[str, Counter] = {}
        with self._lock:
            for day, counts in self._kinds.items():
                merged[day] = Counter(counts)
        stored = self._try(lambda r: self._redis_days(r))
        for day, counts in (stored or {}).items():
            merged.setdefault(day, Counter()).update(counts)
        return [(day, dict(merged[day])) for day in sorted(merged, reverse=True)[:KEEP_DAYS]]

    def feedback_by_entry(self) -> list[dict]:
        """Return [{id, version, yes, no}], most answered first."""
        with self._lock:
            fields = Counter(self._feedback)
        stored = self._try(lambda r: r.hgetall(f"{self._prefix}:feedback"))
        for field, n in (stored or {}).items():
            fields[field] += int(n)
        rows: dict[tuple[str, str], dict] = {}
        for field, n in fields.items():
            entry_id, version, answer = field.split("\t")
            row = rows.setdefault((entry_id, version), {"id": entry_id, "version": version, "yes": 0, "no": 0})
            row[answer] += n
        return sorted(rows.values(), key=lambda r: (-(r["yes"] + r["no"]), r["id"], r["version"]))

    def storage(self) -> str:
        """Return where counts go now: "redis", "memory (Redis unavailable)" or "memory"."""
        if self._redis is None:
            return "memory"
        return "memory (Redis unavailable)" if time.monotonic() < self._redis_off_until else "redis"

    def clear(self) -> None:
        """Forget the counts kept in memory (for tests)."""
        with self._lock:
            self._kinds.clear()
            self._feedback.clear()

    # --- Redis -------------------------------------------------------------------------------

    def _try(self, job):
        """Run job(redis); return its result, or None when there is no Redis or it failed."""
        if self._redis is None or time.monotonic() < self._redis_off_until:
            return None
        try:
            return job(self._redis)
        except Exception as exc:  # noqa: BLE001 - any Redis failure: count in memory instead
            self._redis_off_until = time.monotonic() + RETRY_REDIS_AFTER
            log.warning(json.dumps({"event": "usage_counts_in_memory", "error": type(exc).__name__}))
            return None

    @staticmethod
    def _redis_add(r, key: str, field: str, ttl: int | None) -> bool:
        with r.pipeline() as pipe:
            pipe.hincrby(key, field, 1)
            if ttl:
                pipe.expire(key, ttl)
            pipe.execute()
        return True

    def _redis_days(self, r) -> dict[str, Counter]:
        """Return the kept days' counts from Redis."""
        today = dt.date.fromisoformat(_today())
        days = [(today - dt.timedelta(days=n)).isoformat() for n in range(KEEP_DAYS)]
        with r.pipeline() as pipe:
            for day in days:
                pipe.hgetall(f"{self._prefix}:kinds:{day}")
            found = pipe.execute()
        pairs = zip(days, found, strict=True)
        return {day: Counter({k: int(v) for k, v in counts.items()}) for day, counts in pairs if counts}
