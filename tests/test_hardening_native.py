"""Hostile ``str`` subclasses and result classes at the engines' entry (issue 10, rows 1,
2 and the str-subclass part of row 12).

A ``str`` subclass can override every protocol: ``__len__`` (small, huge, raising),
``__iter__``, ``__getitem__``, ``__str__``, ``__format__``, ``isascii``, ``__hash__``,
``__eq__``, ``encode``, ... Both engines must read the string object's real characters
only, so every result equals the one for the plain ``str`` copy, on both engines, in
``analyze``, ``find`` and ``analyze_many`` (one and two threads), as content and as
title. The native reader once took the length from ``len()`` and exposed that many code
points of a reused buffer (stale characters of the previous document, or an abort for a
huge length); it once also accepted any heap tuple type, such as ``os.stat_result``, as
a result class and crashed building it. Crashes run in a subprocess so they show as a
failure rather than ending the test run.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

import pytest
from backends import available_backends, native_import_error, raw_engine
from hypothesis import given
from hypothesis import strategies as st

from tgematch import Matcher, Watchlist

needs_native = pytest.mark.skipif(
    native_import_error() is not None, reason="needs the native engine"
)

LIVE = "Caldera TGE is live – claim $ERA at the claim portal. Caldera airdrop. " * 20
FRAGMENTS = [
    "Caldera", "TGE", "is live", "Fabric Protocol", "token generation event", "é", "🚀",
    "\ud83d", " ", "\n", "Succinct Labs", "mainnet launch", "airdrop", "$ERA", "testnet",
    "\u3000", "İ", "ß", "softener", "caldera.", "claim portal", "x",
]  # fmt: skip


def _raise(*_: object) -> Any:
    raise ValueError("hostile")


# Each override lies about the string in a different way; a correct engine never
# notices any of them.
OVERRIDES: dict[str, dict[str, Any]] = {
    "len_small": {"__len__": lambda s: 1},
    "len_zero": {"__len__": lambda s: 0},
    "len_5000": {"__len__": lambda s: 5000},
    "len_huge": {"__len__": lambda s: sys.maxsize},
    "len_raises": {"__len__": _raise},
    "len_negative": {"__len__": lambda s: -1},
    "iter": {"__iter__": lambda s: iter("Caldera TGE is live")},
    "getitem": {"__getitem__": lambda s, i: "Caldera TGE "},
    "str": {"__str__": lambda s: "Caldera TGE is live"},
    "format": {"__format__": lambda s, spec: "Caldera TGE is live"},
    "repr": {"__repr__": lambda s: "Caldera TGE is live"},
    "isascii_true": {"isascii": lambda s: True},
    "isascii_false": {"isascii": lambda s: False},
    "isascii_raises": {"isascii": _raise},
    "hash": {"__hash__": lambda s: 0},
    "eq": {"__eq__": lambda s, o: True, "__ne__": lambda s, o: False},
    "contains": {"__contains__": lambda s, x: True},
    "encode": {"encode": lambda s, *a, **k: b"Caldera TGE is live"},
    "lower": {"lower": lambda s: "caldera tge", "casefold": lambda s: "caldera tge"},
    "translate": {"translate": lambda s, t: "Caldera TGE", "replace": lambda s, *a: "x"},
    "split": {"split": lambda s, *a: ["Caldera"], "splitlines": lambda s, *a: ["TGE"]},
    "find": {"find": lambda s, *a: 0, "index": lambda s, *a: 0, "count": lambda s, *a: 9},
    "add": {"__add__": lambda s, o: "Caldera TGE", "__radd__": lambda s, o: "Caldera TGE"},
}


def hostile(text: str, names: list[str]) -> str:
    """An instance of a ``str`` subclass holding ``text`` with the ``names`` overrides."""
    attrs: dict[str, Any] = {}
    for name in names:
        attrs.update(OVERRIDES[name])
    cls = type("Hostile_" + "_".join(names), (str,), attrs)
    return cls(text)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def matchers() -> dict[str, Matcher]:
    wl = Watchlist.example()
    return {b: Matcher(wl, backend=b) for b in available_backends()}


TEXTS = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=12).map(
    "".join
)
HOSTILITY = st.lists(st.sampled_from(sorted(OVERRIDES)), min_size=1, max_size=3, unique=True)


def _batch(content: str, title: str, make: Any) -> list[Any]:
    return [
        make(content),
        (make(content), make(title)),
        (make(content), None),
        {"content": make(content), "title": make(title)},
        {"content": make(content)},
        LIVE,
        make(content),
    ]


@given(content=TEXTS, title=TEXTS, names=HOSTILITY)
def test_hostile_str_subclasses_give_the_plain_strs_results_on_both_engines(
    matchers: dict[str, Matcher], content: str, title: str, names: list[str]
) -> None:
    results = {}
    for backend, m in matchers.items():
        m.analyze(LIVE)  # leaves code points of a long document in the reader's buffer

        def mk(s: str) -> str:
            return hostile(s, names)

        got = (
            m.analyze(mk(content)),
            m.analyze(mk(content), mk(title)),
            m.analyze(content, mk(title)),
            m.find(mk(content)),
            m.analyze_many(_batch(content, title, mk), threads=1),
            m.analyze_many(_batch(content, title, mk), threads=2),
        )
        plain = (
            m.analyze(content),
            m.analyze(content, title),
            m.analyze(content, title),
            m.find(content),
            m.analyze_many(_batch(content, title, str), threads=1),
            m.analyze_many(_batch(content, title, str), threads=2),
        )
        assert got == plain, (backend, names)
        results[backend] = got
    values = list(results.values())
    assert all(v == values[0] for v in values[1:])


@given(text=TEXTS, names=HOSTILITY)
def test_raw_engines_read_the_real_characters(
    matchers: dict[str, Matcher], text: str, names: list[str]
) -> None:
    outcomes = []
    for backend, m in matchers.items():
        engine = raw_engine(m.compiled, backend)
        engine.analyze(LIVE)
        h = hostile(text, names)
        got = (engine.analyze(h), engine.find(h), engine.analyze_many([h, LIVE, h], 1))
        assert got == (
            engine.analyze(text),
            engine.find(text),
            engine.analyze_many([text, LIVE, text], 1),
        )
        assert engine.analyze_many([h, LIVE, h], 2) == got[2]
        outcomes.append(got)
    assert all(o == outcomes[0] for o in outcomes[1:])


def test_a_lying_len_does_not_leak_the_previous_document(matchers: dict[str, Matcher]) -> None:
    """Row 1: ``len()`` of 5000 for ``'é'`` once gave Caldera at 100 positions."""
    for m in matchers.values():
        plain = m.analyze("é")
        for threads in (1, 2):
            m.analyze(LIVE)
            assert m.analyze(hostile("é", ["len_5000"])) == plain
            assert m.analyze_many([LIVE, hostile("é", ["len_5000"])] * 2, threads)[1] == plain
        assert not plain.companies and plain.confidence == 0


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@needs_native
@pytest.mark.parametrize("length", ["sys.maxsize", "2**40", "5000"])
def test_a_huge_len_does_not_abort_the_native_engine(length: str) -> None:
    """Row 1: a huge ``__len__`` once aborted the process (rc 134)."""
    proc = _run(
        f"""
        import sys
        from tgematch import Matcher, Watchlist
        m = Matcher(Watchlist.example(), backend="native")
        S = type("S", (str,), {{"__len__": lambda s: {length}}})
        m.analyze("Caldera TGE is live – " * 50)
        a = m.analyze(S("é"))
        b = m.analyze_many([S("é"), "Caldera TGE is live – " * 50, S("é")], threads=2)
        assert a == m.analyze("é") == b[0] == b[2], (a, b)
        print("ok")
        """
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", (proc.returncode, proc.stderr)


@needs_native
@pytest.mark.parametrize(
    ("key", "cls"),
    [
        ("analysis", "os.stat_result"),
        ("company_hit", "os.stat_result"),
        ("keyword_hit", "time.struct_time"),
        ("exclusion_hit", "os.terminal_size"),
        ("analysis", "type(sys.flags)"),
        ("company_hit", "collections.namedtuple('P', 'a b c d e')"),
    ],
)
def test_c_defined_and_foreign_result_classes_are_refused(key: str, cls: str) -> None:
    """Row 2: ``os.stat_result`` as a result class once segfaulted (rc 139)."""
    proc = _run(
        f"""
        import collections, os, sys, time
        from tgematch import Matcher, Watchlist, _native
        from tgematch.results import results_spec
        m = Matcher(Watchlist.example(), backend="native")
        spec = results_spec(m.watchlist, m.compiled, m.analyze(""))
        spec[{key!r}] = {cls}
        try:
            e = _native.Engine(m.compiled.to_plain(), results=spec)
            a = e.finished("Caldera TGE is live! Claim $ERA. The fabric softener is not it.")
            del a, e
        except ValueError as exc:
            print(exc)
        """
    )
    assert proc.returncode == 0, (proc.returncode, proc.stderr)
    assert proc.stdout.startswith(f"malformed results spec: {key}: expected tgematch.results."), (
        proc.stdout
    )


@needs_native
def test_native_batches_read_the_list_itself() -> None:
    """A list subclass lying about its length or items: both thread paths read the same
    (the real) elements; ``len()``/``__iter__`` once split the serial and threaded path."""
    from tgematch import _native

    m = Matcher(Watchlist.example(), backend="native")
    engine = _native.Engine(m.compiled.to_plain())
    docs = [LIVE, "é", "Fabric Protocol token generation event", "nothing"] * 3
    expected = [engine.analyze(d) for d in docs]
    lying: list[type[list[str]]] = [
        type("L0", (list,), {"__len__": lambda s: 0}),
        type("L1", (list,), {"__len__": lambda s: 10**6}),
        type("L2", (list,), {"__iter__": lambda s: iter(["Caldera TGE"])}),
        type("L3", (list,), {"__getitem__": lambda s, i: "Caldera TGE"}),
    ]
    for cls in lying:
        for threads in (1, 2):
            assert engine.analyze_many(cls(docs), threads) == expected, (cls, threads)


@needs_native
def test_native_build_time_grows_linearly_for_similar_names() -> None:
    """Row 23: 80,000 names ``Project {i}`` once took 14 times as long to build as 20,000
    (aho-corasick resolved its state shuffle in time quadratic in the names sharing a
    prefix); the ratio is measured in one run, never an absolute time."""
    import time

    from tgematch import _native
    from tgematch.compiled import compile_watchlist

    def plain(n: int) -> dict[str, Any]:
        wl = Watchlist.from_dict({"companies": [{"name": f"Project {i}"} for i in range(n)]})
        return compile_watchlist(wl).to_plain()  # type: ignore[no-any-return]

    def build_time(p: dict[str, Any]) -> float:
        best = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            _native.Engine(p)
            best = min(best, time.perf_counter() - t)
        return best

    small, large = plain(20_000), plain(80_000)
    ratio = build_time(large) / build_time(small)
    assert ratio <= 8, f"4x the names took {ratio:.1f}x the build time"


@pytest.mark.parametrize("base", [list, tuple])
def test_hostile_list_and_pair_subclasses_read_their_real_items(
    matchers: dict[str, Matcher], base: type
) -> None:
    """A batch or a (content, title) pair whose class lies about its items is read by
    its real items on both engines (the Matcher once honoured ``__iter__``/``__len__``
    on the Python engine while the native engine read the list itself)."""
    lying_batch = type(
        "LyingBatch",
        (base,),
        {"__iter__": lambda s: iter(["Fabric TGE"]), "__len__": lambda s: 1},
    )
    lying_pair = type(
        "LyingPair",
        (tuple,),
        {"__len__": lambda s: 3, "__getitem__": lambda s, i: "x", "__iter__": lambda s: iter("ab")},
    )
    docs = [LIVE, lying_pair((LIVE, "Caldera title")), "plain"]
    plain = [LIVE, (LIVE, "Caldera title"), "plain"]
    results = {}
    for name, m in matchers.items():
        for threads in (1, 2):
            got = m.analyze_many(lying_batch(docs), threads=threads)
            assert got == m.analyze_many(plain, threads=threads), (name, threads)
            results[(name, threads)] = got
    assert len({tuple(r) for r in results.values()}) == 1
