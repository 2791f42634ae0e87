"""Recent replies in memory, keyed by a hash of the content version and the question (never its text)."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict


class ReplyCache:
    """Recent replies, keyed by a hash of content version and question; the question text is not kept."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._replies: OrderedDict[bytes, tuple[bytes, dict]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(version: str, question: str) -> bytes:
        """Return the cache key of a question under one content version."""
        return hashlib.blake2b(f"{version}\0{question}".encode(), digest_size=16).digest()

    def get(self, key: bytes) -> tuple[bytes, dict] | None:
        """Return the cached body and log fields, or None."""
        with self._lock:
            hit = self._replies.get(key)
            if hit is not None:
                self._replies.move_to_end(key)
            return hit

    def clear(self) -> None:
        """Forget every reply (the tests start each case from an empty cache)."""
        with self._lock:
            self._replies.clear()

    def put(self, key: bytes, value: tuple[bytes, dict]) -> None:
        """Keep a reply, dropping the least recently used past the size."""
        if self.size <= 0:
            return
        with self._lock:
            self._replies[key] = value
            self._replies.move_to_end(key)
            while len(self._replies) > self.size:
                self._replies.popitem(last=False)
