"""Rendering for the command line: sanitised text, the scan's lines and summary tables.

Everything printed from a document or the database goes through :func:`clean` (control
and bidirectional characters made visible, see :mod:`tgematch.sanitize`). rich is
imported inside the functions: ``--help``, ``--version`` and a JSONL scan never need it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tgematch.inputs import Document, Skipped
from tgematch.sanitize import json_line, printable

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from tgematch import Analysis

    from .scan import ScanStats

__all__ = [
    "analysis_json",
    "clean",
    "clip",
    "doc_line",
    "one_line",
    "report_skipped",
    "summary_tables",
]


def clean(text: str) -> str:
    """``text`` safe to print (the one place printed document and database text passes)."""
    return printable(text)


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (newlines included) made one space."""
    return " ".join(text.split())


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, an ellipsis marking the cut."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def analysis_json(doc: Document, analysis: Analysis) -> str:
    """One ``scan --output jsonl`` line: the document's metadata and its full analysis."""
    payload: dict[str, Any] = {
        "source": doc.source,
        "id": doc.doc_id,
        "title": doc.title,
        "url": doc.url,
        "published": doc.published_at.isoformat() if doc.published_at else None,
        **analysis.to_dict(),
    }
    return json_line(payload)


def doc_line(doc: Document, analysis: Analysis, status: dict[str, str]) -> Text:
    """The scan's line for a relevant document: confidence, source, companies, headline.

    ``status`` maps a company to what became of its alert (new, already stored, ...).
    """
    from rich.text import Text

    conf = analysis.confidence
    style = "bold red" if conf >= 90 else "bold yellow" if conf >= 70 else "yellow"
    line = Text()
    line.append(f"{conf:>4} ", style=style)
    line.append(f"{clean(doc.source)}  ", style="dim")
    if analysis.companies:
        names = []
        for hit in analysis.companies:
            tag = status.get(hit.name)
            names.append(clean(hit.name) + (f" ({tag})" if tag else ""))
        line.append(", ".join(names), style="bold green")
    else:
        line.append("(no watched company)", style="dim")
    head = doc.title or doc.content
    head = one_line(clean(head))
    if len(head) > 70:
        head = head[:69] + "…"
    line.append(f"  {head}")
    return line


def summary_tables(stats: ScanStats, stored: bool, backend: str) -> list[Table]:
    """The scan's closing tables: the counters, then relevant documents per company."""
    from rich.table import Table
    from rich.text import Text

    rate = stats.read / stats.elapsed
    main = Table(title="tgematch scan", show_header=False, title_justify="left")
    main.add_column("what")
    main.add_column("value", justify="right")
    main.add_row("files", str(stats.files))
    main.add_row("documents read", str(stats.read))
    skipped = Counter(s.kind for s in stats.skipped)
    detail = ", ".join(f"{k} {v}" for k, v in sorted(skipped.items()))
    main.add_row("skipped", f"{len(stats.skipped)}" + (f" ({detail})" if detail else ""))
    main.add_row("analysed", str(stats.analysed))
    main.add_row("relevant", str(stats.relevant))
    if stats.relevant_no_company:
        main.add_row("  relevant, no watched company", str(stats.relevant_no_company))
    if stored:
        main.add_row("alerts stored (new)", str(stats.alerts_new))
        main.add_row("alerts already stored", str(stats.alerts_existing))
        if stats.alerts_failed:
            main.add_row("alerts NOT stored (rolled back)", str(stats.alerts_failed))
    main.add_row("time", f"{stats.elapsed:.2f} s")
    main.add_row("throughput", f"{rate:,.0f} docs/s ({backend} engine)")
    tables = [main]
    if stats.relevant_by_company:
        by_company = Table(title="alerts by company", title_justify="left")
        by_company.add_column("company")
        by_company.add_column("relevant docs", justify="right")
        if stored:
            by_company.add_column("new alerts", justify="right")
        for name, count in sorted(
            stats.relevant_by_company.items(), key=lambda kv: (-kv[1], kv[0])
        ):
            row: list[Any] = [Text(clean(name)), str(count)]
            if stored:
                row.append(str(stats.new_by_company.get(name, 0)))
            by_company.add_row(*row)
        tables.append(by_company)
    return tables


def report_skipped(skipped: Sequence[Skipped], limit: int, err: Console) -> None:
    """List the skipped records on ``err``: at most ``limit`` (-1: all, 0: none)."""
    if not skipped or limit == 0:
        return
    shown = skipped if limit < 0 else skipped[:limit]
    err.print(f"skipped {len(skipped)} record(s):", markup=False, highlight=False)
    for s in shown:
        err.print(f"  {clean(s.source)}: {clean(s.reason)}", markup=False, highlight=False)
    if len(shown) < len(skipped):
        err.print(
            f"  … and {len(skipped) - len(shown)} more (--show-skipped -1 lists all)",
            markup=False,
            highlight=False,
        )
