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

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

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
        beta: float = 1.0,
        common_share: float = 0.2,
        rerank: int = 24,
        weights: tuple[float, float, float] = (0.45, 0.35, 0.20),
    ) -> None:
        self.entries = tuple(entries)
        base = normalizer
        stems: set[str] = set()
        for e in self.entries:
            for text in (e.question, *e.alternates):
                stems.update(base.stems(text))
        self.normalizer = base.with_vocabulary(stems)
        n = self.normalizer
        phrases: list[_Phrase] = []
        raw: list[tuple[int, str, list[str], str]] = []
        entry_vocab: list[set[str]] = [set() for _ in self.entries]
        for i, e in enumerate(self.entries):
            for text in (e.question, *e.alternates):
                toks = n.content_tokens(text)
                if not toks:
                    continue
                raw.append((i, text, toks, " ".join(n.tokens(text))))
                entry_vocab[i].update(toks)
        df: dict[str, int] = defaultdict(int)
        for vocab in entry_vocab:
            for t in vocab:
                df[t] += 1
        count = max(len(self.entries), 1)
        self.idf = {t: math.log(1 + count / d) for t, d in df.items()}
        self.unknown_weight = unknown_weight if unknown_weight is not None else math.log(1 + count)
        for i, text, toks, key in raw:
            tokset = frozenset(toks)
            weight = sum(self.idf[t] for t in tokset)
            phrases.append(_Phrase(i, text, key, tokset, weight))
        self.phrases = tuple(phrases)
        self.entry_vocab = tuple(frozenset(v) for v in entry_vocab)
        postings: dict[str, list[int]] = defaultdict(list)
        entry_postings: dict[str, list[int]] = defaultdict(list)
        for pid, p in enumerate(self.phrases):
            for t in p.tokens:
                postings[t].append(pid)
        for i, vocab in enumerate(self.entry_vocab):
            for t in vocab:
                entry_postings[t].append(i)
        # Very common words ("adhd") do not pull in candidates on their own; the
        # shortest phrasings that hold them stand in when nothing else matches.
        limit = max(8, int(common_share * len(self.phrases)))
        self._common = frozenset(t for t, ids in postings.items() if len(ids) > limit)
        self._postings = {
            t: tuple(sorted(ids, key=lambda pid: self.phrases[pid].weight)[: limit if t in self._common else None])
            for t, ids in postings.items()
        }
        self._entry_postings = {t: tuple(ids) for t, ids in entry_postings.items()}
        self.topic = frozenset(t for w in topic_words for t in self.normalizer.tokens(w))
        self.anchored_unknown = anchored_unknown
        self.beta2 = beta * beta
        self.rerank = rerank
        self.weights = weights

    def query_tokens(self, query: str) -> list[str]:
        """Return the distinct content tokens of a query, in order."""
        return list(dict.fromkeys(self.normalizer.content_tokens(query)))

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
        stop = self.normalizer.stopwords
        tokens = list(dict.fromkeys(t for t in all_tokens if t not in stop and not t.isdigit()))
        if not tokens:
            return []
        idf = self.idf
        unknown = self.unknown_weight
        if not self.topic.isdisjoint(tokens):
            unknown *= self.anchored_unknown
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
        entry_cov: dict[int, float] = defaultdict(float)
        for t in known:
            w = weights[t]
            for eid in self._entry_postings[t]:
                entry_cov[eid] += w
        # First pass: lexical F-score of each candidate phrasing.
        scored = []
        for pid, ov in overlap.items():
            p = phrases[pid]
            qcov = ov / q_weight
            pcov = ov / p.weight if p.weight else 0.0
            # F-score with the phrasing's coverage weighted beta times as much.
            b2 = self.beta2
            f1 = (1 + b2) * qcov * pcov / (b2 * qcov + pcov) if qcov + pcov else 0.0
            scored.append((f1, pid))
        scored.sort(reverse=True)
        key = " ".join(all_tokens)
        w_f1, w_cov, w_fuzz = self.weights
        best: dict[int, tuple[float, int]] = {}
        for f1, pid in scored[: self.rerank]:
            p = phrases[pid]
            sim = fuzz.token_sort_ratio(key, p.key) / 100.0
            score = w_f1 * f1 + w_cov * (entry_cov[p.entry] / q_weight) + w_fuzz * sim
            if score > best.get(p.entry, (-1.0, 0))[0]:
                best[p.entry] = (score, pid)
        ranked = sorted(best.items(), key=lambda kv: kv[1][0], reverse=True)
        out = []
        for eid, (score, pid) in ranked[:limit]:
            if score < score_cutoff:
                break
            out.append(Match(self.entries[eid].id, round(min(score, 1.0), 4), phrases[pid].text))
        return out

    def extract_one(
        self, query: str, *, score_cutoff: float = 0.0, processor: Callable[[str], str] | None = None
    ) -> Match | None:
        """Return the single best match at or above score_cutoff, or None."""
        hits = self.search(query, limit=1, score_cutoff=score_cutoff, processor=processor)
        return hits[0] if hits else None
