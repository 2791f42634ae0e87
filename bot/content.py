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

from . import schema as S
from .errors import ContentError, ContentProblem
from .normalize import Normalizer
from .safety_data import DETECTOR_DIR, LABELS, SafetyData, read_safety_data

DEFAULT_FAQ_DIR = Path(__file__).resolve().parent.parent / "faq"

# The field rules live in the schema (declared once); these names stay importable from here.
ANSWER_MIN_WORDS = S.ANSWER_MIN_WORDS
ANSWER_MAX_WORDS = S.ANSWER_MAX_WORDS
MAX_GRADE = S.MAX_GRADE
MIN_ALTERNATES = S.MIN_ALTERNATES
ID_RE = S.ID_RE
URL_RE = S.URL_RE
MARKUP_RE = S.MARKUP_RE
ACTION_HREF_RE = S.ACTION_HREF_RE
DOSE_RE = S.DOSE_RE
SUMMARY_MAX_WORDS = S.SUMMARY_MAX_WORDS
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
    points: tuple[str, ...] = ()  # optional short bullets shown after the answer
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


SMALLTALK_KINDS = S.SMALLTALK_KINDS
HANDOFF_KINDS = S.HANDOFF_KINDS


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


class _FastStrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """_StrictLoader with libyaml's C parser: the same values, about five times faster.

    A file it refuses is parsed again with _StrictLoader, whose error messages (and the
    plain-words hints built on them) are PyYAML's own.
    """


_FastStrictLoader.yaml_implicit_resolvers = _StrictLoader.yaml_implicit_resolvers
_FastStrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


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
        # Both loaders are yaml's safe loader plus a duplicate-key check: no arbitrary objects.
        try:
            return yaml.load(text, Loader=_FastStrictLoader)  # noqa: S506
        except yaml.YAMLError:
            return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 -- PyYAML's messages name the problem
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


# The one line the widget and kiosk show while any entry in service is a draft.
DRAFT_NOTICE = "Draft content, not yet reviewed by a clinician."


def _validated(c: _Checker, model: type[S.BaseModel], data: Any, file: str, today: dt.date) -> Any:
    """Validate data against its schema model; record each problem in plain words; None if invalid."""
    try:
        return model.model_validate(data, context={"today": today})
    except S.ValidationError as err:
        c.problems.extend(S.problems_from(err, data, file))
        return None


def _salvage(model: type[S.BaseModel], items: Any, today: dt.date) -> list[Any]:
    """Return the items of a file that are valid on their own (the file's problems are reported once)."""
    out = []
    for item in items if isinstance(items, list) else ():
        try:
            out.append(model.model_validate(item, context={"today": today}))
        except S.ValidationError:
            pass
    return out


def _actions(items: list[S.Action]) -> tuple[Action, ...]:
    return tuple(Action(a.label, a.href) for a in items)


def _entry(m: S.Entry | S.SafetyReply, file: str, category: str) -> Entry:
    """Return the runtime record of a validated entry or safety reply."""
    safety = isinstance(m, S.SafetyReply)
    return Entry(
        id=m.id,
        category=category,
        question=m.question,
        summary=m.summary,
        alternates=() if safety else tuple(m.alternates),
        answer=m.answer,
        points=tuple(m.points or ()),
        citations=tuple(m.citations),
        evidence=m.evidence,
        reviewed=m.reviewed,
        reviewer=m.reviewer,
        related=tuple(m.related),
        clinician_note=m.clinician_note,
        file=file,
        label=m.label if safety else None,
        lang=m.lang if safety else "en",
        actions=_actions(m.actions) if safety else (),
        status=m.status,
        reviewed_by=m.reviewed_by or "",
    )


def _read_category(c: _Checker, data: Any, file: str, today: dt.date) -> tuple[Category | None, list[Entry]]:
    """Read one category file: its topic and its entries."""
    model = _validated(c, S.CategoryFile, data, file, today)
    if model is not None:
        cat, items = model.category, model.entries
    else:
        raw_cat = data.get("category") if isinstance(data, dict) else None
        cat = next(iter(_salvage(S.Category, [raw_cat], today)), None)
        items = _salvage(S.Entry, data.get("entries") if isinstance(data, dict) else None, today)
    entries = [_entry(m, file, cat.id if cat else "") for m in items]
    category = Category(cat.id, cat.title, cat.order, tuple(e.id for e in entries)) if cat else None
    return category, entries


