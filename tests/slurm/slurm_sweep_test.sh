#!/usr/bin/env bash
# `mbrl sweep --launcher slurm` against a real one-node Slurm: munged, slurmctld and slurmd are
# started here on localhost (Debian's slurm-wlm and munge; root, as in CI) and stopped at the end.
# A 2 x 2 grid (one cell already started by hand, so its array task resumes it) goes through
# sbatch; its returns must equal those of the same grid run by the local launcher.
#   tests/slurm/slurm_sweep_test.sh BUILD_DIR SOURCE_DIR
# Exit 77 (skipped) without the Slurm and munge daemons or without root.
set -euo pipefail
build="$1"
src="$2"
mbrl="$build/mbrl"
for prog in munged mungekey slurmctld slurmd sbatch squeue sinfo; do
  if ! command -v "$prog" >/dev/null && [ ! -x "/usr/sbin/$prog" ]; then
    echo "skip: $prog is not installed (apt install slurm-wlm munge; scripts/setup.sh does)"
    exit 77
  fi
done
if [ "$(id -u)" -ne 0 ]; then
  echo "skip: starting slurmd needs root"
  exit 77
fi
export PATH="$PATH:/usr/sbin"

tmp="$build/test_tmp/Slurm.ArrayJobEqualsLocalSweep"
rm -rf "$tmp"
mkdir -p "$tmp/state" "$tmp/spool" "$tmp/munge"
chmod 700 "$tmp/munge"
cleanup() {
  for pid_file in "$tmp/slurmd.pid" "$tmp/slurmctld.pid" "$tmp/munge/munged.pid"; do
    [ -f "$pid_file" ] && kill "$(cat "$pid_file")" 2>/dev/null || true
  done
}
trap cleanup EXIT

mungekey --create --keyfile="$tmp/munge/munge.key"
chmod 400 "$tmp/munge/munge.key"
munged --force --key-file="$tmp/munge/munge.key" --socket="$tmp/munge/munge.socket" \
  --pid-file="$tmp/munge/munged.pid" --log-file="$tmp/munge/munged.log" \
  --seed-file="$tmp/munge/munged.seed"

host="$(hostname -s)"
port=$(( 20000 + RANDOM % 20000 ))
cat > "$tmp/slurm.conf" <<CONF
ClusterName=mbrltest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$(( port + 1 ))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$tmp/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=local Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$tmp/slurm.conf"
slurmctld -c -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 60); do
  [ "$(sinfo -h -o %T 2>/dev/null)" = idle ] && break
  sleep 0.5
done
[ "$(sinfo -h -o %T)" = idle ] || { echo "FAIL: the Slurm node did not come up"; tail "$tmp"/*.log; exit 1; }

# Same thread count for both launchers, so that the runs are the same computation.
export OMP_NUM_THREADS=1
sets=(--set model.hidden_size=16 --set planner.population=20 --set planner.iterations=2
      --set agent.horizon=5 --set trainer.max_epochs=3 --set rollout.particles=5
      --set env.episode_length=20 --set pets.episodes=3)
grid=(--config "$src/configs/cartpole_swingup.yaml" --planners cem,mppi --seeds 0-1 "${sets[@]}")

"$mbrl" sweep "${grid[@]}" --jobs 2 --out "$tmp/local" > "$tmp/local.txt"

# cem/seed_1 of the Slurm sweep was started by hand and stopped after its first episode.
"$mbrl" train --config "$src/configs/cartpole_swingup.yaml" --planner cem --quiet \
  --out "$tmp/slurm/cem/seed_1" "${sets[@]}" --set seed=1 --set pets.episodes=1 > /dev/null
reply="$("$mbrl" sweep "${grid[@]}" --launcher slurm --out "$tmp/slurm")"
echo "$reply"
job="$(echo "$reply" | sed -n 's/^submitted Slurm array job \([0-9]*\) .*/\1/p')"
[ -n "$job" ] || { echo "FAIL: no job id in the reply"; exit 1; }
grep -q -- "--array=0-3" "$tmp/slurm/slurm/sweep.sbatch" || { echo "FAIL: array line"; cat "$tmp/slurm/slurm/sweep.sbatch"; exit 1; }
for _ in $(seq 600); do
  [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break
  sleep 0.5
done
[ -z "$(squeue -h -j "$job")" ] || { echo "FAIL: job $job still running after 300 s"; exit 1; }

fail=0
for run in cem/seed_0 cem/seed_1 mppi/seed_0 mppi/seed_1; do
  a="$(awk -F, 'NR > 1 { print $4 }' "$tmp/local/$run/metrics.csv")"
  b="$(awk -F, 'NR > 1 { print $4 }' "$tmp/slurm/$run/metrics.csv" 2>/dev/null || true)"
  if [ "$(echo "$a" | wc -l)" -ne 3 ] || [ "$a" != "$b" ]; then
    echo "FAIL: $run returns differ: local [$(echo $a)] slurm [$(echo $b)]"
    fail=1
  fi
  grep -q "^$run,.*,done,3,3,0$" "$tmp/slurm/status.csv" || { echo "FAIL: $run not done"; fail=1; }
done
grep -l "start cem/seed_1 (resumed)" "$tmp"/slurm/logs/slurm_*.out > /dev/null ||
  { echo "FAIL: cem/seed_1's task did not resume it"; fail=1; }
[ "$(ls "$tmp"/slurm/logs/slurm_*.out | wc -l)" -eq 4 ] || { echo "FAIL: per-task logs"; fail=1; }
grep -qx "cem" "$tmp/slurm/cem/seed_0/label.txt" || { echo "FAIL: label.txt"; fail=1; }

# The same command again: nothing left to submit.
again="$("$mbrl" sweep "${grid[@]}" --launcher slurm --out "$tmp/slurm")"
echo "$again" | grep -q "nothing to submit" || { echo "FAIL: rerun: $again"; fail=1; }
cat "$tmp/slurm/status.csv"
[ "$fail" = 0 ] && echo "PASS: the Slurm array job's returns equal the local sweep's"
exit "$fail"
