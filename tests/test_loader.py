"""The content loader fails closed: every broken rule stops the load and names file, entry and field."""

from __future__ import annotations

import dataclasses
import datetime
import functools
import json
import re
import shutil
from pathlib import Path

import pytest

from bot.content import DEFAULT_FAQ_DIR, content_version, load_knowledge_base
from bot.errors import ContentError, ContentProblem

TODAY = datetime.date(2026, 12, 1)
FAQ_FILES = sorted(p.name for p in DEFAULT_FAQ_DIR.glob("*.yaml"))

# A plain answer that passes every answer rule (about 50 short words, low grade, no dose).
PLAIN_ANSWER = (
    "No one knows the exact cause of ADHD yet. Genes play a large part. Being born "
    "early, or at a low birth weight, can raise the risk. So can smoking or drinking "
    "while pregnant. Sugar, screens and poor parenting do not cause ADHD. They can make "
    "the signs worse, though. It is not your fault."
)
ACADEMIC_ANSWER = (
    "Contemporary epidemiological investigations consistently demonstrate that "
    "attention-deficit/hyperactivity disorder manifests substantial heritability, "
    "with quantitative genetic methodologies attributing considerable phenotypic "
    "variability to polygenic inheritance. Furthermore, environmental contributions, "
    "encompassing prenatal exposures, perinatal complications, and developmental "
    "neurotoxicants, interact multiplicatively with genetic susceptibility, thereby "
    "complicating straightforward etiological attribution and necessitating "
    "comprehensive, individualized diagnostic consideration."
)


# ----------------------------------------------------------------------- helpers


def copy_faq(tmp_path: Path) -> Path:
    """Copy the real faq/ folder into tmp_path and return the copy."""
    target = tmp_path / "faq"
    shutil.copytree(DEFAULT_FAQ_DIR, target)
    return target


def replace_once(path: Path, old: str, new: str) -> None:
    """Replace text that occurs exactly once in the file (so one thing is damaged)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _entry_span(text: str, entry_id: str) -> tuple[int, int]:
    """Return where one entry's block starts and ends in a category or safety file."""
    head = f"\n  - id: {entry_id}\n"
    assert text.count(head) == 1, f"entry {entry_id!r} not found exactly once"
    start = text.index(head) + 1
    following = text.find("\n  - ", start)
    return start, len(text) if following == -1 else following + 1


def edit_field(path: Path, entry_id: str, field: str, new: str | None) -> None:
    """Replace one field of one entry (its line and indented continuation) with new lines."""
    text = path.read_text(encoding="utf-8")
    start, end = _entry_span(text, entry_id)
    block = text[start:end]
    match = re.search(rf"^    {re.escape(field)}:.*\n(?:      .*\n)*", block, re.MULTILINE)
    assert match is not None, f"{entry_id!r} has no field {field!r}"
    replacement = "" if new is None else new.rstrip("\n") + "\n"
    block = block[: match.start()] + replacement + block[match.end() :]
    path.write_text(text[:start] + block + text[end:], encoding="utf-8")


def set_field(path: Path, entry_id: str, field: str, value: str) -> None:
    """Set one field of one entry to a YAML value written on one line."""
    edit_field(path, entry_id, field, f"    {field}: {value}")


def add_field(path: Path, entry_id: str, line: str) -> None:
    """Add one line (a field) at the end of an entry, after its last field."""
    text = path.read_text(encoding="utf-8")
    _, end = _entry_span(text, entry_id)
    last = len(text[:end].rstrip("\n"))  # the end of the entry's last line
    path.write_text(text[:last] + "\n" + line + text[last:], encoding="utf-8")


def load(faq_dir: Path):
    """Load a content folder as of the fixed test date."""
    return load_knowledge_base(faq_dir, today=TODAY)


@functools.lru_cache(maxsize=1)
def real_kb():
    """Load the real content once, to look up where things are in it."""
    return load(DEFAULT_FAQ_DIR)


def alternate_field(entry_id: str, alternate: str) -> str:
    """Return the field name, e.g. 'alternates[2]', of one alternate in the real content."""
    return f"alternates[{real_kb().entry(entry_id).alternates.index(alternate)}]"


def problems_of(faq_dir: Path) -> tuple[ContentProblem, ...]:
    """Load faq_dir, expect it to fail, and return every problem found."""
    with pytest.raises(ContentError) as info:
        load(faq_dir)
    assert info.value.problems, "a ContentError must carry its problems"
    return info.value.problems


def at(
    problems: tuple[ContentProblem, ...], file: str, entry_id: str | None, field: str | None
) -> list[ContentProblem]:
    """Return the problems reported at this file, entry and field (at least one)."""
    hits = [p for p in problems if (p.file, p.entry_id, p.field) == (file, entry_id, field)]
    listing = "\n".join(str(p) for p in problems)
    assert hits, f"no problem at {file}/{entry_id}/{field}; got:\n{listing}"
    assert all(p.severity == "error" for p in hits)
    return hits


