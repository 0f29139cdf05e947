"""``tgematch explain``: a text with its matches highlighted and its score broken down.

No database: explain needs only the matcher (and rich, for the table).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from tgematch.exit_status import ExitStatus
from tgematch.inputs import STDIN
from tgematch.sanitize import printable

from .args import load_watchlist, make_matcher
from .render import clean

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["KIND_STYLES", "MAX_NAME_NOTES", "cmd_explain"]

#: The highlight of each occurrence kind (and the legend under the text).
KIND_STYLES = {
    "company": "bold green",
    "company_exclusion": "bold magenta",
    "keyword": "bold yellow",
    "exclusion": "bold red",
    "context": "cyan",
}

MAX_NAME_NOTES = 20
"""At most this many name notes and watchlist diagnostics in ``explain``'s output."""


def cmd_explain(args: argparse.Namespace, out: Console, err: Console) -> int:
    """``tgematch explain``: the text with matches highlighted and the score broken down."""
    from rich.table import Table
    from rich.text import Text

    from tgematch import Matcher

    text = sys.stdin.read() if args.text == STDIN else args.text
    watchlist = load_watchlist(args.watchlist)
    matcher = make_matcher(Matcher, watchlist)
    analysis = matcher.analyze(text, args.title)
    scanned = text if args.title is None else f"{args.title}\n{text}"
    occurrences = matcher.find(scanned)

    # layout=True: the document keeps its lines; one character for one, so the
    # occurrence offsets below still point at the right characters.
    shown = printable(scanned, layout=True)
    if out.color_system is None:
        # No colours (not a terminal, or NO_COLOR): the highlights would be dropped
        # anyway, and rich renders a Text span by span (about 1.6 s per MB of
        # match-dense text), so write the document as it is.
        out.file.write(shown + "\n")
    else:
        highlighted = Text(shown)
        for occ in occurrences:
            highlighted.stylize(KIND_STYLES.get(occ.kind, "bold"), occ.start, occ.end)
        out.print(highlighted, soft_wrap=True)
    legend = Text("\n")
    for kind, style in KIND_STYLES.items():
        legend.append(f" {kind.replace('_', ' ')} ", style=style)
    out.print(legend)

    def snippet(spans: Sequence[tuple[int, int]]) -> str:
        parts = []
        for s, e in spans[:3]:
            parts.append(repr(clean(scanned[s:e])))
        more = f" +{len(spans) - 3}" if len(spans) > 3 else ""
        return ", ".join(parts) + more

    table = Table(title="score", title_justify="left")
    table.add_column("part")
    table.add_column("what")
    table.add_column("matched text")
    table.add_column("points", justify="right")
    for hit in analysis.companies:
        table.add_row(
            "company",
            Text(clean(f"{hit.name} ({hit.priority})")),
            Text(snippet(hit.spans)),
            f"+{hit.score}",
        )
    for name in analysis.vetoed:
        table.add_row(
            "company", Text(clean(f"{name}: vetoed by its own exclusion phrase")), "", "0"
        )
    if not analysis.companies and not analysis.vetoed:
        table.add_row("company", "no watched company", "", "0")
    for kw in analysis.keywords:
        table.add_row("keyword", Text(clean(kw.pattern)), Text(snippet(kw.spans)), f"+{kw.weight}")
    table.add_row(
        "proximity",
        "company within the proximity distance of a keyword"
        if analysis.proximity_boost
        else "no company near a keyword",
        "",
        f"+{analysis.proximity_boost}",
    )
    halved = analysis.crypto_context and watchlist.scoring.halve_penalty_with_context
    table.add_row(
        "crypto context",
        ("yes: exclusion penalties halved" if halved else "yes")
        if analysis.crypto_context
        else "no",
        "",
        "",
    )
    for ex in analysis.exclusions:
        table.add_row(
            "exclusion",
            Text(clean(ex.label if ex.label == ex.pattern else f"{ex.label} ({ex.pattern})")),
            Text(snippet(ex.spans)),
            f"-{ex.penalty}",
        )
    raw = (
        analysis.company_score
        + analysis.keyword_score
        + analysis.proximity_boost
        - analysis.penalty
    )
    table.add_row(
        "total",
        f"{analysis.company_score} + {analysis.keyword_score} + {analysis.proximity_boost} "
        f"- {analysis.penalty} = {raw}, clamped to 0..100",
        "",
        str(analysis.confidence),
        style="bold",
    )
    out.print(table)
    from tgematch.name_notes import name_notes

    notes = name_notes(matcher, text, args.title)
    if notes:
        out.print("names:", markup=False, highlight=False)
        for note in notes[:MAX_NAME_NOTES]:
            mark = "+" if note.matched else "-"
            out.print(
                clean(f"  {mark} {note.company} at {note.start}: {note.reason}"),
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
        if len(notes) > MAX_NAME_NOTES:
            out.print(f"  … {len(notes) - MAX_NAME_NOTES} more", markup=False, highlight=False)
    for line in matcher.diagnostics[:MAX_NAME_NOTES]:
        err.print(clean(f"watchlist: {line}"), markup=False, highlight=False, soft_wrap=True)
    launch = "launch news" if analysis.is_launch else "no launch news"
    out.print(
        f"launch score {analysis.launch_score}/100: {launch} "
        f"(threshold {watchlist.scoring.launch_threshold})",
        markup=False,
        highlight=False,
    )
    verdict = "RELEVANT" if analysis.is_relevant else "not relevant"
    rule = (
        "a watched company near launch news"
        if watchlist.profile == "modern"
        else f"threshold {watchlist.scoring.relevance_threshold}"
    )
    out.print(
        f"confidence {analysis.confidence}/100: {verdict} ({rule})",
        markup=False,
        highlight=False,
    )
    return ExitStatus.OK
