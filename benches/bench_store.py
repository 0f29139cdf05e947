"""Benchmark of the alerts store: 1,000,000 generated alerts, the seed's queries, EXPLAIN.

For SQLite and (when ``TGEMATCH_TEST_PG_URL`` is set) PostgreSQL, it

1. migrates an empty database (``tgematch.store.upgrade``),
2. inserts N generated alerts (default 1,000,000; 60 companies, 10,000 feeds,
   ``created_at`` spread over 90 days) through :class:`tgematch.store.AlertWriter`
   (idempotent ``ON CONFLICT DO NOTHING`` inserts, 10,000 alerts per transaction) and
   reports how long that took,
3. runs ``ANALYZE``, then for each query of :mod:`tgematch.store.queries` prints its
   ``EXPLAIN`` plan, asserts the plan uses the query's index, and times the query with
   pytest-benchmark.

It is not part of the normal test run (pytest's ``testpaths`` is ``tests/``, and every
benchmark here is skipped unless ``TGEMATCH_BENCH_STORE=1``). Run it with::

    eval "$(.ci/postgres.sh)"          # optional: adds the PostgreSQL runs
    TGEMATCH_BENCH_STORE=1 python -m pytest benches/ -k bench_store -s

``TGEMATCH_BENCH_ALERTS=100000`` makes a quicker run. The SQLite file is created in a
temporary directory; PostgreSQL gets a fresh database, dropped at the end.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

pytest.importorskip("pytest_benchmark")

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ClauseElement, Executable

from tgematch.store import AlertRecord, AlertWriter, create_engine, resolve_url, upgrade
from tgematch.store import queries as q
from tgematch.store.models import utcnow
from tgematch.store.writes import urgency_for

pytestmark = pytest.mark.skipif(
    os.environ.get("TGEMATCH_BENCH_STORE") != "1",
    reason="store benchmark: set TGEMATCH_BENCH_STORE=1 "
    "(TGEMATCH_BENCH_STORE=1 python -m pytest benches/ -k bench_store -s)",
)

N_ALERTS = int(os.environ.get("TGEMATCH_BENCH_ALERTS", "1000000"))
N_COMPANIES = 60
N_FEEDS = 10_000
CHUNK = 10_000
DAYS = 90
PG_ENV = "TGEMATCH_TEST_PG_URL"


class Explain(Executable, ClauseElement):
    """``EXPLAIN`` (or ``EXPLAIN QUERY PLAN``) of a statement, with its bound parameters."""

    inherit_cache = False

    def __init__(self, statement: Any, prefix: str) -> None:
        self.statement = statement
        self.prefix = prefix


@compiles(Explain)
def _compile_explain(element: Explain, compiler: Any, **kw: Any) -> str:
    return f"{element.prefix} {compiler.process(element.statement, **kw)}"


def explain(conn: sa.Connection, stmt: Any) -> str:
    """The query plan of ``stmt`` as text."""
    prefix = "EXPLAIN QUERY PLAN" if conn.dialect.name == "sqlite" else "EXPLAIN"
    rows = conn.execute(Explain(stmt, prefix)).all()
    if conn.dialect.name == "sqlite":
        return "\n".join(str(r[-1]) for r in rows)
    return "\n".join(str(r[0]) for r in rows)


def _records(companies: list[str], feeds: list[str], now: dt.datetime) -> Iterator[AlertRecord]:
    rng = random.Random(20261128)
    span = DAYS * 86400
    for i in range(N_ALERTS):
        company = companies[rng.randrange(len(companies))]
        confidence = round(rng.uniform(0.5, 1.0), 2)
        created = now - dt.timedelta(seconds=rng.randrange(span))
        yield AlertRecord(
            company=company,
            content_hash=f"{i:016x}{rng.getrandbits(64):016x}",
            confidence=confidence,
            urgency_level=urgency_for(confidence),
            excerpt=f"{company} announces its token generation event, document {i}",
            title=f"{company} TGE update {i}",
            url=f"https://news.example.com/{i}",
            matched_keywords=({"pattern": "token generation event", "weight": 25},),
            feed=feeds[rng.randrange(len(feeds))],
            source=f"generated:{i}",
            created_at=created,
        )


class Populated:
    """A database holding N_ALERTS alerts, and how long inserting them took."""

    def __init__(self, url: str, name: str) -> None:
        self.url = url
        self.name = name
        self.engine = create_engine(url)
        self.now = utcnow()
        self.insert_seconds = 0.0

    def populate(self) -> None:
        """Fill the store with the benchmark's companies, feeds and alerts."""
        upgrade(self.engine)
        writer = AlertWriter(self.engine, chunk_size=CHUNK)
        companies = [f"Company {i:02d}" for i in range(N_COMPANIES)]
        writer.register_companies(companies)
        feeds = [f"https://feeds.example.com/{i}.xml" for i in range(N_FEEDS)]
        writer.register_feeds(feeds, kind="rss")
        rng = random.Random(7)
        for i, feed in enumerate(feeds):
            if i % 3:
                when = self.now - dt.timedelta(minutes=rng.randrange(24 * 60))
                writer.record_fetch(feed, ok=rng.random() > 0.1, when=when)
        writer.flush()
        with self.engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE feeds SET is_active = (id % 10 <> 0), priority = 1 + (id * 7) % 5")
            )
        started = time.perf_counter()
        batch: list[AlertRecord] = []
        inserted = 0
        for record in _records(companies, feeds, self.now):
            batch.append(record)
            if len(batch) == CHUNK:
                inserted += writer.write(batch).inserted
                batch = []
        if batch:
            inserted += writer.write(batch).inserted
        writer.flush()
        self.insert_seconds = time.perf_counter() - started
        assert inserted == N_ALERTS
        with self.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        print(
            f"\n[{self.name}] inserted {N_ALERTS:,} alerts in {self.insert_seconds:.1f} s "
            f"({N_ALERTS / self.insert_seconds:,.0f} alerts/s, {CHUNK:,} per transaction)"
        )


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def populated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Populated]:
    """A database with N_ALERTS generated alerts (built once per module and backend)."""
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("bench") / "bench.db"
        db = Populated(f"sqlite:///{path}", "sqlite")
        db.populate()
        yield db
        db.engine.dispose()
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f'PostgreSQL benchmark needs {PG_ENV}: eval "$(.ci/postgres.sh)"')
    parsed = resolve_url(base)
    name = f"tgematch_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(parsed, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    db = Populated(parsed.set(database=name).render_as_string(hide_password=False), "postgresql")
    try:
        db.populate()
        yield db
    finally:
        db.engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _company_id(db: Populated) -> int:
    cid = q.company_id(db.engine, "Company 07")
    assert cid is not None
    return cid


