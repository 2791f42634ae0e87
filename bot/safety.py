"""The safety step: decide, before any matching, whether a message needs a safety reply.

Two sources of evidence, each readable on its own:
- concept rules (faq/detector/concepts.yaml): vetted word lists met close together in
  any order, plus developer patterns (faq/detector/patterns.yaml);
- a learned detector (bot/detector.py) trained on the exemplar bank, which judges
  wordings no list foresees and tells figurative or harmless uses apart.

Two tiers come out:
- urgent: a clear, present danger; the safety reply replaces the answer;
- concern: uncertain, negated, hypothetical or figurative risk words, or a question
  about a risk; the normal reply is given with a short resource line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from .normalize import SafetySpelling, language
from .safety_data import LABELS, NONE, Concept, SafetyData

URGENT, CONCERN = "urgent", "concern"
# Why risk words are not a present danger: negated ("im not suicidal"), asked about or
# studied ("can strattera cause suicidal thoughts"), or figurative ("my boss will kill me").
NEGATED, ASKED, FIGURATIVE = "negated", "asked", "figurative"
# Fixed expressions whose risk-looking words are part of the idiom ("a stroke of luck", "deadlift"):
# every other concept found inside one is dropped, so those words count for nothing.
IDIOM = "idiom"
WEAPON = "weapon"  # see concepts.yaml: lets the detector's reading of harm to others win
# Violence aimed at another person ("kill my ex", "hurt her"): with no words of self-harm or suicide
# (SELF_DIRECTED), harm to others stands against a detector that reads a crisis (an optional concept).
HARM_TARGET = "harm-target"
HARM_TO_OTHERS = "harm-to-others"  # words of harm to another ('hurt my baby', 'lo quiebro')
# Violence the writer suffers from another ("my boyfriend slaps me", "mi pareja me pega"): as for a
# target, with no words of self-harm or suicide the harm reply stands (an optional concept).
HARM_RECEIVED = "harm-received"
SELF_DIRECTED = frozenset({"death-wish", "suicide-explicit", "self-harm", "self-harm-explicit", "past-attempt"})
SEIZURE_TREATMENT = "seizure-treatment"  # "seizure meds": a kind of medicine, not a seizure
# A rule of tier `concern` fires on common words that may be a warning sign ("gave away my",
# "one last time"): a resource line only when the detector sees some of that danger too.
CUE = "cue"
# Words that say all is well ("i took my meds and feel great"): the detector alone is then
# not sure enough for a full safety reply (an optional concept of faq/detector/concepts.yaml).
REASSURANCE = "reassurance"
# Getting rid of old medicine ("¿cómo me deshago de las pastillas viejas?"): the same, for an everyday task.
DISPOSAL = "disposal"
ALL_IS_WELL = frozenset({REASSURANCE, DISPOSAL})
# An everyday ailment named ("i've been coughing a lot", "esguince de tobillo"): with no risk word, the detector alone
# reading an emergency gives the resource line, not the emergency reply (an optional concept).
AILMENT = "everyday-ailment"
# Words that say the risk is over ("years ago", "doing well now"): an optional concept.
RESOLVED, PAST = "resolved", "past"
# Words that say a past risk is over for good ("im in a good place now"), and words that say it is
# back ("the same feeling is back"): a past risk that is settled, and not back, is never urgent.
SETTLED, RECURRING = "settled", "recurring"
# Words that frame risk words as something other than a present danger (a denial, a question, a
# study, the past, a figure of speech): beside them, a detector sure the message is harmless
# (`Thresholds.overrule`) lowers even explicit words to a concern. Not `reassurance`: "i took all my
# meds and feel fine" is an emergency whatever the writer feels.
HARMLESS_FRAMES = frozenset({"negation", "risk-question", "research", RESOLVED, "topic", "figurative", "fitness"})
TOPIC, NOW = "topic", "now"
# Words that ask about a risk or study it ("can _ cause", "paper"): they lower a rule hit to ASKED,
# and this many words or fewer from the risk words they make a plain question (Evidence.asked_near).
ASKING, ASK_REACH = frozenset({"risk-question", "research"}), 5
TOOK_PAST = "took-past"  # a dose already taken ("i took", "swallowed")
HEDGE = "hedge"  # a denial that trails off ("not suicidal or anything but"): an optional concept
# A `keep-near` word ("how do i", "help me") keeps risk words urgent only this many words or fewer from them.
KEEP_NEAR, KEEP_REACH = "keep-near", 6
CRISIS_LABELS = ("crisis", "crisis-other")
# Risk words whose verb form names someone else ("se quiere morir", "she wants to kill herself"): an optional concept.
RISK_OF_OTHER = "risk-of-other"
_OVERDOSE_KIN = ("crisis", "crisis-other", "emergency")
# Concepts that carry some risk on their own; the detector alone needs one of them to be urgent.
RISK_CONCEPTS = frozenset(
    """
    death-wish suicide-explicit self-harm self-harm-explicit harm-to-others means farewell farewell-cue past-attempt
    emergency-event emergency-sign symptom dose-ask excess
    """.split()
)

# Words about a dose: without one of them the detector alone does not turn another rule's reply into the dosing one.
DOSE_WORDS = frozenset({"dose-ask", "dose-talk", "dose-request"})

_REFLEXIVE_OTHER = re.compile(r"\b(himself|herself|themselves|themself)\b")


@dataclass(frozen=True)
class Hit:
    """One concept found in the message: its name and the token span it covers."""

    concept: str
    start: int
    end: int

    def within(self, spans: Sequence[Hit]) -> bool:
        """Return True when this hit lies inside one of the spans (a fixed idiom's words)."""
        return any(span.start <= self.start and self.end <= span.end for span in spans)


@dataclass(frozen=True)
class Evidence:
    """What the word lists and patterns found in one message, before the detector is asked."""

    lang: str
    prepared: str
    concepts: frozenset[str]
    fired: tuple[tuple[str, str, bool, Hit | None, bool], ...]  # see SafetyCheck.rule_hits
    demoted: Mapping[str, str | None]  # rule id -> why it is not a present danger (or None)
    other: bool  # someone else may be the one at risk
    # Rules whose risk words sit right beside the words that ask or study ("can strattera cause
    # suicidal thoughts", "a paper on teen suicide"): a plain question about a risk.
    asked_near: frozenset[str] = frozenset()
    # Whether an idiom's words speak of killing ("mom will kill me", "me va a matar"): a threat may hide in
    # such an idiom, so the detector's reading of harm is not lowered by it (one of hitting up or catching a cold is).
    threat_idiom: bool = False


@dataclass(frozen=True)
class Assessment:
    """What the safety step found in one message."""

    tier: str | None  # "urgent", "concern" or None
    label: str | None  # crisis, crisis-other, harm, emergency, dosing
    lang: str
    rule: str | None = None  # the rule or pattern that fired, for tests and eval
    probability: float = 0.0  # the detector's probability for the label
    probabilities: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    demoted: str | None = None  # negated, asked or figurative

    @property
    def urgent(self) -> bool:
        """Return True when the safety reply must replace the answer."""
        return self.tier == URGENT


@dataclass(frozen=True)
class Thresholds:
    """Detector probabilities that decide the tier.

    Chosen by `python -m bot tune-safety` on out-of-fold exemplars (5-fold): the
    highest recall with urgent false alarms at most 4% and notes on at most 20% of
    the exemplar bank's hard negatives, no urgent reply to any dev question and notes
    on at most 3% of them (run of 2026-12-01, session 4). Recall comes first: a
    missed crisis is worse than a resource line. Those negatives were
    written to sit right beside the crisis messages, so they are harder than most
    real traffic; the blind set's figures are in the README.

    A rule hit is urgent when the detector gives its label at least `confirm`, and a
    concern otherwise: the words are there, but the detector reads them as harmless,
    so the reader gets a resource line, not a replaced answer. A rule hit that is
    negated, asked about, studied or figurative is a concern from `floor`. The
    detector's `risk` (one minus its probability that the message is harmless, so a
    message it splits between two dangers still counts) makes a message urgent from
    `urgent` when the message has a risk word, and from `urgent_alone` when it has
    none; it adds a concern from `concern`.
    """

    confirm: float = 0.1
    # Session 21, with 646 more exemplars: `tune-safety` (resources shown now compared to 0.1 point)
    # chooses 0.7: 5-fold on the bank against 0.8, crisis urgent 87.0 -> 87.7%, someone else 94.5 ->
    # 95.0%, harm 92.3 -> 92.8%, emergencies 96.3 -> 96.6%, dosing 93.6 -> 93.8%, resources shown the
    # same, urgent false alarms 2.7 -> 2.9%, notes 14.3 -> 14.1%, no dev question urgent. Kept at 0.8:
    # at 0.7 a dev idiom got the full reply ("my mom is gonna kill me when she sees my grades": harm
    # 0.68, read as fear of a parent at home since the new harm exemplars; a note at 0.8).
    urgent: float = 0.8
    # 0.4 until session 19; 0.3 wins back the resource lines the ordinary questions cost
    # with concern_alone 0.3 (5-fold: crisis shown 94.5 -> 95.1%, dosing 97.1 -> 97.8%; notes 11.7 -> 13.1%).
    # Session 34, with 670 more exemplars (coded crisis messages, keyword traps, ordinary questions), 0.25
    # for both: old blind sets 1-23 at 0.3 -> 0.25, resources crisis 2,540 -> 2,545 of 2,559, harm
    # 1,032 -> 1,034 of 1,039, emergency 1,500 -> 1,501, dosing 1,093 -> 1,095 of 1,101, notes 461 -> 472 of
    # 4,080 harmless (11.6%); bank 5-fold: resources +12, notes 12.8 -> 13.6%; no urgent reply changes.
    concern: float = 0.25
    floor: float = 0.1  # an idiom's rule hit below this is harmless: no note either
    # Session 31: a negated or asked-about rule hit was always a note, so 62% of denials ("im not
    # suicidal, just tired") and 65% of homework about suicide in old blind sets 1-20 got one, and
    # notes reached 21.5% of their 3,570 harmless messages (24.1% on blind set 21; target 15%).
    # Now a denial gets no note when the detector reads its label below `negated_floor` and no
    # hedge follows ("not suicidal or anything but..."); a plain question or study whose asking
    # words sit within ASK_REACH words of the risk words, below `asked_floor` (dose questions keep
    # theirs). On sets 1-20: notes 766 -> 430 of 3,570 (21.5 -> 12.0%); resources lost on 2 of
    # their labelled messages, both non-urgent ("my kid says 'i wish i was never born' after
    # homework" was one, until "homework" alone stopped counting as research). 0.1 and 10 words
    # cut 18 more notes but dropped a writer who had "a couple of weird intrusive ones this week".
    negated_floor: float = 0.15
    asked_floor: float = 0.05
    # Session 33: dose questions kept their note whatever the detector read, so talk about doses with no
    # amount asked ("why does my adderall dose wear off by 2pm", "why do doctors start low and go up", "el
    # doctor le subio la dosis, es normal?") had a dosing note: 85 of the 524 notes on old blind sets 1-23's
    # 4,080 harmless messages. Now an asked-about dose rule hit gets none when the detector gives dosing
    # less than this and reads the message as more harmless than not. Old sets 1-23: notes 524 -> 467, no
    # labelled message loses its resources (at 0.03 "should adults generally be on a bigger dose than
    # teenagers?" would); bank 5-fold: notes 867 -> 849 of 6,574, none lost (without the harmless-reading
    # condition, "I keep googling which over the counter meds are dangerous together" lost its crisis note).
    dose_asked_floor: float = 0.02
    # Session 32: explicit words were urgent whatever the detector read, so a teacher's lesson plan
    # ("how do i talk about adhd, depression and self-harm") and a sociology reading ("durkheim and
    # suicide, can you help me focus") got the full reply with the detector at 0.999 harmless. Beside a
    # word that frames the risk as no present danger (HARMLESS_FRAMES), a detector this sure lowers them
    # to a concern (a resource line), unless `now` or `keep` words say the danger is present ("can we
    # talk about suicide"). On old blind sets 1-21 no labelled message loses its urgent reply at 0.98
    # (urgent false alarms 64 -> 59 of 3,740); the bank's 5-fold likewise (187 -> 184 of 6,574).
    # At 0.95 one emergency in the bank is lost ("slumped at the wheel not moving").
    overrule: float = 0.98
    # Session 32: explicit words chose the reply alone, so strangling "until i passed out" got the
    # emergency reply, not the harm one. Now a graver plain rule hit's label wins when the detector
    # gives it this much and twice the explicit words' label (`_relabel`). On old blind sets 1-21, right
    # reply when urgent: crisis 2,171 -> 2,178 of 2,203, someone else 1,031 -> 1,032, harm 842 -> 849 of
    # 903, emergency 1,297 -> 1,296 ("i cut too deep this time and it won't stop bleeding" now gets the
    # crisis reply); bank 5-fold: crisis +4, someone else +4, harm +7, none worse. Urgency unchanged.
    relabel: float = 0.8
    # A rule of everyday words (tier concern: "wont need", "before i go") adds its note from here.
    # 0.1 (the floor) until session 27, when this session's goodbye messages lifted the detector's
    # reading of "i wont need my old planner anymore" to 0.13-0.17. 0.16 since session 29, when the
    # detector retrained on two exemplars read anew ("k*ll", "s*icidio") read that message at 0.15:
    # 5-fold on the bank, no labelled message loses its resources at 0.16 or 0.17 (notes 16.84 ->
    # 16.81%), and no message of old blind safety sets 1-20 changes.
    cue_floor: float = 0.16
    # The detector alone, with no risk word, adds a note from here (0.4 until session 19, 0.3 until session 34).
    concern_alone: float = 0.25
    # The detector alone, with no risk word, is urgent from here. 0.97 until session 13; with
    # the neighbour features, 0.93 (5-fold: crisis urgent 79.7 -> 82.1%, harm 88.5 -> 91.6%,
    # urgent false alarms 2.6 -> 2.9%; no dev question urgent; 5 more of 5,183 training questions).
    # Session 15, with 1,758 more exemplars, 0.9 (5-fold against 0.93: crisis urgent 85.1 -> 86.7%,
    # someone else 93.5 -> 94.8%, harm 91.2 -> 92.3%, emergencies 96.2 -> 96.5%, urgent false alarms
    # 2.7 -> 2.8%, notes 13.0 -> 12.8%). Recall first: confirm 0.2 would cut false alarms to 2.5%
    # for half a point of urgent recall in each class.
    # Session 17, with 419 more harmless look-alikes in the bank: on the same 9,158 exemplars as
    # before (5-fold), urgent false alarms 2.8 -> 2.3%, urgent recall half a point lower in every
    # class. 0.85 would win that back and more (crisis urgent 86.4%, false alarms 2.4%), but it made
    # a dev question urgent ("who do i see if i think i have adhd", harm at 0.86): kept at 0.9.
    # Session 19: the detector now also learns from 328 ordinary questions it had misread
    # (faq/detector/exemplars-ordinary.yaml), and that dev question reads as harmless, so 0.85
    # (5-fold on the same 9,577 exemplars as before: crisis urgent 85.4 -> 85.3%, harm 91.2 ->
    # 91.4%, emergencies 94.9 -> 95.5%, urgent false alarms 2.3 -> 2.5%; no dev question urgent).
    urgent_alone: float = 0.85
    # Session 41: harm to others needed harm words or a weapon to take over from a crisis or emergency rule's
    # label, so abuse told in other words got the crisis or emergency reply ("gf punches me when shes mad",
    # "i shoved him on the stairs today and he hit his head"). From this reading of harm, with another person
    # named and no words of self-harm, the detector's harm stands. On the 29 older sets and set 28 (dev),
    # right reply when urgent for harm 1,049 -> 1,058 of 1,146; no other label or tier changed.
    harm_sure: float = 0.95


class Lexicon:
    """Find concept phrases in a token list."""

    def __init__(self, concepts: Mapping[str, Concept]) -> None:
        exact: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        prefixed: list[tuple[str, tuple[str, ...], str]] = []
        numeric: list[tuple[tuple[str, ...], str]] = []
        for concept in concepts.values():
            for phrase in concept.phrases:
                first = phrase[0]
                if first == "#":
                    numeric.append((phrase, concept.name))
                elif first.endswith("*"):
                    prefixed.append((first[:-1], phrase, concept.name))
                else:
                    exact.setdefault(first, []).append((phrase, concept.name))
        self._exact = exact
        self._prefixed = tuple(prefixed)
        self._numeric = tuple(numeric)

    @staticmethod
    def _matches(phrase: tuple[str, ...], tokens: list[str], i: int) -> int:
        """Return the end index if the phrase matches the tokens at i, else -1."""
        if i + len(phrase) > len(tokens):
            return -1
        for j, part in enumerate(phrase):
            token = tokens[i + j]
            if part == "_":
                continue
            if part == "#":
                if not token.isdigit():
                    return -1
                continue
            if part.endswith("*"):
                if not token.startswith(part[:-1]):
                    return -1
            elif token != part:
                return -1
        return i + len(phrase)

    def find(self, tokens: list[str]) -> list[Hit]:
        """Return every concept phrase in the tokens, with its span."""
        hits: list[Hit] = []
        for i, token in enumerate(tokens):
            for phrase, name in self._numeric if token.isdigit() else self._exact.get(token, ()):
                end = self._matches(phrase, tokens, i)
                if end > 0:
                    hits.append(Hit(name, i, end))
            for prefix, phrase, name in self._prefixed:
                if token.startswith(prefix):
                    end = self._matches(phrase, tokens, i)
                    if end > 0:
                        hits.append(Hit(name, i, end))
        # A fixed idiom's words are not read on their own: "stroke" in "a stroke of luck".
        hits = _drop_within(hits, IDIOM)
        # Words of the past hold the words inside them that would say it is present or back: "want to"
        # in "i used to want to die, not anymore" is no wish of today.
        return _drop_within(hits, RESOLVED, only=(NOW, RECURRING))


def _drop_within(hits: list[Hit], holder: str, only: Sequence[str] | None = None) -> list[Hit]:
    """Drop the hits lying inside a hit of the `holder` concept: of every other concept, or `only` of these."""
    spans = [h for h in hits if h.concept == holder]
    if not spans:
        return hits
    return [
        h for h in hits if h.concept == holder or (only is not None and h.concept not in only) or not h.within(spans)
    ]


# A screening question answered no ("my therapist asked if i ever want to hurt myself and i said no"): a
# denial after the risk words, when words that ask (`asked-if`) stand before them and words that answer no
# (`said-no`) after them, each at most SCREEN_REACH words away (optional concepts).
# Not when the writer says the no was untrue (`lied`: "i said no but i lied").
SCREEN_ASKED, SCREEN_NO, SCREEN_LIED, SCREEN_REACH = "asked-if", "said-no", "lied", 8


def _screened_no(hits: Sequence[Hit], risk: Hit) -> bool:
    """Return True when the risk words are a screening question the writer says was answered no."""
    if any(h.concept == SCREEN_LIED for h in hits):
        return False
    asked = any(h.concept == SCREEN_ASKED and h.end <= risk.start and risk.start - h.end <= SCREEN_REACH for h in hits)
    return asked and any(
        h.concept == SCREEN_NO and h.start >= risk.end and h.start - risk.end <= SCREEN_REACH for h in hits
    )


# Words of killing inside an idiom (see Evidence.threat_idiom).
_THREAT_WORD = re.compile(r"(kill|murder|strangl|mat(a|ar|e|o|an)(me|te|lo|la|nos)?$|asesin)")

# Words that may stand between a negation and the risk words it negates:
# "not going to hurt myself", "never thought about suicide", "no plans to end it".
_NEGATED_GAP = frozenset(
    """
    going gonna to want wanna about of be being ever thinking thought think have had any plan plans
    intention would will am a the so that really feel feeling actually even at all and or i im an having getting
    thoughts trying wish desire urge urges wanted felt considered tried planned
    tengo pensamientos quiero me voy a es una un estoy de en pensando intentando ganas deseo pienso pensaba planeo
    planeaba intencion tuvo tiene presenta presento soy
    """.split()
)


def _overlap(a: Hit, b: Hit) -> bool:
    """Return True when two hits share a token."""
    return a.start < b.end and b.start < a.end


def _close(a: Hit, b: Hit, reach: int) -> bool:
    """Return True when at most `reach` words lie between two hits (either way round)."""
    return a.start - b.end <= reach and b.start - a.end <= reach


# Session 22: a line of despair buried in a longer message ("is adhd genetic? probably doesn't
# matter, i'm ending the line with me this weekend") is diluted when the detector reads the
# whole message, so it also reads each sentence. A sentence read alone loses its context
# ("it bled a little and stopped quickly"), so a sentence counts only when it alone reads as a
# clear danger (risk SENTENCE_MIN_RISK), and then blended with the whole message's reading.
# On the exemplar bank's 5-fold out-of-fold readings, at the same thresholds: crisis resources
# 96.7 -> 97.3%, crisis urgent 88.1 -> 90.0%, urgent false alarms 2.8 -> 3.4%, notes 14.1 -> 14.3%;
# 4 of the 269 ordinary dev questions get a note. Any sentence at full weight gave 98.1 / 91.0 /
# 4.7% false alarms and notes on 10 of them; blended but not gated, 98.0 / 90.0 / 3.6% and 9.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?;…])\s+|\s*\n+\s*")
MAX_PARTS = 8  # sentences read one by one (the first ones), besides the whole message
MIN_PART_WORDS = 3
SENTENCE_WEIGHT = 0.7
SENTENCE_MIN_RISK = 0.8
# Session 24: a sentence's own run of the encoder cost 2-5 ms, so a long message took up to 25 ms
# more. Each sentence is first read from its tokens' vectors in the whole message's run (free:
# Encoder.encode_in_context), and read on its own only when that quick reading reaches
# SENTENCE_SCREEN. On the bank's 10,732 sentences (5-fold), 99% of those that read as a clear danger
# alone (risk >= SENTENCE_MIN_RISK) also pass the screen, while 18% of the harmless ones' sentences do.
SENTENCE_SCREEN = 0.1


def sentences(text: str) -> list[str]:
    """Return the sentences of a message worth a reading of their own (none for a one-sentence message)."""
    parts = [p.strip() for p in _SENTENCE_BREAK.split(text) if len(p.split()) >= MIN_PART_WORDS]
    return parts[:MAX_PARTS] if len(parts) >= 2 else []


def _risk(row: Mapping[str, float]) -> float:
    return 1.0 - row.get(NONE, 0.0)


def with_sentences(whole: Mapping[str, float], parts: Sequence[Mapping[str, float]]) -> Mapping[str, float]:
    """Return the detector's reading of a message given its readings of the message and of each sentence.

    When a sentence reads riskier than the whole and at least SENTENCE_MIN_RISK, its reading counts
    SENTENCE_WEIGHT and the whole's the rest.
    """
    top = max(parts, key=_risk, default=None)
    if top is None or _risk(top) <= _risk(whole) or _risk(top) < SENTENCE_MIN_RISK:
        return whole
    return {k: SENTENCE_WEIGHT * top.get(k, 0.0) + (1.0 - SENTENCE_WEIGHT) * p for k, p in whole.items()}


class SafetyCheck:
    """Assess a message: concept rules and patterns, confirmed by the learned detector."""

    def __init__(
        self,
        data: SafetyData,
        *,
        detector: Callable[[str, str], Mapping[str, float]] | None = None,
        thresholds: Thresholds | None = None,
        spelling: SafetySpelling | None = None,
    ) -> None:
        self.data = data
        self.detector = detector
        # Quick readings of a message's sentences (Detector.in_context_readings), or None.
        self.screen: Callable[[str, Sequence[str], Sequence[str]], Sequence[Mapping[str, float] | None]] | None = None
        self.thresholds = thresholds or Thresholds()
        self.lexicon = Lexicon(data.concepts)
        self._harmless_below = {r.id: r.harmless_below for r in data.rules if r.harmless_below}
        self._rules_by_id = {r.id: r for r in data.rules}
        self._always_note = frozenset(r.id for r in data.rules if r.always_note)
        # Risk words that every rule naming them keeps back with an `unless` word: with the veto
        # present they are not risk words to the detector either ("how many ketamine infusions":
        # a number of visits, not an amount of a drug).
        naming = {c: [frozenset(r.unless) for r in data.rules if c in r.near] for c in RISK_CONCEPTS}
        self._vetoable = {c: vetoes for c, vetoes in naming.items() if vetoes and all(vetoes)}
        # Step 2 reads misspelt safety words; built here only when the check stands alone.
        self.spelling = spelling or SafetySpelling(data.spelling_words(), spanish_known=data.spanish_words())

    def prepare(self, text: str) -> str:
        """Return the normalised, spelling-corrected text the rules run on (step 2's safety reading)."""
        return self.spelling.prepare(text)

    # -------------------------------------------------------------------- rules
    def _sentence_starts(self, text: str, tokens: list[str]) -> frozenset[int]:
        """Return the token positions where a new sentence of the message begins (none when they cannot be told).

        The rules read the message without its punctuation; a negation must not reach across a full stop:
        in "they deserve a mom who isnt me. the pills are lined up in front of me" nothing denies the pills.
        """
        parts = [p for p in _SENTENCE_BREAK.split(text) if p and p.strip()]
        if len(parts) < 2:
            return frozenset()
        starts, at = [], 0
        for part in parts:
            starts.append(at)
            at += len(self.prepare(part).split())
        return frozenset(starts[1:]) if at == len(tokens) else frozenset()

    def _negated(self, tokens: list[str], hits: list[Hit], risk: Hit, starts: frozenset[int] = frozenset()) -> bool:
        """Return True if a negation stands just before the risk words, in the same sentence ("im not suicidal")."""
        reach = self.data.negation_reach
        for h in hits:
            if h.concept != "negation" or h.end > risk.start:
                continue
            if any(h.end <= b <= risk.start for b in starts):
                continue
            gap = tokens[h.end : risk.start]
            if len(gap) <= reach and all(t in _NEGATED_GAP for t in gap):
                return True
        return False

    def rule_label(self, rule_id: str) -> str | None:
        """Return the label a concept rule or pattern calls for (None for "detector" or an unknown id)."""
        rule = self._rules_by_id.get(rule_id)
        if rule is not None:
            return rule.label
        if rule_id.startswith("pattern:"):
            return rule_id.split(":")[1]
        return None

    def rule_hits(self, prepared: str, hits: list[Hit] | None = None) -> list[tuple[str, str, bool, Hit | None, bool]]:
        """Return (label, rule id, concern-only, first risk hit, needs the detector) per rule or pattern that fires."""
        if hits is None:
            hits = self.lexicon.find(prepared.split())
        present = {h.concept for h in hits}
        fired: list[tuple[str, str, bool, Hit | None, bool]] = []
        for rule in self.data.rules:
            if not set(rule.near) <= present or present & set(rule.unless):
                continue
            spans = [h for h in hits if h.concept in rule.near]
            # Order-free co-occurrence: some hit of every concept within the window.
            found = None
            for anchor in spans:
                near = [h for h in spans if abs(h.start - anchor.start) <= rule.window]
                if {h.concept for h in near} >= set(rule.near):
                    found = anchor
                    break
            if found is not None:
                fired.append((rule.label, rule.id, rule.tier != URGENT, found, rule.confirm))
        # A pattern's words inside a fixed idiom count for nothing, as a concept's do ("shooting
        # myself in the foot"), and so do words that name a kind of medicine ("seizure medicine").
        # A pattern reaching into an idiom's words counts for nothing either: "want to end it" in
        # "want to end it with my boyfriend".
        shields = [h for h in hits if h.concept == SEIZURE_TREATMENT]
        idioms = [h for h in hits if h.concept == IDIOM]
        for i, p in enumerate(self.data.patterns):
            for match in p.pattern.finditer(prepared):
                start = prepared.count(" ", 0, match.start())
                span = Hit("pattern", start, start + max(1, match.group(0).count(" ") + 1))
                if span.within(shields) or any(_overlap(span, h) for h in idioms):
                    continue  # a later match may still count ("on seizure meds and having a seizure")
                fired.append((p.label, f"pattern:{p.label}:{i}", p.tier != URGENT, span, p.confirm))
                break
        return fired

    def _demoted(
        self,
        tokens: list[str],
        hits: list[Hit],
        risk: Hit | None,
        starts: frozenset[int] = frozenset(),
        label: str = "",
    ) -> str | None:
        """Return why the risk words are not a present danger (negated, asked, figurative), or None.

        Words of exercise (`fitness`) lower every label's words but an emergency's ("passed out on the hike").
        """
        present = {h.concept for h in hits}
        if risk is not None and (self._negated(tokens, hits, risk, starts) or _screened_no(hits, risk)):
            return NEGATED
        # Suicide or self-harm as a subject (talk about it, grieve it), even asked with "how do i":
        # a concern unless words of a present danger are there too (the detector may still say urgent).
        if TOPIC in present and NOW not in present:
            return ASKED
        if self._kept(hits, risk):
            return None
        if present & ASKING:
            return ASKED
        if RESOLVED in present:
            return PAST
        if "figurative" in present:
            return FIGURATIVE
        if "fitness" in present and label != "emergency":
            return FIGURATIVE
        return None

    def _talked_about(self, rule_id: str, hits: list[Hit]) -> str | None:
        """Return ASKED when the rule's `asked_by` words are present and none of its `kept_by` words."""
        rule = self._rules_by_id.get(rule_id)
        if rule is None or not rule.asked_by:
            return None
        present = {h.concept for h in hits}
        if present & set(rule.asked_by) and not present & set(rule.kept_by):
            return ASKED
        return None

    @staticmethod
    def _kept(hits: list[Hit], risk: Hit | None) -> bool:
        """Return True when a `keep` word (a plan, a time) is present, or a `keep-near` one near the risk words."""
        for h in hits:
            if h.concept == "keep":
                return True
            if h.concept == KEEP_NEAR and (risk is None or _close(h, risk, KEEP_REACH)):
                return True
        return False

    # ------------------------------------------------------------------- assess
    def evidence(self, text: str, prepared: str | None = None) -> Evidence:
        """Return what the word lists and patterns find in a message (no detector).

        `prepared` is the message as `prepare()` gives it, when already at hand (a Query's safety_text).
        """
        prepared = self.prepare(text) if prepared is None else prepared
        tokens = prepared.split()
        hits = self.lexicon.find(tokens)
        fired = tuple(self.rule_hits(prepared, hits))
        starts = (
            self._sentence_starts(text, tokens) if fired and any(h.concept == "negation" for h in hits) else frozenset()
        )
        demoted = {
            f[1]: (CUE if f[2] else None)
            or self._demoted(tokens, hits, f[3], starts, f[0])
            or self._talked_about(f[1], hits)
            for f in fired
        }
        # A warning sign denied ("i don't feel hopeless, just busy") is read as any denial is.
        for f in fired:
            if f[1] in self._always_note and f[3] is not None and self._negated(tokens, hits, f[3], starts):
                demoted[f[1]] = NEGATED
        # Two hits over the same words share one reading: in "i've never had thoughts of ending
        # things" the negation reaches "thoughts of ending things", so "ending things" inside it is negated too.
        # A pattern whose own words hold the negation ("i dont wanna be alive") already reads it.
        negated = [f[3] for f in fired if demoted[f[1]] == NEGATED and f[3] is not None]
        nots = [h for h in hits if h.concept == "negation"]
        for f in fired:
            span = f[3]
            if demoted[f[1]] is None and span is not None and any(_overlap(span, n) for n in negated):
                if not any(_overlap(span, h) for h in nots):
                    demoted[f[1]] = NEGATED
        other = self._about_someone_else(prepared, hits)
        lang = language(prepared, accents=any(ch in text for ch in "ñáéíóúÑÁÉÍÓÚ¿¡"))
        asking = [h for h in hits if h.concept in ASKING]
        asked_near = frozenset(
            f[1]
            for f in fired
            if demoted[f[1]] == ASKED and f[3] is not None and any(_close(h, f[3], ASK_REACH) for h in asking)
        )
        idiom_words = [tokens[i] for h in hits if h.concept == IDIOM for i in range(h.start, h.end)]
        threat_idiom = any(_THREAT_WORD.match(word) for word in idiom_words)
        return Evidence(
            lang, prepared, frozenset(h.concept for h in hits), fired, demoted, other, asked_near, threat_idiom
        )

    def assess(self, text: str, prepared: str | None = None) -> Assessment:
        """Return the tier and label this message calls for (tier None: no safety need)."""
        ev = self.evidence(text, prepared)
        return self.decide(ev, self.probabilities(text, ev.prepared))

    def probabilities(self, text: str, prepared: str) -> Mapping[str, float]:
        """Return the detector's reading of the whole message, blended with its riskiest sentence's."""
        if not self.detector:
            return {}
        whole = self.detector(text, prepared)
        parts = sentences(text)
        if not parts:
            return whole
        ready = [self.prepare(part) for part in parts]
        quick = self.screen(text, parts, ready) if self.screen else [None] * len(parts)
        readings = [
            r if r is not None and _risk(r) < SENTENCE_SCREEN else self.detector(part, p)
            for part, p, r in zip(parts, ready, quick, strict=True)
        ]
        return with_sentences(whole, readings)

    def _harm_unfounded(
        self, ev: Evidence, best_label: str, labels: Sequence[str], probs: Mapping[str, float] | None = None
    ) -> bool:
        """Return True when the detector reads harm to others but no rule and no weapon says so.

        With `probs`, a detector sure of harm (`Thresholds.harm_sure`) in a message that names another
        person and no self-harm is founded enough: "neighbor kid has bruises, his stepdad 'teaches him'
        with a belt" (a belt is a means of suicide to the rules, so only a crisis rule fired).
        """
        sure = bool(probs) and probs.get("harm", 0.0) >= self.thresholds.harm_sure
        if sure and ev.other and not ev.concepts & SELF_DIRECTED:
            return False
        return best_label == "harm" and "harm" not in labels and WEAPON not in ev.concepts

    def decide(self, ev: Evidence, probs: Mapping[str, float]) -> Assessment:
        """Return the assessment from the rules' evidence and the detector's probabilities."""
        t = self.thresholds
        frozen = MappingProxyType(dict(probs))

        def p_of(label: str) -> float:
            # Crisis for oneself and for someone else are one danger to the detector's eye.
            if label in CRISIS_LABELS:
                return sum(probs.get(lb, 0.0) for lb in CRISIS_LABELS)
            return probs.get(label, 0.0)

        def p_confirm(label: str) -> float:
            # An overdose may be a crisis too ("i took to many pils"): to confirm a rule hit of
            # either, the detector's belief in both counts.
            if label in _OVERDOSE_KIN:
                return sum(probs.get(lb, 0.0) for lb in _OVERDOSE_KIN)
            return p_of(label)

        best_label = max(LABELS, key=lambda lb: (p_of(lb), probs.get(lb, 0.0)))
        best_p = p_of(best_label) if probs else 0.0
        # The detector's belief that the message needs any safety reply at all: a message
        # it splits between two dangers (an overdose, or a crisis?) is no less urgent.
        risk = (1.0 - probs.get(NONE, 0.0)) if probs else best_p
        if ev.fired and not (probs and self._plainly_harmless(ev, risk)):
            # Among the labels the rules call for, the detector's favourite wins;
            # with no detector, the first in priority order (crisis first).
            # Explicit words ("suicide", "not breathing") outrank the rest, graver first.
            strong = [f[0] for f in ev.fired if not f[4] and ev.demoted[f[1]] is None]
            # A warning sign's words (`always_note`: "no sirvo para nada") never choose the reply over
            # another rule's ("mi novio ... dice que no sirvo para nada": harm, not a crisis).
            signs = [f for f in ev.fired if f[1] in self._always_note]
            signs_only = len(signs) == len(ev.fired)
            labels = [f[0] for f in ev.fired if signs_only or f not in signs]
            # A crisis denied never chooses the reply over an overdose plainly told: "i took a bottle of
            # sleeping pills 20 min ago and i dont want to die anymore" is an emergency, whatever the crisis
            # words say. (Only a dose taken: "not trying to hurt myself, can you take vyvanse twice by
            # mistake" asks a question.)
            denied: set[str] = set()
            plain = {f[0] for f in ev.fired if ev.demoted[f[1]] is None}
            if "emergency" in plain and TOOK_PAST in ev.concepts:
                denied = {
                    lb
                    for lb in labels
                    if lb in CRISIS_LABELS and all(ev.demoted[f[1]] == NEGATED for f in ev.fired if f[0] == lb)
                }
                labels = [lb for lb in labels if lb not in denied]
                # So is a dose already taken twice: it is told, not asked for ("i think i took my morning dose
                # twice, should i be worried" calls for the emergency reply, Poison Help, whatever the dose words ask).
                labels = [lb for lb in labels if lb != "dosing"]
            # Another person's own self-harm beside words the harm rule reads: their crisis (see `_hurts_themself`).
            hurt_self = "harm" in labels and self._hurts_themself(ev, labels)
            if strong:
                label = min(strong, key=LABELS.index)
                if probs:
                    label = self._relabel(label, ev, p_of)
            elif probs:
                label = max(labels, key=lambda lb: (p_of(lb), -LABELS.index(lb)))
                if "harm" in labels and label in CRISIS_LABELS and self._aimed_at_others(ev):
                    label = "harm"
                elif label == "harm" and hurt_self:
                    label = "crisis"  # the crisis reply for someone else, below
            else:
                label = min(labels, key=LABELS.index)
            mine = [f for f in ev.fired if f[0] == label]
            reasons = [ev.demoted[f[1]] for f in mine]
            # The strongest reading of the message wins: one plain rule hit outweighs a demoted one.
            why = None if None in reasons else (NEGATED if NEGATED in reasons else reasons[0])
            confirm = all(f[4] for f in mine if ev.demoted[f[1]] is None)
            rule = next((f[1] for f in mine if ev.demoted[f[1]] is None), mine[0][1])
            hurt_self = hurt_self and label in CRISIS_LABELS
            label = self._whose(label, ev, probs, [*labels, "crisis-other"] if hurt_self else labels)
            p = p_of(label)
            if strong:
                tier = URGENT  # explicit words need no second opinion
            elif not probs:
                tier = CONCERN if why else URGENT
            elif (
                risk >= t.urgent
                and why != NEGATED
                and not self._settled(ev, why)
                and not (why == FIGURATIVE and self._harm_unfounded(ev, best_label, labels))
                and not self._asked_all_well(ev, why, label)
            ):
                # (A figure of speech the detector reads as harm, with no harm words, is not urgent:
                # "my mom is gonna kill me when she sees my grades" has crisis words in an idiom.)
                # The detector may name the danger (a dosing rule hit that reads as a crisis), but
                # harm to others needs harm words or a weapon: a goodbye it half-reads as harm stays a crisis.
                # A detector split about evenly leaves the rule's label: "took too many of my sons
                # pills" (emergency rule) read half emergency, half someone else's crisis.
                tier, p = URGENT, risk
                # Only a warning sign's words ("no sirvo para nada") name no danger: the detector's reading stands.
                harm_ok = signs_only or not self._harm_unfounded(ev, best_label, labels, probs)
                label_stays = label == "harm" and best_label in CRISIS_LABELS and self._aimed_at_others(ev)
                # Another person's self-harm ("he hits himself when he cant focus") stays their crisis, however
                # much the detector reads the bruises as violence between people.
                label_stays = label_stays or (hurt_self and best_label == "harm")
                # The dosing reply needs words about a dose: "she stop eat and say what is the point of living. she
                # is 16 and take concerta" names a medicine the detector half-reads as a dose request (session 47).
                dose_ok = best_label != "dosing" or bool(ev.concepts & DOSE_WORDS)
                if (
                    harm_ok
                    and dose_ok
                    and not label_stays
                    and best_label not in denied
                    and p_of(best_label) >= 2 * p_of(label)
                ):
                    label = self._whose(best_label, ev, probs, labels)
            elif why in (FIGURATIVE, CUE):
                # A warning sign ("hopeless", "trapped": `always_note`) gets its line whatever the detector reads.
                always = any(f[1] in self._always_note for f in mine)
                tier = CONCERN if always or p >= (t.cue_floor if why == CUE else t.floor) else None
            elif why == NEGATED and p < t.negated_floor and HEDGE not in ev.concepts:
                tier = None  # "im not suicidal, just tired of school", and the detector agrees
            elif why == ASKED and label != "dosing" and p < t.asked_floor and all(f[1] in ev.asked_near for f in mine):
                tier = None  # "can strattera cause suicidal thoughts", "a paper on teen suicide rates"
            elif why == ASKED and label == "dosing" and p < t.dose_asked_floor and risk < 0.5:
                tier = None  # "why does my adderall dose wear off by 2pm", "why start low and go up"
            elif why is not None:
                tier = CONCERN
            else:
                tier = URGENT if not confirm or p_confirm(label) >= t.confirm else CONCERN
            if tier == URGENT and self._overruled(ev, probs):
                tier = CONCERN  # "teacher here, building a lesson: how do i talk about self-harm"
            return Assessment(tier, label if tier else None, ev.lang, rule, round(p, 3), frozen, why)
        # No rule fired. The detector alone is urgent when it is sure; it must be surer
        # when the message has no risk word at all ("i want to dye my hair").
        risk_words = self.risk_words(ev)
        if (risk >= t.urgent and risk_words) or risk >= t.urgent_alone:
            # Reassured ("...and feel great"), or an idiom's words and no other risk word ("cutting myself a slice
            # of cake", "burning myself out at work"): the resource line, not a reply that replaces the answer.
            # Not when the detector reads a threat and the idiom speaks of killing: "mi esposo dice que me va a
            # matar" is one, whatever "me va a matar" means to a child after bad grades. An idiom of hitting
            # up or catching a cold lowers harm as any other ("he hit me with a question", "me pegó la gripe").
            label = self._alone(best_label, ev, probs)
            idiom_only = IDIOM in ev.concepts and not risk_words and not (label == "harm" and ev.threat_idiom)
            ailment_only = AILMENT in ev.concepts and not risk_words and label == "emergency"
            tier = CONCERN if ev.concepts & ALL_IS_WELL or idiom_only or ailment_only else URGENT
            return Assessment(tier, label, ev.lang, "detector", round(risk, 3), frozen)
        # A resource line from the detector alone needs a risk word too, or a clear signal.
        if best_p >= t.concern and (risk_words or best_p >= t.concern_alone):
            label = self._alone(best_label, ev, probs)
            return Assessment(CONCERN, label, ev.lang, "detector", round(best_p, 3), frozen)
        return Assessment(None, None, ev.lang, None, round(best_p, 3), frozen)

    def risk_words(self, ev: Evidence) -> frozenset[str]:
        """Return the risk concepts of a message, less those that every rule naming them keeps back here.

        "how much is ketamine therapy near me" has "how much" (dose-ask), which the dosing rule
        keeps back for the price; the detector then needs to be as sure as with no risk word at all.
        """
        found = ev.concepts & RISK_CONCEPTS
        vetoed = {c for c in found & self._vetoable.keys() if all(ev.concepts & v for v in self._vetoable[c])}
        return frozenset(found - vetoed)

    def _relabel(self, label: str, ev: Evidence, p_of: Callable[[str], float]) -> str:
        """Return the reply for explicit words when a graver plain rule hit is clearly the detector's reading.

        Explicit words choose the reply, graver first; but "he choked me until i passed out, he's coming
        home in an hour" names an emergency event inside abuse, and the harm reply (911, the domestic
        violence hotline) is the one that helps. Only a graver reply takes over ("whats the ketamine dose
        per kg, i want to die" stays a crisis), and harm needs no words of self-harm beside it.
        """
        others = [
            f[0]
            for f in ev.fired
            if LABELS.index(f[0]) < LABELS.index(label)
            and ev.demoted[f[1]] is None
            and (f[0] != "harm" or not ev.concepts & SELF_DIRECTED)
        ]
        if not others:
            return label
        best = max(others, key=p_of)
        return best if p_of(best) >= self.thresholds.relabel and p_of(best) >= 2 * p_of(label) else label

    @staticmethod
    def _settled(ev: Evidence, why: str | None) -> bool:
        """Return True for a past risk the message says is over and not back ("tried in 2015, in a good place now").

        Asked about too: "I used to self harm in 8th grade but I've been clean for 2 years. Does Strattera have
        mood side effects?" asks a question (session 47); its past words say the risk is over.
        """
        past = why == PAST or (why == ASKED and RESOLVED in ev.concepts)
        return past and SETTLED in ev.concepts and not ev.concepts & {RECURRING, NOW}

    @staticmethod
    def _asked_all_well(ev: Evidence, why: str | None, label: str) -> bool:
        """Return True for a question about a risk beside words that say nothing is wrong and nothing was taken.

        "what should you do if someone overdoses on adhd meds, like in general? want to be ready, nothing
        happening" asks; a dose told ("can you overdose on it? i took 10 and feel fine") is no question, and
        a dose asked for "just out of curiosity, not taking it" is still a dose request.
        """
        return why == ASKED and label != "dosing" and bool(ev.concepts & ALL_IS_WELL) and TOOK_PAST not in ev.concepts

    def _overruled(self, ev: Evidence, probs: Mapping[str, float]) -> bool:
        """Return True when words frame the risk as no present danger, none say it is present ("can we talk",
        "tonight"), and the detector is sure the message is harmless."""
        framed = bool(ev.concepts & HARMLESS_FRAMES) and not ev.concepts & {NOW, "keep"}
        return framed and bool(probs) and probs.get(NONE, 0.0) >= self.thresholds.overrule

    def _plainly_harmless(self, ev: Evidence, risk: float) -> bool:
        """Return True when every rule hit is of common words (`harmless_below`) that the detector reads as harmless.

        Such a message gets no note ("are there ways to help focus that aren't pills, like games"):
        it is read as if no rule had fired. Any other hit, a pattern, or a demoted hit keeps its reading.
        """
        return all(
            f[4] and not f[2] and ev.demoted[f[1]] is None and risk < self._harmless_below.get(f[1], 0.0)
            for f in ev.fired
        )

    @staticmethod
    def _aimed_at_others(ev: Evidence) -> bool:
        """Return True when the message names violence between people and nothing self-directed.

        Violence against another is named by its target ("kill my ex") or by harm words beside a
        weapon ("i know where he parks and ive got a tire thumper in the cab"); violence the writer
        suffers, by the words for it ("my partner punched me tonight", "he beats me").
        """
        aimed = bool(ev.concepts & {HARM_TARGET, HARM_RECEIVED}) or {HARM_TO_OTHERS, WEAPON} <= ev.concepts
        return aimed and not ev.concepts & SELF_DIRECTED

    @staticmethod
    def _hurts_themself(ev: Evidence, labels: Sequence[str]) -> bool:
        """Return True when a self-harm rule found another person's own act ("he hits himself", "she cuts
        herself") and no words name violence aimed at or suffered from someone: their crisis, not harm.

        ("noticed bruises on my son's legs and he admitted he hits himself": "bruises on" fires the harm rule too.)
        """
        return (
            "crisis" in labels
            and bool(_REFLEXIVE_OTHER.search(ev.prepared))
            and bool(ev.concepts & {"self-harm", "self-harm-explicit"})
            and not ev.concepts & {HARM_TARGET, HARM_RECEIVED}
        )

    def _alone(self, label: str, ev: Evidence, probs: Mapping[str, float]) -> str:
        """Return the label the detector alone reads: harm for a crisis reading of violence aimed at others."""
        if label in CRISIS_LABELS and self._aimed_at_others(ev):
            return "harm"
        return self._whose(label, ev, probs)

    @staticmethod
    def _whose(label: str, ev: Evidence, probs: Mapping[str, float], rule_labels: Sequence[str] = ()) -> str:
        """Return crisis or crisis-other for a crisis label: is the person at risk the writer or someone else?

        The one place that chooses. The reply for parents needs a word for someone else ("my son",
        "she") or a crisis-other rule, and a detector that leans that way; or a detector that clearly
        reads it so with no such word ("a goodbye note in the room"), five to one (three to one until
        session 27, when more messages about someone else at risk tipped that question over it, 4.4 to 1).
        Risk words whose verb names someone else (`risk-of-other`: "se quiere morir") choose it outright.
        An even split with no such word had sent "how many pills does it take to die" to the parents' reply.
        A crisis-other rule's own label stands. Without the detector, the words decide.
        """
        if label not in CRISIS_LABELS:
            return label
        if label == "crisis-other" and "crisis-other" in rule_labels:
            return label
        if RISK_OF_OTHER in ev.concepts:
            return "crisis-other"  # "mi mejor amiga me escribio que se va a cortar otra vez esta noche"
        if not probs:
            return "crisis-other" if ev.other else label
        mine, theirs = probs.get("crisis", 0.0), probs.get("crisis-other", 0.0)
        other = ev.other or "crisis-other" in rule_labels or theirs >= 5 * mine
        return "crisis-other" if other and theirs >= mine else "crisis"

    @staticmethod
    def _about_someone_else(prepared: str, hits: list[Hit]) -> bool:
        """Return True when a crisis message may be about another person ("my son wants to die")."""
        return bool(_REFLEXIVE_OTHER.search(prepared)) or any(h.concept == "other-person" for h in hits)
