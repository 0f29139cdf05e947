"""One or more unit tests per clause of the matching contract (and docs/matching.md).

Every test runs on every backend (the ``backend`` fixture) and states its expected
values from the contract, computed by hand: offsets are written out or found with
``str.index`` on the literal test text, never taken from an engine.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from backends import make_matcher

import tgematch

# ----------------------------------------------------------------------------- helpers


def wl(
    companies: list[dict[str, Any]] | None = None,
    keywords: Any = None,
    *,
    builtins: bool = False,
    context_terms: list[str] | None = None,
    profile: str = "seed",
    **extra: Any,
) -> dict[str, Any]:
    """A from_dict watchlist of the contract's (seed) semantics; no built-ins and no
    context terms unless asked for."""
    d: dict[str, Any] = {
        "profile": profile,
        "companies": companies or [],
        "keywords": keywords or [],
        "builtins": builtins,
        "context_terms": [] if context_terms is None else context_terms,
    }
    d.update(extra)
    return d


def occ(m: Any, text: str, kind: str | None = None) -> list[tuple[str, str, int, int]]:
    """``Matcher.find`` as plain tuples, optionally of one kind."""
    return [(o.kind, o.id, o.start, o.end) for o in m.find(text) if kind is None or o.kind == kind]


def company_spans(m: Any, text: str, name: str) -> list[tuple[int, int]]:
    """Spans of company ``name`` in ``find`` (kind "company")."""
    return [(s, e) for k, i, s, e in occ(m, text, "company") if i == name]


CALDERA = {"name": "Caldera", "aliases": ["Caldera Labs"], "priority": "HIGH"}


# ------------------------------------------------------------------ §1 text model


def test_offsets_after_emoji(backend: str) -> None:
    m = make_matcher(wl([{"name": "Caldera"}]), backend)
    text = "🚀🚀 Caldera 🚀"
    assert occ(m, text) == [("company", "Caldera", 3, 10)]
    assert text[3:10] == "Caldera"


def test_offsets_after_lone_surrogate(backend: str) -> None:
    lone = json.loads('"\\ud83d"')
    assert len(lone) == 1
    m = make_matcher(wl([{"name": "Caldera"}]), backend)
    text = lone + " Caldera " + lone + "Caldera" + lone
    # the surrogate is not a word character: it glues to nothing
    assert occ(m, text) == [("company", "Caldera", 2, 9), ("company", "Caldera", 11, 18)]


def test_surrogate_pair_as_two_code_points(backend: str) -> None:
    # two lone surrogates that would form a pair in UTF-16 stay two code points
    pair = json.loads('"\\ud83d"') + json.loads('"\\ude80"')
    assert len(pair) == 2
    m = make_matcher(wl([{"name": "Caldera"}]), backend)
    text = pair + "Caldera"
    assert occ(m, text) == [("company", "Caldera", 2, 9)]


def test_surrogate_in_text_is_not_a_word_character(backend: str) -> None:
    # A watchlist refuses phrases with lone surrogates (test_hardening_watchlist), so a
    # surrogate in a text is only ever a non-word neighbour.
    m = make_matcher(wl([{"name": "B"}]), backend)
    assert occ(m, "x A\udc00B y") == [("company", "B", 4, 5)]
    assert occ(m, "x \udc00B\udc01 y") == [("company", "B", 3, 4)]


def test_nul_and_control_characters(backend: str) -> None:
    m = make_matcher(wl([{"name": "Caldera"}]), backend)
    assert occ(m, "\x00Caldera\x00") == [("company", "Caldera", 1, 8)]


def test_empty_text(backend: str) -> None:
    m = make_matcher(wl([{"name": "Caldera"}], ["TGE"]), backend)
    assert m.find("") == []
    a = m.analyze("")
    assert a.confidence == 0 and not a.is_relevant and a.companies == () and a.keywords == ()


# ------------------------------------------------------------------ §2 phrases


@pytest.mark.parametrize(
    "sep",
    [" ", "\u00a0", "\t", "\t\t", "\n", " \n \t ", "\u3000", "\u2003", "\r\n", "\x1c", "\x85"],
)
def test_flexible_whitespace_between_words(backend: str, sep: str) -> None:
    m = make_matcher(wl([{"name": "Caldera Labs"}]), backend)
    text = "see Caldera" + sep + "Labs."
    assert occ(m, text) == [("company", "Caldera Labs", 4, 4 + 7 + len(sep) + 4)]


def test_phrase_whitespace_is_normalised(backend: str) -> None:
    m = make_matcher(wl([{"name": "  Caldera \t\u00a0 Labs\n"}]), backend)
    assert [(s, e) for _k, _i, s, e in occ(m, "Caldera Labs")] == [(0, 12)]


def test_space_must_be_present(backend: str) -> None:
    m = make_matcher(wl([{"name": "Caldera Labs"}]), backend)
    assert occ(m, "CalderaLabs") == []
    assert occ(m, "Caldera-Labs") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("xCaldera", []),
        ("Caldera_", []),
        ("_Caldera", []),
        ("Calderaé", []),
        ("éCaldera", []),
        ("Caldera2", []),
        ("2Caldera", []),
        ("Caldera.", [(0, 7)]),
        ("(Caldera)", [(1, 8)]),
        ("Caldera's", [(0, 7)]),
        ("#Caldera", [(1, 8)]),
        ("Caldera-Labs", [(0, 7)]),
        ("Caldera\u0301", [(0, 7)]),  # a combining mark is not a word character
    ],
)
def test_whole_word(backend: str, text: str, expected: list[tuple[int, int]]) -> None:
    m = make_matcher(wl([{"name": "Caldera"}]), backend)
    assert company_spans(m, text, "Caldera") == expected


def test_dotted_istanbul(backend: str) -> None:
    # fold(U+0130) is U+0130 (its lowercase has two characters)
    lower = make_matcher(wl([{"name": "istanbul"}]), backend)
    assert occ(lower, "İstanbul") == []
    assert occ(lower, "ISTANBUL") == [("company", "istanbul", 0, 8)]
    dotted = make_matcher(wl([{"name": "İstanbul"}]), backend)
    assert occ(dotted, "İSTANBUL") == [("company", "İstanbul", 0, 8)]
    assert occ(dotted, "in İstanbul") == [("company", "İstanbul", 3, 11)]
    assert occ(dotted, "istanbul") == []
    assert occ(dotted, "ISTANBUL") == []
    assert occ(dotted, "xİstanbul") == []  # İ is a word character


def test_simple_folding_only(backend: str) -> None:
    # Kelvin sign and capital sharp s lower to one character; final sigma is not unified
    m = make_matcher(wl([{"name": "kelvin"}, {"name": "straße"}, {"name": "οδος"}]), backend)
    assert occ(m, "\u212aELVIN") == [("company", "kelvin", 0, 6)]
    assert occ(m, "STRAẞE") == [("company", "straße", 0, 6)]
    assert occ(m, "STRASSE") == []
    assert occ(m, "ΟΔΟΣ") == []  # folds to "οδοσ", not "οδος"
    assert occ(m, "οδος") == [("company", "οδος", 0, 4)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("buy $CAL now", [(4, 8)]),
        ("x$CAL", [(1, 5)]),  # 'x' and '$' are not glued
        ("$cal", [(0, 4)]),
        ("($CAL)", [(1, 5)]),
        ("$CALx", []),
        ("$CAL_", []),
        ("$ CAL", []),
        ("CAL", []),
    ],
)
def test_cashtag(backend: str, text: str, expected: list[tuple[int, int]]) -> None:
    m = make_matcher(wl([{"name": "Caldera", "tokens": ["CAL"]}]), backend)
    assert company_spans(m, text, "Caldera") == expected


def test_cashtag_token_with_dollar_kept(backend: str) -> None:
    m = make_matcher(wl([{"name": "Caldera", "tokens": ["$CAL"]}]), backend)
    assert company_spans(m, "buy $CAL", "Caldera") == [(4, 8)]
    assert company_spans(m, "buy $$CAL", "Caldera") == [(5, 9)]


def test_no_space_scripts(backend: str) -> None:
    m = make_matcher(wl([{"name": "USELESS"}, {"name": "比特币"}, {"name": "Solana"}]), backend)
    assert occ(m, "USELESSコイン") == [("company", "USELESS", 0, 7)]
    assert occ(m, "USELESS는 좋다") == [("company", "USELESS", 0, 7)]
    zh = "我今天买了比特币和以太坊"
    start = zh.index("比特币")
    assert occ(m, zh) == [("company", "比特币", start, start + 3)]
    assert occ(m, "ราคาSolanaวันนี้") == [("company", "Solana", 4, 10)]
    assert occ(m, "USELESScoin") == []
    assert occ(m, "USELESSé") == []


def test_overlapping_aliases(backend: str) -> None:
    m = make_matcher(wl([CALDERA]), backend)
    text = "Caldera Labs and Caldera"
    assert occ(m, text) == [
        ("company", "Caldera", 0, 7),
        ("company", "Caldera", 0, 12),
        ("company", "Caldera", 17, 24),
    ]
    a = m.analyze(text)
    (hit,) = a.companies
    assert hit.name == "Caldera" and hit.priority == "HIGH" and hit.score == 30
    assert hit.positions == (0, 17)  # sorted distinct starts
    assert hit.spans == ((0, 7), (0, 12), (17, 24))


def test_overlapping_occurrences_of_one_phrase(backend: str) -> None:
    m = make_matcher(wl([{"name": "ab ab"}]), backend)
    assert [(s, e) for _k, _i, s, e in occ(m, "ab ab ab")] == [(0, 5), (3, 8)]


def test_same_phrase_two_kinds_sorted_by_kind(backend: str) -> None:
    m = make_matcher(wl([{"name": "Caldera"}], ["Caldera"], context_terms=["caldera"]), backend)
    assert occ(m, "Caldera") == [
        ("company", "Caldera", 0, 7),
        ("keyword", "Caldera", 0, 7),
        ("context", "caldera", 0, 7),
    ]


def test_find_sorted_by_start_end(backend: str) -> None:
    m = make_matcher(wl([{"name": "B"}, {"name": "A B", "aliases": ["A"]}]), backend)
    assert occ(m, "A B") == [
        ("company", "A B", 0, 1),
        ("company", "A B", 0, 3),
        ("company", "B", 2, 3),
    ]


def test_phrase_is_never_a_regex(backend: str) -> None:
    m = make_matcher(wl([{"name": "USD.ai"}], ["check if you're eligible"]), backend)
    assert occ(m, "USDxai") == []
    assert occ(m, "USD.AI") == [("company", "USD.ai", 0, 6)]
    assert occ(m, "check if you’re eligible") == []  # typographic apostrophe differs
    assert occ(m, "Check if YOU'RE eligible!") == [("keyword", "check if you're eligible", 0, 24)]


# ------------------------------------------------------------------ §3 patterns


def test_gap_pattern_same_line_and_nearest_end(backend: str) -> None:
    m = make_matcher(wl(keywords=["announcing.*token"]), backend)
    assert occ(m, "announcing the token") == [("keyword", "announcing.*token", 0, 20)]
    assert occ(m, "announcing token and token") == [("keyword", "announcing.*token", 0, 16)]
    assert occ(m, "announcing\ntoken") == []
    assert occ(m, "announcing\r token") == [("keyword", "announcing.*token", 0, 17)]
    assert occ(m, "announcing tokens") == []
    assert occ(m, "announcingtoken") == []
    assert occ(m, "announcing announcing token") == [
        ("keyword", "announcing.*token", 0, 27),
        ("keyword", "announcing.*token", 11, 27),
    ]


def test_gap_bounded_distance(backend: str) -> None:
    m = make_matcher(wl(keywords=["announcing.*token"]), backend)
    ok = "announcing" + " " * 200 + "token"
    assert occ(m, ok) == [("keyword", "announcing.*token", 0, 215)]
    assert occ(m, "announcing" + " " * 201 + "token") == []
    small = make_matcher(wl(keywords=["announcing.*token"], scoring={"max_gap": 3}), backend)
    assert occ(small, "announcing  a token") == []  # "token" starts 4 after the end
    assert occ(small, "announcing  token") == [("keyword", "announcing.*token", 0, 17)]


def test_gap_parts_must_not_overlap(backend: str) -> None:
    m = make_matcher(wl(keywords=["ab.*ab"]), backend)
    assert occ(m, "ab ab") == [("keyword", "ab.*ab", 0, 5)]
    assert occ(m, "ab") == []


def test_gap_parts_keep_word_checks(backend: str) -> None:
    m = make_matcher(wl(keywords=["token.*launch"]), backend)
    # "token" ends where "-launch" begins the gap; parts keep their own word checks
    assert occ(m, "token-launch") == [("keyword", "token.*launch", 0, 12)]
    assert occ(m, "tokenlaunch") == []


def test_not_followed_by_builtin_testnet(backend: str) -> None:
    m = make_matcher(wl(builtins=True), backend)
    assert occ(m, "testnet to mainnet", "exclusion") == []
    assert occ(m, "testnet  to\tmainnet", "exclusion") == []
    assert occ(m, "testnet to mainnets", "exclusion") == []  # no word check in lookahead
    assert occ(m, "testnet", "exclusion") == [("exclusion", "testnet", 0, 7)]
    assert occ(m, "Test Net tomorrow", "exclusion") == [("exclusion", "testnet", 0, 8)]
    assert occ(m, "testnet to the mainnet", "exclusion") == [("exclusion", "testnet", 0, 7)]
    assert occ(m, "game tokenomics", "exclusion") == []
    assert occ(m, "a game token.", "exclusion") == [("exclusion", "game_token", 2, 12)]


def test_word_opt_out_and_optional_groups(backend: str) -> None:
    m = make_matcher(wl(keywords=[r"launch\w*", r"tge\s+(is\s+)?live", r"\w*coin"]), backend)
    assert occ(m, "launched") == [("keyword", r"launch\w*", 0, 6)]
    assert occ(m, "relaunch") == []
    assert occ(m, "TGE is live") == [("keyword", r"tge\s+(is\s+)?live", 0, 11)]
    assert occ(m, "tge live") == [("keyword", r"tge\s+(is\s+)?live", 0, 8)]
    assert occ(m, "bitcoin") == [("keyword", r"\w*coin", 3, 7)]
    assert occ(m, "coins") == []


def test_optional_whitespace_pattern(backend: str) -> None:
    m = make_matcher(wl(keywords=[r"layer\s*2"]), backend)
    assert occ(m, "layer2 layer 2 layer\n\n2") == [
        ("keyword", r"layer\s*2", 0, 6),
        ("keyword", r"layer\s*2", 7, 14),
        ("keyword", r"layer\s*2", 15, 23),
    ]


# ------------------------------------------------------------------ §4 scoring


def test_veto_suppresses_company(backend: str) -> None:
    m = make_matcher(
        wl([{"name": "Caldera", "exclusions": ["volcanic caldera"], "priority": "HIGH"}]),
        backend,
    )
    text = "Caldera raised money. Unrelated: the volcanic caldera erupted."
    a = m.analyze(text)
    assert a.companies == ()
    assert a.vetoed == ("Caldera",)
    assert a.company_score == 0
    kinds = [(k, i) for k, i, _s, _e in occ(m, text)]
    assert ("company_exclusion", "Caldera") in kinds and ("company", "Caldera") in kinds
    b = m.analyze("Caldera raised money.")
    assert b.vetoed == () and [c.name for c in b.companies] == ["Caldera"]
    assert b.company_score == 30


def test_veto_without_company_occurrence_not_reported(backend: str) -> None:
    m = make_matcher(wl([{"name": "Caldera", "exclusions": ["volcano"]}]), backend)
    a = m.analyze("a volcano")
    assert a.vetoed == () and a.companies == ()


def test_company_scores(backend: str) -> None:
    m = make_matcher(
        wl(
            [
                {"name": "Alpha", "priority": "high"},
                {"name": "Beta"},
                {"name": "Gamma", "priority": "LOW"},
            ]
        ),
        backend,
    )
    a = m.analyze("Alpha Beta Gamma")
    assert [(c.name, c.priority, c.score) for c in a.companies] == [
        ("Alpha", "HIGH", 30),
        ("Beta", "MEDIUM", 20),
        ("Gamma", "LOW", 20),
    ]
    assert a.company_score == 70


def test_keyword_counted_once(backend: str) -> None:
    m = make_matcher(wl(keywords=["TGE"]), backend)
    a = m.analyze("TGE tge TGE")
    (kw,) = a.keywords
    assert kw.pattern == "TGE" and kw.weight == 15
    assert kw.positions == (0, 4, 8)
    assert a.keyword_score == 15


def test_keyword_tiers(backend: str) -> None:
    m = make_matcher(
        wl(keywords={"high": ["alpha"], "medium": ["beta"], "low": ["gamma"]}), backend
    )
    a = m.analyze("gamma beta alpha")
    assert {k.pattern: k.weight for k in a.keywords} == {"alpha": 25, "beta": 15, "gamma": 5}
    assert a.keyword_score == 45
    tables = make_matcher(
        wl(
            keywords={"high": [{"pattern": "alpha"}, {"pattern": "beta", "weight": 7}]},
            keyword_weights={"high": 30},
        ),
        backend,
    )
    b = tables.analyze("alpha beta")
    assert [(k.pattern, k.weight) for k in b.keywords] == [("alpha", 30), ("beta", 7)]
    plain = make_matcher(
        wl(keywords=["x", {"pattern": "y"}], scoring={"keyword_weight": 4}), backend
    )
    assert [k.weight for k in plain.analyze("x y").keywords] == [4, 4]


@pytest.mark.parametrize(("gap", "boost"), [(192, 20), (193, 0)])
def test_proximity_threshold(backend: str, gap: int, boost: int) -> None:
    m = make_matcher(wl([{"name": "Caldera"}], ["TGE"]), backend)
    text = "Caldera" + " " * gap + "TGE"
    assert text.index("TGE") == 7 + gap  # 199 or 200
    a = m.analyze(text)
    assert a.proximity_boost == boost
    rev = "TGE" + " " * (gap + 4) + "Caldera"  # Caldera starts at 199 or 200
    assert m.analyze(rev).proximity_boost == boost


def test_proximity_ignores_vetoed_company(backend: str) -> None:
    m = make_matcher(wl([{"name": "Caldera", "exclusions": ["lava"]}], ["TGE"]), backend)
    assert m.analyze("Caldera TGE lava").proximity_boost == 0


def test_crypto_context_halves_penalties(backend: str) -> None:
    rules = [{"pattern": "rug pull", "penalty": 7, "label": "rug"}]
    m = make_matcher(wl(context_terms=["crypto"], exclusion_rules=rules), backend)
    a = m.analyze("a rug pull")
    assert not a.crypto_context and a.penalty == 7
    assert [(x.label, x.penalty) for x in a.exclusions] == [("rug", 7)]
    b = m.analyze("a crypto rug pull")
    assert b.crypto_context and b.penalty == 3  # 7 // 2
    assert [(x.label, x.penalty) for x in b.exclusions] == [("rug", 3)]
    off = make_matcher(
        wl(
            context_terms=["crypto"],
            exclusion_rules=rules,
            scoring={"halve_penalty_with_context": False},
        ),
        backend,
    )
    assert off.analyze("a crypto rug pull").penalty == 7


def test_context_terms_whole_word(backend: str) -> None:
    m = make_matcher(wl(), backend)  # explicit empty list: no context at all
    assert not m.analyze("crypto blockchain").crypto_context
    d = make_matcher({"companies": [], "builtins": False}, backend)  # default terms
    assert d.analyze("a layer2 thing").crypto_context
    assert d.analyze("Layer  2").crypto_context
    assert d.analyze("Smart\ncontract").crypto_context
    assert not d.analyze("cryptography").crypto_context
    assert not d.analyze("protocols").crypto_context


def test_exclusion_phrase_default_penalty_and_label(backend: str) -> None:
    m = make_matcher(wl(exclusion_phrases=["meme coin"]), backend)
    a = m.analyze("a MEME   coin")
    assert [(x.label, x.pattern, x.penalty, x.positions) for x in a.exclusions] == [
        ("meme coin", "meme coin", 10, (2,))
    ]
    assert a.exclusions[0].spans == ((2, 13),)


def test_confidence_clamped(backend: str) -> None:
    rules = [{"pattern": "scam", "penalty": 500, "label": "scam"}]
    m = make_matcher(wl([{"name": "Caldera"}], exclusion_rules=rules), backend)
    a = m.analyze("Caldera scam")
    assert a.company_score == 20 and a.penalty == 500 and a.confidence == 0
    assert not a.is_relevant
    many = make_matcher(
        wl([{"name": f"C{i}", "priority": "HIGH"} for i in range(5)], ["TGE"]), backend
    )
    b = many.analyze("C0 C1 C2 C3 C4 TGE")
    assert b.company_score == 150 and b.keyword_score == 15 and b.proximity_boost == 20
    assert b.confidence == 100 and b.is_relevant


def test_relevance_threshold(backend: str) -> None:
    m = make_matcher(wl([{"name": "Caldera", "priority": "HIGH"}], ["TGE"]), backend)
    a = m.analyze("Caldera" + " " * 300 + "TGE")  # 30 + 15, no proximity
    assert a.confidence == 45 and not a.is_relevant
    b = m.analyze("Caldera TGE")  # 30 + 15 + 20
    assert b.confidence == 65 and b.is_relevant
    c = make_matcher(
        wl([{"name": "Caldera"}], ["TGE"], scoring={"relevance_threshold": 35}), backend
    ).analyze("Caldera" + " " * 300 + "TGE")
    assert c.confidence == 35 and c.is_relevant


def test_analyze_with_title(backend: str) -> None:
    m = make_matcher(wl([{"name": "Caldera"}], ["TGE"]), backend)
    a = m.analyze("TGE soon", title="Caldera")
    # scanned text is "Caldera\nTGE soon"
    assert a.companies[0].positions == (0,)
    assert a.keywords[0].positions == (8,)
    b = m.analyze("Caldera", title=None)
    assert b.companies[0].positions == (0,)
    c = m.analyze("x", title="")  # "\nx"
    assert c.companies == ()
    d = make_matcher(wl([CALDERA]), backend).analyze("Labs", title="Caldera")
    assert d.companies[0].spans == ((0, 7), (0, 12))  # the "\n" is flexible whitespace


def test_builtin_keywords_and_weights(backend: str) -> None:
    m = make_matcher(wl(builtins=True), backend)
    a = m.analyze("The Token Generation Event is here; claim your tokens today!")
    assert {k.pattern: k.weight for k in a.keywords} == {
        r"token\s+generation\s+event": 45,
        r"claim\s+(your\s+)?tokens?\s+(now|today)": 40,
    }
    assert a.keyword_score == 85


SEED_COMPANIES = [
    {"name": "Caldera", "aliases": ["Caldera Labs"], "priority": "HIGH"},
    {"name": "Fabric", "aliases": ["Fabric Protocol"], "priority": "MEDIUM"},
]
SEED_KEYWORDS = ["TGE", "token launch", "airdrop"]
SEED_TEXT = (
    "Exciting news! Caldera is launching their TGE next week. The token launch date is confirmed."
)


def test_seed_demo_compat(backend: str) -> None:
    pm = tgematch.OptimizedPatternMatcher(SEED_COMPANIES, SEED_KEYWORDS, backend=backend)
    assert pm.match_companies(SEED_TEXT) == (["Caldera"], 30, {"Caldera": [15]})
    kws, score, pos = pm.match_keywords(SEED_TEXT)
    assert kws == [r"token\s+launch\s+date", "TGE", "token launch"]
    assert score == 65
    assert pos == {
        r"token\s+launch\s+date": [SEED_TEXT.index("token launch date")],
        "TGE": [SEED_TEXT.index("TGE")],
        "token launch": [SEED_TEXT.index("token launch")],
    }


def test_seed_demo_early_termination(backend: str) -> None:
    pm = tgematch.OptimizedPatternMatcher(SEED_COMPANIES, SEED_KEYWORDS, backend=backend)
    # threshold 40: token\s+launch\s+date (35) then TGE (15) reaches 50 >= 40: stop
    assert pm.match_keywords(SEED_TEXT, confidence_threshold=40)[:2] == (
        [r"token\s+launch\s+date", "TGE"],
        50,
    )
    assert pm.match_keywords(SEED_TEXT, confidence_threshold=35)[:2] == (
        [r"token\s+launch\s+date"],
        35,
    )
    text = "Fabric Protocol and Caldera Labs"
    assert pm.match_companies(text, confidence_threshold=30) == (
        ["Caldera"],
        30,
        {"Caldera": [20]},
    )
    assert pm.match_companies(text) == (
        ["Caldera", "Fabric"],
        50,
        {"Caldera": [20], "Fabric": [0]},
    )


def test_seed_demo_modern(backend: str) -> None:
    m = tgematch.Matcher(tgematch.Watchlist.from_seed(SEED_COMPANIES, SEED_KEYWORDS), backend)
    a = m.analyze(SEED_TEXT)
    assert [(c.name, c.score, c.positions) for c in a.companies] == [("Caldera", 30, (15,))]
    assert [(k.pattern, k.weight) for k in a.keywords] == [
        (r"token\s+launch\s+date", 35),
        ("TGE", 15),
        ("token launch", 15),
    ]
    assert (a.company_score, a.keyword_score, a.proximity_boost, a.penalty) == (30, 65, 20, 0)
    assert a.confidence == 100 and a.is_relevant and not a.crypto_context


def test_backend_property_and_default(backend: str) -> None:
    m = make_matcher(wl(), backend)
    assert m.backend == backend
    assert tgematch.default_backend() in ("native", "python")


def test_auto_backend_prefers_native(clean_backend_env: None) -> None:
    from backends import native_import_error

    expected = "native" if native_import_error() is None else "python"
    assert tgematch.default_backend() == expected
    assert tgematch.Matcher(tgematch.Watchlist.from_dict(wl())).backend == expected
    assert tgematch.Matcher(tgematch.Watchlist.from_dict(wl()), backend="auto").backend == expected


def test_env_backend_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TGEMATCH_BACKEND", "python")
    assert tgematch.default_backend() == "python"
    assert tgematch.Matcher(tgematch.Watchlist.from_dict(wl())).backend == "python"


def test_unknown_backend_rejected() -> None:
    with pytest.raises(ValueError, match="bogus"):
        tgematch.Matcher(tgematch.Watchlist.from_dict(wl()), backend="bogus")


def test_analyze_many_and_iter(backend: str) -> None:
    m = make_matcher(wl([{"name": "Caldera"}], ["TGE"]), backend)
    docs = ["Caldera TGE", "nothing", "TGE", "Caldera"] * 5
    expected = [m.analyze(d) for d in docs]
    assert m.analyze_many(docs) == expected
    assert m.analyze_many(docs, threads=2) == expected
    assert list(m.iter_analyze(iter(docs), batch_size=3)) == expected
    assert m.analyze_many([]) == []
    pairs = [("TGE soon", "Caldera"), ("x", None)]
    want = [m.analyze("TGE soon", "Caldera"), m.analyze("x")]
    assert m.analyze_many(pairs) == want
    assert m.analyze_many([{"content": "TGE soon", "title": "Caldera"}, {"content": "x"}]) == want
    assert list(m.iter_analyze(pairs, batch_size=1)) == want


def test_gap_occurrences_distinct(backend: str) -> None:
    # two first-part occurrences with the same start ("a", "a b") reach the same end:
    # one occurrence (docs §4: an occurrence per distinct (s0, end); §6: distinct)
    m = make_matcher(wl(keywords=[r"a(\s+b)?.*c"]), backend)
    assert occ(m, "a b c") == [("keyword", r"a(\s+b)?.*c", 0, 5)]
    (kw,) = m.analyze("a b c").keywords
    assert kw.spans == ((0, 5),) and kw.positions == (0,)


def test_scoring_parameters(backend: str) -> None:
    scoring = {
        "company_score": 5,
        "high_priority_bonus": 1,
        "proximity_boost": 3,
        "proximity_distance": 10,
        "exclusion_penalty": 9,
        "relevance_threshold": 10,
    }
    m = make_matcher(
        wl(
            [{"name": "Alpha", "priority": "HIGH"}, {"name": "Beta"}],
            ["TGE"],
            exclusion_phrases=["scam"],
            scoring=scoring,
        ),
        backend,
    )
    a = m.analyze("Alpha TGE Beta scam")
    assert [(c.name, c.score) for c in a.companies] == [("Alpha", 6), ("Beta", 5)]
    # Alpha@0 / TGE@6 differ by 6 < 10
    assert (a.company_score, a.keyword_score, a.proximity_boost, a.penalty) == (11, 15, 3, 9)
    assert a.confidence == 20 and a.is_relevant
    far = m.analyze("Alpha" + " " * 10 + "TGE")  # TGE@15: 15 >= 10, no boost
    assert far.proximity_boost == 0 and far.confidence == 21
