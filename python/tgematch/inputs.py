"""Documents from files: discovery, safe opening and the JSONL, CSV and text readers.

Standard library only; nothing here imports the CLI, rich or the store. Errors that stop
an input are :class:`InputError` (an :class:`OSError`, so callers that already handle
``OSError`` keep working); records that cannot be read are yielded as :class:`Skipped`.

Bounds, stated once:

* :data:`MAX_LINE_BYTES` (64 MiB): a physical line longer than this is skipped without
  being held in memory; on a stream (pipe, FIFO, device) the rest of the stream is not
  read after such a line, because a device like ``/dev/zero`` never yields a newline.
* :data:`MAX_CSV_RECORD_LINES` (10,000): a CSV record whose quoted field is still open
  after this many physical lines, or at the end of the file, is reported as an
  unbalanced quote and reading resumes at the line after the record's first line.
* :data:`WATCHLIST_MAX_BYTES` (64 MiB) for :func:`read_regular_file`'s callers.

Every input is opened once: the format of an input without a known extension is sniffed
from the buffered stream (``peek``), so pipes and process substitution lose nothing.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import errno
import io
import json
import os
import stat
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import IO, Any

from .html_text import decode_field

DEFAULT_TEXT_FIELDS = ("content", "text", "body", "full_text")
DEFAULT_TITLE_FIELD = "title"
URL_FIELDS = ("url", "link")
PUBLISHED_FIELDS = ("published", "published_at", "date", "created_at")
JSONL_EXTENSIONS = frozenset({".jsonl", ".ndjson", ".json"})
CSV_EXTENSIONS = frozenset({".csv", ".tsv"})
TEXT_EXTENSIONS = frozenset({".txt", ".text"})
KNOWN_EXTENSIONS = JSONL_EXTENSIONS | CSV_EXTENSIONS | TEXT_EXTENSIONS
STDIN = "-"
EXAMPLES_NAME = "examples.jsonl"

MAX_LINE_BYTES = 64 << 20
MAX_CSV_RECORD_LINES = 10_000
WATCHLIST_MAX_BYTES = 64 << 20
_SNIFF_BYTES = 65536
_BOM = b"\xef\xbb\xbf"


class InputError(OSError):
    """An input that cannot be opened or read; ``str()`` is one line naming it."""

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        # ``strerror`` is the reason alone, as for OSError, for callers naming the file.
        self.strerror = reason or message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class Document:
    """One document read from an input."""

    source: str
    feed: str
    content: str
    title: str | None = None
    url: str | None = None
    doc_id: str | None = None
    published_at: dt.datetime | None = None
    nbytes: int = 0


@dataclass(frozen=True, slots=True)
class Skipped:
    """A record (or a directory entry) that could not be analysed, and why."""

    source: str
    reason: str
    kind: str
    nbytes: int = 0


@dataclass(frozen=True, slots=True)
class InputFile:
    """An input to read: its path (or ``-``), display name, feed URL and format.

    ``display`` and ``feed`` are always valid, printable-encodable text (see
    :func:`display_name`); ``path`` is what the OS needs (it may hold surrogate escapes).
    ``regular`` is False for an explicitly named pipe, FIFO or device (streamed).
    """

    path: str
    display: str
    feed: str
    fmt: str
    size: int
    regular: bool = True


@dataclass(frozen=True, slots=True)
class Fields:
    """Which record fields hold the text and the title."""

    text: tuple[str, ...] = DEFAULT_TEXT_FIELDS
    title: str = DEFAULT_TITLE_FIELD
    html: str = "auto"
    """How a text or title field carrying HTML is read (:data:`tgematch.html_text.HTML_MODES`)."""


def display_name(path: str | bytes | os.PathLike[str]) -> str:
    """The storable, printable form of a file name: undecodable bytes as ``\\xNN``.

    File names are bytes on POSIX; Python decodes them with surrogate escapes, which no
    UTF-8 encoder (terminal, database) accepts. Defined once so every printed or stored
    name of an input agrees.
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno == errno.ENOENT:
        return "no such file or directory"
    return exc.strerror or str(exc)


