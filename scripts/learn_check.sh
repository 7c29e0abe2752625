#!/usr/bin/env bash
# Learning check (a benchmark, not a unit test): PETS must learn the task within a small budget.
#   scripts/learn_check.sh [--task T] [--threshold N] [--out DIR] [extra mbrl train args...]
#   scripts/learn_check.sh --run RUN_DIR [--task T] [--threshold N]
# --run judges a run that already exists (e.g. a Figure 3 sweep's cem500/seed_0, the same settings
#   as the check) instead of training a new one; its task comes from RUN_DIR/config.yaml.
# cartpole_swingup (the default): PETS + CEM with configs/bench/cartpole_swingup_quick.yaml must
#   reach an episode return >= 120 within its 15 episodes.
# pusher, half_cheetah, humanoid_standup: the Figure 3 sweep's cem500 cell at seed 0 (the paper's
#   CEM 500, horizon 45, scripts/paper_settings.sh's episodes and length; results/fig3/README.md)
#   must beat a random policy clearly: its best MPC episode at least the random policy's mean
#   return + 5 standard deviations (README, "random-policy returns"), and a later MPC episode
#   above the first (it rose after the first model).
# Exits 0 when it passes, 1 when it does not, 2 on a usage error.
set -euo pipefail
cd "$(dirname "$0")/.."
task=""
threshold=""
out=""
run=""
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --task) task="$2"; shift 2 ;;
    --run) run="$2"; shift 2 ;;
    --threshold) threshold="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) extra+=("$1"); shift ;;
  esac
done
# shellcheck source=scripts/paper_settings.sh
. scripts/paper_settings.sh
if [ -n "$run" ]; then
  if [ ! -f "$run/metrics.csv" ] || [ ! -f "$run/config.yaml" ]; then
    echo "learn_check.sh: --run '$run' is not a run directory (it needs metrics.csv and config.yaml)" >&2
    exit 2
  fi
  run_task=$(awk '/^task:/ { print $2; exit }' "$run/config.yaml")
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
# Random-policy return per task (mean, std over 10 episodes of uniform random actions, with the
# episode length the check runs): `build/mbrl train --config configs/TASK.yaml
# --set pets.episodes=10 --set pets.seed_episodes=10` (half-cheetah with env.episode_length=200).
case "$task" in
  cartpole_swingup)
    default_threshold=120
    args=(--config configs/bench/cartpole_swingup_quick.yaml) ;;
  pusher)           random_mean=-288.4; random_std=13.1 ;;
  half_cheetah)     random_mean=-58.9;  random_std=16.8 ;;
  humanoid_standup) random_mean=3161.7; random_std=95.6 ;;
  *) echo "learn_check.sh: unknown --task '$task' (one of: $fig3_tasks)" >&2; exit 2 ;;
esac
if [ "$task" != cartpole_swingup ]; then
  default_threshold=$(awk -v m="$random_mean" -v s="$random_std" 'BEGIN { printf "%.1f", m + 5 * s }')
  # shellcheck disable=SC2207
  args=(--config "configs/$task.yaml" --planner-dir configs/bench/labels --planner cem500
        --set seed=0 $(fig3_sets "$task"))
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
# metrics.csv: column 4 the episode return, column 5 whether the episode was random.
read -r best first later < <(awk -F, 'NR > 1 && $5 == 0 {
    if (best == "" || $4 > best) best = $4
    if (first == "") first = $4; else if (later == "" || $4 > later) later = $4 }
  END { print best, first, (later == "" ? first : later) }' "$out/metrics.csv")
returns=$(awk -F, 'NR > 1 { printf "%s%.1f", (NR > 2 ? " " : ""), $4 }' "$out/metrics.csv")
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
