"""The bot: question checks, safety, small talk, then score three ways and decide (bot/decide.py)."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from .content import DEFAULT_FAQ_DIR, HANDOFF_KINDS, Entry, KnowledgeBase, load_knowledge_base
from .decide import DECISION_FILE, DecisionModel, Signals, Thresholds, decide_lexical
from .detector import FAQ_PHRASING_WEIGHT, Detector, Sample, exemplar_weight, trained_model, training_elsewhere
from .encoder import Encoder, cached_vectors, load_encoder, release_freed_memory
from .intent import OUT, IntentModel
from .matcher import Match, Matcher
from .normalize import Normalizer, Query, Reader
from .question import clean
from .reply import Action, Citation, Reply, SafetyNote, Suggestion
from .safety import CRISIS_LABELS, Assessment, SafetyCheck
from .safety import Thresholds as SafetyThresholds
from .safety_data import NONE
from .training import MATCHER_DIR, SMALLTALK, Example, load_training

log = logging.getLogger("bot")


def text_key(text: str) -> str:
    """Return text lower-cased, without punctuation, spaces squeezed (how small talk is looked up)."""
    return " ".join("".join(ch for ch in text.lower() if ch.isalnum() or ch.isspace()).split())


def detector_samples(kb: KnowledgeBase, safety: SafetyCheck) -> list[Sample]:
    """Return the detector's training messages: the exemplar bank plus the FAQ's phrasings as ordinary questions."""
    samples = [
        Sample(safety.prepare(ex.text), ex.text, ex.label, exemplar_weight(ex.label, ex.group))
        for ex in kb.detector.exemplars
    ]
    for entry in kb.entries:
        for phrase in (entry.question, *entry.alternates):
            samples.append(Sample(safety.prepare(phrase), phrase, NONE, FAQ_PHRASING_WEIGHT))
    # Greetings, thanks and goodbyes are ordinary too: short messages say little, and
    # without these the detector read "hi there" or "see you" as a crisis.
    for talk in kb.messages.smalltalk.values():
        for phrase in talk.phrasings:
            samples.append(Sample(safety.prepare(phrase), phrase, NONE, FAQ_PHRASING_WEIGHT))
    return samples


def intent_examples(
    kb: KnowledgeBase, training: Sequence[Example]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Return the learned matcher's (text, class) pairs: those always kept, and the training questions.

    Kept: every entry's vetted phrasings, the small-talk phrasings and the small-talk training
    messages (faq/matcher/smalltalk.yaml; they are not questions, so the matcher's k-fold does
    not hold them out). Training: the training questions and decoys; a decoy's class is OUT,
    except clinic logistics (hours, booking, cost, insurance), which get the clinic reply.
    """
    kept = [(phrase, entry.id) for entry in kb.entries for phrase in (entry.question, *entry.alternates)]
    kept += [(phrase, SMALLTALK + kind) for kind, talk in kb.messages.smalltalk.items() for phrase in talk.phrasings]
    kept += [(ex.text, ex.label) for ex in training if ex.smalltalk]
    clinic = "clinic" in kb.messages.smalltalk
    trained = [
        (
            ex.text,
            (SMALLTALK + "clinic" if clinic and ex.label == "decoy:clinic-logistics" else OUT)
            if ex.decoy
            else ex.label,
        )
        for ex in training
        if not ex.smalltalk
    ]
    return kept, trained


