// The `mbrl._core` extension module: configs and planners of the C++ library for Python (the
// package `mbrl`, src/python/mbrl/__init__.py, wraps it). torch.Tensor crosses as at::Tensor
// through LibTorch's own type caster (torch/csrc/utils/pybind.h): the same tensor, no copy.
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <torch/csrc/autograd/python_variable.h>
#include <torch/csrc/utils/pybind.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mbrl/algorithms/checkpoint.h"
#include "mbrl/algorithms/evaluate.h"
#include "mbrl/algorithms/pets.h"
#include "mbrl/algorithms/stack.h"
#include "mbrl/config/config.h"
#include "mbrl/config/loader.h"
#include "mbrl/core/device.h"
#include "mbrl/core/error.h"
#include "mbrl/core/progress.h"
#include "mbrl/core/shape.h"
#include "mbrl/core/trajectory_objective.h"
#include "mbrl/env/registry.h"
#include "mbrl/planning/planner.h"
#include "mbrl/planning/registry.h"

namespace py = pybind11;

namespace mbrl::python {
namespace {

// Writes a config's fields into nested Python dicts, with their C++ types.
class DictWriter {
 public:
  explicit DictWriter(py::dict out) : out_(std::move(out)) {}
  template <class T, class C>
  void Field(const char* key, T& value, const C&) {
    out_[key] = py::cast(value);
  }
  template <class S>
  void Section(const char* key, S& section) {
    py::dict child;
    DictWriter writer(child);
    section.Visit(writer);
    out_[key] = child;
  }

 private:
  py::dict out_;
};

py::dict ConfigDict(const config::Config& config) {
  py::dict out;
  DictWriter writer(out);
  config::Config copy = config;
  copy.Visit(writer);
  return out;
}

// A Python callable objective(actions [B, H, A]) -> returns [B] as the planners' objective. It
// holds the GIL only while Python runs: planning itself runs with the GIL released.
class PythonObjective : public TrajectoryObjective {
 public:
  explicit PythonObjective(py::function fn) : fn_(std::move(fn)) {}
  ~PythonObjective() override {
    py::gil_scoped_acquire gil;
    fn_ = py::function();
  }

  torch::Tensor Evaluate(const torch::Tensor& obs, const torch::Tensor& actions) override {
    torch::Tensor returns;
    const auto start = std::chrono::steady_clock::now();
    {
      py::gil_scoped_acquire gil;
      py::object out = fn_(actions);
      if (!THPVariable_Check(out.ptr())) {
        throw Error("objective: expected it to return a torch.Tensor of returns [" +
                    std::to_string(actions.size(0)) + "], got " +
                    std::string(py::str(py::type::of(out).attr("__name__"))));
      }
      returns = out.cast<torch::Tensor>();
    }
    ++calls_;
    seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (returns.dim() != 1 || returns.size(0) != actions.size(0)) {
      throw Error("objective: expected returns of shape [" + std::to_string(actions.size(0)) +
                  "] for actions " + ShapeString(actions) + ", got " + ShapeString(returns));
    }
    return returns.to(actions.device(), actions.scalar_type());
  }

  int64_t calls_ = 0;     ///< Evaluate calls so far
  double seconds_ = 0;    ///< spent in them: taking the GIL, the Python call, its result's cast

 private:
  py::function fn_;
};

// A planner with its bounds, built from a config's planner section and agent.horizon.
class PyPlanner {
 public:
  PyPlanner(const config::Config& config, const torch::Tensor& low, const torch::Tensor& high,
            uint64_t seed, const std::string& device)
      : device_(device) {
    if (low.dim() != 1 || high.dim() != 1 || low.size(0) != high.size(0) || low.size(0) < 1) {
      throw ConfigError("low, high: expected two 1-D tensors of the same size (the action bounds)");
    }
    if (!(low < high).all().item<bool>()) {
      throw ConfigError("low, high: expected low < high in every action dimension");
    }
    planning::PlanSpace space{low.to(device_, torch::kFloat32), high.to(device_, torch::kFloat32),
                              config.agent.horizon};
    planner_ = planning::MakePlanner(config.planner, space, device_, seed);
  }

