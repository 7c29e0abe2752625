#!/usr/bin/env bash
# Learning check (a benchmark, not a unit test): PETS + CEM on cartpole swingup with
# configs/bench/cartpole_swingup_quick.yaml must reach an episode return >= THRESHOLD (default 120)
# within its 15 episodes. Exits 0 when it does, 1 when it does not, 2 on a usage error.
#   scripts/learn_check.sh [--threshold N] [--out DIR] [extra mbrl train args...]
set -euo pipefail
cd "$(dirname "$0")/.."
threshold=120
out="runs/learn_check/$(date +%Y%m%d-%H%M%S)"
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --threshold) threshold="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) extra+=("$1"); shift ;;
  esac
done
[ -x build/mbrl ] || scripts/setup.sh
start=$(date +%s)
build/mbrl train --config configs/bench/cartpole_swingup_quick.yaml --out "$out" "${extra[@]}"
elapsed=$(( $(date +%s) - start ))
# Column 4 of metrics.csv is the episode return.
best=$(awk -F, 'NR > 1 { if (best == "" || $4 > best) best = $4 } END { print best }' "$out/metrics.csv")
returns=$(awk -F, 'NR > 1 { printf "%s%.1f", (NR > 2 ? " " : ""), $4 }' "$out/metrics.csv")
echo "learn_check: returns per episode: $returns"
echo "learn_check: best return $best (threshold $threshold) in ${elapsed}s; run in $out"
if awk -v b="$best" -v t="$threshold" 'BEGIN { exit !(b >= t) }'; then
  echo "learn_check: PASS"
else
  echo "learn_check: FAIL (best return $best < $threshold)"
  exit 1
fi
