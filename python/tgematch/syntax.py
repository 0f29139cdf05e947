"""The regex subset of keyword and exclusion patterns (``docs/matching.md`` §4).

:func:`parse_pattern` turns a pattern string into parts of literal alternatives, with
the size bounds of §4 checked before anything large is built; :func:`phrase_pattern`
does the same for plain phrases. Nothing here knows about watchlists or engines: the
compiler (:mod:`tgematch.compiled`) asks this module what a pattern means.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from ._text import fold_char, is_space, normalize_phrase

__all__ = [
    "MAX_ALTERNATIVES",
    "MAX_EXPANSION_CHARS",
    "MAX_EXPANSION_STEPS",
    "MAX_NESTING",
    "MAX_PATTERN_LENGTH",
    "ParsedPattern",
    "Part",
    "PatternError",
    "cashtag",
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


def _tokenize(p: str) -> list[_Tok]:  # noqa: C901 - one state machine over the pattern, one branch per token of §4
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


def _expand(  # noqa: C901 - the expansion of §4, each construct one branch with its bound
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
def parse_pattern(pattern: str) -> ParsedPattern:  # noqa: C901 - the checks of §4 (gaps, lookahead, opt-outs) in order
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
