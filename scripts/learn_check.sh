#!/usr/bin/env bash
# Learning check (a benchmark, not a unit test): PETS must learn the task within a small budget.
#   scripts/learn_check.sh [--task T] [--threshold N] [--thresholds FILE] [--out DIR] [extra mbrl train args...]
#   scripts/learn_check.sh --run RUN_DIR [--task T] [--threshold N] [--thresholds FILE]
#   scripts/learn_check.sh --task T --config FILE [...]
# --config FILE trains on FILE (e.g. a task from files, examples/tasks/*/config.yaml, whose
#   task.py writes its module first) instead of the task's config, judged by task T's threshold.
# An example task from files (--task reacher: examples/tasks/reacher/config.yaml) trains on its own
#   config, its task.pt written by its task.py first.
# --run judges a run that already exists (e.g. a Figure 3 sweep's cem500/seed_0, the same settings
#   as the check) instead of training a new one; its task comes from RUN_DIR/config.yaml.
# cartpole_swingup (the default): PETS + CEM with configs/bench/cartpole_swingup_quick.yaml must
#   reach an episode return at least the threshold within its 15 episodes.
# pusher, half_cheetah, humanoid_standup: the Figure 3 cell cem500 at seed 0
#   (configs/paper/fig3/TASK.yaml, configs/paper/planners/cem500.yaml) must beat random actions
#   clearly: its best MPC episode at least the threshold (the random episodes' mean + 5 standard
#   deviations), and a later MPC episode above the first (it rose after the first model).
# The thresholds come from FILE (default configs/paper/learn_checks.csv, which says where each
# comes from); --threshold N overrides the task's. metrics.csv is read by its column names.
# Exits 0 when it passes, 1 when it does not, 2 on a usage error.
set -euo pipefail
cd "$(dirname "$0")/.."
task=""
threshold=""
out=""
run=""
config=""
thresholds=configs/paper/learn_checks.csv
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --task) task="$2"; shift 2 ;;
    --run) run="$2"; shift 2 ;;
    --config) config="$2"; shift 2 ;;
    --threshold) threshold="$2"; shift 2 ;;
    --thresholds) thresholds="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) extra+=("$1"); shift ;;
  esac
done
if [ -n "$run" ]; then
  if [ ! -f "$run/metrics.csv" ] || [ ! -f "$run/config.yaml" ]; then
    echo "learn_check.sh: --run '$run' is not a run directory (it needs metrics.csv and config.yaml)" >&2
    exit 2
  fi
  run_task=$(awk '/^task:/ { print $2; exit }' "$run/config.yaml")
  if [ "$run_task" = mjcf ] && [ -z "$task" ]; then
    echo "learn_check.sh: the run in '$run' is a task from files: --task names its threshold" >&2
    exit 2
  fi
  [ "$run_task" = mjcf ] && run_task="$task"
  if [ -n "$task" ] && [ "$task" != "$run_task" ]; then
    echo "learn_check.sh: --task $task, but the run in '$run' is $run_task (its config.yaml)" >&2
    exit 2
  fi
  task="$run_task"
  if [ ${#extra[@]} -gt 0 ] || [ -n "$out" ]; then
    echo "learn_check.sh: --run judges an existing run: it takes no --out or mbrl train arguments" >&2
    exit 2
  fi
fi
task="${task:-cartpole_swingup}"
if [ ! -f "$thresholds" ]; then
  echo "learn_check.sh: --thresholds '$thresholds': no such file" >&2
  exit 2
fi
# The task's row of the thresholds file, its columns found by name.
default_threshold=$(awk -F, -v t="$task" '/^#/ { next }
  !h { for (i = 1; i <= NF; i++) col[$i] = i; h = 1; next }
  $col["task"] == t { print $col["threshold"]; exit }' "$thresholds")
if [ -z "$default_threshold" ]; then
  known=$(awk -F, '/^#/ { next } h++ { printf "%s%s", (n++ ? ", " : ""), $1 }' "$thresholds")
  echo "learn_check.sh: unknown --task '$task' (one of: $known; $thresholds)" >&2
  exit 2
fi
if [ -n "$config" ]; then
  # A task from files with its task.py beside the config: its module is written first.
  if [ -z "$run" ] && [ -f "$(dirname "$config")/task.py" ]; then
    /usr/bin/python3 "$(dirname "$config")/task.py" > /dev/null
  fi
  args=(--config "$config")
elif [ "$task" = cartpole_swingup ]; then
  args=(--config configs/bench/cartpole_swingup_quick.yaml)
elif [ -f "examples/tasks/$task/config.yaml" ]; then
  # A task from files (examples/tasks/<task>/): its module is written first.
  [ -n "$run" ] || /usr/bin/python3 "examples/tasks/$task/task.py" > /dev/null
  args=(--config "examples/tasks/$task/config.yaml")
else
  args=(--config "configs/paper/fig3/$task.yaml" --planner-dir configs/paper/planners
        --planner cem500 --set seed=0)
fi
threshold="${threshold:-$default_threshold}"
if [ -n "$run" ]; then
  out="$run"
  took="judged an existing run"
else
  out="${out:-runs/learn_check/$task-$(date +%Y%m%d-%H%M%S)}"
  [ -x build/mbrl ] || scripts/setup.sh
  start=$(date +%s)
  build/mbrl train "${args[@]}" --out "$out" "${extra[@]}"
  took="in $(( $(date +%s) - start ))s"
fi
# metrics.csv by column name: the return and whether the episode was random; rows of an
# interrupted (partial) episode are left out.
read -r best first later < <(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
  col["interrupted"] && $col["interrupted"] == 1 { next }
  $col["random"] == 0 { r = $col["return"]
    if (best == "" || r > best) best = r
    if (first == "") first = r; else if (later == "" || r > later) later = r }
  END { print best, first, (later == "" ? first : later) }' "$out/metrics.csv")
returns=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
  { printf "%s%.1f", (NR > 2 ? " " : ""), $col["return"] }' "$out/metrics.csv")
echo "learn_check: $task returns per episode: $returns"
echo "learn_check: best MPC return $best (threshold $threshold) $took; run in $out"
fail=""
if [ -z "$best" ]; then
  fail="no MPC episode in $out/metrics.csv"
else
  awk -v b="$best" -v t="$threshold" 'BEGIN { exit !(b >= t) }' || fail="best MPC return $best < $threshold"
fi
if [ -z "$fail" ] && [ "$task" != cartpole_swingup ] &&
   ! awk -v f="$first" -v l="$later" 'BEGIN { exit !(l > f) }'; then
  fail="not rising: no later MPC episode above the first ($first)"
fi
if [ -z "$fail" ]; then
  echo "learn_check: PASS"
else
  echo "learn_check: FAIL ($fail)"
  exit 1
fi
