"""The alternatives tgematch is compared with (see :mod:`tgematch.bench`).

:class:`SeedMatcher` (the seed system's one-``re``-per-pattern approach, standard
library only), :class:`PyAhoMatcher` (tgematch's contract on a pyahocorasick automaton)
and the raw matchers (ahocorasick-rs, pyahocorasick, hyperscan). The third-party
modules are imported only when a matcher is built; they come with the ``bench`` extra
(``pip install 'tgematch[bench]'``) and a missing one is an ImportError saying so.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from .._text import CLASSES, GLUE, fold_space
from ..compiled import compile_watchlist
from ..engine_python import PythonEngine
from ..results import Analysis, build_analysis, build_occurrences
from ..watchlist import Watchlist
from .corpus import Doc, Runner, doc_text

EXTRA_HINT = "pip install 'tgematch[bench]'"


def require(module: str, package: str) -> Any:
    """Import a competitor's module; ImportError naming the ``bench`` extra when absent."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ImportError(f"{package} is not installed (the bench extra: {EXTRA_HINT})") from e


# ----------------------------------------------------------------------- the seed
class SeedMatcher:
    """The seed system's approach: one compiled ``re`` per company and per rule.

    Reproduces the seed's ``OptimizedPatternMatcher.analyze_content_relevance`` in
    spirit, from a :class:`Watchlist` in the seed profile (a modern one would bring the
    modern rules and scoring defaults, which the seed never had): companies (name and
    aliases; the seed knew no cashtags) in configuration order, each vetoed by its own
    exclusion phrases; keyword rules by descending weight; both lists stop once their
    running score reaches 100; proximity +20 from each company's positions and each
    keyword's first position; exclusion penalties halved in crypto context.
    """

    THRESHOLD = 100

    def __init__(self, watchlist: Watchlist) -> None:
        flags = re.IGNORECASE
        sc = watchlist.scoring

        def phrase(p: str) -> str:
            return r"\b" + re.escape(p) + r"\b"

        self.companies: list[tuple[str, int, re.Pattern[str], re.Pattern[str] | None]] = []
        for c in watchlist.companies:
            terms = sorted([c.name, *c.aliases], key=len, reverse=True)
            pat = re.compile(r"\b(" + "|".join(map(re.escape, terms)) + r")\b", flags)
            excl = (
                re.compile(r"\b(" + "|".join(map(re.escape, c.exclusions)) + r")\b", flags)
                if c.exclusions
                else None
            )
            score = sc.company_score + (sc.high_priority_bonus if c.priority == "HIGH" else 0)
            self.companies.append((c.name, score, pat, excl))
        ranked = sorted(range(len(watchlist.keywords)), key=lambda i: -watchlist.keywords[i].weight)
        self.keywords = [
            (
                watchlist.keywords[i].pattern,
                watchlist.keywords[i].weight,
                re.compile(
                    watchlist.keywords[i].pattern
                    if watchlist.keywords[i].regex
                    else phrase(watchlist.keywords[i].pattern),
                    flags,
                ),
            )
            for i in ranked
        ]
        self.exclusions = [
            (x.label, x.penalty, re.compile(x.pattern if x.regex else phrase(x.pattern), flags))
            for x in watchlist.exclusions
        ]
        self.context = [re.compile(phrase(t), flags) for t in watchlist.context_terms]
        self.proximity_distance = sc.proximity_distance
        self.proximity_boost = sc.proximity_boost
        self.threshold = sc.relevance_threshold

    def analyze(self, text: str) -> tuple[bool, int, tuple[str, ...]]:
        """``(is_relevant, confidence 0-100, matched companies)`` for one text."""
        companies: list[str] = []
        company_pos: list[list[int]] = []
        conf_c = 0
        for name, score, pat, excl in self.companies:
            positions = [m.start() for m in pat.finditer(text)]
            if positions and (excl is None or not excl.search(text)):
                companies.append(name)
                company_pos.append(positions)
                conf_c += score
                if conf_c >= self.THRESHOLD:
                    break
        keyword_pos: list[int] = []
        conf_k = 0
        for _, weight, pat in self.keywords:
            m = pat.search(text)
            if m:
                keyword_pos.append(m.start())
                conf_k += weight
                if conf_k >= self.THRESHOLD:
                    break
        boost = 0
        if any(
            abs(c - k) < self.proximity_distance
            for ps in company_pos
            for c in ps
            for k in keyword_pos
        ):
            boost = self.proximity_boost
        context = any(p.search(text) for p in self.context)
        penalty = 0
        for _, pen, pat in self.exclusions:
            if pat.search(text):
                penalty += pen // 2 if context else pen
        conf = max(0, min(100, conf_c + conf_k + boost - penalty))
        return conf >= self.threshold, conf, tuple(companies)


