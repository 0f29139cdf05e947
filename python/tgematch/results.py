"""Immutable result types, identical whichever engine produced them.

Both engines return the same raw tuple; :func:`build_analysis` turns it into an
:class:`Analysis` in one place, so a new field is added here and in the engines only.

The types are typed named tuples: immutable, cheap to build (a frozen dataclass costs
about four times as much per instance, which dominated the analysis of a tweet), and
equal exactly when they are of the same type and describe the same result.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from .compiled import KIND_NAMES

if TYPE_CHECKING:
    from .compiled import CompiledWatchlist
    from .engine_python import RawAnalysis
    from .watchlist import Watchlist

__all__ = ["Analysis", "CompanyHit", "ExclusionHit", "KeywordHit", "Occurrence", "dumps_many"]

Span = tuple[int, int]


def _eq(self: tuple[Any, ...], other: object) -> bool:
    return type(self) is type(other) and tuple.__eq__(self, other)


def _ne(self: tuple[Any, ...], other: object) -> bool:
    return not _eq(self, other)


def _hash(self: tuple[Any, ...]) -> int:
    return hash((type(self).__name__, *self))


class _OccurrenceFields(NamedTuple):
    kind: str
    id: str
    start: int
    end: int


class Occurrence(_OccurrenceFields):
    """One raw occurrence: ``text[start:end]`` matched ``id`` of ``kind``.

    ``to_dict()`` gives ``{"kind", "id", "start", "end"}``.

    ``kind`` is ``"company"`` (name, alias or cashtag), ``"company_exclusion"`` (a phrase
    that vetoes the company), ``"keyword"``, ``"exclusion"`` or ``"context"``; ``id`` is
    the company name, the keyword pattern, the exclusion label or the context term.
    """

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """The occurrence as a dict with its field names (JSON-serialisable)."""
        return {"kind": self[0], "id": self[1], "start": self[2], "end": self[3]}

    __eq__ = _eq
    __ne__ = _ne
    __hash__ = _hash


class _CompanyHitFields(NamedTuple):
    name: str
    priority: str
    score: int
    positions: tuple[int, ...]
    spans: tuple[Span, ...]


class CompanyHit(_CompanyHitFields):
    """A matched company: its score contribution, occurrence starts and spans."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """The hit as a dict with its field names (JSON-serialisable)."""
        return {
            "name": self[0],
            "priority": self[1],
            "score": self[2],
            "positions": list(self[3]),
            "spans": list(map(list, self[4])),
        }

    __eq__ = _eq
    __ne__ = _ne
    __hash__ = _hash


class _KeywordHitFields(NamedTuple):
    pattern: str
    weight: int
    positions: tuple[int, ...]
    spans: tuple[Span, ...]


class KeywordHit(_KeywordHitFields):
    """A matched keyword rule: its weight (counted once), occurrence starts and spans."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """The hit as a dict with its field names (JSON-serialisable)."""
        return {
            "pattern": self[0],
            "weight": self[1],
            "positions": list(self[2]),
            "spans": list(map(list, self[3])),
        }

    __eq__ = _eq
    __ne__ = _ne
    __hash__ = _hash


class _ExclusionHitFields(NamedTuple):
    label: str
    pattern: str
    penalty: int
    positions: tuple[int, ...]
    spans: tuple[Span, ...]


class ExclusionHit(_ExclusionHitFields):
    """A matched exclusion rule and the penalty it applied (halved in crypto context)."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """The hit as a dict with its field names (JSON-serialisable)."""
        return {
            "label": self[0],
            "pattern": self[1],
            "penalty": self[2],
            "positions": list(self[3]),
            "spans": list(map(list, self[4])),
        }

    __eq__ = _eq
    __ne__ = _ne
    __hash__ = _hash


class _AnalysisFields(NamedTuple):
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
    launch_score: int
    is_launch: bool
    ambiguous: tuple[str, ...]


class Analysis(_AnalysisFields):
    """The complete analysis of one document.

    Offsets index the scanned text: ``f"{title}\\n{content}"``, or the content alone when
    no title was given. ``confidence`` is ``clamp(0, 100, company_score + keyword_score +
    proximity_boost - penalty)``. ``launch_score`` is ``clamp(0, 100, keyword_score -
    penalty)``, the launch evidence whatever the company, and ``is_launch`` is
    ``launch_score >= launch_threshold`` (50). ``is_relevant``: in the modern profile, a
    watched company near launch news (``is_launch`` and a company occurrence within
    ``proximity_distance`` of a counted keyword occurrence); in the seed profile
    ``confidence >= 50``. ``vetoed`` names companies that occurred but were
    suppressed by one of their own exclusion phrases; ``ambiguous`` the cashtags claimed
    by several companies of which none was named (docs/matching.md §8.3).
    """

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """The analysis as nested dicts and lists with field names (JSON-serialisable).

        Written out field by field: the generic walk over named tuples cost more than
        the native analysis itself on the articles. (``json.dumps(analysis)`` would
        write positional arrays: a named tuple is a tuple.)
        """
        return {
            "companies": [c.to_dict() for c in self[0]],
            "keywords": [k.to_dict() for k in self[1]],
            "exclusions": [x.to_dict() for x in self[2]],
            "vetoed": list(self[3]),
            "crypto_context": self[4],
            "company_score": self[5],
            "keyword_score": self[6],
            "proximity_boost": self[7],
            "penalty": self[8],
            "confidence": self[9],
            "is_relevant": self[10],
            "launch_score": self[11],
            "is_launch": self[12],
            "ambiguous": list(self[13]),
        }

    __eq__ = _eq
    __ne__ = _ne
    __hash__ = _hash


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
    companies, vetoed, keywords, exclusions, context, cs, ks, boost, penalty, conf, amb, near = raw
    wc, wk, wx = watchlist.companies, watchlist.keywords, watchlist.exclusions
    scores = compiled.company_scores
    launch = max(0, min(100, ks - penalty))
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
        (near and launch >= compiled.launch_threshold)
        if compiled.relevance_mode
        else conf >= compiled.relevance_threshold,
        launch,
        launch >= compiled.launch_threshold,
        tuple(compiled.shared_tags[k] for k in amb) if amb else (),
    )


def results_spec(
    watchlist: Watchlist, compiled: CompiledWatchlist, empty: Analysis
) -> dict[str, Any]:
    """What the native engine needs to build the same :class:`Analysis` objects as
    :func:`build_analysis` itself (``Engine(plain, results=...)``): the result classes,
    the values each hit carries, and the shared empty result."""
    return {
        "analysis": Analysis,
        "company_hit": CompanyHit,
        "keyword_hit": KeywordHit,
        "exclusion_hit": ExclusionHit,
        "companies": [
            (c.name, c.priority, compiled.company_scores[i])
            for i, c in enumerate(watchlist.companies)
        ],
        "keywords": [(k.pattern, k.weight) for k in watchlist.keywords],
        "exclusions": [(x.label, x.pattern) for x in watchlist.exclusions],
        "relevance_threshold": compiled.relevance_threshold,
        "relevance_mode": compiled.relevance_mode,
        "launch_threshold": compiled.launch_threshold,
        "shared_tags": list(compiled.shared_tags),
        "empty": empty,
    }


def build_occurrences(
    raw: list[tuple[int, int, int, int]], compiled: CompiledWatchlist
) -> list[Occurrence]:
    """Turn an engine's raw ``find`` output into :class:`Occurrence` objects."""
    return [Occurrence(KIND_NAMES[k], compiled.kind_id(k, r), s, e) for k, r, s, e in raw]


def dumps_many(results: Iterable[Analysis | Occurrence]) -> str:
    """Results as JSON Lines (one object with field names per result, ``\n``-terminated).

    Uses orjson when it is installed (about twice as fast; optional), else :mod:`json`;
    both give the same objects.
    """
    dicts = [r.to_dict() for r in results]
    try:
        import orjson
    except ImportError:
        import json

        return "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in dicts)
    return b"".join(orjson.dumps(d) + b"\n" for d in dicts).decode("utf-8")
