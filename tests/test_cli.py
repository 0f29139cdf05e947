"""Tests of the ``tgematch`` command line (scan, alerts, explain, db).

Tests taking ``db_url`` run on SQLite and on PostgreSQL; the PostgreSQL runs need a
server (``eval "$(.ci/postgres.sh)"`` exports ``TGEMATCH_TEST_PG_URL``) and are skipped
with that instruction otherwise.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from databases import empty_database

import tgematch
from tgematch.cli import main
from tgematch.cli.args import parse_confidence, parse_since
from tgematch.exit_status import ExitStatus
from tgematch.store import create_engine
from tgematch.store.models import Alert, Feed
from tgematch.store.writes import alerts_from_analysis

EXAMPLES = Path(tgematch.__file__).resolve().parent / "data" / "examples.jsonl"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a new PostgreSQL database."""
    yield from empty_database(request.param, tmp_path / "cli.db", "tgematch_c")


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("TGEMATCH_DB_URL", raising=False)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return (exit status, stdout, stderr)."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def summary_value(output: str, label: str) -> int:
    """An integer from the scan summary table."""
    for line in output.splitlines():
        if label in line:
            cells = [c.strip() for c in line.replace("┃", "│").split("│") if c.strip()]
            return int(cells[-1].split()[0].replace(",", ""))
    raise AssertionError(f"{label!r} not in:\n{output}")


def expected_example_alerts() -> tuple[set[str], dict[str, list[str]]]:
    """Alert hashes of the bundled examples, and companies per relevant line, via Matcher."""
    matcher = tgematch.Matcher(tgematch.Watchlist.example())
    hashes: set[str] = set()
    by_line: dict[str, list[str]] = {}
    for n, line in enumerate(EXAMPLES.read_text(encoding="utf-8").splitlines(), 1):
        doc = json.loads(line)
        analysis = matcher.analyze(doc["content"], doc.get("title"))
        records = alerts_from_analysis(analysis, doc["content"], doc.get("title"))
        hashes |= {r.content_hash for r in records}
        if records:
            by_line[f"examples.jsonl:{n}"] = [r.company for r in records]
    return hashes, by_line


def count_alerts(url: str) -> int:
    eng = create_engine(url)
    try:
        with eng.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(Alert)).scalar_one())
    finally:
        eng.dispose()


# -- scan ----------------------------------------------------------------------------------


def test_scan_examples_twice(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    hashes, by_line = expected_example_alerts()
    assert len(by_line) >= 10 and len(hashes) >= 10
    code, out, err = run(capsys, "scan", "--examples", "--db", db_url, "--no-progress")
    assert code == 0, err
    doc_lines = [ln for ln in out.splitlines() if "examples.jsonl:" in ln]
    assert {ln.split()[1] for ln in doc_lines} == set(by_line)
    for ln in doc_lines:
        for company in by_line[ln.split()[1]]:
            assert f"{company} (new)" in ln
    assert summary_value(out, "documents read") == 25
    assert summary_value(out, "alerts stored (new)") == len(hashes)
    assert "alerts by company" in out and "docs/s" in out
    assert count_alerts(db_url) == len(hashes)

    code, out, err = run(capsys, "scan", "--examples", "--db", db_url, "--no-progress")
    assert code == 0, err
    assert summary_value(out, "alerts stored (new)") == 0
    assert summary_value(out, "alerts already stored") == len(hashes)
    assert "(already stored)" in out
    assert count_alerts(db_url) == len(hashes)
    eng = create_engine(db_url)
    try:
        with eng.connect() as conn:
            feed = conn.execute(sa.select(Feed)).one()
    finally:
        eng.dispose()
    assert feed.kind == "file" and feed.success_count == 2
    assert feed.tge_alerts_found == len(hashes)


def test_failed_batch_is_reported_and_rerun_completes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    assert run(capsys, "db", "upgrade", "--db", db)[0] == 0
    eng = create_engine(db)
    title = "Fabric Cryptography opens FAB airdrop claims"  # examples.jsonl line 2
    with eng.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER boom BEFORE INSERT ON alerts "
            f"WHEN NEW.title = '{title}' BEGIN SELECT RAISE(ABORT, 'boom'); END"
        )
    hashes, _ = expected_example_alerts()
    code, out, err = run(
        capsys, "scan", "--examples", "--db", db, "--batch-size", "1", "--no-progress"
    )
    assert code == 1
    assert "examples.jsonl:2" in err and "boom" in err and "re-run" in err
    assert "Fabric (NOT STORED)" in out
    assert summary_value(out, "alerts stored (new)") == len(hashes) - 1
    assert count_alerts(db) == len(hashes) - 1
    with eng.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER boom")
    eng.dispose()
    code, out, err = run(capsys, "scan", "--examples", "--db", db, "--no-progress")
    assert code == 0, err
    assert summary_value(out, "alerts stored (new)") == 1
    assert count_alerts(db) == len(hashes)