  torch::Tensor Plan(const torch::Tensor& obs, py::function objective) {
    auto wrapped = std::make_shared<PythonObjective>(std::move(objective));
    planning::PlanResult result;
    {
      py::gil_scoped_release release;
      result = planner_->Plan(obs.defined() ? obs.to(device_) : torch::zeros({0}), *wrapped);
      planner_->SetPrevious(result.actions);
    }
    last_stats_ = result.stats;
    last_stats_["expected_return"] = result.expected_return;
    last_stats_["objective_calls"] = static_cast<double>(wrapped->calls_);
    last_stats_["objective_ms"] = wrapped->seconds_ * 1e3;
    return result.actions;
  }

  void Reset() { planner_->Reset(); }
  int64_t horizon() const { return planner_->horizon(); }
  int64_t action_dim() const { return planner_->action_dim(); }
  torch::Tensor low() const { return planner_->low(); }
  torch::Tensor high() const { return planner_->high(); }
  const std::map<std::string, double>& last_stats() const { return last_stats_; }

 private:
  torch::Device device_;
  std::unique_ptr<planning::Planner> planner_;
  std::map<std::string, double> last_stats_;
};

// Any array-like Python value (a list, a NumPy array, a tensor) as doubles, through `torch`.
std::vector<double> ToDoubles(const py::module_& torch_module, py::handle value) {
  py::object t = torch_module.attr("as_tensor")(value, py::arg("dtype") = torch_module.attr("float64"));
  return t.attr("flatten")().attr("tolist")().cast<std::vector<double>>();
}

// An environment written in Python with Gymnasium's interface, as an env::Env: reset(seed=...)
// -> (obs, info), step(action) -> (obs, reward, terminated, truncated, info),
// observation_space.shape, action_space.low/high. Each call takes the GIL.
class PythonEnv : public env::Env {
 public:
  PythonEnv(py::object env, int episode_length) : env_(std::move(env)), length_(episode_length) {
    py::gil_scoped_acquire gil;
    torch_ = py::module_::import("torch");  // imported once: each step converts through them
    numpy_ = py::module_::import("numpy");
    try {
      const auto shape = env_.attr("observation_space").attr("shape").cast<std::vector<int64_t>>();
      if (shape.size() != 1) throw ConfigError("env: expected a 1-D observation_space.shape");
      obs_dim_ = static_cast<int>(shape[0]);
      low_ = ToDoubles(torch_, env_.attr("action_space").attr("low"));
      high_ = ToDoubles(torch_, env_.attr("action_space").attr("high"));
    } catch (const py::error_already_set& e) {
      throw ConfigError(std::string("env: expected Gymnasium's interface (observation_space.shape, "
                                    "action_space.low and .high): ") + e.what());
    }
    if (low_.empty() || low_.size() != high_.size()) {
      throw ConfigError("env: action_space.low and .high: expected two arrays of one size");
    }
    for (size_t i = 0; i < low_.size(); ++i) {
      if (!(low_[i] < high_[i]) || !std::isfinite(low_[i]) || !std::isfinite(high_[i])) {
        throw ConfigError("env: action_space: expected finite low < high in dimension " +
                          std::to_string(i));
      }
    }
    if (length_ < 1) {
      throw ConfigError("env.episode_length: an environment written in Python needs it (> 0)");
    }
  }
  ~PythonEnv() override {
    py::gil_scoped_acquire gil;
    env_ = py::object();
    torch_ = py::module_();
    numpy_ = py::module_();
  }
  std::string Name() const override { return env::kPythonTaskName; }
  int ObsDim() const override { return obs_dim_; }
  int ActionDim() const override { return static_cast<int>(low_.size()); }
  std::vector<double> ActionLow() const override { return low_; }
  std::vector<double> ActionHigh() const override { return high_; }
  int EpisodeLength() const override { return length_; }

  std::vector<double> Reset(std::mt19937_64& rng) override {
    const int64_t seed = static_cast<int64_t>(rng() >> 1);
    py::gil_scoped_acquire gil;
    py::object out = env_.attr("reset")(py::arg("seed") = seed);
    return Obs(py::isinstance<py::tuple>(out) ? out.cast<py::tuple>()[0] : out, "reset");
  }

 protected:
  env::StepResult DoStep(const std::vector<double>& action) override {
    py::gil_scoped_acquire gil;
    py::object a = numpy_.attr("asarray")(action, py::arg("dtype") = "float32");
    py::tuple out = env_.attr("step")(a);
    if (out.size() < 4) {
      throw Error("env.step: expected (obs, reward, terminated, truncated, info), got " +
                  std::to_string(out.size()) + " values");
    }
    env::StepResult r;
    r.obs = Obs(out[0], "step");
    r.reward = out[1].cast<double>();
    r.terminated = out[2].cast<bool>();
    return r;
  }

