"""The pure-Python engine.

It implements ``docs/matching.md`` with the same compiled watchlist as the Rust engine.
The literal set is compiled once into a single regular expression shaped like a trie
(one branch per distinct next character, so the backtracking engine never tries two
alternatives at one position). Wrapped in a lookahead, ``finditer`` reports, at every
position of the folded and collapsed text, the longest literal starting there; the other
literals starting there are exactly its prefixes that are literals, precomputed per
literal. One pass over the document finds every (overlapping) occurrence.
"""

from __future__ import annotations

import bisect
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence

from ._text import CLASSES, GLUE, SPACE_TABLE, WORD, fold_space
from .compiled import (
    CONTRACTION_END,
    END_CHECK,
    KIND_COMPANY,
    KIND_CONTEXT,
    KIND_EXCLUSION,
    KIND_KEYWORD,
    KIND_SHARED,
    START_CHECK,
    CompiledWatchlist,
)

__all__ = ["RAW_FIELDS", "PythonEngine", "RawAnalysis", "Spans", "raw_is_empty"]

Spans = list[tuple[int, int]]
SpanTuple = tuple[tuple[int, int], ...]
RawAnalysis = tuple[
    tuple[tuple[int, SpanTuple], ...],
    tuple[int, ...],
    tuple[tuple[int, SpanTuple], ...],
    tuple[tuple[int, SpanTuple, int], ...],
    bool,
    int,
    int,
    int,
    int,
    int,
    tuple[int, ...],
    bool,
]
"""The raw result both engines return (``_native.pyi`` documents each element); plain
tuples, read by position on the per-document path, named in :data:`RAW_FIELDS`."""
RAW_FIELDS = (
    "companies",  # ((company index, spans), ...) by index
    "vetoed",  # company indices
    "keywords",  # ((keyword index, spans), ...) by index
    "exclusions",  # ((rule index, spans, applied penalty), ...) by index
    "crypto_context",
    "company_score",
    "keyword_score",
    "proximity_boost",
    "penalty",
    "confidence",
    "ambiguous",  # shared-cashtag indices with no claimant named
    "near",  # a company near a counted keyword
)
EMPTY_RAW: RawAnalysis = ((), (), (), (), False, 0, 0, 0, 0, 0, (), False)


def raw_is_empty(raw: RawAnalysis) -> bool:
    """True when nothing occurred: no company, veto, keyword, exclusion, context term or
    ambiguous cashtag (the one shared empty ``Analysis`` then serves)."""
    return not (raw[0] or raw[1] or raw[2] or raw[3] or raw[4] or raw[10])


"""The raw result of a document in which nothing occurred (both engines share its form)."""

_RUNS = re.compile("  +")


def _exact_text(text: object) -> str:
    """``text`` as an exact ``str`` holding its real characters.

    A ``str`` subclass can override ``__len__``, ``__getitem__``, ``__iter__``,
    ``isascii`` and every other method the scan uses; ``str.__str__`` (the base class's
    own method, which no subclass can replace here) returns an exact copy of the real
    characters, as the native engine reads them.
    """
    if text.__class__ is str:
        return text  # type: ignore[return-value]
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    return str.__str__(text)


_NEWLINE = re.compile("\n")
_Trie = dict[str, "_Trie"]


def _trie_regex(literals: Sequence[str]) -> str:
    """A regex matching the longest literal at a position, as a radix trie of groups."""
    root: _Trie = {}
    end = ""  # key marking "a literal ends here" (no literal contains the empty string)
    for lit in literals:
        node = root
        for ch in lit:
            node = node.setdefault(ch, {})
        node[end] = {}

    def emit(node: _Trie) -> str:
        # returns the regex for what may follow `node`, preferring the longest match
        branches = []
        for ch in sorted(k for k in node if k != end):
            child = node[ch]
            run = [ch]
            while end not in child and len(child) == 1:  # compress single-child chains
                (nxt,) = child
                run.append(nxt)
                child = child[nxt]
            branches.append(re.escape("".join(run)) + emit(child))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if end in node else body

    return emit(root)


