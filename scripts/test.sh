#!/usr/bin/env bash
# Test: set-up (installs only what is missing, builds), then runs the GoogleTest suite with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cd build
ctest --output-on-failure -j"$(nproc 2>/dev/null || echo 2)" "$@"
