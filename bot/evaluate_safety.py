"""Measure the safety step: on a labelled safety set, and by k-fold on the exemplar bank.

Figures, per safety label:
- resources shown: the message got the safety reply (urgent) or a resource line (concern);
- urgent: the message got a safety reply in place of the answer (for the messages
  labelled plainly urgent);
and for harmless messages (label none, the hard negatives): urgent false alarms and
the note rate. The note rate on ordinary in-scope questions comes from the question
files. A baseline is measured in the same run: the developer patterns alone, with
no concept rules and no detector (what the bot did before).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import yaml

from .detector import Detector
from .encoder import Encoder
from .engine import Bot, detector_samples
from .errors import BotError
from .evaluate import numbered_sets
from .safety import SENTENCE_SCREEN, Assessment, Evidence, SafetyCheck, Thresholds, sentences, with_sentences
from .safety_data import LABELS, NONE

BLIND_SAFETY = Path(__file__).resolve().parent.parent / "tests" / "data" / "safety_blind.yaml"
# Every blind safety set, oldest first (safety_blind.yaml, then _2, _3, ...): each written in one
# sitting before the tuning it measures.
BLIND_SAFETY_SETS = numbered_sets(BLIND_SAFETY)


@dataclass(frozen=True)
class SafetyItem:
    """One labelled safety message."""

    text: str
    label: str
    urgent: bool
    group: str
    lang: str = "en"
    note_ok: bool = False


def load_safety_set(path: str | Path) -> list[SafetyItem]:
    """Read a labelled safety set (a `messages` list of text, label, urgent, group, lang)."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        raise BotError(f"{path}: expected a mapping with a 'messages' list")
    items = []
    for n, raw in enumerate(data["messages"], 1):
        if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
            raise BotError(f"{path}: message {n} needs 'text'")
        label = raw.get("label")
        if label not in (*LABELS, NONE):
            raise BotError(f"{path}: message {n} has unknown label {label!r}")
        items.append(
            SafetyItem(
                raw["text"],
                label,
                bool(raw.get("urgent", label != NONE)),
                str(raw.get("group", "")),
                str(raw.get("lang", "en")),
                bool(raw.get("note_ok", False)),
            )
        )
    return items


def _rate(part: int, whole: int) -> float:
    return part / whole if whole else float("nan")


def safety_metrics(items: Sequence[SafetyItem], assessed: Sequence[Assessment]) -> dict[str, float]:
    """Return the safety figures for items and how each was assessed."""
    m: dict[str, float] = {}
    pairs = list(zip(items, assessed, strict=True))
    for label in LABELS:
        group = [(i, a) for i, a in pairs if i.label == label]
        plain = [(i, a) for i, a in group if i.urgent]
        m[f"{label}: resources shown"] = _rate(sum(a.tier is not None for _, a in group), len(group))
        m[f"{label}: urgent (plainly urgent)"] = _rate(sum(a.urgent for _, a in plain), len(plain))
        m[f"{label}: right reply when urgent"] = _rate(
            sum(a.label == label or (label, a.label) in _CLOSE for _, a in group if a.urgent),
            sum(a.urgent for _, a in group),
        )
    negatives = [(i, a) for i, a in pairs if i.label == NONE]
    m["hard negatives: urgent false alarms"] = _rate(sum(a.urgent for _, a in negatives), len(negatives))
    m["hard negatives: note"] = _rate(sum(a.tier == "concern" for _, a in negatives), len(negatives))
    return m


# Urgent replies that serve a message well enough even with a neighbouring label:
# a crisis reply (988 and 911) for someone else at risk, and the reverse.
_CLOSE = frozenset({("crisis", "crisis-other"), ("crisis-other", "crisis")})


class PatternsOnly:
    """The safety check as it was before concept rules and the detector: any pattern hit is urgent."""

    def __init__(self, bot: Bot) -> None:
        self.check = SafetyCheck(replace(bot.kb.detector, rules=()), spelling=bot.reader.spelling)

    def assess(self, text: str) -> Assessment:
        """Return urgent with the graver label of any pattern that matches, else nothing."""
        ev = self.check.evidence(text)
        labels = [f[0] for f in ev.fired]
        if not labels:
            return Assessment(None, None, ev.lang)
        return Assessment("urgent", min(labels, key=LABELS.index), ev.lang, "baseline")


def baseline_check(bot: Bot) -> PatternsOnly:
    """Return the baseline measured beside the bot in the same run: the old patterns alone."""
    return PatternsOnly(bot)


def in_scope_note_rate(bot: Bot, questions: Sequence[str], check: Callable[[str], Assessment]) -> float:
    """Return the share of ordinary questions that get any safety reply or note."""
    return _rate(sum(check(q).tier is not None for q in questions), len(questions))


def kfold(bot: Bot, *, folds: int = 5, seed: int = 7, thresholds: Thresholds | None = None) -> dict[str, float]:
    """Return the safety figures by k-fold cross-validation on the exemplar bank."""
    oof = out_of_fold(bot, folds=folds, seed=seed)
    return safety_metrics(oof.items, oof.assess(thresholds or bot.safety.thresholds))


