"""Rank FAQ entries for a question: an inverted index plus rapidfuzz similarity.

The index holds every canonical question and alternate phrasing, normalised once
at load. A query is scored against the phrasings that share a word with it:
- coverage: how much of the query (weighted by how rare each word is across
  entries) the phrasing, and the entry as a whole, account for;
- fit: how much of the phrasing the query accounts for;
- rapidfuzz's token ratio between the two normalised strings;
- support: the share an entry gets from a word model of each entry built from all
  its phrasings (naive Bayes), which weighs every phrasing at once and so tells
  apart entries whose single best phrasings look alike.
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
from .normalize import Normalizer, Query


@dataclass(frozen=True)
class Match:
    """A ranked candidate: the entry, its score (0-1) and the phrasing that matched.

    `on_topic` says whether the question itself is about the bot's topic (see
    Matcher._on_topic); the decision asks more of a match when it is not.
    """

    entry_id: str
    score: float
    phrase: str
    on_topic: bool = True


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
        anchored_unknown: float = 0.1,
        unanchored_unknown: float = 3.0,
        beta: float = 1.5,
        common_share: float = 0.2,
        common_probe: int = 8,
        max_postings: int = 512,
        spread: float = 3.0,
        rerank: int = 24,
        weights: tuple[float, float, float] = (0.4, 0.3, 0.3),
        smoothing: float = 100.0,
        support_weight: float = 0.2,
    ) -> None:
        self.entries = tuple(entries)
        self.normalizer = normalizer  # built by step 2 (Reader), with the FAQ's trusted words
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
        self._common_sets = {t: frozenset(postings[t]) for t in self._common}
        self._postings = {
            t: tuple(sorted(ids, key=lambda pid: self.phrases[pid].weight)[:max_postings])
            for t, ids in postings.items()
        }
        self.topic = frozenset(t for w in topic_words for t in self.normalizer.tokens(w))
        self.anchored_unknown = anchored_unknown
        self.unanchored_unknown = unanchored_unknown
        self.beta2 = beta * beta
        self._plain_keys = [p.key for p in self.phrases]
        self._exact: dict[str, int] = {}
        for pid, p in enumerate(self.phrases):
            self._exact.setdefault(p.key, pid)
        self._phrase_weights = [p.weight for p in self.phrases]
        self.rerank = rerank
        self.weights = weights
        self.common_probe = common_probe
        self.support_weight = support_weight
        # A second opinion from a word model of each entry (multinomial naive Bayes
        # over all its phrasings, Dirichlet smoothed): log P(query | entry) relative to
        # the FAQ as a whole. An entry whose phrasings use the query's words more than
        # the others do gains; one whose phrasings are spread over other words loses.
        # Stored sparsely: each word an entry uses adds `gain`; every query word
        # costs the entry `cost` (the smoothing mass it keeps for unseen words).
        uses: dict[str, int] = defaultdict(int)
        for tf in entry_tf:
            for t, k in tf.items():
                uses[t] += k
        total = sum(uses.values()) or 1
        share = {t: k / total for t, k in uses.items()}
        self._gain = tuple({t: math.log1p(k / (smoothing * share[t])) for t, k in tf.items()} for tf in entry_tf)
        self._cost = tuple(math.log1p(sum(tf.values()) / smoothing) for tf in entry_tf)

    def search(
        self,
        query: str | Query,
        *,
        limit: int = 3,
        score_cutoff: float = 0.0,
        processor: Callable[[str], str] | None = None,
        exact: bool = True,
    ) -> list[Match]:
        """Return up to `limit` entries best matching query, best first, one per entry.

        A query that normalises to a vetted phrasing scores 1.0 for that phrasing's
        entry; `exact=False` scores it like any other text, for content checks of how
        distinct the phrasings are.
        """
        if isinstance(query, Query):  # normalised once already (step 2)
            all_tokens = list(query.tokens)
        else:
            if processor is not None:
                query = processor(query)
            all_tokens = self.normalizer.tokens(query)
        tokens = list(dict.fromkeys(self.normalizer.content(all_tokens)))
        if not tokens:
            return self._search_plain(" ".join(all_tokens), limit, score_cutoff)
        idf = self.idf
        unknown = self.unknown_weight
        # A topic word anchors the question: unknown words around it are most likely a
        # parent's story, not a different subject, and count for little.
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
        # The shortest phrasings of the common words join too, so a rare word found in
        # one entry ("pilot license rules") still meets the entries that match the
        # rest of the question ("do i have adhd") and the margin between them is real.
        for t in common:
            for pid in self._postings[t][: self.common_probe]:
                overlap.setdefault(pid, 0.0)
        # Then every candidate gains the common words it has.
        for t in common:
            w = weights[t]
            for pid in self._common_sets[t].intersection(overlap):
                overlap[pid] += w
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
        # Blend in the entry word model: it tells apart entries whose best phrasings
        # look alike ("how does ritalin work" vs "how fast does ritalin work").
        # The word model only knows the FAQ's words, so its vote counts for the share
        # of the question it can read ("how long do antibiotics take to work").
        sw = self.support_weight * sum(weights[t] for t in known) / q_weight
        if sw:
            support = self._support(best, known)
            best = {e: ((1 - sw) * sc + sw * support[e], pid) for e, (sc, pid) in best.items()}
        # A question typed exactly as a vetted phrasing (after normalising) is that entry.
        same = self._exact.get(key) if exact else None
        if same is not None:
            best[phrases[same].entry] = (1.0, same)
        on_topic = self._on_topic(tokens)
        ranked = sorted(best.items(), key=lambda kv: kv[1][0], reverse=True)
        out = []
        for eid, (score, pid) in ranked[:limit]:
            if score < score_cutoff:
                break
            out.append(Match(self.entries[eid].id, round(min(score, 1.0), 4), phrases[pid].text, on_topic))
        return out

    def _on_topic(self, tokens: list[str]) -> bool:
        """Return True if the question is about the bot's topic, not just naming it.

        It must have a topic word, and the FAQ must know more of its other words than
        it does not: "adhd tiktok trends" or "can my dog have adhd" name ADHD but ask
        about something the FAQ never mentions.
        """
        if self.topic.isdisjoint(tokens):
            return False
        rest = [t for t in tokens if t not in self.topic]
        unknown = sum(t not in self.idf for t in rest)
        return unknown == 0 or unknown < len(rest) - unknown

    def _support(self, candidates: Iterable[int], known: list[str]) -> dict[int, float]:
        """Return each candidate entry's share of the word model's belief (they sum to 1)."""
        gains = self._gain
        costs = self._cost
        n = len(known)
        logp = {e: sum(gains[e].get(t, 0.0) for t in known) - n * costs[e] for e in candidates}
        top = max(logp.values(), default=0.0)
        odds = {e: math.exp(lp - top) for e, lp in logp.items()}
        total = sum(odds.values()) or 1.0
        return {e: o / total for e, o in odds.items()}

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
            Match(self.entries[e].id, round(sc, 4), self.phrases[pid].text, on_topic=False)
            for e, (sc, pid) in ranked[:limit]
            if sc >= score_cutoff
        ]

    def extract_one(
        self, query: str, *, score_cutoff: float = 0.0, processor: Callable[[str], str] | None = None
    ) -> Match | None:
        """Return the single best match at or above score_cutoff, or None."""
        hits = self.search(query, limit=1, score_cutoff=score_cutoff, processor=processor)
        return hits[0] if hits else None
