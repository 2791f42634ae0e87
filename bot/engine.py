"""The bot: safety check first, then match, then decide what kind of reply to give."""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .content import DEFAULT_FAQ_DIR, Entry, KnowledgeBase, load_knowledge_base
from .detector import FAQ_PHRASING_WEIGHT, HARD_NEGATIVE_WEIGHT, Detector, Sample, trained_detector
from .encoder import Encoder, cached_vectors, load_encoder, release_freed_memory
from .errors import QuestionError
from .intent import OUT, IntentModel
from .matcher import Match, Matcher
from .normalize import Normalizer
from .reply import Action, Citation, Reply, SafetyNote, Suggestion
from .safety import Assessment, SafetyCheck
from .safety import Thresholds as SafetyThresholds
from .safety_data import NONE
from .training import MATCHER_DIR, Example, load_training

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
    # The learned matcher (bot/intent.py), when it is loaded, has the last word:
    # over a lexical answer its own choice wins from `intent_answer`; a lexical clarify
    # becomes its choice from `intent_clarify` when that was one of the choices offered;
    # and an answer turns into the fallback when it gives out-of-scope `intent_out`.
    # Chosen on the dev questions and on 5-fold over the training questions and decoys.
    intent_answer: float = 0.5
    intent_clarify: float = 0.9
    intent_out: float = 0.2


def detector_samples(kb: KnowledgeBase, safety: SafetyCheck) -> list[Sample]:
    """Return the detector's training messages: the exemplar bank plus the FAQ's phrasings as ordinary questions."""
    samples = [
        Sample(safety.prepare(ex.text), ex.text, ex.label, HARD_NEGATIVE_WEIGHT if ex.label == NONE else 1.0)
        for ex in kb.detector.exemplars
    ]
    for entry in kb.entries:
        for phrase in (entry.question, *entry.alternates):
            samples.append(Sample(safety.prepare(phrase), phrase, NONE, FAQ_PHRASING_WEIGHT))
    return samples


def train_intent(
    kb: KnowledgeBase, training: Sequence[Example], encoder: Encoder, normalizer: Normalizer
) -> IntentModel:
    """Return the learned matcher for this content and training data (trained once per process)."""
    texts: list[str] = []
    labels: list[str] = []
    for entry in kb.entries:
        for phrase in (entry.question, *entry.alternates):
            texts.append(phrase)
            labels.append(entry.id)
    for example in training:
        texts.append(example.text)
        labels.append(OUT if example.decoy else example.label)
    # Keyed, like the detector, by what changes rarely: the training data and the set of
    # entry ids. An edit of an answer or a phrasing then reloads in a second instead of
    # retraining; the model keeps the phrasings of the first load in this process until
    # an entry is added or removed (or the process restarts).
    keyed = [f"{e.label}\t{e.text}" for e in training] + sorted(kb.by_id)
    digest = hashlib.sha256("\n".join(keyed).encode()).hexdigest()

    def build() -> IntentModel:
        pairs = "\n".join(f"{label}\t{text}" for label, text in zip(labels, texts, strict=True))
        vectors = cached_vectors(encoder, texts, key=f"intent-{hashlib.sha256(pairs.encode()).hexdigest()[:16]}")
        return IntentModel(
            texts, labels, vectors=vectors, embed=encoder.encode_one, prepare=lambda t: " ".join(normalizer.tokens(t))
        )

    return trained_detector(("intent", digest, encoder.model_sha256), build)


def train_detector(kb: KnowledgeBase, safety: SafetyCheck, encoder: Encoder | None) -> Detector:
    """Return the safety detector for this content (trained once per content version and model)."""
    model = encoder.model_sha256 if encoder is not None else "lexical"

    def build() -> Detector:
        samples = detector_samples(kb, safety)
        vectors = None
        if encoder is not None:
            vectors = cached_vectors(encoder, [s.raw for s in samples], key=f"detector-{kb.detector.version}")
        return Detector(samples, vectors=vectors, embed=encoder.encode_one if encoder is not None else None)

    # Keyed by the safety data (faq/detector/) and the model, not by the whole content:
    # an edit of an answer reloads in a second instead of retraining; the FAQ phrasings
    # it learned as ordinary questions are those of the first load in this process.
    return trained_detector((kb.detector.version, model), build)


