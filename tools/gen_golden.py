"""Write (or check) ``tests/golden/compiled.json`` from ``tests/golden/cases.json``.

``cases.json`` holds hand-computed golden cases (``{"cases": [{"name", "watchlist",
"text", "occurrences", "analysis"}]}``). Both the Python test suite and the Rust
``cargo test`` read them; the Rust side cannot run the Python pattern compiler, so this
tool stores, for every case, the compiled watchlist both engines consume::

    {"cases": [{"name": ...,
                "plain": compile_watchlist(Watchlist.from_dict(watchlist)).to_plain()}]}

Usage::

    python tools/gen_golden.py           # rewrite tests/golden/compiled.json
    python tools/gen_golden.py --check   # exit 1 if compiled.json is not current
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "golden" / "cases.json"
COMPILED = ROOT / "tests" / "golden" / "compiled.json"


def _dump(value: Any, indent: int = 0) -> str:
    """JSON with one line per list of scalars (diff-friendly, still plain JSON)."""
    pad = " " * indent
    inner = " " * (indent + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{json.dumps(k)}: {_dump(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, (list, tuple)):
        if all(not isinstance(v, (dict, list, tuple)) for v in value):
            return json.dumps(list(value))
        items = [inner + _dump(v, indent + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(value)


def render(cases_path: Path = CASES) -> str:
    """The text ``compiled.json`` must have for the cases in ``cases_path``."""
    from tgematch import Watchlist
    from tgematch.compiled import compile_watchlist

    cases = json.loads(cases_path.read_text(encoding="utf-8"))["cases"]
    out = []
    names: set[str] = set()
    for case in cases:
        name = case["name"]
        if name in names:
            raise SystemExit(f"{cases_path}: duplicate case name {name!r}")
        names.add(name)
        plain = compile_watchlist(Watchlist.from_dict(case["watchlist"])).to_plain()
        out.append({"name": name, "plain": plain})
    return _dump({"cases": out}) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Entry point: write compiled.json, or with ``--check`` verify it is current."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if compiled.json is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = COMPILED.read_text(encoding="utf-8") if COMPILED.exists() else None
        if current != text:
            print(
                f"{COMPILED.relative_to(ROOT)} is stale: run `python tools/gen_golden.py`",
                file=sys.stderr,
            )
            return 1
        print(f"{COMPILED.relative_to(ROOT)} is current")
        return 0
    COMPILED.write_text(text, encoding="utf-8")
    print(f"wrote {COMPILED.relative_to(ROOT)} ({text.count(chr(10))} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
