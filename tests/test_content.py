"""The content as code: every catalog entry exists, loads, lints and says what it must."""

from __future__ import annotations

import re

import pytest

from bot.content import DOSE_RE, MAX_GRADE
from bot.lint import lint
from bot.readability import grade_level

CATALOG = """
adhd-overview adhd-causes adhd-prevalence adhd-in-adults types-overview type-inattentive
type-hyperactive-impulsive type-combined symptoms-children symptoms-adults symptoms-girls-women
diagnosis co-occurring-conditions treatment-overview treatment-young-children medication-stimulants
medication-nonstimulants medication-side-effects medication-how-fast behavioral-therapy school-support
lifestyle antidepressants-adhd ketamine-overview ketamine-for-adhd ketamine-how-it-works ketamine-risks
ketamine-vs-standard ketamine-personality ketamine-worsen-adhd ketamine-depression ketamine-at-home
talk-to-clinician about-this-bot
""".split()
# Issue 10: the 20 topics the content audit found missing, with exactly these ids.
AUDIT_TOPICS = """
stimulant-misuse medication-shortage pregnancy-breastfeeding alcohol-cannabis heart-safety
medication-mood-suicidal-thoughts stopping-medication growth-appetite online-tests-self-diagnosis
telehealth-prescribing driving evaluation-what-to-expect sleep-melatonin adhd-autism teens-college
non-drug-options emotional-dysregulation anxiety-depression-medicines generic-switching adhd-disability-rights
""".split()
SAFETY = [
    f"safety-{label}{suffix}"
    for label in ("crisis", "crisis-other", "harm", "emergency", "dosing")
    for suffix in ("", "-es")
]


def test_every_catalog_entry_exists_with_its_exact_id(bot):
    ids = [e.id for e in bot.kb.entries]
    assert sorted(ids) == sorted(CATALOG + AUDIT_TOPICS)
    assert sorted(r.id for r in bot.kb.safety.replies.values()) == sorted(SAFETY)


def test_every_entry_meets_the_content_rules(bot):
    for e in bot.kb.entries:
        assert len(e.alternates) >= 6, e.id
        assert 40 <= len(e.answer.split()) <= 150, e.id
        assert grade_level(e.answer) <= MAX_GRADE, e.id
        assert e.citations and all(key in bot.kb.sources for key in e.citations), e.id
        assert e.evidence in bot.kb.messages.evidence_labels, e.id
        assert not DOSE_RE.search(e.answer), e.id


def test_lint_is_clean_on_the_shipped_content(bot):
    problems = lint(bot)
    assert problems == [], [str(p) for p in problems]


def test_every_source_in_the_registry_is_cited(bot):
    cited = {key for e in bot.kb.by_id.values() for key in e.citations}
    assert set(bot.kb.sources) - cited == set()


@pytest.mark.parametrize(
    ("entry_id", "must_say"),
    [
        ("ketamine-for-adhd", r"not approved"),
        ("ketamine-for-adhd", r"no (controlled )?(stud|trial)"),
        ("medication-how-fast", r"same day"),
        ("medication-how-fast", r"not true"),
        ("ketamine-vs-standard", r"stimulant"),
        ("safety-crisis", r"988"),
        ("safety-crisis", r"911"),
        ("safety-emergency", r"1-800-222-1222"),
        ("safety-emergency", r"911"),
        ("safety-dosing", r"prescriber"),
    ],
)
def test_key_messages_are_stated_plainly(bot, entry_id, must_say):
    assert re.search(must_say, bot.kb.by_id[entry_id].answer, re.IGNORECASE)


def test_no_dose_appears_anywhere_in_the_content(bot):
    texts = [e.answer for e in bot.kb.by_id.values()] + [a for e in bot.kb.entries for a in e.alternates]
    texts += [bot.kb.messages.clarify, bot.kb.messages.fallback, bot.kb.messages.clinician_note]
    assert [t for t in texts if DOSE_RE.search(t)] == []


def test_safety_replies_are_short_and_easy(bot):
    for reply in bot.kb.safety.replies.values():
        assert len(reply.answer.split()) <= 100, reply.id
        if reply.lang == "en":  # the grade formula is for English
            assert grade_level(reply.answer) <= 6.5, reply.id
    for note in bot.kb.safety.notes.values():
        assert len(note.text.split()) <= 45, note.id
