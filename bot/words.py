"""The English word list: real words are never "corrected" into other words."""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from importlib import resources

# Words seen at least this often in pyspellchecker's frequency list count as English;
# rarer entries are mostly misspellings and names.
MIN_FREQUENCY = 100


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Return the common English words (lower case), from pyspellchecker's word-frequency list."""
    data = resources.files("spellchecker").joinpath("resources", "en.json.gz").read_bytes()
    counts = json.loads(gzip.decompress(data))
    return frozenset(w for w, n in counts.items() if n >= MIN_FREQUENCY and w.isalpha())
