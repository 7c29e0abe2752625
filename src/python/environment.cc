// Environments written in Python (Gymnasium's interface) as the task "python", handed to the
// stack by the caller that holds them; and the stack of a run with its saved model.
#include <pybind11/stl.h>
#include <torch/csrc/utils/pybind.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bindings.h"
#include "mbrl/algorithms/evaluate.h"
#include "mbrl/algorithms/run_directory.h"
#include "mbrl/core/error.h"
#include "mbrl/env/env.h"
#include "mbrl/env/task.h"

namespace mbrl::python {
namespace {

// Any array-like Python value (a list, a NumPy array, a tensor) as doubles, through `torch`.
std::vector<double> ToDoubles(const py::module_& torch_module, py::handle value) {
  py::object t =
      torch_module.attr("as_tensor")(value, py::arg("dtype") = torch_module.attr("float64"));
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
                                    "action_space.low and .high): ") +
                        e.what());
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
    r.truncated = out[3].cast<bool>();
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
class PythonFunctions : public env::Task {
 public:
  PythonFunctions(py::object reward, py::object terminated, int obs_dim, int action_dim)
      : reward_(std::move(reward)),
        terminated_(std::move(terminated)),
        obs_dim_(obs_dim),
        action_dim_(action_dim) {}
  ~PythonFunctions() override {
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
    CheckReturns(r, obs.size(0), action.requires_grad() && torch::GradMode::is_enabled(), "reward");
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

}  // namespace

env::TaskEntry PythonTask(py::object env, py::object reward, py::object terminated,
                          int episode_length) {
  if (reward.is_none()) {
    throw ConfigError(
        "reward: an environment written in Python needs its batched "
        "reward(obs, action, next_obs) -> [B]");
  }
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
    return std::make_unique<PythonFunctions>(reward, terminated, obs_dim, action_dim);
  };
  return entry;
}

algorithms::Stack RunStack(const config::Config& config, const std::string& model_path,
                           const torch::Device& device, py::object env, py::object reward,
                           py::object terminated) {
  std::optional<env::TaskEntry> task;
  if (!env.is_none()) {
    task = PythonTask(env, reward, terminated, config.env.episode_length);
    algorithms::RequireRunOfTask(std::filesystem::path(model_path).parent_path().string(), config,
                                 *task);
  }
  algorithms::Stack stack =
      algorithms::BuildStack(config, device, nullptr, task ? &*task : nullptr);
  algorithms::LoadTrainedModel(stack, model_path);
  return stack;
}

}  // namespace mbrl::python
