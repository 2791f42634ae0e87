"""The content schema, declared once: what each file in faq/ holds, field by field (pydantic).

The loader (content.py) validates every file against these models and turns each error into
a ContentProblem that names the file, the entry and the field, in plain words. The JSON
Schema for editors (faq/schema/*.json, `python -m bot schema`) is generated from the same
models, so the two never drift. What spans files (unique ids, known source keys, related
ids, evidence labels, review dates against today) is checked by the loader after this.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from .errors import ContentProblem
from .readability import grade_level, word_count
from .safety_data import LABELS, LANGS

ANSWER_MIN_WORDS = 40
SAFETY_ANSWER_MIN_WORDS = 15
ANSWER_MAX_WORDS = 150
SUMMARY_MAX_WORDS = 30  # one sentence that answers the question first
POINTS_MAX = 8  # a short list, where a list reads better than a paragraph
POINT_MAX_WORDS = 25
MAX_GRADE = 8.0
MIN_ALTERNATES = 6
STATUSES = ("draft", "approved")
SMALLTALK_KINDS = ("greeting", "thanks", "goodbye", "clinic", "okay", "unhelpful")
# Small talk whose reply also offers the clinic's contact (booking, costs, staff; "that didn't help").
HANDOFF_KINDS = ("clinic", "unhelpful")

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
ID_RE = re.compile(ID_PATTERN)
URL_PATTERN = r"^https://[^\s\"'`<>\\]+$"  # a plain https address: no quotes, brackets or spaces
URL_RE = re.compile(URL_PATTERN)
# Markup in any text a reader sees (answers, questions, titles, notes, labels, sources).
MARKUP_RE = re.compile(r"[<>]|javascript\s*:", re.IGNORECASE)
# Where a safety button may lead: a phone call, a text message or a secure web page.
ACTION_HREF_PATTERN = r"^(?:tel:\+?[0-9]{3,15}|sms:\+?[0-9]{3,15}(?:\?body=[A-Za-z0-9%]+)?|https://[^\s<>\"']+)$"
ACTION_HREF_RE = re.compile(ACTION_HREF_PATTERN)
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

# --------------------------------------------------------------------------- US spelling

# British spellings a reader might meet, as word stems with the endings that make them
# British (so "organism", "realistic" and "specialist" pass), and the US stem to write.
_UK_STEMS = {
    "behaviour": ("behavior", "|s|al|ally"),
    "colour": ("color", "|s|ed|ful"),
    "favour": ("favor", "|s|ed|ite|ites|able"),
    "honour": ("honor", "|s|ed"),
    "labour": ("labor", "|s|ed"),
    "neighbour": ("neighbor", "|s|hood"),
    "humour": ("humor", ""),
    "paediatric": ("pediatric", "|s|ian|ians"),
    "anaesthe": ("anesthe", "sia|tic|tics|tist|tists"),
    "oesophag": ("esophag", "us|eal"),
    "haemorrhag": ("hemorrhag", "e|es|ing"),
    "haemoglobin": ("hemoglobin", ""),
    "foet": ("fet", "us|al|uses"),
    "oestrogen": ("estrogen", ""),
    "diarrhoea": ("diarrhea", ""),
    "leukaemia": ("leukemia", ""),
    "orthopaedic": ("orthopedic", "|s"),
    "centre": ("center", "|s|d"),
    "fibre": ("fiber", "|s"),
    "litre": ("liter", "|s"),
    "programme": ("program", "|s"),
    "organis": ("organiz", "e|ed|es|ing|ation|ations|er|ers"),
    "recognis": ("recogniz", "e|ed|es|ing|able"),
    "realis": ("realiz", "e|ed|es|ing|ation"),
    "prioritis": ("prioritiz", "e|ed|es|ing"),
    "apologis": ("apologiz", "e|ed|es|ing"),
    "specialis": ("specializ", "e|ed|es|ing"),
    "minimis": ("minimiz", "e|ed|es|ing"),
    "emphasis": ("emphasiz", "e|ed|ing"),
    "practis": ("practic", "e|ed|es|ing"),
    "analys": ("analyz", "e|ed|ing"),
    "licence": ("license", "|s"),
    "counsell": ("counsel", "ing|or|ors|ed"),
    "travell": ("travel", "ed|ing|er|ers"),
    "labell": ("label", "ed|ing"),
    "modell": ("model", "ed|ing"),
    "judgement": ("judgment", "|s"),
    "defence": ("defense", "|s"),
    "enrolment": ("enrollment", "|s"),
    "catalogue": ("catalog", "|s"),
    "ageing": ("aging", ""),
    "mum": ("mom", "|s"),
    "tyre": ("tire", "|s"),
    "sulphur": ("sulfur", ""),
}
UK_SPELLING_RE = re.compile(
    r"\b(" + "|".join(f"({stem})(?:{ends})" for stem, (_, ends) in _UK_STEMS.items()) + r")\b", re.IGNORECASE
)


def _us_spelling(text: str) -> str:
    """Refuse British spellings in text a reader sees: the audience, and the phone numbers, are US."""
    if found := UK_SPELLING_RE.search(text):
        word = found.group(0)
        stem = next(s for s, g in zip(_UK_STEMS, found.groups()[1:], strict=True) if g)
        us = _UK_STEMS[stem.lower()][0] + word[len(stem) :]
        raise ValueError(f"uses the British spelling {word!r}; write {us!r} (US spelling)")
    return text


_TEXT_SCHEMA = {"type": "string", "minLength": 1, "pattern": "^[^<>]*$"}


# --------------------------------------------------------------------------- field types


def _plain_text(value: Any) -> str:
    """Return value as one line of plain text, or say in plain words why it is not text."""
    if value is None:
        raise ValueError("is missing or empty")
    if isinstance(value, bool):
        raise ValueError(f"YAML read {value!r} as a yes/no value; put the text in quotes")
    if isinstance(value, (int, float, dt.date)):
        kind = "a date" if isinstance(value, dt.date) else "a number"
        raise ValueError(f"YAML read {value!r} as {kind}; put the text in quotes")
    if not isinstance(value, str):
        raise ValueError(f"must be text, not {type(value).__name__}")
    text = " ".join(value.split())
    if not text:
        raise ValueError("is empty")
    if MARKUP_RE.search(text):
        # The front ends show text as text, so markup would reach a patient as raw "<script>".
        raise ValueError("has markup (<, > or javascript:); write plain text")
    return text


def _matching(pattern: re.Pattern[str], message: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        text = _plain_text(value)
        if not pattern.match(text):
            raise ValueError(message.format(value=text))
        return text

    return check


def _whole_number(low: int, high: int | None = None) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < low or (high and value > high):
            raise ValueError(f"{value!r} must be a whole number" + (f" from {low} to {high}" if high else ""))
        return value

    return check


def _one_of(choices: tuple[str, ...]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in choices:
            raise ValueError(f"{value!r} is not one of: {', '.join(choices)}")
        return value

    return check


Text = Annotated[str, BeforeValidator(_plain_text), WithJsonSchema(_TEXT_SCHEMA)]
# Text a reader sees (answers, notes, messages): plain text in US spelling.
ReaderText = Annotated[str, BeforeValidator(_plain_text), AfterValidator(_us_spelling), WithJsonSchema(_TEXT_SCHEMA)]
Id = Annotated[
    str,
    BeforeValidator(_matching(ID_RE, "must be lowercase words joined by hyphens, e.g. 'adhd-overview'")),
    WithJsonSchema({"type": "string", "pattern": ID_PATTERN}),
]
Url = Annotated[
    str,
    BeforeValidator(_matching(URL_RE, "{value!r} must be an https:// address")),
    WithJsonSchema({"type": "string", "pattern": URL_PATTERN}),
]
Href = Annotated[
    str,
    BeforeValidator(_matching(ACTION_HREF_RE, "{value!r} must be tel:, sms: or an https:// address")),
    WithJsonSchema({"type": "string", "pattern": ACTION_HREF_PATTERN}),
]
Status = Annotated[str, BeforeValidator(_one_of(STATUSES)), WithJsonSchema({"enum": list(STATUSES)})]
Label = Annotated[str, BeforeValidator(_one_of(LABELS)), WithJsonSchema({"enum": list(LABELS)})]
Lang = Annotated[str, BeforeValidator(_one_of(LANGS)), WithJsonSchema({"enum": list(LANGS)})]
Order = Annotated[int, BeforeValidator(_whole_number(0)), WithJsonSchema({"type": "integer", "minimum": 0})]


def _review_date(value: Any, info: ValidationInfo) -> dt.date:
    """Return the review date; it is written YYYY-MM-DD and is not in the future."""
    day = value
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None
    elif isinstance(value, dt.datetime):
        day = value.date()
    if not isinstance(day, dt.date):
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)")
    today = (info.context or {}).get("today") or dt.date.today()
    if day > today:
        raise ValueError(f"{day.isoformat()} is in the future")
    return day


ReviewDate = Annotated[dt.date, BeforeValidator(_review_date), WithJsonSchema({"type": "string", "format": "date"})]


def _no_dose(text: str) -> str:
    if dose := DOSE_RE.search(text):
        raise ValueError(f"gives an amount ({dose.group(0)!r}); no doses, ever")
    return text


def _grade(text: str) -> str:
    grade = grade_level(text)
    if grade > MAX_GRADE:
        raise ValueError(f"reads at grade {grade:.1f}; it must be {MAX_GRADE:.0f} or lower")
    return text


# --------------------------------------------------------------------------- models


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Action(_Model):
    """A button under a safety reply or note: a label and where it leads."""

    label: Text
    href: Href


class _EntryBase(_Model):
    """What every entry and safety reply has."""

    answer_min_words: ClassVar[int] = ANSWER_MIN_WORDS

    id: Id
    question: ReaderText = Field(description="The question as a reader would ask it; shown as the answer's heading.")
    summary: ReaderText = Field(description=f"One sentence, at most {SUMMARY_MAX_WORDS} words, that answers first.")
    answer: ReaderText = Field(
        description=f"{ANSWER_MIN_WORDS}-{ANSWER_MAX_WORDS} words, grade {MAX_GRADE:.0f} or lower."
    )
    points: list[ReaderText] | None = Field(
        default=None,
        max_length=POINTS_MAX,
        description=f"Optional short bullets after the answer (up to {POINTS_MAX}, {POINT_MAX_WORDS} words each).",
    )
    citations: list[Text] = Field(description="Source keys from sources.yaml; every fact is backed by one.")
    evidence: Text = Field(description="An evidence label from messages.yaml evidence_labels.")
    reviewed: ReviewDate = Field(description="The day the text was last checked, YYYY-MM-DD.")
    reviewer: Text = Field(description="Who checked it (a team, not a clinician, until sign-off).")
    status: Status = Field(description="draft, or approved by a clinician (with reviewed_by).")
    reviewed_by: str | None = Field(
        default=None,
        validate_default=True,
        json_schema_extra={"type": "string", "pattern": "^[^,]+,[^,]+$"},
        description="The approving clinician, 'Name, credential'; only with status: approved.",
    )
    related: list[Text] = Field(default_factory=list, description="Ids of related entries.")
    clinician_note: ReaderText | None = Field(default=None, description="A note shown instead of the default one.")

    @field_validator("clinician_note", mode="before")
    @classmethod
    def _note_not_empty(cls, value: Any) -> str:
        return _plain_text(value)  # written but empty is a mistake; absent is fine

    @field_validator("summary")
    @classmethod
    def _summary(cls, value: str) -> str:
        words = word_count(value)
        if words > SUMMARY_MAX_WORDS:
            raise ValueError(f"has {words} words; one sentence of {SUMMARY_MAX_WORDS} at most")
        return _no_dose(value)

    @field_validator("answer")
    @classmethod
    def _answer(cls, value: str) -> str:
        words = word_count(value)
        if not cls.answer_min_words <= words <= ANSWER_MAX_WORDS:
            raise ValueError(f"has {words} words; it must have {cls.answer_min_words}-{ANSWER_MAX_WORDS}")
        return _no_dose(_grade(value))

    @field_validator("points")
    @classmethod
    def _points(cls, value: list[str] | None) -> list[str] | None:
        for point in value or ():
            words = word_count(point)
            if words > POINT_MAX_WORDS:
                raise ValueError(f"{point!r} has {words} words; a point has {POINT_MAX_WORDS} at most")
            try:
                if words >= 8:  # the grade formula needs a sentence, not a two-word item
                    _grade(point)
                _no_dose(point)
            except ValueError as err:
                raise ValueError(f"{point!r} {err}") from None
        return value

    @field_validator("citations")
    @classmethod
    def _some_citations(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("needs at least one source key")
        return value

    @field_validator("reviewed_by", mode="before")
    @classmethod
    def _sign_off(cls, value: Any, info: ValidationInfo) -> str | None:
        # Sign-off: only a clinician sets `status: approved`, with their name and credential.
        status = info.data.get("status")
        if value is None:
            if status == "approved":
                raise ValueError("an approved entry names the clinician who approved it ('Name, credential')")
            return None
        text = _plain_text(value)
        if not re.match(r"^[^,]*\S[^,]*,[^,]*\S[^,]*$", text):
            raise ValueError("write the clinician's name and credential, like 'Jane Doe, MD'")
        if status == "draft":
            raise ValueError("a draft has no clinician sign-off yet; set status: approved, or remove this")
        return text

    def summary_grade(self) -> float:
        return grade_level(self.summary)


class Entry(_EntryBase):
    """One FAQ entry in a category file."""

    alternates: list[Text] = Field(
        description=f"At least {MIN_ALTERNATES} other ways people ask it (the matcher learns from them)."
    )

    @field_validator("alternates")
    @classmethod
    def _enough_alternates(cls, value: list[str]) -> list[str]:
        if len(value) < MIN_ALTERNATES:
            raise ValueError(f"needs at least {MIN_ALTERNATES} phrasings, has {len(value)}")
        return value

    @model_validator(mode="after")
    def _summary_grade(self) -> Entry:
        _grade_at("summary", self.summary)
        return self


class SafetyReply(_EntryBase):
    """A reply the safety layer gives for one label, in one language."""

    answer_min_words: ClassVar[int] = SAFETY_ANSWER_MIN_WORDS

    label: Label
    lang: Lang = "en"
    actions: list[Action] = Field(description="Call, text or chat buttons: tel:, sms: or https: only.")

    @field_validator("actions")
    @classmethod
    def _some_actions(cls, value: list[Action]) -> list[Action]:
        if not value:
            raise ValueError("must list at least one action (a label and an href)")
        return value

    @model_validator(mode="after")
    def _summary_grade(self) -> SafetyReply:
        if self.lang == "en":  # the grade formula is for English
            _grade_at("summary", self.summary)
        return self


class _FieldError(ValueError):
    """A check of the whole model that belongs to one field (so the problem names it)."""

    def __init__(self, fld: str, message: str) -> None:
        super().__init__(f"{fld}: {message}")


def _grade_at(fld: str, text: str) -> None:
    try:
        _grade(text)
    except ValueError as err:
        raise _FieldError(fld, str(err)) from None


class Category(_Model):
    """The topic a category file's entries belong to."""

    id: Id
    title: ReaderText
    order: Order