 private:
  std::vector<double> Obs(py::handle value, const char* where) const {
    std::vector<double> obs = ToDoubles(torch_, value);
    if (static_cast<int>(obs.size()) != obs_dim_) {
      throw Error(std::string("env.") + where + ": expected an observation of " +
                  std::to_string(obs_dim_) + " values (observation_space.shape), got " +
                  std::to_string(obs.size()));
    }
    return obs;
  }
  py::object env_;
  py::module_ torch_, numpy_;
  int length_ = 0;
  int obs_dim_ = 0;
  std::vector<double> low_, high_;
};

// The model-side functions of a Python environment: reward(obs, action, next_obs) -> [B] and
// optionally terminated(next_obs) -> bool [B], Python or TorchScript functions of torch tensors.
class PythonTask : public env::Task {
 public:
  PythonTask(py::object reward, py::object terminated, int obs_dim, int action_dim)
      : reward_(std::move(reward)), terminated_(std::move(terminated)), obs_dim_(obs_dim),
        action_dim_(action_dim) {}
  ~PythonTask() override {
    py::gil_scoped_acquire gil;
    reward_ = py::object();
    terminated_ = py::object();
  }
  std::string Name() const override { return env::kPythonTaskName; }
  int ObsDim() const override { return obs_dim_; }
  int ActionDim() const override { return action_dim_; }
  torch::Tensor Reward(const torch::Tensor& obs, const torch::Tensor& action,
                       const torch::Tensor& next_obs) const override {
    torch::Tensor r;
    {
      py::gil_scoped_acquire gil;
      r = reward_(obs, action, next_obs).cast<torch::Tensor>();
    }
    if (r.dim() != 1 || r.size(0) != obs.size(0)) {
      throw Error("reward: expected returns of shape [" + std::to_string(obs.size(0)) + "]");
    }
    return r.to(obs.device(), obs.scalar_type());
  }
  torch::Tensor Terminated(const torch::Tensor& next_obs) const override {
    if (terminated_.is_none()) return env::Task::Terminated(next_obs);
    py::gil_scoped_acquire gil;
    return terminated_(next_obs).cast<torch::Tensor>().to(next_obs.device(), torch::kBool);
  }
  bool CanTerminate() const override { return !terminated_.is_none(); }

 private:
  py::object reward_, terminated_;
  int obs_dim_, action_dim_;
};

// Registers the task "python" (env and its functions) for as long as it lives.
class PythonTaskScope {
 public:
  PythonTaskScope(py::object env, py::object reward, py::object terminated, int episode_length) {
    if (reward.is_none()) throw ConfigError("reward: an environment written in Python needs its "
                                            "batched reward(obs, action, next_obs) -> [B]");
    const PythonEnv probe(env, episode_length);  // checks the interface; gives the sizes
    const int obs_dim = probe.ObsDim(), action_dim = probe.ActionDim();
    env::TaskEntry entry;
    entry.name = env::kPythonTaskName;
    entry.make_env = [env, episode_length] {
      py::gil_scoped_acquire gil;
      return std::make_unique<PythonEnv>(env, episode_length);
    };
    entry.make_task = [reward, terminated, obs_dim, action_dim] {
      py::gil_scoped_acquire gil;
      return std::make_unique<PythonTask>(reward, terminated, obs_dim, action_dim);
    };
    env::AddRuntimeTask(std::move(entry));
  }
  ~PythonTaskScope() {
    // The entry's functions hold Python objects: drop them with the GIL.
    py::gil_scoped_acquire gil;
    env::RemoveRuntimeTask(env::kPythonTaskName);
  }
};

// The stack of a run's config (any planner) with its saved model, as `mbrl eval` builds it.
algorithms::Stack RunStack(const config::Config& config, const std::string& model_path,
                           const torch::Device& device, py::object env, py::object reward,
                           py::object terminated) {
  std::optional<PythonTaskScope> python_task;
  if (!env.is_none()) python_task.emplace(env, reward, terminated, config.env.episode_length);
  algorithms::Stack stack = algorithms::BuildStack(config, device);
  algorithms::LoadTrainedModel(stack, model_path);
  return stack;
}

// A trained run's ensemble with its task's input features and targets: next-state predictions.
class PyModel {
 public:
  PyModel(const config::Config& config, const std::string& model_path, const std::string& device,
          py::object env, py::object reward, py::object terminated)
      : device_(ResolveDevice(device, "device").device),
        stack_(RunStack(config, model_path, device_, env, reward, terminated)) {}

