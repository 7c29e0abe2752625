#pragma once
// A trained ensemble with its task's model inputs and next observations as one TorchScript file,
// for programs without mbrl: torch.jit.load(path) in Python, torch::jit::load in C++.
#include <string>

#include "mbrl/env/task.h"
#include "mbrl/models/gaussian_ensemble.h"

namespace mbrl::models {

/// Writes `model` and `task`'s model functions to `path` (atomically) as a TorchScript module:
///   predict(obs [N, O], action [N, A]) -> (mean, var), each [E, N, O] float32: every member's
///     Gaussian over the next observation, as mbrl predicts it (inputs normalised as trained);
///   features(obs [N, O]) -> [N, F]: the model's input features of observations;
///   next_obs(obs, pred) -> next observations from predicted targets;
/// and the attributes task, obs_dim, action_dim, ensemble_size. The task's input features and
/// targets come from its declarations (Task::ModelInputFeatures, Task::ModelTargets), or for a
/// task from files from its own TorchScript functions, carried inside. Throws Error for a task
/// whose functions have neither form.
void ExportModel(GaussianEnsemble& model, const env::Task& task, const std::string& path);

}  // namespace mbrl::models
