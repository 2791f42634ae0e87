"""Normalise text the same way for the index and for every question."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

# Words that carry no topic on their own. Question words are here too: the topic
# words around them decide the match ("how fast", "how common" keep their content).
STOPWORDS = frozenset(
    """
    a about above after again all am an and any anybody anyone anything are as at be been being
    but by can cant could couldnt did didnt do does doesnt doing dont down during each
    else ever every for from get gets getting got had has have havent having he hed hell
    her here hers herself hes hey hi him himself his how hows i id ill im i'm in into is
    isnt it its itself ive just kind like lot lots may me might mine more most much must my
    myself need needs of off oh ok okay on once one only or other our ours out over
    own please pls really same say she shes should so some someone something such tell
    than thank thanks that thats the their theirs them themselves then there theres
    these they theyre thing things this those thx to too u um ur us very want wanna was
    wasnt way we were what whats when where which while who whos whom why will with
    wonder wondering would wouldnt yeah yes yet you youd youll your youre yours
    yourself
    """.split()
)

_APOSTROPHES = re.compile(r"[\u2019\u2018'`\u00b4\u02bc]")
_NON_WORD = re.compile(r"[^\w]+|_+")
_DIGIT_LETTER = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")
_REPEATS = re.compile(r"([^\W\d_])\1{2,}")


def fold(text: str) -> str:
    """Lower-case, strip accents and punctuation, and collapse white space."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = _APOSTROPHES.sub("", text)
    text = _NON_WORD.sub(" ", text)
    text = _DIGIT_LETTER.sub(" ", text)  # "30mg" -> "30 mg"
    text = _REPEATS.sub(r"\1", text)  # "soooo" -> "so", "diiie" -> "die"
    return " ".join(text.split())


def stem(word: str) -> str:
    """Strip common English endings so that word forms meet (a light stemmer)."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("ing") and len(word) > 5:
        word = word[:-3]
        if len(word) > 2 and word[-1] == word[-2] and word[-1] not in "lsz":
            word = word[:-1]
    elif word.endswith("ed") and len(word) > 4:
        word = word[:-2]
        if len(word) > 2 and word[-1] == word[-2] and word[-1] not in "lsz":
            word = word[:-1]
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def _max_edits(word: str) -> int:
    """Return how many typing errors a word of this length may carry."""
    if len(word) < 4:
        return 0
    if len(word) <= 6:
        return 1
    if len(word) <= 10:
        return 2
    return 3


class Normalizer:
    """Turn text into matching tokens: fold, stem, fix typos, apply synonyms."""

    def __init__(
        self,
        synonyms: Mapping[str, str] | None = None,
        *,
        stopwords: Iterable[str] = STOPWORDS,
        vocabulary: Iterable[str] = (),
    ) -> None:
        self.stopwords = frozenset(stopwords)
        self._phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
        for key, value in (synonyms or {}).items():
            self._phrases[tuple(self.stems(key))] = tuple(self.stems(value))
        self._longest = max((len(k) for k in self._phrases), default=1)
        keys = {t for k in self._phrases for t in k}
        self.vocabulary = frozenset(set(vocabulary) | keys)
        self._choices = sorted(t for t in self.vocabulary if t.isalpha() and len(t) >= 3)
        self.correct = lru_cache(maxsize=8192)(self._correct)

    def with_vocabulary(self, vocabulary: Iterable[str]) -> Normalizer:
        """Return a copy that also corrects typos toward these stems."""
        twin = Normalizer.__new__(Normalizer)
        twin.stopwords = self.stopwords
        twin._phrases = self._phrases
        twin._longest = self._longest
        twin.vocabulary = frozenset(self.vocabulary | set(vocabulary))
        twin._choices = sorted(t for t in twin.vocabulary if t.isalpha() and len(t) >= 3)
        twin.correct = lru_cache(maxsize=8192)(twin._correct)
        return twin

    @staticmethod
    def stems(text: str) -> list[str]:
        """Fold text and stem each word (no typo fixing, no synonyms)."""
        return [w if w in STOPWORDS else stem(w) for w in fold(text).split()]

    def _correct(self, word: str) -> str:
        """Return the known stem closest to an unknown word, or the word itself."""
        limit = _max_edits(word)
        if not limit or word in self.vocabulary or word in self.stopwords or not word.isalpha():
            return word
        hit = process.extractOne(word, self._choices, scorer=OSA.distance, score_cutoff=limit)
        if hit is None:
            return word
        # A wrong first letter is a rarer typo than a wrong middle; ask for more then.
        if hit[0][0] != word[0] and hit[1] > 1:
            return word
        return hit[0]

    def tokens(self, text: str) -> list[str]:
        """Return the normalised tokens of text, stopwords included."""
        words = [self.correct(w) for w in self.stems(text)]
        out: list[str] = []
        i = 0
        phrases = self._phrases
        while i < len(words):
            for size in range(min(self._longest, len(words) - i), 0, -1):
                repl = phrases.get(tuple(words[i : i + size]))
                if repl is not None:
                    out.extend(repl)
                    i += size
                    break
            else:
                out.append(words[i])
                i += 1
        return out

    def content_tokens(self, text: str) -> list[str]:
        """Return the normalised tokens that carry topic (no stopwords or numbers)."""
        stop = self.stopwords
        return [t for t in self.tokens(text) if t not in stop and not t.isdigit()]

    def key(self, text: str) -> str:
        """Return the comparison key of a phrase: its normalised tokens joined."""
        return " ".join(self.tokens(text))