def the_problem(
    problems: tuple[ContentProblem, ...], file: str, entry_id: str | None, field: str | None
) -> ContentProblem:
    """Return the one problem reported at this file, entry and field."""
    hits = at(problems, file, entry_id, field)
    assert len(hits) == 1, "\n".join(str(p) for p in hits)
    return hits[0]


def assert_fails(faq_dir: Path, file: str, entry_id: str | None, field: str | None, word: str) -> None:
    """Assert the load fails with a problem at file/entry/field whose message has word."""
    hits = at(problems_of(faq_dir), file, entry_id, field)
    assert any(word.lower() in p.message.lower() for p in hits), "\n".join(str(p) for p in hits)


@pytest.fixture
def faq(tmp_path: Path) -> Path:
    """Return a fresh, writable copy of the real faq/ folder."""
    return copy_faq(tmp_path)


# ------------------------------------------------------------- the real content


def test_real_content_loads_without_errors() -> None:
    kb = load(DEFAULT_FAQ_DIR)
    assert kb.entries
    labels = {"crisis", "crisis-other", "harm", "emergency", "dosing"}
    assert {(label, lang) for label, lang in kb.safety.replies} == {
        (lb, lang) for lb in labels for lang in ("en", "es")
    }
    assert all(w.severity == "warning" for w in kb.warnings)
    assert not [w for w in kb.warnings if w.file == "detector/concepts.yaml"]  # each phrase once
    for entry in (*kb.entries, *kb.safety.replies.values()):
        assert entry.citations, entry.id
        assert all(key in kb.sources for key in entry.citations), entry.id
        assert len(entry.alternates) >= 6 or entry.category == "safety", entry.id


def test_copy_of_real_content_loads(faq: Path) -> None:
    kb = load(faq)
    assert kb.faq_dir == str(faq)
    assert len(kb.entries) == len(load(DEFAULT_FAQ_DIR).entries)


def test_plain_answer_fixture_is_valid(faq: Path) -> None:
    """Control: the replacement answer used below passes, so failures come from the damage."""
    set_field(faq / "basics.yaml", "adhd-causes", "answer", json.dumps(PLAIN_ANSWER))
    assert load(faq).entry("adhd-causes").answer == PLAIN_ANSWER


# ------------------------------------------------------------ YAML-level damage


def test_invalid_yaml_syntax(faq: Path) -> None:
    replace_once(faq / "basics.yaml", "    question: What causes ADHD?\n", "    question: [What causes ADHD?\n")
    problem = the_problem(problems_of(faq), "basics.yaml", "adhd-causes", None)
    assert "invalid yaml" in problem.message.lower()
    assert re.search(r"line \d+", problem.message)


@pytest.mark.parametrize(
    ("damaged", "hint"),
    [
        ("    question: What causes ADHD: the facts?\n", "a colon (:) inside text"),
        ("\tquestion: What causes ADHD?\n", "a tab character"),
        ("      question: What causes ADHD?\n", "indentation"),
    ],
)
def test_a_yaml_error_says_in_plain_words_what_to_check_and_nothing_else(faq: Path, damaged: str, hint: str) -> None:
    replace_once(faq / "basics.yaml", "    question: What causes ADHD?\n", damaged)
    problems = problems_of(faq)
    # Only the broken file: its entries are not also reported as "unknown id" in other files.
    assert len(problems) == 1, "\n".join(str(p) for p in problems)
    problem = the_problem(problems, "basics.yaml", "adhd-causes", None)
    assert re.search(r"line \d+, column \d+", problem.message)
    assert hint in problem.message


def test_duplicate_key_inside_an_entry(faq: Path) -> None:
    add_field(faq / "basics.yaml", "adhd-causes", "    reviewer: Someone else")
    problem = the_problem(problems_of(faq), "basics.yaml", "adhd-causes", "reviewer")
    assert "duplicate key 'reviewer'" in problem.message
    assert re.search(r"line \d+", problem.message)


def test_duplicate_key_names_entry_and_field(faq: Path) -> None:
    add_field(faq / "basics.yaml", "adhd-causes", "    reviewer: Someone else")
    assert_fails(faq, "basics.yaml", "adhd-causes", "reviewer", "duplicate")


def test_category_file_that_is_a_list(faq: Path) -> None:
    path = faq / "basics.yaml"
    text = path.read_text(encoding="utf-8")
    entries = text[text.index("entries:\n") + len("entries:\n") :]
    # The entries alone, as a top-level list: the category header was forgotten.
    path.write_text("\n".join(line[2:] for line in entries.splitlines()) + "\n", encoding="utf-8")
    assert_fails(faq, "basics.yaml", None, None, "mapping")


# ---------------------------------------------------------------- entry fields


