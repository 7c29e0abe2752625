#!/usr/bin/env bash
# Ours against a PyTorch-Python reference, same machine, same run: the same planning step on a
# task (cartpole swingup by default; --task half_cheetah or humanoid_standup) with its config's
# ensemble, 20 TS-inf particles and horizon 45, for each planner label, alternating ours and
# theirs, then the time ratio per planner and each side's time over the step's arithmetic floor.
#   scripts/bench_vs_pytorch.sh [--planners cem50,cem500,cem5000,cem-gd] [--task NAME] [--steps 5]
#                               [--rounds 2] [--threads N] [--n-init N] [--before DIR]
#                               [--ref-threads "1 2"] [--out results/bench/vs_pytorch]
# --n-init N shrinks CEM-GD's t = 0 sample count on both sides (to time its later steps quickly).
# --before DIR adds a third side: an older checkout of this repository with its own build/mbrl
# (e.g. `git worktree add /tmp/before <commit>` and a build there), run from DIR with its configs,
# so a speed change is measured against the same PyTorch runs.
# Needs python3-torch (scripts/setup.sh installs it). Threads: ours runs with its defaults
# (1 intra-op thread, OpenBLAS on all cores; --threads N sets OMP_NUM_THREADS=N); the PyTorch
# reference runs at 1 and at 2 threads (intra-op and OpenBLAS alike; --ref-threads picks) and
# counts its faster. Both sides get the OpenBLAS kernels mbrl chooses (OPENBLAS_CORETYPE).
# Both sides run with GLIBC_TUNABLES keeping freed memory in the process (glibc's malloc otherwise
# unmaps the reference's large tensors after each use and page-faults them back; ours allocates
# its buffers once and is unaffected); a GLIBC_TUNABLES already set is kept.
# Exits 3 when the reference's time per sample grows with the sample count (not a fair
# reference).
set -euo pipefail
cd "$(dirname "$0")/.."
planners="cem50,cem500,cem5000,cem-gd"
task=cartpole_swingup
steps=5
rounds=2
threads=""
out="results/bench/vs_pytorch"
n_init=""
before=""
ref_threads="1 $(nproc 2>/dev/null | awk '$1 > 1 { print 2 }')"
while [ $# -gt 0 ]; do
  case "$1" in
    --planners) planners="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --n-init) n_init="$2"; shift 2 ;;
    --before) before="$2"; shift 2 ;;
    --ref-threads) ref_threads="$2"; shift 2 ;;
    --task) task="$2"; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "bench_vs_pytorch.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
py=/usr/bin/python3
if ! "$py" -c "import torch" 2>/dev/null; then
  echo "bench_vs_pytorch.sh: $py cannot import torch; run scripts/setup.sh --deps" >&2
  exit 2
fi
[ -x build/mbrl ] || scripts/setup.sh
if [ -n "$before" ] && [ ! -x "$before/build/mbrl" ]; then
  echo "bench_vs_pytorch.sh: --before $before: no executable $before/build/mbrl" >&2
  exit 2
fi
if [ -n "$threads" ]; then export OMP_NUM_THREADS="$threads"; fi
# mbrl starts again with the OpenBLAS kernels this CPU supports when OpenBLAS does not recognise
# it (its note names them): the reference gets the same kernels.
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  core="$(build/mbrl --help 2>&1 | sed -n 's/.*running with OPENBLAS_CORETYPE=\([A-Za-z0-9]*\).*/\1/p')"
  if [ -n "$core" ]; then export OPENBLAS_CORETYPE="$core"; fi
fi
export GLIBC_TUNABLES="${GLIBC_TUNABLES-glibc.malloc.mmap_threshold=268435456:glibc.malloc.trim_threshold=1073741824}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
ours_extra=()
theirs_extra=()
if [ -n "$n_init" ]; then
  ours_extra=(--set "planner.n_init=$n_init")
  theirs_extra=(--n-init "$n_init")
fi
results="$tmp/results.jsonl"
: > "$results"
IFS=',' read -r -a labels <<< "$planners"
for round in $(seq 1 "$rounds"); do
  for label in "${labels[@]}"; do
    gd=""  # --n-init applies to cem-gd only
    if [ "$label" = cem-gd ] && [ -n "$n_init" ]; then gd=1; fi
    for side in ours ${before:+before}; do
      echo "round $round/$rounds: $label ($side)" >&2
      dir=.
      if [ "$side" = before ]; then dir="$before"; fi
      rm -rf "$tmp/ours"
      (cd "$dir" && build/mbrl bench planners --tasks "$task" --planners "$label" \
        --planner-dir configs/paper/planners \
        --steps "$steps" --horizon 45 --out "$tmp/ours" --quiet ${gd:+"${ours_extra[@]}"}) \
        > "$tmp/log" 2>&1 || { cat "$tmp/log" >&2; exit 1; }
      # The CSV's columns by their header names (an older binary's CSV has fewer).
      awk -F, -v l="$label" -v s="$side" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
        NR == 2 { floor = ("later_floor_ms" in c) ? $c["later_floor_ms"] : "null"
                  printf "{\"side\": \"%s\", \"planner\": \"%s\", \"first_ms\": %s, \"mean_ms\": %s, \"later_mean_ms\": %s, \"later_floor_ms\": %s}\n", s, l, $c["first_ms"], $c["mean_ms"], $c["later_mean_ms"], floor }' \
        "$tmp/ours/planners_cpu.csv" >> "$results"
    done
    # The reference at each thread setting a user would try (intra-op and OpenBLAS threads
    # both 1, both 2); the table takes its faster.
    for t in ${ref_threads}; do
      echo "round $round/$rounds: $label (PyTorch, $t threads)" >&2
      OPENBLAS_NUM_THREADS=$t "$py" scripts/reference/pets_planners.py --planner "$label" --task "$task" \
        --steps "$steps" --horizon 45 --threads "$t" ${gd:+"${theirs_extra[@]}"} |
        "$py" -c 'import json,sys; d=json.loads(sys.stdin.read()); d["side"]="pytorch"; print(json.dumps(d))' >> "$results"
    done
  done
