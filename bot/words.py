"""The English and Spanish word lists: real words are never "corrected" into other words."""

from __future__ import annotations

import gzip
import json
import unicodedata
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


@lru_cache(maxsize=1)
def spanish_words() -> frozenset[str]:
    """Return the common Spanish words (lower case, accents taken off), from pyspellchecker's Spanish list.

    The list leaves out many everyday verb forms ("puedo", "debo", "estoy"), so the safety
    reading adds the Spanish words of its own lexicons and exemplars to it.
    """
    data = resources.files("spellchecker").joinpath("resources", "es.json.gz").read_bytes()
    counts = json.loads(gzip.decompress(data))
    return frozenset(_plain(w) for w, n in counts.items() if n >= MIN_FREQUENCY and w.isalpha())


def _plain(word: str) -> str:
    """Return the word without accents ("qué" -> "que"), as the safety reading folds it."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))
