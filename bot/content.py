"""Load and validate the vetted content in faq/ into one immutable knowledge base."""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from .errors import ContentError, ContentProblem
from .normalize import Normalizer
from .readability import grade_level, word_count
from .safety_data import DETECTOR_DIR, LABELS, LANGS, SafetyData, read_safety_data

DEFAULT_FAQ_DIR = Path(__file__).resolve().parent.parent / "faq"

ANSWER_MIN_WORDS = 40
ANSWER_MAX_WORDS = 150
MAX_GRADE = 8.0
MIN_ALTERNATES = 6
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
URL_RE = re.compile(r"^https://[^\s\"'`<>\\]+$")  # a plain https address: no quotes, brackets or spaces
# Markup in any text a reader sees (answers, questions, titles, notes, labels, sources).
MARKUP_RE = re.compile(r"[<>]|javascript\s*:", re.IGNORECASE)
# Where a safety button may lead: a phone call, a text message or a secure web page.
ACTION_HREF_RE = re.compile(r"^(?:tel:\+?[0-9]{3,15}|sms:\+?[0-9]{3,15}(?:\?body=[A-Za-z0-9%]+)?|https://[^\s<>\"']+)$")
# A number followed by a unit, or any amount per body weight: the content never doses.
_AMOUNT = (
    r"(?:\d+(?:[.,]\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    r"thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|half|a half|quarter|a quarter|a few|several)"
)
DOSE_RE = re.compile(
    r"\b\d+(?:[.,]\d+)?\s*(?:mg|mcg|µg|milligrams?|micrograms?|ml|millilit(?:er|re)s?|g)\b"
    r"|\bper\s+(?:kg|kilo(?:gram)?s?|pound|lb)\b|\bmg\s*/\s*kg\b"
    # Spelled-out amounts: "ten milligrams", "half a tablet", "two pills", "a quarter of a pill".
    rf"|\b{_AMOUNT}[\s-]+(?:milligrams?|micrograms?|millilit(?:er|re)s?|grams?)\b"
    rf"|\b{_AMOUNT}\s+(?:of\s+)?(?:an?\s+)?(?:pills?|tablets?|capsules?|patch(?:es)?|puffs?|drops?|spoons?|teaspoons?|tablespoons?)\b",
    re.IGNORECASE,
)
SUMMARY_MAX_WORDS = 30  # one sentence that answers the question first
SPECIAL_FILES = ("sources.yaml", "safety.yaml", "messages.yaml", "synonyms.yaml")


@dataclass(frozen=True)
class Source:
    """A citable source from the registry."""

    key: str
    title: str
    publisher: str
    year: int | None
    url: str
    authors: str | None = None

    def citation(self) -> dict[str, Any]:
        """Return the citation as the reply contract shows it."""
        return {"title": self.title, "publisher": self.publisher, "year": self.year, "url": self.url}


@dataclass(frozen=True)
class Action:
    """A button under a safety reply or note: a label and where it leads (tel:, sms:, https:)."""

    label: str
    href: str

    def to_dict(self) -> dict[str, str]:
        """Return the action as the reply contract shows it."""
        return {"label": self.label, "href": self.href}


@dataclass(frozen=True)
class Entry:
    """One vetted FAQ entry (or safety reply) as loaded from faq/."""

    id: str
    category: str
    question: str
    alternates: tuple[str, ...]
    answer: str
    citations: tuple[str, ...]
    evidence: str
    reviewed: dt.date
    reviewer: str
    related: tuple[str, ...] = ()
    clinician_note: str | None = None
    file: str = ""
    label: str | None = None  # safety replies: the safety label they answer
    lang: str = "en"
    actions: tuple[Action, ...] = ()
    # Why the entry is not served (its review is past due and the grace period is over), or "".
    # A withheld entry is still matched, so that its questions are not answered by another
    # entry, but the bot gives the fallback instead of its text. Safety replies are never withheld.
    withheld: str = ""
    summary: str = ""  # one sentence that answers the question directly, shown first
    status: str = "draft"  # "draft" or "approved" (approved only by a named clinician)
    reviewed_by: str = ""  # the approving clinician, "Name, credential"; empty for a draft


@dataclass(frozen=True)
class SafetyNote:
    """A short resource line shown above a normal answer when the concern tier fires."""

    id: str
    labels: tuple[str, ...]
    lang: str
    text: str
    citations: tuple[str, ...]
    actions: tuple[Action, ...]


@dataclass(frozen=True)
class Resource:
    """A help line shown with every rate-limit refusal, so nobody in crisis meets a dead end."""

    label: str
    href: str
    text: str

    def to_dict(self) -> dict[str, str]:
        """Return the resource as the API shows it."""
        return {"label": self.label, "href": self.href, "text": self.text}


@dataclass(frozen=True)
class Category:
    """A topic category with its entries in display order."""

    id: str
    title: str
    order: int
    entry_ids: tuple[str, ...]


