"""``tgematch.name_notes``: why each company phrase in a text matched or not (issue 11)."""

from __future__ import annotations

import pytest

import tgematch
from tgematch.name_notes import name_notes

WATCHLIST = {
    "builtins": False,
    "context_terms": [],
    "companies": [
        {"name": "Fabric", "aliases": ["Fabric Protocol"], "exclusions": ["fabric softener"]},
        {"name": "XAI", "aliases": ["Xai"]},
        {"name": "dogwifhat", "tokens": ["WIF"]},
        {"name": "Wifcopy", "tokens": ["WIF"]},
        {"name": "higher", "tokens": ["HIGHER"]},
    ],
}


@pytest.fixture(params=["python", "native"])
def matcher(request: pytest.FixtureRequest) -> tgematch.Matcher:
    from backends import ensure_backend

    ensure_backend(request.param)
    return tgematch.Matcher(tgematch.Watchlist.from_dict(WATCHLIST), backend=request.param)


def test_each_phrase_occurrence_says_why(matcher: tgematch.Matcher) -> None:
    text = "the fabric of it; Fabric is live. xAI, Xai. $WIF up; prices higher"
    notes = {(n.company, text[n.start : n.end]): n for n in name_notes(matcher, text)}
    assert notes[("Fabric", "fabric")].matched is False
    assert "exact case" in notes[("Fabric", "fabric")].reason
    assert notes[("Fabric", "Fabric")].matched is True
    assert notes[("XAI", "xAI")].matched is False and "short name" in notes[("XAI", "xAI")].reason
    assert notes[("XAI", "Xai")].matched is True
    wif = notes[("$wif", "$WIF")]
    assert wif.matched is False and "ambiguous" in wif.reason and "Wifcopy" in wif.reason
    assert notes[("higher", "higher")].matched is False
    assert "cashtags only" in notes[("higher", "higher")].reason
    # what the notes call matched is exactly what the analysis reports
    a = matcher.analyze(text)
    matched = {(n.company, n.start, n.end) for n in notes.values() if n.matched}
    assert matched == {(c.name, s, e) for c in a.companies for s, e in c.spans}


def test_a_named_claimant_gets_the_shared_cashtag(matcher: tgematch.Matcher) -> None:
    text = "dogwifhat $WIF"
    (tag,) = [n for n in name_notes(matcher, text) if n.company == "$wif"]
    assert tag.matched and "credited to the named dogwifhat" in tag.reason


def test_vetoed_and_seed_profile(matcher: tgematch.Matcher) -> None:
    (note,) = name_notes(matcher, "Fabric softener")
    assert (note.matched, note.reason) == (False, "vetoed by its own exclusion phrase")
    seed = tgematch.Matcher(tgematch.Watchlist.from_dict({**WATCHLIST, "profile": "seed"}))
    assert name_notes(seed, "the fabric of it") == []
