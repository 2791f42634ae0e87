"""Normalisation: fold, stem, typo fixing and synonyms, the same for the index and every question."""

from __future__ import annotations

import datetime

import pytest

from bot.content import load_knowledge_base
from bot.engine import Bot
from bot.normalize import Normalizer, fold, stem

TODAY = datetime.date(2026, 12, 1)


@pytest.fixture(scope="module")
def kb():
    """Load the real content once."""
    return load_knowledge_base(today=TODAY)


@pytest.fixture(scope="module")
def normalizer(kb) -> Normalizer:
    """A normaliser with the real synonyms and no extra vocabulary."""
    return Normalizer(kb.synonyms)


# -------------------------------------------------------------------------- fold


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # case
        ("What Is ADHD", "what is adhd"),
        ("I WANT TO KNOW", "i want to know"),
        ("Stra\u00dfe", "strasse"),
        # accents and compatibility forms
        ("Caf\u00e9", "cafe"),
        ("na\u00efve \u00c9COLE", "naive ecole"),
        ("\uff21\uff24\uff28\uff24", "adhd"),  # full-width letters
        ("\ufb01le", "file"),  # the "fi" ligature
        # apostrophes, straight and curly, dropped inside words
        ("don't", "dont"),
        ("don\u2019t", "dont"),
        ("don\u2018t", "dont"),
        ("don`t", "dont"),
        ("don\u02bct", "dont"),
        ("my son\u2019s meds", "my sons meds"),
        ("don\u00b4t", "dont"),  # an acute accent typed as the apostrophe
        # punctuation and white space
        ("What?!... is, ADHD;", "what is adhd"),
        ("attention-deficit/hyperactivity disorder", "attention deficit hyperactivity disorder"),
        ("snake_case", "snake case"),
        ("Ritalin\u00ae", "ritalin"),
        ("  lots \t of\n space  ", "lots of space"),
        ("!!!", ""),
        ("", ""),
        # digits split from letters
        ("30mg", "30 mg"),
        ("2.5mg", "2 5 mg"),
        ("adhd2", "adhd 2"),
        ("1000 mg", "1000 mg"),
        # runs of three or more equal letters cut to one; pairs kept
        ("soooo tiiired", "so tired"),
        ("I WANT TO DIEEEE", "i want to die"),
        ("seeing a doctor", "seeing a doctor"),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


@pytest.mark.parametrize("text", ["Caf\u00e9 ADHD?!", "soooo   tiiired", "30mg don\u2019t", "\u00c9COLE_2"])
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


# -------------------------------------------------------------------------- stem


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("symptoms", "symptom"),
        ("studies", "study"),
        ("classes", "class"),
        ("glasses", "glass"),
        ("kids", "kid"),
        ("running", "run"),
        ("stopped", "stop"),
        ("falling", "fall"),
        ("missed", "miss"),
        ("working", "work"),
        ("diagnosed", "diagnos"),
        ("diagnosing", "diagnos"),
        ("medications", "medication"),
        # endings that are not plurals are kept
        ("focus", "focus"),
        ("status", "status"),
        ("diagnosis", "diagnosis"),
        # short words, numbers and mixed tokens are left alone
        ("adhd", "adhd"),
        ("is", "is"),
        ("add", "add"),
        ("30", "30"),
        ("ab1", "ab1"),
    ],
)
def test_stem(word: str, expected: str) -> None:
    assert stem(word) == expected


@pytest.mark.parametrize(
    "forms",
    [
        ("symptom", "symptoms"),
        ("diagnosed", "diagnosing"),
        ("medication", "medications"),
        ("work", "works", "working", "worked"),
        ("study", "studies"),
    ],
)
def test_word_forms_meet(forms: tuple[str, ...]) -> None:
    assert len({stem(w) for w in forms}) == 1


def test_stems_folds_then_stems_but_keeps_stopwords() -> None:
    assert Normalizer.stems("What ARE the Symptoms?") == ["what", "are", "the", "symptom"]


