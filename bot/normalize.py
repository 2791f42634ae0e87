"""Normalise text the same way for the index and for every question."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from rapidfuzz.distance import OSA

from .words import english_words, spanish_words

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


class Phrased(Protocol):
    """What the normaliser reads of an FAQ entry (content.Entry)."""

    question: str
    answer: str
    alternates: tuple[str, ...]


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

    @classmethod
    def for_content(cls, synonyms: Mapping[str, str], entries: Iterable[Phrased]) -> Normalizer:
        """The normaliser of this content: typos are fixed toward the FAQ's trusted words.

        Trusted: the words of the vetted questions and answers, and any used by three
        or more phrasings. A slip typed into a single alternate ("aderall") must not
        become a word the bot then never corrects. The loader's collision check and the
        bot use this same normaliser, so "the same phrasing" means one thing.
        """
        texts = tuple((e.question, e.answer, tuple(e.alternates)) for e in entries)
        return _content_normalizer(cls, tuple(sorted(synonyms.items())), texts)

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


# Digits and symbols typed in place of letters ("su1c1de", "k1ll", "$uicide").
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_LEET_WORD = re.compile(r"[\w@$]*[a-z][\w@$]*")
_BANG_I = re.compile(r"(?<=[a-z])[!|](?=[a-z])")  # "su!c!de", "k|ll": a mark inside a word stands for i
# Letters typed apart to slip past filters: "s u i c i d e", "k.m.s", "k-i-l-l".
_SPACED = re.compile(r"(?<![\w])(?:[a-z0-9@$][ .\-_*]{1,2}){2,}[a-z0-9@$](?![\w])")
_SPACED_SLANG = frozenset(("kms", "kys", "ctb", "od"))
SPACED_RUN_MIN = 5  # a shorter run of spaced letters is only joined into one safety word
# Texting words a run of spaced letters may hold besides dictionary words: "s e l f h a r m i n g r n".
_SEGMENT_EXTRA = frozenset("rn u ur im ive cant dont wont idk pls plz tho lol bc cuz wanna gonna kms kys".split())
# A star inside a word hides or pads a letter to slip past filters: "s*icide", "k*ll", "s*uicidal".
_STARRED = re.compile(r"(?<![\w*])[a-z]+(?:\*+[a-z]+)+(?![\w*])")
_STAR_FILLS = ("", "i", "u", "a", "e", "o")
# Number words typed as digits between words: "want 2 die", "going 2 end it".
_DIGIT_WORDS = {"2": "to", "4": "for"}
_DIGIT_BEFORE = frozenset("die kill end hurt cut live be go sleep disappear jump take od overdose myself".split())


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

    return _LEET_WORD.sub(fix, _BANG_I.sub("i", text))


# Spanish is told from English by its small words (accents are often left off on phones).
_ES_WORDS = frozenset(
    """
    que de la el los las un una y en por para con mi mis me se no es esta estoy quiero tengo hijo hija
    como cuando porque pero muy mas ya yo tu su sus lo le nos del al hay puedo puede necesito ayuda
    dice dijo todo todas todos nada tomo trago despierta respira dosis cuantos cuanto cuantas hacer
    vivir morir matarme pastillas medicamento medicina pareja esposo esposa nino nina ella
    tiene tienen creo ahora mucho mucha muchos desde hoy ayer donde tambien algo alguien nadie nunca siempre
    quiere eso esto ese esa ha han bebido comido tomado
    """.split()
)
_EN_WORDS = frozenset(
    """
    the a an and i you he she it we they is are was were be to of in on for with my your his her
    what how why when can do does did not dont im have has my me this that so just want
    """.split()
)


# Spanish inflections, longest first, for es_stem: "muevo" and "mueve" share the stem "muev".
_ES_ENDINGS = tuple(
    sorted(
        """
        iendo ando aron ieron amos emos imos aban ados adas idos idas aste iste aba ado ada ido ida ias ian
        an en as es ar er ir ia o a e s
        """.split(),
        key=len,
        reverse=True,
    )
)


def es_stem(word: str) -> str:
    """Strip one common Spanish ending ("cuidando" -> "cuid", "muevo" -> "muev"), keeping 3 letters or more."""
    for ending in _ES_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def language(text: str, *, accents: bool = False) -> str:
    """Return 'es' when the message reads as Spanish (its small words, or accents), else 'en'."""
    words = fold(text).split()
    if not words:
        return "en"
    # Distinct words: "mi" three times in Jamaican Creole ("mi a go", "mi have") is one Spanish word.
    es = len(_ES_WORDS.intersection(words))
    en = len(_EN_WORDS.intersection(words))
    accents = accents or any(ch in text for ch in "ñáéíóú¿¡")
    # A short message needs no other English word beside its Spanish ones: "see ya" is English.
    short = len(words) <= 3 and es > en and not any(w not in _ES_WORDS and w in english_words() for w in words)
    return "es" if es >= 2 and es > en or (accents and es > en) or short else "en"


class SafetySpelling:
    """The safety reading of a message: look-alike digits, spaced letters and misspelt safety words.

    `words` are the safety words (SafetyData.spelling_words); `known_words` are real words
    that are never respelt into one of them ("painted" must not become "fainted").
    In a Spanish message the common Spanish words, and `spanish_known` (those of the
    Spanish exemplars), are real words too: "puedo" must not become "puede", nor "debo" "dedo".
    """

    def __init__(
        self, words: Iterable[str], known_words: Iterable[str] = (), spanish_known: Iterable[str] = ()
    ) -> None:
        self.vocabulary = frozenset(words)
        self._typos = TypoIndex(self.vocabulary, max_edits=lambda w: 0 if len(w) < 4 else 1 if len(w) < 8 else 2)
        self._known = frozenset(known_words) | STOPWORDS | self.vocabulary | english_words()
        spanish = spanish_words() | _ES_WORDS | frozenset(spanish_known)
        self._known_es = self._known | spanish
        # The word list leaves out many verb forms ("muevo", "cuidando"): a word with the stem of a
        # known Spanish word is a form of it, never respelt into another word ("muevo" into "muero").
        self._es_stems = frozenset(map(es_stem, spanish))
        self._correct = lru_cache(maxsize=8192)(self._correct_uncached)
        self._stems = tuple(w for w in self.vocabulary if len(w) >= 5)

    def _correct_uncached(self, word: str, spanish: bool = False) -> str:
        """Return the safety word this token was probably meant to be."""
        known = self._known_es if spanish else self._known
        if len(word) < 4 or word in known or not word.isalpha():
            return word
        fixed = self._typos.lookup(word, require_first=True)
        if fixed is None:
            return word
        # A known word is only respelt within its own family ("cuting" -> "cutting"),
        # never into another word ("fighting" must not become "fitting").
        if stem(word) in known and stem(fixed) != stem(word):
            return word
        if spanish and es_stem(word) in self._es_stems and es_stem(fixed) != es_stem(word):
            return word
        return fixed

    def _join_spaced(self, match: re.Match[str]) -> str:
        joined = re.sub(r"[ .\-_*]", "", match.group(0))
        plain = joined.translate(_LEET)
        if plain in self.vocabulary or plain in _SPACED_SLANG:
            return plain
        # Several words typed apart as one run: "s e l f h a r m i n g", "k i l l m y s e l f".
        words = self._segment(plain) if len(plain) >= SPACED_RUN_MIN and plain.isalpha() else None
        return " ".join(words) if words else match.group(0)

    def _segment(self, letters: str) -> list[str] | None:
        """Split a run of letters into the fewest known words, or None if it cannot be (or only into crumbs).

        Between splits into as many words, the one with more safety words wins: "going to end it", not "en dit".
        """
        n = len(letters)
        best: list[tuple[int, int, list[str]] | None] = [(0, 0, [])] + [None] * n
        for end in range(1, n + 1):
            for start in range(max(0, end - 20), end):
                head, word = best[start], letters[start:end]
                known = word in self._known or word in _SEGMENT_EXTRA
                if head is None or (len(word) < 2 and word not in ("i", "a", "u")) or not known:
                    continue
                cand = (head[0] + 1, head[1] - (word in self.vocabulary), [*head[2], word])
                if best[end] is None or cand[:2] < best[end][:2]:
                    best[end] = cand
        words = best[n][2] if best[n] else None
        # A split into many short words is a guess ("a b c d e f" is no sentence): 2.5 letters a word at least.
        return words if words and len(words) > 1 and len(words) * 5 <= n * 2 else None

    def _unstar(self, match: re.Match[str]) -> str:
        word = match.group(0)
        candidates = [re.sub(r"\*+", fill, word) for fill in _STAR_FILLS]
        for plain in candidates:
            if plain in self._known:
                return plain
        for plain in candidates:  # a safety word's stem ("suicid*" for "s*icidio")
            if any(plain.startswith(stem) for stem in self._stems):
                return plain
        return word

    def prepare(self, text: str) -> str:
        """Return the normalised, spelling-corrected text the safety rules and detector read."""
        text = _STARRED.sub(self._unstar, _SPACED.sub(self._join_spaced, text.casefold()))
        words = fold(_unleet(text)).split()
        for i, w in enumerate(words[:-1]):
            if w in _DIGIT_WORDS and words[i + 1] in _DIGIT_BEFORE:
                words[i] = _DIGIT_WORDS[w]
        spanish = language(" ".join(words), accents=any(ch in text for ch in "ñáéíóú¿¡")) == "es"
        return " ".join(self._correct(w, spanish) for w in words)


@lru_cache(maxsize=2)
def _content_normalizer(
    cls: type[Normalizer], synonyms: tuple[tuple[str, str], ...], texts: tuple[tuple[str, str, tuple[str, ...]], ...]
) -> Normalizer:
    """Build the content's normaliser once: the loader's collision check and the bot share it."""
    trusted: set[str] = set()
    seen: dict[str, int] = defaultdict(int)
    for question, answer, alternates in texts:
        trusted.update(cls.stems(question))
        trusted.update(cls.stems(answer))
        for text in alternates:
            for stem_ in set(cls.stems(text)):
                seen[stem_] += 1
    trusted.update(t for t, k in seen.items() if k >= 3)
    return cls(dict(synonyms), vocabulary=trusted)


class Reader:
    """Step 2, normalise: read a checked question once, into one Query for every later step.

    Built from the content before the safety check and the matcher, which are both built
    from it: the matcher's normaliser, and the safety reading whose typo fixer never turns
    a word the FAQ uses into a safety word.
    """

    def __init__(
        self,
        entries: Iterable[Phrased],
        synonyms: Mapping[str, str],
        safety_words: Iterable[str],
        spanish_known: Iterable[str] = (),
    ) -> None:
        self.normalizer = Normalizer.for_content(synonyms, entries)
        self.spelling = SafetySpelling(
            safety_words, known_words=self.normalizer.vocabulary, spanish_known=spanish_known
        )

    def query(self, text: str) -> Query:
        """Return the Query of a checked question: matcher tokens and the safety reading."""
        return Query(text, tuple(self.normalizer.tokens(text)), self.spelling.prepare(text))
