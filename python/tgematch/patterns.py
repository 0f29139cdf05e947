"""The one pattern compiler shared by both engines.

It turns a :class:`~tgematch.watchlist.Watchlist` into a :class:`CompiledWatchlist`:
plain data (literal strings, flags, owners, weights) that the pure-Python engine and the
Rust engine consume as it is, so the two cannot disagree on what a pattern means.
The accepted regex subset, with examples, is documented in ``docs/matching.md`` §4.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._text import fold_char, is_space, normalize_phrase
from .company_forms import PhraseDecision, company_forms

if TYPE_CHECKING:
    from .watchlist import Watchlist

__all__ = [
    "KIND_COMPANY",
    "KIND_CONTEXT",
    "KIND_EXCLUSION",
    "KIND_KEYWORD",
    "KIND_NAMES",
    "KIND_SHARED",
    "KIND_VETO",
    "MAX_ALTERNATIVES",
    "MAX_EXPANSION_CHARS",
    "MAX_EXPANSION_STEPS",
    "MAX_NESTING",
    "MAX_PATTERN_LENGTH",
    "CompiledWatchlist",
    "ParsedPattern",
    "Part",
    "PatternError",
    "compile_watchlist",
    "parse_pattern",
    "phrase_pattern",
]

MAX_ALTERNATIVES = 4096
"""Most literal alternatives one part of a pattern may expand to."""

MAX_EXPANSION_CHARS = 262_144
"""Most characters all literal alternatives of one pattern (every part and its
not-followed-by set together) may add up to: 4,096 alternatives of 64 characters. Checked
before each step of the expansion is materialised, so an oversized pattern is refused in
time proportional to what was built so far (``docs/matching.md`` §4)."""

MAX_EXPANSION_STEPS = 262_144
"""Most alternative-by-alternative concatenations the expansion of one pattern may do:
with many product steps that do not grow the result (``()``, ``\\s`` after 4,096
alternatives) the work is steps x alternatives, which the size bound alone leaves open."""

MAX_PATTERN_LENGTH = 10_000
"""Longest pattern string (in code points) the parser accepts."""

MAX_NESTING = 100
"""Deepest nesting of groups the parser accepts (the expansion recurses once per level)."""

KIND_COMPANY, KIND_VETO, KIND_KEYWORD, KIND_EXCLUSION, KIND_CONTEXT, KIND_SHARED = range(6)
KIND_NAMES = ("company", "company_exclusion", "keyword", "exclusion", "context", "shared_cashtag")

START_CHECK = 1
END_CHECK = 2
EXACT_CASE = 4
CONTRACTION_END = 8


class PatternError(ValueError):
    """A pattern outside the supported subset; the message names the construct and position."""


@dataclass(frozen=True, slots=True)
class Part:
    """One literal-expandable part of a pattern (a pattern without gaps has one)."""

    literals: tuple[str, ...]
    check_start: bool = True
    check_end: bool = True


@dataclass(frozen=True, slots=True)
class ParsedPattern:
    """A parsed pattern: parts joined by gaps, and a trailing not-followed-by set."""

    parts: tuple[Part, ...]
    not_followed_by: tuple[str, ...] = ()


# ----------------------------------------------------------------------------- tokens
_CHAR, _SP1, _SP0, _LPAREN, _LOOK, _RPAREN, _BAR, _QMARK, _GAP, _WSTAR, _WB = range(11)


@dataclass(frozen=True, slots=True)
class _Tok:
    type: int
    pos: int
    value: str = ""


def _tokenize(p: str) -> list[_Tok]:
    def fail(what: str, pos: int) -> PatternError:
        return PatternError(
            f"pattern {p!r}: {what} at position {pos} is outside the supported subset"
        )

    toks: list[_Tok] = []
    i, n = 0, len(p)
    while i < n:
        c = p[i]
        if c == "\\":
            if i + 1 >= n:
                raise fail("trailing backslash '\\'", i)
            d = p[i + 1]
            if d == "s":
                nxt = p[i + 2] if i + 2 < n else ""
                if nxt in ("+", "*"):
                    toks.append(_Tok(_SP1 if nxt == "+" else _SP0, i))
                    i += 3
                    if i < n and p[i] == "?":  # lazy \s+? / \s*?: same matches
                        i += 1
                elif nxt == "?":
                    toks.append(_Tok(_SP0, i))
                    i += 3
                else:
                    toks.append(_Tok(_SP1, i))
                    i += 2
                continue
            if d == "w":
                if i + 2 < n and p[i + 2] == "*":
                    toks.append(_Tok(_WSTAR, i))
                    i += 3
                    continue
                raise fail("word-character class '\\w'", i)
            if d == "b":
                toks.append(_Tok(_WB, i))
                i += 2
                continue
            if d.isdigit():
                raise fail(f"backreference '\\{d}'", i)
            if d.isalnum() or d == "_":
                raise fail(f"escape '\\{d}'", i)
            toks.append(_Tok(_SP1, i) if is_space(d) else _Tok(_CHAR, i, fold_char(d)))
            i += 2
            continue
        if c == "(":
            if p.startswith("(?:", i):
                toks.append(_Tok(_LPAREN, i))
                i += 3
            elif p.startswith("(?!", i):
                toks.append(_Tok(_LOOK, i))
                i += 3
            elif p.startswith("(?", i):
                raise fail(f"group '{p[i : i + 3]}'", i)
            else:
                toks.append(_Tok(_LPAREN, i))
                i += 1
            continue
        if c == ")":
            toks.append(_Tok(_RPAREN, i))
        elif c == "|":
            toks.append(_Tok(_BAR, i))
        elif c == "?":
            toks.append(_Tok(_QMARK, i))
        elif c == ".":
            if i + 1 < n and p[i + 1] == "*":
                toks.append(_Tok(_GAP, i))
                i += 2
                if i < n and p[i] == "?":
                    i += 1
                continue
            raise fail("any-character '.' (escape it as '\\.'; a gap is '.*')", i)
        elif c == "[":
            raise fail("character class '['", i)
        elif c in "]}":
            raise fail(f"unescaped '{c}'", i)
        elif c == "{":
            raise fail("bounded repetition '{'", i)
        elif c in "*+":
            raise fail(f"repetition '{c}' (only \\s* and \\s+ repeat)", i)
        elif c == "^":
            raise fail("anchor '^'", i)
        elif c == "$":
            raise fail("anchor '$' (write '\\$' for a dollar sign)", i)
        elif is_space(c):
            toks.append(_Tok(_SP1, i))
        else:
            toks.append(_Tok(_CHAR, i, fold_char(c)))
        i += 1
    return toks


# ----------------------------------------------------------------------------- parser
def _merge_spaces(s: str) -> str:
    while "  " in s:
        s = s.replace("  ", " ")
    return s


def _concat(a: str, b: str) -> str:
    # Merging the two spaces at the seam keeps every intermediate alternative free of
    # double spaces, so ``\s*\s*`` deduplicates to {"", " "} at once (merge_spaces of the
    # concatenation equals the concatenation of merged halves with the seam merged).
    if a.endswith(" ") and b.startswith(" "):
        return a + b[1:]
    return a + b


def _too_big(p: str, what: str, bound: int) -> PatternError:
    return PatternError(f"pattern {p!r}: expands to more than {bound} {what}")


def _spend(p: str, budget: list[int], work: int) -> None:
    """Charge ``work`` concatenations to the pattern's budget before doing them."""
    budget[0] -= work
    if budget[0] < 0:
        raise PatternError(
            f"pattern {p!r}: needs more than {MAX_EXPANSION_STEPS} concatenations "
            "of alternatives to expand"
        )


