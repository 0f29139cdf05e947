"""The seed-compatible ``OptimizedPatternMatcher`` in detail (contract §4).

Signatures and defaults, return shapes, early termination (companies in configuration
order; keywords by descending weight, ties in configuration order; stop once the running
score reaches the threshold), ``analyze_content_relevance`` scoring from the truncated
lists, and position dicts holding the sorted distinct starts of all occurrences.
"""

from __future__ import annotations

import inspect
import pickle
from typing import Any

import pytest

import tgematch

SEED_COMPANIES: list[dict[str, Any]] = [
    {"name": "Caldera", "aliases": ["Caldera Labs"], "tokens": ["CAL"], "priority": "HIGH"},
    {"name": "Fabric", "aliases": ["Fabric Protocol"], "priority": "MEDIUM"},
]
SEED_KEYWORDS = ["TGE", "token launch", "airdrop"]
GREEK = [{"name": n, "priority": "HIGH"} for n in ("Alpha", "Beta", "Gamma", "Delta", "Epsilon")]


def pm_for(backend: str, companies: Any = None, keywords: Any = None) -> Any:
    """A seed matcher on ``backend``."""
    return tgematch.OptimizedPatternMatcher(
        SEED_COMPANIES if companies is None else companies,
        SEED_KEYWORDS if keywords is None else keywords,
        backend=backend,
    )


def test_signatures() -> None:
    cls = tgematch.OptimizedPatternMatcher

    def params(fn: Any) -> list[tuple[str, Any]]:
        return [
            (p.name, p.default)
            for p in inspect.signature(fn).parameters.values()
            if p.name != "self"
        ]

    empty = inspect.Parameter.empty
    assert params(cls.__init__)[:2] == [("companies", empty), ("keywords", empty)]
    assert params(cls.match_companies) == [("text", empty), ("confidence_threshold", 100)]
    assert params(cls.match_keywords) == [("text", empty), ("confidence_threshold", 100)]
    assert params(cls.check_proximity) == [
        ("company_positions", empty),
        ("keyword_positions", empty),
        ("max_distance", 200),
    ]
    assert params(cls.detect_exclusions) == [("text", empty), ("has_crypto_context", False)]
    assert params(cls.has_crypto_context) == [("text_hash", empty), ("text", empty)]
    assert params(cls.analyze_content_relevance) == [("content", empty), ("title", empty)]


def test_return_shapes(backend: str) -> None:
    pm = pm_for(backend)
    text = "Caldera TGE on the blockchain, testnet"
    names, score, pos = pm.match_companies(text)
    assert isinstance(names, list) and isinstance(score, int) and isinstance(pos, dict)
    assert all(isinstance(v, list) and all(isinstance(i, int) for i in v) for v in pos.values())
    kws, kscore, kpos = pm.match_keywords(text)
    assert isinstance(kws, list) and isinstance(kscore, int) and isinstance(kpos, dict)
    assert isinstance(pm.check_proximity(pos, kpos), int)
    penalty, labels = pm.detect_exclusions(text)
    assert isinstance(penalty, int) and labels == ["testnet"]
    assert pm.has_crypto_context("any-hash", text) is True
    relevant, conf, info = pm.analyze_content_relevance(text, "Title")
    assert isinstance(relevant, bool) and isinstance(conf, float)
    assert set(info) == {
        "matched_companies",
        "matched_keywords",
        "confidence",
        "signals",
        "exclusions",
    }
    assert isinstance(info["signals"], list) and all(isinstance(s, str) for s in info["signals"])
    assert conf == info["confidence"] / 100


def test_companies_config_order_and_early_termination(backend: str) -> None:
    pm = pm_for(backend, GREEK, [])
    text = "Epsilon Delta Gamma Beta Alpha"  # reverse of configuration order
    names, score, pos = pm.match_companies(text)
    assert names == ["Alpha", "Beta", "Gamma", "Delta"]  # 30+30+30+30 = 120 >= 100: stop
    assert score == 120
    assert pos == {n: [text.index(n)] for n in names}
    assert pm.match_companies(text, confidence_threshold=60)[:2] == (["Alpha", "Beta"], 60)
    assert pm.match_companies(text, confidence_threshold=61)[:2] == (
        ["Alpha", "Beta", "Gamma"],
        90,
    )
    assert pm.match_companies(text, confidence_threshold=1000)[1] == 150
    # threshold 0: the first matched company already reaches it
    assert pm.match_companies(text, confidence_threshold=0)[0] == ["Alpha"]
    assert pm.match_companies("nothing here") == ([], 0, {})


