"""The reply record: one shape for the CLI, the JSON lines and the HTTP API.

The shape is written once, here. `Reply.to_dict()` serialises it and `reply_schemas()`
gives its JSON Schema (the OpenAPI document's Reply), both made by pydantic from these
dataclasses, so the contract and its description cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal, get_args

from pydantic import ConfigDict, Field, TypeAdapter

Kind = Literal["answer", "clarify", "fallback", "safety", "smalltalk"]
KINDS: tuple[str, ...] = get_args(Kind)

# Every object: all keys always present (also those with defaults), no other keys.
_STRICT = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)
_Href = Annotated[str, Field(pattern="^(tel:|sms:|https://)", description="tel:, sms: or https: only.")]


@dataclass(frozen=True)
class Citation:
    """A source as shown under an answer."""

    __pydantic_config__ = _STRICT

    title: str
    publisher: str
    year: int | None
    url: str


@dataclass(frozen=True)
class Suggestion:
    """An entry offered to the reader next: its id and question."""

    __pydantic_config__ = _STRICT

    id: str
    question: str


@dataclass(frozen=True)
class Action:
    """A button: a label and where it leads (tel:, sms: or https:)."""

    __pydantic_config__ = _STRICT

    label: str
    href: _Href


@dataclass(frozen=True)
class SafetyNote:
    """A short resource line shown above a normal answer (the concern tier)."""

    __pydantic_config__ = _STRICT

    id: Annotated[str, Field(pattern="^safety-")]
    text: str
    actions: tuple[Action, ...]


@dataclass(frozen=True)
class Reply:
    """What the bot says to one question (see the reply contract in the README)."""

    __pydantic_config__ = _STRICT

    kind: Kind
    id: str | None
    question: str | None
    answer: Annotated[str, Field(min_length=1)]
    citations: tuple[Citation, ...]
    clinician_note: Annotated[str, Field(min_length=1)]
    evidence: str | None
    suggestions: tuple[Suggestion, ...]
    score: Annotated[float, Field(ge=0, le=1)]
    faq_version: str
    safety_note: Annotated[
        SafetyNote | None,
        Field(description="A short resource line to show above the answer (the concern tier), or null."),
    ] = None
    actions: Annotated[
        tuple[Action, ...], Field(description="Buttons for a safety reply (call, text, chat); empty otherwise.")
    ] = ()
    reviewed: Annotated[
        str | None,
        Field(
            pattern=r"^\d{4}-\d{2}-\d{2}$",
            description="When the entry served was last reviewed (YYYY-MM-DD), or null when no entry is served.",
        ),
    ] = None
    summary: Annotated[
        str | None,
        Field(description="One sentence that answers the question directly, shown first; null with no entry."),
    ] = None
    points: Annotated[
        tuple[str, ...],
        Field(description="Short bullet points that follow the answer, where a list reads better; often empty."),
    ] = ()
    handoff: Annotated[
        bool,
        Field(
            description="Offer the clinic's contact with this reply (a fallback, a clarifying question, "
            "or a request to book, pay or talk to staff)."
        ),
    ] = False

    def to_dict(self) -> dict[str, Any]:
        """Return the reply as the JSON contract (plain dicts and lists)."""
        return _adapter().dump_python(self, mode="json")


@cache
def _adapter() -> TypeAdapter:
    return TypeAdapter(Reply)


def reply_schemas(ref_template: str = "#/components/schemas/{model}") -> dict[str, dict]:
    """Return the JSON Schemas of Reply and of the objects in it, by name (Reply, Citation, ...)."""
    schema = _adapter().json_schema(mode="serialization", ref_template=ref_template)
    parts = schema.pop("$defs", {})
    return {"Reply": schema, **parts}
