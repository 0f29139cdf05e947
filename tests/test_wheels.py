"""The release wheels themselves (issue 12 items 1 and 2), when a wheelhouse is given.

``.ci/run`` builds the manylinux2014 x86_64 wheel and the pure-Python wheel into a
directory and sets ``TGEMATCH_WHEELHOUSE`` to it; without it these tests are skipped
(building wheels is not part of a test run). The checks here are the ones no packaging
tool makes: the pure wheel is the binary wheel minus ``_native``, the extension is
stripped, and pip chooses the binary wheel when both are offered.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

WHEELHOUSE = os.environ.get("TGEMATCH_WHEELHOUSE")
pytestmark = pytest.mark.skipif(
    not WHEELHOUSE, reason="set TGEMATCH_WHEELHOUSE to a directory of built wheels (.ci/run)"
)


def _wheels() -> tuple[Path, Path]:
    house = Path(WHEELHOUSE or ".")
    binary = sorted(house.glob("tgematch-*-cp311-abi3-*.whl"))
    pure = sorted(house.glob("tgematch-*-py3-none-any.whl"))
    assert len(binary) == 1 and len(pure) == 1, sorted(p.name for p in house.iterdir())
    return binary[0], pure[0]


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def _is_native(name: str) -> bool:
    return name.startswith("tgematch/_native.")


def test_pure_wheel_is_the_binary_wheel_minus_native() -> None:
    binary, pure = _wheels()
    b, p = _members(binary), _members(pure)
    dist_info = next(n.split("/")[0] for n in b if n.endswith(".dist-info/METADATA"))
    own = {f"{dist_info}/WHEEL", f"{dist_info}/RECORD"}
    expected = {n for n in b if not _is_native(n) and "/sboms/" not in n} - own
    assert set(p) - own == expected
    assert all(p[n] == b[n] for n in expected)  # same bytes: package, data, METADATA
    assert any(_is_native(n) and not n.endswith(".pyi") for n in b)
    assert not any(_is_native(n) for n in p)
    assert f"{dist_info}/licenses/LICENSE" in p
    wheel = p[f"{dist_info}/WHEEL"].decode()
    assert "Root-Is-Purelib: true" in wheel and "Tag: py3-none-any" in wheel.splitlines()
    # RECORD lists every other member with its hash and size.
    rows = list(csv.reader(io.StringIO(p[f"{dist_info}/RECORD"].decode())))
    recorded = {row[0]: row[1:] for row in rows}
    assert set(recorded) == set(p)
    for name, data in p.items():
        if name.endswith("/RECORD"):
            continue
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        assert recorded[name] == [f"sha256={digest}", str(len(data))], name


def _elf_section_names(data: bytes) -> list[str]:
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1  # 64-bit little-endian
    shoff = struct.unpack_from("<Q", data, 0x28)[0]
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    headers = [struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize) for i in range(shnum)]
    strtab_offset, strtab_size = headers[shstrndx][4], headers[shstrndx][5]
    strtab = data[strtab_offset : strtab_offset + strtab_size]
    return [strtab[h[0] : strtab.index(b"\0", h[0])].decode() for h in headers]


def test_binary_wheel_extension_is_stripped() -> None:
    binary, _ = _wheels()
    members = _members(binary)
    [native] = [n for n in members if _is_native(n) and n.endswith(".so")]
    sections = _elf_section_names(members[native])
    assert ".dynsym" in sections and ".symtab" not in sections, sections


def _pip_choice(find_links: Path) -> str:
    report = subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed",
            "--no-index", "--find-links", str(find_links), "--no-deps", "--quiet",
            "--report", "-", "tgematch",
        ],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    [item] = json.loads(report.stdout)["install"]
    return Path(item["download_info"]["url"]).name


def test_pip_prefers_the_binary_wheel_and_takes_the_pure_one_alone(tmp_path: Path) -> None:
    binary, pure = _wheels()
    both = tmp_path / "both"
    alone = tmp_path / "pure"
    both.mkdir()
    alone.mkdir()
    for wheel in (binary, pure):
        shutil.copy(wheel, both)
    shutil.copy(pure, alone)
    assert _pip_choice(both) == binary.name
    assert _pip_choice(alone) == pure.name