class CategoryFile(_Model):
    """A category file: faq/<topic>.yaml."""

    category: Category
    entries: list[Entry] = Field(min_length=1)


class SafetyNote(_Model):
    """A short resource line shown above a normal answer (the concern tier)."""

    id: Annotated[
        str,
        BeforeValidator(
            _matching(
                re.compile(r"^safety-[a-z0-9]+(?:-[a-z0-9]+)*$"),
                "a note id is lowercase words joined by hyphens, starting 'safety-'",
            )
        ),
    ]
    labels: list[Label] = Field(min_length=1)
    lang: Lang = "en"
    text: ReaderText
    citations: list[Text] = Field(min_length=1)
    actions: list[Action] = Field(min_length=1)

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        return _no_dose(value)


class Resource(_Model):
    """A help line shown with every rate-limit refusal."""

    label: ReaderText
    href: Href
    text: ReaderText


class SafetyFile(_Model):
    """faq/safety.yaml: the safety replies, the concern notes, the 429 help lines."""

    replies: list[SafetyReply] = Field(min_length=1)
    notes: list[SafetyNote] = Field(min_length=1)
    resources: list[Resource] = Field(min_length=1)
    spanish_notice: Text


class Source(_Model):
    """One citable source."""

    title: Text
    publisher: Text
    year: Annotated[
        int | None,
        BeforeValidator(lambda v: v if v is None else _whole_number(1900, 2100)(v)),
        WithJsonSchema({"type": ["integer", "null"], "minimum": 1900, "maximum": 2100}),
    ] = Field(description="The year on the source, or null if it shows none.")
    url: Url
    authors: Text | None = None


