"""Step 1 of a question's way through the bot: check it is a question the bot can take.

Plain text only: a string, not empty, at most MAX_QUESTION_CHARS characters, valid
Unicode (no lone surrogates), no control characters but tab and line breaks.
"""

from __future__ import annotations

import re

from .errors import QuestionError

MAX_QUESTION_CHARS = 500
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean(text: object, *, max_chars: int = MAX_QUESTION_CHARS) -> str:
    """Return the question as plain text with its spaces squeezed, or raise QuestionError saying why not."""
    if not isinstance(text, str):
        raise QuestionError("invalid_question", "The question must be text.")
    if len(text) > max_chars:
        raise QuestionError("question_too_long", f"The question must be {max_chars} characters or fewer.")
    if _CONTROL.search(text):
        # Tabs and line breaks are fine; other control characters are never typed by a person.
        raise QuestionError("control_characters", "The question has control characters. Please type plain text.")
    if _SURROGATE.search(text):
        # Half of a character pair, which no keyboard sends on its own (JSON "\ud800" can).
        raise QuestionError("invalid_text", "The question has characters that are not valid text.")
    text = " ".join(text.split())
    if not text:
        raise QuestionError("empty_question", "Please type a question.")
    return text
