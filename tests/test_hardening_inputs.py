"""Regression tests of issue 10's input rows (5, 6, 7, 10, 11): hostile files for scan.

Each test failed on the code before :mod:`tgematch.inputs` (hang, MemoryError, traceback
or silently lost records). Tests that could hang on a regression run the CLI in a
subprocess with a timeout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tgematch import inputs
from tgematch.cli import main
from tgematch.exit_status import ExitStatus

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs, symlinks, /dev")

WATCHLIST = {
    "companies": [
        {"name": "Caldera", "ticker": "CAL", "priority": "HIGH"},
        {"name": "Espresso", "ticker": "ESP", "priority": "HIGH"},
    ],
    "keywords": [{"pattern": "tge", "weight": 30}, {"pattern": "is live", "weight": 20}],
}


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("TGEMATCH_DB_URL", raising=False)


@pytest.fixture
def watchlist(tmp_path: Path) -> str:
    path = tmp_path / "wl.json"
    path.write_text(json.dumps(WATCHLIST))
    return str(path)


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The CLI in a subprocess: a hang fails the test instead of stopping the suite."""
    code = "import sys; from tgematch.cli import main; raise SystemExit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "COLUMNS": "200"},
    )


def jsonl_lines(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


# row 5 ----------------------------------------------------------------------------------


def test_watchlist_symlink_to_dev_zero_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "z.json"
    link.symlink_to("/dev/zero")
    proc = cli("explain", "x", "--watchlist", str(link), timeout=30)
    assert proc.returncode == 1
    assert "a device" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_watchlist_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "w.json"
    os.mkfifo(fifo)
    proc = cli("explain", "x", "--watchlist", str(fifo), timeout=30)
    assert proc.returncode == 1
    assert "a FIFO" in proc.stderr


def test_watchlist_over_the_size_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import tgematch.config

    path = tmp_path / "big.json"
    path.write_text(json.dumps(WATCHLIST) + " " * 100)
    monkeypatch.setattr(tgematch.config, "WATCHLIST_MAX_BYTES", 64)
    assert main(["explain", "x", "--watchlist", str(path)]) == 1
    assert "larger than 64 bytes" in capsys.readouterr().err


def test_fifo_inside_a_scanned_directory_is_skipped(tmp_path: Path, watchlist: str) -> None:
    d = tmp_path / "d"
    d.mkdir()
    os.mkfifo(d / "pipe.jsonl")
    (d / "ok.jsonl").write_text('{"id": 1, "text": "Caldera TGE is live"}\n')
    proc = cli("scan", str(d), "--watchlist", watchlist, "--output", "jsonl", timeout=30)
    assert proc.returncode == ExitStatus.SKIPPED, proc.stderr
    assert [r["id"] for r in jsonl_lines(proc.stdout)] == ["1"]
    assert "pipe.jsonl: a FIFO" in proc.stderr


def test_named_device_is_streamed_with_a_bounded_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # /dev/zero never yields a newline: one over-long record is skipped, the scan ends.
    monkeypatch.setattr(inputs, "MAX_LINE_BYTES", 4096)
    status = main(["scan", "/dev/zero", "--output", "jsonl", "--no-progress"])
    assert status == ExitStatus.NOTHING_READ
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "/dev/zero:1: line longer than 4096 bytes; rest of the stream not read" in captured.err


def test_named_fifo_is_streamed(tmp_path: Path, watchlist: str) -> None:
    fifo = tmp_path / "feed"
    os.mkfifo(fifo)
    script = (
        f'(for i in $(seq 1 2000); do echo "{{\\"id\\": $i, \\"text\\": '
        f'\\"Caldera TGE is live\\"}}"; done) > {fifo} & '
        f"{sys.executable} -m tgematch.cli scan {fifo} --watchlist {watchlist} --output jsonl"
    )
    proc = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    rows = jsonl_lines(proc.stdout)
    assert len(rows) == 2000, proc.stderr
    assert rows[0]["id"] == "1" and rows[-1]["id"] == "2000"


# row 6 ----------------------------------------------------------------------------------


def test_process_substitution_is_read_once(tmp_path: Path, watchlist: str) -> None:
    # Over 64 KB, so the old readability check and sniffing ate the first records.
    path = tmp_path / "tweets.jsonl"
    with path.open("w") as fh:
        for i in range(3000):
            text = "Caldera TGE is live" if i % 500 == 7 else f"an ordinary tweet number {i}"
            fh.write(json.dumps({"id": i, "text": text}) + "\n")
    base = f"{sys.executable} -m tgematch.cli scan --watchlist {watchlist} --output jsonl"
    piped = subprocess.run(
        ["bash", "-c", f"{base} <(cat {path})"], capture_output=True, text=True, timeout=120
    )
    direct = subprocess.run(
        ["bash", "-c", f"{base} {path}"], capture_output=True, text=True, timeout=120
    )
    assert piped.returncode == 0, piped.stderr
    got, want = jsonl_lines(piped.stdout), jsonl_lines(direct.stdout)
    assert len(got) == 3000
    assert [r["id"] for r in got] == [str(i) for i in range(3000)]
    strip = [{k: v for k, v in r.items() if k != "source"} for r in want]
    assert [{k: v for k, v in r.items() if k != "source"} for r in got] == strip
    assert sum(bool(r["is_relevant"]) for r in got) == 6


# row 7 ----------------------------------------------------------------------------------


def test_csv_unbalanced_quote_is_skipped_and_the_rest_read(
    tmp_path: Path, watchlist: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.csv"
    rows = "".join(f"{i},Espresso TGE is live\n" for i in range(3, 1001))
    path.write_text('id,text\n1,Caldera TGE is live\n2,"Fabric TGE is live\n' + rows)
    code = main(["scan", str(path), "--watchlist", watchlist, "--output", "jsonl"])
    captured = capsys.readouterr()
    assert code == ExitStatus.SKIPPED
    got = jsonl_lines(captured.out)
    assert [r["id"] for r in got] == ["1", *(str(i) for i in range(3, 1001))]
    assert sum(bool(r["is_relevant"]) for r in got) == 999
    assert f"{path}:3: malformed CSV: unbalanced quote" in captured.err


def test_csv_multiline_quoted_field_still_read(
    tmp_path: Path, watchlist: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "m.csv"
    path.write_text('id,text\n1,"Caldera\nTGE ""is"" live"\n2,plain\n')
    assert main(["scan", str(path), "--watchlist", watchlist, "--output", "jsonl"]) == 0
    got = jsonl_lines(capsys.readouterr().out)
    assert [r["id"] for r in got] == ["1", "2"]
    assert got[0]["source"] == f"{path}:2" and got[1]["source"] == f"{path}:4"


# row 10 ---------------------------------------------------------------------------------


def test_undecodable_file_name_is_scanned_and_stored(
    tmp_path: Path, watchlist: str, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = os.fsencode(tmp_path) + b"/f\xff.jsonl"
    with open(raw, "wb") as fh:
        fh.write(b'{"id": 1, "text": "Caldera TGE is live $CAL"}\n')
    db = f"sqlite:///{tmp_path / 'n.db'}"
    # The directory also holds the watchlist, which is no corpus: skipped, hence SKIPPED.
    for target, status in ((os.fsdecode(raw), ExitStatus.OK), (str(tmp_path), ExitStatus.SKIPPED)):
        assert (
            main(["scan", target, "--watchlist", watchlist, "--db", db, "--no-progress"]) == status
        )
        assert "f\\xff.jsonl" in capsys.readouterr().out


# row 11 ---------------------------------------------------------------------------------


def test_symlink_loop_in_a_directory_is_reported_and_the_scan_goes_on(
    tmp_path: Path, watchlist: str, capsys: pytest.CaptureFixture[str]
) -> None:
    d = tmp_path / "d"
    d.mkdir()
    (d / "a.jsonl").symlink_to("b")
    (d / "b").symlink_to("a.jsonl")
    (d / "c.jsonl").write_text('{"id": 7, "text": "Caldera TGE is live"}\n')
    status = main(["scan", str(d), "--watchlist", watchlist, "--output", "jsonl"])
    assert status == ExitStatus.SKIPPED
    captured = capsys.readouterr()
    assert [r["id"] for r in jsonl_lines(captured.out)] == ["7"]
    assert f"{d / 'a.jsonl'}: symlink loop" in captured.err


def test_symlink_loop_named_directly_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.jsonl").symlink_to("b.jsonl")
    (tmp_path / "b.jsonl").symlink_to("a.jsonl")
    assert main(["scan", str(tmp_path / "a.jsonl"), "--output", "jsonl"]) == 1
    err = capsys.readouterr().err
    assert "symlink loop" in err and "Traceback" not in err


# row 23 (explain on a large document) ---------------------------------------------------


def test_explain_time_is_linear_in_the_document(tmp_path: Path, watchlist: str) -> None:
    import contextlib
    import time

    unit = "Caldera TGE is live $CAL. Espresso mainnet airdrop claim now. "

    def run(nbytes: int) -> float:
        text = unit * (nbytes // len(unit))
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
                assert main(["explain", text, "--watchlist", watchlist]) == 0
            best = min(best, time.perf_counter() - start)
        return best

    run(20_000)  # imports, first rendering
    small, large = run(150_000), run(300_000)
    if large > 3 * small:  # the machine is shared: one re-measurement before failing
        small, large = run(150_000), run(300_000)
    assert large <= 3 * small, (small, large)
