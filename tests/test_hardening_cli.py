"""Issue 10 rows 17-23 (CLI part): every error path ends in one line and an ExitStatus.

Each case runs ``tgematch`` in a child process (tracebacks, broken pipes and full disks
are only visible there) and requires exactly one line on stderr (for usage errors:
exactly one ``error:`` line after argparse's usage), no traceback, and the status.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import tgematch
from tgematch.cli import main
from tgematch.exit_status import ExitStatus

EXAMPLES = Path(tgematch.__file__).resolve().parent / "data" / "examples.jsonl"
RUN = "import sys; from tgematch.cli import main; sys.exit(main())"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A SQLite database holding the example alerts."""
    path = tmp_path_factory.mktemp("hardening_cli") / "alerts.db"
    assert main(["scan", "--examples", "-q", "--no-progress", "--db", str(path)]) == 0
    yield str(path)


def _tgematch(argv: list[str], *, env: dict[str, str] | None = None, stdout: Any = None) -> Any:
    full_env = {k: v for k, v in os.environ.items() if k != "TGEMATCH_DB_URL"}
    full_env.update({"COLUMNS": "200", **(env or {})})
    return subprocess.run(
        [sys.executable, "-c", RUN, *argv],
        env=full_env,
        stdout=subprocess.DEVNULL if stdout is None else stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        check=False,
    )


def _assert_one_line(stderr: str, status: int, expected: ExitStatus) -> None:
    assert "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    if expected == ExitStatus.USAGE:
        errors = [ln for ln in lines if "error:" in ln]
        assert len(errors) == 1 and lines[-1] == errors[0], stderr
    else:
        assert len(lines) == 1, stderr
        assert lines[0].startswith("tgematch"), stderr
    assert status == expected, stderr


# (id, argv with {db} for the example database, environment, expected status)
CASES: list[tuple[str, list[str], dict[str, str], ExitStatus]] = [
    ("backend-garbage", ["explain", "x"], {"TGEMATCH_BACKEND": "garbage"}, ExitStatus.ERROR),
    (
        "backend-garbage-scan",
        ["scan", "--examples", "--output", "jsonl"],
        {"TGEMATCH_BACKEND": "garbage"},
        ExitStatus.ERROR,
    ),
    ("db-unparsable", ["alerts", "--db", "://bad"], {}, ExitStatus.ERROR),
    ("db-bad-port", ["alerts", "--db", "postgresql://u@h:abc/db"], {}, ExitStatus.ERROR),
    ("db-bad-port-scan", ["scan", "--examples", "--db", "postgresql://u@h:abc/db"], {}, 1),
    ("db-bad-port-upgrade", ["db", "upgrade", "--db", "postgresql://u@h:abc/db"], {}, 1),
    ("db-env-unparsable", ["db", "current"], {"TGEMATCH_DB_URL": "://bad"}, ExitStatus.ERROR),
    ("db-empty", ["alerts", "--db", ""], {}, ExitStatus.USAGE),
    ("db-empty-scan", ["scan", "--examples", "--db", ""], {}, ExitStatus.USAGE),
    ("since-days", ["alerts", "--db", "{db}", "--since", "2000000d"], {}, ExitStatus.USAGE),
    (
        "since-weeks",
        ["alerts", "--db", "{db}", "--since", "99999999999999w"],
        {},
        ExitStatus.USAGE,
    ),
    (
        "limit-huge",
        ["alerts", "--db", "{db}", "--limit", "99999999999999999999"],
        {},
        ExitStatus.USAGE,
    ),
    ("limit-negative", ["alerts", "--db", "{db}", "--limit", "-1"], {}, ExitStatus.USAGE),
    (
        "upgrade-bad-revision",
        ["db", "upgrade", "--db", "{db}", "--revision", "garbage"],
        {},
        ExitStatus.ERROR,
    ),
    ("downgrade-bad-revision", ["db", "downgrade", "garbage", "--db", "{db}"], {}, 1),
    (
        "bench-json-dir-missing",
        [
            "bench",
            str(EXAMPLES),
            "--field",
            "content",
            "--json",
            "/nonexistent/x.json",
            "--no-progress",
        ],
        {},
        ExitStatus.USAGE,
    ),
]


@pytest.mark.parametrize(
    ("argv", "env", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_error_is_one_line_with_status(
    db: str, argv: list[str], env: dict[str, str], expected: ExitStatus
) -> None:
    proc = _tgematch([a.replace("{db}", db) for a in argv], env=env)
    _assert_one_line(proc.stderr, proc.returncode, expected)


@pytest.mark.parametrize(
    "argv",
    [
        ["alerts", "--db", "{db}", "--output", "jsonl"],
        ["alerts", "--db", "{db}"],
        ["scan", "--examples", "--output", "jsonl", "--no-progress"],
        ["explain", "Caldera TGE is live"],
    ],
    ids=["alerts-jsonl", "alerts-table", "scan-jsonl", "explain"],
)
def test_broken_pipe_exits_quietly(db: str, argv: list[str]) -> None:
    # A pipe whose reader is already gone: every write fails with EPIPE, deterministically.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = _tgematch([a.replace("{db}", db) for a in argv], stdout=write_end)
    finally:
        os.close(write_end)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "Broken pipe" not in proc.stderr, proc.stderr
    assert proc.returncode == ExitStatus.BROKEN_PIPE, proc.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    "argv",
    [
        ["alerts", "--db", "{db}", "--output", "jsonl"],
        ["alerts", "--db", "{db}"],
        ["explain", "Caldera TGE is live"],
    ],
    ids=["alerts-jsonl", "alerts-table", "explain"],
)
def test_full_disk_is_one_line_error(db: str, argv: list[str]) -> None:
    with open("/dev/full", "w") as full:
        proc = _tgematch([a.replace("{db}", db) for a in argv], stdout=full)
    _assert_one_line(proc.stderr, proc.returncode, ExitStatus.ERROR)
    assert "No space left on device" in proc.stderr


def test_native_backend_missing_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import tgematch.matcher

    monkeypatch.setenv("TGEMATCH_BACKEND", "native")
    monkeypatch.setattr(tgematch.matcher, "_native_module", lambda: None)
    status = main(["explain", "Caldera TGE"])
    err = capsys.readouterr().err
    _assert_one_line(err, status, ExitStatus.ERROR)
    assert "TGEMATCH_BACKEND=native" in err


def test_bench_json_checked_before_running(tmp_path: Path) -> None:
    # A directory as the output: refused before the benchmark starts (no table printed).
    proc = _tgematch(
        ["bench", str(EXAMPLES), "--field", "content", "--json", str(tmp_path), "--no-progress"]
    )
    _assert_one_line(proc.stderr, proc.returncode, ExitStatus.USAGE)
    assert "is a directory" in proc.stderr


def test_exit_status_values() -> None:
    # BROKEN_PIPE is an alias of 1
    assert [int(s) for s in ExitStatus] == [0, 1, 2, 3, 4, 130, 143]
