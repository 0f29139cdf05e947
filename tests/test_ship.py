"""Issue 12 (ship it): what a user of the wheels, a scraper or a script relies on.

* the native module's fallback says why (item 3);
* the core install needs and loads nothing but tgematch (item 4);
* the metadata: one version, licence, URLs, a README the package index can show (item 5);
* the command line as scripts expect it (item 6).

Every test runs against the tgematch that ``import tgematch`` finds: the source tree's
editable install, or an installed wheel (``.ci/run`` runs the suite both ways).
Wheel files themselves are tested by ``tests/test_wheels.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import textwrap
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

import tgematch
from tgematch.cli import build_parser, main, version_text
from tgematch.exit_status import ExitStatus

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(tgematch.__file__).resolve().parent
README = ROOT / "README.md"
STORE_MODULES = ("sqlalchemy", "alembic", "tgematch.store")
OPTIONAL = ("sqlalchemy", "alembic", "rich", "psycopg")


def python(
    code: str, *, env: dict[str, str] | None = None, path: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter (tgematch from ``path`` when given)."""
    full_env = {k: v for k, v in os.environ.items() if k != "TGEMATCH_BACKEND"}
    full_env["COLUMNS"] = "200"
    if path is not None:
        full_env["PYTHONPATH"] = str(path)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """A copy of the tgematch package under test without its native module.

    Returns the directory to put on PYTHONPATH; ``<it>/tgematch`` is the package.
    """
    shutil.copytree(
        PACKAGE,
        tmp_path / "tgematch",
        ignore=shutil.ignore_patterns("_native.*", "__pycache__"),
    )
    return tmp_path


PROBE = """
    import warnings, json
    warnings.simplefilter("always")  # count every warning, not once per location
    with warnings.catch_warnings(record=True) as caught:
        import tgematch
        from tgematch import Matcher, Watchlist
        m1 = Matcher(Watchlist.example())
        m2 = Matcher(Watchlist.example())
        choice = tgematch.default_backend()
    print(json.dumps({
        "file": tgematch.__file__,
        "backend": m1.backend,
        "choice": str(choice),
        "reason": choice.reason,
        "warnings": [(w.category.__name__, str(w.message)) for w in caught],
        "relevant": m2.analyze("Caldera TGE is live: claim your tokens now").is_relevant,
    }))
"""


def probe(path: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    proc = python(PROBE, path=path, env=env)
    assert proc.returncode == 0, proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout)
    assert result["file"].startswith(str(path)), result  # the copy, not the real package
    return result


# -- item 3: the fallback that speaks -------------------------------------------------


def test_absent_native_module_is_quiet_and_explained(package_copy: Path) -> None:
    r = probe(package_copy)
    assert r["backend"] == r["choice"] == "python" and r["relevant"] is True
    assert r["warnings"] == []
    assert "not installed" in r["reason"]


@pytest.mark.parametrize(
    ("filename", "content", "expected"),
    [
        ("_native.abi3.so", b"not an ELF file", "failed to load"),
        ("_native.cpython-399-sparc-foreign.so", b"\x7fELF", "another platform or Python"),
        (
            "_native.py",
            b"UNICODE_VERSION = '1.0.0'\nclass Engine: pass\n",
            "build of another release",
        ),
    ],
    ids=["corrupt", "foreign-platform", "other-release"],
)
def test_broken_native_module_warns_once_with_the_reason(
    package_copy: Path, filename: str, content: bytes, expected: str
) -> None:
    if filename.endswith(".so") and ".so" not in _extension_suffixes():
        pytest.skip("this platform does not load .so extension modules")
    (package_copy / "tgematch" / filename).write_bytes(content)
    r = probe(package_copy)
    assert r["backend"] == r["choice"] == "python" and r["relevant"] is True
    # One warning for two Matchers and default_backend(): the outcome is loaded once.
    assert [w[0] for w in r["warnings"]] == ["NativeEngineWarning"], r["warnings"]
    assert expected in r["warnings"][0][1] and "pure-Python engine" in r["warnings"][0][1]
    assert expected in r["reason"]


