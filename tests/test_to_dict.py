"""``to_dict()`` on every result type and ``dumps_many`` (issue 12, item 7)."""

from __future__ import annotations

import json
from typing import Any

import pytest

import tgematch
from tgematch.results import dumps_many

WATCHLIST = {
    "companies": [
        {"name": "Caldera", "tokens": ["CAL"], "exclusions": ["volcanic Caldera"]},
        {"name": "dogwifhat", "tokens": ["WIF"]},
        {"name": "Wifcopy", "tokens": ["WIF"]},
    ],
    "exclusion_rules": [{"pattern": "rug pull", "penalty": 5, "label": "scam"}],
}
TEXT = "Caldera TGE is live, $CAL claim portal open. $WIF up. rug pull? Curvance"


def _walk(value: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """The generic named-tuple walk: what every to_dict must equal."""

    def plain(v: Any) -> Any:
        if isinstance(v, tuple) and hasattr(v, "_fields"):
            return {k: plain(x) for k, x in zip(v._fields, v, strict=True)}
        if isinstance(v, tuple):
            return [plain(x) for x in v]
        return v

    out = plain(value)
    assert tuple(out) == fields
    return out  # type: ignore[no-any-return]


@pytest.fixture(params=["python", "native"])
def matcher(request: pytest.FixtureRequest) -> tgematch.Matcher:
    from backends import ensure_backend

    ensure_backend(request.param)
    return tgematch.Matcher(tgematch.Watchlist.from_dict(WATCHLIST), backend=request.param)


def test_every_result_type_has_field_names(matcher: tgematch.Matcher) -> None:
    a = matcher.analyze(TEXT)
    assert a.companies and a.keywords and a.exclusions and a.ambiguous
    assert a.to_dict() == _walk(a, a._fields)
    for hit in (*a.companies, *a.keywords, *a.exclusions):
        assert hit.to_dict() == _walk(hit, hit._fields)
    for occ in matcher.find(TEXT):
        assert occ.to_dict() == _walk(occ, occ._fields)
    assert json.loads(json.dumps(a.to_dict()))["companies"][0]["name"] == "Caldera"


def test_dumps_many_is_one_object_per_line(matcher: tgematch.Matcher) -> None:
    docs = [TEXT, "nothing here", "volcanic Caldera"]
    analyses = matcher.analyze_many(docs)
    lines = dumps_many(analyses).splitlines()
    assert [json.loads(line) for line in lines] == [a.to_dict() for a in analyses]
    occ = matcher.find(TEXT)
    assert [json.loads(x) for x in dumps_many(occ).splitlines()] == [o.to_dict() for o in occ]
    assert dumps_many([]) == ""