def test_duplicate_id_across_two_files(faq: Path) -> None:
    replace_once(faq / "basics.yaml", "  - id: adhd-prevalence\n", "  - id: diagnosis\n")
    problem = the_problem(problems_of(faq), "diagnosis.yaml", "diagnosis", "id")
    assert "duplicate" in problem.message
    assert "basics.yaml" in problem.message


@pytest.mark.parametrize("field", ["author", "citation", "Answer"])
def test_unknown_field(faq: Path, field: str) -> None:
    add_field(faq / "basics.yaml", "adhd-causes", f"    {field}: something")
    assert_fails(faq, "basics.yaml", "adhd-causes", field, "unknown field")


@pytest.mark.parametrize(
    ("file", "entry_id", "field"),
    [
        ("basics.yaml", "adhd-causes", "question"),
        ("basics.yaml", "adhd-causes", "alternates"),
        ("basics.yaml", "adhd-causes", "answer"),
        ("basics.yaml", "adhd-causes", "citations"),
        ("basics.yaml", "adhd-causes", "evidence"),
        ("basics.yaml", "adhd-causes", "reviewed"),
        ("basics.yaml", "adhd-causes", "reviewer"),
        ("safety.yaml", "safety-dosing", "answer"),
        ("safety.yaml", "safety-dosing", "citations"),
        ("safety.yaml", "safety-dosing", "reviewer"),
    ],
)
def test_missing_required_field(faq: Path, file: str, entry_id: str, field: str) -> None:
    edit_field(faq / file, entry_id, field, None)
    assert_fails(faq, file, entry_id, field, "missing")


def test_missing_id(faq: Path) -> None:
    replace_once(faq / "basics.yaml", "  - id: adhd-causes\n    question:", "  - question:")
    assert_fails(faq, "basics.yaml", None, "id", "missing")


@pytest.mark.parametrize(
    ("field", "value", "word"),
    [
        ("question", "yes", "yes/no"),
        ("reviewer", "2026", "number"),
        ("answer", "on", "yes/no"),
        ("citations", "cdc-adhd", "list"),
    ],
)
def test_field_of_the_wrong_type(faq: Path, field: str, value: str, word: str) -> None:
    set_field(faq / "basics.yaml", "adhd-causes", field, value)
    assert_fails(faq, "basics.yaml", "adhd-causes", field, word)


@pytest.mark.parametrize(
    ("alternate", "word"),
    [
        ("no", "yes/no"),
        ("off", "yes/no"),
        ("1.5", "number"),
        ("504", "number"),
    ],
)
def test_alternate_that_yaml_reads_as_not_text(faq: Path, alternate: str, word: str) -> None:
    replace_once(faq / "basics.yaml", "      - is adhd genetic\n", f"      - {alternate}\n")
    field = alternate_field("adhd-causes", "is adhd genetic")
    problem = the_problem(problems_of(faq), "basics.yaml", "adhd-causes", field)
    assert word in problem.message
    assert "quote" in problem.message


def test_quoted_alternate_is_text(faq: Path) -> None:
    replace_once(faq / "basics.yaml", "      - is adhd genetic\n", '      - "1.5"\n')
    assert "1.5" in load(faq).entry("adhd-causes").alternates


@pytest.mark.parametrize(("count", "loads"), [(5, False), (6, True)])
def test_minimum_number_of_alternates(faq: Path, count: int, loads: bool) -> None:
    phrasings = [
        "what causes adhd",
        "why do people get adhd",
        "is adhd genetic",
        "does sugar cause adhd",
        "is adhd caused by bad parenting",
        "where does adhd come from",
    ][:count]
    alternates = "    alternates:\n" + "".join(f"      - {p}\n" for p in phrasings)
    edit_field(faq / "basics.yaml", "adhd-causes", "alternates", alternates)
    if loads:
        assert len(load(faq).entry("adhd-causes").alternates) == count
    else:
        problem = the_problem(problems_of(faq), "basics.yaml", "adhd-causes", "alternates")
        assert "at least 6" in problem.message
        assert "has 5" in problem.message


@pytest.mark.parametrize(
    "alternate",
    [
        "WHAT IS ADHD???",  # adhd-overview's question, shouted
        "What\u2019s ADHD, in simple words?!",  # "whats adhd in simple words", curly apostrophe
        "what is attention deficit disorder",  # synonym: the same as "what is adhd"
        "what is ADD",
    ],
)
def test_alternate_identical_to_another_entrys_after_normalisation(faq: Path, alternate: str) -> None:
    replace_once(faq / "basics.yaml", "      - is adhd genetic\n", f"      - {json.dumps(alternate)}\n")
    field = alternate_field("adhd-causes", "is adhd genetic")
    problem = the_problem(problems_of(faq), "basics.yaml", "adhd-causes", field)
    assert "adhd-overview" in problem.message
    assert "same" in problem.message