@dataclass(frozen=True)
class SafetyContent:
    """The safety replies and notes (by label and language), the 429 resources, the Spanish notice."""

    replies: Mapping[tuple[str, str], Entry]
    notes: Mapping[tuple[str, str], SafetyNote]
    resources: tuple[Resource, ...]
    spanish_notice: str

    def reply(self, label: str, lang: str = "en") -> Entry:
        """Return the safety reply for a label, in the language if there is one, else English."""
        return self.replies.get((label, lang)) or self.replies[(label, "en")]

    def note(self, label: str, lang: str = "en") -> SafetyNote:
        """Return the concern note for a label, in the language if there is one, else English."""
        return self.notes.get((label, lang)) or self.notes[(label, "en")]


SMALLTALK_KINDS = ("greeting", "thanks", "goodbye", "clinic")


@dataclass(frozen=True)
class SmallTalk:
    """A vetted reply to small talk, and the phrasings the learned matcher learns it from."""

    kind: str
    reply: str
    phrasings: tuple[str, ...]


@dataclass(frozen=True)
class Messages:
    """Vetted texts that are not entries: clarify, fallback, default note, labels, small talk."""

    clinician_note: str
    clarify: str
    fallback: str
    fallback_suggestions: tuple[str, ...]
    evidence_labels: Mapping[str, str]
    review_months: int
    review_grace_days: int
    smalltalk: Mapping[str, SmallTalk] = field(default_factory=dict)


@dataclass(frozen=True)
class KnowledgeBase:
    """The whole validated content, immutable once loaded."""

    version: str
    loaded_at: str
    faq_dir: str
    entries: tuple[Entry, ...]
    categories: tuple[Category, ...]
    sources: Mapping[str, Source]
    safety: SafetyContent
    detector: SafetyData
    messages: Messages
    synonyms: Mapping[str, str]
    topic_words: tuple[str, ...]
    by_id: Mapping[str, Entry] = field(repr=False)
    warnings: tuple[ContentProblem, ...] = ()
    checked_on: dt.date = field(default_factory=dt.date.today)  # the day review dates were checked

    def review_due_on(self, entry: Entry) -> dt.date:
        """Return the day the entry's review falls due (last reviewed + the review period)."""
        return _add_months(entry.reviewed, self.messages.review_months)

    def reviews(self) -> list[tuple[Entry, dt.date]]:
        """Return every entry and safety reply with the day its review falls due, soonest first."""
        return sorted(((e, self.review_due_on(e)) for e in self.by_id.values()), key=lambda p: (p[1], p[0].id))

    def entry(self, entry_id: str) -> Entry | None:
        """Return the entry (or safety reply) with this id, or None."""
        return self.by_id.get(entry_id)

    @property
    def review_due(self) -> tuple[str, ...]:
        """Return the ids of entries whose review is due (still served, within the grace period)."""
        return tuple(e.id for e, due in self.reviews() if self.checked_on > due and not e.withheld)

    @property
    def review_soon(self) -> tuple[str, ...]:
        """Return the ids of entries whose review falls due within REVIEW_WARN_DAYS."""
        soon = self.checked_on + dt.timedelta(days=REVIEW_WARN_DAYS)
        return tuple(e.id for e, due in self.reviews() if self.checked_on <= due <= soon)

    @property
    def drafts(self) -> tuple[str, ...]:
        """Return the ids of entries and safety replies not yet approved by a clinician."""
        return tuple(sorted(e.id for e in self.by_id.values() if e.status == "draft"))

    @property
    def draft_notice(self) -> str | None:
        """Return the draft line to show while any entry in service is a draft, else None."""
        served = (e for e in self.entries if not e.withheld)
        return DRAFT_NOTICE if any(e.status == "draft" for e in served) else None

    @property
    def withheld(self) -> tuple[str, ...]:
        """Return the ids of the entries not served until they are reviewed."""
        return tuple(e.id for e in self.entries if e.withheld)


