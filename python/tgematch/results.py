"""Immutable result types, identical whichever engine produced them.

Both engines return the same raw tuple; :func:`build_analysis` turns it into an
:class:`Analysis` in one place, so a new field is added here and in the engines only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .patterns import KIND_NAMES

if TYPE_CHECKING:
    from .engine_python import RawAnalysis
    from .patterns import CompiledWatchlist
    from .watchlist import Watchlist

__all__ = ["Analysis", "CompanyHit", "ExclusionHit", "KeywordHit", "Occurrence"]

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One raw occurrence: ``text[start:end]`` matched ``id`` of ``kind``.

    ``kind`` is ``"company"`` (name, alias or cashtag), ``"company_exclusion"`` (a phrase
    that vetoes the company), ``"keyword"``, ``"exclusion"`` or ``"context"``; ``id`` is
    the company name, the keyword pattern, the exclusion label or the context term.
    """

    kind: str
    id: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class CompanyHit:
    """A matched company: its score contribution, occurrence starts and spans."""

    name: str
    priority: str
    score: int
    positions: tuple[int, ...]
    spans: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class KeywordHit:
    """A matched keyword rule: its weight (counted once), occurrence starts and spans."""

    pattern: str
    weight: int
    positions: tuple[int, ...]
    spans: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class ExclusionHit:
    """A matched exclusion rule and the penalty it applied (halved in crypto context)."""

    label: str
    pattern: str
    penalty: int
    positions: tuple[int, ...]
    spans: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class Analysis:
    """The complete analysis of one document.

    Offsets index the scanned text: ``f"{title}\\n{content}"``, or the content alone when
    no title was given. ``confidence`` is ``clamp(0, 100, company_score + keyword_score +
    proximity_boost - penalty)``; ``is_relevant`` is ``confidence >= 50`` by default.
    ``vetoed`` names companies that occurred but were suppressed by one of their own
    exclusion phrases.
    """

    companies: tuple[CompanyHit, ...]
    keywords: tuple[KeywordHit, ...]
    exclusions: tuple[ExclusionHit, ...]
    vetoed: tuple[str, ...]
    crypto_context: bool
    company_score: int
    keyword_score: int
    proximity_boost: int
    penalty: int
    confidence: int
    is_relevant: bool


def _positions(spans: tuple[Span, ...]) -> tuple[int, ...]:
    if len(spans) == 1:
        return (spans[0][0],)
    out: list[int] = []
    for s, _ in spans:
        if not out or out[-1] != s:
            out.append(s)
    return tuple(out)


def build_analysis(raw: RawAnalysis, watchlist: Watchlist, compiled: CompiledWatchlist) -> Analysis:
    """Turn an engine's raw tuple (tuples only, spans sorted and distinct) into an Analysis."""
    companies, vetoed, keywords, exclusions, context, cs, ks, boost, penalty, conf = raw
    wc, wk, wx = watchlist.companies, watchlist.keywords, watchlist.exclusions
    scores = compiled.company_scores
    # positional construction: noticeably cheaper than keywords on the per-document path
    return Analysis(
        tuple(
            CompanyHit(wc[i].name, wc[i].priority, scores[i], _positions(sp), sp)
            for i, sp in companies
        )
        if companies
        else (),
        tuple(KeywordHit(wk[i].pattern, wk[i].weight, _positions(sp), sp) for i, sp in keywords)
        if keywords
        else (),
        tuple(
            ExclusionHit(wx[i].label, wx[i].pattern, applied, _positions(sp), sp)
            for i, sp, applied in exclusions
        )
        if exclusions
        else (),
        tuple(wc[i].name for i in vetoed) if vetoed else (),
        bool(context),
        cs,
        ks,
        boost,
        penalty,
        conf,
        conf >= compiled.relevance_threshold,
    )


def build_occurrences(
    raw: list[tuple[int, int, int, int]], compiled: CompiledWatchlist
) -> list[Occurrence]:
    """Turn an engine's raw ``find`` output into :class:`Occurrence` objects."""
    return [Occurrence(KIND_NAMES[k], compiled.kind_id(k, r), s, e) for k, r, s, e in raw]