def test_repeated_alternate_within_one_entry_is_only_a_warning(faq: Path) -> None:
    # The same as the entry's own question once normalised.
    replace_once(faq / "basics.yaml", "      - is adhd genetic\n", "      - WHAT causes adhd\n")
    field = alternate_field("adhd-causes", "is adhd genetic")
    kb = load(faq)
    assert ("basics.yaml", "adhd-causes", field, "warning") in [
        (w.file, w.entry_id, w.field, w.severity) for w in kb.warnings
    ]


@pytest.mark.parametrize(
    ("value", "field", "word"),
    [
        ("[ninds-adhd, cdc-adhd-typo]", "citations[1]", "unknown source key"),
        ("[]", "citations", "at least one"),
        ("", "citations", "missing"),
        ("[ninds-adhd, '']", "citations[1]", "empty"),
    ],
)
def test_bad_citations(faq: Path, value: str, field: str, word: str) -> None:
    set_field(faq / "basics.yaml", "adhd-causes", "citations", value)
    assert_fails(faq, "basics.yaml", "adhd-causes", field, word)


def test_unknown_citation_in_a_safety_reply(faq: Path) -> None:
    set_field(faq / "safety.yaml", "safety-crisis", "citations", "[lifeline-989]")
    assert_fails(faq, "safety.yaml", "safety-crisis", "citations[0]", "unknown source key")


@pytest.mark.parametrize(
    ("value", "field", "word"),
    [
        ("[adhd-overview, lifestyles]", "related[1]", "unknown entry id"),
        ("[adhd-causes]", "related[0]", "itself"),
    ],
)
def test_bad_related(faq: Path, value: str, field: str, word: str) -> None:
    set_field(faq / "basics.yaml", "adhd-causes", "related", value)
    assert_fails(faq, "basics.yaml", "adhd-causes", field, word)


@pytest.mark.parametrize("label", ["proven", "Established", "not established"])
def test_unknown_evidence_label(faq: Path, label: str) -> None:
    set_field(faq / "basics.yaml", "adhd-causes", "evidence", label)
    assert_fails(faq, "basics.yaml", "adhd-causes", "evidence", "unknown label")


@pytest.mark.parametrize("value", ['""', "", '"   "', ">-\n      "])
def test_empty_clinician_note(faq: Path, value: str) -> None:
    add_field(faq / "basics.yaml", "adhd-causes", f"    clinician_note: {value}".rstrip(" "))
    assert_fails(faq, "basics.yaml", "adhd-causes", "clinician_note", "empty")


def test_empty_clinician_note_in_a_safety_reply(faq: Path) -> None:
    set_field(faq / "safety.yaml", "safety-crisis", "clinician_note", '""')
    assert_fails(faq, "safety.yaml", "safety-crisis", "clinician_note", "empty")


# ----------------------------------------------------------------------- answers


@pytest.mark.parametrize(
    ("answer", "word"),
    [
        ("ADHD has no single known cause. Genes play a large part.", "words"),
        ("Genes play a big part in ADHD. " * 23, "words"),  # 161 words
        (ACADEMIC_ANSWER, "grade"),
    ],
    ids=["too-short", "too-long", "above-grade-8"],
)
def test_answer_length_and_grade(faq: Path, answer: str, word: str) -> None:
    set_field(faq / "basics.yaml", "adhd-causes", "answer", json.dumps(answer.strip()))
    assert_fails(faq, "basics.yaml", "adhd-causes", "answer", word)


@pytest.mark.parametrize(
    "dose",
    [
        "A child may take 10 mg a day.",
        "Some adults take 20mg each morning.",
        "The pill has 2.5 milligrams in it.",
        "The amount is set per kg of body weight.",
        "Ketamine is given at 0.5 mg/kg.",
        "Some take 5 ml of the liquid.",
    ],
)
def test_answer_that_gives_a_dose(faq: Path, dose: str) -> None:
    set_field(faq / "basics.yaml", "adhd-causes", "answer", json.dumps(f"{PLAIN_ANSWER} {dose}"))
    assert_fails(faq, "basics.yaml", "adhd-causes", "answer", "dose")


# -------------------------------------------------------------------- review dates


@pytest.mark.parametrize(
    ("reviewed", "word"),
    [
        ("2026-12-02", "future"),  # one day after "today"
        ("soon", "not a date"),
        ("2026-13-01", "not a date"),
    ],
)
def test_bad_review_date(faq: Path, reviewed: str, word: str) -> None:
    set_field(faq / "basics.yaml", "adhd-causes", "reviewed", reviewed)
    assert_fails(faq, "basics.yaml", "adhd-causes", "reviewed", word)


@pytest.mark.parametrize(
    "reviewed",
    [
        "2024-01-01",  # far past the 12 months plus 60 days of grace
        "2025-10-01",  # due 2026-10-01, grace ended 2026-11-30
    ],
)
def test_a_stale_entry_is_withheld_and_the_rest_still_loads(faq: Path, reviewed: str) -> None:
    """Issue 11, F8 (and issue 10): one review past due withholds that entry, not the whole bot."""
    set_field(faq / "basics.yaml", "adhd-causes", "reviewed", reviewed)
    kb = load(faq)
    assert kb.withheld == ("adhd-causes",)
    warning = next(w for w in kb.warnings if w.entry_id == "adhd-causes" and w.field == "reviewed")
    assert "withheld" in warning.message and "expired" in warning.message


