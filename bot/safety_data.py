"""Read the safety check's data in faq/detector/: concepts, rules, patterns and the exemplar bank."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol

from .normalize import fold

DETECTOR_DIR = "detector"
# What a safety message can call for, in order of priority when nothing else decides.
LABELS = ("crisis", "crisis-other", "harm", "emergency", "dosing")
NONE = "none"
LANGS = ("en", "es")
TIERS = ("urgent", "concern")
MODIFIERS = ("negation", "risk-question", "research", "figurative", "fitness", "keep", "topic", "now", "weapon")
MIN_EXEMPLARS = 20  # per label: fewer cannot train a detector that generalises
_PATTERN_WORDS = re.compile(r"[a-z]{4,}")
_REGEX_ESCAPE = re.compile(r"\\[A-Za-z]")  # \b, \s, \w...: not part of a word ("\bslit" is "slit")
_REGEX_STEM = re.compile(r"[a-z]+\\w")  # "overdos\w*" is a stem, not a word to correct toward


@dataclass(frozen=True)
class Concept:
    """A named word list: each phrase is a tuple of tokens ('word', 'stem*' or '_')."""

    name: str
    phrases: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class ConceptRule:
    """Concepts that, met within a window in any order, call for a safety label."""

    id: str
    label: str
    near: tuple[str, ...]
    unless: tuple[str, ...] = ()
    window: int = 8
    tier: str = "urgent"
    confirm: bool = True  # urgent only when the detector agrees; False: explicit words are enough
    # A hit the detector reads as plainly harmless (its risk under this) gets no note either: for
    # rules whose words are common in ordinary questions ("how to store my meds": a means and a plan word).
    harmless_below: float = 0.0
    # Concepts that make this rule's hit talk about the thing rather than ask for it ("my dose wears
    # off by noon, is that normal"): a concern, unless one of `kept_by` is there too ("how much").
    asked_by: tuple[str, ...] = ()
    kept_by: tuple[str, ...] = ()
    # A rule of tier concern whose words are a warning sign on their own ("hopeless", "trapped"): its
    # resource line comes whatever the detector reads (others' need the detector's cue floor).
    always_note: bool = False


@dataclass(frozen=True)
class SafetyPattern:
    """A developer-maintained regular expression that calls for a safety label."""

    label: str
    pattern: re.Pattern[str]
    tier: str = "urgent"
    confirm: bool = True  # as for a rule: False means the words are explicit enough alone


@dataclass(frozen=True)
class Exemplar:
    """One labelled message of the exemplar bank the detector learns from."""

    text: str
    label: str
    group: str
    lang: str


@dataclass(frozen=True)
class SafetyData:
    """Everything in faq/detector/, validated and frozen."""

    window: int
    negation_reach: int
    concepts: Mapping[str, Concept]
    rules: tuple[ConceptRule, ...]
    patterns: tuple[SafetyPattern, ...]
    exemplars: tuple[Exemplar, ...]
    version: str = field(default="")

    def spelling_words(self) -> frozenset[str]:
        """The words a misspelt safety word is read as: those of the concepts and of the patterns."""
        words = {t.rstrip("*") for c in self.concepts.values() for p in c.phrases for t in p}
        words = {w for w in words if w.isalpha()}
        for p in self.patterns:
            text = _REGEX_ESCAPE.sub(" ", _REGEX_STEM.sub(" ", p.pattern.pattern))
            words.update(_PATTERN_WORDS.findall(text))
        return frozenset(words)

    def spanish_words(self) -> frozenset[str]:
        """The words of the Spanish exemplars: real Spanish words the spelling fixer leaves alone."""
        return frozenset(w for e in self.exemplars if e.lang == "es" for w in fold(e.text).split() if w.isalpha())


class _Checks(Protocol):
    def error(self, file: str, entry_id: str | None, fld: str | None, msg: str) -> None: ...

    def warn(self, file: str, entry_id: str | None, fld: str | None, msg: str) -> None: ...

    def fields(
        self, data: Any, file: str, eid: str | None, allowed: set[str], required: set[str], what: str
    ) -> bool: ...


_PHRASE_TOKEN = re.compile(r"^(?:[a-z0-9]+\*?|_|#)$")


def _phrase(c: _Checks, text: Any, file: str, where: str, fld: str) -> tuple[str, ...] | None:
    """Return one lexicon phrase as tokens, or record why it cannot be one."""
    if not isinstance(text, str) or not text.strip():
        c.error(file, where, fld, f"{text!r} must be a word or phrase in quotes")
        return None
    # Written the way people type is fine: apostrophes and accents are dropped, as in messages.
    plain = unicodedata.normalize("NFKD", re.sub(r"['\u2019`]", "", text.casefold()))
    tokens = tuple("".join(ch for ch in plain if not unicodedata.combining(ch)).split())
    bad = [t for t in tokens if not _PHRASE_TOKEN.match(t)]
    if bad:
        c.error(file, where, fld, f"{text!r}: use plain lower-case words, 'word*' or '_' (not {bad[0]!r})")
        return None
    if tokens[0] == "_":
        c.error(file, where, fld, f"{text!r} cannot start with '_'")
        return None
    return tokens


def _read_concepts(c: _Checks, data: Any, file: str) -> tuple[int, int, dict[str, Concept], list[ConceptRule]]:
    if not c.fields(
        data, file, None, {"window", "negation_reach", "concepts", "rules"}, {"concepts", "rules"}, "the file"
    ):
        return 8, 3, {}, []
    window, reach = data.get("window", 8), data.get("negation_reach", 3)
    for name, value in (("window", window), ("negation_reach", reach)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 40:
            c.error(file, None, name, f"{value!r} must be a whole number from 1 to 40")
    concepts: dict[str, Concept] = {}
    raw = data.get("concepts")
    if not isinstance(raw, dict) or not raw:
        c.error(file, None, "concepts", "must map concept names to word lists per language")
        raw = {}
    for name, langs in raw.items():
        name = str(name)
        if not isinstance(langs, dict) or not langs:
            c.error(file, name, None, "a concept maps languages (en, es) to lists of words")
            continue
        phrases: list[tuple[str, ...]] = []
        for lang, items in langs.items():
            if lang not in LANGS:
                c.error(file, name, str(lang), f"unknown language (one of: {', '.join(LANGS)})")
                continue
            if not isinstance(items, list) or not items:
                c.error(file, name, lang, "must be a non-empty list of words")
                continue
            first: dict[tuple[str, ...], int] = {}
            for i, item in enumerate(items):
                tokens = _phrase(c, item, file, name, f"{lang}[{i}]")
                if not tokens:
                    continue
                if tokens in first:  # harmless (read once), but a list a reviewer reads should say each thing once
                    c.warn(file, name, f"{lang}[{i}]", f"{item!r} is already in this list at {lang}[{first[tokens]}]")
                    continue
                first[tokens] = i
                phrases.append(tokens)
        concepts[name] = Concept(name, tuple(dict.fromkeys(phrases)))
    for name in MODIFIERS:
        if name not in concepts:
            c.error(file, None, "concepts", f"the modifier concept {name!r} is missing")
    rules: list[ConceptRule] = []
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        c.error(file, None, "rules", "must be a non-empty list of rules")
        raw_rules = []
    seen: set[str] = set()
    for raw_rule in raw_rules:
        rid = raw_rule.get("id") if isinstance(raw_rule, dict) else None
        rid = rid if isinstance(rid, str) else None
        allowed = {"id", "reply", "near", "unless", "window", "tier", "confirm", "harmless_below"}
        allowed |= {"asked_by", "kept_by", "always_note"}
        if not c.fields(raw_rule, file, rid, allowed, {"id", "reply", "near"}, "a rule"):
            continue
        if rid is None or rid in seen:
            c.error(file, rid, "id", "each rule needs a unique id")
            continue
        seen.add(rid)
        label, tier = raw_rule.get("reply"), raw_rule.get("tier", "urgent")
        if label not in LABELS:
            c.error(file, rid, "reply", f"{label!r} is not one of: {', '.join(LABELS)}")
        if tier not in TIERS:
            c.error(file, rid, "tier", f"{tier!r} is not one of: {', '.join(TIERS)}")
        lists = {}
        for fld in ("near", "unless", "asked_by", "kept_by"):
            names = raw_rule.get(fld, [])
            if not isinstance(names, list) or (fld == "near" and not names):
                c.error(file, rid, fld, "must be a list of concept names")
                names = []
            for n in names:
                if n not in concepts:
                    c.error(file, rid, fld, f"unknown concept {n!r}")
            lists[fld] = tuple(str(n) for n in names)
        rwindow = raw_rule.get("window", window)
        if isinstance(rwindow, bool) or not isinstance(rwindow, int) or not 1 <= rwindow <= 40:
            c.error(file, rid, "window", f"{rwindow!r} must be a whole number from 1 to 40")
            rwindow = 8
        confirm = raw_rule.get("confirm", True)
        if not isinstance(confirm, bool):
            c.error(file, rid, "confirm", f"{confirm!r} must be true or false")
            confirm = True
        below = raw_rule.get("harmless_below", 0.0)
        if isinstance(below, bool) or not isinstance(below, (int, float)) or not 0 <= below <= 0.1:
            c.error(file, rid, "harmless_below", f"{below!r} must be a number from 0 to 0.1")
            below = 0.0
        elif below and not confirm:
            c.error(file, rid, "harmless_below", "needs confirm: true (explicit words never lose their reply)")
            below = 0.0
        always_note = raw_rule.get("always_note", False)
        if not isinstance(always_note, bool):
            c.error(file, rid, "always_note", f"{always_note!r} must be true or false")
            always_note = False
        elif always_note and tier != "concern":
            c.error(file, rid, "always_note", "only a rule of tier concern takes it (the others give a note anyway)")
            always_note = False
        if lists["asked_by"] and not confirm:
            c.error(file, rid, "asked_by", "needs confirm: true (explicit words are never only talked about)")
            lists["asked_by"] = ()
        rules.append(
            ConceptRule(
                rid,
                str(label),
                lists["near"],
                lists["unless"],
                rwindow,
                str(tier),
                confirm,
                float(below),
                lists["asked_by"],
                lists["kept_by"],
                always_note,
            )
        )
    return window if isinstance(window, int) else 8, reach if isinstance(reach, int) else 3, concepts, rules


def _read_patterns(c: _Checks, data: Any, file: str) -> list[SafetyPattern]:
    if not c.fields(data, file, None, {"patterns"}, {"patterns"}, "the file"):
        return []
    out: list[SafetyPattern] = []
    groups = data.get("patterns")
    if not isinstance(groups, dict):
        c.error(file, None, "patterns", "must map each label to a list of patterns")
        return []
    for label, items in groups.items():
        if label not in LABELS:
            c.error(file, str(label), None, f"unknown label (one of: {', '.join(LABELS)})")
            continue
        if not isinstance(items, list):
            c.error(file, label, None, "must be a list of patterns")
            continue
        for i, item in enumerate(items):
            tier, confirm = "urgent", True
            if isinstance(item, dict):
                tier, confirm, item = item.get("tier", "urgent"), item.get("confirm", True), item.get("pattern")
                if tier not in TIERS:
                    c.error(file, label, f"[{i}].tier", f"{tier!r} is not one of: {', '.join(TIERS)}")
                if not isinstance(confirm, bool):
                    c.error(file, label, f"[{i}].confirm", "must be true or false")
            if not isinstance(item, str):
                c.error(file, label, f"[{i}]", "must be a pattern in quotes")
                continue
            try:
                out.append(SafetyPattern(label, re.compile(item), tier, confirm is not False))
            except re.error as exc:
                c.error(file, label, f"[{i}]", f"is not a valid pattern: {exc}")
    return out


def _read_exemplars(c: _Checks, data: Any, file: str) -> list[Exemplar]:
    if not c.fields(data, file, None, {"label", "groups"}, {"label", "groups"}, "an exemplar file"):
        return []
    label = data.get("label")
    if label not in (*LABELS, NONE):
        c.error(file, None, "label", f"{label!r} is not one of: {', '.join((*LABELS, NONE))}")
        return []
    groups = data.get("groups")
    if not isinstance(groups, list) or not groups:
        c.error(file, None, "groups", "must be a non-empty list of groups")
        return []
    out: list[Exemplar] = []
    for g in groups:
        name = g.get("name") if isinstance(g, dict) else None
        name = name if isinstance(name, str) else None
        if not c.fields(g, file, name, {"name", "lang", "texts"}, {"name", "lang", "texts"}, "a group"):
            continue
        lang = g.get("lang")
        if lang not in LANGS:
            c.error(file, name, "lang", f"{lang!r} is not one of: {', '.join(LANGS)}")
            continue
        texts = g.get("texts")
        if not isinstance(texts, list) or not texts:
            c.error(file, name, "texts", "must be a non-empty list of messages")
            continue
        for i, text in enumerate(texts):
            if not isinstance(text, str) or not text.strip():
                c.error(file, name, f"texts[{i}]", "must be a message in quotes")
                continue
            out.append(Exemplar(" ".join(text.split()), str(label), name or "", str(lang)))
    return out


def read_safety_data(c: _Checks, faq_path: Path, read_yaml) -> SafetyData | None:
    """Validate faq/detector/ into SafetyData, recording every problem with `c`."""
    folder = faq_path / DETECTOR_DIR
    prefix = f"{DETECTOR_DIR}/"
    if not folder.is_dir():
        c.error(prefix, None, None, "the safety detector folder is missing")
        return None
    digest = hashlib.sha256()
    files = sorted(folder.glob("*.yaml"))
    parsed: dict[str, Any] = {}
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        parsed[path.name] = read_yaml(path, prefix + path.name)
    concepts_data = parsed.get("concepts.yaml")
    if "concepts.yaml" not in parsed:
        c.error(prefix + "concepts.yaml", None, None, "file is missing")
    window, reach, concepts, rules = (
        _read_concepts(c, concepts_data, prefix + "concepts.yaml") if concepts_data is not None else (8, 3, {}, [])
    )
    patterns = (
        _read_patterns(c, parsed["patterns.yaml"], prefix + "patterns.yaml") if parsed.get("patterns.yaml") else []
    )
    exemplars: list[Exemplar] = []
    for name, data in parsed.items():
        if name.startswith("exemplars-") and data is not None:
            exemplars.extend(_read_exemplars(c, data, prefix + name))
        elif name not in ("concepts.yaml", "patterns.yaml"):
            c.error(prefix + name, None, None, "unexpected file: name exemplar files 'exemplars-<label>.yaml'")
    counts = {label: 0 for label in (*LABELS, NONE)}
    seen: dict[str, str] = {}
    for ex in exemplars:
        counts[ex.label] += 1
        key = " ".join(ex.text.casefold().split())
        if seen.get(key, ex.label) != ex.label:
            c.error(prefix, ex.group, "texts", f"{ex.text!r} is labelled both {ex.label!r} and {seen[key]!r}")
        seen.setdefault(key, ex.label)
    for label, n in counts.items():
        if n < MIN_EXEMPLARS:
            c.error(
                prefix, None, None, f"the exemplar bank has {n} messages labelled {label!r}; it needs {MIN_EXEMPLARS}+"
            )
    return SafetyData(
        window=window,
        negation_reach=reach,
        concepts=MappingProxyType(concepts),
        rules=tuple(rules),
        patterns=tuple(patterns),
        exemplars=tuple(exemplars),
        version=digest.hexdigest()[:12],
    )
