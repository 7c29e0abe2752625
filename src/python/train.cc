// `mbrl train` for Python: algorithms::TrainRun (the same checks, run directory and messages),
// with a Python environment handed to it when given.
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

#include "bindings.h"
#include "mbrl/algorithms/train_run.h"

namespace mbrl::python {
namespace {

// PETS into `out` as `mbrl train` runs it (resume: `mbrl train --resume out`), one line per
// episode on stdout unless quiet. The loop runs with the GIL released; each step it checks for a
// signal Python caught (Ctrl-C), and then stops as the CLI does (the partial episode saved) and
// raises it (KeyboardInterrupt). Returns the number of complete episodes in the run.
int Train(const config::Config& config, const std::string& out, bool resume, bool quiet,
          py::object env, py::object reward, py::object terminated) {
  algorithms::TrainRunOptions options;
  options.config = config;
  options.config_source = "<config>";
  options.out = out;
  options.resume = resume;
  options.caller = algorithms::Caller::kPython;
  std::optional<env::TaskEntry> task;
  if (!env.is_none()) {
    task = PythonTask(env, reward, terminated, config.env.episode_length);
    options.task = &*task;
  }
  std::optional<py::error_already_set> interrupted;
  algorithms::PetsHooks hooks;
  const int episodes = config.pets.episodes;
  hooks.on_episode = [&](const algorithms::EpisodeMetrics& m) {
    if (quiet) return;
    const std::string line = algorithms::EpisodeLine(m, episodes);
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
  const auto on_warning = [](const std::string& warning) { py::print("warning:", warning); };
  algorithms::TrainRunResult result;
  {
    py::gil_scoped_release release;
    result = algorithms::TrainRun(options, hooks, nullptr, [&](const std::string& warning) {
      py::gil_scoped_acquire gil;
      on_warning(warning);
    });
  }
  if (interrupted) throw *interrupted;
  if (result.already_complete && !quiet) {
    py::print("already complete:", result.complete_episodes, "of", episodes, "episodes");
  }
  return result.complete_episodes;
}

}  // namespace

void BindTraining(py::module_& m) {
  m.def("train", &Train, py::arg("config"), py::arg("out"), py::arg("resume"), py::arg("quiet"),
        py::arg("env") = py::none(), py::arg("reward") = py::none(),
        py::arg("terminated") = py::none());
}

}  // namespace mbrl::python
