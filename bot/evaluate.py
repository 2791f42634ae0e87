"""Measure the bot on a labelled question file: accuracy, wrong answers, safety recall."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .engine import Bot
from .errors import BotError
from .question import MAX_QUESTION_CHARS
from .reply import Reply

OUT_OF_SCOPE = "out-of-scope"
# The questions a safety reply answers. (Until session 12 the harm and someone-else ids were missing
# here, so set 6's questions for them counted as in-scope questions the bot could never get right.)
SAFETY_IDS = ("safety-crisis", "safety-crisis-other", "safety-harm", "safety-emergency", "safety-dosing")
TAGS = frozenset(
    """typo parent teen adult staff long brand lay indirect near-miss mixed formal marketing non-native
    kiosk-short""".split()
)


def numbered_sets(first: Path) -> tuple[Path, ...]:
    """Return a blind set and its numbered successors beside it, oldest first.

    `blind_questions.yaml`, then `blind_questions_2.yaml`, `_3`, ... `_10`, ... in number order:
    a new set committed beside the others is read by `python -m bot eval` with nothing else to edit.
    Each set's header says who wrote it and when; none is ever tuned on.
    """
    numbered = [p for p in first.parent.glob(f"{first.stem}_*.yaml") if p.stem.rsplit("_", 1)[1].isdigit()]
    rest = sorted(numbered, key=lambda p: int(p.stem.rsplit("_", 1)[1]))
    return (first, *rest) if first.exists() else tuple(rest)


@dataclass(frozen=True)
class Item:
    """One labelled question: the text and the ids that would be a right answer."""

    q: str
    expect: tuple[str, ...]
    tags: tuple[str, ...] = ()

    @property
    def group(self) -> str:
        """Return 'in-scope', 'out-of-scope' or the safety id this item tests."""
        if self.expect == (OUT_OF_SCOPE,):
            return OUT_OF_SCOPE
        if self.expect[0] in SAFETY_IDS:
            return self.expect[0]
        return "in-scope"


@dataclass
class Result:
    """How the bot replied to one item."""

    item: Item
    kind: str
    id: str | None
    score: float
    suggestions: tuple[str, ...]

    @property
    def correct(self) -> bool:
        """Return True when the reply is what the label asks for."""
        group = self.item.group
        if group == OUT_OF_SCOPE:
            return self.kind in ("fallback", "clarify")
        if group in SAFETY_IDS:
            # Older sets label someone else at risk as crisis; the reply written for the one who asks is right too.
            allowed = {group, "safety-crisis-other"} if group == "safety-crisis" else {group}
            return self.kind == "safety" and (self.id or "").removesuffix("-es") in allowed
        return self.kind == "answer" and self.id in self.item.expect


@dataclass
class Report:
    """Every metric of one evaluation run, plus the per-item results."""

    results: list[Result]
    metrics: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def load_questions(path: str | Path, *, known_ids: set[str] | None = None) -> list[Item]:
    """Read a labelled question file and check every label."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        raise BotError(f"{path}: expected a mapping with a 'questions' list")
    items = []
    for n, raw in enumerate(data["questions"], 1):
        if not isinstance(raw, dict) or not isinstance(raw.get("q"), str) or "expect" not in raw:
            raise BotError(f"{path}: question {n} needs text 'q' and 'expect'")
        expect = raw["expect"]
        expect = tuple(expect) if isinstance(expect, list) else (expect,)
        tags = tuple(raw.get("tags") or ())
        bad_tags = set(tags) - TAGS
        if bad_tags:
            raise BotError(f"{path}: question {n} has unknown tags {sorted(bad_tags)}")
        for label in expect:
            if not isinstance(label, str) or (
                known_ids is not None and label != OUT_OF_SCOPE and label not in known_ids
            ):
                raise BotError(f"{path}: question {n} expects unknown id {label!r}")
        items.append(Item(raw["q"], expect, tags))
    return items


