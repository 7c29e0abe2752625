#!/usr/bin/env bash
# scripts/learn_check.sh --run judges an existing run by its metrics.csv: a pusher run whose best
# MPC episode beats the threshold and rose after the first passes (exit 0); one that did not rise,
# one below the threshold and one with no MPC episode fail (exit 1); a directory that is not a run
# and a run of another task than --task are usage errors (exit 2). The thresholds come from the
# file given (here a fixture), and metrics.csv is read by its column names.
#   learn_check_test.sh REPO_ROOT
set -uo pipefail
check="$1/scripts/learn_check.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
printf '# fixture\ntask,threshold,source\ncartpole_swingup,120,\npusher,-222.9,fixture\n' \
  > "$tmp/thresholds.csv"

# make_run DIR TASK RETURN... : the first return is a random episode, the others MPC episodes.
make_run() {
  local dir="$1" task="$2" ep=0 r
  shift 2
  mkdir -p "$dir"
  printf 'task: %s\nseed: 0\n' "$task" > "$dir/config.yaml"
  echo "episode,env_steps,steps,return,random,model_train_loss" > "$dir/metrics.csv"
  for r in "$@"; do
    ep=$((ep + 1))
    echo "$ep,$((ep * 150)),150,$r,$([ $ep = 1 ] && echo 1 || echo 0),0" >> "$dir/metrics.csv"
  done
}

# expect CODE PATTERN ARGS... : learn_check.sh ARGS exits with CODE and prints PATTERN.
expect() {
  local code="$1" pattern="$2" out rc
  shift 2
  out=$("$check" --thresholds "$tmp/thresholds.csv" "$@" 2>&1)
  rc=$?
  if [ "$rc" != "$code" ] || ! grep -q -- "$pattern" <<< "$out"; then
    echo "FAILED: learn_check.sh $* exited $rc (expected $code) with:"
    echo "$out" | sed 's/^/  /'
    echo "  (expected a line matching '$pattern')"
    failures=$((failures + 1))
  fi
}

# Pusher's threshold is the random policy's -288.4 + 5 x 13.1 = -222.9.
make_run "$tmp/pass" pusher -300 -250 -260 -200
expect 0 "learn_check: PASS" --run "$tmp/pass"
expect 0 "threshold -222.9" --run "$tmp/pass" --task pusher
make_run "$tmp/flat" pusher -300 -200 -210 -220
expect 1 "not rising" --run "$tmp/flat"
make_run "$tmp/low" pusher -300 -260 -240 -230
expect 1 "best MPC return -230 < -222.9" --run "$tmp/low"
expect 0 "learn_check: PASS" --run "$tmp/low" --threshold -235
make_run "$tmp/random_only" pusher -300
expect 1 "no MPC episode" --run "$tmp/random_only"
expect 2 "not a run directory" --run "$tmp/missing"
expect 2 "is pusher" --run "$tmp/pass" --task half_cheetah
make_run "$tmp/cartpole" cartpole_swingup -2 40 130
expect 0 "threshold 120" --run "$tmp/cartpole"
# Columns in another order, and an interrupted episode's row (left out) with a higher return.
mkdir -p "$tmp/reordered"
printf 'task: pusher\nseed: 0\n' > "$tmp/reordered/config.yaml"
printf 'return,episode,interrupted,random\n-300,1,0,1\n-250,2,0,0\n-230,3,0,0\n-100,4,1,0\n' \
  > "$tmp/reordered/metrics.csv"
expect 1 "best MPC return -230 < -222.9" --run "$tmp/reordered"
expect 2 "unknown --task 'walker'" --task walker

if [ "$failures" -gt 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all learn_check.sh --run checks passed"
