"""Tests of the alerts store (tgematch.store) on SQLite and PostgreSQL.

Every test taking the ``db_url`` fixture runs on SQLite (a file in the test's temporary
directory) and on PostgreSQL. The PostgreSQL runs need a server; start one and run::

    eval "$(.ci/postgres.sh)"        # exports TGEMATCH_TEST_PG_URL
    python -m pytest tests/test_store.py tests/test_cli.py

Without ``TGEMATCH_TEST_PG_URL`` they are skipped, with that message as the reason.
Each PostgreSQL test gets its own freshly created database, dropped afterwards.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from databases import empty_database

import tgematch
from tgematch.store import (
    create_engine,
    current_revision,
    downgrade,
    head_revision,
    resolve_url,
    upgrade,
)
from tgematch.store import queries as q
from tgematch.store.engine import POSTGRES_POOL_DEFAULTS
from tgematch.store.migrations import VERSION_TABLE
from tgematch.store.models import SEED_INDEXES, Alert, Base, CompanyRow, Feed, utcnow
from tgematch.store.writes import (
    AlertRecord,
    AlertWriter,
    alerts_from_analysis,
    content_hash,
    make_excerpt,
    urgency_for,
)


def _subprocess_env(**extra: str) -> dict[str, str]:
    """The environment for a child Python that must import this same tgematch."""
    package_parent = str(Path(tgematch.__file__).resolve().parents[1])
    path = os.environ.get("PYTHONPATH")
    env = {**os.environ, **extra}
    env["PYTHONPATH"] = package_parent + (os.pathsep + path if path else "")
    return env


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a new PostgreSQL database."""
    yield from empty_database(request.param, tmp_path / "store.db", "tgematch_t")


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    """A migrated database's engine."""
    eng = create_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


def _record(i: int, company: str = "Caldera", **kw: object) -> AlertRecord:
    values: dict[str, object] = {
        "company": company,
        "content_hash": content_hash(company, f"title {i}", f"content {i}"),
        "confidence": 0.8,
        "urgency_level": "high",
        "excerpt": f"excerpt {i}",
        "title": f"title {i}",
        "url": f"https://example.com/{i}",
        "matched_keywords": ({"pattern": "TGE", "weight": 25},),
        "feed": "feed.jsonl",
        "source": f"feed.jsonl:{i}",
    }
    values.update(kw)
    return AlertRecord(**values)  # type: ignore[arg-type]


def _count(engine: sa.Engine, model: type) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(model)).scalar_one())


# -- schema and migrations -----------------------------------------------------------------


def test_migrations_create_seed_indexes_and_downgrade(db_url: str) -> None:
    eng = create_engine(db_url)
    try:
        assert current_revision(eng) is None
        upgrade(eng)
        assert current_revision(eng) == head_revision() == "0001"
        insp = sa.inspect(eng)
        assert {"companies", "feeds", "alerts", VERSION_TABLE} <= set(insp.get_table_names())
        for table, names in SEED_INDEXES.items():
            assert set(names) <= {ix["name"] for ix in insp.get_indexes(table)}
        cols = {ix["name"]: ix["column_names"] for ix in insp.get_indexes("alerts")}
        assert cols["idx_alerts_company_conf_time"] == ["company_id", "confidence", "created_at"]
        assert cols["idx_alerts_status_created"] == ["status", "created_at"]
        assert cols["idx_alerts_urgency_created"] == ["urgency_level", "created_at"]
        feed_cols = {ix["name"]: ix["column_names"] for ix in insp.get_indexes("feeds")}
        assert feed_cols["idx_feed_performance"] == ["tge_alerts_found", "success_count"]
        assert feed_cols["idx_feed_active_priority"] == ["is_active", "priority"]
        uniques = {tuple(u["column_names"]) for u in insp.get_unique_constraints("alerts")}
        assert ("content_hash",) in uniques
        # The created_at index is descending in the database itself.
        with eng.connect() as conn:
            if eng.dialect.name == "sqlite":
                ddl = conn.exec_driver_sql(
                    "SELECT sql FROM sqlite_master WHERE name = 'idx_alerts_created_desc'"
                ).scalar_one()
            else:
                ddl = conn.exec_driver_sql(
                    "SELECT indexdef FROM pg_indexes WHERE indexname = 'idx_alerts_created_desc'"
                ).scalar_one()
        assert "created_at DESC" in ddl
        upgrade(eng)  # idempotent
        downgrade(eng, "base")
        assert current_revision(eng) is None
        left = set(sa.inspect(eng).get_table_names()) - {VERSION_TABLE}
        assert left == set()
        upgrade(eng)
        assert {"companies", "feeds", "alerts"} <= set(sa.inspect(eng).get_table_names())
    finally:
        eng.dispose()


