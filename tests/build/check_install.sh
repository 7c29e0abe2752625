#!/usr/bin/env bash
# `cmake --install` into a temporary prefix, then examples/embed_planner built against it with
# find_package(mbrl), run on a tiny trained run: it must print one action within cartpole's bounds,
# for the built-in cartpole and for cartpole as a task from files.
#   tests/build/check_install.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
build=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
# The packages mbrl was built against (a PyTorch's LibTorch, an unpacked Debian prefix, ...).
dirs=()
for pkg in Torch mujoco yaml-cpp spdlog nlohmann_json; do
  dir=$(sed -n "s/^${pkg}_DIR:[A-Z]*=//p" "$build/CMakeCache.txt" | head -1)
  [ -n "$dir" ] && dirs+=("-D${pkg}_DIR=$dir")
done
cmake -S "$src/examples/embed_planner" -B "$work/build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" "${dirs[@]}" > "$work/configure.log" \
  || { cat "$work/configure.log"; exit 1; }
cmake --build "$work/build" -j2 > "$work/build.log" || { tail -30 "$work/build.log"; exit 1; }
"$build/mbrl" train --config "$src/configs/cartpole_swingup.yaml" --planner cem --quiet \
  --out "$work/run" --set pets.episodes=2 --set env.episode_length=20 --set model.hidden_size=16 \
  --set planner.population=20 --set agent.horizon=5 --set trainer.max_epochs=2 > "$work/train.log" 2>&1
action=$("$work/build/embed_planner" "$work/run" 0 3.14 0 0)
echo "embed_planner: action $action"
awk -v a="$action" 'BEGIN { n = split(a, v, " "); exit !(n == 1 && v[1] >= -1 && v[1] <= 1) }' \
  || { echo "expected one action in [-1, 1], got '$action'"; exit 1; }
# Bad input: the wrong number of observation values is refused with exit code 2.
if "$work/build/embed_planner" "$work/run" 0 1 > /dev/null 2>&1; then
  echo "embed_planner accepted 2 values for a 4-value observation"; exit 1
fi
# The same on a task from files (examples/tasks/cartpole_swingup/), when the build wrote its module.
module="$build/task_modules/cartpole_swingup.pt"
if [ -f "$module" ]; then
  "$build/mbrl" train --config "$src/examples/tasks/cartpole_swingup/config.yaml" --quiet \
    --out "$work/run_files" --set env.functions="$module" --set pets.episodes=2 \
    --set env.episode_length=20 --set model.hidden_size=16 --set planner.population=20 \
    --set agent.horizon=5 --set trainer.max_epochs=2 > "$work/train_files.log" 2>&1
  action=$("$work/build/embed_planner" "$work/run_files" 0 3.14 0 0)
  echo "embed_planner on a task from files: action $action"
  awk -v a="$action" 'BEGIN { n = split(a, v, " "); exit !(n == 1 && v[1] >= -3 && v[1] <= 3) }' \
    || { echo "expected one action in [-3, 3], got '$action'"; exit 1; }
else
  echo "no $module (python3-torch missing at build time): the task from files is not checked"
fi
# The Python module, when the build made it: importable from where `cmake --install` put it.
core=$(find "$work/prefix" -path "*/mbrl/_core*.so" | head -1)
if [ -n "$core" ]; then
  PYTHONPATH="$(dirname "$(dirname "$core")")" /usr/bin/python3 -c "
import mbrl
plan = mbrl.make_planner('cem', 3, [-1], [1], population=20).plan(None, lambda a: -a.square().sum((1, 2)))
assert plan.shape == (3, 1), plan.shape
print('installed python module: plan', plan.flatten().tolist())" \
    || { echo "the installed Python module does not import or plan"; exit 1; }
  # A run on an environment written in Python, evaluated by the installed binary through the
  # installed module (no PYTHONPATH: the binary finds the module beside it).
  cat > "$work/line.py" <<'PY'
import torch
class Box:
    def __init__(self, low=None, high=None, shape=None):
        self.low, self.high, self.shape = low, high, shape
class Line:
    observation_space = Box(shape=(1,)); action_space = Box([-1.0], [1.0], (1,))
    def reset(self, seed=None):
        self.x = 1.0
        return [self.x], {}
    def step(self, action):
        self.x += 0.1 * float(action[0])
        return [self.x], -self.x * self.x, False, False, {}
def reward(obs, action, next_obs):
    return -next_obs[:, 0].square()
PY
  (cd "$work" && PYTHONPATH="$(dirname "$(dirname "$core")")" /usr/bin/python3 -c "
import mbrl, line
mbrl.train(mbrl.load_config(None, ['env.episode_length=5', 'pets.episodes=2', 'model.hidden_size=8',
           'planner.population=10', 'agent.horizon=3', 'trainer.max_epochs=2']),
           out='run_py', env=line.Line(), reward=line.reward, quiet=True)") > "$work/train_py.log" 2>&1 \
    || { cat "$work/train_py.log"; echo "training on a Python environment failed"; exit 1; }
  (cd "$work" && "$work/prefix/bin/mbrl" eval run_py --env line.py:Line --reward line.py:reward \
    -n 1 -q) > "$work/eval_py.log" 2>&1 \
    || { cat "$work/eval_py.log"; echo "the installed mbrl eval does not evaluate a Python environment's run"; exit 1; }
  grep "cem on python: return" "$work/eval_py.log"
fi
echo ok
