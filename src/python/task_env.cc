// mbrl's own tasks (built in, or from files) as environments stepped from Python: the
// environment that `mbrl train` steps, made by the same factory, reset from the same seed stream,
// and ended at the run's episode length.
#include <pybind11/stl.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "bindings.h"
#include "mbrl/core/error.h"
#include "mbrl/env/render.h"

namespace mbrl::python {
namespace {

class TaskEnv {
 public:
  explicit TaskEnv(const config::Config& config)
      : env_(MakeTaskEnv(config)),
        episode_length_(algorithms::EpisodeLength(config, *env_)) {
    rng_.seed(algorithms::StreamSeed(config.seed, algorithms::SeedStream::kEnv));
  }

  // seed < 0: the next episode of the stream (the first: the config's seed's, as a run's first).
  std::vector<double> Reset(int64_t seed) {
    if (seed >= 0) rng_.seed(algorithms::StreamSeed(seed, algorithms::SeedStream::kEnv));
    auto obs = env_->Reset(rng_);
    steps_ = 0;
    ended_ = false;
    return obs;
  }

  // (next obs, reward, terminated, truncated): truncated at the episode length, as a run ends
  // its episodes.
  std::tuple<std::vector<double>, double, bool, bool> Step(const std::vector<double>& action) {
    if (steps_ < 0) throw Error("step: call reset() first");
    if (ended_) throw Error("step: the episode has ended (terminated or truncated): call reset()");
    auto step = env_->Step(action);
    ++steps_;
    step.truncated = step.truncated || (!step.terminated && steps_ >= episode_length_);
    ended_ = step.Ended();
    return {std::move(step.obs), step.reward, step.terminated, step.truncated};
  }

  // Makes the renderer of render(); returns its seconds per frame (the control step).
  double OpenRenderer(int width, int height) {
    renderer_.reset();
    renderer_ = std::make_unique<env::OffscreenRenderer>(*env_, width, height);
    return renderer_->seconds_per_frame();
  }

  // The current state as RGB bytes [height, width, 3].
  py::bytes Render() {
    if (!renderer_) throw Error("render: no renderer (make_env(..., render_mode=\"rgb_array\"))");
    const auto pixels = renderer_->Render();
    return py::bytes(reinterpret_cast<const char*>(pixels.data()), pixels.size());
  }

  std::string name() const { return env_->Name(); }
  int obs_dim() const { return env_->ObsDim(); }
  std::vector<double> action_low() const { return env_->ActionLow(); }
  std::vector<double> action_high() const { return env_->ActionHigh(); }
  int episode_length() const { return episode_length_; }

 private:
  static std::unique_ptr<env::Env> MakeTaskEnv(const config::Config& config) {
    if (config.task == env::kPythonTaskName) {
      throw ConfigError("make_env: task '" + config.task + "' is an environment written in "
                        "Python: use that environment itself");
    }
    env::RequireKnownTask(config.task, "make_env", {});
    return env::MakeEnv(config);
  }

  std::unique_ptr<env::Env> env_;
  int episode_length_ = 0;
  std::mt19937_64 rng_;
  int steps_ = -1;  // -1: not reset yet
  bool ended_ = false;
  std::unique_ptr<env::OffscreenRenderer> renderer_;
};

}  // namespace

void BindTaskEnv(py::module_& m) {
  py::class_<TaskEnv>(m, "TaskEnv")
      .def(py::init<const config::Config&>(), py::arg("config"))
      .def("reset", &TaskEnv::Reset, py::arg("seed"))
      .def("step", &TaskEnv::Step, py::arg("action"))
      .def("open_renderer", &TaskEnv::OpenRenderer, py::arg("width"), py::arg("height"))
      .def("render", &TaskEnv::Render)
      .def_property_readonly("name", &TaskEnv::name)
      .def_property_readonly("obs_dim", &TaskEnv::obs_dim)
      .def_property_readonly("action_low", &TaskEnv::action_low)
      .def_property_readonly("action_high", &TaskEnv::action_high)
      .def_property_readonly("episode_length", &TaskEnv::episode_length);
}

}  // namespace mbrl::python
