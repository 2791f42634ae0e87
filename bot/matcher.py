"""Rank FAQ entries for a question: an inverted index plus rapidfuzz similarity.

The index holds every canonical question and alternate phrasing, normalised once
at load. A query is scored against the phrasings that share a word with it:
- coverage: how much of the query (weighted by how rare each word is across
  entries) the phrasing, and the entry as a whole, account for;
- fit: how much of the phrasing the query accounts for;
- rapidfuzz's token ratio between the two normalised strings.
Words the FAQ has never seen count against a match, so "symptoms of covid" does not
land on an ADHD entry just because it says "symptoms".
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from .content import Entry
from .normalize import Normalizer


@dataclass(frozen=True)
class Match:
    """A ranked candidate: the entry, its score (0-1) and the phrasing that matched."""

    entry_id: str
    score: float
    phrase: str


@dataclass(frozen=True)
class _Phrase:
    """One indexed phrasing of an entry."""

    entry: int
    text: str
    key: str
    tokens: frozenset[str]
    weight: float


class Matcher:
    """Index entries once; rank them for any query in well under a millisecond."""

    def __init__(
        self,
        entries: Iterable[Entry],
        normalizer: Normalizer,
        *,
        topic_words: Iterable[str] = (),
        unknown_weight: float | None = None,
        anchored_unknown: float = 0.25,
        unanchored_unknown: float = 3.0,
        beta: float = 1.5,
        common_share: float = 0.2,
        max_postings: int = 512,
        spread: float = 3.0,
        rerank: int = 24,
        weights: tuple[float, float, float] = (0.3, 0.4, 0.3),
    ) -> None:
        self.entries = tuple(entries)
        # Words the typo fixer may correct toward: those of the vetted questions and
        # answers, and any used by three or more phrasings. A slip typed into a single
        # alternate ("aderall") must not become a word the bot then never corrects.
        trusted: set[str] = set()
        seen: dict[str, int] = defaultdict(int)
        for e in self.entries:
            trusted.update(normalizer.stems(e.question))
            trusted.update(normalizer.stems(e.answer))
            for text in e.alternates:
                for stem_ in set(normalizer.stems(text)):
                    seen[stem_] += 1
        trusted.update(t for t, k in seen.items() if k >= 3)
        self.normalizer = normalizer.with_vocabulary(trusted)
        n = self.normalizer
        phrases: list[_Phrase] = []
        raw: list[tuple[int, str, list[str], str]] = []
        entry_tf: list[dict[str, int]] = [defaultdict(int) for _ in self.entries]
        entry_n = [0] * len(self.entries)
        for i, e in enumerate(self.entries):
            for text in (e.question, *e.alternates):
                toks = n.content_tokens(text)
                if not toks:
                    continue
                raw.append((i, text, toks, " ".join(n.tokens(text))))
                entry_n[i] += 1
                for t in set(toks):
                    entry_tf[i][t] += 1
        df: dict[str, int] = defaultdict(int)
        for tf in entry_tf:
            for t in tf:
                df[t] += 1
        count = max(len(self.entries), 1)
        self.idf = {t: math.log(1 + count / d) for t, d in df.items()}
        self.unknown_weight = unknown_weight if unknown_weight is not None else math.log(1 + count)
        for i, text, toks, key in raw:
            tokset = frozenset(toks)
            weight = sum(self.idf[t] for t in tokset)
            phrases.append(_Phrase(i, text, key, tokset, weight))
        self.phrases = tuple(phrases)
        postings: dict[str, list[int]] = defaultdict(list)
        for pid, p in enumerate(self.phrases):
            for t in p.tokens:
                postings[t].append(pid)
        # How typical a word is of an entry: used by most of its phrasings, or by one.
        self._entry_credit = tuple(
            {t: min(1.0, spread * k / entry_n[i]) for t, k in tf.items()} for i, tf in enumerate(entry_tf)
        )
        # Very common words ("adhd") do not pull in candidates on their own unless
        # nothing else does. Each list is kept shortest phrasing first and cut at
        # max_postings, so a huge FAQ still scores the phrasings that fit best.
        common_limit = max(8, int(common_share * len(self.phrases)))
        self._common = frozenset(t for t, ids in postings.items() if len(ids) > common_limit)
        self._postings = {
            t: tuple(sorted(ids, key=lambda pid: self.phrases[pid].weight)[:max_postings])
            for t, ids in postings.items()
        }
        self.topic = frozenset(t for w in topic_words for t in self.normalizer.tokens(w))
        self.anchored_unknown = anchored_unknown
        self.unanchored_unknown = unanchored_unknown
        self.beta2 = beta * beta
        self._plain_keys = [p.key for p in self.phrases]
        self._phrase_weights = [p.weight for p in self.phrases]
        self.rerank = rerank
        self.weights = weights

    def search(
        self,
        query: str,
        *,
        limit: int = 3,
        score_cutoff: float = 0.0,
        processor: Callable[[str], str] | None = None,
    ) -> list[Match]:
        """Return up to `limit` entries best matching query, best first, one per entry."""
        if processor is not None:
            query = processor(query)
        all_tokens = self.normalizer.tokens(query)
        tokens = list(dict.fromkeys(self.normalizer.content(all_tokens)))
        if not tokens:
            return self._search_plain(" ".join(all_tokens), limit, score_cutoff)
        idf = self.idf
        unknown = self.unknown_weight
        unknown *= self.anchored_unknown if not self.topic.isdisjoint(tokens) else self.unanchored_unknown
        weights = {t: idf.get(t, unknown) for t in tokens}
        q_weight = sum(weights.values())
        known = [t for t in tokens if t in idf]
        if not known:
            return []
        rare = [t for t in known if t not in self._common] or known
        overlap: dict[int, float] = defaultdict(float)
        for t in rare:
            w = weights[t]
            for pid in self._postings[t]:
                overlap[pid] += w
        common = [t for t in known if t in self._common and t not in rare]
        phrases = self.phrases
        if common:
            for pid in overlap:
                toks = phrases[pid].tokens
                overlap[pid] += sum(weights[t] for t in common if t in toks)
        # First pass: lexical F-score of each candidate phrasing, with the phrasing's
        # coverage weighted beta times as much: F = (1+b2)*ov / (b2*p_weight + q_weight).
        b2 = self.beta2
        pweights = self._phrase_weights
        scored = [((1 + b2) * ov / (b2 * pweights[pid] + q_weight), pid) for pid, ov in overlap.items()]
        top = heapq.nlargest(self.rerank, scored)
        key = " ".join(all_tokens)
        w_f1, w_cov, w_fuzz = self.weights
        best: dict[int, tuple[float, int]] = {}
        entry_cov: dict[int, float] = {}
        for f1, pid in top:
            p = phrases[pid]
            cov = entry_cov.get(p.entry)
            if cov is None:
                credit = self._entry_credit[p.entry]
                cov = entry_cov[p.entry] = sum(weights[t] * credit.get(t, 0.0) for t in known) / q_weight
            sim = fuzz.token_sort_ratio(key, p.key) / 100.0
            score = w_f1 * f1 + w_cov * cov + w_fuzz * sim
            if score > best.get(p.entry, (-1.0, 0))[0]:
                best[p.entry] = (score, pid)
        ranked = sorted(best.items(), key=lambda kv: kv[1][0], reverse=True)
        out = []
        for eid, (score, pid) in ranked[:limit]:
            if score < score_cutoff:
                break
            out.append(Match(self.entries[eid].id, round(min(score, 1.0), 4), phrases[pid].text))
        return out

    def _search_plain(self, key: str, limit: int, score_cutoff: float) -> list[Match]:
        """Rank by whole-string similarity when a query has no topic words ("who are you")."""
        if not key:
            return []
        hits = process.extract(key, self._plain_keys, scorer=fuzz.ratio, limit=limit * 4, score_cutoff=80)
        best: dict[int, tuple[float, int]] = {}
        for _, sim, pid in hits:
            entry = self.phrases[pid].entry
            if entry not in best:
                best[entry] = (sim / 100.0, pid)
        ranked = sorted(best.items(), key=lambda kv: kv[1][0], reverse=True)
        return [
            Match(self.entries[e].id, round(sc, 4), self.phrases[pid].text)
            for e, (sc, pid) in ranked[:limit]
            if sc >= score_cutoff
        ]

    def extract_one(
        self, query: str, *, score_cutoff: float = 0.0, processor: Callable[[str], str] | None = None
    ) -> Match | None:
        """Return the single best match at or above score_cutoff, or None."""
        hits = self.search(query, limit=1, score_cutoff=score_cutoff, processor=processor)
        return hits[0] if hits else None