class PythonEngine:
    """Scan documents with a compiled watchlist; the same raw API as ``tgematch._native.Engine``."""

    def __init__(
        self,
        compiled: CompiledWatchlist,
        *,
        literal_matches: Callable[[str], Iterable[tuple[int, int]]] | None = None,
    ) -> None:
        """``literal_matches``, when given, replaces the built-in scanner (a trie regex):
        it maps the collapsed text to the ``(start, literal id)`` of every occurrence of
        every literal of ``compiled`` (overlapping ones included), as
        :meth:`_literal_matches` does. Combining gap parts and scoring stay the same; the
        benchmark uses it to run the same contract on another automaton."""
        self._init_units(compiled)
        if literal_matches is not None:
            self._literal_matches = literal_matches  # type: ignore[method-assign]
            self._regex = None
            return
        lits = compiled.literals
        self._lit_ids = {s: i for i, s in enumerate(lits)}
        # every literal that is a prefix of literal i (itself included)
        lit_ids = self._lit_ids
        self._prefixes: list[tuple[int, ...]] = [
            tuple(lit_ids[s[:k]] for k in range(1, len(s) + 1) if s[:k] in lit_ids) for s in lits
        ]
        self._regex = re.compile("(?=(" + _trie_regex(lits) + "))") if lits else None

    def _init_units(self, compiled: CompiledWatchlist) -> None:
        """What every scanner needs: the units of each literal, part counts, gap bounds."""
        self.compiled = compiled
        units: list[list[tuple[int, int, int, re.Pattern[str] | None, str | None]]] = [
            [] for _ in compiled.literals
        ]
        # A not-followed-by set may hold up to 4,096 alternatives: one trie regex per set
        # tests them all in one match instead of one startswith each per occurrence.
        nfb_res = [re.compile(_trie_regex(alts)) for alts in compiled.nfb_sets]
        cased = compiled.cased_literals
        for lit, target, part, flags, nfb, cid in compiled.units:
            units[lit].append(
                (
                    target,
                    part,
                    flags,
                    nfb_res[nfb] if nfb >= 0 else None,
                    cased[cid] if cid >= 0 else None,
                )
            )
        self._units = units
        self._lens = [len(s) for s in compiled.literals]
        self._nparts = [t[2] for t in compiled.targets]
        self._max_gap = [t[3] for t in compiled.targets]

    # ------------------------------------------------------------------ scanning
    def _literal_matches(self, collapsed: str) -> Iterator[tuple[int, int]]:
        """``(start, literal)`` of every literal occurrence in the collapsed text."""
        assert self._regex is not None
        lit_ids, prefixes = self._lit_ids, self._prefixes
        for m in self._regex.finditer(collapsed):
            p = m.start()
            for lid in prefixes[lit_ids[m.group(1)]]:
                yield p, lid

    def _scan(self, text: str) -> dict[int, list[set[tuple[int, int]]]]:  # noqa: C901 - the hot loop: helpers per check would cost a call per literal match
        """Occurrences of every part of every target: ``{target: [set of (start, end)]}``."""
        if not isinstance(text, str):
            raise TypeError(f"text must be str, not {type(text).__name__}")
        found: dict[int, list[set[tuple[int, int]]]] = {}
        if not self.compiled.literals or not text:
            return found
        folded = fold_space(text)
        # collapse runs of spaces; keep breakpoints to map collapsed -> original indices
        bk_c: list[int] = []
        bk_shift: list[int] = []
        if "  " in folded:
            shift = 0
            for m in _RUNS.finditer(folded):
                r, length = m.start(), m.end() - m.start()
                bk_c.append(r - shift + 1)
                shift += length - 1
                bk_shift.append(shift)
            collapsed = _RUNS.sub(" ", folded)
        else:
            collapsed = folded
        n = len(text)
        classes = CLASSES
        units, lens, nparts = self._units, self._lens, self._nparts
        written: str | None = None  # the collapsed text unfolded, for exact-case units
        for p, lid in self._literal_matches(collapsed):
            q = p + lens[lid]  # collapsed end (exclusive)
            if bk_c:
                k = bisect.bisect_right(bk_c, p)
                s = p + (bk_shift[k - 1] if k else 0)
                k = bisect.bisect_right(bk_c, q - 1)
                e = q + (bk_shift[k - 1] if k else 0)
            else:
                s, e = p, q
            for target, part, flags, nfb, cased in units[lid]:
                if (
                    flags & START_CHECK
                    and s
                    and classes[ord(text[s - 1])] & classes[ord(text[s])] & GLUE
                ):
                    continue
                if (
                    flags & END_CHECK
                    and e < n
                    and classes[ord(text[e - 1])] & classes[ord(text[e])] & GLUE
                ):
                    continue
                if nfb is not None and nfb.match(collapsed, q):
                    continue
                if flags & CONTRACTION_END and e + 1 < n and _contraction(text, e, n):
                    continue
                if cased is not None:
                    if written is None:
                        # spaces are where the folded text has them, so the same
                        # collapsing gives the same indices
                        written = _RUNS.sub(" ", text.translate(SPACE_TABLE))
                    if written[p:q] != cased:
                        continue
                parts = found.get(target)
                if parts is None:
                    parts = found[target] = [set() for _ in range(nparts[target])]
                parts[part].add((s, e))
        return found

    def _target_spans(
        self, text: str, found: dict[int, list[set[tuple[int, int]]]]
    ) -> dict[int, Spans]:
        """Combine parts (gaps) into each target's sorted distinct occurrences."""
        out: dict[int, Spans] = {}
        newlines: list[int] | None = None  # positions of "\n", computed once if needed
        for target, parts in found.items():
            if len(parts) == 1:
                out[target] = sorted(parts[0])
                continue
            if any(not p for p in parts):
                continue
            if newlines is None:
                newlines = [m.start() for m in _NEWLINE.finditer(text)]
            spans = _combine_gaps([sorted(p) for p in parts], self._max_gap[target], newlines)
            if spans:
                out[target] = spans
        return out

    # ------------------------------------------------------------------ raw API
    def find(self, text: str) -> list[tuple[int, int, int, int]]:
        """Every occurrence as ``(kind, ref, start, end)``, sorted by (start, end, kind, ref)."""
        text = _exact_text(text)
        targets = self.compiled.targets
        occ = [
            (s, e, targets[t][0], targets[t][1])
            for t, spans in self._target_spans(text, self._scan(text)).items()
            for s, e in spans
        ]
        occ.sort()
        return [(k, r, s, e) for s, e, k, r in occ]

    def analyze(self, text: str) -> RawAnalysis:
        """Scan and score one text (``docs/matching.md`` §7); the engine-neutral raw tuple."""
        text = _exact_text(text)
        c = self.compiled
        spans = self._target_spans(text, self._scan(text))
        if not spans:
            return EMPTY_RAW
        company_spans: dict[int, list[tuple[int, int]]] = {}
        vetoed: list[int] = []
        keyword_occ: list[tuple[int, list[tuple[int, int]]]] = []
        excluded: list[tuple[int, SpanTuple]] = []
        shared: list[int] = []
        context = False
        targets = c.targets
        # Only targets that occurred are visited, in target order (= configuration order
        # within each kind), so the cost does not grow with the watchlist.
        for t in sorted(spans):
            kind, ref = targets[t][0], targets[t][1]
            if kind == KIND_COMPANY:
                v = c.veto_target[ref]
                if v >= 0 and v in spans:
                    vetoed.append(ref)
                else:
                    company_spans[ref] = spans[t]
            elif kind == KIND_SHARED:
                shared.append(t)
            elif kind == KIND_KEYWORD:
                keyword_occ.append((ref, spans[t]))
            elif kind == KIND_EXCLUSION:
                excluded.append((ref, tuple(spans[t])))
            elif kind == KIND_CONTEXT:
                context = True
        ambiguous: list[int] = []
        for t in shared:
            ref = targets[t][1]
            credited = [i for i in c.shared_tag_companies[ref] if i in company_spans]
            if not credited:
                ambiguous.append(ref)
            for i in credited:
                company_spans[i] = sorted(set(company_spans[i]) | set(spans[t]))
        companies = [(i, tuple(company_spans[i])) for i in sorted(company_spans)]
        company_score = sum(c.company_scores[i] for i, _ in companies)
        if c.span_once and keyword_occ:
            keywords = _resolve_spans(keyword_occ, c.keyword_weights)
        else:
            keywords = [(ref, tuple(sp)) for ref, sp in keyword_occ]
        keyword_score = sum(c.keyword_weights[ref] for ref, _ in keywords)
        halve = context and c.halve_penalty_with_context
        exclusions: list[tuple[int, SpanTuple, int]] = []
        penalty = 0
        for ref, sp in excluded:
            applied = c.exclusion_penalties[ref] // 2 if halve else c.exclusion_penalties[ref]
            exclusions.append((ref, sp, applied))
            penalty += applied
        near = bool(
            companies
            and keywords
            and _near(
                [s for _, sp in companies for s, _ in sp],
                [s for _, sp in keywords for s, _ in sp],
                c.proximity_distance,
            )
        )
        boost = c.proximity_boost if near else 0
        confidence = max(0, min(100, company_score + keyword_score + boost - penalty))
        return (
            tuple(companies),
            tuple(vetoed),
            tuple(keywords),
            tuple(exclusions),
            context,
            company_score,
            keyword_score,
            boost,
            penalty,
            confidence,
            tuple(ambiguous),
            near,
        )

    def analyze_many(self, texts: Iterable[str], threads: int = 1) -> list[RawAnalysis]:
        """Analyse texts in order (serially: the Python engine holds the GIL anyway)."""
        return [self.analyze(t) for t in texts]


