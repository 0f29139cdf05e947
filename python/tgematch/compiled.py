"""The compiled watchlist: the plain data both engines consume (``docs/matching.md`` §5).

:func:`compile_watchlist` is the one compiler: it turns a
:class:`~tgematch.watchlist.Watchlist` into a :class:`CompiledWatchlist` of literal
strings, units, targets, weights and switches, which the pure-Python engine reads as it
is and the Rust engine receives as :meth:`CompiledWatchlist.to_plain` (mirrored field
for field by ``rust/core/compiled.rs``), so the two cannot disagree on what a watchlist
means.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from ._text import normalize_phrase
from .company_forms import PhraseDecision, company_forms
from .syntax import ParsedPattern, parse_pattern, phrase_pattern

if TYPE_CHECKING:
    from .watchlist import Watchlist

__all__ = [
    "CONTRACTION_END",
    "END_CHECK",
    "EXACT_CASE",
    "KIND_COMPANY",
    "KIND_CONTEXT",
    "KIND_EXCLUSION",
    "KIND_KEYWORD",
    "KIND_NAMES",
    "KIND_SHARED",
    "KIND_VETO",
    "START_CHECK",
    "CompiledWatchlist",
    "PlainWatchlist",
    "compile_watchlist",
]

KIND_COMPANY, KIND_VETO, KIND_KEYWORD, KIND_EXCLUSION, KIND_CONTEXT, KIND_SHARED = range(6)
KIND_NAMES = ("company", "company_exclusion", "keyword", "exclusion", "context", "shared_cashtag")

START_CHECK = 1
END_CHECK = 2
EXACT_CASE = 4
CONTRACTION_END = 8


class PlainWatchlist(TypedDict):
    """What :meth:`CompiledWatchlist.to_plain` gives the native engine (docs §5): lists
    of scalars and tuples, keyed exactly as ``rust/core/compiled.rs`` reads them."""

    literals: list[str]
    units: list[tuple[int, int, int, int, int, int]]
    cased_literals: list[str]
    nfb_sets: list[tuple[str, ...]]
    targets: list[tuple[int, int, int, int]]
    company_names: list[str]
    company_scores: list[int]
    company_target: list[int]
    veto_target: list[int]
    keyword_patterns: list[str]
    keyword_weights: list[int]
    keyword_target: list[int]
    seed_keyword_order: list[int]
    exclusion_labels: list[str]
    exclusion_penalties: list[int]
    exclusion_target: list[int]
    context_terms: list[str]
    context_target: list[int]
    proximity_distance: int
    proximity_boost: int
    relevance_threshold: int
    halve_penalty_with_context: bool
    shared_tags: list[str]
    shared_tag_companies: list[tuple[int, ...]]
    shared_tag_target: list[int]
    span_once: bool
    relevance_mode: int
    launch_threshold: int


@dataclass(frozen=True)
class CompiledWatchlist:
    """A watchlist compiled to plain data (``docs/matching.md`` §5); picklable."""

    literals: tuple[str, ...]
    units: tuple[tuple[int, int, int, int, int, int], ...]
    cased_literals: tuple[str, ...]
    nfb_sets: tuple[tuple[str, ...], ...]
    targets: tuple[tuple[int, int, int, int], ...]
    company_names: tuple[str, ...]
    company_scores: tuple[int, ...]
    company_target: tuple[int, ...]
    veto_target: tuple[int, ...]
    keyword_patterns: tuple[str, ...]
    keyword_weights: tuple[int, ...]
    keyword_target: tuple[int, ...]
    seed_keyword_order: tuple[int, ...]
    exclusion_labels: tuple[str, ...]
    exclusion_penalties: tuple[int, ...]
    exclusion_target: tuple[int, ...]
    context_terms: tuple[str, ...]
    context_target: tuple[int, ...]
    proximity_distance: int
    proximity_boost: int
    relevance_threshold: int
    halve_penalty_with_context: bool
    shared_tags: tuple[str, ...] = ()
    shared_tag_companies: tuple[tuple[int, ...], ...] = ()
    shared_tag_target: tuple[int, ...] = ()
    span_once: bool = False
    relevance_mode: int = 0
    launch_threshold: int = 50
    diagnostics: tuple[str, ...] = ()
    """Every phrase the watchlist declares that can never match, with its entry and why."""
    decisions: tuple[PhraseDecision, ...] = ()
    """How each company name, alias and ticker matches, and why (docs §8.1)."""

    def to_plain(self) -> PlainWatchlist:
        """The dict of lists and scalars that the Rust engine's constructor takes."""
        plain = {
            name: (list(value) if isinstance(value, tuple) else value)
            for name, value in self.__dict__.items()
            if name in PlainWatchlist.__annotations__
        }
        return plain  # type: ignore[return-value]  # the keys are PlainWatchlist's

    def target_id(self, target: int) -> str:
        """The user-facing id of a target: company name, keyword pattern, label or term."""
        kind, ref, _, _ = self.targets[target]
        return self.kind_id(kind, ref)

    def kind_id(self, kind: int, ref: int) -> str:
        """The user-facing id of target ``(kind, ref)``."""
        if kind in (KIND_COMPANY, KIND_VETO):
            return self.company_names[ref]
        if kind == KIND_KEYWORD:
            return self.keyword_patterns[ref]
        if kind == KIND_EXCLUSION:
            return self.exclusion_labels[ref]
        if kind == KIND_SHARED:
            return self.shared_tags[ref]
        return self.context_terms[ref]


