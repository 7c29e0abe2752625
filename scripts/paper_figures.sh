#!/usr/bin/env bash
# The CEM-GD paper's learning figures at a scale this machine can run (docs/reproduction.md says
# where the protocol differs from the paper and why).
#   scripts/paper_figures.sh fig3 TASK [--planners a,b] [--seeds 0-2] [--jobs 2]
#                                        Figure 3: return per planner (configs/paper/fig3/TASK.yaml)
#   scripts/paper_figures.sh fig4 [--planners a,b] [--seeds 0-2] [--jobs 2]
#                                        Figure 4 on cartpole swing-up: best return vs samples
#   scripts/paper_figures.sh collect     copy every finished run's record into results/
#   scripts/paper_figures.sh plot        redraw the figures from the records in results/
# Each cell (planner, seed) runs as a one-cell sweep in runs/paper/<figure>/<task>/<planner>_s<seed>/
# (models, buffers, checkpoints: large, not committed), --jobs at a time, and resumes when the
# same command runs again; killing it loses at most the episode in progress. Each run that has finished all its episodes is recorded (metrics.csv,
# config.yaml, label.txt) in results/<figure>/<task>/runs/<planner>/seed_<s>/, which the plots
# and tables read; a cell recorded there is not run again. MBRL=PATH runs another mbrl binary
# (a CUDA build, or a copy that a rebuild cannot touch while the sweep runs). Figure 4 reuses Figure 3's cartpole
# runs for CEM 50 and 500, CEM-GD with N_r 50 and Grad (their returns in results/fig3/cartpole_swingup/runs.csv).
set -euo pipefail
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/.."

usage() { sed -n '2,15p' "$self"; exit 2; }
[ $# -ge 1 ] || usage
what="$1"
shift
seeds=0-2
jobs=2
planners=""
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
    --planners) planners="$2"; shift 2 ;;
    *) echo "paper_figures.sh: unknown option '$1'" >&2; usage ;;
  esac
done

fig3_tasks="cartpole_swingup pusher half_cheetah humanoid_standup"
# The planners of each figure (configs/paper/planners/NAME.yaml). CEM 5000 runs on humanoid
# standup, the cheapest task on which the paper claims CEM-GD >= CEM 5000 (100-step episodes).
fig3_planners() {
  case "$1" in
    humanoid_standup) echo cem5000,cem_gd,grad,cem500,cem50 ;;
    *) echo cem50,cem500,cem_gd,grad ;;
  esac
}
fig4_planners=cem100,cem_gd_nr10,cem_gd_nr100,cem_gd_nr500,cem1000