def _combine_gaps(parts: list[Spans], max_gap: int, newlines: list[int]) -> Spans:
    """The distinct ``(s0, min end)`` occurrences of a gap pattern (``docs/matching.md`` §4).

    ``parts[j]`` holds the distinct occurrences of part ``j`` sorted by start. The same
    algorithm as the Rust core's ``combine_gaps``: ``best[o]`` is the least end of a last
    part reachable from occurrence ``o`` of part ``j``, computed from the last part
    backwards. Occurrence ``(s', e')`` reaches ``(s, e)`` of the next part when
    ``e' <= s <= min(e' + max_gap, first newline at or after e')``; both window bounds
    are non-decreasing in ``e'``, so visiting part ``j`` by end with a monotone deque over
    part ``j + 1`` (sorted by start) gives each window's minimum. Cost: O(n log n) per
    part for n occurrences (sorting, one bisection into the newlines each), instead of
    the reachable-set product that grew with occurrences x reachable ends x gap text.
    """
    best: list[int | None] = [e for _, e in parts[-1]]
    for j in range(len(parts) - 2, -1, -1):
        nxt, cur = parts[j + 1], parts[j]
        cur_best: list[int | None] = [None] * len(cur)
        window: deque[int] = deque()  # indices into nxt, best values increasing
        hi_ptr, n_next, n_nl = 0, len(nxt), len(newlines)
        for oi in sorted(range(len(cur)), key=lambda i: cur[i][1]):
            e = cur[oi][1]
            hi = e + max_gap
            k = bisect.bisect_left(newlines, e)
            if k < n_nl and newlines[k] < hi:
                hi = newlines[k]
            if hi < e:  # a negative gap bound reaches nothing
                continue
            while hi_ptr < n_next and nxt[hi_ptr][0] <= hi:
                v = best[hi_ptr]
                if v is not None:
                    while window:
                        b = best[window[-1]]
                        if b is not None and b >= v:
                            window.pop()
                        else:
                            break
                    window.append(hi_ptr)
                hi_ptr += 1
            while window and nxt[window[0]][0] < e:
                window.popleft()
            if window:
                cur_best[oi] = best[window[0]]
        best = cur_best
    return sorted({(s, b) for (s, _), b in zip(parts[0], best, strict=True) if b is not None})