class Bot:
    """Answer questions from one loaded knowledge base; safe to share across threads."""

    def __init__(
        self,
        kb: KnowledgeBase,
        *,
        thresholds: Thresholds | None = None,
        encoder: Encoder | None = None,
        safety_thresholds: SafetyThresholds | None = None,
        training: Sequence[Example] = (),
        **matcher_options,
    ) -> None:
        self.kb = kb
        self.thresholds = thresholds or Thresholds()
        self.encoder = encoder
        self.matcher = Matcher(kb.entries, Normalizer(kb.synonyms), topic_words=kb.topic_words, **matcher_options)
        self.safety = SafetyCheck(
            kb.detector, thresholds=safety_thresholds, known_words=self.matcher.normalizer.vocabulary
        )
        self.detector = train_detector(kb, self.safety, encoder)
        self.safety.detector = self.detector.probabilities
        # Without the encoder (or training data) the bot matches lexically, as before.
        self.intent = (
            train_intent(kb, training, encoder, self.matcher.normalizer) if encoder is not None and training else None
        )

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

    def reply_for(
        self, entry: Entry, *, kind: str = "answer", score: float = 1.0, note: SafetyNote | None = None
    ) -> Reply:
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
            safety_note=note,
            actions=tuple(Action(a.label, a.href) for a in entry.actions),
        )

    def entry_reply(self, entry_id: str) -> Reply | None:
        """Return the reply for an entry id (as when a suggestion is clicked), or None."""
        entry = self.kb.by_id.get(entry_id)
        if entry is None:
            return None
        return self.reply_for(entry, kind="safety" if entry.category == "safety" else "answer")

    def _clarify(self, hits: list[Match], note: SafetyNote | None = None) -> Reply:
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
            safety_note=note,
        )

    def _fallback(self, score: float, note: SafetyNote | None = None, *, lang: str = "en") -> Reply:
        m = self.kb.messages
        answer = m.fallback if lang == "en" else f"{self.kb.safety.spanish_notice} {m.fallback}"
        return Reply(
            kind="fallback",
            id=None,
            question=None,
            answer=answer,
            citations=(),
            clinician_note=m.clinician_note,
            evidence=None,
            suggestions=self._suggest(m.fallback_suggestions),
            score=round(score, 3),
            faq_version=self.kb.version,
            safety_note=note,
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

    def _second_opinion(self, question: str, kind: str, shown: list[Match]) -> tuple[str, list[Match]]:
        """Return the reply kind and hits after the learned matcher has had its say."""
        assert self.intent is not None
        t = self.thresholds
        probs = self.intent.probabilities(question)
        classes = self.intent.classes
        best = int(probs.argmax())
        label, p = classes[best], float(probs[best])
        offered = [h.entry_id for h in shown]
        overrule = kind == "answer" and p >= t.intent_answer
        promote = kind == "clarify" and label in offered and p >= t.intent_clarify
        if label != OUT and (overrule or promote):
            kind, shown = "answer", [Match(label, round(p, 4), self.kb.by_id[label].question)]
        if kind == "answer" and probs[classes.index(OUT)] >= t.intent_out:
            return "fallback", shown
        return kind, shown

    def assess(self, question: str) -> Assessment:
        """Return what the safety step makes of a cleaned question."""
        return self.safety.assess(question)

    def safety_reply(self, assessment: Assessment) -> Reply:
        """Return the urgent safety reply for an assessment, in its language where there is one."""
        assert assessment.label is not None
        return self.reply_for(self.kb.safety.reply(assessment.label, assessment.lang), kind="safety")

    def safety_note(self, assessment: Assessment) -> SafetyNote | None:
        """Return the concern note for an assessment, or None below the concern tier."""
        if assessment.tier is None or assessment.label is None:
            return None
        note = self.kb.safety.note(assessment.label, assessment.lang)
        return SafetyNote(note.id, note.text, tuple(Action(a.label, a.href) for a in note.actions))

    def ask(self, text: str) -> Reply:
        """Answer one question: a safety reply, an answer, a clarifying question or a fallback."""
        question = self.clean(text)
        assessment = self.assess(question)
        if assessment.urgent:
            return self.safety_reply(assessment)
        note = self.safety_note(assessment)
        if assessment.lang == "es":
            return self._fallback(0.0, note, lang="es")
        hits = self.matcher.search(question, limit=3)
        kind, shown = self.decide(hits)
        if self.intent is not None and kind != "fallback":
            kind, shown = self._second_opinion(question, kind, shown)
        if kind == "answer":
            return self.reply_for(self.kb.by_id[shown[0].entry_id], score=shown[0].score, note=note)
        if kind == "clarify":
            return self._clarify(shown, note)
        return self._fallback(hits[0].score if hits else 0.0, note)


def load_bot(
    faq_dir: str | Path | None = None,
    *,
    thresholds: Thresholds | None = None,
    encoder: Encoder | None | bool = True,
    matcher_model: bool = True,
) -> Bot:
    """Load and validate the content once and return a ready Bot (with the sentence encoder if it loads).

    `matcher_model=False` leaves out the matcher's learned second opinion (content checks need
    only the lexical matcher and the safety layer, and start several seconds sooner).
    """
    if encoder is True:
        encoder = shared_encoder()
    kb = load_knowledge_base(faq_dir)
    training: list[Example] = []
    folder = Path(faq_dir) if faq_dir is not None else DEFAULT_FAQ_DIR
    if encoder and matcher_model and (folder / MATCHER_DIR).is_dir():
        training = load_training(folder, set(kb.by_id))
    bot = Bot(kb, thresholds=thresholds, encoder=encoder or None, training=training)
    release_freed_memory()  # training leaves freed memory behind; hand it back (about 70 MB per worker)
    return bot


_ENCODER: tuple[Encoder | None, str] | None = None
_ENCODER_LOCK = threading.Lock()


def shared_encoder() -> Encoder | None:
    """Return the process's sentence encoder, loading it on first use (None if it cannot load)."""
    global _ENCODER
    with _ENCODER_LOCK:
        if _ENCODER is None:
            _ENCODER = load_encoder()
        return _ENCODER[0]