def train_intent(
    kb: KnowledgeBase, training: Sequence[Example], encoder: Encoder, normalizer: Normalizer
) -> IntentModel:
    """Return the learned matcher for this content and training data (trained once per process)."""
    kept, trained = intent_examples(kb, training)
    texts = [t for t, _ in kept + trained]
    labels = [c for _, c in kept + trained]
    # Keyed, like the detector, by what changes rarely: the training data, the small talk and
    # the set of entry ids. An edit of an answer or a phrasing then reloads in a second instead
    # of retraining; the model keeps the phrasings of the first load in this process until
    # an entry is added or removed (or the process restarts).
    keyed = [f"{c}\t{t}" for t, c in trained] + sorted(kb.by_id)
    keyed += [f"{e.label}\t{e.text}" for e in training if e.smalltalk]
    keyed += [f"{SMALLTALK}{k}\t{p}" for k, talk in kb.messages.smalltalk.items() for p in talk.phrasings]
    digest = hashlib.sha256("\n".join(keyed).encode()).hexdigest()

    def prepare(text: str) -> str:
        return " ".join(normalizer.tokens(text))

    def build() -> IntentModel:
        pairs = "\n".join(f"{label}\t{text}" for label, text in zip(labels, texts, strict=True))
        vectors = cached_vectors(encoder, texts, key=f"intent-{hashlib.sha256(pairs.encode()).hexdigest()[:16]}")
        return IntentModel(texts, labels, vectors=vectors, embed=encoder.encode_one, prepare=prepare)

    def attach(model: IntentModel) -> IntentModel:
        return model.attach(embed=encoder.encode_one, prepare=prepare)

    # On disk the key is the whole training set (phrasings too): a saved model is exact.
    full = hashlib.sha256("\n".join(f"{c}\t{t}" for t, c in kept + trained).encode()).hexdigest()
    key = ("intent", digest, encoder.model_sha256)
    return trained_model(key, build, attach=attach, disk_key=(*key, full))