# ---------------------------------------------------------------------- synonyms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ADD", ["adhd"]),
        ("add", ["adhd"]),
        ("ADHD", ["adhd"]),
        ("meds", ["medication"]),
        ("medicine", ["medication"]),
        ("Ritalin", ["stimulant", stem("methylphenidate")]),
        ("concerta", ["stimulant", stem("methylphenidate")]),
        ("Adderall", ["stimulant", stem("amphetamine")]),
        ("strattera", ["nonstimulant", stem("atomoxetine")]),
        ("non-stimulant", ["nonstimulant"]),
        ("attention deficit disorder", ["adhd"]),
        ("attention deficit hyperactivity disorder", ["adhd"]),
        ("Attention-Deficit/Hyperactivity Disorder", ["adhd"]),
        ("attention deficit", ["adhd"]),
        ("side affects", ["side", "effect"]),
        ("kick in", ["fast"]),
        ("grown up", ["adult"]),
        ("my son has ADD", ["my", "child", "has", "adhd"]),
        ("ADD meds for kids", ["adhd", "medication", "for", "child"]),
    ],
)
def test_synonyms(normalizer: Normalizer, text: str, expected: list[str]) -> None:
    assert normalizer.tokens(text) == expected


def test_longer_synonym_phrase_wins(normalizer: Normalizer) -> None:
    # "attention" alone is a word of its own; within the full name it is part of "adhd".
    assert normalizer.tokens("attention") == ["attention"]
    assert normalizer.tokens("attention deficit hyperactivity disorder in adults") == ["adhd", "in", "adult"]


@pytest.mark.parametrize(
    "variants",
    [
        ("What is ADD?", "what is adhd", "What is attention-deficit/hyperactivity disorder?"),
        ("ritalin side effects", "Concerta side affects", "methylphenidate side-effects"),
        ("Can my kid take meds?", "can my child take medication", "can my son take medicine"),
    ],
)
def test_variants_share_one_key(normalizer: Normalizer, variants: tuple[str, ...]) -> None:
    assert len({normalizer.key(v) for v in variants}) == 1


def test_content_tokens_drop_stopwords_and_numbers(normalizer: Normalizer) -> None:
    assert normalizer.content_tokens("what is the 30 mg dose for my kid") == ["mg", "dose", "child"]


# ---------------------------------------------------------------- typo correction


@pytest.fixture(scope="module")
def knowing(kb) -> Normalizer:
    """The real synonyms, with a few stems to correct toward."""
    return Normalizer(kb.synonyms, vocabulary=["symptom", "diagnos", "medication", "inattentiv", "impulsiv"])


@pytest.mark.parametrize(
    ("typo", "expected"),
    [
        ("symtoms", "symptom"),
        ("symptons", "symptom"),
        ("diagnozed", "diagnos"),
        ("medicaton", "medication"),
        ("inatentive", "inattentiv"),
        ("impulsve", "impulsiv"),
    ],
)
def test_typos_are_corrected_toward_the_vocabulary(knowing: Normalizer, typo: str, expected: str) -> None:
    assert knowing.tokens(typo) == [expected]


def test_the_vocabulary_only_adds_typo_targets(normalizer: Normalizer, knowing: Normalizer) -> None:
    assert normalizer.tokens("symtoms") == ["symtom"]  # without "symptom" known, nothing to correct toward
    assert "symptom" in knowing.vocabulary
    assert "symptom" not in normalizer.vocabulary
    assert knowing.tokens("my son has ADD") == normalizer.tokens("my son has ADD")  # synonyms kept


def test_the_content_normaliser_trusts_vetted_words_not_a_slip_in_one_alternate(kb) -> None:
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Phrased:
        question: str
        answer: str
        alternates: tuple[str, ...]

    entries = [
        Phrased("What are ADHD symptoms?", "Signs of ADHD.", ("aderall and symptoms",)),
        Phrased("Is Adderall a stimulant?", "Yes.", ("adderall pills", "adderall kids", "adderall teens")),
    ]
    n = Normalizer.for_content(kb.synonyms, entries)
    assert "symptom" in n.vocabulary  # a vetted question's word
    assert "aderal" not in n.vocabulary and "aderall" not in n.vocabulary  # typed once, in one alternate
    assert n.tokens("aderall") == n.tokens("adderall")  # so the slip is still corrected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("sym", "sym"),  # too short to correct
        ("the", "the"),  # a stopword
        ("sympt", "sympt"),  # two edits away is too many for a five-letter word
        ("xymptons", "xympton"),  # two edits and a wrong first letter
        ("adhd", "adhd"),  # already known
    ],
)
def test_words_that_are_not_corrected(knowing: Normalizer, word: str, expected: str) -> None:
    assert knowing.tokens(word) == [expected]