def compile_watchlist(watchlist: Watchlist) -> CompiledWatchlist:  # noqa: C901 - one pass over the watchlist in the order of docs §5; the parts are the helpers defined inside
    """Compile a watchlist into the plain data both engines consume."""
    scoring = watchlist.scoring
    modern = watchlist.profile == "modern"
    # Modern: "haven't" does not end the word "haven" (docs §8.2).
    end_flags = END_CHECK | CONTRACTION_END if modern else END_CHECK
    literals: list[str] = []
    lit_ids: dict[str, int] = {}
    cased: list[str] = []
    cased_ids: dict[str, int] = {}
    units: list[tuple[int, int, int, int, int, int]] = []
    seen_units: set[tuple[int, int, int, int, int, int]] = set()
    nfb_sets: list[tuple[str, ...]] = []
    nfb_ids: dict[tuple[str, ...], int] = {}
    targets: list[tuple[int, int, int, int]] = []

    def unit(lit: str, t: int, pi: int, flags: int, nfb: int, written: str | None) -> None:
        lid = lit_ids.setdefault(lit, len(literals))
        if lid == len(literals):
            literals.append(lit)
        cid = -1
        if written is not None:
            flags |= EXACT_CASE
            cid = cased_ids.setdefault(written, len(cased))
            if cid == len(cased):
                cased.append(written)
        u = (lid, t, pi, flags, nfb, cid)
        if u not in seen_units:
            seen_units.add(u)
            units.append(u)

    def add(kind: int, ref: int, parsed: ParsedPattern) -> int:
        t = len(targets)
        targets.append((kind, ref, len(parsed.parts), scoring.max_gap))
        nfb = -1
        if parsed.not_followed_by:
            nfb = nfb_ids.setdefault(parsed.not_followed_by, len(nfb_sets))
            if nfb == len(nfb_sets):
                nfb_sets.append(parsed.not_followed_by)
        last = len(parsed.parts) - 1
        for pi, part in enumerate(parsed.parts):
            flags = (START_CHECK if part.check_start else 0) | (end_flags if part.check_end else 0)
            for lit in part.literals:
                unit(lit, t, pi, flags, nfb if pi == last else -1, None)
        return t

    def add_phrases(kind: int, ref: int, folded: list[str], written: list[str]) -> int:
        """A one-part target of whole-word phrases; ``written`` ones match in exact case."""
        t = len(targets)
        targets.append((kind, ref, 1, scoring.max_gap))
        flags = START_CHECK | end_flags
        for lit in sorted(set(folded)):
            unit(lit, t, 0, flags, -1, None)
        for w in sorted(set(written)):
            unit(normalize_phrase(w), t, 0, flags, -1, w)
        return t

    forms = [company_forms(c, i, modern) for i, c in enumerate(watchlist.companies)]
    # A cashtag claimed by several companies is one target of its own (docs §8.3).
    claimants: dict[str, list[int]] = {}
    copies: set[str] = set()
    if modern:
        for i, f in enumerate(forms):
            for tag in dict.fromkeys(f.tickers):
                claimants.setdefault(tag, []).append(i)
                if f.copy:
                    copies.add(tag)
    # A copy's cashtag is the original's too, even when the original is not watched.
    shared = {tag: ids for tag, ids in claimants.items() if len(ids) > 1 or tag in copies}
    company_target: list[int] = []
    veto_target: list[int] = []
    company_scores: list[int] = []
    diagnostics: list[str] = []
    decisions: list[PhraseDecision] = []
    for i, (c, f) in enumerate(zip(watchlist.companies, forms, strict=True)):
        own = [*f.any_case, *(t for t in f.tickers if t not in shared)]
        company_target.append(add_phrases(KIND_COMPANY, i, own, list(f.exact_case)))
        veto_target.append(add(KIND_VETO, i, phrase_pattern(*c.exclusions)) if c.exclusions else -1)
        bonus = scoring.high_priority_bonus if c.priority == "HIGH" else 0
        company_scores.append(scoring.company_score + bonus)
        decisions.extend(f.decisions)
        for d in f.decisions:
            if d.mode in ("never", "cashtag_only"):
                diagnostics.append(f"{d.where} {d.phrase!r}: never matches as a word ({d.reason})")
        if modern and not (f.any_case or f.exact_case or f.tickers):
            diagnostics.append(f"companies[{i}] {c.name!r}: nothing of it can ever match")
    shared_tags = tuple(sorted(shared))
    shared_tag_target = tuple(
        add_phrases(KIND_SHARED, k, [tag], []) for k, tag in enumerate(shared_tags)
    )

    def rule(pattern: str, regex: bool) -> ParsedPattern:
        return parse_pattern(pattern) if regex else phrase_pattern(pattern)

    keyword_target = [
        add(KIND_KEYWORD, i, rule(k.pattern, k.regex)) for i, k in enumerate(watchlist.keywords)
    ]
    exclusion_target = [
        add(KIND_EXCLUSION, i, rule(x.pattern, x.regex)) for i, x in enumerate(watchlist.exclusions)
    ]
    context_target = [
        add(KIND_CONTEXT, i, phrase_pattern(t)) for i, t in enumerate(watchlist.context_terms)
    ]
    weights = tuple(k.weight for k in watchlist.keywords)
    return CompiledWatchlist(
        literals=tuple(literals),
        units=tuple(units),
        cased_literals=tuple(cased),
        nfb_sets=tuple(nfb_sets),
        targets=tuple(targets),
        company_names=tuple(c.name for c in watchlist.companies),
        company_scores=tuple(company_scores),
        company_target=tuple(company_target),
        veto_target=tuple(veto_target),
        keyword_patterns=tuple(k.pattern for k in watchlist.keywords),
        keyword_weights=weights,
        keyword_target=tuple(keyword_target),
        seed_keyword_order=tuple(sorted(range(len(weights)), key=lambda i: -weights[i])),
        exclusion_labels=tuple(x.label for x in watchlist.exclusions),
        exclusion_penalties=tuple(x.penalty for x in watchlist.exclusions),
        exclusion_target=tuple(exclusion_target),
        context_terms=tuple(watchlist.context_terms),
        context_target=tuple(context_target),
        proximity_distance=scoring.proximity_distance,
        proximity_boost=scoring.proximity_boost,
        relevance_threshold=scoring.relevance_threshold,
        halve_penalty_with_context=scoring.halve_penalty_with_context,
        shared_tags=shared_tags,
        shared_tag_companies=tuple(tuple(shared[t]) for t in shared_tags),
        shared_tag_target=shared_tag_target,
        span_once=modern,
        relevance_mode=1 if modern else 0,
        launch_threshold=scoring.launch_threshold,
        diagnostics=tuple(diagnostics),
        decisions=tuple(decisions),
    )
