"""Issue 10 row 14: control characters from documents never reach the terminal.

Covers every command that prints document or database text: ``scan`` (per-document
lines, summary, JSONL), ``alerts`` (table, JSONL), ``explain``, and error messages
quoting input. Rich markup in document text is printed literally.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tgematch.cli import main
from tgematch.sanitize import json_line, printable

#: ESC (screen clear + red), C1 CSI, DEL, BEL, CR, a bidi override and an isolate.
HOSTILE = "\x1b[2J\x1b[31m\x9b1m\x7f\x07\r\u202e\u2066"
RAW = ("\x1b", "\x9b", "\x7f", "\x07", "\r", "\u202e", "\u2066")
MARKUP = "[bold red]LOUD[/bold red]"
TITLE = f"Caldera TGE {HOSTILE} {MARKUP} is live"
CONTENT = "Caldera token generation event: the $CAL airdrop and claim are live today."


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("TGEMATCH_DB_URL", raising=False)


def _assert_clean(text: str) -> None:
    for ch in RAW:
        assert ch not in text, (ch, text)


def _write_input(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.jsonl"
    record = {"id": f"id{HOSTILE}", "title": TITLE, "content": CONTENT, "url": f"u{HOSTILE}"}
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    return path


def test_printable_replaces_one_for_one() -> None:
    text = f"a{HOSTILE}\tb\nc\ud800"
    out = printable(text)
    assert len(out) == len(text)
    _assert_clean(out)
    assert "\t" not in out and "\n" not in out and "\ud800" not in out
    assert "\u241b" in out and "\u2421" in out and "\ufffd" in out
    kept = printable(text, layout=True)
    assert "\t" in kept and "\n" in kept and len(kept) == len(text)
    assert printable("Straße ünïcode ✓") == "Straße ünïcode ✓"


def test_json_line_escapes_and_round_trips() -> None:
    payload = {"t": f"{HOSTILE}é\ud800"}
    line = json_line(payload)
    _assert_clean(line)
    assert "é" in line  # non-ASCII text stays readable
    assert json.loads(line) == payload


def test_scan_table_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _write_input(tmp_path)
    status = main(["scan", str(src), "--no-progress", "--db", str(tmp_path / "a.db")])
    out, err = capsys.readouterr()
    assert status == 0, err
    _assert_clean(out + err)
    assert "Caldera" in out and MARKUP in out  # markup printed literally


def test_scan_jsonl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _write_input(tmp_path)
    assert main(["scan", str(src), "--no-progress", "--output", "jsonl"]) == 0
    out, err = capsys.readouterr()
    _assert_clean(out + err)
    record = json.loads(out.splitlines()[0])
    assert record["title"] == TITLE and record["id"] == f"id{HOSTILE}"


def test_alerts_table_and_jsonl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _write_input(tmp_path)
    db = str(tmp_path / "a.db")
    assert main(["scan", str(src), "-q", "--no-progress", "--db", db]) == 0
    capsys.readouterr()
    assert main(["alerts", "--db", db]) == 0
    out, err = capsys.readouterr()
    _assert_clean(out + err)
    assert "Caldera" in out and "[bold red]LOUD" in out
    assert main(["alerts", "--db", db, "--output", "jsonl"]) == 0
    out, _ = capsys.readouterr()
    _assert_clean(out)
    assert json.loads(out.splitlines()[0])["title"] == TITLE


def test_explain(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", f"{CONTENT}\n{HOSTILE} {MARKUP}", "--title", TITLE]) == 0
    out, err = capsys.readouterr()
    _assert_clean(out + err)
    assert MARKUP in out and "score" in out


def test_explain_markup_in_watchlist_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wl = tmp_path / "wl.json"
    wl.write_text(
        json.dumps({"companies": [{"name": "Cal[bold]dera", "priority": "HIGH"}]}),
        encoding="utf-8",
    )
    assert main(["explain", "Cal[bold]dera TGE is live", "--watchlist", str(wl)]) == 0
    out, _ = capsys.readouterr()
    assert "Cal[bold]dera (HIGH)" in out


def test_error_messages_quoting_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = str(tmp_path / f"no{HOSTILE}such.jsonl")
    assert main(["scan", missing, "--output", "jsonl", "--no-progress"]) == 1
    _, err = capsys.readouterr()
    _assert_clean(err)
    assert len(err.splitlines()) == 1
    assert main(["explain", "x", "--watchlist", missing]) == 1
    _, err = capsys.readouterr()
    _assert_clean(err)


def test_skipped_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "bad.jsonl"
    src.write_text(json.dumps({f"x{HOSTILE}": 1}) + "\n{" + HOSTILE + "\n", encoding="utf-8")
    main(["scan", str(src), "--no-progress", "--output", "jsonl"])
    out, err = capsys.readouterr()
    _assert_clean(out + err)
    assert "skipped 2" in err


def test_explain_in_colour_highlights_and_stays_clean(tmp_path: Path) -> None:
    """On a colour terminal (forced here) explain highlights the matches with its own
    escape codes; the document's own control sequences still never get through."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "FORCE_COLOR": "1", "TERM": "xterm-256color", "COLUMNS": "120"}
    env.pop("NO_COLOR", None)
    doc = f"{CONTENT}\n{HOSTILE} {MARKUP}"
    code = "import sys; from tgematch.cli import main; sys.exit(main(sys.argv[1:]))"
    run = subprocess.run(
        [sys.executable, "-c", code, "explain", doc, "--title", TITLE],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "\x1b[1;32m" in out  # a company, bold green
    for raw in ("\x1b[2J", "\x1b[31m", "\x9b", "\x7f", "\x07", "\u202e", "\u2066"):
        assert raw not in out
    assert "␛[2J" in out and MARKUP in out


def test_explain_without_colour_writes_the_document_plainly(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Not a terminal: the document is written as it is (sanitised), no escape codes."""
    doc = f"{CONTENT}\n\tindented {HOSTILE}"
    assert main(["explain", doc]) == 0
    out, _ = capsys.readouterr()
    assert "\x1b" not in out
    assert out.startswith(printable(doc, layout=True) + "\n")
