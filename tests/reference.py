"""A slow, obviously-correct reference matcher for tgematch, written from the spec.

It follows ``/work/shared/matching-contract.md`` and ``docs/matching.md`` literally and
shares nothing with the engines except two inputs:

* the shipped Unicode tables (``tgematch._unicode``), read through :func:`word`,
  :func:`space`, :func:`fold` and :func:`nosp` below, and
* the compiled watchlist data (``compile_watchlist(...).to_plain()``, docs §5).

There is no collapsing of the text and no automaton. For every start position ``i`` of the
*original* text and every compiled unit, the unit's literal is matched directly against the
text: each text character is folded through the table, and a literal space consumes a
maximal run of one or more space characters. The whole-word checks, not-followed-by
checks, gap chaining and scoring are then applied exactly as docs §3, §4, §6 and §7 say.

Public functions:

* :func:`ref_find` returns ``[(kind_code, ref, start, end), ...]`` like the engines'
  raw ``find``.
* :func:`ref_analyze` returns the engines' raw ``analyze`` tuple layout.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from typing import Any

from tgematch import _unicode

KIND_NAMES: tuple[str, ...] = (
    "company",
    "company_exclusion",
    "keyword",
    "exclusion",
    "context",
    "shared_cashtag",
)


def _in_ranges(ranges: Sequence[tuple[int, int]], cp: int) -> bool:
    """Binary search in sorted, disjoint, inclusive ``(lo, hi)`` ranges."""
    i = bisect.bisect_right(ranges, (cp, 0x110000)) - 1
    return i >= 0 and ranges[i][0] <= cp <= ranges[i][1]


_WORD: tuple[tuple[int, int], ...] = tuple(_unicode.WORD_RANGES)
_SPACE: tuple[tuple[int, int], ...] = tuple(_unicode.SPACE_RANGES)
_NOSP: tuple[tuple[int, int], ...] = tuple(_unicode.NOSP_RANGES)
_FOLD: dict[int, int] = dict(_unicode.FOLD_PAIRS)


def word(c: str) -> bool:
    """Table ``word(c)`` for one code point."""
    return _in_ranges(_WORD, ord(c))


def space(c: str) -> bool:
    """Table ``space(c)`` for one code point."""
    return _in_ranges(_SPACE, ord(c))


def fold(c: str) -> str:
    """Table ``fold(c)`` for one code point (always one character)."""
    return chr(_FOLD.get(ord(c), ord(c)))


def nosp(c: str) -> bool:
    """Table ``nosp(c)`` for one code point."""
    return _in_ranges(_NOSP, ord(c))


def glued(a: str, b: str) -> bool:
    """Contract §2: two adjacent characters are glued."""
    return word(a) and word(b) and not nosp(a) and not nosp(b)


def match_literal_at(lit: str, text: str, i: int) -> int | None:
    """Match ``lit`` (the §2 alphabet) against ``text`` from ``i``; return the end or None.

    A literal character ``' '`` consumes a maximal run of one or more space characters;
    any other literal character ``c`` consumes one non-space text character ``t`` with
    ``fold(t) == c``.
    """
    n = len(text)
    j = i
    for c in lit:
        if c == " ":
            if j >= n or not space(text[j]):
                return None
            while j < n and space(text[j]):
                j += 1
        else:
            if j >= n:
                return None
            t = text[j]
            if space(t) or fold(t) != c:
                return None
            j += 1
    return j


def whole_word_start(text: str, start: int) -> bool:
    """Docs §3 start check."""
    return start == 0 or not glued(text[start - 1], text[start])


def whole_word_end(text: str, end: int) -> bool:
    """Docs §3 end check."""
    return end == len(text) or not glued(text[end - 1], text[end])


def continues_word(text: str, end: int) -> bool:
    """Docs §8.2: an apostrophe at ``end`` followed by a word character continues the
    word, unless it is a possessive ('s or 'S at the end of the word)."""
    n = len(text)
    if end + 1 >= n or text[end] not in ("'", "\u2019") or not word(text[end + 1]):
        return False
    possessive = text[end + 1] in "sS" and (end + 2 == n or not word(text[end + 2]))
    return not possessive


def written_as(cased: str, text: str, i: int) -> bool:
    """Docs §8.1 exact case: from ``i``, every non-space character of ``cased`` is the
    text's character itself (a space still consumes a run of space characters)."""
    j = i
    for c in cased:
        if c == " ":
            while j < len(text) and space(text[j]):
                j += 1
        else:
            if j >= len(text) or text[j] != c:
                return False
            j += 1
    return True