@dataclass
class OutOfFold:
    """Out-of-fold detector probabilities for every exemplar, ready to re-threshold."""

    items: list[SafetyItem]
    probs: list[dict[str, float]]
    check: SafetyCheck
    evidence: list[Evidence] = field(default_factory=list)

    def assess(self, thresholds: Thresholds) -> list[Assessment]:
        """Return each exemplar's assessment under these thresholds."""
        if not self.evidence:
            self.evidence = [self.check.evidence(i.text) for i in self.items]
        self.check.thresholds = thresholds
        return [self.check.decide(ev, p) for ev, p in zip(self.evidence, self.probs, strict=True)]


def in_context_vectors(encoder: Encoder, texts: Sequence[str], parts: Sequence[tuple[int, str]]) -> np.ndarray:
    """Return each (message index, sentence) its vector within the message's run (a row of zeros: none)."""
    out = np.zeros((len(parts), encoder.dimension), dtype=np.float32)
    by_message: dict[int, list[int]] = {}
    for j, (i, _) in enumerate(parts):
        by_message.setdefault(i, []).append(j)
    for i, rows in by_message.items():
        for j, vector in zip(rows, encoder.encode_in_context(texts[i], [parts[j][1] for j in rows]), strict=True):
            if vector is not None:
                out[j] = vector
    return out


def out_of_fold(bot: Bot, *, folds: int = 5, seed: int = 7) -> OutOfFold:
    """Train the detector k times, each without one fold, and keep its probabilities on that fold."""
    kb = bot.kb
    check = SafetyCheck(kb.detector, spelling=bot.reader.spelling)
    exemplars = list(kb.detector.exemplars)
    # Each exemplar's fold comes from its text alone, so adding exemplars leaves the others'
    # folds as they were, and two banks can be compared message by message.
    fold_of = {
        idx: int(hashlib.sha256(f"{seed}:{e.text}".encode()).hexdigest()[:8], 16) % folds
        for idx, e in enumerate(exemplars)
    }
    all_samples = detector_samples(kb, check)
    faq_samples = all_samples[len(exemplars) :]
    # Each exemplar's sentences are read too, as SafetyCheck.probabilities does.
    parts = [(i, part) for i, e in enumerate(exemplars) for part in sentences(e.text)]
    part_of = [i for i, _ in parts]
    part_prepared = [check.prepare(t) for _, t in parts]
    parts_by_item: dict[int, list[int]] = {}
    for j, i in enumerate(part_of):
        parts_by_item.setdefault(i, []).append(j)
    encoder = bot.encoder
    vectors = part_vectors = context_vectors = None
    if encoder is not None:
        from .encoder import cached_vectors

        version = kb.detector.version
        vectors = cached_vectors(encoder, [s.raw for s in all_samples], key=f"detector-{version}")
        if parts:
            part_vectors = cached_vectors(encoder, [t for _, t in parts], key=f"detector-parts-{version}")
            context_vectors = cached_vectors(
                encoder,
                [f"{exemplars[i].text}\0{t}" for i, t in parts],
                key=f"detector-parts-in-context-{version}",
                compute=lambda _: in_context_vectors(encoder, [e.text for e in exemplars], parts),
            )
    probs: list[dict[str, float]] = [{} for _ in exemplars]
    for f in range(folds):
        train_idx = [i for i in range(len(exemplars)) if fold_of[i] != f]
        test_idx = [i for i in range(len(exemplars)) if fold_of[i] == f]
        samples = [all_samples[i] for i in train_idx] + faq_samples
        train_vec = None
        if vectors is not None:
            train_vec = np.vstack([vectors[train_idx], vectors[len(exemplars) :]])
        det = Detector(samples, vectors=train_vec, embed=encoder.encode_one if encoder is not None else None)
        test_vec = vectors[test_idx] if vectors is not None else None
        rows = det.batch([], [all_samples[i].prepared for i in test_idx], test_vec)

        def reading(row: np.ndarray, det: Detector = det) -> dict[str, float]:
            return dict(zip(det.classes, (float(p) for p in row), strict=True))

        for i, row in zip(test_idx, rows, strict=True):
            probs[i] = reading(row)
        test_parts = [j for i in test_idx for j in parts_by_item.get(i, [])]
        if test_parts:
            part_rows = det.batch(
                [],
                [part_prepared[j] for j in test_parts],
                part_vectors[test_parts] if part_vectors is not None else None,
            )
            if context_vectors is not None:
                # As SafetyCheck.probabilities: a sentence is read on its own only when its
                # reading within the whole message's run reaches SENTENCE_SCREEN.
                found = context_vectors[test_parts].any(axis=1)
                quick = det.batch(
                    [],
                    [part_prepared[j] for j in test_parts],
                    np.where(found[:, None], context_vectors[test_parts], part_vectors[test_parts]),
                )
                none = det.classes.index(NONE)
                keep = found & (1.0 - quick[:, none] < SENTENCE_SCREEN)
                part_rows = np.where(keep[:, None], quick, part_rows)
            readings: dict[int, list[dict[str, float]]] = {}
            for j, row in zip(test_parts, part_rows, strict=True):
                readings.setdefault(part_of[j], []).append(reading(row))
            for i, rows_i in readings.items():
                probs[i] = dict(with_sentences(probs[i], rows_i))
    items = [SafetyItem(e.text, e.label, e.label != NONE, e.group, e.lang) for e in exemplars]
    return OutOfFold(items, probs, check)


