"""Markdown tables of benchmark results.

:func:`format_table` is what ``tgematch bench`` prints; :func:`format_build_table` shows
build costs from :func:`tgematch.bench.probe.build_cost`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .harness import Measurement


def format_table(measurements: Sequence[Measurement]) -> str:
    """A Markdown table: the profile each row ran, docs/s, MB/s and the ratio to the seed
    approach per row."""
    seed = {
        (m.corpus, m.watchlist): m.docs_per_s
        for m in measurements
        if m.library == "seed" and m.seconds > 0
    }
    lines = [
        "| corpus | watchlist | library | profile | docs timed | docs/s | MB/s | × seed "
        "| build s | check |",
        "|---|---|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for m in measurements:
        head = f"| {m.corpus} | {m.watchlist} | {m.library} | {m.profile or '—'} |"
        if m.seconds <= 0:
            lines.append(f"{head} | | | | | {m.check} |")
            continue
        base = seed.get((m.corpus, m.watchlist))
        ratio = f"{m.docs_per_s / base:,.1f}" if base else "—"
        build = "—" if m.build_seconds is None else f"{m.build_seconds:.3f}"
        sample = f"{m.docs:,}" + ("" if m.docs == m.total_docs else f" of {m.total_docs:,}")
        lines.append(
            f"{head} {sample} | {m.docs_per_s:,.0f} | {_fmt_mb(m.mb_per_s)} | {ratio} "
            f"| {build} | {m.check} |"
        )
    return "\n".join(lines)


def _fmt_mb(x: float) -> str:
    return f"{x:,.1f}" if x >= 10 else f"{x:.3g}"


def format_build_table(rows: Sequence[tuple[str, str, dict[str, Any] | str]]) -> str:
    """Markdown table of :func:`build_cost` results: (watchlist, library, cost or error)."""
    lines = [
        "| watchlist | library | profile | build s | retained RSS MB "
        "| Python heap MB (tracemalloc) |",
        "|---|---|---|---:|---:|---:|",
    ]
    for wl, lib, cost in rows:
        if isinstance(cost, str):
            lines.append(f"| {wl} | {lib} | — | | | {cost} |")
        else:
            lines.append(
                f"| {wl} | {lib} | {cost.get('profile', '—')} | {cost['seconds']:.3f} "
                f"| {cost['rss_mb']:.1f} | {cost['traced_mb']:.1f} |"
            )
    return "\n".join(lines)
