"""Issue 10 row 23 (scan parts): feed statistics count only committed work, and an
interrupted scan (Ctrl-C, SIGTERM) records the error of the feed it was reading."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import tgematch
from tgematch.cli import main
from tgematch.exit_status import ExitStatus
from tgematch.store import create_engine
from tgematch.store.models import Feed

EXAMPLES = Path(tgematch.__file__).resolve().parent / "data" / "examples.jsonl"


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("TGEMATCH_DB_URL", raising=False)


def _feed_counts(db: str) -> list[tuple[int, int]]:
    eng = create_engine(db)
    try:
        with eng.connect() as conn:
            rows = conn.execute(sa.select(Feed.success_count, Feed.error_count))
            return [(s, e) for s, e in rows]
    finally:
        eng.dispose()


def test_rolled_back_read_is_not_a_success(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    assert main(["db", "upgrade", "--db", db]) == 0
    eng = create_engine(db)
    with eng.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER boom BEFORE INSERT ON alerts BEGIN SELECT RAISE(ABORT, 'boom'); END"
        )
    eng.dispose()
    assert main(["scan", "--examples", "--db", db, "--no-progress", "-q"]) == 1
    assert _feed_counts(db) == [(0, 1)]
    capsys.readouterr()


def _interrupt_after_first_batch(monkeypatch: pytest.MonkeyPatch, action: Any) -> None:
    original = tgematch.Matcher.analyze_many
    calls = []

    def analyze_many(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) > 1:
            action()
        return original(self, *args, **kwargs)

    monkeypatch.setattr(tgematch.Matcher, "analyze_many", analyze_many)


def _raise_keyboard_interrupt() -> None:
    raise KeyboardInterrupt


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        (_raise_keyboard_interrupt, ExitStatus.INTERRUPTED),
        (lambda: os.kill(os.getpid(), signal.SIGTERM), ExitStatus.TERMINATED),
    ],
    ids=["ctrl-c", "sigterm"],
)
def test_interrupted_scan_records_feed_error(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    action: Any,
    expected: ExitStatus,
) -> None:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    _interrupt_after_first_batch(monkeypatch, action)
    argv = ["scan", str(EXAMPLES), "--db", db, "--no-progress", "-q", "--batch-size", "1"]
    assert main(argv) == expected
    _, err = capsys.readouterr()
    assert err.strip() in ("tgematch: interrupted", "tgematch: terminated")
    assert _feed_counts(db) == [(0, 1)]
    assert signal.getsignal(signal.SIGTERM) is not None