# name -> (statement builder, function running it, index its plan must use)
QUERIES: dict[str, tuple[Callable[[Populated], Any], Callable[[Populated], list[Any]], str]] = {
    "recent_alerts_24h": (
        lambda db: q.recent_alerts_stmt(24, now=db.now),
        lambda db: q.recent_alerts(db.engine, 24, now=db.now),
        "idx_alerts_created_desc",
    ),
    "company_alerts_conf>=0.7": (
        lambda db: q.company_alerts_stmt(_company_id(db), min_confidence=0.7),
        lambda db: q.company_alerts(db.engine, "Company 07", min_confidence=0.7),
        "idx_alerts_company_conf_time",
    ),
    "high_confidence_alerts": (
        lambda db: q.high_confidence_alerts_stmt(0.7),
        lambda db: q.high_confidence_alerts(db.engine, 0.7),
        "idx_alerts_created_desc",
    ),
    "new_alerts_by_status": (
        lambda db: q.alerts_stmt(status="new"),
        lambda db: q.list_alerts(db.engine, status="new"),
        "idx_alerts_status_created",
    ),
    "feed_statistics_top100": (
        lambda db: q.feed_statistics_stmt(limit=100),
        lambda db: q.feed_statistics(db.engine, limit=100),
        "idx_feed_performance",
    ),
    "active_feeds_by_priority": (
        lambda db: q.active_feeds_stmt(limit=100),
        lambda db: q.active_feeds(db.engine, limit=100),
        "idx_feed_active_priority",
    ),
    "stale_feeds": (
        lambda db: q.stale_feeds_stmt(dt.timedelta(minutes=1), limit=100, now=db.now),
        lambda db: q.stale_feeds(db.engine, dt.timedelta(minutes=1), limit=100, now=db.now),
        "idx_feed_last_fetch",
    ),
}


def test_insert_time(populated: Populated, benchmark: Any) -> None:
    """Report the bulk insert, and time re-writing one 10,000-alert chunk (all duplicates)."""
    benchmark.extra_info["alerts"] = N_ALERTS
    benchmark.extra_info["insert_seconds"] = round(populated.insert_seconds, 2)
    benchmark.extra_info["alerts_per_second"] = round(N_ALERTS / populated.insert_seconds)
    companies = [f"Company {i:02d}" for i in range(N_COMPANIES)]
    feeds = [f"https://feeds.example.com/{i}.xml" for i in range(N_FEEDS)]
    chunk = []
    for record in _records(companies, feeds, populated.now):
        chunk.append(record)
        if len(chunk) == CHUNK:
            break
    writer = AlertWriter(populated.engine, chunk_size=CHUNK)
    report = benchmark.pedantic(lambda: writer.write(chunk), rounds=3, iterations=1)
    assert report.inserted == 0 and report.duplicates == CHUNK


@pytest.mark.parametrize("name", list(QUERIES))
def test_query(populated: Populated, benchmark: Any, name: str) -> None:
    """EXPLAIN shows the query's index; then time the query."""
    build, run, index = QUERIES[name]
    with populated.engine.connect() as conn:
        plan = explain(conn, build(populated))
    print(f"\n[{populated.name}] {name}:\n  " + plan.replace("\n", "\n  "))
    benchmark.extra_info["plan"] = plan
    benchmark.extra_info["index"] = index
    assert index in plan, f"{name} does not use {index}:\n{plan}"
    rows = benchmark(run, populated)
    assert rows, f"{name} returned nothing"
