"""Unit tests of :mod:`tgematch.inputs`: names, safe reading, sniffing, CSV records."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tgematch import inputs
from tgematch.inputs import (
    Document,
    Fields,
    InputError,
    InputFile,
    Skipped,
    display_name,
    read_regular_file,
)


def test_display_name_escapes_undecodable_bytes() -> None:
    assert display_name(b"f\xff.jsonl") == "f\\xff.jsonl"
    assert display_name(os.fsdecode(b"f\xff.jsonl")) == "f\\xff.jsonl"
    assert display_name("caf\u00e9.csv") == "caf\u00e9.csv"
    display_name(b"f\xff").encode("utf-8")  # storable


def test_input_error_is_an_oserror_with_the_reason() -> None:
    err = InputError("cannot read x: a FIFO", "a FIFO")
    assert isinstance(err, OSError)
    assert str(err) == "cannot read x: a FIFO" and err.strerror == "a FIFO"


def test_read_regular_file(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    path.write_bytes(b"12345")
    assert read_regular_file(path, limit=5) == b"12345"
    with pytest.raises(InputError, match="larger than 4 bytes"):
        read_regular_file(path, limit=4)
    with pytest.raises(InputError, match="no such file"):
        read_regular_file(tmp_path / "missing")
    with pytest.raises(InputError, match="a directory"):
        read_regular_file(tmp_path)


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev")
def test_read_regular_file_refuses_devices_and_fifos(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="a device"):
        read_regular_file("/dev/zero")
    fifo = tmp_path / "f"
    os.mkfifo(fifo)
    code = f"from tgematch.inputs import read_regular_file as r; r({str(fifo)!r})"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert "a FIFO" in proc.stderr


def test_sniff() -> None:
    assert inputs._sniff(b'\n\xef\xbb\xbf  {"a": 1}\n') == "jsonl"
    assert inputs._sniff(b"hello\n{") == "text"
    assert inputs._sniff(b"") == "text"


def _csv(text: str) -> list[Document | Skipped]:
    inp = InputFile("-", "t.csv", "t.csv", "csv", 0)
    return list(inputs._read_csv(io.BytesIO(text.encode()), inp, Fields(), ","))


def test_quote_state_follows_the_csv_dialect() -> None:
    q = inputs._quote_open_after
    assert q('1,"open', ",", False)
    assert not q('1,"closed"', ",", False)
    assert not q('1,a"b', ",", False)  # a quote inside an unquoted field is literal
    assert q('1,"a ""quoted"" word', ",", False)
    assert not q('still" , x', ",", True)
    assert q('""""', ",", True) is True


def test_csv_unbalanced_quote_resumes_after_the_first_line() -> None:
    items = _csv('id,text\n1,"never closed\n2,second\n3,third\n')
    assert isinstance(items[0], Skipped) and items[0].source == "t.csv:2"
    assert [(i.source, i.content) for i in items[1:] if isinstance(i, Document)] == [
        ("t.csv:3", "second"),
        ("t.csv:4", "third"),
    ]


def test_csv_record_line_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inputs, "MAX_CSV_RECORD_LINES", 3)
    items = _csv('id,text\n1,"a\nb\n"\n2,"a\nb\nc\nd"\n')
    docs = [i for i in items if isinstance(i, Document)]
    assert docs[0].content == "a\nb\n"
    skipped = [i for i in items if isinstance(i, Skipped)]
    assert skipped[0].source == "t.csv:5" and "within 3 lines" in skipped[0].reason


def test_csv_header_with_unbalanced_quote_skips_the_file() -> None:
    items = _csv('"id,text\n1,a\n')
    assert len(items) == 1 and isinstance(items[0], Skipped)
    assert items[0].reason.startswith("header row: unbalanced quote")


def test_long_line_of_a_regular_file_is_skipped_and_reading_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(inputs, "MAX_LINE_BYTES", 10)
    inp = InputFile("-", "t.txt", "t.txt", "text", 0)
    data = io.BytesIO(b"short\n" + b"x" * 50 + b"\nafter\n")
    items = list(inputs._read_text(data, inp))
    assert [type(i).__name__ for i in items] == ["Document", "Skipped", "Document"]
    assert isinstance(items[1], Skipped) and items[1].kind == "too long"
    assert items[1].nbytes == 51 and items[2].source == "t.txt:3"


def test_inputs_imports_no_cli_rich_or_store() -> None:
    code = (
        "import sys, tgematch.inputs; "
        "bad = [m for m in sys.modules if m.startswith(('rich', 'sqlalchemy', "
        "'tgematch.cli', 'tgematch.store'))]; print(bad)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "[]", proc.stderr
