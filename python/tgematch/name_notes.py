"""Why each company name in a text did or did not match (what ``tgematch explain`` shows).

The modern profile matches ordinary-word names only in their written case or through
their cashtags, and credits a shared cashtag only with a name (docs/matching.md §8). A
reader who sees "fabric" in a text and no Fabric in the result deserves the reason. The
notes come from a second scan with every name matched in any case: what it finds and the
real scan does not was refused, for the reason the compiler recorded for that phrase.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ._text import normalize_phrase
from .matcher import Matcher
from .syntax import cashtag
from .watchlist import Watchlist

__all__ = ["NameNote", "name_notes"]


@dataclass(frozen=True, slots=True)
class NameNote:
    """One occurrence of a company's name, alias or cashtag, and what became of it."""

    company: str
    start: int
    end: int
    matched: bool
    reason: str


def name_notes(matcher: Matcher, content: str, title: str | None = None) -> list[NameNote]:
    """Notes on every occurrence (any case) of a company phrase in the scanned text,
    sorted by position; empty for a seed-profile watchlist (it matches every case)."""
    wl = matcher.watchlist
    if wl.profile != "modern" or not wl.companies:
        return []
    text = content if title is None else f"{title}\n{content}"
    analysis = matcher.analyze(content, title)
    real = {(o.id, o.start, o.end) for o in matcher.find(text) if o.kind == "company"}
    shadow_wl = Watchlist(
        tuple(replace(c, match="any_case", exclusions=()) for c in wl.companies),
        (),
        (),
        (),
        wl.scoring,
        "modern",
    )
    shadow = Matcher(shadow_wl, backend=matcher.backend)
    reasons: dict[tuple[str, str], str] = {}
    for d in matcher.compiled.decisions:
        i = int(d.where[len("companies[") : d.where.index("]")])
        phrase = cashtag(d.phrase) if ".tokens[" in d.where else normalize_phrase(d.phrase)
        reasons.setdefault((wl.companies[i].name, phrase), d.reason)
    vetoed = set(analysis.vetoed)
    credited = {c.name for c in analysis.companies}
    notes: list[NameNote] = []
    for o in shadow.find(text):
        if o.kind == "shared_cashtag":
            k = shadow.compiled.shared_tags.index(o.id)
            claimants = [wl.companies[i].name for i in shadow.compiled.shared_tag_companies[k]]
            who = ", ".join(claimants[:4]) + (" …" if len(claimants) > 4 else "")
            if o.id in analysis.ambiguous:
                why = f"{o.id} is claimed by {who}; none of them is named: ambiguous"
                notes.append(NameNote(o.id, o.start, o.end, False, why))
            else:
                names = [n for n in claimants if n in credited]
                why = f"{o.id} is claimed by {who}; credited to the named {', '.join(names)}"
                notes.append(NameNote(o.id, o.start, o.end, bool(names), why))
            continue
        if o.kind != "company":
            continue
        phrase = normalize_phrase(text[o.start : o.end])
        why = reasons.get((o.id, phrase), "")
        if o.id in vetoed:
            notes.append(
                NameNote(o.id, o.start, o.end, False, "vetoed by its own exclusion phrase")
            )
        elif (o.id, o.start, o.end) in real:
            notes.append(NameNote(o.id, o.start, o.end, True, why or "matched"))
        else:
            written = text[o.start : o.end]
            notes.append(
                NameNote(o.id, o.start, o.end, False, f"{written!r} does not match: {why}")
            )
    return sorted(notes, key=lambda n: (n.start, n.end, n.company))