def train_detector(kb: KnowledgeBase, safety: SafetyCheck, encoder: Encoder | None) -> Detector:
    """Return the safety detector for this content (trained once per content version and model)."""
    model = encoder.model_sha256 if encoder is not None else "lexical"

    def build() -> Detector:
        samples = detector_samples(kb, safety)
        vectors = None
        if encoder is not None:
            vectors = cached_vectors(encoder, [s.raw for s in samples], key=f"detector-{kb.detector.version}")
        return attach(Detector(samples, vectors=vectors))

    # Keyed by the safety data (faq/detector/), the small talk and the model, not by the
    # whole content: an edit of an answer reloads in a second instead of retraining; the
    # FAQ phrasings it learned as ordinary questions are those of the first load in this process.
    talk = hashlib.sha256(repr(sorted((k, t.phrasings) for k, t in kb.messages.smalltalk.items())).encode())

    def attach(detector: Detector) -> Detector:
        if encoder is None:
            return detector.attach(embed=None)
        return detector.attach(embed=encoder.encode_one, in_context=encoder.encode_in_context)

    # On disk the key names all the content (the FAQ phrasings are ordinary examples) and
    # the entries served (drafts and withheld entries change them): a saved model is exact.
    key = (kb.detector.version, talk.hexdigest(), model)
    disk_key = (*key, kb.version, tuple(sorted(kb.by_id)))
    return trained_model(key, build, attach=attach, disk_key=disk_key)


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
        decision: DecisionModel | None = None,
        matcher_first: bool = False,
        **matcher_options,
    ) -> None:
        self.kb = kb
        self.thresholds = thresholds or Thresholds()
        self.encoder = encoder
        self.training = tuple(training)
        # Built in flow order: normalise (step 2), safety (3), then the matchers (4).
        self.reader = Reader(kb.entries, kb.synonyms, kb.detector.spelling_words(), kb.detector.spanish_words())
        self.safety = SafetyCheck(kb.detector, thresholds=safety_thresholds, spelling=self.reader.spelling)

        def learned_matcher() -> IntentModel | None:  # without the encoder (or training data): lexical, as before
            if encoder is None or not training:
                return None
            return train_intent(kb, training, encoder, self.reader.normalizer)

        # matcher_first: bot.prepare_models trains the two models in two processes side by side.
        self.intent = learned_matcher() if matcher_first else None
        self.detector = train_detector(kb, self.safety, encoder)
        self.safety.detector = self.detector.probabilities
        self.safety.screen = self.detector.in_context_readings
        self.matcher = Matcher(kb.entries, self.reader.normalizer, topic_words=kb.topic_words, **matcher_options)
        if not matcher_first:
            self.intent = learned_matcher()
        # The learned decision needs the learned matcher; without it the lexical thresholds decide.
        self.decision = decision if self.intent is not None else None
        self._smalltalk_exact = {
            text_key(p): kind for kind, talk in kb.messages.smalltalk.items() for p in talk.phrasings
        }
        # The encoder's nearest phrasings are a signal of the learned decision only.
        self._phrasings: tuple[np.ndarray, np.ndarray, tuple[str, ...]] | None = None
        self._decoys: np.ndarray | None = None
        if encoder is not None and self.decision is not None:
            self._phrasings = phrasing_vectors(kb, encoder)
            self._decoys = decoy_vectors(training, encoder)

    matcher_reason = ""  # why the matcher is lexical only, when it is (set by load_bot)

    @property
    def matcher_mode(self) -> str:
        """Return "hybrid" when the sentence encoder and the learned matcher decide, else "lexical"."""
        return "hybrid" if self.decision is not None else "lexical"

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
        return tuple(Suggestion(i, by_id[i].question) for i in ids if i in by_id and not by_id[i].withheld)

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
            reviewed=entry.reviewed.isoformat(),
            summary=entry.summary,
            points=entry.points,
        )

    def entry_reply(self, entry_id: str) -> Reply | None:
        """Return the reply for an entry id (as when a suggestion is clicked), or None."""
        entry = self.kb.by_id.get(entry_id)
        if entry is None or entry.withheld:
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
            handoff=True,
        )

    def _fallback(
        self, score: float, note: SafetyNote | None = None, *, lang: str = "en", likely: tuple[str, ...] = ()
    ) -> Reply:
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
            suggestions=self._suggest(dict.fromkeys((*likely, *m.fallback_suggestions))),
            score=round(score, 3),
            faq_version=self.kb.version,
            safety_note=note,
            handoff=True,
        )

    # --------------------------------------------------------------------- ask
    clean = staticmethod(clean)  # step 1 (bot/question.py)

    def decide(self, hits: list[Match]) -> tuple[str, list[Match]]:
        """Return what the lexical thresholds alone make of ranked hits (bot/decide.py, decide_lexical)."""
        return decide_lexical(hits, self.thresholds)

    def signals(
        self,
        question: str | Query,
        hits: list[Match],
        lexical_kind: str,
        probs: Mapping[str, float] | None = None,
        decoys: np.ndarray | None = None,
    ) -> Signals:
        """Return what the learned matcher (or `probs`), the lexical matcher and the encoder say about a question.

        `decoys` are the out-of-scope decoys' vectors to compare with (tune-matcher gives each held-out fold
        those it trained on); by default the bot's own.
        """
        assert self.encoder is not None
        if self._phrasings is None:  # first use without a decision loaded (tune-matcher on new content)
            self._phrasings = phrasing_vectors(self.kb, self.encoder)
        if decoys is None:
            if self._decoys is None:
                self._decoys = decoy_vectors(self.training, self.encoder)
            decoys = self._decoys
        if probs is None:
            probs = self.class_probabilities(question)
        by_id = self.kb.by_id
        entries = {c: p for c, p in probs.items() if c in by_id}
        vectors, starts, ids = self._phrasings
        vector = self.encoder.encode_one(self._query(question).text)
        best = np.maximum.reduceat(vectors @ vector, starts)
        return Signals(
            probs=entries,
            p_out=max(0.0, 1.0 - sum(entries.values())),
            lexical=[(h.entry_id, h.score) for h in hits],
            on_topic=bool(hits) and hits[0].on_topic,
            lexical_kind=lexical_kind,
            cosine=dict(zip(ids, best.tolist(), strict=True)),
            decoy_cosine=float((decoys @ vector).max()) if len(decoys) else 0.0,
        )

    def class_probabilities(self, question: str | Query, intent: IntentModel | None = None) -> dict[str, float]:
        """Return the learned matcher's (or `intent`'s) probability for each class (entries, small talk, OUT)."""
        intent = intent or self.intent
        assert intent is not None
        query = self._query(question)
        row = intent.probabilities(query.text, prepared=query.prepared)
        return dict(zip(intent.classes, row.tolist(), strict=True))

    def smalltalk_kind(self, question: str, probs: Mapping[str, float] | None, *, chit_chat: bool = True) -> str | None:
        """Return the small-talk kind a message is ("greeting", ...), or None.

        A message typed as one of the phrasings is that kind, in either mode; the learned
        matcher, when loaded, also knows other ways of saying it. With `chit_chat=False` (the
        message has a resource line) only the clinic's contact reply is read that way: "goodbye
        everyone" and "i cant cope anymore" read to the learned matcher like a goodbye.
        """
        kind = self._smalltalk_exact.get(text_key(question))
        if kind is None and probs:
            # "ok cool thanks bye" is split between thanks and goodbye: small talk all the same,
            # when the small-talk classes together hold at least the threshold.
            talk = {label: p for label, p in probs.items() if label.startswith(SMALLTALK)}
            if talk and sum(talk.values()) >= self.thresholds.smalltalk:
                kind = max(talk, key=talk.__getitem__).removeprefix(SMALLTALK)
                if not chit_chat and kind != "clinic":
                    kind = None
        return kind

    def smalltalk_reply(self, kind: str, note: SafetyNote | None = None) -> Reply:
        """Return the vetted small-talk reply of this kind, with the fallback topics."""
        m = self.kb.messages
        return Reply(
            kind="smalltalk",
            id=None,
            question=None,
            answer=m.smalltalk[kind].reply,
            citations=(),
            clinician_note=m.clinician_note,
            evidence=None,
            suggestions=self._suggest(m.fallback_suggestions),
            score=1.0,
            faq_version=self.kb.version,
            safety_note=note,
            handoff=kind in HANDOFF_KINDS,
        )

    def query(self, question: str) -> Query:
        """Step 2: normalise a cleaned question once, for safety, both matchers and the decision."""
        return self.reader.query(question)

    def _query(self, question: str | Query) -> Query:
        return question if isinstance(question, Query) else self.query(question)

    def assess(self, question: str | Query) -> Assessment:
        """Return what the safety step makes of a cleaned question (or its Query)."""
        query = self._query(question)
        return self.safety.assess(query.text, prepared=query.safety_text)

    def safety_reply(self, assessment: Assessment) -> Reply:
        """Return the urgent safety reply for an assessment, in its language where there is one."""
        assert assessment.label is not None
        return self.reply_for(self.kb.safety.reply(assessment.label, assessment.lang), kind="safety")

    def safety_note(self, assessment: Assessment) -> SafetyNote | None:
        """Return the concern note for an assessment, or None below the concern tier."""
        if assessment.tier is None or assessment.label is None:
            return None
        return self._note(assessment.label, assessment.lang)

    def _note(self, label: str, lang: str) -> SafetyNote:
        note = self.kb.safety.note(label, lang)
        return SafetyNote(note.id, note.text, tuple(Action(a.label, a.href) for a in note.actions))

    def ask(self, text: str) -> Reply:
        """Answer one question: a safety reply, an answer, a clarifying question, small talk or a fallback."""
        question = self.clean(text)  # 1. checks (question.py)
        query = self.query(question)  # 2. normalise once (normalize.py, safety.py's reading of it)
        assessment = self.assess(query)  # 3. safety, before anything else (safety.py, detector.py)
        if assessment.urgent:
            return self.safety_reply(assessment)
        note = self.safety_note(assessment)
        # A Spanish message gets the Spanish notice, unless it is typed as one of the English small-talk
        # phrasings ("yo" reads as Spanish on its own).
        if assessment.lang == "es" and text_key(question) not in self._smalltalk_exact:
            if note is None and assessment.rule is not None and assessment.demoted == "negated":
                # No answer is given in Spanish, so a denied crisis ("no tengo pensamientos de hacerme daño")
                # costs nothing to acknowledge: the crisis resource line, whatever the detector reads.
                label = self.safety.rule_label(assessment.rule)
                if label in CRISIS_LABELS:
                    note = self._note(label, "es")
            return self._fallback(0.0, note, lang="es")
        # 4. score, three ways: the learned matcher (intent.py), the lexical matcher
        #    (matcher.py) and the encoder's nearest phrasings (signals()).
        probs = self.class_probabilities(query) if self.intent is not None else None
        talk = self.smalltalk_kind(question, probs, chit_chat=note is None)
        if talk is not None:
            return self.smalltalk_reply(talk, note)
        hits = self.matcher.search(query, limit=3)
        # 5. decide (decide.py): the learned decision, or the lexical thresholds alone.
        kind, shown = self.decide(hits)
        exact = bool(hits) and hits[0].score >= 1.0  # typed as a vetted phrasing: that entry
        if self.decision is not None and not exact:
            kind, ranked = self.decision.decide(self.signals(query, hits, kind, probs))
            shown = [Match(c, round(p, 4), self.kb.by_id[c].question) for c, p in ranked]
        # 6. reply (reply.py). An entry withheld until it is reviewed is never served or offered.
        if any(self.kb.by_id[h.entry_id].withheld for h in shown):
            if kind == "answer" and self.kb.by_id[shown[0].entry_id].withheld:
                kind = "fallback"
            shown = [h for h in shown if not self.kb.by_id[h.entry_id].withheld]
            if kind == "clarify" and len(shown) < 2:
                kind = "fallback"
        if kind == "answer":
            return self.reply_for(self.kb.by_id[shown[0].entry_id], score=shown[0].score, note=note)
        if kind == "clarify":
            return self._clarify(shown, note)
        return self._fallback(hits[0].score if hits else 0.0, note, likely=tuple(h.entry_id for h in shown))


