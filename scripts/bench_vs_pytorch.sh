#!/usr/bin/env bash
# Ours against a PyTorch-Python reference, same machine, same run: the same planning step on
# cartpole swingup (default ensemble 5 x 3 x 200, 20 TS-inf particles, horizon 45) for each
# planner label, alternating ours and theirs, then the time ratio per planner.
#   scripts/bench_vs_pytorch.sh [--planners cem50,cem500,cem5000,cem-gd] [--steps 5]
#                               [--rounds 2] [--threads N] [--out results/bench]
# Needs python3-torch (scripts/setup.sh --bench installs it). Threads: both sides use N intra-op
# threads (OMP_NUM_THREADS; default: all cores).
set -euo pipefail
cd "$(dirname "$0")/.."
planners="cem50,cem500,cem5000,cem-gd"
steps=5
rounds=2
threads="$(nproc 2>/dev/null || echo 2)"
out="results/bench"
while [ $# -gt 0 ]; do
  case "$1" in
    --planners) planners="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "bench_vs_pytorch.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
py=/usr/bin/python3
if ! "$py" -c "import torch" 2>/dev/null; then
  echo "bench_vs_pytorch.sh: $py cannot import torch; run scripts/setup.sh --bench" >&2
  exit 2
fi
[ -x build/mbrl ] || scripts/setup.sh
export OMP_NUM_THREADS="$threads"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
results="$tmp/results.jsonl"
: > "$results"
IFS=',' read -r -a labels <<< "$planners"
for round in $(seq 1 "$rounds"); do
  for label in "${labels[@]}"; do
    echo "round $round/$rounds: $label (ours)" >&2
    rm -rf "$tmp/ours"
    build/mbrl bench planners --tasks cartpole_swingup --planners "$label" --steps "$steps" \
      --horizon 45 --out "$tmp/ours" --quiet > /dev/null
    # CSV columns: 7 first_ms, 8 mean_ms, 10 later_mean_ms.
    awk -F, -v l="$label" 'NR == 2 { printf "{\"side\": \"ours\", \"planner\": \"%s\", \"first_ms\": %s, \"mean_ms\": %s, \"later_mean_ms\": %s}\n", l, $7, $8, $10 }' \
      "$tmp/ours/planners_cpu.csv" >> "$results"
    echo "round $round/$rounds: $label (PyTorch)" >&2
    "$py" scripts/reference/pets_planners.py --planner "$label" --steps "$steps" --horizon 45 |
      "$py" -c 'import json,sys; d=json.loads(sys.stdin.read()); d["side"]="pytorch"; print(json.dumps(d))' >> "$results"
  done
done
"$py" - "$results" "$threads" "$steps" "$rounds" <<'PY' | tee "$out/vs_pytorch.md"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
threads, steps, rounds = sys.argv[2:5]
labels = list(dict.fromkeys(r["planner"] for r in rows))
def best(side, label, key):  # the faster of the rounds: least disturbed by the machine
    return min(r[key] for r in rows if r["side"] == side and r["planner"] == label)
print(f"Cartpole swingup, horizon 45, 20 particles, {threads} threads, {steps} timed steps, "
      f"best of {rounds} alternating rounds.\n")
print("| planner | ours t=0 (s) | PyTorch t=0 (s) | ratio t=0 | ours per step (s) | "
      "PyTorch per step (s) | ratio per step |")
print("|---|---:|---:|---:|---:|---:|---:|")
for l in labels:
    o0, p0 = best("ours", l, "first_ms") / 1e3, best("pytorch", l, "first_ms") / 1e3
    om, pm = best("ours", l, "mean_ms") / 1e3, best("pytorch", l, "mean_ms") / 1e3
    print(f"| {l} | {o0:.3f} | {p0:.3f} | {p0 / o0:.2f}x | {om:.3f} | {pm:.3f} | {pm / om:.2f}x |")
print("\nratio = PyTorch time / our time (above 1: ours is faster). Per step: the mean over the "
      "timed steps, t = 0 included.")
PY