def test_company_scores_by_priority(backend: str) -> None:
    pm = pm_for(
        backend,
        [{"name": "A", "priority": "LOW"}, {"name": "B"}, {"name": "C", "priority": "HIGH"}],
        [],
    )
    assert pm.match_companies("C B A") == (["A", "B", "C"], 70, {"A": [4], "B": [2], "C": [0]})


def test_keywords_descending_weight_ties_in_config_order(backend: str) -> None:
    pm = pm_for(backend)
    text = "airdrop, token launch, TGE, airdrop is live, token generation event"
    kws, score, pos = pm.match_keywords(text)
    # 45 + 40 + 15 (TGE: first 15-weight keyword in configuration order) = 100: stop
    assert kws == [r"token\s+generation\s+event", r"airdrop\s+(is\s+)?live", "TGE"]
    assert score == 100
    assert pos == {
        r"token\s+generation\s+event": [text.index("token generation event")],
        r"airdrop\s+(is\s+)?live": [text.index("airdrop is live")],
        "TGE": [text.index("TGE")],
    }
    all_kws, all_score, _ = pm.match_keywords(text, confidence_threshold=10_000)
    assert all_kws == [
        r"token\s+generation\s+event",
        r"airdrop\s+(is\s+)?live",
        "TGE",
        "token launch",
        "airdrop",
    ]
    assert all_score == 45 + 40 + 15 + 15 + 15


def test_keyword_positions_sorted_distinct_all_occurrences(backend: str) -> None:
    pm = pm_for(backend)
    text = "TGE! tge and TGE. airdrop airdrop"
    _kws, score, pos = pm.match_keywords(text)
    assert score == 30
    assert pos == {"TGE": [0, 5, 13], "airdrop": [18, 26]}


def test_company_positions_sorted_distinct(backend: str) -> None:
    pm = pm_for(backend)
    text = "Caldera Labs and Caldera and $CAL"
    names, score, pos = pm.match_companies(text)
    assert names == ["Caldera"] and score == 30
    assert pos == {"Caldera": [0, 17, 29]}  # "Caldera" and "Caldera Labs" share start 0


def test_vetoed_company_not_reported(backend: str) -> None:
    pm = pm_for(
        backend, [{"name": "Caldera", "exclusions": ["volcanic caldera"], "priority": "HIGH"}], []
    )
    assert pm.match_companies("Caldera near the volcanic caldera") == ([], 0, {})


def test_check_proximity() -> None:
    check = tgematch.OptimizedPatternMatcher.check_proximity
    pm = tgematch.OptimizedPatternMatcher([], [], backend="python")
    for fn in (check, pm.check_proximity):
        assert fn({"A": [0]}, {"k": [199]}) == 20
        assert fn({"A": [0]}, {"k": [200]}) == 0
        assert fn({"A": [450, 0]}, {"k": [300, 900]}) == 20  # |450 - 300| < 200
        assert fn({"A": [500, 0]}, {"k": [300, 900]}) == 0
        assert fn({"A": [0]}, {"k": [50]}, max_distance=50) == 0
        assert fn({"A": [0]}, {"k": [49]}, max_distance=50) == 20
        assert fn({}, {"k": [0]}) == 0
        assert fn({"A": [0]}, {}) == 0


def test_detect_exclusions(backend: str) -> None:
    pm = pm_for(backend)
    text = "testnet and a game token, not testnet to mainnet"
    assert pm.detect_exclusions(text) == (90, ["testnet", "game_token"])
    # halved per rule, floor: 50 // 2 + 40 // 2
    assert pm.detect_exclusions(text, has_crypto_context=True) == (45, ["testnet", "game_token"])
    assert pm.detect_exclusions("price prediction", True) == (17, ["speculation"])
    assert pm.detect_exclusions("nothing") == (0, [])


def test_has_crypto_context(backend: str) -> None:
    pm = pm_for(backend)
    assert pm.has_crypto_context("h", "built on a Layer  2 rollup") is True
    assert pm.has_crypto_context("h", "cryptography and protocols") is False
    assert pm.has_crypto_context("h", "") is False