def phrasing_vectors(kb: KnowledgeBase, encoder: Encoder) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Return every entry's phrasings as vectors, the row where each entry starts, and the entry ids."""
    texts: list[str] = []
    starts: list[int] = []
    for entry in kb.entries:
        starts.append(len(texts))
        texts += [entry.question, *entry.alternates]
    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    vectors = cached_vectors(encoder, texts, key=f"phrasings-{digest}")
    return vectors, np.array(starts, dtype=np.intp), tuple(e.id for e in kb.entries)


def decoy_vectors(training: Sequence[Example], encoder: Encoder) -> np.ndarray:
    """Return the out-of-scope decoys' vectors (a row each; no rows without training data)."""
    texts = [ex.text for ex in training if ex.decoy]
    if not texts:
        return np.zeros((0, encoder.dimension), dtype=np.float32)
    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    return cached_vectors(encoder, texts, key=f"decoys-{digest}")


def load_bot(
    faq_dir: str | Path | None = None,
    *,
    thresholds: Thresholds | None = None,
    encoder: Encoder | None | bool = True,
    matcher_model: bool = True,
    serve_drafts: bool = True,
    train_in_child: bool = False,
    matcher_first: bool = False,
) -> Bot:
    """Load and validate the content once and return a ready Bot (with the sentence encoder if it loads).

    `matcher_model=False` leaves out the matcher's learned second opinion (content checks need
    only the lexical matcher and the safety layer, and start several seconds sooner).
    `train_in_child=True` (server workers) trains models that are not saved yet in a child
    process and loads them from disk, so the worker never holds what training leaves behind.
    `matcher_first=True` trains (or loads) the learned matcher before the safety detector.
    """
    reason = ""
    if encoder is True:
        encoder = shared_encoder()
        reason = _ENCODER[1] if _ENCODER else ""
    kb = load_knowledge_base(faq_dir, serve_drafts=serve_drafts)
    training: list[Example] = []
    decision = None
    folder = Path(faq_dir) if faq_dir is not None else DEFAULT_FAQ_DIR
    if not encoder:
        reason = f"the sentence encoder is not loaded ({reason or 'turned off'})"
    elif not matcher_model:
        reason = "the learned matcher is left out (content checks)"
    elif not (folder / MATCHER_DIR).is_dir():
        reason = f"there is no {MATCHER_DIR}/ folder of training data"
    else:
        training = load_training(folder, set(kb.by_id), kb.messages.smalltalk)
        if (folder / MATCHER_DIR / DECISION_FILE).is_file():
            decision = DecisionModel.load(folder / MATCHER_DIR / DECISION_FILE)
        else:
            reason = f"there is no {MATCHER_DIR}/{DECISION_FILE} (run `python -m bot tune-matcher`)"
    with contextlib.ExitStack() as stack:
        if train_in_child:
            from .prepare_models import train_in_child as train

            stack.enter_context(training_elsewhere(functools.partial(train, faq_dir, serve_drafts=serve_drafts)))
        bot = Bot(
            kb,
            thresholds=thresholds,
            encoder=encoder or None,
            training=training,
            decision=decision,
            matcher_first=matcher_first,
        )
    bot.matcher_reason = "" if bot.matcher_mode == "hybrid" else reason
    if bot.matcher_mode == "lexical" and matcher_model:
        log.warning("matcher: lexical only, because %s", reason)
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
