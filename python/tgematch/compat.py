"""``OptimizedPatternMatcher``: the seed system's API, answered by one tgematch scan.

Same constructor, method signatures, return shapes, dictionary keys and defaults as the
seed's class, with the contract's refinements: matching is whole-word with flexible
whitespace everywhere, cashtags count for companies, a company's own exclusion phrases
veto it, and position lists hold the sorted distinct starts of every occurrence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .matcher import Matcher, _check_text
from .results import Analysis
from .watchlist import Watchlist

__all__ = ["OptimizedPatternMatcher"]


class OptimizedPatternMatcher:
    """Drop-in replacement for the seed's ``OptimizedPatternMatcher(companies, keywords)``.

    ``companies`` are the seed's dicts (``name``, ``aliases``, ``tokens``, ``exclusions``,
    ``priority``); ``keywords`` are plain phrases of weight 15, scored after the built-in
    patterns of the contract. ``backend`` selects the engine as for :class:`Matcher`.
    """

    def __init__(
        self,
        companies: Sequence[Mapping[str, Any]],
        keywords: Sequence[str],
        backend: str = "auto",
    ) -> None:
        self.companies = companies
        self.keywords = keywords
        self._matcher = Matcher(Watchlist.from_seed(companies, keywords), backend)

    @property
    def matcher(self) -> Matcher:
        """The modern :class:`Matcher` behind this object."""
        return self._matcher

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.companies, self.keywords, self._matcher.backend))

    def _analysis(self, text: str) -> Analysis:
        _check_text(text, "text")
        return self._matcher.analyze(text)

    @staticmethod
    def _truncate(
        hits: list[tuple[str, int, list[int]]], threshold: int
    ) -> tuple[list[str], int, dict[str, list[int]]]:
        matched: list[str] = []
        confidence = 0
        positions: dict[str, list[int]] = {}
        for key, score, pos in hits:
            matched.append(key)
            confidence += score
            positions[key] = pos
            if confidence >= threshold:
                break
        return matched, confidence, positions

    def _companies(
        self, a: Analysis, threshold: int
    ) -> tuple[list[str], int, dict[str, list[int]]]:
        return self._truncate(
            [(c.name, c.score, list(c.positions)) for c in a.companies], threshold
        )

    def _keywords(self, a: Analysis, threshold: int) -> tuple[list[str], int, dict[str, list[int]]]:
        hits = {k.pattern: k for k in a.keywords}
        order = self._matcher.compiled.seed_keyword_order
        patterns = self._matcher.compiled.keyword_patterns
        ranked = [hits[patterns[i]] for i in order if patterns[i] in hits]
        return self._truncate([(k.pattern, k.weight, list(k.positions)) for k in ranked], threshold)

    def match_companies(
        self, text: str, confidence_threshold: int = 100
    ) -> tuple[list[str], int, dict[str, list[int]]]:
        """Companies in configuration order, +20 each (+10 more for HIGH), stopping once
        the running score reaches ``confidence_threshold``.

        Returns ``(matched names, confidence added, {name: sorted distinct starts})``.
        """
        return self._companies(self._analysis(text), confidence_threshold)

    def match_keywords(
        self, text: str, confidence_threshold: int = 100
    ) -> tuple[list[str], int, dict[str, list[int]]]:
        """Keyword rules by descending weight (ties in configuration order), each counted
        once, stopping once the running score reaches ``confidence_threshold``.

        Built-in patterns are keyed by their pattern string, plain keywords by themselves.
        """
        return self._keywords(self._analysis(text), confidence_threshold)

    @staticmethod
    def check_proximity(
        company_positions: Mapping[str, Sequence[int]],
        keyword_positions: Mapping[str, Sequence[int]],
        max_distance: int = 200,
    ) -> int:
        """20 when some company position and keyword position differ by less than
        ``max_distance``, else 0 (counted once)."""
        for c_positions in company_positions.values():
            for k_positions in keyword_positions.values():
                for c in c_positions:
                    for k in k_positions:
                        if abs(c - k) < max_distance:
                            return 20
        return 0

    def _base_penalties(self, a: Analysis) -> list[int]:
        """The configured penalty of each reported exclusion (hits are in rule order)."""
        rules = iter(self._matcher.watchlist.exclusions)
        out = []
        for hit in a.exclusions:
            rule = next(r for r in rules if (r.label, r.pattern) == (hit.label, hit.pattern))
            out.append(rule.penalty)
        return out

    def detect_exclusions(
        self, text: str, has_crypto_context: bool = False
    ) -> tuple[int, list[str]]:
        """``(penalty, labels)`` of the exclusion rules occurring in ``text``; each penalty
        is halved (floor) when ``has_crypto_context``."""
        a = self._analysis(text)
        bases = self._base_penalties(a)
        penalty = sum(b // 2 if has_crypto_context else b for b in bases)
        return penalty, [x.label for x in a.exclusions]

    def has_crypto_context(self, text_hash: str, text: str) -> bool:
        """True when a crypto-context term occurs in ``text`` (``text_hash`` is accepted
        for compatibility; the seed used it as a cache key)."""
        return self._analysis(text).crypto_context

    def analyze_content_relevance(
        self, content: str, title: str
    ) -> tuple[bool, float, dict[str, Any]]:
        """The seed's full analysis of ``f"{title}\\n{content}"``.

        Returns ``(is_relevant, confidence / 100, info)``; ``info`` has
        ``matched_companies``, ``matched_keywords``, ``confidence`` (0-100), ``signals``
        and ``exclusions``. Scores come from the early-terminated lists, as in the seed.
        """
        _check_text(content, "content")
        _check_text(title, "title")
        a = self._matcher.analyze(content, title)
        companies, comp_conf, comp_pos = self._companies(a, 100)
        keywords, key_conf, key_pos = self._keywords(a, 100)
        boost = self.check_proximity(comp_pos, key_pos, self._matcher.compiled.proximity_distance)
        penalty = sum(x.penalty for x in a.exclusions)  # applied: halved in crypto context
        labels = [x.label for x in a.exclusions]
        confidence = max(0, min(100, comp_conf + key_conf + boost - penalty))
        signals = [f"company:{c}" for c in companies] + [f"keyword:{k}" for k in keywords]
        if boost:
            signals.append("proximity")
        if a.crypto_context:
            signals.append("crypto_context")
        signals += [f"exclusion:{lab}" for lab in labels]
        info = {
            "matched_companies": companies,
            "matched_keywords": keywords,
            "confidence": confidence,
            "signals": signals,
            "exclusions": labels,
        }
        return confidence >= self._matcher.compiled.relevance_threshold, confidence / 100, info


def _rebuild(companies: Any, keywords: Any, backend: str) -> OptimizedPatternMatcher:
    return OptimizedPatternMatcher(companies, keywords, backend)