def followed_by_any(text: str, end: int, alternatives: Sequence[str]) -> bool:
    """Docs §4 not-followed-by: the text from ``end`` starts with an alternative.

    Alternatives may begin or end with a space; a space consumes one or more space
    characters (folded, collapsed comparison), no whole-word check.
    """
    return any(match_literal_at(alt, text, end) is not None for alt in alternatives)


def _unit_occurrences(plain: Mapping[str, Any], text: str) -> dict[tuple[int, int], set]:
    """All checked occurrences, keyed by (target, part), as sets of (start, end)."""
    literals = plain["literals"]
    nfb_sets = plain["nfb_sets"]
    out: dict[tuple[int, int], set[tuple[int, int]]] = {}
    n = len(text)
    raw: dict[int, list[tuple[int, int]]] = {}  # literal index -> unchecked matches
    cased = plain.get("cased_literals", [])
    for unit in plain["units"]:
        lit_idx, target, part, flags, nfb, cid = (int(x) for x in unit)
        if lit_idx not in raw:
            lit = literals[lit_idx]
            found = []
            for i in range(n):
                j = match_literal_at(lit, text, i)
                if j is not None:
                    found.append((i, j))
            raw[lit_idx] = found
        bucket = out.setdefault((target, part), set())
        for i, j in raw[lit_idx]:
            if flags & 1 and not whole_word_start(text, i):
                continue
            if flags & 2 and not whole_word_end(text, j):
                continue
            if nfb >= 0 and followed_by_any(text, j, nfb_sets[nfb]):
                continue
            if flags & 2 and flags & 8 and continues_word(text, j):
                continue
            if flags & 4 and not written_as(cased[cid], text, i):
                continue
            bucket.add((i, j))
    return out


def target_occurrences(plain: Mapping[str, Any], text: str) -> list[set[tuple[int, int]]]:
    """Occurrences ``{(start, end)}`` of every target, gaps resolved (docs §4)."""
    units = _unit_occurrences(plain, text)
    result: list[set[tuple[int, int]]] = []
    for t_idx, target in enumerate(plain["targets"]):
        _kind, _ref, nparts, max_gap = (int(x) for x in target)
        parts = [units.get((t_idx, p), set()) for p in range(nparts)]
        if nparts == 1:
            result.append(set(parts[0]))
            continue
        occs: set[tuple[int, int]] = set()
        for s0, e0 in parts[0]:
            reach = {(s0, e0)}
            for pj in parts[1:]:
                reach = {
                    (s, e)
                    for (s, e) in pj
                    if any(
                        ep <= s <= ep + max_gap and "\n" not in text[ep:s] for (_sp, ep) in reach
                    )
                }
                if not reach:
                    break
            if reach:
                occs.add((s0, min(e for _s, e in reach)))
        result.append(occs)
    return result


def ref_find(plain: Mapping[str, Any], text: str) -> list[tuple[int, int, int, int]]:
    """Every occurrence of every target as ``(kind_code, ref, start, end)``, docs §6 order."""
    rows: set[tuple[int, int, int, int]] = set()
    for target, occs in zip(plain["targets"], target_occurrences(plain, text), strict=True):
        kind, ref = int(target[0]), int(target[1])
        for s, e in occs:
            rows.add((kind, ref, s, e))
    return sorted(rows, key=lambda r: (r[2], r[3], r[0], r[1]))


def ref_find_named(plain: Mapping[str, Any], text: str) -> list[tuple[str, str, int, int]]:
    """:func:`ref_find` with kind names and ids, as ``Matcher.find`` reports them."""
    names = {
        0: plain["company_names"],
        1: plain["company_names"],
        2: plain["keyword_patterns"],
        3: plain["exclusion_labels"],
        4: plain["context_terms"],
        5: plain.get("shared_tags", []),
    }
    return [(KIND_NAMES[k], names[k][r], s, e) for k, r, s, e in ref_find(plain, text)]


RawAnalysis = tuple[
    list[tuple[int, list[tuple[int, int]]]],
    list[int],
    list[tuple[int, list[tuple[int, int]]]],
    list[tuple[int, list[tuple[int, int]], int]],
    bool,
    int,
    int,
    int,
    int,
    int,
    list[int],
    bool,
]


