"""Content checks beyond loading: readability, review dates, colliding alternates."""

from __future__ import annotations

from .content import KnowledgeBase
from .engine import Bot
from .errors import ContentProblem
from .readability import grade_level

SAFETY_GRADE_TARGET = 6.5
TIE = 0.02


def lint(bot: Bot) -> list[ContentProblem]:
    """Return warnings about content that loads but could serve readers better."""
    kb: KnowledgeBase = bot.kb
    problems = list(kb.warnings)
    for reply in kb.safety.replies.values():
        if reply.lang != "en":
            continue  # the grade formula is for English
        grade = grade_level(reply.answer)
        if grade > SAFETY_GRADE_TARGET:
            problems.append(
                ContentProblem(
                    reply.file,
                    reply.id,
                    "answer",
                    f"safety reply reads at grade {grade:.1f}; aim for {SAFETY_GRADE_TARGET} or lower",
                    "warning",
                )
            )
    for kind, talk in kb.messages.smalltalk.items():
        for i, phrase in enumerate(talk.phrasings):
            if bot.assess(bot.query(phrase)).urgent:
                problems.append(
                    ContentProblem(
                        "messages.yaml",
                        None,
                        f"smalltalk.{kind}.phrasings[{i}]",
                        f"{phrase!r} triggers a safety reply, so it can never reach this small-talk reply",
                        "warning",
                    )
                )
    for entry in kb.entries:
        for i, phrase in enumerate(entry.alternates):
            query = bot.query(phrase)  # normalised once, as the bot does for a question
            if bot.assess(query).urgent:
                problems.append(
                    ContentProblem(
                        entry.file,
                        entry.id,
                        f"alternates[{i}]",
                        f"{phrase!r} triggers a safety reply, so it can never reach this entry",
                        "warning",
                    )
                )
                continue
            hits = bot.matcher.search(query, limit=3, exact=False)  # how its neighbours score, not the exact match
            own = next((h.score for h in hits if h.entry_id == entry.id), 0.0)
            rival = next((h for h in hits if h.entry_id != entry.id), None)
            if rival is not None and rival.score >= own - TIE:
                problems.append(
                    ContentProblem(
                        entry.file,
                        entry.id,
                        f"alternates[{i}]",
                        f"{phrase!r} matches '{rival.entry_id}' as well as its own entry ({rival.phrase!r})",
                        "warning",
                    )
                )
    return problems


def grade_table(kb: KnowledgeBase) -> list[tuple[str, int, float]]:
    """Return (id, words, grade) for every entry and safety reply."""
    rows = [(e.id, len(e.answer.split()), grade_level(e.answer)) for e in kb.entries]
    rows += [(r.id, len(r.answer.split()), grade_level(r.answer)) for r in kb.safety.replies.values() if r.lang == "en"]
    return rows
