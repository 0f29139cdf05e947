"""Build tgematch's pure-Python wheel (``py3-none-any``): the same package minus ``_native``.

Usage::

    python tools/pure_wheel.py                      # maturin build --release, then convert
    python tools/pure_wheel.py --from-wheel W.whl   # convert a binary wheel already built
    python tools/pure_wheel.py -o dist              # output directory (default: dist)

The pure wheel is made from a binary wheel of the same source tree, so that its Python
files, data files and metadata (dependencies, extras, entry points, licence) are exactly
the binary wheel's: only the native module (``tgematch/_native.*``: the extension and
its stub), the SBOM of the Rust crates compiled into it, ``WHEEL`` and ``RECORD`` differ.
Installed where no binary wheel fits (or alone), it runs the pure-Python engine, which
gives the same results as the native one, slower. pip prefers a binary wheel that fits
the platform over it (a more specific tag), so both can be published side by side.

Building needs maturin and a Rust toolchain (maturin reads Cargo.toml even for metadata);
installing the result needs neither.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PURE_TAG = "py3-none-any"
_WHEEL_NAME = re.compile(r"^(?P<name>[^-]+)-(?P<version>[^-]+)-(?P<tags>.+)\.whl$")
# Members a pure wheel must not carry: the native module (any platform's suffix) and its
# stub, and the SBOM of the Rust build.
_DROP = re.compile(r"^tgematch/_native\.[^/]+$|^[^/]+\.dist-info/sboms/")


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode("ascii")


def _wheel_file(generator: str) -> bytes:
    return (
        f"Wheel-Version: 1.0\nGenerator: {generator}\nRoot-Is-Purelib: true\nTag: {PURE_TAG}\n"
    ).encode()


def _write_new(dst: zipfile.ZipFile, name: str, data: bytes) -> None:
    # A fixed date, like maturin's members: the same input gives the same bytes.
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    dst.writestr(info, data)


def convert(binary: Path, out_dir: Path) -> Path:
    """Write the pure-Python wheel made from ``binary`` into ``out_dir``; returns its path.

    Raises ValueError when ``binary`` is not a tgematch wheel with a native module.
    """
    match = _WHEEL_NAME.match(binary.name)
    if match is None or match["name"] != "tgematch":
        raise ValueError(f"--from-wheel {binary}: not a tgematch wheel file name")
    dist_info = f"{match['name']}-{match['version']}.dist-info"
    target = out_dir / f"{match['name']}-{match['version']}-{PURE_TAG}.whl"
    out_dir.mkdir(parents=True, exist_ok=True)
    records: list[str] = []
    dropped: list[str] = []
    with zipfile.ZipFile(binary) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            name = info.filename
            if name in (f"{dist_info}/RECORD", f"{dist_info}/WHEEL"):
                continue
            if _DROP.match(name):
                dropped.append(name)
                continue
            data = src.read(info)
            # The same member (name, date, mode), deflated: reproducible from the same input.
            new = zipfile.ZipInfo(name, date_time=info.date_time)
            new.external_attr = info.external_attr
            new.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(new, data)
            records.append(f"{name},{_record_hash(data)},{len(data)}")
        if not any(n.startswith("tgematch/_native.") and not n.endswith(".pyi") for n in dropped):
            target.unlink(missing_ok=True)
            raise ValueError(f"--from-wheel {binary}: holds no native module tgematch/_native.*")
        wheel = _wheel_file("tgematch tools/pure_wheel.py")
        _write_new(dst, f"{dist_info}/WHEEL", wheel)
        records.append(f"{dist_info}/WHEEL,{_record_hash(wheel)},{len(wheel)}")
        records.append(f"{dist_info}/RECORD,,")
        _write_new(dst, f"{dist_info}/RECORD", ("\n".join(records) + "\n").encode())
    return target


def build_binary(tmp: Path) -> Path:
    """``maturin build --release`` of this source tree into ``tmp``; the wheel's path."""
    subprocess.run(
        ["maturin", "build", "--release", "--out", str(tmp)],
        cwd=ROOT,
        check=True,
    )
    wheels = sorted(tmp.glob("tgematch-*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"expected one wheel from maturin in {tmp}, found {len(wheels)}")
    return wheels[0]


def main(argv: list[str] | None = None) -> int:
    """Build (or convert) and print the pure wheel's path; 2 on a bad argument."""
    parser = argparse.ArgumentParser(prog="python tools/pure_wheel.py", description=__doc__)
    parser.add_argument(
        "--from-wheel",
        type=Path,
        metavar="WHEEL",
        help="a tgematch binary wheel to convert (default: build one with maturin first)",
    )
    parser.add_argument(
        "-o", "--out", type=Path, default=ROOT / "dist", help="output directory (default: dist)"
    )
    args = parser.parse_args(argv)
    try:
        if args.from_wheel is not None:
            if not args.from_wheel.is_file():
                raise ValueError(f"--from-wheel {args.from_wheel}: no such file")
            print(convert(args.from_wheel, args.out))
        else:
            with tempfile.TemporaryDirectory() as tmp:
                print(convert(build_binary(Path(tmp)), args.out))
    except (ValueError, zipfile.BadZipFile) as exc:
        print(f"pure_wheel: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
