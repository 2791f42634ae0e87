"""`python -m bot review`: a printable sign-off checklist (HTML) of the entries a clinician must review.

It lists every entry that is a draft, due, withheld or due within REVIEW_WARN_DAYS (or
every entry with --all), each with its question, summary, answer, evidence label,
sources (with links) and dates, and a place to sign. It only reads the content: the
clinician's decision goes back into faq/ by hand (status: approved, reviewed_by,
reviewed), and lint checks it.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path

from .content import REVIEW_WARN_DAYS, Entry, KnowledgeBase

_STYLE = """
body { font: 11pt/1.45 system-ui, sans-serif; color: #111; margin: 2em auto; max-width: 50em; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin: 0 0 .3em; }
.entry { border: 1px solid #999; border-radius: 6px; padding: 1em 1.2em; margin: 1.2em 0; break-inside: avoid; }
.meta { color: #444; font-size: .95em; }
.summary { font-weight: 700; }
.sign { display: grid; grid-template-columns: max-content 1fr; gap: .6em 1em; margin-top: 1em; }
.line { border-bottom: 1px solid #333; min-height: 1.6em; }
.box { display: inline-block; width: 1em; height: 1em; border: 1px solid #333; vertical-align: middle; }
@media print { body { margin: 0; } a { color: #111; } }
"""


def entries_to_review(kb: KnowledgeBase, *, every: bool = False) -> list[tuple[Entry, dt.date, str]]:
    """Return (entry, due date, why) for each entry to review, soonest due first."""
    soon = kb.checked_on + dt.timedelta(days=REVIEW_WARN_DAYS)
    out = []
    for entry, due in kb.reviews():
        reasons = []
        if entry.withheld:
            reasons.append("withheld until reviewed")
        elif due < kb.checked_on:
            reasons.append("review past due")
        elif due <= soon:
            reasons.append(f"review due within {REVIEW_WARN_DAYS} days")
        if entry.status == "draft":
            reasons.append("draft, not yet approved by a clinician")
        if reasons or every:
            out.append((entry, due, "; ".join(reasons) or "for a routine check"))
    return out


def review_html(kb: KnowledgeBase, *, every: bool = False) -> str:
    """Return the checklist as one self-contained HTML page (no scripts, no outside files)."""
    rows = entries_to_review(kb, every=every)
    labels = kb.messages.evidence_labels
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>Clinical sign-off checklist</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>Clinical sign-off checklist: ADHD questions bot</h1>",
        f'<p class="meta">Content version <code>{escape(kb.version)}</code>, checked on '
        f"{kb.checked_on.isoformat()}. {len(rows)} entries to review.</p>",
        "<p>For each entry, check every sentence against its sources. To approve it, a clinician "
        "writes, in the entry's file in <code>faq/</code>: <code>status: approved</code>, "
        "<code>reviewed_by: Name, credential</code> and <code>reviewed: YYYY-MM-DD</code>. Then run "
        "<code>python -m bot lint</code>.</p>",
    ]
    for entry, due, why in rows:
        sources = []
        for key in entry.citations:
            src = kb.sources.get(key)
            if src is None:
                continue
            year = f", {src.year}" if src.year else ""
            sources.append(
                f'<li>{escape(src.title)} ({escape(src.publisher)}{year}). <a href="{escape(src.url)}">'
                f"{escape(src.url)}</a></li>"
            )
        evidence = labels.get(entry.evidence, entry.evidence)
        parts += [
            '<section class="entry">',
            f"<h2>{escape(entry.question)}</h2>",
            f'<p class="meta">Id <code>{escape(entry.id)}</code> in <code>faq/{escape(entry.file)}</code>. '
            f"Status: {escape(entry.status)}. Last reviewed {entry.reviewed.isoformat()} by "
            f"{escape(entry.reviewer)}; due {due.isoformat()}. Why listed: {escape(why)}.</p>",
            f'<p class="summary">{escape(entry.summary)}</p>',
            f"<p>{escape(entry.answer)}</p>",
            f"<ul>{''.join(f'<li>{escape(point)}</li>' for point in entry.points)}</ul>" if entry.points else "",
            f'<p class="meta">Evidence label: {escape(evidence)}</p>',
            f"<p><strong>Sources</strong></p><ul>{''.join(sources)}</ul>",
            '<div class="sign">',
            '<span>Decision</span><span><span class="box"></span>Approved '
            '<span class="box"></span>Needs changes</span>',
            '<span>Changes needed</span><span class="line"></span>',
            '<span>Clinician (name, credential)</span><span class="line"></span>',
            '<span>Date</span><span class="line"></span>',
            '<span>Signature</span><span class="line"></span>',
            "</div></section>",
        ]
    parts.append("</body></html>")
    return "\n".join(parts)


def write_review(kb: KnowledgeBase, out: Path, *, every: bool = False) -> int:
    """Write the checklist to out; return how many entries it lists."""
    out.write_text(review_html(kb, every=every), encoding="utf-8")
    return len(entries_to_review(kb, every=every))