def _extension_suffixes() -> str:
    import importlib.machinery

    return " ".join(importlib.machinery.EXTENSION_SUFFIXES)


def test_broken_native_module_named_in_version_and_native_request(package_copy: Path) -> None:
    (package_copy / "tgematch" / "_native.abi3.so").write_bytes(b"garbage")
    env = {"PYTHONPATH": str(package_copy)}
    proc = python(
        "import sys; from tgematch.cli import main; sys.exit(main(['--version']))", env=env
    )
    assert proc.returncode == 0, proc.stderr
    first, second = proc.stdout.splitlines()
    assert first == f"tgematch {tgematch.__version__}"
    assert second.startswith("engine: python (") and "failed to load" in second
    # The warning is one line of the command's own form, not Python's two-line default.
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("tgematch: warning: ")
    proc = python(
        "from tgematch import Matcher, Watchlist; Matcher(Watchlist.example())",
        env={**env, "TGEMATCH_BACKEND": "native"},
    )
    assert proc.returncode != 0
    error = proc.stderr.strip().splitlines()[-1]
    assert error.startswith("ImportError: TGEMATCH_BACKEND=native: ") and "failed to load" in error
    assert "pip install" in error and "backend='python'" in error  # what a wheel user can do


def test_default_backend_is_a_str_with_a_reason(clean_backend_env: None) -> None:
    choice = tgematch.default_backend()
    assert isinstance(choice, str) and choice in ("native", "python")
    assert isinstance(choice, tgematch.BackendChoice) and choice.reason
    assert "\n" not in choice.reason
    again = pickle.loads(pickle.dumps(choice))
    assert again == choice and again.reason == choice.reason
    if choice == "native":
        assert "loaded from" in choice.reason
    assert issubclass(tgematch.NativeEngineWarning, tgematch.TgematchWarning)
    assert issubclass(tgematch.TgematchWarning, UserWarning)


def test_env_override_is_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TGEMATCH_BACKEND", "python")
    assert tgematch.default_backend().reason == "TGEMATCH_BACKEND=python"


def test_version_text_names_version_and_engine(clean_backend_env: None) -> None:
    lines = version_text().splitlines()
    choice = tgematch.default_backend()
    assert lines == [f"tgematch {tgematch.__version__}", f"engine: {choice} ({choice.reason})"]
    proc = subprocess.run(
        [sys.executable, "-m", "tgematch", "--version"], capture_output=True, text=True
    )
    assert proc.returncode == 0 and proc.stdout.splitlines()[0] == lines[0]
    assert proc.stdout.splitlines()[1].startswith(f"engine: {choice} (")


# -- item 4: a light core ---------------------------------------------------------------