# ------------------------------------------------------------ pyahocorasick, full
class PyAhoMatcher:
    """tgematch's ``analyze``/``find`` contract implemented on pyahocorasick.

    The Python engine does everything but the scan: a pyahocorasick automaton over the
    compiled watchlist's literals finds them (``PythonEngine(literal_matches=...)``);
    combining gap parts and scoring are the Python engine's.
    """

    def __init__(self, watchlist: Watchlist) -> None:
        ahocorasick = require("ahocorasick", "pyahocorasick")
        self.watchlist = watchlist
        self.compiled = compile_watchlist(watchlist)
        literals = self.compiled.literals
        automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        for i, literal in enumerate(literals):
            automaton.add_word(literal, i)
        if literals:
            automaton.make_automaton()
        lens = [len(s) for s in literals]

        def literal_matches(collapsed: str) -> Iterator[tuple[int, int]]:
            for last, lid in automaton.iter(collapsed):
                yield last + 1 - lens[lid], lid

        self._automaton = automaton
        self._engine = PythonEngine(self.compiled, literal_matches=literal_matches)

    def analyze(self, content: str, title: str | None = None) -> Analysis:
        """Same result as :meth:`tgematch.Matcher.analyze`."""
        text = content if title is None else f"{title}\n{content}"
        return build_analysis(self._engine.analyze(text), self.watchlist, self.compiled)

    def find(self, text: str) -> list[Any]:
        """Same result as :meth:`tgematch.Matcher.find`."""
        return build_occurrences(self._engine.find(text), self.compiled)


# ------------------------------------------------------------------ raw matchers
def _raw_ahocorasick_rs(watchlist: Watchlist) -> Runner:
    ahocorasick_rs = require("ahocorasick_rs", "ahocorasick-rs")

    lits = compile_watchlist(watchlist).literals
    ac = ahocorasick_rs.AhoCorasick(lits)
    find = ac.find_matches_as_indexes

    def run(docs: Sequence[Doc]) -> list[Any]:
        out = []
        for doc in docs:
            text = doc_text(doc)
            folded = fold_space(text)
            out.append(
                _whole_word_hits(text, ((s, e) for _, s, e in find(folded, overlapping=True)))
            )
        return out

    return run


def _whole_word_hits(text: str, spans: Iterable[tuple[int, int]]) -> int:
    """How many raw ``(start, end)`` matches pass the whole-word check at both ends."""
    n, classes = len(text), CLASSES
    hits = 0
    for s, e in spans:
        if s and classes[ord(text[s - 1])] & classes[ord(text[s])] & GLUE:
            continue
        if e < n and classes[ord(text[e - 1])] & classes[ord(text[e])] & GLUE:
            continue
        hits += 1
    return hits


def _raw_pyahocorasick(watchlist: Watchlist) -> Runner:
    ahocorasick = require("ahocorasick", "pyahocorasick")

    lits = compile_watchlist(watchlist).literals
    automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    for lit in lits:
        automaton.add_word(lit, len(lit))
    automaton.make_automaton()

    def run(docs: Sequence[Doc]) -> list[Any]:
        out = []
        for doc in docs:
            text = doc_text(doc)
            spans = automaton.iter(fold_space(text))
            out.append(_whole_word_hits(text, ((e + 1 - k, e + 1) for e, k in spans)))
        return out

    return run


# bytes that are word characters in a whole-word check on UTF-8 bytes: ASCII [0-9A-Za-z_]
_WORD_BYTES = bytes(
    1 if (chr(b).isascii() and (chr(b).isalnum() or chr(b) == "_")) else 0 for b in range(256)
)


def _raw_hyperscan(watchlist: Watchlist) -> Runner:
    hyperscan = require("hyperscan", "hyperscan")

    lits = [s.encode("utf-8") for s in compile_watchlist(watchlist).literals]
    db = hyperscan.Database()
    db.compile(
        expressions=lits,
        ids=list(range(len(lits))),
        elements=len(lits),
        flags=hyperscan.HS_FLAG_CASELESS,
        literal=True,
    )
    lens = [len(b) for b in lits]
    word = _WORD_BYTES

    def on_match(i: int, _f: int, e: int, _fl: int, context: object) -> None:
        ctx: list[Any] = context  # type: ignore[assignment]
        data, n = ctx[0], ctx[1]
        s = e - lens[i]
        if s and word[data[s - 1]] and word[data[s]]:
            return
        if e < n and word[data[e - 1]] and word[data[e]]:
            return
        ctx[2] += 1

    def run(docs: Sequence[Doc]) -> list[Any]:
        out = []
        for doc in docs:
            data = doc_text(doc).encode("utf-8", "surrogatepass")
            ctx = [data, len(data), 0]
            db.scan(data, match_event_handler=on_match, context=ctx)
            out.append(ctx[2])
        return out

    return run