def _expand(
    p: str, toks: list[_Tok], i: int, depth: int, budget: list[int]
) -> tuple[set[str], int]:
    """Expand an alternation starting at toks[i] into literal strings.

    Runs of plain characters are joined into one atom first, and every product step is
    sized (alternatives and total characters) before it is built, so the work is linear
    in the size of what is built and an oversized pattern fails before it is built.
    """
    branches: list[set[str]] = []
    cur: set[str] = {""}
    cur_chars = 0
    while i < len(toks):
        t = toks[i]
        if t.type == _BAR:
            branches.append(cur)
            cur = {""}
            cur_chars = 0
            i += 1
            continue
        if t.type == _CHAR and not (i + 1 < len(toks) and toks[i + 1].type == _QMARK):
            # a run of plain characters (the last one may carry a '?', so stop before it)
            j = i
            while (
                j < len(toks)
                and toks[j].type == _CHAR
                and not (j + 1 < len(toks) and toks[j + 1].type == _QMARK)
            ):
                j += 1
            run = "".join(tok.value for tok in toks[i:j])
            i = j
            chars = cur_chars + len(cur) * len(run)
            if chars > MAX_EXPANSION_CHARS:
                raise _too_big(p, "characters of literal alternatives", MAX_EXPANSION_CHARS)
            _spend(p, budget, len(cur))
            cur = {a + run for a in cur}
            cur_chars = chars
            continue
        if t.type == _RPAREN:
            if depth == 0:
                raise PatternError(f"pattern {p!r}: unbalanced ')' at position {t.pos}")
            break
        if t.type == _CHAR:
            atom = {t.value}
            i += 1
        elif t.type == _SP1:
            atom = {" "}
            i += 1
        elif t.type == _SP0:
            atom = {"", " "}
            i += 1
        elif t.type == _LPAREN:
            atom, i = _expand(p, toks, i + 1, depth + 1, budget)
            if i >= len(toks) or toks[i].type != _RPAREN:
                raise PatternError(f"pattern {p!r}: missing ')' for the '(' at position {t.pos}")
            i += 1
        elif t.type == _QMARK:
            raise PatternError(
                f"pattern {p!r}: '?' at position {t.pos} has nothing to make optional"
            )
        elif t.type == _GAP:
            raise PatternError(
                f"pattern {p!r}: gap '.*' at position {t.pos} is only supported outside groups"
            )
        elif t.type == _LOOK:
            raise PatternError(
                f"pattern {p!r}: lookahead '(?!' at position {t.pos} is only supported at the end"
            )
        else:  # _WSTAR, _WB
            what = "'\\w*'" if t.type == _WSTAR else "'\\b'"
            raise PatternError(
                f"pattern {p!r}: {what} at position {t.pos} is only supported at either end "
                "of the pattern or next to a gap '.*'"
            )
        if i < len(toks) and toks[i].type == _QMARK:
            atom = atom | {""}
            i += 1
        if len(cur) * len(atom) > MAX_ALTERNATIVES:
            raise _too_big(p, "literal alternatives", MAX_ALTERNATIVES)
        atom_chars = sum(map(len, atom))
        chars = cur_chars * len(atom) + atom_chars * len(cur)  # bound, before dedup
        if chars > MAX_EXPANSION_CHARS:
            raise _too_big(p, "characters of literal alternatives", MAX_EXPANSION_CHARS)
        if atom == {""}:  # an empty group: concatenating it changes nothing
            continue
        _spend(p, budget, len(cur) * len(atom))
        cur = {_concat(a, b) for a in cur for b in atom}
        cur_chars = sum(map(len, cur))
    branches.append(cur)
    out: set[str] = set().union(*branches)
    if len(out) > MAX_ALTERNATIVES:
        raise _too_big(p, "literal alternatives", MAX_ALTERNATIVES)
    if sum(map(len, out)) > MAX_EXPANSION_CHARS:
        raise _too_big(p, "characters of literal alternatives", MAX_EXPANSION_CHARS)
    return out, i