# --------------------------------------------------------------------------- YAML


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys and leaves dates as text for the checks."""


class _DuplicateKey(yaml.constructor.ConstructorError):
    """A mapping repeats a key; carries the key so the problem can name the field."""

    def __init__(self, key: object, first_line: int, mark: yaml.Mark) -> None:
        self.key = key
        super().__init__(None, None, f"duplicate key {key!r} (first on line {first_line + 1})", mark)


# Without the timestamp resolver "2026-13-01" stays text and gets a named error,
# instead of a bare ValueError from deep inside PyYAML.
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False):
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise _DuplicateKey(key, seen[key], key_node.start_mark)
        seen[key] = key_node.start_mark.line
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


# No content file is anywhere near this size (the largest is about 0.25 MB). A bigger one is
# refused unread: parsing a 30 MB file took the reload thread most of a minute, and its
# problems filled /healthz with megabytes.
MAX_FILE_BYTES = 1_000_000
# Problems kept and reported per refused load: the first ones, then a count of the rest.
MAX_PROBLEMS = 50


def _read_yaml(path: Path, problems: list[ContentProblem], name: str | None = None) -> Any:
    """Parse one YAML file safely; record a problem and return None on failure."""
    name = name or path.name
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.append(
                ContentProblem(name, None, None, f"file is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit")
            )
            return None
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(ContentProblem(name, None, None, f"cannot read file: {exc}"))
        return None
    try:
        # _StrictLoader is yaml.SafeLoader plus a duplicate-key check: no arbitrary objects.
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        entry_id = _entry_at(text, mark.line) if mark else None
        field = str(exc.key) if isinstance(exc, _DuplicateKey) else None
        hint = _yaml_hint(problem, text, mark)
        problems.append(ContentProblem(name, entry_id, field, f"invalid YAML{where}: {problem}. {hint}"))
        return None


def _yaml_hint(problem: str, text: str, mark: Any) -> str:
    """Say in plain words what to check for a YAML error (the usual three: a colon, a tab, indentation)."""
    line = text.splitlines()[mark.line] if mark and mark.line < len(text.splitlines()) else ""
    if "\t" in line or "'\\t'" in problem or "tab" in problem.lower():
        return "Check: a tab character. YAML needs spaces for indentation; replace the tab with spaces."
    key = re.match(r"^(\s*(?:-\s+)?[A-Za-z_][\w.-]*):", line)
    if "mapping values are not allowed" in problem and key and mark.column <= len(key.group(1)) + 1:
        return (  # the colon of a field name: the field sits in the wrong column
            "Check the indentation of this line: every field of an entry starts in the same column "
            "(4 spaces), list items start with '- ', and text under '>-' is indented further."
        )
    if "mapping values are not allowed" in problem:
        return (
            "Check: a colon (:) inside text. Put the whole text in double quotes, or write it on the "
            "next lines after '>-'."
        )
    if "duplicate" in problem:
        return "Check: the same field written twice in one entry; keep one."
    if any(word in problem for word in ("indent", "expected <block end>", "expected key", "could not find expected")):
        return (
            "Check the indentation: every field of an entry starts in the same column (4 spaces), list "
            "items start with '- ', and text under '>-' is indented further."
        )
    if "alias" in problem or "anchor" in problem:
        return "Check: text that starts with * or &; put it in double quotes."
    return "Check the line above it too: an unclosed quote or bracket often shows up a line later."


_ID_LINE = re.compile(r"^\s*(?:-\s+)?id:\s*['\"]?([^'\"\s#]+)")


def _entry_at(text: str, line: int) -> str | None:
    """Return the id of the entry that contains this line of a YAML file, if any."""
    for row in reversed(text.splitlines()[: line + 1]):
        match = _ID_LINE.match(row)
        if match:
            return match.group(1)
        if row.startswith(("entries:", "replies:", "category:")):
            return None
    return None


# --------------------------------------------------------------------- validation


class _Checker:
    """Collect problems while reading raw YAML data into records."""

    def __init__(self) -> None:
        self.problems: list[ContentProblem] = []
        self.warnings: list[ContentProblem] = []

    def error(self, file: str, entry_id: str | None, fld: str | None, msg: str) -> None:
        self.problems.append(ContentProblem(file, entry_id, fld, msg))

    def warn(self, file: str, entry_id: str | None, fld: str | None, msg: str) -> None:
        self.warnings.append(ContentProblem(file, entry_id, fld, msg, "warning"))

    def text(self, value: Any, file: str, eid: str | None, fld: str, *, required=True) -> str | None:
        """Return value if it is non-empty text, else record why not."""
        if value is None:
            if required:
                self.error(file, eid, fld, "is missing or empty")
            return None
        if isinstance(value, bool):
            self.error(file, eid, fld, f"YAML read {value!r} as a yes/no value; put the text in quotes")
            return None
        if isinstance(value, (int, float, dt.date)):
            kind = "a date" if isinstance(value, dt.date) else "a number"
            self.error(file, eid, fld, f"YAML read {value!r} as {kind}; put the text in quotes")
            return None
        if not isinstance(value, str):
            self.error(file, eid, fld, f"must be text, not {type(value).__name__}")
            return None
        value = " ".join(value.split())
        if not value:
            if required:
                self.error(file, eid, fld, "is empty")
            return None
        if MARKUP_RE.search(value):
            # The front ends show text as text, so markup would reach a patient as raw "<script>".
            self.error(file, eid, fld, "has markup (<, > or javascript:); write plain text")
            return None
        return value

    def text_list(self, value: Any, file: str, eid: str | None, fld: str, *, required=True) -> list[str]:
        """Return a list of non-empty texts, recording each bad item."""
        if value is None:
            if required:
                self.error(file, eid, fld, "is missing")
            return []
        if not isinstance(value, list):
            self.error(file, eid, fld, "must be a list")
            return []
        out = []
        for i, item in enumerate(value):
            text = self.text(item, file, eid, f"{fld}[{i}]")
            if text is not None:
                out.append(text)
        return out

    def fields(self, data: Any, file: str, eid: str | None, allowed: set[str], required: set[str], what: str) -> bool:
        """Check a mapping has the required fields and nothing unknown."""
        if not isinstance(data, dict):
            self.error(file, eid, None, f"{what} must be a mapping of fields")
            return False
        for key in sorted(set(data) - allowed, key=str):
            self.error(file, eid, str(key), f"unknown field in {what} (allowed: {', '.join(sorted(allowed))})")
        for key in sorted(required - set(data)):
            self.error(file, eid, key, f"required field missing from {what}")
        return True


ENTRY_FIELDS = {
    "id",
    "question",
    "summary",
    "alternates",
    "answer",
    "citations",
    "evidence",
    "reviewed",
    "reviewer",
    "status",
}
ENTRY_OPTIONAL = {"related", "clinician_note", "reviewed_by"}
STATUSES = ("draft", "approved")
# The one line the widget and kiosk show while any entry in service is a draft.
DRAFT_NOTICE = "Draft content, not yet reviewed by a clinician."
_REVIEWED_BY_RE = re.compile(r"^[^,]*\S[^,]*,[^,]*\S[^,]*$")  # "Name, credential"
SAFETY_FIELDS = (ENTRY_FIELDS - {"alternates"}) | {"label", "actions"}
SAFETY_OPTIONAL = ENTRY_OPTIONAL | {"lang"}


def _read_entry(c: _Checker, raw: Any, file: str, category: str, *, safety: bool, today: dt.date) -> Entry | None:
    """Validate one raw entry mapping and return it as an Entry."""
    eid = raw.get("id") if isinstance(raw, dict) else None
    eid_s = eid if isinstance(eid, str) else None
    required = SAFETY_FIELDS if safety else ENTRY_FIELDS
    allowed = required | (SAFETY_OPTIONAL if safety else ENTRY_OPTIONAL)
    if not c.fields(raw, file, eid_s, allowed, required, "an entry"):
        return None
    before = len(c.problems)
    eid = c.text(raw.get("id"), file, eid_s, "id")
    if eid is not None and not ID_RE.match(eid):
        c.error(file, eid, "id", "must be lowercase words joined by hyphens, e.g. 'adhd-overview'")
    question = c.text(raw.get("question"), file, eid, "question")
    alternates = c.text_list(raw.get("alternates"), file, eid, "alternates", required=not safety)
    if not safety and len(alternates) < MIN_ALTERNATES and "alternates" in raw:
        c.error(file, eid, "alternates", f"needs at least {MIN_ALTERNATES} phrasings, has {len(alternates)}")
    summary = c.text(raw.get("summary"), file, eid, "summary")
    if summary is not None:
        words, grade = word_count(summary), grade_level(summary)
        if words > SUMMARY_MAX_WORDS:
            c.error(file, eid, "summary", f"has {words} words; one sentence of {SUMMARY_MAX_WORDS} at most")
        if grade > MAX_GRADE and raw.get("lang", "en") == "en":  # the grade formula is for English
            c.error(file, eid, "summary", f"reads at grade {grade:.1f}; it must be {MAX_GRADE:.0f} or lower")
        if dose := DOSE_RE.search(summary):
            c.error(file, eid, "summary", f"gives an amount ({dose.group(0)!r}); no doses, ever")
    answer = c.text(raw.get("answer"), file, eid, "answer")
    if answer is not None:
        words = word_count(answer)
        low = 15 if safety else ANSWER_MIN_WORDS
        if not low <= words <= ANSWER_MAX_WORDS:
            c.error(file, eid, "answer", f"has {words} words; it must have {low}-{ANSWER_MAX_WORDS}")
        grade = grade_level(answer)
        if grade > MAX_GRADE:
            c.error(file, eid, "answer", f"reads at grade {grade:.1f}; it must be {MAX_GRADE:.0f} or lower")
        if dose := DOSE_RE.search(answer):
            c.error(file, eid, "answer", f"gives an amount ({dose.group(0)!r}); no doses, ever")
    citations = c.text_list(raw.get("citations"), file, eid, "citations")
    if "citations" in raw and not citations:
        c.error(file, eid, "citations", "needs at least one source key")
    evidence = c.text(raw.get("evidence"), file, eid, "evidence")
    reviewed = raw.get("reviewed")
    if isinstance(reviewed, str):
        try:
            reviewed = dt.date.fromisoformat(reviewed)
        except ValueError:
            c.error(file, eid, "reviewed", f"{reviewed!r} is not a date (YYYY-MM-DD)")
            reviewed = None
    elif isinstance(reviewed, dt.datetime):
        reviewed = reviewed.date()
    elif not isinstance(reviewed, dt.date):
        if reviewed is not None:
            c.error(file, eid, "reviewed", f"{reviewed!r} is not a date (YYYY-MM-DD)")
        reviewed = None
    if reviewed is not None and reviewed > today:
        c.error(file, eid, "reviewed", f"{reviewed.isoformat()} is in the future")
    reviewer = c.text(raw.get("reviewer"), file, eid, "reviewer")
    # Sign-off: only a clinician sets `status: approved`, with their name and credential.
    status = raw.get("status")
    if status not in STATUSES:
        c.error(file, eid, "status", f"{status!r} is not one of: {', '.join(STATUSES)}")
    reviewed_by = ""
    if "reviewed_by" in raw:
        reviewed_by = c.text(raw.get("reviewed_by"), file, eid, "reviewed_by") or ""
        if reviewed_by and not _REVIEWED_BY_RE.match(reviewed_by):
            c.error(file, eid, "reviewed_by", "write the clinician's name and credential, like 'Jane Doe, MD'")
    if status == "approved" and "reviewed_by" not in raw:
        c.error(file, eid, "reviewed_by", "an approved entry names the clinician who approved it ('Name, credential')")
    if status == "draft" and reviewed_by:
        c.error(file, eid, "reviewed_by", "a draft has no clinician sign-off yet; set status: approved, or remove this")
    related = c.text_list(raw.get("related"), file, eid, "related", required=False)
    note = None
    if "clinician_note" in raw:
        note = c.text(raw.get("clinician_note"), file, eid, "clinician_note")
    label, lang, actions = None, "en", ()
    if safety:
        label = raw.get("label")
        if label not in LABELS:
            c.error(file, eid, "label", f"{label!r} is not one of: {', '.join(LABELS)}")
        lang = raw.get("lang", "en")
        if lang not in LANGS:
            c.error(file, eid, "lang", f"{lang!r} is not one of: {', '.join(LANGS)}")
        actions = _read_actions(c, raw.get("actions"), file, eid)
    if len(c.problems) > before or None in (eid, question, summary, answer, evidence, reviewer, reviewed):
        return None
    return Entry(
        id=eid,
        category=category,
        question=question,
        summary=summary,
        alternates=tuple(alternates),
        answer=answer,
        citations=tuple(citations),
        evidence=evidence,
        reviewed=reviewed,
        reviewer=reviewer,
        related=tuple(related),
        clinician_note=note,
        file=file,
        label=label,
        lang=lang,
        actions=actions,
        status=status,
        reviewed_by=reviewed_by,
    )


def _read_actions(c: _Checker, raw: Any, file: str, eid: str | None, fld: str = "actions") -> tuple[Action, ...]:
    """Return the buttons of a safety reply or note; each needs a label and a safe href."""
    if not isinstance(raw, list) or not raw:
        c.error(file, eid, fld, "must list at least one action ({label, href})")
        return ()
    out = []
    for i, item in enumerate(raw):
        if not c.fields(item, file, eid, {"label", "href"}, {"label", "href"}, f"{fld}[{i}]"):
            continue
        label = c.text(item.get("label"), file, eid, f"{fld}[{i}].label")
        href = c.text(item.get("href"), file, eid, f"{fld}[{i}].href")
        if href is not None and not ACTION_HREF_RE.match(href):
            c.error(file, eid, f"{fld}[{i}].href", f"{href!r} must be tel:, sms: or an https:// address")
            continue
        if label and href:
            out.append(Action(label, href))
    return tuple(out)


def _nonempty_list(c: _Checker, data: dict, file: str, key: str, what: str) -> list:
    """Return data[key] if it is a non-empty list, else record the problem and return []."""
    value = data.get(key)
    if isinstance(value, list) and value:
        return value
    c.error(file, None, key, f"must be a non-empty list of {what}")
    return []


def _read_safety(
    c: _Checker, data: Any, entries: list[Entry], declared_ids: set[str], today: dt.date
) -> SafetyContent | None:
    """Read safety.yaml: the urgent replies, the concern notes and the 429 resources."""
    file = "safety.yaml"
    keys = {"replies", "notes", "resources", "spanish_notice"}
    if data is None or not c.fields(data, file, None, keys, keys, "the file"):
        return None
    replies: dict[tuple[str, str], Entry] = {}
    raw_replies = _nonempty_list(c, data, file, "replies", "safety replies")
    for raw_entry in raw_replies:
        if isinstance(raw_entry, dict) and isinstance(raw_entry.get("id"), str):
            declared_ids.add(raw_entry["id"])
        entry = _read_entry(c, raw_entry, file, "safety", safety=True, today=today)
        if entry is None:
            continue
        if (entry.label, entry.lang) in replies:
            c.error(file, entry.id, "label", f"a second {entry.lang} reply for {entry.label!r}")
        replies[(entry.label, entry.lang)] = entry
        entries.append(entry)
    notes: dict[tuple[str, str], SafetyNote] = {}
    raw_notes = _nonempty_list(c, data, file, "notes", "concern notes")
    for raw_note in raw_notes:
        nid = raw_note.get("id") if isinstance(raw_note, dict) else None
        nid = nid if isinstance(nid, str) else None
        allowed = {"id", "labels", "lang", "text", "citations", "actions"}
        if not c.fields(raw_note, file, nid, allowed, allowed - {"lang"}, "a note"):
            continue
        if nid is None or not ID_RE.match(nid) or not nid.startswith("safety-"):
            c.error(file, nid, "id", "a note id is lowercase words joined by hyphens, starting 'safety-'")
            continue
        text = c.text(raw_note.get("text"), file, nid, "text")
        labels = c.text_list(raw_note.get("labels"), file, nid, "labels")
        lang = raw_note.get("lang", "en")
        citations = c.text_list(raw_note.get("citations"), file, nid, "citations")
        actions = _read_actions(c, raw_note.get("actions"), file, nid)
        for label in labels:
            if label not in LABELS:
                c.error(file, nid, "labels", f"{label!r} is not one of: {', '.join(LABELS)}")
        if lang not in LANGS:
            c.error(file, nid, "lang", f"{lang!r} is not one of: {', '.join(LANGS)}")
        if text and DOSE_RE.search(text):
            c.error(file, nid, "text", "gives an amount; no doses, ever")
        if text and labels and lang in LANGS and citations:
            note = SafetyNote(nid, tuple(labels), lang, text, tuple(citations), actions)
            for label in labels:
                notes[(label, lang)] = note
    resources: list[Resource] = []
    raw_resources = _nonempty_list(c, data, file, "resources", "help lines shown when a client is rate-limited")
    for i, item in enumerate(raw_resources):
        if not c.fields(item, file, None, {"label", "href", "text"}, {"label", "href", "text"}, f"resources[{i}]"):
            continue
        label = c.text(item.get("label"), file, None, f"resources[{i}].label")
        href = c.text(item.get("href"), file, None, f"resources[{i}].href")
        text = c.text(item.get("text"), file, None, f"resources[{i}].text")
        if href is not None and not ACTION_HREF_RE.match(href):
            c.error(file, None, f"resources[{i}].href", f"{href!r} must be tel:, sms: or an https:// address")
        elif label and href and text:
            resources.append(Resource(label, href, text))
    notice = c.text(data.get("spanish_notice"), file, None, "spanish_notice")
    for label in LABELS:
        if (label, "en") not in replies:
            c.error(file, None, "replies", f"no English reply for the safety label {label!r}")
        if (label, "en") not in notes:
            c.error(file, None, "notes", f"no English note for the safety label {label!r}")
    if notice is None:
        return None
    return SafetyContent(MappingProxyType(replies), MappingProxyType(notes), tuple(resources), notice)


def _read_sources(c: _Checker, data: Any) -> dict[str, Source]:
    file = "sources.yaml"
    if not c.fields(data, file, None, {"sources"}, {"sources"}, "the file"):
        return {}
    raw = data.get("sources")
    if not isinstance(raw, dict) or not raw:
        c.error(file, None, "sources", "must map source keys to their details")
        return {}
    out = {}
    for key, item in raw.items():
        key = str(key)
        if not ID_RE.match(key):
            c.error(file, key, None, "source keys must be lowercase words joined by hyphens")
        if not c.fields(
            item,
            file,
            key,
            {"title", "publisher", "year", "url", "authors"},
            {"title", "publisher", "year", "url"},
            "a source",
        ):
            continue
        title = c.text(item.get("title"), file, key, "title")
        publisher = c.text(item.get("publisher"), file, key, "publisher")
        url = c.text(item.get("url"), file, key, "url")
        authors = c.text(item.get("authors"), file, key, "authors", required=False)
        year = item.get("year")
        if year is not None and (isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2100):
            c.error(file, key, "year", f"{year!r} must be a four-digit year (or null if the source has none)")
            year = None
        if url is not None and not URL_RE.match(url):
            c.error(file, key, "url", f"{url!r} must be an https:// address")
        if title and publisher and url:
            out[key] = Source(key, title, publisher, year, url, authors)
    return out


def _read_messages(c: _Checker, data: Any) -> Messages | None:
    file = "messages.yaml"
    keys = {"clinician_note", "clarify", "fallback", "fallback_suggestions", "evidence_labels", "review"}
    if not c.fields(data, file, None, keys | {"smalltalk"}, keys, "the file"):
        return None
    note = c.text(data.get("clinician_note"), file, None, "clinician_note")
    clarify = c.text(data.get("clarify"), file, None, "clarify")
    fallback = c.text(data.get("fallback"), file, None, "fallback")
    suggestions = c.text_list(data.get("fallback_suggestions"), file, None, "fallback_suggestions")
    labels_raw = data.get("evidence_labels")
    labels: dict[str, str] = {}
    if not isinstance(labels_raw, dict) or not labels_raw:
        c.error(file, None, "evidence_labels", "must map each evidence label to the words shown")
    else:
        for key, value in labels_raw.items():
            text = c.text(value, file, None, f"evidence_labels.{key}")
            if text:
                labels[str(key)] = text
    review = data.get("review")
    months = grace = None
    if c.fields(review, file, None, {"months", "grace_days"}, {"months", "grace_days"}, "'review'"):
        months, grace = review.get("months"), review.get("grace_days")
        for name, value in (("review.months", months), ("review.grace_days", grace)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                c.error(file, None, name, f"{value!r} must be a whole number")
    smalltalk = _read_smalltalk(c, data.get("smalltalk", {}))
    if None in (note, clarify, fallback) or not isinstance(months, int) or not isinstance(grace, int):
        return None
    return Messages(
        note,
        clarify,
        fallback,
        tuple(suggestions),
        MappingProxyType(labels),
        months,
        grace,
        MappingProxyType(smalltalk),
    )


def _read_smalltalk(c: _Checker, data: Any) -> dict[str, SmallTalk]:
    file = "messages.yaml"
    if not isinstance(data, dict):
        c.error(file, None, "smalltalk", f"must map each kind ({', '.join(SMALLTALK_KINDS)}) to a reply and phrasings")
        return {}
    out: dict[str, SmallTalk] = {}
    seen: dict[str, str] = {}
    for kind, body in data.items():
        where = f"smalltalk.{kind}"
        if kind not in SMALLTALK_KINDS:
            c.error(file, None, where, f"unknown kind (one of: {', '.join(SMALLTALK_KINDS)})")
            continue
        if not c.fields(body, file, None, {"reply", "phrasings"}, {"reply", "phrasings"}, f"'{where}'"):
            continue
        reply = c.text(body.get("reply"), file, None, f"{where}.reply")
        phrasings = c.text_list(body.get("phrasings"), file, None, f"{where}.phrasings")
        for text in phrasings:
            key = " ".join(text.lower().split())
            if seen.setdefault(key, kind) != kind:
                c.error(file, None, f"{where}.phrasings", f"{text!r} is also a phrasing of {seen[key]!r}")
        if reply and phrasings:
            out[kind] = SmallTalk(kind, reply, tuple(phrasings))
    return out


def _read_synonyms(c: _Checker, data: Any) -> tuple[dict[str, str], list[str]]:
    file = "synonyms.yaml"
    if not c.fields(data, file, None, {"synonyms", "topic_words"}, {"synonyms", "topic_words"}, "the file"):
        return {}, []
    topic = c.text_list(data.get("topic_words"), file, None, "topic_words")
    raw = data.get("synonyms")
    if not isinstance(raw, dict):
        c.error(file, None, "synonyms", "must map a word or phrase to what it means")
        return {}, topic
    out = {}
    for key, value in raw.items():
        k = c.text(key, file, None, f"synonyms.{key}")
        v = c.text(value, file, None, f"synonyms.{key}")
        if k and v:
            out[k] = v
    return out, topic


REVIEW_DUE = "review due since"
REVIEW_WARN_DAYS = 60  # lint and the staff page warn this many days before a review falls due


def _add_months(day: dt.date, months: int) -> dt.date:
    """Return the same day `months` later (the month's last day if it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def content_files(faq_dir: Path) -> list[Path]:
    """Return every YAML file of the content: faq/*.yaml and faq/detector/*.yaml."""
    return sorted(faq_dir.glob("*.yaml")) + sorted((faq_dir / DETECTOR_DIR).glob("*.yaml"))


def content_version(faq_dir: Path) -> str:
    """Return a short hash of every YAML file of the content (names and bytes)."""
    digest = hashlib.sha256()
    for path in content_files(faq_dir):
        digest.update(path.relative_to(faq_dir).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def _capped(problems: list[ContentProblem]) -> list[ContentProblem]:
    """Return the first MAX_PROBLEMS problems (errors first), then one line counting the rest."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    ordered = sorted(problems, key=lambda p: p.severity != "error")
    rest = len(ordered) - MAX_PROBLEMS
    return [*ordered[:MAX_PROBLEMS], ContentProblem("(more)", None, None, f"and {rest:,} more problem(s) not listed")]


def load_knowledge_base(
    faq_dir: str | Path | None = None, *, today: dt.date | None = None, serve_drafts: bool = True
) -> KnowledgeBase:
    """Read, validate and freeze faq/; raise ContentError naming every problem."""
    faq_path = Path(faq_dir) if faq_dir is not None else DEFAULT_FAQ_DIR
    today = today or dt.date.today()
    c = _Checker()
    if not faq_path.is_dir():
        raise ContentError([ContentProblem(str(faq_path), None, None, "content folder not found")])
    version = content_version(faq_path)
    # Parse every file first. A file that is not valid YAML is reported alone: the entries it
    # holds would otherwise show up as "unknown id" errors in files nobody touched.
    parsed = {path.name: _read_yaml(path, c.problems) for path in sorted(faq_path.glob("*.yaml"))}
    if c.problems:
        raise ContentError(_capped(c.problems))
    raw: dict[str, Any] = {}
    for name in SPECIAL_FILES:
        if name not in parsed:
            c.error(name, None, None, "file is missing")
            continue
        raw[name] = parsed[name]
    sources = _read_sources(c, raw["sources.yaml"]) if raw.get("sources.yaml") is not None else {}
    messages = _read_messages(c, raw["messages.yaml"]) if raw.get("messages.yaml") is not None else None
    synonyms, topic_words = (
        _read_synonyms(c, raw["synonyms.yaml"]) if raw.get("synonyms.yaml") is not None else ({}, [])
    )

    entries: list[Entry] = []
    categories: list[Category] = []
    declared_ids: set[str] = set()  # every id written, even on an entry that failed its checks
    for path in sorted(faq_path.glob("*.yaml")):
        if path.name in SPECIAL_FILES:
            continue
        data = parsed.get(path.name)
        if data is None:
            continue
        file = path.name
        if not c.fields(data, file, None, {"category", "entries"}, {"category", "entries"}, "a category file"):
            continue
        cat = data.get("category")
        if not c.fields(cat, file, None, {"id", "title", "order"}, {"id", "title", "order"}, "'category'"):
            continue
        cat_id = c.text(cat.get("id"), file, None, "category.id")
        title = c.text(cat.get("title"), file, None, "category.title")
        order = cat.get("order")
        if isinstance(order, bool) or not isinstance(order, int):
            c.error(file, None, "category.order", f"{order!r} must be a whole number")
        items = data.get("entries")
        if not isinstance(items, list) or not items:
            c.error(file, None, "entries", "must be a non-empty list of entries")
            continue
        ids = []
        for raw_entry in items:
            if isinstance(raw_entry, dict) and isinstance(raw_entry.get("id"), str):
                declared_ids.add(raw_entry["id"])
            entry = _read_entry(c, raw_entry, file, cat_id or "", safety=False, today=today)
            if entry:
                entries.append(entry)
                ids.append(entry.id)
        if cat_id and title and isinstance(order, int) and not isinstance(order, bool):
            categories.append(Category(cat_id, title, order, tuple(ids)))

    safety = _read_safety(c, raw.get("safety.yaml"), entries, declared_ids, today)
    detector = read_safety_data(c, faq_path, lambda path, name: _read_yaml(path, c.problems, name))
    withheld = _cross_check(c, entries, sources, messages, synonyms, today, declared_ids)
    if not serve_drafts:  # BOT_SERVE_DRAFTS=false: only clinician-approved entries are served
        for e in entries:
            if e.status == "draft" and e.category != "safety" and e.id not in withheld:
                withheld[e.id] = "a draft, not yet approved by a clinician (drafts are not served)"
    entries = [dataclasses.replace(e, withheld=withheld[e.id]) if e.id in withheld else e for e in entries]
    for note in {n.id: n for n in (safety.notes.values() if safety else ())}.values():
        for i, key in enumerate(note.citations):
            if key not in sources:
                c.error("safety.yaml", note.id, f"citations[{i}]", f"unknown source key {key!r} (not in sources.yaml)")
    if c.problems:
        raise ContentError(_capped(c.problems))
    assert messages is not None and safety is not None and detector is not None
    by_id = {e.id: e for e in entries}
    categories.sort(key=lambda cat: (cat.order, cat.id))
    return KnowledgeBase(
        version=version,
        loaded_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        faq_dir=str(faq_path),
        entries=tuple(e for e in entries if e.category != "safety"),
        categories=tuple(categories),
        sources=MappingProxyType(sources),
        safety=safety,
        detector=detector,
        messages=messages,
        synonyms=MappingProxyType(synonyms),
        topic_words=tuple(topic_words),
        by_id=MappingProxyType(by_id),
        warnings=tuple(c.warnings),
        checked_on=today,
    )


def _cross_check(
    c: _Checker,
    entries: list[Entry],
    sources: Mapping[str, Source],
    messages: Messages | None,
    synonyms: Mapping[str, str],
    today: dt.date,
    declared_ids: set[str],
) -> dict[str, str]:
    """Check what spans entries: unique ids and alternates, keys, labels, review dates.

    Return the entries to withhold (id -> why): those whose review is past due and past
    the grace period. One stale entry never stops the whole bot.
    """
    withheld: dict[str, str] = {}
    seen_ids: dict[str, str] = {}
    for e in entries:
        if e.id in seen_ids:
            c.error(e.file, e.id, "id", f"duplicate id (also in {seen_ids[e.id]})")
        seen_ids.setdefault(e.id, e.file)
    normalizer = Normalizer(synonyms)
    seen_phrases: dict[str, str] = {}
    for e in entries:
        for fld, phrase in [("question", e.question)] + [(f"alternates[{i}]", a) for i, a in enumerate(e.alternates)]:
            key = normalizer.key(phrase)
            owner = seen_phrases.get(key)
            if owner is not None and owner != e.id:
                c.error(e.file, e.id, fld, f"{phrase!r} is the same as a phrasing of '{owner}' once normalised")
            elif owner == e.id and fld != "question":
                c.warn(e.file, e.id, fld, f"{phrase!r} repeats another phrasing of this entry")
            seen_phrases.setdefault(key, e.id)
        for i, key in enumerate(e.citations):
            if key not in sources:
                c.error(e.file, e.id, f"citations[{i}]", f"unknown source key {key!r} (not in sources.yaml)")
        for i, rid in enumerate(e.related):
            if rid not in declared_ids:
                c.error(e.file, e.id, f"related[{i}]", f"unknown entry id {rid!r}")
            elif rid == e.id:
                c.error(e.file, e.id, f"related[{i}]", "an entry cannot be related to itself")
        if messages is None:
            continue
        if e.evidence not in messages.evidence_labels:
            c.error(
                e.file,
                e.id,
                "evidence",
                f"unknown label {e.evidence!r} (one of: {', '.join(messages.evidence_labels)})",
            )
        due = _add_months(e.reviewed, messages.review_months)
        if today > due + dt.timedelta(days=messages.review_grace_days):
            expired = f"review expired: last reviewed {e.reviewed}, due {due}, grace period over"
            if e.category == "safety":  # help lines are never withheld: served, and flagged loudly
                c.warn(e.file, e.id, "reviewed", f"{expired}; served anyway (safety replies are never withheld)")
            else:
                withheld[e.id] = expired
                c.warn(e.file, e.id, "reviewed", f"withheld, not served until reviewed: {expired}")
        elif today > due:
            c.warn(e.file, e.id, "reviewed", f"{REVIEW_DUE} {due} (last reviewed {e.reviewed})")
        elif today >= due - dt.timedelta(days=REVIEW_WARN_DAYS):
            c.warn(e.file, e.id, "reviewed", f"review falls due on {due} (last reviewed {e.reviewed})")
    if messages is not None:
        for i, sid in enumerate(messages.fallback_suggestions):
            if sid not in declared_ids:
                c.error("messages.yaml", None, f"fallback_suggestions[{i}]", f"unknown entry id {sid!r}")
    return withheld
