"""The reply record: one shape for the CLI, the JSON lines and the HTTP API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

KINDS = ("answer", "clarify", "fallback", "safety", "smalltalk")


@dataclass(frozen=True)
class Citation:
    """A source as shown under an answer."""

    title: str
    publisher: str
    year: int | None
    url: str


@dataclass(frozen=True)
class Suggestion:
    """An entry offered to the reader next: its id and question."""

    id: str
    question: str


@dataclass(frozen=True)
class Action:
    """A button: a label and where it leads (tel:, sms: or https:)."""

    label: str
    href: str


@dataclass(frozen=True)
class SafetyNote:
    """A short resource line shown above a normal answer (the concern tier)."""

    id: str
    text: str
    actions: tuple[Action, ...]


@dataclass(frozen=True)
class Reply:
    """What the bot says to one question (see the reply contract in the README)."""

    kind: str
    id: str | None
    question: str | None
    answer: str
    citations: tuple[Citation, ...]
    clinician_note: str
    evidence: str | None
    suggestions: tuple[Suggestion, ...]
    score: float
    faq_version: str
    safety_note: SafetyNote | None = None
    actions: tuple[Action, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the reply as the JSON contract (plain dicts and lists)."""
        return {
            "kind": self.kind,
            "id": self.id,
            "question": self.question,
            "answer": self.answer,
            "citations": [
                {"title": c.title, "publisher": c.publisher, "year": c.year, "url": c.url} for c in self.citations
            ],
            "clinician_note": self.clinician_note,
            "evidence": self.evidence,
            "suggestions": [{"id": s.id, "question": s.question} for s in self.suggestions],
            "score": self.score,
            "faq_version": self.faq_version,
            "safety_note": None
            if self.safety_note is None
            else {
                "id": self.safety_note.id,
                "text": self.safety_note.text,
                "actions": [{"label": a.label, "href": a.href} for a in self.safety_note.actions],
            },
            "actions": [{"label": a.label, "href": a.href} for a in self.actions],
        }
