"""Readability measures for answers (Flesch-Kincaid grade via textstat)."""

from __future__ import annotations

from functools import lru_cache

import textstat


@lru_cache(maxsize=1024)
def grade_level(text: str) -> float:
    """Return the Flesch-Kincaid grade level of text."""
    return float(textstat.flesch_kincaid_grade(text))


def word_count(text: str) -> int:
    """Return the number of words in text, as a reader would count them."""
    return len(text.split())