def test_when_every_review_falls_due_together_only_the_safety_replies_stay_in_service(faq: Path) -> None:
    """The shipped content all falls due at once: the bot then withholds the entries, never the help lines."""
    kb = load_knowledge_base(faq, today=datetime.date(2030, 1, 1))
    assert set(kb.withheld) == {e.id for e in kb.entries}
    assert kb.safety.replies and not any(r.withheld for r in kb.safety.replies.values())
    flagged = {w.entry_id for w in kb.warnings if "served anyway" in w.message}
    assert {r.id for r in kb.safety.replies.values()} <= flagged


def test_review_due_but_within_grace_is_a_warning(faq: Path) -> None:
    # Due 2026-10-02; the grace period of 60 days ends on "today", 2026-12-01.
    set_field(faq / "basics.yaml", "adhd-causes", "reviewed", "2025-10-02")
    kb = load(faq)
    assert [(w.entry_id, w.field) for w in kb.warnings if w.field == "reviewed"] == [("adhd-causes", "reviewed")]
    assert kb.review_due == ("adhd-causes",) and kb.withheld == ()


def test_review_period_counts_whole_months(faq: Path) -> None:
    # Due 2026-10-31; the 60 days of grace run to 2026-12-30, so on 2026-12-29 it still loads.
    set_field(faq / "basics.yaml", "adhd-causes", "reviewed", "2025-10-31")
    kb = load_knowledge_base(faq, today=datetime.date(2026, 12, 29))
    assert ("adhd-causes", "reviewed") in [(w.entry_id, w.field) for w in kb.warnings]


# ---------------------------------------------------------- sources and safety


def test_missing_sources_file(faq: Path) -> None:
    (faq / "sources.yaml").unlink()
    problems = problems_of(faq)
    assert "missing" in the_problem(problems, "sources.yaml", None, None).message
    # Every citation now points nowhere: nothing is served with a dangling citation.
    assert any("unknown source key" in p.message for p in problems)


@pytest.mark.parametrize(
    "url", ["http://www.cdc.gov/adhd/", "www.cdc.gov/adhd/", "ftp://cdc.gov/adhd", "https://cdc gov"]
)
def test_source_url_must_be_https(faq: Path, url: str) -> None:
    replace_once(faq / "sources.yaml", '    url: "https://www.cdc.gov/adhd/"\n', f"    url: {json.dumps(url)}\n")
    assert_fails(faq, "sources.yaml", "cdc-adhd", "url", "https")


@pytest.mark.parametrize(
    "url", ['https://example.org/"><img/src=x/onerror=alert(1)>', "https://example.org/'onmouseover='x"]
)
def test_source_url_with_markup_or_quotes_is_refused(faq: Path, url: str) -> None:
    """Issue 11, F12: only a plain https address is a source link."""
    replace_once(faq / "sources.yaml", '    url: "https://www.cdc.gov/adhd/"\n', f"    url: {json.dumps(url)}\n")
    assert at(problems_of(faq), "sources.yaml", "cdc-adhd", "url")


@pytest.mark.parametrize(
    ("file", "entry_id", "field"),
    [
        ("basics.yaml", "adhd-causes", "answer"),
        ("basics.yaml", "adhd-causes", "question"),
        ("basics.yaml", "adhd-causes", "clinician_note"),
    ],
)
@pytest.mark.parametrize("markup", ["<script>window.x=1</script>", "<b>bold</b>", "javascript:alert(1)"])
def test_markup_in_text_a_reader_sees_is_refused(faq: Path, file: str, entry_id: str, field: str, markup: str) -> None:
    """Issue 11, F12: the front ends show text as text, so markup would reach a patient as raw text."""
    text = f"{PLAIN_ANSWER} {markup}" if field == "answer" else f"What causes ADHD {markup}?"
    if field == "clinician_note":
        add_field(faq / file, entry_id, f"    clinician_note: {json.dumps(markup + ' Ask your doctor.')}")
    else:
        set_field(faq / file, entry_id, field, json.dumps(text))
    assert_fails(faq, file, entry_id, field, "markup")


@pytest.mark.parametrize(
    ("field", "text", "british"),
    [
        ("answer", f"{PLAIN_ANSWER} Behaviour therapy helps too.", "Behaviour"),
        ("question", "Who is a paediatrician?", "paediatrician"),
        ("summary", "Counselling and school help are part of treatment.", "Counselling"),
    ],
)
def test_british_spelling_in_text_a_reader_sees_is_refused(faq: Path, field: str, text: str, british: str) -> None:
    """Issue 10: US spelling everywhere a reader sees (the audience and the phone numbers are US)."""
    set_field(faq / "basics.yaml", "adhd-causes", field, json.dumps(text))
    assert_fails(faq, "basics.yaml", "adhd-causes", field, f"British spelling '{british}'")