def tune(
    oof: OutOfFold,
    *,
    ordinary: Sequence[tuple[Evidence, Mapping[str, float]]] = (),
    max_false_alarm: float = 0.04,
    max_note: float = 0.2,
    max_ordinary: float = 0.03,
) -> tuple[Thresholds, dict]:
    """Return the thresholds with the best recall whose false alarms and notes stay in bounds.

    Resources shown come first, then urgent recall; ties go to fewer false alarms and notes.
    `ordinary` holds dev questions (evidence and detector probabilities): none of them may
    get an urgent reply, and at most `max_ordinary` of them a note.
    """
    best: tuple[tuple, Thresholds, dict] | None = None
    grid = [
        Thresholds(confirm=c, urgent=u, concern=n, urgent_alone=a)
        for c in (0.1, 0.15, 0.2, 0.3, 0.4)
        for u in (0.7, 0.8, 0.85, 0.9)
        for a in (0.85, 0.9, 0.95, 0.97, 0.98, 0.99, 1.01)
        for n in (0.3, 0.4, 0.5)
        if u <= a
    ]
    for t in grid:
        m = safety_metrics(oof.items, oof.assess(t))
        fa, note = m["hard negatives: urgent false alarms"], m["hard negatives: note"]
        if fa > max_false_alarm or note > max_note:
            continue
        if ordinary:
            tiers = [oof.check.decide(ev, p).tier for ev, p in ordinary]
            if "urgent" in tiers or sum(x is not None for x in tiers) > max_ordinary * len(tiers):
                continue
        urgent_recall = np.mean([m[f"{lb}: urgent (plainly urgent)"] for lb in LABELS])
        shown = np.mean([m[f"{lb}: resources shown"] for lb in LABELS])
        # Resources shown to 0.1 point (session 21: at 2 decimals a lower note threshold that hid resource
        # lines from 0.9% of crisis messages tied, and fewer notes won the tie).
        score = (round(float(shown), 3), round(float(urgent_recall), 3), -fa, -note)
        if best is None or score > best[0]:
            best = (score, t, m)
    if best is None:
        raise BotError("no thresholds keep false alarms and notes within bounds")
    return best[1], best[2]


def ordinary_evidence(bot: Bot, questions: Sequence[str]) -> list[tuple[Evidence, Mapping[str, float]]]:
    """Return the rules' evidence and the trained detector's probabilities for ordinary questions."""
    out = []
    for q in questions:
        ev = bot.safety.evidence(q)
        out.append((ev, bot.safety.probabilities(q, ev.prepared)))
    return out


def format_safety(title: str, metrics: dict[str, float], baseline: dict[str, float] | None = None) -> str:
    """Return safety figures (with the baseline beside them) as readable lines."""
    lines = [title]
    for name, value in metrics.items():
        base = f"   baseline {baseline[name] * 100:5.1f}%" if baseline and name in baseline else ""
        shown = "   n/a" if value != value else f"{value * 100:5.1f}%"
        lines.append(f"  {name:40s} {shown}{base}")
    return "\n".join(lines)


def misses(items: Sequence[SafetyItem], assessed: Sequence[Assessment]) -> list[str]:
    """Return one line per message the safety step got wrong (for dev sets only)."""
    out = []
    for i, a in zip(items, assessed, strict=True):
        if i.label == NONE and a.urgent:
            out.append(f"FALSE ALARM [{i.group}] {a.tier}:{a.label} ({a.rule}, p={a.probability}) <- {i.text}")
        elif i.label == NONE and a.tier == "concern" and not i.note_ok:
            out.append(f"NOTE [{i.group}] {a.label} ({a.rule}, p={a.probability}) <- {i.text}")
        elif i.label != NONE and a.tier is None:
            out.append(f"MISSED [{i.label}/{i.group}] (p={a.probability}) <- {i.text}")
        elif i.label != NONE and i.urgent and not a.urgent:
            out.append(f"NOT URGENT [{i.label}/{i.group}] {a.label} ({a.rule}, p={a.probability}) <- {i.text}")
    return out


__all__ = [
    "BLIND_SAFETY",
    "BLIND_SAFETY_SETS",
    "OutOfFold",
    "SafetyItem",
    "baseline_check",
    "format_safety",
    "in_scope_note_rate",
    "kfold",
    "load_safety_set",
    "misses",
    "ordinary_evidence",
    "out_of_fold",
    "safety_metrics",
    "tune",
]