class SourcesFile(_Model):
    """faq/sources.yaml: every source an entry may cite, by key."""

    sources: dict[Id, Source] = Field(min_length=1)


class SmallTalk(_Model):
    reply: ReaderText
    phrasings: list[Text] = Field(min_length=1)


class Review(_Model):
    months: Order
    grace_days: Order


class MessagesFile(_Model):
    """faq/messages.yaml: texts that are not entries."""

    clinician_note: ReaderText
    clarify: ReaderText
    fallback: ReaderText
    fallback_suggestions: list[Text] = Field(min_length=1)
    evidence_labels: dict[str, ReaderText] = Field(min_length=1)
    review: Review
    smalltalk: dict[Literal[SMALLTALK_KINDS], SmallTalk] = Field(default_factory=dict)  # type: ignore[valid-type]


class SynonymsFile(_Model):
    """faq/synonyms.yaml: words people use, and what they mean."""

    synonyms: dict[Text, Text]
    topic_words: list[Text] = Field(min_length=1)


# --------------------------------------------------------------------------- errors in plain words

# Where a file holds a list (or map) of entries, a problem names the entry, not the index.
_ENTRY_LISTS = {"entries": "an entry", "replies": "an entry", "notes": "a note", "sources": "a source"}


def _field_path(parts: tuple[Any, ...]) -> str | None:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or None