def test_british_spelling_is_fine_where_no_reader_sees_it(faq: Path) -> None:
    """Alternates are how people type (some write "behaviour"); a source keeps its own title."""
    add_alternate = "      - what causes adhd in behaviour terms\n"
    text = (faq / "basics.yaml").read_text(encoding="utf-8")
    start, _ = _entry_span(text, "adhd-causes")
    at_alternates = text.index("    alternates:\n", start) + len("    alternates:\n")
    (faq / "basics.yaml").write_text(text[:at_alternates] + add_alternate + text[at_alternates:], encoding="utf-8")
    kb = load(faq)
    assert "what causes adhd in behaviour terms" in kb.by_id["adhd-causes"].alternates


def test_lint_warns_sixty_days_before_a_review_falls_due(faq: Path) -> None:
    # Reviewed 2026-01-30: due 2027-01-30, 60 days after the test date (2026-12-01).
    set_field(faq / "basics.yaml", "adhd-causes", "reviewed", "2026-01-30")
    kb = load(faq)
    assert [w.message for w in kb.warnings if w.entry_id == "adhd-causes"] == [
        "review falls due on 2027-01-30 (last reviewed 2026-01-30)"
    ]
    assert "adhd-causes" in kb.review_soon and kb.withheld == ()
    # A day earlier in the year: due 61 days after the test date, no warning yet.
    set_field(faq / "basics.yaml", "adhd-causes", "reviewed", "2026-01-31")
    assert [w for w in load(faq).warnings if w.entry_id == "adhd-causes"] == []


def test_bad_regex_in_safety_patterns(faq: Path) -> None:
    replace_once(faq / "detector" / "patterns.yaml", "    - '\\bsuicid'\n", "    - '\\bsuicid('\n")
    assert_fails(faq, "detector/patterns.yaml", "crisis", "[1]", "not a valid pattern")


def test_a_pattern_confirm_that_is_not_true_or_false_is_refused(faq: Path) -> None:
    explicit = "    - {pattern: '\\bsuicid', confirm: 'no'}\n"
    replace_once(faq / "detector" / "patterns.yaml", "    - '\\bsuicid'\n", explicit)
    assert_fails(faq, "detector/patterns.yaml", "crisis", "[1].confirm", "true or false")


def test_safety_reply_with_an_unknown_label(faq: Path) -> None:
    set_field(faq / "safety.yaml", "safety-dosing", "label", "doses")
    assert_fails(faq, "safety.yaml", "safety-dosing", "label", "not one of")


@pytest.mark.parametrize("href", ["javascript:alert(1)", "http://988lifeline.org", "tel:call-me", ""])
def test_safety_action_must_call_text_or_link_securely(faq: Path, href: str) -> None:
    old = '      - {label: "Chat at 988lifeline.org", href: "https://988lifeline.org"}\n'
    replace_once(faq / "safety.yaml", old, f'      - {{label: "Chat", href: {json.dumps(href)}}}\n')
    problems = problems_of(faq)
    assert any(p.entry_id == "safety-crisis" and (p.field or "").startswith("actions[2]") for p in problems)


def test_every_safety_label_needs_an_english_reply(faq: Path) -> None:
    set_field(faq / "safety.yaml", "safety-harm", "label", "crisis-other")
    problems = problems_of(faq)
    assert any("no English reply for the safety label 'harm'" in p.message for p in problems)


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        ("    near: [death-wish]\n", "    near: [no-such-concept]\n", "unknown concept"),
        (
            "    reply: harm\n    near: [harm-to-others]\n",
            "    reply: hurt\n    near: [harm-to-others]\n",
            "not one of",
        ),
        ("window: 8\n", "window: 0\n", "from 1 to 40"),
        ("    harmless_below: 0.02  #", "    harmless_below: 0.5  #", "from 0 to 0.1"),
        (
            "    near: [suicide-explicit]\n    confirm: false\n",
            "    near: [suicide-explicit]\n    confirm: false\n    harmless_below: 0.01\n",
            "needs confirm: true",
        ),
        (
            "    near: [suicide-explicit]\n    confirm: false\n",
            "    near: [suicide-explicit]\n    confirm: false\n    asked_by: [risk-question]\n",
            "needs confirm: true",
        ),
        ("    asked_by: [dose-talk]", "    asked_by: [no-such-concept]", "unknown concept"),
        (  # crisis-dark-art's flag (the hopeless rule has one too)
            "    always_note: true\n  - id: crisis-lethal\n",
            "    always_note: yes please\n  - id: crisis-lethal\n",
            "must be true or false",
        ),
        (
            "    near: [suicide-explicit]\n    confirm: false\n",
            "    near: [suicide-explicit]\n    confirm: false\n    always_note: true\n",
            "only a rule of tier concern",
        ),
    ],
)
def test_broken_concept_file_is_refused(faq: Path, old: str, new: str, needle: str) -> None:
    replace_once(faq / "detector" / "concepts.yaml", old, new)
    assert any(p.file == "detector/concepts.yaml" and needle in p.message for p in problems_of(faq))