def _read_safety(
    c: _Checker, data: Any, entries: list[Entry], declared_ids: set[str], today: dt.date
) -> SafetyContent | None:
    """Read safety.yaml: the urgent replies, the concern notes and the 429 resources."""
    file = "safety.yaml"
    for raw in data.get("replies") or () if isinstance(data, dict) else ():
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            declared_ids.add(raw["id"])
    model = _validated(c, S.SafetyFile, data, file, today)
    if model is None:
        for m in _salvage(S.SafetyReply, data.get("replies") if isinstance(data, dict) else None, today):
            entries.append(_entry(m, file, "safety"))
        return None
    replies: dict[tuple[str, str], Entry] = {}
    for m in model.replies:
        entry = _entry(m, file, "safety")
        if (entry.label, entry.lang) in replies:
            c.error(file, entry.id, "label", f"a second {entry.lang} reply for {entry.label!r}")
        replies[(entry.label, entry.lang)] = entry
        entries.append(entry)
    notes: dict[tuple[str, str], SafetyNote] = {}
    for n in model.notes:
        note = SafetyNote(n.id, tuple(n.labels), n.lang, n.text, tuple(n.citations), _actions(n.actions))
        for label in n.labels:
            notes[(label, n.lang)] = note
    for label in LABELS:
        if (label, "en") not in replies:
            c.error(file, None, "replies", f"no English reply for the safety label {label!r}")
        if (label, "en") not in notes:
            c.error(file, None, "notes", f"no English note for the safety label {label!r}")
    resources = tuple(Resource(r.label, r.href, r.text) for r in model.resources)
    return SafetyContent(MappingProxyType(replies), MappingProxyType(notes), resources, model.spanish_notice)


def _read_sources(c: _Checker, data: Any, today: dt.date) -> dict[str, Source]:
    model = _validated(c, S.SourcesFile, data, "sources.yaml", today)
    if model is not None:
        found = model.sources
    else:  # the sources that are valid on their own, so entries citing them get no follow-on errors
        raw = data.get("sources") if isinstance(data, dict) else None
        items = raw.items() if isinstance(raw, dict) else ()
        found = {str(k): m for k, v in items if S.ID_RE.match(str(k)) for m in _salvage(S.Source, [v], today)}
    return {key: Source(key, s.title, s.publisher, s.year, s.url, s.authors) for key, s in found.items()}


def _read_messages(c: _Checker, data: Any, today: dt.date) -> Messages | None:
    file = "messages.yaml"
    model = _validated(c, S.MessagesFile, data, file, today)
    if model is None:
        return None
    seen: dict[str, str] = {}
    smalltalk: dict[str, SmallTalk] = {}
    for kind, body in model.smalltalk.items():
        for text in body.phrasings:
            key = " ".join(text.lower().split())
            if seen.setdefault(key, kind) != kind:
                c.error(file, None, f"smalltalk.{kind}.phrasings", f"{text!r} is also a phrasing of {seen[key]!r}")
        smalltalk[kind] = SmallTalk(kind, body.reply, tuple(body.phrasings))
    return Messages(
        model.clinician_note,
        model.clarify,
        model.fallback,
        tuple(model.fallback_suggestions),
        MappingProxyType(dict(model.evidence_labels)),
        model.review.months,
        model.review.grace_days,
        MappingProxyType(smalltalk),
    )


def _read_synonyms(c: _Checker, data: Any, today: dt.date) -> tuple[dict[str, str], list[str]]:
    model = _validated(c, S.SynonymsFile, data, "synonyms.yaml", today)
    if model is None:
        return {}, []
    return dict(model.synonyms), list(model.topic_words)


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
    sources = _read_sources(c, raw["sources.yaml"], today) if "sources.yaml" in raw else {}
    raw_sources = raw.get("sources.yaml", {}).get("sources") if isinstance(raw.get("sources.yaml"), dict) else None
    # Every key written, even one whose details failed their checks (reported at the source alone).
    source_keys = set(sources) | {str(k) for k in raw_sources} if isinstance(raw_sources, dict) else set(sources)
    messages = _read_messages(c, raw["messages.yaml"], today) if "messages.yaml" in raw else None
    synonyms, topic_words = _read_synonyms(c, raw["synonyms.yaml"], today) if "synonyms.yaml" in raw else ({}, [])

    entries: list[Entry] = []
    categories: list[Category] = []
    declared_ids: set[str] = set()  # every id written, even on an entry that failed its checks
    for path in sorted(faq_path.glob("*.yaml")):
        if path.name in SPECIAL_FILES or path.name not in parsed:
            continue
        data = parsed[path.name]
        for raw_entry in data.get("entries") or () if isinstance(data, dict) else ():
            if isinstance(raw_entry, dict) and isinstance(raw_entry.get("id"), str):
                declared_ids.add(raw_entry["id"])
        category, found = _read_category(c, data, path.name, today)
        entries.extend(found)
        if category is not None:
            categories.append(category)

    safety = _read_safety(c, raw["safety.yaml"], entries, declared_ids, today) if "safety.yaml" in raw else None
    detector = read_safety_data(c, faq_path, lambda path, name: _read_yaml(path, c.problems, name))
    withheld = _cross_check(c, entries, source_keys, messages, synonyms, today, declared_ids)
    if not serve_drafts:  # BOT_SERVE_DRAFTS=false: only clinician-approved entries are served
        for e in entries:
            if e.status == "draft" and e.category != "safety" and e.id not in withheld:
                withheld[e.id] = "a draft, not yet approved by a clinician (drafts are not served)"
    entries = [dataclasses.replace(e, withheld=withheld[e.id]) if e.id in withheld else e for e in entries]
    for note in {n.id: n for n in (safety.notes.values() if safety else ())}.values():
        for i, key in enumerate(note.citations):
            if key not in source_keys:
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
    sources: set[str],
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
    # The bot's own normaliser (step 2), built from the entries it matches (not the safety replies).
    normalizer = Normalizer.for_content(synonyms, [e for e in entries if e.category != "safety"])
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