def _split_lookahead(p: str, toks: list[_Tok]) -> tuple[list[_Tok], list[_Tok] | None]:
    """Check parentheses balance; split off a trailing ``(?!...)``."""
    stack: list[int] = []
    pairs: dict[int, int] = {}
    for k, t in enumerate(toks):
        if t.type in (_LPAREN, _LOOK):
            stack.append(k)
            if len(stack) > MAX_NESTING:
                raise PatternError(
                    f"pattern {p!r}: groups nested deeper than {MAX_NESTING} levels "
                    f"at position {t.pos}"
                )
        elif t.type == _RPAREN:
            if not stack:
                raise PatternError(f"pattern {p!r}: unbalanced ')' at position {t.pos}")
            pairs[stack.pop()] = k
    if stack:
        t = toks[stack[-1]]
        raise PatternError(f"pattern {p!r}: missing ')' for the '(' at position {t.pos}")
    for k, t in enumerate(toks):
        if t.type == _LOOK and pairs[k] != len(toks) - 1:
            raise PatternError(
                f"pattern {p!r}: lookahead '(?!' at position {t.pos} is only supported at the end"
            )
    for k, t in enumerate(toks):
        if t.type == _LOOK:
            return toks[:k], toks[k + 1 : -1]
    return toks, None


@functools.lru_cache(maxsize=4096)
def parse_pattern(pattern: str) -> ParsedPattern:
    """Parse a pattern of the regex subset (``docs/matching.md`` §4).

    Raises :class:`PatternError` naming the construct and its position when the pattern
    is outside the subset, can match the empty string, or expands too far.
    """
    if not isinstance(pattern, str):
        raise TypeError(f"pattern must be str, not {type(pattern).__name__}")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise PatternError(
            f"pattern {pattern[:40]!r}… is {len(pattern)} characters long, "
            f"more than {MAX_PATTERN_LENGTH}"
        )
    toks = _tokenize(pattern)
    body, look = _split_lookahead(pattern, toks)
    while body and body[0].type == _WB:
        body = body[1:]
    while body and body[-1].type == _WB:
        body = body[:-1]
    # split into parts on top-level gaps
    chunks: list[list[_Tok]] = [[]]
    depth = 0
    gaps: list[_Tok] = []
    for t in body:
        if t.type == _LPAREN:
            depth += 1
        elif t.type == _RPAREN:
            depth -= 1
        if t.type == _GAP and depth == 0:
            gaps.append(t)
            chunks.append([])
        else:
            chunks[-1].append(t)
    parts: list[Part] = []
    total_chars = 0  # of all parts and the lookahead together
    budget = [MAX_EXPANSION_STEPS]  # concatenations left, shared by parts and lookahead
    for k, chunk in enumerate(chunks):
        check_start = check_end = True
        if chunk and chunk[0].type == _WSTAR:
            check_start = False
            chunk = chunk[1:]
        if chunk and chunk[-1].type == _WSTAR:
            check_end = False
            chunk = chunk[:-1]
        if not chunk and gaps:
            g = gaps[min(k, len(gaps) - 1)]
            raise PatternError(
                f"pattern {pattern!r}: gap '.*' at position {g.pos} needs text on both sides"
            )
        alts, _ = _expand(pattern, chunk, 0, 0, budget)
        lits = {_merge_spaces(a).strip(" ") for a in alts}
        if "" in lits:
            where = f" (part {k + 1})" if len(chunks) > 1 else ""
            raise PatternError(f"pattern {pattern!r}{where} can match the empty string")
        total_chars += sum(map(len, lits))
        if total_chars > MAX_EXPANSION_CHARS:
            raise _too_big(pattern, "characters of literal alternatives", MAX_EXPANSION_CHARS)
        parts.append(Part(tuple(sorted(lits)), check_start, check_end))
    nfb: tuple[str, ...] = ()
    if look is not None:
        for t in look:
            if t.type in (_GAP, _WSTAR, _WB, _LOOK):
                raise PatternError(
                    f"pattern {pattern!r}: construct at position {t.pos} is not supported "
                    "inside a lookahead"
                )
        alts, _ = _expand(pattern, look, 0, 0, budget)
        merged = {_merge_spaces(a) for a in alts}
        if "" in merged:
            raise PatternError(
                f"pattern {pattern!r}: the lookahead '(?!...)' can match the empty string"
            )
        total_chars += sum(map(len, merged))
        if total_chars > MAX_EXPANSION_CHARS:
            raise _too_big(pattern, "characters of literal alternatives", MAX_EXPANSION_CHARS)
        nfb = tuple(sorted(merged))
    return ParsedPattern(tuple(parts), nfb)


def phrase_pattern(*phrases: str) -> ParsedPattern:
    """A one-part pattern matching any of ``phrases`` as whole-word phrases."""
    lits = {normalize_phrase(ph) for ph in phrases}
    if "" in lits:
        raise PatternError(f"empty phrase in {phrases!r}")
    return ParsedPattern((Part(tuple(sorted(lits))),))


def cashtag(symbol: str) -> str:
    """The cashtag phrase of a ticker symbol: ``$`` + the normalised symbol (a symbol that
    already starts with ``$`` is kept as it is); surrounding whitespace is ignored."""
    s = normalize_phrase(symbol)
    return s if s.startswith("$") else "$" + s


# --------------------------------------------------------------------------- compiler
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

    def to_plain(self) -> dict[str, Any]:
        """The dict of lists and scalars that the Rust engine's constructor takes."""
        return {
            name: (list(value) if isinstance(value, tuple) else value)
            for name, value in self.__dict__.items()
            if name not in ("diagnostics", "decisions")
        }

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


def compile_watchlist(watchlist: Watchlist) -> CompiledWatchlist:
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
