"""The bot: safety check first, then match, then decide what kind of reply to give."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .content import Entry, KnowledgeBase, load_knowledge_base
from .errors import QuestionError
from .matcher import Match, Matcher
from .normalize import Normalizer
from .reply import Citation, Reply, Suggestion
from .safety import SafetyCheck

MAX_QUESTION_CHARS = 500
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Thresholds:
    """How sure the matcher must be: answer, or ask which one, or say it can't help.

    The winner must lead the next entry by `margin`. A question with a topic word
    (ADHD, a medicine, ketamine...) is then answered from `answer` up; one without
    needs `off_topic_answer`, since most such questions are about something else
    ("symptoms of covid"). Below `clarify` the bot says what it covers instead.
    """

    answer: float = 0.30
    margin: float = 0.06
    clarify: float = 0.30
    clarify_band: float = 0.18
    off_topic_answer: float = 0.65


class Bot:
    """Answer questions from one loaded knowledge base; safe to share across threads."""

    def __init__(self, kb: KnowledgeBase, *, thresholds: Thresholds | None = None, **matcher_options) -> None:
        self.kb = kb
        self.thresholds = thresholds or Thresholds()
        self.matcher = Matcher(kb.entries, Normalizer(kb.synonyms), topic_words=kb.topic_words, **matcher_options)
        self.safety = SafetyCheck(kb.safety, known_words=self.matcher.normalizer.vocabulary)

    @property
    def version(self) -> str:
        """Return the version (content hash) of the content in use."""
        return self.kb.version

    # ----------------------------------------------------------------- replies
    def _citations(self, entry: Entry) -> tuple[Citation, ...]:
        sources = self.kb.sources
        return tuple(Citation(**sources[key].citation()) for key in entry.citations)

    def _suggest(self, ids) -> tuple[Suggestion, ...]:
        by_id = self.kb.by_id
        return tuple(Suggestion(i, by_id[i].question) for i in ids if i in by_id)

    def reply_for(self, entry: Entry, *, kind: str = "answer", score: float = 1.0) -> Reply:
        """Return the reply that serves this entry."""
        return Reply(
            kind=kind,
            id=entry.id,
            question=entry.question,
            answer=entry.answer,
            citations=self._citations(entry),
            clinician_note=entry.clinician_note or self.kb.messages.clinician_note,
            evidence=entry.evidence,
            suggestions=self._suggest(entry.related),
            score=round(score, 3),
            faq_version=self.kb.version,
        )

    def entry_reply(self, entry_id: str) -> Reply | None:
        """Return the reply for an entry id (as when a suggestion is clicked), or None."""
        entry = self.kb.by_id.get(entry_id)
        if entry is None:
            return None
        return self.reply_for(entry, kind="safety" if entry.category == "safety" else "answer")

    def _clarify(self, hits: list[Match]) -> Reply:
        return Reply(
            kind="clarify",
            id=None,
            question=None,
            answer=self.kb.messages.clarify,
            citations=(),
            clinician_note=self.kb.messages.clinician_note,
            evidence=None,
            suggestions=self._suggest(h.entry_id for h in hits),
            score=round(hits[0].score, 3),
            faq_version=self.kb.version,
        )

    def _fallback(self, score: float) -> Reply:
        m = self.kb.messages
        return Reply(
            kind="fallback",
            id=None,
            question=None,
            answer=m.fallback,
            citations=(),
            clinician_note=m.clinician_note,
            evidence=None,
            suggestions=self._suggest(m.fallback_suggestions),
            score=round(score, 3),
            faq_version=self.kb.version,
        )

    # --------------------------------------------------------------------- ask
    @staticmethod
    def clean(text: object, *, max_chars: int = MAX_QUESTION_CHARS) -> str:
        """Return the question as plain text, or raise QuestionError saying why not."""
        if not isinstance(text, str):
            raise QuestionError("invalid_question", "The question must be text.")
        if len(text) > max_chars:
            raise QuestionError("question_too_long", f"The question must be {max_chars} characters or fewer.")
        if _CONTROL.search(text):
            # Tabs and line breaks are fine; other control characters are never typed by a person.
            raise QuestionError("control_characters", "The question has control characters. Please type plain text.")
        text = " ".join(text.split())
        if not text:
            raise QuestionError("empty_question", "Please type a question.")
        return text

    def decide(self, hits: list[Match]) -> tuple[str, list[Match]]:
        """Return the reply kind for ranked hits and the hits to show."""
        t = self.thresholds
        if not hits:
            return "fallback", []
        top = hits[0]
        second = hits[1].score if len(hits) > 1 else 0.0
        enough = t.answer if top.on_topic else t.off_topic_answer
        if top.score >= enough and top.score - second >= t.margin:
            return "answer", [top]
        if top.score < t.clarify:
            return "fallback", []
        close = [h for h in hits if h.score >= max(t.clarify, top.score - t.clarify_band)]
        return "clarify", close

    def ask(self, text: str) -> Reply:
        """Answer one question: a safety reply, an answer, a clarifying question or a fallback."""
        question = self.clean(text)
        rule = self.safety.check(question)
        if rule is not None:
            return self.reply_for(rule.entry, kind="safety")
        hits = self.matcher.search(question, limit=3)
        kind, shown = self.decide(hits)
        if kind == "answer":
            return self.reply_for(self.kb.by_id[shown[0].entry_id], score=shown[0].score)
        if kind == "clarify":
            return self._clarify(shown)
        return self._fallback(hits[0].score if hits else 0.0)


def load_bot(faq_dir: str | Path | None = None, *, thresholds: Thresholds | None = None) -> Bot:
    """Load and validate the content once and return a ready Bot."""
    return Bot(load_knowledge_base(faq_dir), thresholds=thresholds)