def test_migrated_schema_equals_models(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "version_table": VERSION_TABLE}
        )
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_migrations_work_from_any_directory(tmp_path: Path) -> None:
    # No alembic.ini is needed: the script location comes from the package itself.
    code = textwrap.dedent(
        f"""
        import os
        os.chdir({str(tmp_path)!r})
        from tgematch.store import upgrade, current_revision
        upgrade("sqlite:///x.db")
        print(current_revision("sqlite:///x.db"))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env=_subprocess_env(),
    )
    assert out.stdout.strip() == "0001"
    assert (tmp_path / "x.db").exists()


# -- engine factory ------------------------------------------------------------------------


def test_sqlite_default_file_in_cwd_and_pragmas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TGEMATCH_DB_URL", raising=False)
    url = resolve_url(None)
    assert url.get_backend_name() == "sqlite" and url.database == "tgematch.db"
    eng = create_engine()
    try:
        with eng.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert (tmp_path / "tgematch.db").exists()
    finally:
        eng.dispose()
    monkeypatch.setenv("TGEMATCH_DB_URL", f"sqlite:///{tmp_path / 'other.db'}")
    assert resolve_url(None).database == str(tmp_path / "other.db")
    assert resolve_url("plain/path.db").database == "plain/path.db"
    eng = create_engine(str(tmp_path / "x.db"), busy_timeout_ms=1234)
    try:
        with eng.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1234
    finally:
        eng.dispose()


def test_foreign_keys_are_enforced(engine: sa.Engine) -> None:
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(
            sa.insert(Alert),
            {
                "company_id": 999,
                "content_hash": "x",
                "excerpt": "",
                "confidence": 0.5,
                "matched_keywords": [],
                "exclusions": [],
                "status": "new",
                "urgency_level": "medium",
                "created_at": utcnow(),
            },
        )


def test_postgres_pool_defaults_and_overrides() -> None:
    pytest.importorskip("psycopg")
    assert POSTGRES_POOL_DEFAULTS["pool_size"] == 20
    eng = create_engine("postgresql://u:secret@127.0.0.1:5432/db")
    try:
        assert eng.dialect.driver == "psycopg"
        pool = eng.pool
        assert pool.size() == 20  # type: ignore[attr-defined]
        assert pool._max_overflow == 10  # type: ignore[attr-defined]
        assert pool._timeout == 30  # type: ignore[attr-defined]
        assert pool._recycle == 3600
        assert pool._pre_ping is True
        assert pool._reset_on_return is sa.pool.reset_rollback  # type: ignore[attr-defined]
        assert "secret" not in eng.url.render_as_string(hide_password=True)
    finally:
        eng.dispose()
    eng = create_engine("postgresql+psycopg://u@127.0.0.1/db", pool_size=3, pool_pre_ping=False)
    try:
        assert eng.pool.size() == 3  # type: ignore[attr-defined]
        assert eng.pool._pre_ping is False
        assert eng.pool._max_overflow == 10  # type: ignore[attr-defined]
    finally:
        eng.dispose()


# -- alerts from analyses ------------------------------------------------------------------


def test_content_hash_normalises_text_and_includes_company() -> None:
    a = content_hash("Caldera", "Caldera  TGE", "The token\n launches  today ")
    assert a == content_hash("caldera", "caldera tge", "the TOKEN launches today")
    assert a != content_hash("Fabric", "Caldera  TGE", "The token\n launches  today ")
    assert a != content_hash("Caldera", "Caldera TGE", "The token launches tomorrow")
    # Lone surrogates hash without error and differ from their replacement character.
    assert content_hash("X", None, "a\ud83db") != content_hash("X", None, "a\ufffdb")


def test_urgency_rule() -> None:
    assert [urgency_for(c) for c in (1.0, 0.9, 0.89, 0.7, 0.69, 0.5, 0.49)] == [
        "critical",
        "critical",
        "high",
        "high",
        "medium",
        "medium",
        "low",
    ]


def test_excerpt_is_around_the_match() -> None:
    text = "x " * 300 + "Caldera launches" + " y" * 300
    start = text.index("Caldera")
    excerpt = make_excerpt(text, start, start + 7)
    assert "Caldera launches" in excerpt
    assert excerpt.startswith("…") and excerpt.endswith("…")
    assert len(excerpt) < 300
    assert make_excerpt("Caldera TGE", 0, 7) == "Caldera TGE"


def test_alerts_from_analysis_one_per_matched_company() -> None:
    matcher = tgematch.Matcher(tgematch.Watchlist.example())
    title = "Caldera and Espresso Systems announce joint token generation event"
    content = "The claim portal is now live. Espresso Systems and Caldera Labs TGE."
    analysis = matcher.analyze(content, title)
    assert analysis.is_relevant
    records = alerts_from_analysis(analysis, content, title, feed="f", source="f:1")
    assert sorted(r.company for r in records) == sorted(c.name for c in analysis.companies)
    assert len(records) == len(analysis.companies) >= 2
    assert len({r.content_hash for r in records}) == len(records)
    for rec, hit in zip(records, analysis.companies, strict=True):
        assert rec.confidence == analysis.confidence / 100
        assert rec.urgency_level == urgency_for(rec.confidence)
        start, end = hit.spans[0]
        assert f"{title}\n{content}"[start:end] in rec.excerpt
        assert {k["pattern"] for k in rec.matched_keywords} == {
            k.pattern for k in analysis.keywords
        }
    irrelevant = matcher.analyze("Our favourite espresso machine heats up fast.")
    assert alerts_from_analysis(irrelevant, "Our favourite espresso machine heats up fast.") == []


# -- writes --------------------------------------------------------------------------------


def test_writes_are_idempotent(engine: sa.Engine) -> None:
    writer = AlertWriter(engine, chunk_size=7)
    writer.register_companies(tgematch.Watchlist.example().companies)
    records = [_record(i) for i in range(30)] + [_record(i, "Fabric") for i in range(5)]
    first = writer.write(records)
    assert (first.inserted, first.duplicates, first.failed) == (35, 0, 0)
    assert first.chunks == 5
    assert first.inserted_by_company == {"Caldera": 30, "Fabric": 5}
    again = AlertWriter(engine, chunk_size=100).write(records)
    assert (again.inserted, again.duplicates, again.failed) == (0, 35, 0)
    assert _count(engine, Alert) == 35
    # A duplicate inside one chunk is inserted once.
    dup = writer.write([_record(100), _record(100)])
    assert (dup.inserted, dup.duplicates) == (1, 1)
    assert _count(engine, Alert) == 36
    with engine.connect() as conn:
        priority = conn.execute(
            sa.select(CompanyRow.priority, CompanyRow.status).where(CompanyRow.name == "Caldera")
        ).one()
    assert tuple(priority) == ("HIGH", "pre_token")


def test_failed_chunk_rolls_back_only_itself_and_rerun_completes(engine: sa.Engine) -> None:
    writer = AlertWriter(engine, chunk_size=10)
    good = [_record(i) for i in range(30)]
    # Record 15 breaks the confidence CHECK constraint: its chunk (10..19) must fail whole.
    bad = [*good[:15], _record(15, confidence=1.5), *good[16:]]
    report = writer.write(bad)
    assert report.inserted == 20 and report.failed == 10 and report.duplicates == 0
    assert len(report.failures) == 1
    failure = report.failures[0]
    assert (failure.first_source, failure.last_source, failure.size) == (
        "feed.jsonl:10",
        "feed.jsonl:19",
        10,
    )
    assert "check" in failure.error.lower() or "constraint" in failure.error.lower()
    with engine.connect() as conn:
        stored = set(conn.execute(sa.select(Alert.content_hash)).scalars())
        found = conn.execute(sa.select(Feed.tge_alerts_found)).scalar_one()
    assert stored == {r.content_hash for r in good[:10] + good[20:]}
    assert found == 20  # statistics of the failed chunk were rolled back with it
    rerun = AlertWriter(engine, chunk_size=10).write(good)
    assert (rerun.inserted, rerun.duplicates, rerun.failed) == (10, 20, 0)
    assert _count(engine, Alert) == 30
    with engine.connect() as conn:
        assert conn.execute(sa.select(Feed.tge_alerts_found)).scalar_one() == 30


def test_feed_statistics_are_batched(engine: sa.Engine) -> None:
    writer = AlertWriter(engine, chunk_size=4)
    writer.register_feed("a.jsonl")
    writer.register_feed("https://example.com/rss", kind="rss", priority=2)
    writer.record_fetch("a.jsonl", ok=True)
    writer.record_fetch("https://example.com/rss", ok=False)
    with engine.connect() as conn:
        # Nothing written yet: statistics wait for the next chunk or flush.
        assert conn.execute(sa.select(sa.func.sum(Feed.success_count))).scalar_one() == 0
    writer.write([_record(i, feed="a.jsonl") for i in range(6)])
    writer.record_fetch("a.jsonl", ok=True)
    writer.flush()
    stats = {s.url: s for s in q.feed_statistics(engine)}
    assert stats["a.jsonl"].success_count == 2
    assert stats["a.jsonl"].tge_alerts_found == 6
    assert stats["a.jsonl"].last_fetch is not None
    assert stats["https://example.com/rss"].error_count == 1
    assert stats["https://example.com/rss"].success_rate == 0.0
    assert next(s.url for s in q.feed_statistics(engine)) == "a.jsonl"
    assert [s.url for s in q.active_feeds(engine)] == ["a.jsonl", "https://example.com/rss"]


def test_unstorable_characters_are_replaced(engine: sa.Engine) -> None:
    rec = _record(1, title="Caldera \ud83d TGE\x00", excerpt="a\x00b\udc80", url="u\x00")
    report = AlertWriter(engine).write([rec])
    assert report.inserted == 1, report.failures
    (view,) = q.list_alerts(engine)
    assert view.title == "Caldera \ufffd TGE\ufffd"
    assert view.excerpt == "a\ufffdb\ufffd"


# -- queries -------------------------------------------------------------------------------


def _seed_alerts(engine: sa.Engine, now: dt.datetime) -> None:
    writer = AlertWriter(engine)
    ids = writer.register_companies(["Caldera", "Fabric"])
    rows = []
    for i, (company, conf, hours) in enumerate(
        [
            ("Caldera", 0.95, 1),
            ("Caldera", 0.6, 2),
            ("Caldera", 0.75, 30),
            ("Fabric", 0.8, 3),
            ("Fabric", 0.5, 50),
        ]
    ):
        rows.append(
            {
                "company_id": ids[company],
                "content_hash": f"h{i}",
                "title": f"{company} {i}",
                "excerpt": "",
                "confidence": conf,
                "matched_keywords": [],
                "exclusions": [],
                "status": "new",
                "urgency_level": urgency_for(conf),
                "created_at": now - dt.timedelta(hours=hours),
            }
        )
    with engine.begin() as conn:
        conn.execute(sa.insert(Alert), rows)


def test_queries(engine: sa.Engine) -> None:
    now = utcnow()
    _seed_alerts(engine, now)
    recent = q.recent_alerts(engine, now=now)
    assert [a.title for a in recent] == ["Caldera 0", "Caldera 1", "Fabric 3"]
    assert all(a.created_at.tzinfo is not None for a in recent)
    # Most confident first: 0.95, 0.75, 0.6.
    assert [a.title for a in q.company_alerts(engine, "caldera", now=now)] == [
        "Caldera 0",
        "Caldera 2",
        "Caldera 1",
    ]
    assert [a.title for a in q.company_alerts(engine, "Caldera", min_confidence=0.7)] == [
        "Caldera 0",
        "Caldera 2",
    ]
    assert q.company_alerts(engine, "Nobody") == []
    # list_alerts with a company: newest first.
    assert [a.title for a in q.list_alerts(engine, company="Caldera")] == [
        "Caldera 0",
        "Caldera 1",
        "Caldera 2",
    ]
    assert [a.title for a in q.high_confidence_alerts(engine)] == [
        "Caldera 0",
        "Fabric 3",
        "Caldera 2",
    ]
    assert [a.title for a in q.high_confidence_alerts(engine, 0.9)] == ["Caldera 0"]
    assert q.list_alerts(engine, company="Nobody") == []
    assert [
        a.title
        for a in q.list_alerts(
            engine, company="Fabric", since=dt.timedelta(hours=100), min_confidence=0.5, now=now
        )
    ] == ["Fabric 3", "Fabric 4"]
    assert len(q.list_alerts(engine, limit=2)) == 2
    assert len(q.list_alerts(engine, status="new", limit=None)) == 5
    assert q.list_alerts(engine, status="dismissed") == []
    naive_cutoff = (now - dt.timedelta(hours=2, minutes=30)).replace(tzinfo=None)
    assert [a.title for a in q.list_alerts(engine, since=naive_cutoff)] == [
        "Caldera 0",
        "Caldera 1",
    ]


# -- concurrency ---------------------------------------------------------------------------

# A scan in a child process that, once imported, waits for the "go" file: both scans
# then start together.
_SCAN = """
import os, sys, time
from tgematch.cli import main
ready, go = sys.argv[1], sys.argv[2]
open(ready, "w").close()
deadline = time.monotonic() + 60
while not os.path.exists(go) and time.monotonic() < deadline:
    time.sleep(0.005)
raise SystemExit(main(sys.argv[3:]))
"""
_COMPANIES = ["Caldera", "Fabric", "Succinct", "Fhenix", "Curvance", "Espresso"]


def _write_corpus(path: Path, start: int, count: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(start, start + count):
            company = _COMPANIES[i % len(_COMPANIES)]
            other = _COMPANIES[(i + 1) % len(_COMPANIES)]
            content = (
                f"{company} announces the token generation event number {i}. "
                f"The claim portal is now live"
                + (f", and {other} Labs joins the airdrop." if i % 3 == 0 else ".")
            )
            fh.write(json.dumps({"id": i, "title": f"{company} TGE {i}", "content": content}))
            fh.write("\n")


def test_two_concurrent_scans_lose_and_duplicate_nothing(db_url: str, tmp_path: Path) -> None:
    files = [tmp_path / f"part{i}.jsonl" for i in range(3)]
    for n, path in enumerate(files):
        _write_corpus(path, n * 600, 600)
    # The expected alerts, computed directly with the matcher.
    matcher = tgematch.Matcher(tgematch.Watchlist.example())
    expected: set[str] = set()
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            doc = json.loads(line)
            analysis = matcher.analyze(doc["content"], doc["title"])
            for rec in alerts_from_analysis(analysis, doc["content"], doc["title"]):
                expected.add(rec.content_hash)
    assert len(expected) > 1500
    # The database is not migrated yet: both scans migrate it at once, too.
    env = _subprocess_env(TGEMATCH_DB_URL="")
    common = ["scan", "--db", db_url, "--batch-size", "25", "--no-progress", "-q"]
    # Both scans read part1: they race on the same 600 documents.
    go = tmp_path / "go"
    ready = [tmp_path / "ready0", tmp_path / "ready1"]
    inputs = [(files[0], files[1]), (files[1], files[2])]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _SCAN, str(r), str(go), *common, str(a), str(b)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for r, (a, b) in zip(ready, inputs, strict=True)
    ]
    deadline = time.monotonic() + 60
    while not all(r.exists() for r in ready) and time.monotonic() < deadline:
        time.sleep(0.005)
    go.touch()
    outputs = [p.communicate(timeout=600) for p in procs]
    for proc, (_, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    new_counts = [_summary_value(out, "alerts stored (new)") for out, _ in outputs]
    eng = create_engine(db_url)
    try:
        with eng.connect() as conn:
            stored = list(conn.execute(sa.select(Alert.content_hash)).scalars())
            found = conn.execute(sa.select(sa.func.sum(Feed.tge_alerts_found))).scalar_one()
            fetches = conn.execute(sa.select(sa.func.sum(Feed.success_count))).scalar_one()
    finally:
        eng.dispose()
    assert len(stored) == len(set(stored))  # nothing duplicated
    assert set(stored) == expected  # nothing lost
    assert sum(new_counts) == len(expected)  # each alert inserted by exactly one scan
    assert found == len(expected)  # feed statistics add up across both scans
    assert fetches == 4


def _summary_value(output: str, label: str) -> int:
    for line in output.splitlines():
        if label in line:
            return int(line.replace("│", " ").split()[-1].replace(",", ""))
    raise AssertionError(f"{label!r} not in output:\n{output}")
