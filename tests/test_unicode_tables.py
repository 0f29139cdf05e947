"""Tests of the shared Unicode tables (python/tgematch/_unicode.py, rust/core/unicode_tables.rs).

The shipped files are loaded from the source tree by path, so these tests check what is
committed, not whatever copy of tgematch may be installed.
"""

from __future__ import annotations

import ast
import bisect
import importlib.util
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
GEN_PATH = ROOT / "tools" / "gen_unicode.py"
PY_TABLES = ROOT / "python" / "tgematch" / "_unicode.py"
RS_TABLES = ROOT / "rust" / "core" / "unicode_tables.rs"

UNICODE_VERSION = "14.0.0"
MAX_CP = 0x10FFFF
SURROGATES = range(0xD800, 0xE000)
TABLE_NAMES = ("WORD_RANGES", "SPACE_RANGES", "NOSP_RANGES", "FOLD_PAIRS")
NOSP_SCRIPTS = ("Han", "Hiragana", "Katakana", "Hangul", "Thai", "Lao", "Khmer", "Myanmar")

needs_unicode_14 = pytest.mark.skipif(
    unicodedata.unidata_version != UNICODE_VERSION,
    reason=f"unicodedata is Unicode {unicodedata.unidata_version}, the tables are "
    f"defined by Unicode {UNICODE_VERSION} (Python 3.11)",
)


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses need the module registered while executing
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tables() -> ModuleType:
    """The shipped Python tables, loaded from the source tree."""
    return _load("_tgematch_shipped_unicode", PY_TABLES)


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    """tools/gen_unicode.py, imported in-process."""
    return _load("_tgematch_gen_unicode", GEN_PATH)


def _regex() -> ModuleType:
    try:
        return importlib.import_module("regex")
    except ImportError:
        pytest.skip("the regex package is not installed (pip install regex==2026.11.19)")


def _in(ranges: Sequence[tuple[int, int]], ch: str) -> bool:
    cp = ord(ch)
    i = bisect.bisect_right(ranges, (cp, MAX_CP + 1)) - 1
    return i >= 0 and ranges[i][0] <= cp <= ranges[i][1]


def _members(ranges: Sequence[tuple[int, int]]) -> Iterator[int]:
    for lo, hi in ranges:
        yield from range(lo, hi + 1)


# --- the shipped files are exactly what the generator produces -----------------------------


@needs_unicode_14
def test_shipped_files_are_generated(gen: ModuleType) -> None:
    regex = _regex()
    if regex.__version__ != gen.REGEX_VERSION:
        pytest.skip(f"regex {regex.__version__} installed, the tables pin {gen.REGEX_VERSION}")
    differing = gen.check(ROOT)
    assert differing == [], f"stale generated files, run `python tools/gen_unicode.py`: {differing}"


@needs_unicode_14
def test_check_detects_a_stale_file(gen: ModuleType, tmp_path: Path) -> None:
    regex = _regex()
    if regex.__version__ != gen.REGEX_VERSION:
        pytest.skip(f"regex {regex.__version__} installed, the tables pin {gen.REGEX_VERSION}")
    written = gen.write(tmp_path)
    assert sorted(p.relative_to(tmp_path) for p in written) == sorted([gen.PY_PATH, gen.RS_PATH])
    assert gen.check(tmp_path) == []
    rs = tmp_path / gen.RS_PATH
    rs.write_text(rs.read_text().replace("(0x0041, 0x005A)", "(0x0041, 0x005B)", 1))
    assert gen.check(tmp_path) == [gen.RS_PATH]
    (tmp_path / gen.PY_PATH).unlink()
    assert gen.check(tmp_path) == [gen.PY_PATH, gen.RS_PATH]