  // obs [N, O], action [N, A] -> next-observation means and variances per member [E, N, O].
  std::pair<torch::Tensor, torch::Tensor> Predict(const torch::Tensor& obs, const torch::Tensor& action) {
    const int64_t O = stack_.env->ObsDim(), A = stack_.env->ActionDim();
    if (obs.dim() != 2 || obs.size(1) != O || action.dim() != 2 || action.size(1) != A ||
        obs.size(0) != action.size(0)) {
      throw ConfigError("predict: expected obs [N, " + std::to_string(O) + "] and action [N, " +
                        std::to_string(A) + "] with the same N");
    }
    const auto o = obs.to(device_, torch::kFloat32), a = action.to(device_, torch::kFloat32);
    torch::Tensor mean, logvar;
    {
      py::gil_scoped_release release;
      std::tie(mean, logvar) =
          stack_.model->ForwardShared(torch::cat({stack_.task->PreprocessObs(o), a}, 1));
    }
    return {stack_.task->NextObsFromPrediction(o.unsqueeze(0).expand_as(mean), mean), logvar.exp()};
  }
  int64_t ensemble_size() const { return stack_.model->ensemble_size(); }

 private:
  torch::Device device_;
  algorithms::Stack stack_;
};

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
      throw ConfigError("obs: expected " + std::to_string(n) + " values (the task's observation), got " +
                        std::to_string(obs.numel()));
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
// with the Python environment registered when given. The episodes run with the GIL released, a
// step counter on stderr unless quiet. Returns the out directory and one dict per episode.
py::tuple Evaluate(const algorithms::EvalRunOptions& options, bool quiet, py::object env,
                   py::object reward, py::object terminated) {
  std::optional<PythonTaskScope> python_task;
  if (!env.is_none()) {
    config::LoadOptions load{options.run_dir + "/config.yaml", options.planner, options.overrides};
    load.planner_dir = options.planner_dir;
    const config::Config config = config::LoadConfig(load);
    if (config.task != env::kPythonTaskName) {
      throw ConfigError("env: " + options.run_dir + " ran the task '" + config.task +
                        "', not an environment written in Python: leave env out");
    }
    python_task.emplace(env, reward, terminated, config.env.episode_length);
  }
  algorithms::EvalRunResult result;
  {
    py::gil_scoped_release release;
    Progress progress(stderr, !quiet);
    result = algorithms::EvaluateRun(
        options, algorithms::EvalProgressHook(progress, options.episodes),
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

// PETS into `out` as `mbrl train` runs it (resume: `mbrl train --resume out`), one line per
// episode on stdout unless quiet. The loop runs with the GIL released; each step it checks for a
// signal Python caught (Ctrl-C), and then stops as the CLI does (the partial episode saved) and
// raises it (KeyboardInterrupt). Returns the number of episodes in metrics.csv.
int Train(config::Config config, const std::string& out, bool resume, bool quiet, py::object env,
          py::object reward, py::object terminated) {
  std::optional<PythonTaskScope> python_task;
  if (!env.is_none()) {
    config.task = env::kPythonTaskName;
    python_task.emplace(env, reward, terminated, config.env.episode_length);
  }
  env::RequireKnownTask(config.task, "<config>", {});
  env::CheckTaskFiles(config);
  std::error_code ec;
  if (!resume && std::filesystem::exists(out + "/metrics.csv", ec)) {
    throw ConfigError("out " + out + ": this directory already holds a run (metrics.csv); choose "
                      "a new directory so nothing is overwritten, or continue it with resume=True");
  }
  const DeviceChoice device = ResolveDevice(config.device, "device");
  if (!device.warning.empty()) py::print("warning:", device.warning);
  config.device = device.device.is_cuda() ? "cuda" : "cpu";
  algorithms::UseCudaGraph(config.planner, device.device);
  if (resume && algorithms::CheckpointEpisode(out) >= config.pets.episodes) {
    if (!quiet) py::print("already complete:", config.pets.episodes, "episodes");
    return config.pets.episodes;
  }
  std::optional<py::error_already_set> interrupted;
  algorithms::PetsHooks hooks;
  const int episodes = config.pets.episodes;
  hooks.on_episode = [&](const algorithms::EpisodeMetrics& m) {
    if (quiet) return;
    char line[256];
    std::snprintf(line, sizeof(line),
                  "episode %d/%d  steps %lld  return %8.2f  %s  plan %.1f ms/step  model mse %.5f",
                  m.episode, episodes, static_cast<long long>(m.env_steps), m.episode_return,
                  m.interrupted ? "(stopped)" : m.random ? "(random)" : "(mpc)   ", m.plan_ms,
                  m.holdout_loss);
    py::gil_scoped_acquire gil;
    py::print(line, py::arg("flush") = true);
  };
  hooks.should_stop = [&] {
    if (interrupted) return true;
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) {
      interrupted.emplace();  // takes the raised exception (KeyboardInterrupt)
      return true;
    }
    return false;
  };
  std::vector<algorithms::EpisodeMetrics> metrics;
  {
    py::gil_scoped_release release;
    metrics = algorithms::RunPets(config, device.device, out, hooks, resume);
  }
  if (interrupted) throw *interrupted;
  return static_cast<int>(metrics.size());
}

}  // namespace
}  // namespace mbrl::python

PYBIND11_MODULE(_core, m) {
  using namespace mbrl;
  using namespace mbrl::python;
  m.doc() = "mbrl's C++ library: configs and planners (use the package `mbrl`)";

  // Bad input raises ValueError with the CLI's message; other failures RuntimeError.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ConfigError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const Error& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
    }
  });

  py::class_<config::Config>(m, "Config")
      .def("to_dict", &ConfigDict, "Every field as nested dicts.")
      .def("to_yaml", &config::ConfigToYaml, "Every field as YAML (as a run's config.yaml).")
      .def(
          "with_overrides",
          [](const config::Config& c, const std::vector<std::string>& overrides) {
            return config::ApplyOverrides(c, overrides);
          },
          py::arg("overrides"), "A copy with key=value overrides applied (as --set).");

  m.def(
      "load_config",
      [](const std::string& path, const std::vector<std::string>& overrides,
         const std::string& planner) {
        return config::LoadConfig(config::LoadOptions(path, planner, overrides));
      },
      py::arg("path") = "", py::arg("overrides") = std::vector<std::string>{},
      py::arg("planner") = "",
      "Loads a YAML config (empty: the built-in defaults), a planner file, then overrides.");

  py::class_<PyAgent>(m, "Agent")
      .def(py::init<const config::Config&, const std::string&, const std::string&, py::object,
                    py::object, py::object>(),
           py::arg("config"), py::arg("model_path"), py::arg("device"),
           py::arg("env") = py::none(), py::arg("reward") = py::none(),
           py::arg("terminated") = py::none())
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
  m.def("evaluate", &Evaluate, py::arg("options"), py::arg("quiet"), py::arg("env") = py::none(),
        py::arg("reward") = py::none(), py::arg("terminated") = py::none());
  m.def("train", &Train, py::arg("config"), py::arg("out"), py::arg("resume"), py::arg("quiet"),
        py::arg("env") = py::none(), py::arg("reward") = py::none(),
        py::arg("terminated") = py::none());
  m.def(
      "load_resume_config",
      [](const std::string& dir, const std::vector<std::string>& overrides) {
        return algorithms::LoadResumeConfig(dir, overrides);
      },
      py::arg("dir"), py::arg("overrides"));

  py::class_<PyModel>(m, "Model")
      .def(py::init<const config::Config&, const std::string&, const std::string&, py::object,
                    py::object, py::object>(),
           py::arg("config"), py::arg("model_path"), py::arg("device"),
           py::arg("env") = py::none(), py::arg("reward") = py::none(),
           py::arg("terminated") = py::none())
      .def("predict", &PyModel::Predict, py::arg("obs"), py::arg("action"))
      .def_property_readonly("ensemble_size", &PyModel::ensemble_size);

  m.def("planner_names", &config::PlannerNames, "The values of planner.type.");

  py::class_<PyPlanner>(m, "Planner")
      .def(py::init<const config::Config&, const torch::Tensor&, const torch::Tensor&, uint64_t,
                    const std::string&>(),
           py::arg("config"), py::arg("low"), py::arg("high"), py::arg("seed"),
           py::arg("device"))
      .def("plan", &PyPlanner::Plan, py::arg("obs"), py::arg("objective"))
      .def("reset", &PyPlanner::Reset)
      .def_property_readonly("horizon", &PyPlanner::horizon)
      .def_property_readonly("action_dim", &PyPlanner::action_dim)
      .def_property_readonly("low", &PyPlanner::low)
      .def_property_readonly("high", &PyPlanner::high)
      .def_property_readonly("last_stats", &PyPlanner::last_stats);
}