def problems_from(error: ValidationError, raw: Any, file: str) -> list[ContentProblem]:
    """Turn pydantic's errors into ContentProblems: file, entry id and field, in plain words."""
    out = []
    for err in error.errors(include_url=False):
        loc = tuple(err["loc"])
        entry_id, what, parts, position = None, "the file", loc, ""
        if len(loc) >= 2 and loc[0] in _ENTRY_LISTS and isinstance(raw, dict):
            holder = raw.get(loc[0])
            what = _ENTRY_LISTS[loc[0]]
            if isinstance(loc[1], int) and isinstance(holder, list) and loc[1] < len(holder):
                item = holder[loc[1]]
                entry_id = item.get("id") if isinstance(item, dict) and isinstance(item.get("id"), str) else None
                parts = loc[2:]
                if entry_id is None:  # no id to name it by: say where it stands
                    position = f" (number {loc[1] + 1} under '{loc[0]}')"
            elif isinstance(loc[1], str):
                entry_id, parts = loc[1], loc[2:]
        elif loc:
            what = f"'{_field_path(loc[:-1])}'" if len(loc) > 1 else "the file"
        if parts and parts[-1] == "[key]":  # a map's key, not one of its fields
            parts = parts[:-1]
        kind, message = err["type"], err["msg"]
        if kind == "value_error":
            message = message.removeprefix("Value error, ")
            if ": " in message and err["ctx"].get("error").__class__ is _FieldError:
                fld, message = message.split(": ", 1)
                parts = (*parts, fld)
        elif kind == "missing":
            message = f"required field missing from {what}"
        elif kind == "extra_forbidden":
            where = parts[:-1]
            model = _model_at(_FILE_MODELS.get(file, CategoryFile), loc[:-1])
            allowed = ", ".join(sorted(model.model_fields)) if model else "see the schema"
            message = f"unknown field in {what if not where else repr(_field_path(where))} (allowed: {allowed})"
        elif err.get("input") is None and kind in ("list_type", "dict_type", "model_type", "int_type"):
            message = "is missing or empty"  # written with nothing after the colon
        elif kind == "list_type":
            message = "must be a list"
        elif kind == "too_short":
            message = "must be a non-empty list"
        elif kind in ("model_type", "dict_type", "model_attributes_type"):
            message = f"{what} must be a mapping of fields"
        elif kind == "literal_error":
            message = f"{err.get('input')!r} is not one of: {err['ctx'].get('expected')}"
        elif kind == "too_long":
            message = f"has too many items ({err['ctx'].get('max_length')} at most)"
        out.append(ContentProblem(file, entry_id, _field_path(parts), message + position))
    return out


