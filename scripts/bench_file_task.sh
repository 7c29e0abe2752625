#!/usr/bin/env bash
# Planning cost of a task from files against the built-in task it restates: `mbrl bench planners`
# on configs/cartpole_swingup.yaml and on examples/tasks/cartpole_swingup/config.yaml, alternated
# ROUNDS times (default 2) in one invocation, then the ratio file / built-in of each label's mean
# over the rounds.
#   scripts/bench_file_task.sh [ROUNDS] [--out DIR]      (default DIR: results/bench/file_task)
# BENCH_FILE_TASK_RATIOS_ONLY=1 recomputes ratios.csv from the rounds already in DIR.
# Needs examples/tasks/cartpole_swingup/task.pt (/usr/bin/python3 examples/tasks/cartpole_swingup/task.py).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=2
out=results/bench/file_task
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    [0-9]*) rounds="$1"; shift ;;
    *) echo "bench_file_task.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
mbrl="${MBRL:-build/mbrl}"
files=examples/tasks/cartpole_swingup/config.yaml
[ -f examples/tasks/cartpole_swingup/task.pt ] || /usr/bin/python3 examples/tasks/cartpole_swingup/task.py
labels=cem50,cem500,cem5000,cem-gd
if [ "${BENCH_FILE_TASK_RATIOS_ONLY:-0}" != 1 ]; then
  for r in $(seq 1 "$rounds"); do
    for side in built_in files; do
      task=cartpole_swingup
      [ "$side" = files ] && task=$files
      echo "round $r: $side" >&2
      "$mbrl" bench planners --tasks "$task" --planners "$labels" --steps 6 \
        --planner-dir configs/paper/planners --paper-tables none --horizon 45 --out "$out/round_${r}_$side" --quiet > /dev/null
    done
  done
fi
/usr/bin/python3 - "$out" <<'PY'
import csv, glob, os, sys
out = sys.argv[1]
rows = {}
for path in sorted(glob.glob(os.path.join(out, "round_*_*", "planners_cpu.csv"))):
    side = "files" if path.split(os.sep)[-2].endswith("files") else "built_in"
    for row in csv.DictReader(open(path)):
        for col in ("first_ms", "later_mean_ms", "episode_mean_s"):
            rows.setdefault((row["planner"], col), {}).setdefault(side, []).append(float(row[col]))
mean = lambda v: sum(v) / len(v)
with open(os.path.join(out, "ratios.csv"), "w") as f:
    f.write("planner,measure,built_in,files,ratio,rounds\n")
    for (planner, col), sides in rows.items():
        b, t = mean(sides["built_in"]), mean(sides["files"])
        f.write(f"{planner},{col},{b:.4g},{t:.4g},{t / b:.3f},{len(sides['files'])}\n")
print(open(os.path.join(out, "ratios.csv")).read(), end="")
PY