def ref_analyze(plain: Mapping[str, Any], text: str) -> RawAnalysis:  # noqa: C901 - the spec's §7/§8 steps written out in order, on purpose
    """Docs §7 scoring of ``text``, in the engines' raw ``analyze`` layout.

    ``(companies [(idx, spans)], vetoed [idx], keywords [(idx, spans)],
    exclusions [(idx, spans, applied_penalty)], crypto_context, company_score,
    keyword_score, proximity_boost, penalty, confidence)``; spans are sorted distinct
    ``(start, end)`` pairs, lists are in configuration order.
    """
    occ = target_occurrences(plain, text)

    def spans_of(target: int) -> list[tuple[int, int]]:
        return sorted(occ[target]) if target >= 0 else []

    companies: list[tuple[int, list[tuple[int, int]]]] = []
    vetoed: list[int] = []
    company_score = 0
    company_positions: set[int] = set()
    for i, _name in enumerate(plain["company_names"]):
        spans = spans_of(int(plain["company_target"][i]))
        if not spans:
            continue
        if spans_of(int(plain["veto_target"][i])):
            vetoed.append(i)
            continue
        companies.append((i, spans))
        company_score += int(plain["company_scores"][i])

    # Docs §8.3: a shared cashtag joins its matched claimants, else it is ambiguous.
    ambiguous: list[int] = []
    joined = dict(companies)
    for k, claimants in enumerate(plain.get("shared_tag_companies", [])):
        spans = spans_of(int(plain["shared_tag_target"][k]))
        if not spans:
            continue
        credited = [int(c) for c in claimants if int(c) in joined]
        if not credited:
            ambiguous.append(k)
        for c in credited:
            joined[c] = sorted(set(joined[c]) | set(spans))
    companies = [(i, joined[i]) for i, _ in companies]
    for _i, spans in companies:
        company_positions.update(s for s, _e in spans)

    weights = [int(w) for w in plain["keyword_weights"]]
    keyword_spans = {
        i: spans_of(int(plain["keyword_target"][i])) for i in range(len(plain["keyword_patterns"]))
    }
    if plain.get("span_once", False):
        # Docs §8.4, naively: strongest first, an occurrence overlapping a kept one drops.
        visit = sorted(
            (-weights[i], i, s, e) for i, spans in keyword_spans.items() for s, e in spans
        )
        kept: list[tuple[int, int, int]] = []
        for _w, i, s, e in visit:
            if all(not (s < ke and ks < e) for _ki, ks, ke in kept):
                kept.append((i, s, e))
        keyword_spans = {i: sorted((s, e) for ki, s, e in kept if ki == i) for i in keyword_spans}
    keywords: list[tuple[int, list[tuple[int, int]]]] = []
    keyword_score = 0
    keyword_positions: set[int] = set()
    for i, spans in keyword_spans.items():
        if spans:
            keywords.append((i, spans))
            keyword_score += weights[i]
            keyword_positions.update(s for s, _e in spans)

    distance = int(plain["proximity_distance"])
    proximity = 0
    near = any(abs(c - k) < distance for c in company_positions for k in keyword_positions)
    if near:
        proximity = int(plain["proximity_boost"])

    crypto = any(spans_of(int(t)) for t in plain["context_target"])
    halve = bool(plain["halve_penalty_with_context"]) and crypto

    exclusions: list[tuple[int, list[tuple[int, int]], int]] = []
    penalty = 0
    for i, _label in enumerate(plain["exclusion_labels"]):
        spans = spans_of(int(plain["exclusion_target"][i]))
        if spans:
            p = int(plain["exclusion_penalties"][i])
            applied = p // 2 if halve else p
            exclusions.append((i, spans, applied))
            penalty += applied

    confidence = max(0, min(100, company_score + keyword_score + proximity - penalty))
    return (
        companies,
        vetoed,
        keywords,
        exclusions,
        crypto,
        company_score,
        keyword_score,
        proximity,
        penalty,
        confidence,
        ambiguous,
        near,
    )


def normalize_raw_analysis(raw: Sequence[Any]) -> tuple[Any, ...]:
    """Canonical comparable form of a raw ``analyze`` tuple (lists→tuples, ints, bools)."""
    companies, vetoed, keywords, exclusions, crypto, cs, ks, prox, pen, conf, amb, near = raw
    return (
        tuple((int(i), tuple((int(s), int(e)) for s, e in sp)) for i, sp in companies),
        tuple(int(i) for i in vetoed),
        tuple((int(i), tuple((int(s), int(e)) for s, e in sp)) for i, sp in keywords),
        tuple((int(i), tuple((int(s), int(e)) for s, e in sp), int(p)) for i, sp, p in exclusions),
        bool(crypto),
        int(cs),
        int(ks),
        int(prox),
        int(pen),
        int(conf),
        tuple(int(k) for k in amb),
        bool(near),
    )


def normalize_raw_find(rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """Canonical comparable form of a raw ``find`` list."""
    return [tuple(int(x) if not isinstance(x, str) else x for x in r) for r in rows]
