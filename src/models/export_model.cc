#include "mbrl/models/export_model.h"

#include <torch/script.h>

#include "mbrl/core/atomic_file.h"
#include "mbrl/core/error.h"
#include "mbrl/env/file_task.h"

namespace mbrl::models {
namespace {

// A long tensor of `values` (an empty one for none).
torch::Tensor Longs(const std::vector<int64_t>& values) {
  return torch::tensor(values, torch::kLong).view({static_cast<int64_t>(values.size())});
}

}  // namespace

void ExportModel(GaussianEnsemble& model, const env::Task& task, const std::string& path) {
  torch::NoGradGuard no_grad;
  const auto* file_task = dynamic_cast<const env::FileTask*>(&task);
  const auto features = task.ModelInputFeatures();
  const auto targets = task.ModelTargets();
  if ((!features || !targets) && file_task == nullptr) {
    throw Error("export: task '" + task.Name() + "' declares neither its model inputs "
                "(ModelInputFeatures) nor its targets (ModelTargets) in a form that can be "
                "exported");
  }
  const auto cpu = [](const torch::Tensor& t) { return t.detach().to(torch::kCPU).clone(); };
  torch::jit::Module m("mbrl_exported_model");
  m.register_attribute("task", c10::StringType::get(), task.Name());
  m.register_attribute("obs_dim", c10::IntType::get(), static_cast<int64_t>(task.ObsDim()));
  m.register_attribute("action_dim", c10::IntType::get(),
                       static_cast<int64_t>(task.ActionDim()));
  m.register_attribute("ensemble_size", c10::IntType::get(), model->ensemble_size());
  if (!features || !targets) m.register_module("functions", file_task->Functions());

  std::string source;
  if (features) {
    std::vector<int64_t> index, kind;
    for (const auto& f : features->features) {
      index.push_back(f.index);
      kind.push_back(static_cast<int64_t>(f.kind));  // kCopy 0, kSin 1, kCos 2
    }
    m.register_buffer("feature_index", Longs(index));
    m.register_buffer("feature_kind", Longs(kind));
    source += R"(
def features(self, obs: Tensor) -> Tensor:
    x = obs.index_select(-1, self.feature_index)
    return torch.where(self.feature_kind == 1, torch.sin(x),
                       torch.where(self.feature_kind == 2, torch.cos(x), x))
)";
  } else {
    source += R"(
def features(self, obs: Tensor) -> Tensor:
    return self.functions.preprocess(obs)
)";
  }
  if (targets) {
    auto absolute = torch::zeros({task.ObsDim()}, torch::kBool);
    for (const int i : targets->absolute) absolute[i] = true;
    m.register_buffer("absolute", absolute);
    source += R"(
def next_obs(self, obs: Tensor, pred: Tensor) -> Tensor:
    return torch.where(self.absolute, pred, obs + pred)
)";
  } else {
    source += R"(
def next_obs(self, obs: Tensor, pred: Tensor) -> Tensor:
    return self.functions.next_obs(obs, pred)
)";
  }
  m.register_buffer("input_mean", cpu(model->normalizer()->mean()));
  m.register_buffer("input_std", cpu(model->normalizer()->std()));
  m.register_buffer("max_logvar", cpu(model->max_logvar()));
  m.register_buffer("min_logvar", cpu(model->min_logvar()));
  const auto& weights = model->layer_weights();
  const auto& biases = model->layer_biases();
  std::string layers;
  for (size_t l = 0; l < weights.size(); ++l) {
    const std::string w = "w" + std::to_string(l), b = "b" + std::to_string(l);
    m.register_buffer(w, cpu(weights[l]));
    m.register_buffer(b, cpu(biases[l]));
    const std::string product = "torch.baddbmm(self." + b + ", h, self." + w + ")";
    layers += l + 1 < weights.size() ? "    h = torch.silu(" + product + ")\n"
                                     : "    out = " + product + "\n";
  }
  const std::string O = std::to_string(model->out_dim());
  source += R"(
def predict(self, obs: Tensor, action: Tensor) -> Tuple[Tensor, Tensor]:
    obs = obs.float()
    x = torch.cat([self.features(obs), action.float()], 1)
    h = (x - self.input_mean) / self.input_std
    h = h.unsqueeze(0).expand(self.ensemble_size, h.size(0), h.size(1))
)" + layers + R"(
    mean = out.narrow(2, 0, )" + O + R"()
    logvar = out.narrow(2, )" + O + ", " + O + R"()
    logvar = self.max_logvar - torch.softplus(self.max_logvar - logvar)
    logvar = self.min_logvar + torch.softplus(logvar - self.min_logvar)
    return self.next_obs(obs.unsqueeze(0).expand_as(mean), mean), logvar.exp()
)";
  m.define(source);
  WriteAtomically(path, [&](const std::string& tmp) { m.save(tmp); });
}

}  // namespace mbrl::models
