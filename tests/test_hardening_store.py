"""Issue 10 rows 9, 13, 16 (store part): company upsert, one company key, column limits.

Every test runs on SQLite and on PostgreSQL (``TGEMATCH_TEST_PG_URL``; skipped without).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from databases import empty_database

from tgematch.cli import main
from tgematch.exit_status import ExitStatus
from tgematch.store import create_engine, upgrade
from tgematch.store.limits import ColumnLimitError
from tgematch.store.models import CompanyRow, Feed
from tgematch.store.queries import list_alerts
from tgematch.store.writes import AlertRecord, AlertWriter, content_hash


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a new PostgreSQL database."""
    yield from empty_database(request.param, tmp_path / "store.db", "tgematch_h")


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    """A migrated database's engine."""
    eng = create_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


def _record(company: str, i: int = 0) -> AlertRecord:
    return AlertRecord(
        company=company,
        content_hash=content_hash(company, f"title {i}", f"content {i}"),
        confidence=0.8,
        urgency_level="high",
        excerpt=f"excerpt {i}",
        title=f"title {i}",
        feed="feed.jsonl",
    )


def _companies(engine: sa.Engine) -> dict[str, tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(CompanyRow.name, CompanyRow.priority, CompanyRow.status))
        return {name: (priority, status) for name, priority, status in rows}


def test_watchlist_changes_update_priority_and_status(engine: sa.Engine) -> None:
    AlertWriter(engine).register_companies(
        [{"name": "Caldera", "priority": "HIGH", "status": "active"}]
    )
    writer = AlertWriter(engine)
    writer.register_companies([{"name": "Caldera", "priority": "LOW", "status": "delisted"}])
    assert _companies(engine) == {"Caldera": ("LOW", "delisted")}
    # A plain name (the writer's fallback for an unregistered company) never resets it.
    AlertWriter(engine).register_companies(["Caldera"])
    assert _companies(engine) == {"Caldera": ("LOW", "delisted")}
    writer.write([_record("Caldera")])
    [alert] = list_alerts(engine)
    assert alert.priority == "LOW"


def test_cli_rescan_with_changed_priority(
    tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / "d.jsonl"
    doc.write_text(
        json.dumps({"content": "Caldera TGE is live: the $CAL token airdrop claim opens today"})
        + "\n",
        encoding="utf-8",
    )
    for priority, status in (("HIGH", "active"), ("LOW", "delisted")):
        wl = tmp_path / "wl.json"
        wl.write_text(
            json.dumps(
                {
                    "companies": [{"name": "Caldera", "priority": priority, "status": status}],
                    "keywords": [{"pattern": "TGE", "weight": 60}],
                }
            ),
            encoding="utf-8",
        )
        argv = ["scan", str(doc), "--watchlist", str(wl), "--db", db_url, "--no-progress", "-q"]
        assert main(argv) == 0
    capsys.readouterr()
    assert main(["alerts", "--db", db_url, "--output", "jsonl"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert json.loads(line)["priority"] == "LOW"


@pytest.mark.parametrize("name", ["Evil\x00Co", "Evil\ud800Co"])
def test_writer_finds_company_with_unstorable_name(engine: sa.Engine, name: str) -> None:
    writer = AlertWriter(engine)
    writer.register_companies([{"name": name, "priority": "HIGH"}])
    report = writer.write([_record(name)])
    assert report.inserted == 1 and report.failed == 0
    # Unregistered too: the fallback registers and finds it under the same key.
    report = AlertWriter(engine).write([_record(name, 1)])
    assert report.inserted == 1
    assert _companies(engine) == {"Evil\ufffdCo": ("HIGH", "active")}


@pytest.mark.parametrize(
    ("company", "column", "limit"),
    [
        ({"name": "N" * 256}, "companies.name", 255),
        ({"name": "Caldera", "status": "s" * 51}, "companies.status", 50),
    ],
)
def test_company_column_limits(
    engine: sa.Engine, company: dict[str, str], column: str, limit: int
) -> None:
    with pytest.raises(
        ColumnLimitError, match=rf"company '.*': {column} is \d+ .*limit is {limit}"
    ):
        AlertWriter(engine).register_companies([company])
    assert _companies(engine) == {}


def test_feed_url_limit(engine: sa.Engine) -> None:
    with pytest.raises(ColumnLimitError, match=r"feed '.*': feeds.url is 2049 .*limit is 2048"):
        AlertWriter(engine).register_feed("u" * 2049)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(Feed)).scalar_one() == 0


def test_scan_reports_too_long_input_path_and_goes_on(
    tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = tmp_path
    while len(str(deep)) <= 2100:
        deep = deep / ("d" * 200)
    deep.mkdir(parents=True)
    text = json.dumps({"content": "Caldera TGE is live: $CAL token airdrop claim opens"}) + "\n"
    (deep / "long.jsonl").write_text(text, encoding="utf-8")
    (tmp_path / "short.jsonl").write_text(text.replace("Caldera", "Fabric"), encoding="utf-8")
    argv = ["scan", str(deep / "long.jsonl"), str(tmp_path / "short.jsonl"), "--db", db_url]
    status = main([*argv, "--no-progress", "-q"])
    _, err = capsys.readouterr()
    assert status == ExitStatus.SKIPPED, err  # the long-named input is not a feed
    assert "feeds.url" in err and "limit is 2048" in err
    eng = create_engine(db_url)
    try:
        with eng.connect() as conn:
            urls = [u for (u,) in conn.execute(sa.select(Feed.url))]
    finally:
        eng.dispose()
    assert len(urls) == 1 and urls[0].endswith("short.jsonl")
