"""Type stubs of ``tgematch._native``, the Rust engine of tgematch (built with maturin).

The engine implements ``docs/matching.md`` exactly like ``tgematch.engine_python.PythonEngine``
and takes the same compiled watchlist (``CompiledWatchlist.to_plain()``). Offsets are code
point indices into the Python ``str`` (lone surrogates count as one character each).
"""

from collections.abc import Callable
from typing import Any, Final, TypeAlias, final

__all__ = ["UNICODE_VERSION", "Engine"]

UNICODE_VERSION: Final[str]
"""Unicode version of the shipped word, space and fold tables compiled into the module."""

_Span: TypeAlias = tuple[int, int]
"""``(start, end)`` in code points: ``text[start:end]`` is the matched text."""

_RawAnalysis: TypeAlias = tuple[
    tuple[tuple[int, tuple[_Span, ...]], ...],
    tuple[int, ...],
    tuple[tuple[int, tuple[_Span, ...]], ...],
    tuple[tuple[int, tuple[_Span, ...], int], ...],
    bool,
    int,
    int,
    int,
    int,
    int,
    tuple[int, ...],
    bool,
]
"""The engine-neutral analysis of one text (docs/matching.md §7), in this order:

0. matched (non-vetoed) companies: ``(company index, sorted distinct spans)``, by index
   (the spans include those of the shared cashtags the company claims, §8.3);
1. vetoed company indices (the company occurred, but one of its exclusion phrases too);
2. keyword rules with occurrences: ``(keyword index, spans)``, by index (with
   ``span_once``, only rules with a kept occurrence, and only their kept spans, §8.4);
3. exclusion rules with occurrences: ``(rule index, spans, applied penalty)``, by index;
4. ``crypto_context``: some crypto-context term occurred;
5. ``company_score``; 6. ``keyword_score``; 7. ``proximity_boost``; 8. ``penalty``;
9. ``confidence`` = clamp(0, 100, company + keyword + proximity - penalty);
10. shared cashtags (indices, sorted) that occurred with none of their claimants matched
    (``Analysis.ambiguous``, §8.3);
11. ``near``: a matched company position and a counted keyword position differ by less
    than the proximity distance (§7; modern relevance needs it, §8.5).

Only tuples, so the result of a text in which nothing occurred is one shared object.
"""

@final
class Engine:
    """The native matching engine of one compiled watchlist.

    Immutable once built: one engine may be shared by any number of threads. Scanning
    releases the GIL. The engine does not pickle; rebuild it from the watchlist.

    Two APIs: the raw one, :meth:`find`, :meth:`analyze` and :meth:`analyze_many`
    (tuples of indices; the same methods as ``tgematch.engine_python.PythonEngine``), and
    the finished one, :meth:`finished` and :meth:`finished_many` (``tgematch.Analysis``
    objects, built by the engine from ``results``).
    """

    def __new__(cls, plain: dict[str, Any], results: dict[str, Any] | None = None) -> Engine:
        """Build the engine from ``CompiledWatchlist.to_plain()``.

        ``results`` (``tgematch.results.results_spec(...)``) lets :meth:`finished` and
        :meth:`finished_many` build the finished ``Analysis`` objects themselves: the
        keys ``analysis``, ``company_hit``, ``keyword_hit``, ``exclusion_hit`` (tuple
        subclasses), ``companies`` (``(name, priority, score)`` per company),
        ``keywords`` (``(pattern, weight)`` per rule), ``exclusions`` (``(label,
        pattern)`` per rule), ``shared_tags`` (the reported string of each shared
        cashtag), ``relevance_threshold``, ``relevance_mode``, ``launch_threshold`` and
        ``empty`` (the shared result of a text in which nothing occurred: no
        occurrence of any target, so no ambiguous shared cashtag either).

        ``plain`` holds exactly the keys of docs/matching.md §5 (``literals``, ``units``,
        ``nfb_sets``, ``targets``, ``company_names``, ``company_scores``,
        ``company_target``, ``veto_target``, ``keyword_patterns``, ``keyword_weights``,
        ``keyword_target``, ``seed_keyword_order``, ``exclusion_labels``,
        ``exclusion_penalties``, ``exclusion_target``, ``context_terms``,
        ``context_target``, ``proximity_distance``, ``proximity_boost``,
        ``relevance_threshold``, ``halve_penalty_with_context``, ``cased_literals``,
        ``shared_tags``, ``shared_tag_companies``, ``shared_tag_target``, ``span_once``,
        ``relevance_mode``, ``launch_threshold``; ``units`` rows have six fields);
        sequences may be lists or tuples. Other keys are ignored.

        Raises:
            TypeError: ``plain`` is not a dict.
            ValueError: a key is missing, a value has the wrong type or shape, an index
                is out of range, a literal is empty or begins or ends with a space, or
                the lengths of parallel lists differ (in ``plain`` or ``results``). The
                message names the field.
        """

    def find(self, text: str) -> list[tuple[int, int, int, int]]:
        """Every occurrence of every target in ``text`` (docs/matching.md §6).

        Returns distinct ``(kind, ref, start, end)`` tuples sorted by
        ``(start, end, kind, ref)``; ``kind`` is 0 company, 1 company exclusion (veto),
        2 keyword rule, 3 exclusion rule, 4 crypto-context term, 5 shared cashtag, and
        ``ref`` the index of the company, keyword rule, exclusion rule, context term or
        shared cashtag.

        Raises:
            TypeError: ``text`` is not a ``str``.
        """

    def analyze(self, text: str) -> _RawAnalysis:
        """Scan and score one text (docs/matching.md §7); see :data:`_RawAnalysis`.

        Texts of 4 KiB (UTF-8) or more are scanned with the GIL released; shorter ones
        scan in less time than a GIL hand-off takes.

        Raises:
            TypeError: ``text`` is not a ``str``.
        """

    def analyze_many(
        self, texts: list[str] | tuple[str, ...], threads: int = 1
    ) -> list[_RawAnalysis]:
        """Analyse many texts with the GIL released, spread over ``threads`` OS threads
        (at most one per text, and at most 256); results in input order, each equal to
        ``analyze(text)``. The pipeline of :meth:`finished_many`, with raw tuples as
        results (it also takes ``(content, title)`` pairs, scanned as
        ``f"{title}\\n{content}"``).

        Raises:
            TypeError: ``texts`` is not a list or tuple, or one of its items is neither a
                ``str`` nor such a pair.
            ValueError: ``threads`` is less than 1.
        """

    def finished(self, text: str, title: str | None = None) -> Any:
        """The finished ``tgematch.Analysis`` of ``f"{title}\\n{text}"`` (``text`` alone
        without a title), built by the engine (needs ``results`` at construction).

        Raises:
            TypeError: ``text`` or ``title`` is not a ``str``.
            ValueError: the engine was built without ``results``.
        """

    def finished_many(
        self,
        docs: list[Any] | tuple[Any, ...],
        threads: int = 1,
        convert: Callable[[Any, int], str] | None = None,
    ) -> list[Any]:
        """``finished`` of many documents, in input order, on ``threads`` OS threads.

        An element is a ``str`` or a ``(content, title)`` pair of ``str`` and
        ``str | None``; any other element is passed to ``convert(element, index)``, which
        returns its text or raises the error that names it (without ``convert`` it is a
        ``TypeError``). With more than one thread, reading texts and building results
        (which need the GIL) overlap with scanning (which does not).

        Raises:
            TypeError: ``docs`` is not a list or tuple, or an element is not a document.
            ValueError: ``threads`` is less than 1, or the engine was built without
                ``results``.
        """