def test_core_import_and_analysis_load_no_optional_dependency() -> None:
    proc = python(
        """
        import sys, tgematch
        from tgematch import Matcher, OptimizedPatternMatcher, Watchlist
        m = Matcher(Watchlist.example())
        a = m.analyze("Caldera is launching their TGE next week", "Caldera")
        m.analyze_many(["Caldera TGE", ("Fabric airdrop", None)], threads=2)
        m.find("Caldera TGE")
        OptimizedPatternMatcher([{"name": "Caldera"}], ["TGE"]).match_companies("Caldera")
        tgematch.Watchlist.from_dict({"companies": [{"name": "A"}]})
        tgematch.default_backend()
        print(sorted({n.split(".")[0] for n in sys.modules} & set(OPTIONAL)))
        """.replace("OPTIONAL", repr(OPTIONAL))
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_installed_requirements_are_all_extras() -> None:
    # The metadata of the tgematch being tested: no requirement without an extra marker.
    requires = metadata.requires("tgematch") or []
    assert requires and all("extra ==" in r for r in requires), requires
    extras = set(metadata.metadata("tgematch").get_all("Provides-Extra") or [])
    assert {"store", "postgres", "cli", "bench", "test"} <= extras
    by_extra: dict[str, set[str]] = {}
    for r in requires:
        name = re.split(r"[\s\[<>=!~;]", r, maxsplit=1)[0].lower()
        extra = re.search(r"extra == ['\"]([^'\"]+)", r)
        assert extra is not None
        by_extra.setdefault(extra.group(1), set()).add(name)
    assert {"sqlalchemy", "alembic"} <= by_extra["store"]
    assert {"rich", "tgematch"} <= by_extra["cli"]  # tgematch[store]


@pytest.mark.parametrize(
    "argv",
    [
        ["explain", "Caldera is launching their TGE next week"],
        ["scan", "--examples", "--output", "jsonl", "--no-progress"],
    ],
    ids=["explain", "scan-jsonl"],
)
def test_explain_and_jsonl_scan_do_not_import_the_store(argv: list[str], tmp_path: Path) -> None:
    proc = python(
        f"""
        import sys, io, contextlib
        from tgematch.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            status = main({argv!r})
        loaded = sorted(n for n in sys.modules if n.split(".")[0] in {STORE_MODULES[:2]!r}
                        or n.startswith("tgematch.store"))
        print(status, loaded)
        """
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "0 []", proc.stdout


BLOCK = """
    import sys
    for name in {blocked!r}:
        sys.modules[name] = None  # `import name` now raises ModuleNotFoundError(name=name)
    from tgematch.cli import main
    sys.exit(main({argv!r}))
"""


@pytest.mark.parametrize(
    ("blocked", "argv", "extra"),
    [
        (("rich",), ["scan", "--examples"], "cli"),
        (("rich",), ["explain", "x"], "cli"),
        (("sqlalchemy",), ["scan", "--examples", "--db", "{tmp}/x.db", "--no-progress"], "cli"),
        (("sqlalchemy",), ["alerts", "--db", "{tmp}/x.db"], "cli"),
        (("psycopg",), ["db", "upgrade", "--db", "postgresql://u:p@127.0.0.1:1/d"], "postgres"),
    ],
    ids=["scan-rich", "explain-rich", "scan-store", "alerts-store", "postgres"],
)
def test_a_missing_extra_is_named_in_one_line(
    blocked: tuple[str, ...], argv: list[str], extra: str, tmp_path: Path
) -> None:
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    proc = python(BLOCK.format(blocked=blocked, argv=argv))
    assert proc.returncode == ExitStatus.ERROR, proc.stderr
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stderr.startswith("tgematch: error: ")
    assert f"pip install 'tgematch[{extra}]'" in proc.stderr


def test_version_and_jsonl_scan_without_the_store(tmp_path: Path) -> None:
    proc = python(BLOCK.format(blocked=("rich", "sqlalchemy", "alembic"), argv=["--version"]))
    assert proc.returncode == 0 and proc.stdout.startswith("tgematch "), proc.stderr
    argv = ["scan", "--examples", "--output", "jsonl", "--no-progress"]
    proc = python(BLOCK.format(blocked=("sqlalchemy", "alembic"), argv=argv))
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == 25  # the bundled examples


# -- item 5: metadata --------------------------------------------------------------------


def test_version_is_written_once() -> None:
    assert tgematch.__version__ == metadata.version("tgematch")
    cargo = ROOT / "Cargo.toml"
    if not cargo.exists():
        pytest.skip("no source tree beside the tests")
    with cargo.open("rb") as fh:
        assert tomllib.load(fh)["package"]["version"] == tgematch.__version__
    with (ROOT / "pyproject.toml").open("rb") as fh:
        project = tomllib.load(fh)["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert project["dependencies"] == []
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {tgematch.__version__}" in changelog


def test_metadata_has_licence_urls_authors_classifiers() -> None:
    meta = metadata.metadata("tgematch")
    assert meta["License-Expression"] == "MIT"
    assert "LICENSE" in (meta.get_all("License-File") or [])
    files = metadata.files("tgematch") or []
    licence = [f for f in files if f.name == "LICENSE"]
    assert licence and "MIT License" in licence[0].read_text()
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL") or [])
    assert {"Homepage", "Source", "Issues", "Changelog"} <= set(urls)
    assert all(u.startswith("https://") for u in urls.values())
    assert meta["Author"] or meta["Author-email"]
    classifiers = meta.get_all("Classifier") or []
    assert "License :: OSI Approved :: MIT License" not in classifiers  # PEP 639: expression
    assert "Typing :: Typed" in classifiers and "Programming Language :: Rust" in classifiers
    assert (PACKAGE / "py.typed").exists()


def _readme_links(text: str) -> list[str]:
    return re.findall(r"\]\(([^)\s]+)\)", text) + re.findall(r"href=\"([^\"]+)\"", text)


def test_readme_on_the_package_index_has_no_relative_links() -> None:
    description = metadata.metadata("tgematch").get_payload()  # type: ignore[attr-defined]
    assert "## Set up" in description  # the README is the long description
    relative = [u for u in _readme_links(description) if not re.match(r"https?://|#", u)]
    assert relative == []


def _readme_blocks() -> list[str]:
    if not README.exists():
        return []
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


@pytest.mark.parametrize("block", _readme_blocks())
def test_readme_example_runs_with_runtime_dependencies_only(block: str) -> None:
    # Every optional and test-only package is made unimportable: the core install.
    blocked = [*OPTIONAL, "pytest", "hypothesis", "regex", "wordfreq"]
    code = f"import sys\nfor n in {blocked!r}:\n    sys.modules[n] = None\n"
    proc = python(code + block)
    assert proc.returncode == 0, proc.stderr


# -- item 6: the command line as scripts expect it -------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


GOOD = json.dumps({"id": 1, "text": "Caldera is launching their TGE next week"})


@pytest.mark.parametrize(
    ("lines", "status"),
    [
        ([GOOD, GOOD], ExitStatus.OK),
        ([GOOD, "{broken", GOOD], ExitStatus.SKIPPED),
        (["{broken", '{"no_text": 1}', "[1]"], ExitStatus.NOTHING_READ),
        ([], ExitStatus.OK),  # an empty input: nothing skipped, nothing to do
    ],
    ids=["all-read", "some-skipped", "all-malformed", "empty"],
)
def test_scan_exit_status_says_whether_every_record_was_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, lines: list[str], status: ExitStatus
) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    code, out, _ = run(capsys, "scan", str(path), "--output", "jsonl", "--no-progress")
    assert code == status
    assert len(out.splitlines()) == sum(line == GOOD for line in lines)
    # The same with the store: the status does not depend on where the output goes.
    db = f"sqlite:///{tmp_path / 'x.db'}"
    assert run(capsys, "scan", str(path), "--db", db, "--no-progress")[0] == status


def test_exit_statuses_are_one_enum() -> None:
    assert ExitStatus.SKIPPED not in (ExitStatus.OK, ExitStatus.ERROR, ExitStatus.USAGE)
    assert ExitStatus.NOTHING_READ not in (ExitStatus.OK, ExitStatus.SKIPPED)
    assert (ExitStatus.USAGE, ExitStatus.INTERRUPTED) == (2, 130)


def test_confidence_is_one_scale(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    db = f"sqlite:///{tmp_path / 'x.db'}"
    assert run(capsys, "scan", "--examples", "--db", db, "-q", "--no-progress")[0] == 0
    code, out, _ = run(capsys, "scan", "--examples", "--output", "jsonl", "--no-progress")
    scanned = {}
    for line in out.splitlines():
        rec = json.loads(line)
        if rec["is_relevant"]:
            scanned[rec["url"]] = rec["confidence"]
    code, out, _ = run(capsys, "alerts", "--db", db, "--output", "jsonl", "--limit", "0")
    alerts = [json.loads(line) for line in out.splitlines()]
    assert alerts and all(isinstance(a["confidence"], int) for a in alerts)
    for a in alerts:
        assert a["confidence"] == scanned[a["url"]]  # the scan's scale, 0..100
    threshold = sorted({a["confidence"] for a in alerts})[1]
    code, out, _ = run(
        capsys, "alerts", "--db", db, "--output", "jsonl", "--limit", "0",
        "--min-confidence", str(threshold),
    )  # fmt: skip
    assert code == 0
    got = [json.loads(line)["confidence"] for line in out.splitlines()]
    assert got and sorted(got) == sorted(
        c for c in (a["confidence"] for a in alerts) if c >= threshold
    )
    code, out, _ = run(capsys, "alerts", "--db", db)
    assert code == 0 and not re.search(r"\b0\.\d+\b", out)  # no 0..1 figures in the table
    table_rows = [ln for ln in out.splitlines() if alerts[0]["company"] in ln]
    assert any(f" {alerts[0]['confidence']} " in ln for ln in table_rows)
    for bad in ("0.7", "101", "-5", "high"):
        with pytest.raises(SystemExit) as info:
            main(["alerts", "--db", db, "--min-confidence", bad])
        assert info.value.code == ExitStatus.USAGE
        assert "--min-confidence" in capsys.readouterr().err


def test_no_progress_frame_or_colour_off_a_terminal(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text((GOOD + "\n") * 50 + "{broken\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "tgematch", "scan", str(path), "--db", str(tmp_path / "x.db")],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "40", "TERM": "xterm-256color"},
    )
    assert proc.returncode == ExitStatus.SKIPPED, proc.stderr
    assert "scanning" not in proc.stderr and "━" not in proc.stderr  # no progress bar
    assert "\x1b[" not in proc.stderr + proc.stdout  # no colour codes in a pipe or file
    # Diagnostics are never wrapped, even at 40 columns.
    line = next(ln for ln in proc.stderr.splitlines() if "in.jsonl:51" in ln)
    assert "malformed JSON" in line


def test_scan_and_bench_take_the_same_field_options() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    commands: dict[str, argparse.ArgumentParser] = sub.choices  # type: ignore[assignment]

    def fields(name: str) -> dict[str, tuple[tuple[str, ...], object]]:
        return {
            a.dest: (tuple(a.option_strings), a.default)
            for a in commands[name]._actions
            if a.dest in ("text_field", "title_field")
        }

    assert fields("scan") == fields("bench") and len(fields("scan")) == 2


def test_bench_auto_detects_the_text_field_like_scan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tgematch.bench import read_corpus
    from tgematch.inputs import Fields

    path = tmp_path / "c.jsonl"
    path.write_text(
        json.dumps({"body": "Caldera TGE", "title": "t"}) + "\n" + json.dumps({"text": "x"}) + "\n",
        encoding="utf-8",
    )
    assert read_corpus(path, Fields()) == [("Caldera TGE", "t"), ("x", None)]
    argv = ["bench", str(path), "--libraries", "python", "--repeat", "1", "--no-progress"]
    assert main(argv) == 0
    assert "| python |" in capsys.readouterr().out
    # A record scan would skip is a bench error naming the line (a benchmark needs all).
    path.write_text(json.dumps({"body": "x"}) + "\n{broken\n", encoding="utf-8")
    assert main(argv) == ExitStatus.USAGE
    assert "c.jsonl:2: malformed JSON" in capsys.readouterr().err
    assert main([*argv, "--field", "body"]) == ExitStatus.USAGE  # the old spelling works


def test_python_dash_m_is_the_command(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tgematch", "explain", "Caldera TGE next week"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert "confidence" in proc.stdout
    proc = subprocess.run(
        [sys.executable, "-m", "tgematch", "bogus"], capture_output=True, text=True
    )
    assert proc.returncode == ExitStatus.USAGE
