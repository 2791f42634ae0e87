"""The safety layer: spot crisis, emergency and dosing requests before any matching."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from .content import SafetyRule
from .normalize import STOPWORDS, TypoIndex, fold, stem

# Digits and symbols typed in place of letters ("su1c1de", "k1ll", "$uicide").
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_LEET_WORD = re.compile(r"[\w@$]*[a-z][\w@$]*")
_PATTERN_WORDS = re.compile(r"[a-z]{4,}")
_REGEX_ESCAPE = re.compile(r"\\[A-Za-z]")  # \b, \s, \w...: not part of a word ("\bslit" is "slit")
_REGEX_STEM = re.compile(r"[a-z]+\\w")  # "overdos\w*" is a stem, not a word to correct toward


def _unleet(text: str) -> str:
    """Read look-alike digits and symbols inside words as the letters they stand for."""

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        if word.isalpha() or word.isdigit():
            return word
        inner = word.strip("0123456789")
        if not inner or inner.isalpha():
            return word  # "30mg", "adhd2" keep their digits
        return word.translate(_LEET)

    return _LEET_WORD.sub(fix, text)


class SafetyCheck:
    """Decide whether a question needs a safety reply, tolerant of spelling slips."""

    def __init__(self, rules: Sequence[SafetyRule], *, known_words: Iterable[str] = ()) -> None:
        self.rules = tuple(rules)
        self._terms = [frozenset(r.terms) for r in self.rules]
        self._patterns = [
            re.compile("|".join(f"(?:{p.pattern})" for p in r.patterns)) if r.patterns else None for r in self.rules
        ]
        words: set[str] = set()
        for rule in self.rules:
            words.update(rule.terms)
            for pattern in rule.patterns:
                text = _REGEX_ESCAPE.sub(" ", _REGEX_STEM.sub(" ", pattern.pattern))
                words.update(_PATTERN_WORDS.findall(text))
        self._typos = TypoIndex(words, max_edits=lambda w: 0 if len(w) < 4 else 1 if len(w) < 8 else 2)
        # Words the bot already knows are left alone: "painted" must not become "fainted".
        self._known = frozenset(known_words) | STOPWORDS | words
        self._correct = lru_cache(maxsize=8192)(self._correct_uncached)

    def _correct_uncached(self, word: str) -> str:
        """Return the safety word this token was probably meant to be."""
        if len(word) < 4 or word in self._known or not word.isalpha():
            return word
        fixed = self._typos.lookup(word, require_first=True)
        if fixed is None:
            return word
        # A known word is only respelt within its own family ("cuting" -> "cutting"),
        # never into another word ("fighting" must not become "fitting").
        if stem(word) in self._known and stem(fixed) != stem(word):
            return word
        return fixed

    def prepare(self, text: str) -> str:
        """Return the normalised, spelling-corrected text the rules run on."""
        return " ".join(self._correct(w) for w in fold(_unleet(text.casefold())).split())

    def check(self, text: str) -> SafetyRule | None:
        """Return the first safety rule (crisis first) the text calls for, or None."""
        prepared = self.prepare(text)
        tokens = set(prepared.split())
        for rule, terms, pattern in zip(self.rules, self._terms, self._patterns, strict=True):
            if tokens & terms or (pattern is not None and pattern.search(prepared)):
                return rule
        return None
