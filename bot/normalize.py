"""Normalise text the same way for the index and for every question."""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

from .words import english_words

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
    yourself r even actually actualy exactly basically literally honestly anyway also still
    maybe probably guess sure pls plz wat wut
    """.split()
)

_APOSTROPHES = re.compile(r"[\u2019\u2018'`\u00b4\u02bc]")
_NON_WORD = re.compile(r"[^\w]+|_+")
_DIGIT_LETTER = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")
_REPEATS = re.compile(r"([^\W\d_])\1{2,}")

# Ages say who a question is about: "im 34", "my 4yo", "diagnosed at 50". Each age
# becomes the word for its group, so it meets the entries written for that group.
_NUMBER_WORDS = dict(
    zip(
        "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen".split(),
        range(1, 17),
        strict=True,
    )
)
# Words before a number that make it an age: "im 34", "i am 34", "she is 7", "at 50".
_AGE_BEFORE = frozenset("im am is turned turn turning age aged at under".split())
# Words (stemmed) after a number that make it something else: "at 30 weeks", "at 8 pm".
_NOT_AGE_AFTER = frozenset(
    "week month day hour hr hrs minut min mins time mg milligram kg lb pound percent pm am oclock".split()
)


def age_group(age: int) -> str:
    """Return the word for the group a person of this age belongs to."""
    if age < 6:
        return "preschooler"
    if age < 13:
        return "child"
    if age < 18:
        return "teen"
    return "adult"


def _ages(words: list[str]) -> list[str]:
    """Replace ages in stemmed words with their group ("my 4 year old" -> "my preschooler")."""
    # isdecimal, not isdigit: int() takes any script's decimal digits, but not the other
    # "digits" (circled, superscript, Ethiopic ones), which once gave a 500.
    if not any(w.isdecimal() or w in _NUMBER_WORDS for w in words):
        return words
    out: list[str] = []
    i = 0
    n = len(words)
    while i < n:
        word = words[i]
        age = int(word) if word.isdecimal() and len(word) <= 2 else _NUMBER_WORDS.get(word)
        nxt = words[i + 1] if i + 1 < n else ""
        if age is not None and age > 0:
            if nxt in ("year", "yr", "yrs") and i + 2 < n and words[i + 2] == "old":
                out.append(age_group(age))  # "7 year old", "3 yrs old"
                i += 3
                continue
            if nxt == "yo":
                out.append(age_group(age))  # "4yo", folded to "4 yo"
                i += 2
                continue
            if word.isdecimal() and out and out[-1] in _AGE_BEFORE and nxt not in _NOT_AGE_AFTER:
                # "under 6" means younger than 6.
                out.append(age_group(age - 1 if out[-1] == "under" else age))
                i += 1
                continue
        out.append(word)
        i += 1
    return out


# Words that say the next one is absent ("not hyper", "without meds", "no focus
# problems"), and the small words that may come between ("isnt a stimulant").
NEGATIONS = frozenset("no not without isnt arent non".split())
_NEGATION_FILLERS = frozenset("a an the be being very really so that just even".split())


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lower-case, strip accents and punctuation, and collapse white space."""
    text = _APOSTROPHES.sub("", text)  # before NFKD, which splits U+00B4 into a space and an accent
    if text.isascii():
        text = text.lower()
    else:
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
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


# Words this long or shorter are only corrected for a dropped or swapped letter
# (see TypoIndex).
SHORT_WORD = 5


def _max_edits(word: str) -> int:
    """Return how many typing errors a word of this length may carry."""
    if len(word) < 4:
        return 0
    if len(word) <= 7:
        return 1  # two edits turn too many seven-letter words into others ("concern")
    if len(word) <= 10:
        return 2
    return 3


def _deletes(word: str, edits: int) -> set[str]:
    """Return every string made by deleting up to `edits` letters from word."""
    out = {word}
    frontier = {word}
    for _ in range(edits):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


@dataclass(frozen=True)
class Query:
    """One question, normalised once (step 2) for every later step: safety, both matchers, the decision.

    `text` is the checked question as typed (question.py); `tokens` are the matcher's
    normalised tokens (folded, stemmed, ages named, typos fixed, synonyms, negation);
    `safety_text` is what the safety rules and the detector read (look-alike digits,
    spaced letters and safety-word typos read as words). Built by Bot.query().
    """

    text: str
    tokens: tuple[str, ...]
    safety_text: str

    @property
    def prepared(self) -> str:
        """The tokens as one string: what the learned matcher reads."""
        return " ".join(self.tokens)


