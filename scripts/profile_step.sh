#!/usr/bin/env bash
# Where a planning step's time goes on the CPU: samples `perf record` over `mbrl bench planners`
# for one task and planner and writes the shares of the time by library and by function (perf's
# self time, all threads) to one text file. The bench runs with --no-floor (no large GEMM between
# the steps); give enough --steps that the later steps (20 s or more) outweigh the start, the
# warm-up and the t = 0 step: 30 for CEM 500, 200 for CEM 50.
#   scripts/profile_step.sh [--task cartpole_swingup] [--planner cem500] [--steps 30]
#                           [--out results/bench/profile/cartpole_swingup_cem500.txt]
# Needs perf (Debian: apt-get install linux-perf) and kernel.perf_event_paranoid <= 2.
set -euo pipefail
cd "$(dirname "$0")/.."
task=cartpole_swingup
planner=cem500
steps=30
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --task) task="$2"; shift 2 ;;
    --planner) planner="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "profile_step.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
out="${out:-results/bench/profile/${task}_${planner}.txt}"
command -v perf >/dev/null || {
  echo "profile_step.sh: perf is not installed (Debian: apt-get install linux-perf)" >&2
  exit 2
}
[ -x build/mbrl ] || { echo "profile_step.sh: build/mbrl is missing: build first" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bench=(build/mbrl bench planners --tasks "$task" --planner-dir configs/paper/planners
       --planners "$planner" --steps "$steps" --no-floor --out "$work/bench" --quiet)
perf record -g -q -o "$work/perf.data" -- "${bench[@]}" >/dev/null 2>"$work/stderr" || {
  cat "$work/stderr" >&2
  exit 1
}
report() { perf report -i "$work/perf.data" --no-children -g none --stdio "$@" 2>/dev/null |
             grep -E '^ +[0-9.]+%' | tr -s ' ' | sed -E 's/^ //; s/ +$//'; }
mkdir -p "$(dirname "$out")"
{
  echo "# Time by library and function: ${task}, ${planner}, ${steps} steps"
  echo
  echo "Command: scripts/profile_step.sh --task ${task} --planner ${planner} --steps ${steps}"
  echo "Profiled: ${bench[*]}"
  echo "perf's self time over all threads of the whole run (start, warm-up, t = 0 and the later"
  echo "steps); $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')."
  echo
  echo "Timed steps (the bench's table):"
  echo
  cut -d'|' -f2-6,10 "$work/bench/planners_cpu.md" | sed 's/^/    /'
  echo
  echo "By library (above 0.1 %):"
  echo
  report --sort dso --percent-limit 0.1 | sed 's/^/    /'
  echo
  echo "By function (above 0.5 %):"
  echo
  report -F overhead,dso,sym --percent-limit 0.5 | sed 's/^/    /'
} > "$out"
echo "written: $out"
