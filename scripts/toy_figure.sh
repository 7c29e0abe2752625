#!/usr/bin/env bash
# The CEM-GD paper's Figure 2 on the toy barrier task, in one command:
# runs `mbrl toy` (100 episodes per N_init), plots results/toy_barrier/toy_barrier.png and
# keeps which side of the barrier the first plans passed (sides.txt).
#   scripts/toy_figure.sh [OUT_DIR] [extra mbrl toy options, e.g. --trials 20]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-results/toy_barrier}"
shift || true
[ -x build/mbrl ] || scripts/setup.sh
build/mbrl toy --n-init 10,50,100,500,1000,5000 --trials 100 --out "$out" "$@"
/usr/bin/python3 scripts/plot_toy.py "$out" | tee "$out/sides.txt"