class TypoIndex:
    """Find the known word closest to a misspelt one (symmetric-delete lookup).

    Two words within k edits share a string made by deleting at most k letters from
    each, so a lookup costs a few dictionary probes instead of a scan of the whole
    vocabulary; rapidfuzz's OSA distance (a swap of two letters is one edit) then
    checks the few candidates.

    `strict=True` is for a vocabulary of a few hundred words standing in for all of
    English: only words with the same first letter are offered ("mother" is not a
    slip for "other"), and words of up to SHORT_WORD letters are only corrected for a
    dropped letter ("stil") or two swapped ones ("tset"), since a changed or added
    letter in a short word more often makes another real word ("hand", "lost").
    """

    def __init__(
        self, words: Iterable[str], *, max_edits: Callable[[str], int] = _max_edits, strict: bool = False
    ) -> None:
        self.max_edits = max_edits
        self.strict = strict
        self.words = frozenset(w for w in words if w.isalpha() and len(w) >= 3)
        index: dict[str, list[str]] = {}
        for word in sorted(self.words):
            for key in _deletes(word, min(3, max_edits(word + "xx"))):
                index.setdefault(key, []).append(word)
        self._index = index

    def _plausible(self, word: str, cand: str) -> bool:
        """Return True if cand may be what was meant by word (always, unless strict)."""
        if not self.strict:
            return True
        if cand[0] != word[0]:
            return False
        return len(word) > SHORT_WORD or len(cand) > len(word) or sorted(cand) == sorted(word)

    def lookup(self, word: str, *, require_first: bool = False) -> str | None:
        """Return the closest known word within the edits allowed for word, or None."""
        limit = self.max_edits(word)
        if not limit:
            return None
        best: tuple[int, str] | None = None
        index = self._index
        for key in _deletes(word, limit):
            for cand in index.get(key, ()):
                dist = OSA.distance(word, cand, score_cutoff=limit)
                if dist <= limit and (best is None or (dist, cand) < best) and self._plausible(word, cand):
                    best = (dist, cand)
        if best is None:
            return None
        # A wrong first letter is a rarer slip than a wrong middle one.
        if best[1][0] != word[0] and (require_first or best[0] > 1):
            return None
        return best[1]


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
        self._index_choices()

    def _index_choices(self) -> None:
        """Index the known stems for typo lookups."""
        self._typos = TypoIndex(self.vocabulary, strict=True)
        self.correct = lru_cache(maxsize=8192)(self._correct)

    def with_vocabulary(self, vocabulary: Iterable[str]) -> Normalizer:
        """Return a copy that also corrects typos toward these stems."""
        twin = copy.copy(self)
        twin.vocabulary = frozenset(self.vocabulary | set(vocabulary))
        twin._index_choices()
        return twin

    @staticmethod
    def stems(text: str) -> list[str]:
        """Fold text and stem each word (no typo fixing, no synonyms)."""
        return [w if w in STOPWORDS else stem(w) for w in fold(text).split()]

    def _correct(self, word: str) -> str:
        """Return the known stem closest to an unknown word, or the word itself."""
        if word in self.vocabulary or word in self.stopwords or not word.isalpha():
            return word
        return self._typos.lookup(word) or word

    def tokens(self, text: str) -> list[str]:
        """Return the normalised tokens of text, stopwords included.

        Typos are fixed only in words that are not real English words (pyspellchecker's
        common words, bot/words.py): "mediation" stays "mediation", never "medication".
        """
        folded = fold(text).split()
        stems = [w if w in STOPWORDS else stem(w) for w in folded]
        english = english_words()
        real = {s for w, s in zip(folded, stems, strict=True) if w in english}
        words = [w if w in real else self.correct(w) for w in _ages(stems)]
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
        return self._negate(out)

    def _negate(self, tokens: list[str]) -> list[str]:
        """Mark words said to be absent: "no hyperactivity" -> "no hyperactive nonhyperactive"."""
        if NEGATIONS.isdisjoint(tokens):
            return tokens
        out: list[str] = []
        negated = False
        for t in tokens:
            if t in NEGATIONS:
                negated = True
                out.append(t)
            elif negated and t in _NEGATION_FILLERS:
                out.append(t)
            elif negated and t not in self.stopwords and t.isalpha():
                # The word stays (the question is still about it) and its negation is
                # added, which meets phrasings that say the same ("isnt hyper").
                out += (t, "non" + t)
                negated = False
            else:
                negated = False
                out.append(t)
        return out

    def content_tokens(self, text: str) -> list[str]:
        """Return the normalised tokens that carry topic (no stopwords or numbers)."""
        return self.content(self.tokens(text))

    def content(self, tokens: list[str]) -> list[str]:
        """Keep the tokens that carry topic: drop stopwords and numbers."""
        stop = self.stopwords
        return [t for t in tokens if t not in stop and not t.isdigit()]

    def key(self, text: str) -> str:
        """Return the comparison key of a phrase: its normalised tokens joined."""
        return " ".join(self.tokens(text))