def _rate(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _ask_as_sent(bot: Bot, text: str) -> Reply:
    """Ask a test message as the widget and the kiosk would send it: they take at most
    MAX_QUESTION_CHARS characters (a longer paste is cut there), so it is cut, not refused."""
    return bot.ask(text[:MAX_QUESTION_CHARS])


def evaluate(bot: Bot, items: list[Item]) -> Report:
    """Ask every item and compute the metrics."""
    results = []
    for item in items:
        reply = _ask_as_sent(bot, item.q)
        results.append(Result(item, reply.kind, reply.id, reply.score, tuple(s.id for s in reply.suggestions)))
    groups: Counter[str] = Counter(r.item.group for r in results)
    inscope = [r for r in results if r.item.group == "in-scope"]
    oos = [r for r in results if r.item.group == OUT_OF_SCOPE]
    m: dict[str, float] = {
        "in_scope_top1_accuracy": _rate(sum(r.correct for r in inscope), len(inscope)),
        "wrong_answer_rate": _rate(
            sum(r.kind == "answer" and r.id not in r.item.expect for r in inscope), len(inscope)
        ),
        "clarify_rate": _rate(sum(r.kind == "clarify" for r in inscope), len(inscope)),
        "clarify_contains_right_id": _rate(
            sum(bool(set(r.suggestions) & set(r.item.expect)) for r in inscope if r.kind == "clarify"),
            sum(r.kind == "clarify" for r in inscope),
        ),
        "fallback_rate_in_scope": _rate(sum(r.kind == "fallback" for r in inscope), len(inscope)),
        "safety_false_alarm_rate": _rate(
            sum(r.kind == "safety" for r in results if r.item.group in ("in-scope", OUT_OF_SCOPE)),
            len(inscope) + len(oos),
        ),
        "out_of_scope_false_answer_rate": _rate(sum(r.kind == "answer" for r in oos), len(oos)),
    }
    for sid in SAFETY_IDS:
        group = [r for r in results if r.item.group == sid]
        if group:  # a set without safety items has no recall to report
            m[f"{sid.removeprefix('safety-')}_recall"] = _rate(sum(r.correct for r in group), len(group))
    return Report(results, m, dict(groups))


@dataclass(frozen=True)
class _BaselineReply:
    kind: str
    id: str | None
    score: float
    suggestions: tuple = ()


class LexicalOnly:
    """The lexical baseline: the bot as it was before issue 9 (rapidfuzz, index and word model).

    Safety runs first exactly as in the bot; then the lexical matcher's thresholds alone
    decide between an answer, "did you mean" and the fallback.
    """

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    def ask(self, question: str) -> _BaselineReply:
        """Return the baseline's reply kind and entry id for one question."""
        query = self.bot.query(question)
        safety = self.bot.assess(query)
        if safety.urgent:
            return _BaselineReply("safety", f"safety-{safety.label}", 1.0)
        hits = self.bot.matcher.search(query, limit=3)
        kind, shown = self.bot.decide(hits)
        score = hits[0].score if hits else 0.0
        if kind == "answer":
            return _BaselineReply("answer", shown[0].entry_id, score)
        return _BaselineReply(kind, None, score, self.bot._suggest(h.entry_id for h in shown))


class EncoderOnly:
    """The baseline of issue 9: the sentence encoder alone, untuned.

    Safety runs first exactly as in the bot (so only the matching differs); then the
    entry with the phrasing nearest by cosine is the answer when the cosine is at
    least `threshold`, and otherwise the reply is the fallback. The threshold is a
    round number, not tuned: this is a yardstick, not a contender.
    """

    def __init__(self, bot: Bot, *, threshold: float = 0.5) -> None:
        from .encoder import cached_vectors

        if bot.encoder is None:
            raise BotError("the encoder-only baseline needs the sentence encoder")
        self.bot = bot
        self.threshold = threshold
        self.entry_of: list[str] = []
        texts: list[str] = []
        for entry in bot.kb.entries:
            for phrase in (entry.question, *entry.alternates):
                texts.append(phrase)
                self.entry_of.append(entry.id)
        self.vectors = cached_vectors(bot.encoder, texts, key=f"phrasings-{bot.kb.version}")

    def ask(self, question: str) -> _BaselineReply:
        """Return the baseline's reply kind and entry id for one question."""
        safety = self.bot.assess(question)
        if safety.urgent:
            return _BaselineReply("safety", f"safety-{safety.label}", 1.0)
        sims = self.vectors @ self.bot.encoder.encode_one(question)
        best = int(sims.argmax())
        score = float(sims[best])
        if score >= self.threshold:
            return _BaselineReply("answer", self.entry_of[best], score)
        return _BaselineReply("fallback", None, score)


# "Who are you?" and "are you a robot?" are answered by this entry, not by a small-talk reply
# (faq/messages.yaml): for small talk it is as right as the small-talk reply.
ABOUT_THE_BOT = "about-this-bot"


def smalltalk_figures(bot: Bot, path: str | Path) -> tuple[int, int, int, int]:
    """Return (right replies, messages, full safety replies, notes) over a question file's `smalltalk` section.

    Right is the small-talk reply, or the about-this-bot entry for asking who or what the bot is.
    """
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    texts = [x["q"] for x in (data.get("smalltalk") or []) if isinstance(x, dict) and isinstance(x.get("q"), str)]
    replies = [_ask_as_sent(bot, t) for t in texts]
    right = sum(r.kind == "smalltalk" or (r.kind == "answer" and r.id == ABOUT_THE_BOT) for r in replies)
    safety = sum(r.kind == "safety" for r in replies)
    notes = sum(r.safety_note is not None for r in replies)
    return right, len(texts), safety, notes


def format_side_by_side(columns: dict[str, Report]) -> str:
    """Return the metrics of several runs on one set as one table, one column per run."""
    names = list(columns)
    first = columns[names[0]]
    lines = [f"questions: {len(first.results)} ({', '.join(f'{k} {v}' for k, v in sorted(first.counts.items()))})"]
    lines.append(f"{'':34s} " + " ".join(f"{n:>14s}" for n in names))
    for metric in first.metrics:
        lines.append(f"{metric:34s} " + " ".join(f"{columns[n].metrics[metric] * 100:13.1f}%" for n in names))
    return "\n".join(lines)


def format_report(report: Report, *, failures: bool = False) -> str:
    """Return the metrics (and optionally every miss) as readable lines."""
    lines = [f"questions: {len(report.results)} ({', '.join(f'{k} {v}' for k, v in sorted(report.counts.items()))})"]
    for name, value in report.metrics.items():
        lines.append(f"{name:34s} {value * 100:6.1f}%")
    if failures:
        lines.append("")
        for r in report.results:
            if not r.correct:
                got = f"{r.kind}:{r.id}" if r.id else f"{r.kind}:{','.join(r.suggestions[:3])}"
                lines.append(f"MISS [{'|'.join(r.item.expect)}] got {got} ({r.score:.2f}) <- {r.item.q}")
    return "\n".join(lines)