def test_a_message_with_two_labels_in_the_exemplar_bank_is_refused(faq: Path) -> None:
    crisis = (faq / "detector" / "exemplars-crisis.yaml").read_text(encoding="utf-8")
    first = re.search(r'^      - (".*")$', crisis, re.M).group(1)  # a message the crisis file holds
    path = faq / "detector" / "exemplars-negatives.yaml"
    path.write_text(path.read_text(encoding="utf-8") + f"      - {first}\n", encoding="utf-8")
    assert any("labelled both" in p.message for p in problems_of(faq))


# ------------------------------------------------------------- the ContentError


def test_content_error_names_file_entry_and_field(faq: Path) -> None:
    set_field(faq / "basics.yaml", "adhd-causes", "evidence", "proven")
    with pytest.raises(ContentError) as info:
        load(faq)
    err = info.value
    text = str(err)
    assert "basics.yaml" in text
    assert "adhd-causes" in text
    assert "evidence" in text
    assert (err.file, err.entry_id, err.field) == ("basics.yaml", "adhd-causes", "evidence")
    assert str(err.problems[0]) in text


def test_content_error_counts_further_problems(faq: Path) -> None:
    set_field(faq / "basics.yaml", "adhd-causes", "evidence", "proven")
    set_field(faq / "basics.yaml", "adhd-overview", "evidence", "proven")
    with pytest.raises(ContentError) as info:
        load(faq)
    assert len(info.value.problems) == 2
    assert "(and 1 more)" in str(info.value)


def test_one_damaged_entry_is_reported_only_at_itself(faq: Path) -> None:
    set_field(faq / "basics.yaml", "adhd-causes", "answer", json.dumps("Genes play a large part."))
    problems = problems_of(faq)
    assert {(p.file, p.entry_id, p.field) for p in problems} == {("basics.yaml", "adhd-causes", "answer")}


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ContentError) as info:
        load(tmp_path / "nowhere")
    assert "not found" in str(info.value)


# ----------------------------------------------------------------- immutability


@pytest.fixture(scope="module")
def kb():
    """Load the real content once."""
    return load(DEFAULT_FAQ_DIR)


@pytest.mark.parametrize("attribute", ["version", "entries", "by_id", "sources", "safety", "messages"])
def test_knowledge_base_attributes_cannot_be_assigned(kb, attribute: str) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(kb, attribute, None)


def test_by_id_cannot_be_changed(kb) -> None:
    entry = kb.entry("adhd-overview")
    with pytest.raises(TypeError):
        kb.by_id["adhd-overview"] = entry
    with pytest.raises(TypeError):
        kb.by_id["new-entry"] = entry
    with pytest.raises(TypeError):
        del kb.by_id["adhd-overview"]
    assert kb.entry("adhd-overview") is entry


def test_nested_content_cannot_be_changed(kb) -> None:
    with pytest.raises(TypeError):
        kb.sources["cdc-adhd"] = None
    with pytest.raises(TypeError):
        kb.synonyms["add"] = "something else"
    with pytest.raises(TypeError):
        kb.messages.evidence_labels["proven"] = "Proven"
    with pytest.raises(dataclasses.FrozenInstanceError):
        kb.entries[0].answer = "Something the reviewers never saw."
    with pytest.raises(dataclasses.FrozenInstanceError):
        kb.messages.clinician_note = ""
    assert isinstance(kb.entries, tuple)
    assert isinstance(kb.entries[0].alternates, tuple)


# ---------------------------------------------------------------------- version


def test_version_is_a_stable_hash(kb, faq: Path) -> None:
    assert re.fullmatch(r"[0-9a-f]{12}", kb.version)
    assert load(DEFAULT_FAQ_DIR).version == kb.version
    assert content_version(DEFAULT_FAQ_DIR) == kb.version
    # The same files elsewhere have the same version: it depends on content only.
    assert load(faq).version == kb.version


@pytest.mark.parametrize("name", FAQ_FILES)
def test_version_changes_when_any_file_changes(faq: Path, name: str) -> None:
    before = load(faq).version
    path = faq / name
    path.write_text(path.read_text(encoding="utf-8") + "# reviewed again\n", encoding="utf-8")
    after = load(faq).version
    assert after != before
    assert load(faq).version == after


# ------------------------------------------------------------- summaries and spelled-out doses (issue 10, section 3)


def test_every_entry_has_a_one_sentence_summary_shown_first(faq: Path) -> None:
    kb = load(faq)
    assert all(e.summary for e in kb.by_id.values())
    path = faq / "basics.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("    summary: ")
    path.write_text(text[:start] + text[text.index("\n", start) + 1 :], encoding="utf-8")
    assert_fails(faq, "basics.yaml", "adhd-overview", "summary", "required")


