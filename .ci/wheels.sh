#!/usr/bin/env bash
# The release wheels, as far as one Linux x86_64 machine can check them (issue 12 items
# 1 and 2); called by .ci/run. The other platforms are built and tested by
# .github/workflows/release.yml.
#
#   1. build the manylinux2014 x86_64 abi3 wheel (maturin + zig), the pure-Python wheel
#      made from it (tools/pure_wheel.py) and the sdist;
#   2. check them: abi3audit, twine check, check-wheel-contents (and tests/test_wheels.py,
#      run by the test command with TGEMATCH_WHEELHOUSE: stripped, pure = binary minus
#      _native, pip prefers the binary wheel);
#   3. install each wheel into a fresh virtual environment whose PATH has no cargo, rustc
#      or rustup, and run the test suite against the installed package: the binary wheel
#      with both engines (TGEMATCH_REQUIRE_NATIVE=1), the pure wheel with the Python one.
#
# Usage: bash .ci/wheels.sh WHEELHOUSE   (the directory receives the wheels and sdist)
# Prints the wheel sizes and the installed sizes of the core and of [cli].
set -euo pipefail
cd "$(dirname "$0")/.."
WHEELHOUSE=$1
mkdir -p "$WHEELHOUSE"
WORK=$(mktemp -d /tmp/tgematch-wheels.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# Build and check tools, pinned, in their own environment (not the package's extras).
python3 -m venv "$WORK/tools"
"$WORK/tools/bin/pip" install --quiet \
    'maturin==1.16.0' 'ziglang==0.15.2' 'abi3audit==0.0.26' 'twine==6.2.0' \
    'check-wheel-contents==0.6.3'
tools() { PATH="$WORK/tools/bin:$PATH" "$@"; }

echo "== wheels: build (manylinux2014 x86_64 with zig, pure-Python, sdist)"
tools maturin build --release --zig --compatibility manylinux2014 \
    --interpreter "$(command -v python3)" --out "$WHEELHOUSE" --quiet
BINARY=$(ls "$WHEELHOUSE"/tgematch-*-cp311-abi3-manylinux2014_x86_64*.whl)
python3 tools/pure_wheel.py --from-wheel "$BINARY" --out "$WHEELHOUSE" >/dev/null
PURE=$(ls "$WHEELHOUSE"/tgematch-*-py3-none-any.whl)
tools maturin sdist --out "$WHEELHOUSE" >/dev/null

echo "== wheels: check"
tools abi3audit --strict --summary "$BINARY"
tools twine check --strict "$WHEELHOUSE"/*
tools check-wheel-contents "$WHEELHOUSE"/*.whl   # reads [tool.check-wheel-contents]

# A PATH without the Rust toolchain (~/.cargo/bin) or pyenv: what a new user has.
NO_RUST_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
site_kib() { du -sk "$("$1/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" | cut -f1; }

# test_wheel NAME WHEEL EXPECTED_BACKEND [ENV...]: fresh venv, install, run the suite.
test_wheel() {
    local name=$1 wheel=$2 expected=$3
    shift 3
    local venv="$WORK/$name"
    python3 -m venv "$venv"
    clean() { env PATH="$venv/bin:$NO_RUST_PATH" CARGO_HOME=/nonexistent RUSTUP_HOME=/nonexistent "$@"; }
    if clean sh -c 'command -v cargo || command -v rustc || command -v rustup' >/dev/null; then
        echo "the test environment still finds a Rust toolchain"; exit 1
    fi
    local before core cli
    before=$(site_kib "$venv")
    # The core install: no dependency, nothing from an index.
    clean pip install --quiet --no-index "$wheel"
    core=$(( $(site_kib "$venv") - before ))
    clean python - "$expected" <<'EOF'
import importlib.util, sys
import tgematch
missing = [m for m in ("sqlalchemy", "alembic", "rich") if importlib.util.find_spec(m)]
assert not missing, f"a core install pulled {missing}"
assert "site-packages" in tgematch.__file__, tgematch.__file__
choice = tgematch.default_backend()
assert choice == sys.argv[1], (choice, choice.reason)
print(f"core install: tgematch {tgematch.__version__}, {choice} engine ({choice.reason})")
EOF
    # Without the cli extra the command says, in one line, which extra to install.
    local status=0 hint
    hint=$(cd "$WORK" && clean tgematch scan --examples 2>&1) || status=$?
    if [ "$status" -ne 1 ] || [ "$(printf '%s\n' "$hint" | wc -l)" -ne 1 ] \
        || [[ "$hint" != *"pip install 'tgematch[cli]'"* ]]; then
        echo "core install: tgematch scan said (status $status): $hint"; exit 1
    fi
    clean tgematch --version
    clean pip install --quiet "$wheel[cli]"
    cli=$(( $(site_kib "$venv") - before ))
    (cd "$WORK" && clean tgematch scan --examples --db "$WORK/$name.db" --quiet --no-progress >/dev/null)
    clean pip install --quiet "$wheel[test]"
    echo "== wheels: the test suite against the installed $name wheel ($expected engine$([ "$expected" = native ] && echo 's: both'))"
    # From the checkout's root: the tests, README and tools are read from it, while
    # `import tgematch` finds the installed wheel (the package lives under python/).
    clean env "$@" python -m pytest -q -p no:cacheprovider -o addopts="" tests
    echo "$name: installed size core ${core} KiB, [cli] ${cli} KiB"
    SIZES+=("$name wheel $(stat -c %s "$wheel") bytes ($(basename "$wheel")); installed: core ${core} KiB, with [cli] ${cli} KiB")
}

SIZES=()
test_wheel binary "$BINARY" native TGEMATCH_REQUIRE_NATIVE=1
test_wheel pure "$PURE" python TGEMATCH_REQUIRE_NATIVE=0

echo "== wheels: sizes"
printf '%s\n' "${SIZES[@]}"
echo "sdist $(stat -c %s "$WHEELHOUSE"/tgematch-*.tar.gz) bytes"