def _contraction(text: str, e: int, n: int) -> bool:
    """True when ``text[e]`` is an apostrophe that continues a word ("haven't"), not a
    possessive ("Caldera's"): docs §8.2. Needs ``e + 1 < n``."""
    if text[e] not in "'\u2019" or not CLASSES[ord(text[e + 1])] & WORD:
        return False
    return not (text[e + 1] in "sS" and (e + 2 == n or not CLASSES[ord(text[e + 2])] & WORD))


def _resolve_spans(
    occ: list[tuple[int, list[tuple[int, int]]]], weights: Sequence[int]
) -> list[tuple[int, SpanTuple]]:
    """Each span counts once (docs §8.4): occurrences by weight descending, rule, start,
    end; one is kept when it overlaps no kept one. The rules with a kept occurrence, in
    rule order, with their kept spans."""
    order = sorted(
        ((-weights[ref], ref, s, e) for ref, sp in occ for s, e in sp),
    )
    kept: list[tuple[int, int]] = []  # sorted by start; kept spans never overlap
    out: dict[int, list[tuple[int, int]]] = {}
    for _, ref, s, e in order:
        k = bisect.bisect_left(kept, (s, e))
        # neighbours: the kept span starting before (s, e) and the one at/after it
        if k and kept[k - 1][1] > s:
            continue
        if k < len(kept) and kept[k][0] < e:
            continue
        kept.insert(k, (s, e))
        out.setdefault(ref, []).append((s, e))
    return [(ref, tuple(sorted(out[ref]))) for ref in sorted(out)]


def _near(a: list[int], b: list[int], distance: int) -> bool:
    """True when some x in a and y in b have |x - y| < distance."""
    b = sorted(b)
    for x in a:
        k = bisect.bisect_left(b, x)
        if k < len(b) and b[k] - x < distance:
            return True
        if k and x - b[k - 1] < distance:
            return True
    return False