def _model_at(model: type[BaseModel] | None, loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """Return the model that holds the field at loc (to list what it allows)."""
    for part in loc:
        if model is None or isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return None if not isinstance(part, str) or part not in _ENTRY_LISTS else model
        model = _inner_model(field.annotation)
    return model


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


_FILE_MODELS: dict[str, type[BaseModel]] = {
    "sources.yaml": SourcesFile,
    "safety.yaml": SafetyFile,
    "messages.yaml": MessagesFile,
    "synonyms.yaml": SynonymsFile,
}


def model_for(file: str) -> type[BaseModel]:
    """Return the model a file in faq/ is checked against (a category file if no other)."""
    return _FILE_MODELS.get(file, CategoryFile)


# --------------------------------------------------------------------------- JSON Schema

SCHEMA_DIR = "schema"
SCHEMA_FILES = {
    "category.schema.json": CategoryFile,
    "sources.schema.json": SourcesFile,
    "safety.schema.json": SafetyFile,
    "messages.schema.json": MessagesFile,
    "synonyms.schema.json": SynonymsFile,
}


def json_schemas() -> dict[str, str]:
    """Return each published JSON Schema file's text, generated from the models above."""
    out = {}
    for name, model in SCHEMA_FILES.items():
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **model.model_json_schema()}
        out[name] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    return out


def write_json_schemas(faq_dir: Path) -> list[Path]:
    """Write the JSON Schema files into faq/schema/; return their paths."""
    folder = faq_dir / SCHEMA_DIR
    folder.mkdir(exist_ok=True)
    paths = []
    for name, text in json_schemas().items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