@pytest.mark.parametrize(
    ("summary", "word"),
    [
        ('"' + "ADHD is a condition of brain growth that " * 5 + '"', "words"),
        (
            '"Attention-deficit/hyperactivity disorder constitutes a neurodevelopmental classification characterized '
            'by persistent inattention."',
            "grade",
        ),
        ('"Most children start on ten milligrams."', "amount"),
        ('"Take half a tablet."', "amount"),
        ('"<b>Yes.</b>"', "markup"),
    ],
)
def test_a_bad_summary_is_refused(faq: Path, summary: str, word: str) -> None:
    set_field(faq / "basics.yaml", "adhd-overview", "summary", summary)
    assert_fails(faq, "basics.yaml", "adhd-overview", "summary", word)


@pytest.mark.parametrize(
    "amount", ["ten milligrams", "half a tablet", "two pills", "a quarter of a pill", "3 capsules"]
)
def test_spelled_out_amounts_in_an_answer_are_refused(faq: Path, amount: str) -> None:
    replace_once(faq / "basics.yaml", "Doctors call it", f"Some take {amount}. Doctors call it")
    assert_fails(faq, "basics.yaml", "adhd-overview", "answer", "amount")


# --------------------------------------------------------------------------- points and the schema


def test_points_are_loaded_and_served_after_the_answer(faq: Path) -> None:
    add_field(faq / "basics.yaml", "adhd-overview", '    points: ["Trouble paying attention.", "Being very active."]')
    entry = load(faq).by_id["adhd-overview"]
    assert entry.points == ("Trouble paying attention.", "Being very active.")


@pytest.mark.parametrize(
    ("points", "word"),
    [
        ('["Some take two pills a day."]', "amount"),
        ('["<b>Bold</b> claim."]', "markup"),
        ("[" + ", ".join(f'"Point {i}."' for i in range(9)) + "]", "too many"),
        ('["' + "word " * 30 + '"]', "words"),
        ('"one point, not a list"', "list"),
    ],
)
def test_bad_points_are_refused(faq: Path, points: str, word: str) -> None:
    add_field(faq / "basics.yaml", "adhd-overview", f"    points: {points}")
    problems = [p for p in problems_of(faq) if p.entry_id == "adhd-overview" and (p.field or "").startswith("points")]
    assert any(word in p.message for p in problems), "\n".join(map(str, problems))


def test_the_published_json_schema_is_generated_from_the_models() -> None:
    from bot.schema import SCHEMA_DIR, json_schemas

    for name, text in json_schemas().items():
        path = DEFAULT_FAQ_DIR / SCHEMA_DIR / name
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale: run python -m bot schema"


def test_every_content_file_names_its_schema_for_editors() -> None:
    from bot.schema import SCHEMA_FILES

    for path in sorted(DEFAULT_FAQ_DIR.glob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        match = re.fullmatch(r"# yaml-language-server: \$schema=schema/(\S+)", first)
        assert match and match.group(1) in SCHEMA_FILES, f"{path.name}: {first!r}"


def test_the_json_schema_accepts_the_shipped_content_and_refuses_a_broken_entry() -> None:
    import jsonschema
    import yaml

    from bot.schema import SCHEMA_DIR

    def schema_of(path: Path) -> dict:
        name = re.search(r"\$schema=schema/(\S+)", path.read_text(encoding="utf-8")).group(1)
        return json.loads((DEFAULT_FAQ_DIR / SCHEMA_DIR / name).read_text(encoding="utf-8"))

    # Editors read YAML 1.2, where a date is text: load the same way.
    class Yaml12(yaml.SafeLoader):
        pass

    Yaml12.yaml_implicit_resolvers = {
        k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    for path in sorted(DEFAULT_FAQ_DIR.glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=Yaml12)
        jsonschema.validate(data, schema_of(path))  # raises on any mismatch
    broken = yaml.load((DEFAULT_FAQ_DIR / "basics.yaml").read_text(encoding="utf-8"), Loader=Yaml12)
    broken["entries"][0]["evidnce"] = broken["entries"][0].pop("evidence")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema_of(DEFAULT_FAQ_DIR / "basics.yaml"))


def test_a_phrase_repeated_in_one_concept_list_loads_with_a_warning(faq: Path) -> None:
    replace_once(
        faq / "detector" / "concepts.yaml",
        "control _ seizures, control seizures, for seizures",
        "control _ seizures, control seizures, control  Seizures, for seizures",
    )
    kb = load(faq)  # harmless: the service keeps running and reads the phrase once
    warned = [w for w in kb.warnings if w.file == "detector/concepts.yaml"]
    assert [(w.entry_id, w.field, w.severity) for w in warned] == [("seizure-treatment", "en[8]", "warning")]
    assert "already in this list at en[7]" in warned[0].message
