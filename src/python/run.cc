// A run for Python: its MPC agent acting from Python, and `mbrl eval` on it.
#include <pybind11/stl.h>
#include <torch/csrc/utils/pybind.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "bindings.h"
#include "mbrl/algorithms/diagnose.h"
#include "mbrl/algorithms/evaluate.h"
#include "mbrl/config/loader.h"
#include "mbrl/core/device.h"
#include "mbrl/core/error.h"
#include "mbrl/core/progress.h"

namespace mbrl::python {
namespace {

// A trained run's agent (RunStack), so that the same config and seed take the same actions as
// `mbrl eval`.
class PyAgent {
 public:
  PyAgent(const config::Config& config, const std::string& model_path, const std::string& device,
          py::object env, py::object reward, py::object terminated)
      : stack_(RunStack(config, model_path, ResolveDevice(device, "device").device, env, reward,
                        terminated)) {}

  void Reset() { stack_.agent->Reset(); }

  torch::Tensor Act(const torch::Tensor& obs) {
    const int64_t n = stack_.env->ObsDim();
    if (obs.numel() != n) {
      throw ConfigError("obs: expected " + std::to_string(n) +
                        " values (the task's observation), got " + std::to_string(obs.numel()));
    }
    const torch::Tensor flat = obs.detach().to(torch::kCPU, torch::kFloat64).contiguous().view(-1);
    std::vector<double> o(flat.data_ptr<double>(), flat.data_ptr<double>() + n);
    std::vector<double> action;
    {
      py::gil_scoped_release release;
      action = stack_.agent->Act(o);
    }
    return torch::tensor(std::vector<float>(action.begin(), action.end()));
  }

  int obs_dim() const { return stack_.env->ObsDim(); }
  int action_dim() const { return stack_.env->ActionDim(); }
  int episode_length() const { return stack_.episode_length; }
  double last_plan_ms() const { return stack_.agent->last_plan_ms(); }

 private:
  algorithms::Stack stack_;
};

// `mbrl eval` on a run directory (algorithms::EvaluateRun: the same checks, episodes and files),
// with the Python environment handed to it when given. The episodes run with the GIL released, a
// step counter on stderr unless quiet. Returns the out directory and one dict per episode.
py::tuple Evaluate(const algorithms::EvalRunOptions& options, bool quiet, py::object env,
                   py::object reward, py::object terminated) {
  std::optional<env::TaskEntry> task;
  algorithms::EvalRunOptions with_task = options;
  if (!env.is_none()) {
    // The episode length is the run's (EvaluateRun checks the run's task against it).
    config::LoadOptions load{options.run_dir + "/config.yaml", options.planner, options.overrides};
    load.planner_dir = options.planner_dir;
    task = PythonTask(env, reward, terminated, config::LoadConfig(load).env.episode_length);
    with_task.task = &*task;
  }
  algorithms::EvalRunResult result;
  {
    py::gil_scoped_release release;
    Progress progress(stderr, !quiet);
    result = algorithms::EvaluateRun(
        with_task, algorithms::EvalProgressHook(progress, options.episodes),
        [](const std::string& warning) { std::fprintf(stderr, "warning: %s\n", warning.c_str()); });
    progress.Clear();
  }
  py::list episodes;
  for (const auto& e : result.episodes) {
    py::dict row;
    row["episode"] = e.episode;
    row["return"] = e.episode_return;
    row["steps"] = e.steps;
    row["plan_ms_per_step"] = e.plan_ms;
    episodes.append(row);
  }
  return py::make_tuple(result.out_dir, episodes, result.frames, result.config);
}

// Run.diagnose: algorithms::DiagnoseRun with the caller's environment when it gives one; the
// folder it wrote.
std::string Diagnose(const std::string& run_dir, int first, int last, int horizon,
                     const std::string& out, py::object env, py::object reward,
                     py::object terminated) {
  algorithms::DiagnoseOptions options;
  options.run_dir = run_dir;
  options.first_episode = first;
  options.last_episode = last;
  options.horizon = horizon;
  options.out = out;
  std::optional<env::TaskEntry> task;
  if (!env.is_none()) {
    config::LoadOptions load{run_dir + "/config.yaml"};
    load.written_by_a_run = true;
    task = PythonTask(env, reward, terminated, config::LoadConfig(load).env.episode_length);
    options.task = &*task;
  }
  py::gil_scoped_release release;
  return algorithms::DiagnoseRun(options).out;
}

}  // namespace

void BindRun(py::module_& m) {
  py::class_<PyAgent>(m, "Agent")
      .def(py::init<const config::Config&, const std::string&, const std::string&, py::object,
                    py::object, py::object>(),
           py::arg("config"), py::arg("model_path"), py::arg("device"), py::arg("env") = py::none(),
           py::arg("reward") = py::none(), py::arg("terminated") = py::none())
      .def("reset", &PyAgent::Reset)
      .def("act", &PyAgent::Act, py::arg("obs"))
      .def_property_readonly("obs_dim", &PyAgent::obs_dim)
      .def_property_readonly("action_dim", &PyAgent::action_dim)
      .def_property_readonly("episode_length", &PyAgent::episode_length)
      .def_property_readonly("last_plan_ms", &PyAgent::last_plan_ms);

  py::class_<algorithms::EvalRunOptions>(m, "EvalOptions")
      .def(py::init<>())
      .def_readwrite("run_dir", &algorithms::EvalRunOptions::run_dir)
      .def_readwrite("planner", &algorithms::EvalRunOptions::planner)
      .def_readwrite("planner_dir", &algorithms::EvalRunOptions::planner_dir)
      .def_readwrite("overrides", &algorithms::EvalRunOptions::overrides)
      .def_readwrite("episodes", &algorithms::EvalRunOptions::episodes)
      .def_readwrite("seed", &algorithms::EvalRunOptions::seed)
      .def_readwrite("device", &algorithms::EvalRunOptions::device)
      .def_readwrite("out", &algorithms::EvalRunOptions::out)
      .def_readwrite("video", &algorithms::EvalRunOptions::video)
      .def_readwrite("video_size", &algorithms::EvalRunOptions::video_size)
      .def_readwrite("fps", &algorithms::EvalRunOptions::fps);
  m.def("diagnose", &Diagnose, py::arg("run_dir"), py::arg("first"), py::arg("last"),
        py::arg("horizon"), py::arg("out"), py::arg("env") = py::none(),
        py::arg("reward") = py::none(), py::arg("terminated") = py::none());
  m.def("evaluate", &Evaluate, py::arg("options"), py::arg("quiet"), py::arg("env") = py::none(),
        py::arg("reward") = py::none(), py::arg("terminated") = py::none());
}

}  // namespace mbrl::python