@pytest.fixture(scope="module")
def english(kb) -> Normalizer:
    """The real synonyms, with a few short words that real words sit next to."""
    return Normalizer(kb.synonyms, vocabulary=["had", "test", "still", "last", "other", "mean", "concerta", "school"])


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("stil", "still"),  # a dropped letter
        ("tset", "test"),  # two letters swapped
        ("scool", "school"),
        ("hand", "hand"),  # a changed or added letter in a short word is another word
        ("lost", "lost"),
        ("meen", "meen"),
        ("mother", "mother"),  # a different first letter is not a slip
        ("concern", "concern"),  # seven letters allow one edit, not two
    ],
)
def test_short_and_real_words_are_not_forced_into_known_ones(english: Normalizer, word: str, expected: str) -> None:
    assert english.tokens(word) == [expected]


# -------------------------------------------------------------------------- ages


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("im 34 and think i have adhd", "adult"),
        ("i am 70 years old", "adult"),
        ("diagnosed at 50", "adult"),
        ("my 4yo", "preschooler"),
        ("a 3 yr old", "preschooler"),
        ("a five year old", "preschooler"),
        ("children under 6", "preschooler"),
        ("my son is 8", "child"),
        ("my 9 year old", "child"),
        ("she is 15", "teen"),
        ("im 16", "teen"),
    ],
)
def test_ages_become_the_group_they_belong_to(normalizer: Normalizer, text: str, group: str) -> None:
    tokens = normalizer.tokens(text)
    assert group in tokens
    assert not any(t.isdigit() for t in tokens)


@pytest.mark.parametrize("text", ["born at 30 weeks", "a class of 30", "30 mg", "at 8 pm", "1 in 9 kids", "dsm 5"])
def test_numbers_that_are_not_ages_stay_numbers(normalizer: Normalizer, text: str) -> None:
    assert {"preschooler", "teen", "adult"}.isdisjoint(normalizer.tokens(text))
    assert any(t.isdigit() for t in normalizer.tokens(text))


def test_toddlers_and_preschoolers_are_one_group(normalizer: Normalizer) -> None:
    assert normalizer.content_tokens("toddler") == normalizer.content_tokens("my 3 year old") == ["preschooler"]


# ---------------------------------------------------------------------- negation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("adhd without hyperactivity", ["adhd", "without", "hyperactive", "nonhyperactive"]),
        ("isnt hyper", ["isnt", "hyperactive", "nonhyperactive"]),
        ("not a stimulant", ["nonstimulant"]),  # a synonym of its own
        ("no focus problems", ["no", "attention", "nonattention", "problem"]),
        ("i am not sure", ["i", "am", "not", "sure"]),  # a stopword is not negated
    ],
)
def test_negated_words_are_marked(normalizer: Normalizer, text: str, expected: list[str]) -> None:
    assert normalizer.tokens(text) == [stem(t) if t.isalpha() else t for t in expected]


def test_isnt_a_stimulant_meets_non_stimulant(normalizer: Normalizer) -> None:
    assert "nonstimulant" in normalizer.tokens("medicine that isnt a stimulant")
    assert "nonstimulant" in normalizer.tokens("non-stimulant medicine")


# ------------------------------------------------------------------- one path


PHRASES = [
    "What are the symtoms of ADD in girls?",
    "how fast does Ritalin kick in",
    "My son\u2019s meds: 30mg??",
    "Caf\u00e9 and ADHD \u2014 soooo tired",
]


@pytest.mark.parametrize("text", PHRASES)
def test_same_text_normalises_the_same_every_time(kb, text: str) -> None:
    first = Normalizer(kb.synonyms, vocabulary=["symptom"])
    second = Normalizer(kb.synonyms, vocabulary=["symptom"])
    keys = {first.key(text), first.key(text), second.key(text), first.key(text)}
    assert len(keys) == 1


def test_index_and_query_use_the_same_normalisation(kb) -> None:
    bot = Bot(kb)
    normalizer = bot.matcher.normalizer
    assert bot.matcher.phrases
    for phrase in bot.matcher.phrases:
        # The key stored in the index at load is the key a query with the same text gets.
        assert phrase.key == normalizer.key(phrase.text), phrase.text
        assert phrase.key == " ".join(normalizer.tokens(phrase.text))
    # A second bot over the same content builds the same index.
    assert [p.key for p in Bot(kb).matcher.phrases] == [p.key for p in bot.matcher.phrases]


@pytest.mark.parametrize(("text", "real"), [("mediation", "mediation"), ("a diagnosed child", "diagnosed")])
def test_a_real_english_word_is_never_respelt_into_another(bot, text: str, real: str) -> None:
    """Issue 9: only words that are not English are corrected ("mediation" is not "medication")."""
    normalizer = bot.matcher.normalizer
    assert normalizer.stems(real)[0] in normalizer.tokens(text)
    assert normalizer.tokens("medicaton") == normalizer.tokens("medication")  # a slip is still fixed
