#pragma once
// The pieces of the extension module mbrl._core, one file per thing it binds (module.cc puts them
// together): configs, planners and objectives, environments written in Python, a run's model,
// a run's agent and evaluation, training.
#include <pybind11/pybind11.h>
#include <torch/torch.h>

#include <string>

#include "mbrl/algorithms/stack.h"
#include "mbrl/config/config.h"
#include "mbrl/env/registry.h"

namespace mbrl::python {
namespace py = pybind11;

/// Config (to_dict, get, to_yaml, with_overrides), load_config, load_resume_config.
void BindConfig(py::module_& m);
/// planner_names and Planner (a planner on a Python objective).
void BindPlanners(py::module_& m);
/// Model (a run's trained ensemble).
void BindModel(py::module_& m);
/// Agent (a run's MPC agent), EvalOptions and evaluate (`mbrl eval`).
void BindRun(py::module_& m);
/// train (`mbrl train`).
void BindTraining(py::module_& m);
/// TaskEnv (an mbrl task stepped from Python: make_env).
void BindTaskEnv(py::module_& m);

/// The environment written in Python `env` (Gymnasium's interface) with its batched `reward`
/// and optional `terminated` as the task "python", handed to the stack by its caller. Checks
/// the interface now (ConfigError naming what is missing). Destroy it with the GIL held.
env::TaskEntry PythonTask(py::object env, py::object reward, py::object terminated,
                          int episode_length);

/// The stack of a run's `config` (any planner) with the model saved at `model_path`, as `mbrl
/// eval` builds it; `env` (with reward, terminated) gives a Python environment again.
algorithms::Stack RunStack(const config::Config& config, const std::string& model_path,
                           const torch::Device& device, py::object env, py::object reward,
                           py::object terminated);

/// `returns`, which `who` (objective, reward) gave for a batch of `rows`, checked: a 1-D
/// floating-point tensor of `rows` values; with `grad`, one that depends on the actions through
/// autograd. Throws Error naming `who` and what was expected.
void CheckReturns(const torch::Tensor& returns, int64_t rows, bool grad, const std::string& who);

}  // namespace mbrl::python
