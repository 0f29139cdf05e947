"""``tgematch alerts``: the stored alerts, newest first, as a table or JSON Lines.

Confidence is printed on the 0..100 scale of ``Analysis.confidence``; the store keeps the
seed's 0..1 column, converted here.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import TYPE_CHECKING, Any

from tgematch.exit_status import ExitStatus
from tgematch.sanitize import json_line

from .db import db_error, open_db
from .render import clean, clip, one_line

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["cmd_alerts"]


def _percent(stored: float) -> int:
    """A stored confidence (the seed's 0..1 column) on the CLI's 0..100 scale."""
    return round(stored * 100)


def cmd_alerts(args: argparse.Namespace, out: Console, err: Console) -> int:
    """``tgematch alerts``: list stored alerts, newest first."""
    from rich.table import Table
    from rich.text import Text
    from sqlalchemy.exc import SQLAlchemyError

    from tgematch.store.queries import list_alerts

    engine = open_db(
        args.db,
        check_schema=True,
        no_database_hint=" (run `tgematch scan` or `tgematch db upgrade` first)",
    )
    try:
        alerts = list_alerts(
            engine,
            company=args.company,
            since=args.since,
            # The store keeps the seed's 0..1 column; tgematch writes confidence / 100, so
            # the same division gives the exact stored value of a threshold.
            min_confidence=None if args.min_confidence is None else args.min_confidence / 100,
            status=args.status,
            limit=args.limit if args.limit > 0 else None,
        )
    except SQLAlchemyError as exc:
        raise db_error(args.db, exc) from exc
    finally:
        engine.dispose()
    if args.output == "jsonl":
        for a in alerts:
            record = dataclasses.asdict(a)
            record["confidence"] = _percent(a.confidence)
            for key in ("created_at", "published_at"):
                if record[key] is not None:
                    record[key] = record[key].isoformat()
            sys.stdout.write(json_line(record) + "\n")
        return ExitStatus.OK
    if not alerts:
        out.print("No alerts match.", markup=False)
        return ExitStatus.OK
    table = Table(title=f"{len(alerts)} alert(s), newest first", title_justify="left")
    company_w = min(max(len(a.company) for a in alerts), 24)
    urls = [clean(a.url or "") for a in alerts]
    show_url = out.width >= 120 and any(urls)
    url_w = min(max(len(u) for u in urls), 48) if show_url else 0
    ncols = 6 if show_url else 5
    # date 16, conf. 5, urgency 8, 2 columns of padding between columns.
    title_w = max(20, out.width - (16 + company_w + 5 + 8 + url_w + 2 * (ncols - 1)) - 1)
    table.box = None
    table.pad_edge = False
    table.header_style = "bold underline"
    table.add_column("created (UTC)", no_wrap=True)
    table.add_column("company", no_wrap=True)
    table.add_column("conf.", justify="right", no_wrap=True)
    table.add_column("urgency", no_wrap=True)
    table.add_column("title / excerpt", no_wrap=True)
    if show_url:
        table.add_column("url", no_wrap=True)
    for a, url in zip(alerts, urls, strict=True):
        row: list[Any] = [
            a.created_at.strftime("%Y-%m-%d %H:%M"),
            Text(clip(clean(a.company), company_w)),
            str(_percent(a.confidence)),
            Text(clean(a.urgency_level)),
            Text(clip(one_line(clean(a.title or a.excerpt)), title_w)),
        ]
        if show_url:
            row.append(Text(clip(url, url_w)))
        table.add_row(*row)
    out.print(table)
    return ExitStatus.OK
