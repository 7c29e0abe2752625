#!/usr/bin/env bash
# `pip install --no-build-isolation .` as a user runs it, into a fresh virtual environment that
# sees the system's torch: then `import mbrl` finds the installed package, the `mbrl` command is
# on the environment's PATH, and the pytest suite passes against the installed package (no
# PYTHONPATH, the installed binary). PIP_BUILD_DIR: the CMake tree pip builds in (MBRL_BUILD_DIR;
# an existing one is reused as it is configured).
#   tests/build/check_pip_install.sh SOURCE_DIR WORK_DIR PIP_BUILD_DIR [PYTHON]
set -euo pipefail
src=$1 work=$2 pipbuild=$3 python=${4:-/usr/bin/python3}
rm -rf "$work" && mkdir -p "$work"
if ! "$python" -m venv --system-site-packages "$work/venv" > "$work/venv.log" 2>&1; then
  cat "$work/venv.log"; echo "cannot make a virtual environment (Debian: apt install python3-venv)"
  exit 77
fi
start=$(date +%s)
if ! (cd "$work" && MBRL_BUILD_DIR="$pipbuild" MBRL_BUILD_JOBS="${MBRL_BUILD_JOBS:-2}" \
      "$work/venv/bin/pip" install --no-build-isolation -v "$src" > "$work/pip.log" 2>&1); then
  tail -40 "$work/pip.log"; echo "pip install failed (log: $work/pip.log)"; exit 1
fi
echo "pip install: $(( $(date +%s) - start )) s"
# Nothing of the source tree or the CMake build on the way.
unset PYTHONPATH
cd "$work"
where=$("$work/venv/bin/python" -c "import mbrl, os; print(os.path.dirname(mbrl.__file__))")
case "$where" in
  "$work/venv/"*) echo "import mbrl: $where" ;;
  *) echo "import mbrl found $where, not the virtual environment's package"; exit 1 ;;
esac
[ -f "$where/__init__.pyi" ] || { echo "no type stub in $where"; exit 1; }
PATH="$work/venv/bin:$PATH"
[ "$(command -v mbrl)" = "$work/venv/bin/mbrl" ] || { echo "mbrl is not on the venv's PATH"; exit 1; }
mbrl --help | grep -q "train" || { echo "mbrl --help does not list train"; mbrl --help; exit 1; }
mbrl tasks | grep -q "half_cheetah" || { echo "mbrl tasks does not list half_cheetah"; exit 1; }
MBRL_BINARY="$work/venv/bin/mbrl" "$work/venv/bin/python" "$src/tests/python/run_pytest.py" \
  "$src/tests/python"
