"""Named errors of the bot core.

BotError
 +-- ContentError      the vetted content in faq/ is invalid; nothing is served
 +-- QuestionError     a question the bot cannot take (not text, too long, control chars)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ContentProblem:
    """One problem found in the content: where it is and what is wrong."""

    file: str
    entry_id: str | None
    field: str | None
    message: str
    severity: str = "error"  # "error" stops the load; "warning" is reported by lint

    def __str__(self) -> str:
        where = [self.file]
        if self.entry_id:
            where.append(f"entry '{self.entry_id}'")
        if self.field:
            where.append(f"field '{self.field}'")
        return f"{', '.join(where)}: {self.message}"


class BotError(Exception):
    """Base class of every error the bot core raises on purpose."""


class ContentError(BotError):
    """The content in faq/ failed validation; carries every problem found."""

    def __init__(self, problems: list[ContentProblem]) -> None:
        self.problems = tuple(problems)
        first = self.problems[0] if self.problems else None
        self.file = first.file if first else None
        self.entry_id = first.entry_id if first else None
        self.field = first.field if first else None
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(f"{first}{more}" if first else "invalid content")


class QuestionError(BotError, ValueError):
    """A question the bot refuses to take, with a machine-readable code."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)