@needs_unicode_14
def test_cli_exit_status(
    gen: ModuleType,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    regex = _regex()
    if regex.__version__ != gen.REGEX_VERSION:
        pytest.skip(f"regex {regex.__version__} installed, the tables pin {gen.REGEX_VERSION}")
    monkeypatch.setattr(gen, "ROOT", tmp_path)
    assert gen.main(["--check"]) == 1  # nothing generated yet
    assert str(gen.PY_PATH) in capsys.readouterr().err
    assert gen.main([]) == 0
    assert (tmp_path / gen.PY_PATH).read_text() == PY_TABLES.read_text()
    assert (tmp_path / gen.RS_PATH).read_text() == RS_TABLES.read_text()
    assert gen.main(["--check"]) == 0


def test_generator_refuses_other_unicode_versions(
    gen: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gen, "UNICODE_VERSION", "99.0.0")
    with pytest.raises(gen.GenerationError, match=r"99\.0\.0"):
        gen.compute_tables()


def test_rustfmt_accepts_rust_tables() -> None:
    rustfmt = shutil.which("rustfmt")
    if rustfmt is None:
        pytest.skip("rustfmt is not installed")
    proc = subprocess.run(
        [rustfmt, "--edition", "2021", "--check", str(RS_TABLES)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


# --- shape of the shipped files ---------------------------------------------------------------


def test_python_tables_are_plain_literals() -> None:
    tree = ast.parse(PY_TABLES.read_text(encoding="utf-8"))
    names = []
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the module docstring
        assert isinstance(node, ast.AnnAssign), ast.dump(node)[:80]
        assert isinstance(node.target, ast.Name)
        assert node.value is not None
        ast.literal_eval(node.value)  # raises on anything but a literal
        names.append(node.target.id)
    assert names == ["UNICODE_VERSION", "SCRIPT_SOURCE", *TABLE_NAMES]
    assert "generated by tools/gen_unicode.py, do not edit" in PY_TABLES.read_text()


def test_python_header_values(tables: ModuleType) -> None:
    assert tables.UNICODE_VERSION == UNICODE_VERSION
    assert re.fullmatch(
        r"regex \d{4}\.\d+\.\d+ \(Unicode \d+\.\d+\.\d+\) Script property", tables.SCRIPT_SOURCE
    )


def _rust_consts(text: str) -> dict[str, object]:
    consts: dict[str, object] = {}
    for m in re.finditer(r'pub const (\w+): &str = "([^"]*)";', text):
        consts[m.group(1)] = m.group(2)
    for m in re.finditer(r"pub const (\w+): &\[\(u32, u32\)\] = &\[(.*?)\];", text, re.S):
        consts[m.group(1)] = tuple(
            (int(a, 16), int(b, 16))
            for a, b in re.findall(r"\((0x[0-9A-F]+), (0x[0-9A-F]+)\)", m.group(2))
        )
    return consts


def test_rust_tables_hold_the_same_data(tables: ModuleType) -> None:
    text = RS_TABLES.read_text(encoding="utf-8")
    assert "generated by tools/gen_unicode.py, do not edit" in text
    consts = _rust_consts(text)
    assert sorted(consts) == sorted(["UNICODE_VERSION", *TABLE_NAMES])
    assert consts["UNICODE_VERSION"] == tables.UNICODE_VERSION
    for name in TABLE_NAMES:
        assert consts[name] == getattr(tables, name), name
    # every tuple in the file was parsed (no stray formatting the regexes above missed)
    assert text.count("(0x") == sum(len(getattr(tables, n)) for n in TABLE_NAMES)


@pytest.mark.parametrize("name", ["WORD_RANGES", "SPACE_RANGES", "NOSP_RANGES"])
def test_ranges_sorted_disjoint_maximal(tables: ModuleType, name: str) -> None:
    ranges = getattr(tables, name)
    assert ranges, name
    prev_hi = -2
    for lo, hi in ranges:
        assert 0 <= lo <= hi <= MAX_CP, (name, lo, hi)
        assert lo > prev_hi + 1, f"{name}: ({lo:#x}, {hi:#x}) overlaps or touches the previous"
        prev_hi = hi


def test_fold_pairs_sorted_and_distinct(tables: ModuleType) -> None:
    pairs = tables.FOLD_PAIRS
    keys = [c for c, _ in pairs]
    assert keys == sorted(set(keys))
    assert all(c != f and 0 <= f <= MAX_CP for c, f in pairs)
    folds = dict(pairs)
    # folding is idempotent: no folded character folds again
    assert not any(f in folds for f in folds.values())


# --- spot checks (against the shipped tables, not the interpreter) ----------------------------


def test_word_spot_checks(tables: ModuleType) -> None:
    w = tables.WORD_RANGES
    assert _in(w, "_")
    assert _in(w, "é")
    assert _in(w, "a") and _in(w, "Z") and _in(w, "0")
    assert _in(w, "²")  # U+00B2 is numeric, so isalnum() is true
    assert not _in(w, "$")
    assert not _in(w, "-")
    assert not _in(w, " ")
    assert not _in(w, "\u0301")  # combining acute accent: Mn, not alnum


def test_space_spot_checks(tables: ModuleType) -> None:
    s = tables.SPACE_RANGES
    for ch in " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2028\u2029\u202f\u3000":
        assert _in(s, ch), f"U+{ord(ch):04X}"
    for ch in "\u200b\u180e\ufeffa_":
        assert not _in(s, ch), f"U+{ord(ch):04X}"


def test_fold_spot_checks(tables: ModuleType) -> None:
    folds = dict(tables.FOLD_PAIRS)

    def fold(ch: str) -> str:
        return chr(folds.get(ord(ch), ord(ch)))

    assert fold("İ") == "İ"  # lowers to two characters ("i̇"), so folds to itself
    assert ord("İ") not in folds
    assert fold("Σ") == "σ"
    assert fold("ς") == "ς"  # simple lowercase only: final sigma stays
    assert fold("A") == "a"
    assert fold("a") == "a"
    assert fold("É") == "é"
    assert fold("K") == "k"  # U+212A KELVIN SIGN
    assert fold("Ａ") == "ａ"  # fullwidth
    assert fold("ß") == "ß"
    assert fold("$") == "$"


def test_nosp_spot_checks(tables: ModuleType) -> None:
    n = tables.NOSP_RANGES
    for ch in "比コこ는กລកမ々〇ｱ":
        assert _in(n, ch), f"{ch} U+{ord(ch):04X}"
    for ch in "aé1_$ 。、":
        assert not _in(n, ch), f"{ch!r} U+{ord(ch):04X}"
    # U+30FC KATAKANA-HIRAGANA PROLONGED SOUND MARK (and its halfwidth form U+FF70) has
    # Script=Common; only its Script_Extensions are Hiragana/Katakana. The contract uses the
    # Script property, so it is NOT nosp, while it IS a word character (Lm).
    assert not _in(n, "ー")
    assert not _in(n, "ｰ")
    assert _in(tables.WORD_RANGES, "ー")


def test_surrogates_are_plain(tables: ModuleType) -> None:
    for name in ("WORD_RANGES", "SPACE_RANGES", "NOSP_RANGES"):
        for lo, hi in getattr(tables, name):
            assert hi < SURROGATES.start or lo >= SURROGATES.stop, (name, hex(lo), hex(hi))
    assert not any(c in SURROGATES or f in SURROGATES for c, f in tables.FOLD_PAIRS)


@needs_unicode_14
def test_surrogates_follow_from_the_rules() -> None:
    # The contract's rules, applied to lone surrogates, give exactly "plain character".
    for cp in SURROGATES:
        ch = chr(cp)
        assert not (ch.isalnum() or ch == "_")
        assert not ch.isspace()
        assert ch.lower() == ch


# --- full cross-check against the contract's definitions (independent of the generator) -------


@needs_unicode_14
def test_tables_match_contract_definitions(tables: ModuleType) -> None:
    word = set(_members(tables.WORD_RANGES))
    space = set(_members(tables.SPACE_RANGES))
    folds = dict(tables.FOLD_PAIRS)
    for cp in range(MAX_CP + 1):
        ch = chr(cp)
        assert (cp in word) == (ch.isalnum() or ch == "_"), hex(cp)
        assert (cp in space) == ch.isspace(), hex(cp)
        low = ch.lower()
        assert folds.get(cp, cp) == (ord(low) if len(low) == 1 else cp), hex(cp)


def test_nosp_matches_script_property(tables: ModuleType) -> None:
    regex = _regex()
    if f"regex {regex.__version__} " not in tables.SCRIPT_SOURCE:
        pytest.skip(f"regex {regex.__version__} installed, tables built with another release")
    everything = "".join(map(chr, range(MAX_CP + 1)))
    expected: set[int] = set()
    for script in NOSP_SCRIPTS:
        for m in regex.finditer(rf"\p{{sc={script}}}+", everything):
            expected.update(range(m.start(), m.end()))
    assert set(_members(tables.NOSP_RANGES)) == expected