# The seeds of "0-2" or "0,3,7" (or a mix), one per line.
expand_seeds() {
  local part
  for part in ${1//,/ }; do
    if [[ "$part" == *-* ]]; then seq "${part%-*}" "${part#*-}"; else echo "$part"; fi
  done
}

# Copies the record of every finished run under $1 into $2/<planner>/seed_<s>/.
collect() {
  local src="$1" dest="$2" status row run planner seed
  [ -d "$src" ] || return 0
  while IFS= read -r status; do
    while IFS=, read -r run planner seed row; do
      [[ "$row" == done,* ]] || continue
      mkdir -p "$dest/$planner/seed_$seed"
      cp "$(dirname "$status")/$run"/{metrics.csv,config.yaml,label.txt} "$dest/$planner/seed_$seed/"
    done < <(tail -n +2 "$status")
  done < <(find "$src" -name status.csv)
}

# The cells (planner:seed) of planners $1 x seeds $2 not yet recorded in results/$3/runs/, one per line.
unrecorded() {
  local p s
  for p in ${1//,/ }; do
    for s in $(expand_seeds "$2"); do
      [ -f "results/$3/runs/$p/seed_$s/metrics.csv" ] || echo "$p:$s"
    done
  done
}

# Runs config $1 for planners $2 x seeds $3 (results/$4/runs/ and runs/paper/$4/): each cell not
# yet recorded as a one-cell sweep of its own, --jobs at a time, in the order of the planners, then
# records what finished. A stop (Ctrl-C, SIGTERM) reaches every cell, which saves its partial
# episode; the same command again resumes them.
sweep() {
  local config="$1" list="$2" seed_list="$3" where="$4" p s todo
  mapfile -t todo < <(unrecorded "$list" "$seed_list" "$where")
  if [ ${#todo[@]} -eq 0 ]; then
    echo "paper_figures: every cell of $where ($list, seeds $seed_list) is recorded in results/$where/runs"
    return 0
  fi
  if [ -z "${MBRL:-}" ] && [ ! -x build/mbrl ]; then scripts/setup.sh; fi
  echo "paper_figures: $where: ${#todo[@]} cells to run: ${todo[*]}"
  local threads=$(( $(nproc) / jobs )) cell pids=() rc=0 stop=""
  [ "$threads" -ge 1 ] || threads=1
  trap 'stop=1; kill -TERM "${pids[@]}" 2>/dev/null' INT TERM
  for cell in "${todo[@]}"; do
    while [ -z "$stop" ] && [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || rc=$?; done
    [ -z "$stop" ] || break
    p="${cell%%:*}" s="${cell#*:}"
    OMP_NUM_THREADS="${OMP_NUM_THREADS:-$threads}" "${MBRL:-build/mbrl}" sweep --config "$config" \
      --planner-dir configs/paper/planners --planners "$p" --seeds "$s" --jobs 1 \
      --out "runs/paper/$where/${p}_s$s" &
    pids+=($!)
  done
  for cell in "${pids[@]}"; do wait "$cell" || rc=$?; done
  trap - INT TERM
  [ -z "$stop" ] || rc=130
  collect "runs/paper/$where" "results/$where/runs"
  return $rc
}

# Figure 3's plot of a task from its recorded runs (results/fig3/TASK/runs/), or, where only the
# table of their returns is committed, from results/fig3/TASK/runs.csv.
plot_fig3() {
  local t="$1" dir="results/fig3/$1/runs"
  if [ -d "$dir" ]; then
    /usr/bin/python3 scripts/plot_runs.py "$dir" --x mpc_episode --out "results/fig3/$t/returns.png" \
      --csv "results/fig3/$t/mean.csv" --runs-csv "results/fig3/$t/runs.csv"
  elif [ -f "results/fig3/$t/runs.csv" ]; then
    /usr/bin/python3 scripts/plot_runs.py "results/fig3/$t/runs.csv" --x mpc_episode \
      --out "results/fig3/$t/returns.png" --csv "results/fig3/$t/mean.csv"
  fi
}

# Figure 4 from Figure 3's cartpole table (CEM 50, 500, CEM-GD N_r 50, Grad) and the recorded
# runs of its other cells: the best return after training (each run's 10 episodes, best.*) and
# within each run's first 5 episodes (best_first5.*). best.* says how many seeds each cell has;
# best_first5.* is redrawn only once every cell of the figure (seeds 0-2) is recorded, so that a
# partial sweep does not drop its rows.
plot_fig4() {
  local inputs=() out=results/fig4/cartpole_swingup missing
  [ -f results/fig3/cartpole_swingup/runs.csv ] && inputs+=(results/fig3/cartpole_swingup/runs.csv)
  [ -d $out/runs ] && inputs+=($out/runs)
  [ ${#inputs[@]} -gt 0 ] || return 0
  /usr/bin/python3 scripts/plot_samples.py "${inputs[@]}" --out $out/best.png --csv $out/best.csv
  missing=$(unrecorded "$fig4_planners" 0-2 fig4/cartpole_swingup | wc -l)
  if [ "$missing" -gt 0 ]; then
    echo "paper_figures: $out/best_first5.* not redrawn: $missing Figure 4 cells are not recorded yet"
    return 0
  fi
  /usr/bin/python3 scripts/plot_samples.py "${inputs[@]}" --episodes 5 --out $out/best_first5.png \
    --csv $out/best_first5.csv
}

case "$what" in
  fig3)
    case " $fig3_tasks " in *" $task "*) ;; *) echo "paper_figures.sh: no Figure 3 task '$task' (one of: $fig3_tasks)" >&2; exit 2 ;; esac
    rc=0
    sweep "configs/paper/fig3/$task.yaml" "${planners:-$(fig3_planners "$task")}" "$seeds" \
      "fig3/$task" || rc=$?
    plot_fig3 "$task"
    exit $rc
    ;;
  fig4)
    rc=0
    sweep configs/paper/fig3/cartpole_swingup.yaml "${planners:-$fig4_planners}" "$seeds" \
      fig4/cartpole_swingup || rc=$?
    plot_fig4
    exit $rc
    ;;
  collect)
    for t in $fig3_tasks; do collect "runs/paper/fig3/$t" "results/fig3/$t/runs"; done
    collect runs/paper/fig4/cartpole_swingup results/fig4/cartpole_swingup/runs
    ;;
  plot)
    for t in $fig3_tasks; do plot_fig3 "$t"; done
    plot_fig4
    ;;
  *) usage ;;
esac