def test_scan_defaults_to_sqlite_file_in_cwd(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "scan", "--examples", "-q", "--no-progress")
    assert code == 0, err
    assert (tmp_path / "tgematch.db").exists()
    assert count_alerts(f"sqlite:///{tmp_path / 'tgematch.db'}") == len(
        expected_example_alerts()[0]
    )


def test_bad_input_is_counted_reported_and_skipped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    good = {"title": "Caldera TGE", "content": "Caldera announces its TGE: claim portal is live."}
    lines = [
        json.dumps(good).encode(),
        b'{"title": "broken", "content": ',
        json.dumps({"title": "no text"}).encode(),
        json.dumps({"content": 42}).encode(),
        b'{"content": "Fabric \xff\xfe airdrop is live"}',
        json.dumps({"content": "   "}).encode(),
        b"",
        b"[1, 2]",
        json.dumps(
            {"title": "Fabric", "content": "Fabric Labs airdrop is live, claim now."}
        ).encode(),
    ]
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"\n".join(lines) + b"\n")
    csv_file = tmp_path / "docs.csv"
    csv_file.write_bytes(
        b"title,content\n"
        b'Succinct,"Succinct Labs confirms\nthe token generation event, claim is live"\n'
        b"oops,\xff\xfe\n"
        b",\n"
    )
    db = f"sqlite:///{tmp_path / 'x.db'}"
    code, out, err = run(
        capsys, "scan", str(bad), str(csv_file), "--db", db, "--no-progress", "--show-skipped", "-1"
    )
    assert code == ExitStatus.SKIPPED, err  # the others were stored, but not every record
    assert summary_value(out, "documents read") == 12
    assert summary_value(out, "skipped") == 9
    assert summary_value(out, "analysed") == 3
    for where, why in [
        ("bad.jsonl:2", "malformed JSON"),
        ("bad.jsonl:3", "missing field"),
        ("bad.jsonl:4", "not a string"),
        ("bad.jsonl:5", "undecodable bytes"),
        ("bad.jsonl:6", "empty document"),
        ("bad.jsonl:7", "empty line"),
        ("bad.jsonl:8", "not a JSON object"),
        ("docs.csv:4", "undecodable bytes"),
        ("docs.csv:5", "empty row"),
    ]:
        assert any(where in ln and why in ln for ln in err.splitlines()), (where, err)
    # The good documents around the bad ones were all stored.
    eng = create_engine(db)
    try:
        with eng.connect() as conn:
            titles = set(conn.execute(sa.select(Alert.title)).scalars())
    finally:
        eng.dispose()
    assert titles == {"Caldera TGE", "Fabric", "Succinct"}