done
cp "$results" "$out/vs_pytorch.jsonl"
commit() { git -C "$1" rev-parse --short HEAD 2>/dev/null || echo "unknown"; }
ours_commit="$(commit .)"
before_commit="${before:+$(commit "$before")}"
"$py" - "$results" "$threads" "$steps" "$rounds" "$n_init" "$task" "$ours_commit" "$before_commit" \
  <<'PY' | tee "$out/vs_pytorch.md"
import json, os, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
threads, steps, rounds, n_init, task, ours_commit, before_commit = sys.argv[2:9]
labels = list(dict.fromkeys(r["planner"] for r in rows))
has_before = any(r["side"] == "before" for r in rows)
def best(side, label, key):  # the fastest of the rounds (and, for PyTorch, thread settings)
    return min(r[key] for r in rows if r["side"] == side and r["planner"] == label) / 1e3
def best_threads(label):  # the reference's thread setting of its fastest later step
    r = min((r for r in rows if r["side"] == "pytorch" and r["planner"] == label),
            key=lambda r: r["later_mean_ms"])
    return f"{r['threads']} intra-op, OpenBLAS {r.get('blas_threads', 'default')}"
threads = f"OMP_NUM_THREADS={threads}" if threads else "default threads"
gd = f", CEM-GD n_init {n_init}" if n_init else ""
sides = f"ours at {ours_commit}" + (f", before at {before_commit}" if before_commit else "")
print(f"{task}, horizon 45, 20 particles, {threads}, {steps} timed steps{gd}, "
      f"best of {rounds} alternating rounds; {sides}.\n")
head = "| planner | step | PyTorch (s) |"
rule = "|---|---|---:|"
if has_before:
    head += " before (s) | ratio before |"
    rule += "---:|---:|"
print(head + " ours (s) | ratio |")
print(rule + "---:|---:|")
for l in labels:
    for name, key in (("t = 0", "first_ms"), ("t > 0, mean", "later_mean_ms"),
                      ("all timed, mean", "mean_ms")):
        p, o = best("pytorch", l, key), best("ours", l, key)
        line = f"| {l} | {name} | {p:.3f} |"
        if has_before:
            b = best("before", l, key)
            line += f" {b:.3f} | {p / b:.2f}x |"
        print(line + f" {o:.3f} | {p / o:.2f}x |")
    # The paper's Table 1 measure: the average planning time per step of an episode, here
    # 200 steps (cartpole): one t = 0 step and 199 later ones.
    ep = {side: (best(side, l, "first_ms") + 199 * best(side, l, "later_mean_ms")) / 200
          for side in ("pytorch", "ours") + (("before",) if has_before else ())}
    line = f"| {l} | per step, 200-step episode | {ep['pytorch']:.3f} |"
    if has_before:
        line += f" {ep['before']:.3f} | {ep['pytorch'] / ep['before']:.2f}x |"
    print(line + f" {ep['ours']:.3f} | {ep['pytorch'] / ep['ours']:.2f}x |")
print("\nratio = PyTorch time / our time (above 1: ours is faster). Per step over a 200-step "
      "episode = (t = 0 + 199 x later mean) / 200, the paper's Table 1 measure.")
# The arithmetic floor of a later step: its matrix products' FLOPs at the GEMM rate our bench
# measured beside it (`mbrl bench planners`, columns later_floor_ms and later_x_floor).
floors = {l: min(r["later_floor_ms"] for r in rows if r["side"] == "ours" and r["planner"] == l)
          / 1e3 for l in labels
          if all(r.get("later_floor_ms") for r in rows if r["side"] == "ours" and r["planner"] == l)}
if floors:
    print("Arithmetic floor of a later step, and each side's later step over it: " + "; ".join(
        f"{l} {f:.3f} s (PyTorch {best('pytorch', l, 'later_mean_ms') / f:.2f}x, "
        f"ours {best('ours', l, 'later_mean_ms') / f:.2f}x)" for l, f in floors.items()) + ".")
print("PyTorch's threads (its fastest later step): " +
      "; ".join(f"{l} {best_threads(l)}" for l in labels) + ".")
# The reference's cost must scale as its work: a later step's time per sample may not grow with
# the sample count (CEM 50, 500 and 5000 score 50, 500 and 5000 sequences per step).
samples = {"cem50": 50, "cem500": 500, "cem5000": 5000}
per = {l: best("pytorch", l, "later_mean_ms") / samples[l] for l in labels if l in samples}
grows = [f"{b} {per[b] * 1e3:.2f} ms against {a} {per[a] * 1e3:.2f} ms per sample"
         for a in per for b in per if samples[b] > samples[a] and per[b] > 1.2 * per[a]]
if grows:
    print("\nThe reference's cost per sample grows with the samples (" + "; ".join(grows) +
          "): it is not a fair reference.")
    sys.exit(3)
if os.environ.get("OPENBLAS_CORETYPE"):
    print(f"Both sides ran with OPENBLAS_CORETYPE={os.environ['OPENBLAS_CORETYPE']}.")
if os.environ.get("GLIBC_TUNABLES"):
    print(f"Both sides ran with GLIBC_TUNABLES={os.environ['GLIBC_TUNABLES']}.")
chunks = {r["chunk"] for r in rows if r["side"] == "pytorch" and "chunk" in r}
if chunks:
    print("The reference scores a population in slices of at most " +
          "/".join(map(str, sorted(chunks))) + " sequences.")
PY