def test_analyze_content_relevance_scores_truncated_lists(backend: str) -> None:
    pm = pm_for(backend, GREEK, [])
    text = "Alpha Beta Gamma Delta Epsilon testnet game token"
    relevant, conf, info = pm.analyze_content_relevance(text, "News")
    # seed: 120 (four companies, truncated at 100) - 90 = 30; the modern API: 150 - 90 = 60
    assert info["matched_companies"] == ["Alpha", "Beta", "Gamma", "Delta"]
    assert info["matched_keywords"] == []
    assert info["exclusions"] == ["testnet", "game_token"]
    assert info["confidence"] == 30 and conf == 0.3 and relevant is False
    modern = pm.matcher.analyze(text, "News") if hasattr(pm, "matcher") else None
    if modern is not None:
        assert modern.confidence == 60 and modern.is_relevant


def test_analyze_content_relevance_seed_demo(backend: str) -> None:
    pm = pm_for(backend)
    content = "Caldera is launching their TGE next week. The token launch date is confirmed."
    relevant, conf, info = pm.analyze_content_relevance(content, "Exciting news!")
    # 30 + (35 + 15 + 15) + 20 proximity = 115, clamped
    assert relevant is True and conf == 1.0
    assert info["matched_companies"] == ["Caldera"]
    assert info["matched_keywords"] == [r"token\s+launch\s+date", "TGE", "token launch"]
    assert info["confidence"] == 100 and info["exclusions"] == []


def test_analyze_content_relevance_penalty_halved_with_context(backend: str) -> None:
    pm = pm_for(backend)
    relevant, conf, info = pm.analyze_content_relevance(
        "Caldera TGE on the blockchain, price prediction inside", "t"
    )
    # 30 + 15 + 20 - 35 // 2 = 48
    assert info["confidence"] == 48 and conf == 0.48 and relevant is False
    assert info["exclusions"] == ["speculation"]


def test_title_and_content_joined_by_newline(backend: str) -> None:
    pm = pm_for(backend)
    # "Caldera" ends the title, "Labs" starts the content: "Caldera\nLabs" is the alias
    relevant, _conf, info = pm.analyze_content_relevance("Labs TGE", "Caldera")
    assert info["matched_companies"] == ["Caldera"]
    assert info["matched_keywords"] == ["TGE"]
    assert info["confidence"] == 30 + 15 + 20 and relevant is True


def test_from_seed_dedupes_keyword_equal_to_builtin(backend: str) -> None:
    pm = pm_for(backend, [], [r"tge\s+(is\s+)?live", "TGE", "TGE"])
    kws, score, _ = pm.match_keywords("TGE is live", confidence_threshold=10_000)
    assert kws == [r"tge\s+(is\s+)?live", "TGE"] and score == 55


def test_seed_keywords_are_plain_phrases(backend: str) -> None:
    pm = pm_for(backend, [], ["USD.ai", "a+b"])
    kws, _score, pos = pm.match_keywords("USDxai a+b USD.AI", confidence_threshold=10_000)
    assert kws == ["USD.ai", "a+b"]
    assert pos == {"USD.ai": [11], "a+b": [7]}


def test_pickle_round_trip(backend: str) -> None:
    pm = pm_for(backend)
    clone = pickle.loads(pickle.dumps(pm))
    text = "Caldera TGE"
    assert clone.match_companies(text) == pm.match_companies(text)
    assert clone.analyze_content_relevance(text, "t") == pm.analyze_content_relevance(text, "t")


WEIGHTS = {
    **{c["name"]: 30 for c in GREEK},
    r"token\s+generation\s+event": 45,
    "TGE": 15,
    "token launch": 15,
    "airdrop": 15,
}


@pytest.mark.parametrize("threshold", [0, 15, 50, 60, 100, 10_000])
def test_truncated_lists_are_prefixes(backend: str, threshold: int) -> None:
    pm = pm_for(backend, GREEK, SEED_KEYWORDS)
    text = "Beta TGE Alpha airdrop Delta token launch, token generation event"
    full_c = pm.match_companies(text, confidence_threshold=10**9)
    full_k = pm.match_keywords(text, confidence_threshold=10**9)
    assert full_c[0] == ["Alpha", "Beta", "Delta"]
    assert full_k[0] == [r"token\s+generation\s+event", "TGE", "token launch", "airdrop"]
    for full, got in (
        (full_c, pm.match_companies(text, threshold)),
        (full_k, pm.match_keywords(text, threshold)),
    ):
        names, score, pos = got
        assert names == full[0][: len(names)] and names
        assert score == sum(WEIGHTS[n] for n in names)
        assert pos == {n: full[2][n] for n in names}
        # stop exactly when the running score first reaches the threshold
        running = [sum(WEIGHTS[n] for n in names[: i + 1]) for i in range(len(names))]
        assert all(r < threshold for r in running[:-1])
        assert running[-1] >= threshold or names == full[0]