def test_scan_directory_and_formats(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "a.jsonl").write_text(
        json.dumps({"body": "Caldera TGE is live, claim portal open"}) + "\n", encoding="utf-8"
    )
    (corpus / "sub" / "b.txt").write_text(
        "Fhenix token launch date confirmed, TGE next week\nnothing here\n", encoding="utf-8"
    )
    (corpus / "sub" / "c.tsv").write_text(
        "title\tcontent\nx\tCurvance TGE is live\n", encoding="utf-8"
    )
    (corpus / "ignored.bin").write_bytes(b"\x00\x01")
    (corpus / ".hidden.jsonl").write_text("{}\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'x.db'}"
    code, out, err = run(capsys, "scan", str(corpus), "--db", db, "--no-progress")
    assert code == 0, err
    assert summary_value(out, "files") == 3
    assert summary_value(out, "documents read") == 4
    assert summary_value(out, "skipped") == 0
    assert {"Caldera", "Fhenix", "Curvance"} <= set(out.split())
    # --text-field restricts the text to that field only.
    code, out, err = run(
        capsys,
        "scan",
        str(corpus / "a.jsonl"),
        "--db",
        db,
        "--text-field",
        "content",
        "--no-progress",
    )
    assert code == ExitStatus.NOTHING_READ  # its one record has no 'content'
    assert summary_value(out, "skipped") == 1 and "missing field 'content'" in err


def test_output_jsonl_streams_analyses_without_database(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "scan", "--examples", "--output", "jsonl", "--no-progress")
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 25
    matcher = tgematch.Matcher(tgematch.Watchlist.example())
    docs = [json.loads(line) for line in EXAMPLES.read_text(encoding="utf-8").splitlines()]
    for rec, doc in zip(records, docs, strict=True):
        analysis = matcher.analyze(doc["content"], doc.get("title"))
        assert rec["id"] == doc["id"]
        assert rec["confidence"] == analysis.confidence
        assert rec["is_relevant"] == analysis.is_relevant
        assert [c["name"] for c in rec["companies"]] == [c.name for c in analysis.companies]
    assert "documents read" in err  # the summary goes to stderr
    assert not (tmp_path / "tgematch.db").exists()


def test_unreadable_input_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "x.db"
    code, _, err = run(capsys, "scan", str(tmp_path / "missing.jsonl"), "--db", str(db))
    assert code == 1
    assert err.strip().count("\n") == 0
    assert err.startswith("tgematch: error: cannot read") and "missing.jsonl" in err
    assert not db.exists()  # nothing was written
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        locked = tmp_path / "locked.jsonl"
        locked.write_text("{}\n")
        locked.chmod(0)
        code, _, err = run(capsys, "scan", str(locked), "--db", str(db))
        assert code == 1 and "cannot read" in err


def test_unreachable_database_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pytest.importorskip("psycopg")
    url = "postgresql://someone:hunter2@127.0.0.1:1/nothing"
    code, _, err = run(capsys, "scan", "--examples", "--db", url, "--no-progress")
    assert code == 1
    assert err.strip().count("\n") == 0
    assert "cannot use database" in err and "hunter2" not in err and "***" in err
    code, _, err = run(capsys, "scan", "--examples", "--db", str(tmp_path / "no" / "dir.db"))
    assert code == 1 and err.strip().count("\n") == 0 and "does not exist" in err
    code, _, err = run(capsys, "alerts", "--db", url)
    assert code == 1 and "cannot use database" in err


def test_invalid_watchlist_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    wl = tmp_path / "wl.json"
    wl.write_text(json.dumps({"companies": [{"name": "  "}]}), encoding="utf-8")
    code, _, err = run(capsys, "scan", "--examples", "--watchlist", str(wl), "--output", "jsonl")
    assert code == 1
    assert err.startswith("tgematch: error: invalid watchlist") and err.strip().count("\n") == 0
    code, _, err = run(capsys, "explain", "x", "--watchlist", str(tmp_path / "none.toml"))
    assert code == 1 and "cannot read watchlist" in err


# -- alerts --------------------------------------------------------------------------------


def test_alerts_filters(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    code, _, err = run(capsys, "scan", "--examples", "--db", db_url, "-q", "--no-progress")
    assert code == 0, err
    code, out, _ = run(capsys, "alerts", "--db", db_url, "--output", "jsonl", "--limit", "0")
    everything = [json.loads(line) for line in out.splitlines()]
    assert len(everything) == len(expected_example_alerts()[0])
    code, out, _ = run(
        capsys,
        "alerts",
        "--db",
        db_url,
        "--company",
        "CALDERA",
        "--since",
        "24h",
        "--min-confidence",
        "80",
        "--output",
        "jsonl",
    )
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    want = [a for a in everything if a["company"] == "Caldera" and a["confidence"] >= 80]
    assert rows and sorted(r["content_hash"] for r in rows) == sorted(
        a["content_hash"] for a in want
    )
    code, out, _ = run(capsys, "alerts", "--db", db_url, "--since", "2999-01-01")
    assert code == 0 and "No alerts match." in out
    code, out, _ = run(capsys, "alerts", "--db", db_url, "--company", "Fabric")
    assert code == 0 and "Fabric" in out and "Caldera" not in out
    assert "Fabric Cryptography opens FAB airdrop claims" in out


def test_alerts_without_database(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "alerts", "--db", str(tmp_path / "none.db"))
    assert code == 1 and "no database" in err
    assert not (tmp_path / "none.db").exists()


def test_argument_parsers() -> None:
    assert parse_since("24h").total_seconds() == 86400  # type: ignore[union-attr]
    assert parse_since("2w").total_seconds() == 14 * 86400  # type: ignore[union-attr]
    assert parse_since("2026-01-01").tzinfo is not None  # type: ignore[union-attr]
    assert parse_confidence("70") == 70 and parse_confidence("0") == 0
    assert parse_confidence("100") == 100
    with pytest.raises(Exception, match="invalid --since"):
        parse_since("yesterday")
    for bad in ("250", "-1", "101"):
        with pytest.raises(Exception, match=r"--min-confidence .*from 0 to 100"):
            parse_confidence(bad)
    with pytest.raises(Exception, match=r"--min-confidence '0\.7'.*did you mean 70"):
        parse_confidence("0.7")


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["alerts", "--since", "soon"])
    assert info.value.code == 2
    assert "invalid --since" in capsys.readouterr().err


# -- explain -------------------------------------------------------------------------------


def test_explain_shows_score_breakdown(capsys: pytest.CaptureFixture[str]) -> None:
    text = "Exciting news! Caldera is launching their TGE next week. The testnet is over."
    code, out, _ = run(capsys, "explain", text, "--title", "Caldera")
    assert code == 0
    analysis = tgematch.Matcher(tgematch.Watchlist.example()).analyze(text, "Caldera")
    assert "Caldera (HIGH)" in out and f"+{analysis.companies[0].score}" in out
    for kw in analysis.keywords:
        assert kw.pattern in out
    for ex in analysis.exclusions:
        assert f"-{ex.penalty}" in out
    assert f"confidence {analysis.confidence}/100" in out
    assert f"launch score {analysis.launch_score}/100" in out
    assert ("RELEVANT" in out) == analysis.is_relevant
    # why a name did not match: the example's Caldera is an ordinary word (exact case)
    code, out, _ = run(capsys, "explain", "the caldera TGE")
    assert code == 0 and "names:" in out and "'caldera' does not match" in out
    # the example's Caldera is an ordinary word: it matches as written, then its own
    # exclusion phrase vetoes it
    code, out, _ = run(capsys, "explain", "A volcanic Caldera erupted.")
    assert code == 0 and "vetoed" in out and "not relevant" in out


def test_scan_says_what_the_watchlist_can_never_match(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    wl = tmp_path / "wl.json"
    wl.write_text(json.dumps({"companies": [{"name": "Caldera"}, {"name": "4", "tokens": ["1"]}]}))
    docs = tmp_path / "d.txt"
    docs.write_text("Caldera TGE is live\n", encoding="utf-8")
    code, _out, err = run(
        capsys, "scan", str(docs), "--watchlist", str(wl), "--output", "jsonl", "--no-progress"
    )
    assert code == 0
    line = next(ln for ln in err.splitlines() if ln.startswith("watchlist:"))
    assert "companies[1].name '4'" in line and "has no letter" in line and "more" in line


# -- db ------------------------------------------------------------------------------------


def test_db_commands(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    code, out, err = run(capsys, "db", "upgrade", "--db", db_url)
    assert code == 0, err
    assert "empty -> 0001" in out
    code, out, _ = run(capsys, "db", "upgrade", "--db", db_url)
    assert code == 0 and "already up to date" in out
    code, out, _ = run(capsys, "db", "current", "--db", db_url)
    assert code == 0 and "0001 (up to date)" in out
    eng = create_engine(db_url)
    try:
        assert {"alerts", "feeds", "companies"} <= set(sa.inspect(eng).get_table_names())
    finally:
        eng.dispose()
    code, out, _ = run(capsys, "db", "downgrade", "base", "--db", db_url)
    assert code == 0 and "base" in out
    eng = create_engine(db_url)
    try:
        assert "alerts" not in sa.inspect(eng).get_table_names()
    finally:
        eng.dispose()
    code, _, err = run(capsys, "alerts", "--db", db_url)
    assert code == 1 and "tgematch db upgrade" in err
