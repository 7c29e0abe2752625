#!/usr/bin/env bash
# Test: set-up (installs only what is missing, the test-only packages included; builds), then
# runs the whole suite with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
cd build
ctest --output-on-failure -j"$(nproc 2>/dev/null || echo 2)" "$@"
