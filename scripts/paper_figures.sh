#!/usr/bin/env bash
# The CEM-GD paper's learning figures at a scale this machine can run (results/fig3/README.md says
# where it differs from the paper and why). Each sweep resumes when run again; killing it loses at
# most the episode in progress.
#   scripts/paper_figures.sh fig3 TASK [--seeds 0-2] [--jobs 2]   Figure 3: return per planner
#   scripts/paper_figures.sh fig4 [--seeds 0-2] [--jobs 2]        Figure 4 on cartpole swing-up
#   scripts/paper_figures.sh all [--seeds 0-2] [--jobs 2]         all of them: cartpole, humanoid, pusher,
#                                                                 half-cheetah, Figure 4
#   scripts/paper_figures.sh plot                                 redraw from the runs there are
# Runs go to runs/paper/fig{3,4}/<task>/ (large: models, buffers, checkpoints); the figures and
# their data to results/fig3/<task>.{png,csv} and results/fig4/ (committed). Figure 4 reuses
# Figure 3's cartpole runs (cem50, cem500, cem-gd with N_r 50, grad) and adds the other sample
# counts: run `fig3 cartpole_swingup` first.
set -euo pipefail
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/.."

usage() { sed -n '2,13p' "$self"; exit 2; }
[ $# -ge 1 ] || usage
what="$1"
shift
seeds=0-2
jobs=2
task=""
if [ "$what" = fig3 ]; then
  [ $# -ge 1 ] || usage
  task="$1"
  shift
fi
while [ $# -gt 0 ]; do
  case "$1" in
    --seeds) seeds="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    *) echo "paper_figures.sh: unknown option '$1'" >&2; usage ;;
  esac
done
[ -x build/mbrl ] || scripts/setup.sh

# shellcheck source=scripts/paper_settings.sh
. scripts/paper_settings.sh

# Figure 4: CEM with 100 and 1000 samples per step and CEM-GD with N_r 10, 100 and 500, beside
# Figure 3's 50 and 500 and N_r 50, with the same settings (CEM 5000 costs 23 min per episode here).
# Its runs stop after 5 episodes; every run, Figure 3's included, is scored on its first 5. CEM 1000,
# the dearest (about half of the sweep), comes last.
fig4_planners=cem100,cem_gd_nr10,cem_gd_nr100,cem_gd_nr500,cem1000
fig4_episodes=5

plot_fig4() {
  local dirs=()
  for d in runs/paper/fig3/cartpole_swingup runs/paper/fig4/cartpole_swingup; do
    [ -d "$d" ] && dirs+=("$d")
  done
  [ ${#dirs[@]} -gt 0 ] || return 0
  mkdir -p results/fig4
  /usr/bin/python3 scripts/plot_samples.py "${dirs[@]}" --out results/fig4/cartpole_swingup.png \
    --csv results/fig4/cartpole_swingup.csv --episodes "$fig4_episodes"
  [ -d runs/paper/fig4/cartpole_swingup ] &&
    cp runs/paper/fig4/cartpole_swingup/status.csv results/fig4/cartpole_swingup_status.csv
  return 0
}

plot_fig3() {
  local t="$1" dir="runs/paper/fig3/$1"
  [ -d "$dir" ] || return 0
  mkdir -p results/fig3
  /usr/bin/python3 scripts/plot_runs.py "$dir" --x mpc_episode --out "results/fig3/$t.png" \
    --csv "results/fig3/${t}_mean.csv" --runs-csv "results/fig3/$t.csv"
  cp "$dir/status.csv" "results/fig3/${t}_status.csv"
}

case "$what" in
  fig3)
    fig3_sets "$task" > /dev/null || usage
    # shellcheck disable=SC2046
    build/mbrl sweep --config "configs/$task.yaml" --planner-dir configs/bench/labels \
      --planners "$fig3_planners" --seeds "$seeds" --jobs "$jobs" --out "runs/paper/fig3/$task" \
      $(fig3_sets "$task")
    plot_fig3 "$task"
    ;;
  fig4)
    # shellcheck disable=SC2046
    build/mbrl sweep --config configs/cartpole_swingup.yaml --planner-dir configs/bench/labels \
      --planners "$fig4_planners" --seeds "$seeds" --jobs "$jobs" \
      --out runs/paper/fig4/cartpole_swingup --set agent.horizon=45 \
      --set pets.episodes="$fig4_episodes"
    plot_fig4
    ;;
  all)
    for t in cartpole_swingup humanoid_standup pusher half_cheetah; do
      "$self" fig3 "$t" --seeds "$seeds" --jobs "$jobs"
    done
    "$self" fig4 --seeds "$seeds" --jobs "$jobs"
    ;;
  plot)
    for t in $fig3_tasks; do plot_fig3 "$t"; done
    plot_fig4
    ;;
  *) usage ;;
esac
