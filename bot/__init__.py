"""Vetted ADHD FAQ bot: answers only from the reviewed content in faq/."""

from __future__ import annotations

from .content import KnowledgeBase, load_knowledge_base
from .engine import Bot, Thresholds, load_bot
from .errors import BotError, ContentError, ContentProblem, QuestionError
from .reply import Citation, Reply, Suggestion

__all__ = [
    "Bot",
    "BotError",
    "Citation",
    "ContentError",
    "ContentProblem",
    "KnowledgeBase",
    "QuestionError",
    "Reply",
    "Suggestion",
    "Thresholds",
    "load_bot",
    "load_knowledge_base",
]