def _kind_of(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "not a regular file"


def _open_fd(path: str, *, regular_only: bool) -> tuple[int, os.stat_result]:
    """Open without blocking (a FIFO's open waits for a writer), then check the type.

    With ``regular_only`` anything but a regular file is refused before one byte is
    read; otherwise the descriptor is switched back to blocking for streaming.
    """
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0)
    if regular_only:
        flags |= getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        reason = _reason(exc)
        raise InputError(f"cannot read {display_name(path)}: {reason}", reason) from exc
    try:
        st = os.fstat(fd)
        if regular_only and not stat.S_ISREG(st.st_mode):
            kind = _kind_of(st.st_mode)
            raise InputError(f"cannot read {display_name(path)}: {kind}", kind)
        if regular_only and hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def read_regular_file(path: str | os.PathLike[str], limit: int = WATCHLIST_MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, else :class:`InputError`.

    FIFOs and devices are refused without blocking and without reading; a file that
    grows past the limit while read is refused too (never more than ``limit + 1`` bytes
    are held).
    """
    fd, st = _open_fd(os.fspath(path), regular_only=True)
    too_big = f"larger than {limit} bytes"
    with open(fd, "rb") as fh:
        if st.st_size > limit:
            raise InputError(f"{display_name(path)}: larger than {limit} bytes", too_big)
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise InputError(f"{display_name(path)}: {too_big}", too_big)
    return data


def _format_for(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in JSONL_EXTENSIONS:
        return "jsonl"
    if suffix in CSV_EXTENSIONS:
        return "tsv" if suffix == ".tsv" else "csv"
    if suffix in TEXT_EXTENSIONS:
        return "text"
    return None


def _sniff(head: bytes) -> str:
    for line in head.splitlines():
        stripped = line.lstrip(_BOM).strip()
        if stripped:
            return "jsonl" if stripped.startswith(b"{") else "text"
    return "text"


def _check_regular(path: str) -> int:
    """Size of a readable regular file; opening it reads nothing."""
    fd, st = _open_fd(path, regular_only=True)
    os.close(fd)
    return st.st_size


def _resolved(path: str) -> str:
    try:
        return display_name(os.path.realpath(path))
    except (OSError, RuntimeError, ValueError):
        return display_name(os.path.abspath(path))


def discover_inputs(
    inputs: Sequence[str], examples: bool = False, skipped: list[Skipped] | None = None
) -> list[InputFile]:
    """Expand the command-line inputs into files, checking each can be read.

    A named input that cannot be read raises :class:`InputError`. Inside a directory,
    entries that cannot be read (symlink loops, broken links, FIFOs, devices, sockets,
    permission errors) are appended to ``skipped`` and the walk goes on; nothing found
    while walking is opened in a way that could block.
    """
    files: list[InputFile] = []
    if examples:
        path = str(resources.files("tgematch") / "data" / EXAMPLES_NAME)
        files.append(InputFile(path, EXAMPLES_NAME, path, "jsonl", _check_regular(path)))
    for item in inputs:
        if item == STDIN:
            files.append(InputFile(STDIN, "<stdin>", "<stdin>", "sniff", 0, regular=False))
            continue
        try:
            st = os.stat(item)
        except OSError as exc:
            raise InputError(f"cannot read {display_name(item)}: {_reason(exc)}") from exc
        if stat.S_ISDIR(st.st_mode):
            files.extend(_walk(item, skipped if skipped is not None else []))
            continue
        display = display_name(item)
        fmt = _format_for(Path(item)) or "sniff"
        if stat.S_ISREG(st.st_mode):
            size = _check_regular(item)
            files.append(InputFile(item, display, _resolved(item), fmt, size))
        else:
            # Named explicitly: a pipe, FIFO or device is streamed, opened once, later.
            if not os.access(item, os.R_OK):
                raise InputError(f"cannot read {display}: permission denied")
            files.append(InputFile(item, display, _resolved(item), fmt, 0, regular=False))
    return files


def _walk(top: str, skipped: list[Skipped]) -> list[InputFile]:
    found: list[InputFile] = []

    def onerror(exc: OSError) -> None:
        name = display_name(exc.filename or top)
        skipped.append(Skipped(name, f"cannot read directory: {_reason(exc)}", "unreadable"))

    for root, dirs, names in os.walk(top, onerror=onerror):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            child = os.path.join(root, name)
            fmt = _format_for(Path(name))
            if name.startswith(".") or fmt is None:
                continue
            display = display_name(child)
            try:
                size = _check_regular(child)
            except InputError as exc:
                skipped.append(Skipped(display, exc.strerror or str(exc), "unreadable"))
                continue
            found.append(InputFile(child, display, _resolved(child), fmt, size))
    return found


def _open_binary(inp: InputFile) -> io.BufferedReader:
    """The input opened once, buffered (for ``peek``), never blocking on a walked entry."""
    if inp.path == STDIN:
        raw: Any = sys.stdin.buffer
        if isinstance(raw, io.BufferedReader):
            return raw
        return io.BufferedReader(raw)
    fd, _ = _open_fd(inp.path, regular_only=inp.regular)
    return io.BufferedReader(io.FileIO(fd, "r"), _SNIFF_BYTES)


def _physical_lines(stream: IO[bytes], regular: bool) -> Iterator[tuple[bytes | None, int]]:
    """(raw line or None when longer than :data:`MAX_LINE_BYTES`, its byte count)."""
    while True:
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        if len(raw) <= MAX_LINE_BYTES or raw.endswith(b"\n"):
            yield raw, len(raw)
            continue
        # Too long: drop it without holding it; a stream may never end the line.
        nbytes = len(raw)
        if not regular:
            yield None, nbytes
            return
        while raw and not raw.endswith(b"\n"):
            raw = stream.readline(MAX_LINE_BYTES)
            nbytes += len(raw)
        yield None, nbytes


def _decoded_lines(
    stream: IO[bytes], regular: bool = True
) -> Iterator[tuple[int, str | None, int, str]]:
    """(line number, text or None when unreadable, byte count, error) per line."""
    for lineno, (raw, nbytes) in enumerate(_physical_lines(stream, regular), 1):
        if raw is None:
            rest = "" if regular else "; rest of the stream not read"
            yield lineno, None, nbytes, f"line longer than {MAX_LINE_BYTES} bytes{rest}"
            continue
        if lineno == 1 and raw.startswith(_BOM):
            raw = raw[3:]
        raw = raw.rstrip(b"\n")
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        try:
            yield lineno, raw.decode("utf-8"), nbytes, ""
        except UnicodeDecodeError as exc:
            yield lineno, None, nbytes, f"undecodable bytes (not UTF-8) at byte {exc.start}"


def _kind(error: str) -> str:
    return "too long" if error.startswith("line longer") else "undecodable"


def _parse_published(value: Any) -> dt.datetime | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        if isinstance(value, (int, float)):
            seconds = value / 1000 if value > 1e11 else value
            return dt.datetime.fromtimestamp(seconds, dt.UTC)
        if isinstance(value, str) and value.strip():
            parsed = dt.datetime.fromisoformat(value.strip())
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return None


def _first_str(record: dict[str, Any], names: Iterable[str]) -> str | None:
    for name in names:
        value = record.get(name)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _record_to_item(
    record: Any, source: str, feed: str, nbytes: int, fields: Fields
) -> Document | Skipped:
    if not isinstance(record, dict):
        return Skipped(source, f"not a JSON object ({type(record).__name__})", "malformed", nbytes)
    present = [name for name in fields.text if name in record]
    if not present:
        wanted = "/".join(fields.text)
        return Skipped(source, f"missing field {wanted!r}", "missing field", nbytes)
    name = present[0]
    content = record[name]
    if not isinstance(content, str):
        kind = "null" if content is None else type(content).__name__
        return Skipped(source, f"field {name!r} is not a string ({kind})", "missing field", nbytes)
    content = decode_field(content, fields.html)
    if not content.strip():
        return Skipped(source, "empty document", "empty", nbytes)
    title = record.get(fields.title)
    title = decode_field(title, fields.html) if isinstance(title, str) else None
    title = title if title is not None and title.strip() else None
    doc_id = record.get("id")
    return Document(
        source=source,
        feed=feed,
        content=content,
        title=title,
        url=_first_str(record, URL_FIELDS),
        doc_id=None if doc_id is None else str(doc_id),
        published_at=_parse_published(
            next((record[k] for k in PUBLISHED_FIELDS if k in record), None)
        ),
        nbytes=nbytes,
    )


def _read_jsonl(stream: IO[bytes], inp: InputFile, fields: Fields) -> Iterator[Document | Skipped]:
    for lineno, line, nbytes, error in _decoded_lines(stream, inp.regular):
        source = f"{inp.display}:{lineno}"
        if line is None:
            yield Skipped(source, error, _kind(error), nbytes)
            continue
        if not line.strip():
            yield Skipped(source, "empty line", "empty", nbytes)
            continue
        try:
            record = json.loads(line)
        except (ValueError, RecursionError) as exc:
            msg = exc.msg if isinstance(exc, json.JSONDecodeError) else type(exc).__name__
            where = f" at column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
            yield Skipped(source, f"malformed JSON: {msg}{where}", "malformed", nbytes)
            continue
        yield _record_to_item(record, source, inp.feed, nbytes, fields)


def _read_text(
    stream: IO[bytes], inp: InputFile, html: str = "auto"
) -> Iterator[Document | Skipped]:
    for lineno, line, nbytes, error in _decoded_lines(stream, inp.regular):
        source = f"{inp.display}:{lineno}"
        if line is not None:
            line = decode_field(line, html)
        if line is None:
            yield Skipped(source, error, _kind(error), nbytes)
        elif not line.strip():
            yield Skipped(source, "empty document", "empty", nbytes)
        else:
            yield Document(source=source, feed=inp.feed, content=line, nbytes=nbytes)


def _quote_open_after(line: str, delimiter: str, in_quote: bool) -> bool:
    """Whether a quoted field is still open after ``line``, given the state before it.

    Mirrors the ``csv`` module's default dialect (``"`` quotes, ``""`` escapes, a quote
    opens a field only at the field's start); linear in the line.
    """
    at_start = not in_quote
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if in_quote:
            if ch == '"':
                if i + 1 < n and line[i + 1] == '"':
                    i += 2
                    continue
                in_quote = False
        elif ch == '"' and at_start:
            in_quote = True
        at_start = ch == delimiter and not in_quote
        i += 1
    return in_quote


def _csv_records(
    lines: Iterator[tuple[int, str | None, int, str]], delimiter: str
) -> Iterator[tuple[int, list[tuple[int, str | None, int, str]], bool]]:
    """(first line number, its physical lines, complete) per record.

    A record whose quote is still open at the end of the input or after
    :data:`MAX_CSV_RECORD_LINES` lines is yielded as incomplete with only its first line;
    the lines after that first line are read again as new records.
    """
    pending: deque[tuple[int, str | None, int, str]] = deque()

    def take() -> tuple[int, str | None, int, str] | None:
        if pending:
            return pending.popleft()
        return next(lines, None)

    while True:
        first = take()
        if first is None:
            return
        record = [first]
        in_quote = first[1] is not None and _quote_open_after(first[1], delimiter, False)
        while in_quote and len(record) < MAX_CSV_RECORD_LINES:
            nxt = take()
            if nxt is None:
                break
            record.append(nxt)
            if nxt[1] is not None:
                in_quote = _quote_open_after(nxt[1], delimiter, True)
        if in_quote:
            pending.extendleft(reversed(record[1:]))
            yield first[0], [first], False
        else:
            yield first[0], record, True


def _read_csv(
    stream: IO[bytes], inp: InputFile, fields: Fields, delimiter: str
) -> Iterator[Document | Skipped]:
    header: list[str] | None = None
    for first, record, complete in _csv_records(_decoded_lines(stream, inp.regular), delimiter):
        nbytes = sum(r[2] for r in record)
        source = f"{inp.display}:{first}"
        bad = [r[3] for r in record if r[1] is None]
        if header is None:
            if bad or not complete:
                # Without its header no row can be read: report the file once, go on.
                why = bad[0] if bad else "unbalanced quote"
                yield Skipped(source, f"header row: {why}; file skipped", "malformed", 0)
                return
        if not complete:
            yield Skipped(
                source,
                f"malformed CSV: unbalanced quote (not closed within "
                f"{MAX_CSV_RECORD_LINES} lines or before the end of the file)",
                "malformed",
                nbytes,
            )
            continue
        if bad:
            yield Skipped(source, bad[0], _kind(bad[0]), nbytes)
            continue
        text = "".join(f"{r[1]}\n" for r in record)  # keeps newlines inside quoted fields
        try:
            row = next(csv.reader([text], delimiter=delimiter, strict=False), [])
        except csv.Error as exc:
            yield Skipped(source, f"malformed CSV: {exc}", "malformed", nbytes)
            continue
        if header is None:
            header = [h.strip() for h in row]
            if header and header[0].startswith("\ufeff"):
                header[0] = header[0][1:]
            continue
        if not any(cell.strip() for cell in row):
            yield Skipped(source, "empty row", "empty", nbytes)
            continue
        values = {name: row[i] for i, name in enumerate(header) if i < len(row)}
        yield _record_to_item(values, source, inp.feed, nbytes, fields)


def read_input(inp: InputFile, fields: Fields) -> Iterator[Document | Skipped]:
    """Documents and skipped records of one input, in order; the input is opened once."""
    stream = _open_binary(inp)
    try:
        fmt = inp.fmt
        if fmt == "sniff":
            # peek keeps the bytes in the stream's buffer: a pipe is not read twice.
            fmt = _sniff(stream.peek(_SNIFF_BYTES))
        if fmt == "jsonl":
            yield from _read_jsonl(stream, inp, fields)
        elif fmt in ("csv", "tsv"):
            csv.field_size_limit(1 << 30)
            yield from _read_csv(stream, inp, fields, "\t" if fmt == "tsv" else ",")
        else:
            yield from _read_text(stream, inp, fields.html)
    except InputError:
        raise
    except OSError as exc:
        raise InputError(f"cannot read {inp.display}: {exc.strerror or exc}") from exc
    finally:
        if inp.path != STDIN:
            stream.close()


def add_field_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--text-field`` and ``--title-field`` (the same for ``scan`` and ``bench``).

    Read with :func:`fields_from_args`. ``--field`` is kept as an old spelling of
    ``--text-field`` (``bench`` had it).
    """
    parser.add_argument(
        "--text-field",
        "--field",
        dest="text_field",
        metavar="NAME",
        help=f"record field with the text (default: first of {', '.join(DEFAULT_TEXT_FIELDS)} "
        "that the record has)",
    )
    parser.add_argument(
        "--title-field",
        metavar="NAME",
        default=DEFAULT_TITLE_FIELD,
        help="record field with the title, scanned as TITLE\\nTEXT (default: %(default)s; "
        "optional)",
    )


def fields_from_args(args: argparse.Namespace) -> Fields:
    """The :class:`Fields` named by :func:`add_field_options`' options."""
    return Fields(
        text=(args.text_field,) if args.text_field else DEFAULT_TEXT_FIELDS,
        title=args.title_field,
    )
