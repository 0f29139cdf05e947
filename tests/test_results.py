"""Result objects built by the native engine: the same types and values as the Python
engine's, kept off the cyclic garbage collector's lists where that is sound, and a
results spec the engine cannot build from refused with a clear error."""

from __future__ import annotations

import gc
import pickle
from typing import Any, NamedTuple

import pytest
from backends import native_import_error

from tgematch import Matcher, Watchlist
from tgematch.results import results_spec

pytestmark = pytest.mark.skipif(native_import_error() is not None, reason="needs the native engine")

DOCS = [
    ("Caldera TGE is live! Claim $ERA at the claim portal. Caldera airdrop, caldera.", "t"),
    ("Fabric Protocol token generation event; the fabric softener is not it.", None),
    ("🚀\ud83d Succinct\u3000Labs\u00a0mainnet launch, testnet airdrop snapshot", "🎉"),
    ("nothing to see here", None),
]


def _tuples(obj: object) -> list[tuple[Any, ...]]:
    """Every tuple reachable from ``obj`` through tuples, ``obj`` included."""
    out: list[tuple[Any, ...]] = []
    todo = [obj]
    while todo:
        x = todo.pop()
        if isinstance(x, tuple):
            out.append(x)
            todo.extend(x)
    return out


@pytest.fixture(scope="module")
def matchers() -> tuple[Matcher, Matcher]:
    wl = Watchlist.example()
    return Matcher(wl, backend="native"), Matcher(wl, backend="python")


def test_native_results_equal_python_results_in_type_and_value(
    matchers: tuple[Matcher, Matcher],
) -> None:
    native, python = matchers
    for content, title in DOCS:
        a, b = native.analyze(content, title), python.analyze(content, title)
        assert a == b and hash(a) == hash(b)
        for x, y in zip(_tuples(a), _tuples(b), strict=True):
            assert type(x) is type(y)
        assert pickle.loads(pickle.dumps(a)) == a
        assert a.to_dict() == b.to_dict()
    assert any(native.analyze(c, t).companies for c, t in DOCS)


def test_native_results_are_untracked_and_survive_collections(
    matchers: tuple[Matcher, Matcher],
) -> None:
    native, python = matchers
    results = native.analyze_many(DOCS * 50, threads=2)
    nonempty = [a for a in results if a.companies]
    assert nonempty
    # Nothing in a non-empty result can be part of a reference cycle (its leaves are
    # ints, strs and bools), so no tuple in it is left for the collector to traverse.
    for a in nonempty:
        tuples = _tuples(a)
        assert len(tuples) > 5
        assert not any(gc.is_tracked(t) for t in tuples), a
    gc.collect()
    assert results == [python.analyze(c, t) for c, t in DOCS * 50]


def _spec(matcher: Matcher, **changes: object) -> dict[str, object]:
    spec = results_spec(matcher.watchlist, matcher.compiled, matcher.analyze(""))
    spec.update(changes)
    return spec


class _WithDict(tuple):  # type: ignore[type-arg]
    pass


class _Plain(NamedTuple):
    a: int


@pytest.mark.parametrize(
    ("key", "cls", "message"),
    [
        ("analysis", _WithDict, "analysis: expected tgematch.results.Analysis, got _WithDict"),
        ("company_hit", tuple, "company_hit: expected tgematch.results.CompanyHit, got tuple"),
        ("company_hit", _Plain, "company_hit: expected tgematch.results.CompanyHit, got _Plain"),
        ("keyword_hit", list, "keyword_hit: expected tgematch.results.KeywordHit, got list"),
        ("exclusion_hit", "ExclusionHit", "exclusion_hit: expected a class, got str"),
    ],
)
def test_result_classes_the_engine_cannot_build_are_refused(
    matchers: tuple[Matcher, Matcher], key: str, cls: object, message: str
) -> None:
    from tgematch import _native

    native, _ = matchers
    with pytest.raises(ValueError, match=f"malformed results spec: {message}"):
        _native.Engine(native.compiled.to_plain(), results=_spec(native, **{key: cls}))


def test_raw_batches_share_the_pipeline_and_equal_single_calls(
    matchers: tuple[Matcher, Matcher],
) -> None:
    from tgematch import _native

    native, _ = matchers
    engine = _native.Engine(native.compiled.to_plain())
    texts = [f"{t}\n{c}" if t is not None else c for c, t in DOCS] * 100
    expected = [engine.analyze(t) for t in texts]
    assert any(r[0] for r in expected)
    for threads in (1, 2, 3):
        assert engine.analyze_many(texts, threads) == expected
        assert engine.analyze_many(tuple(DOCS * 100), threads) == expected
        with pytest.raises(TypeError, match=r"texts\[250\] must be str, not int"):
            engine.analyze_many([*texts[:250], 7, *texts[250:]], threads)
