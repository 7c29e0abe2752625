#!/usr/bin/env bash
# Set-up: installs the Debian packages mbrl needs (only those missing), then configures and builds
# in Release into build/. Idempotent: a second call installs nothing and rebuilds incrementally.
#   scripts/setup.sh            install what is missing, configure, build
#   scripts/setup.sh --deps     install what is missing, nothing else
#   scripts/setup.sh --bench    also install the optional benchmark tools (python3-torch)
set -euo pipefail
cd "$(dirname "$0")/.."

deps_only=0
bench=0
for arg in "$@"; do
  case "$arg" in
    --deps) deps_only=1 ;;
    --bench) bench=1 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option '$arg' (expected --deps, --bench)" >&2; exit 2 ;;
  esac
done

packages=(
  cmake g++ make ccache
  libtorch-dev libopenblas0-pthread      # LibTorch 1.13 (CPU); OpenBLAS or BLAS is ~30x slower
  libmujoco-dev libqhull-dev             # MuJoCo 2.2.2; its CMake config needs qhull's headers
  libyaml-cpp-dev libspdlog-dev libcli11-dev nlohmann-json3-dev
  libgtest-dev libbenchmark-dev
  python3-matplotlib                     # plot scripts (run with /usr/bin/python3)
)
if [ "$bench" = 1 ]; then packages+=(python3-torch); fi

missing=()
for p in "${packages[@]}"; do
  case "$p" in \#*) continue ;; esac
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
else
  echo "setup: all packages present"
fi
[ "$deps_only" = 1 ] && exit 0

jobs="$(nproc 2>/dev/null || echo 2)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$jobs"
echo "setup: built build/mbrl"
