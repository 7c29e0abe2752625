#include "mbrl/algorithms/diagnose.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <optional>
#include <sstream>

#include "mbrl/algorithms/pets.h"
#include "mbrl/algorithms/run_directory.h"
#include "mbrl/algorithms/stack.h"
#include "mbrl/config/loader.h"
#include "mbrl/core/atomic_file.h"
#include "mbrl/core/error.h"
#include "mbrl/core/strings.h"
#include "mbrl/data/replay_buffer.h"
#include "mbrl/models/gaussian_ensemble.h"

namespace mbrl::algorithms {
namespace {
namespace fs = std::filesystem;

constexpr double kLog2Pi = 1.8378770664093453;

std::vector<double> Ranks(const std::vector<double>& v) {
  std::vector<size_t> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> rank(v.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    for (size_t k = i; k <= j; ++k) rank[order[k]] = (i + j) / 2.0 + 1;
    i = j + 1;
  }
  return rank;
}

std::vector<double> ToVector(const torch::Tensor& t) {
  const auto c = t.to(torch::kCPU, torch::kFloat64).contiguous();
  return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

// One episode's rows of metrics.csv: its number, steps, and whether it was random or stopped.
struct MetricsRow {
  int episode = 0, steps = 0;
  bool random = false, interrupted = false;
};

std::vector<MetricsRow> ReadMetrics(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot open (no such file)");
  std::string line;
  std::getline(in, line);
  std::map<std::string, size_t> column;
  {
    std::stringstream header(line);
    std::string name;
    for (size_t i = 0; std::getline(header, name, ','); ++i) column[name] = i;
  }
  for (const char* needed : {"episode", "steps", "random", "interrupted"}) {
    if (!column.count(needed)) throw ConfigError(path + ": no column '" + needed + "'");
  }
  std::vector<MetricsRow> rows;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream row(line);
    std::string cell;
    while (std::getline(row, cell, ',')) cells.push_back(cell);
    if (cells.size() <= column["interrupted"]) continue;
    MetricsRow r;
    r.episode = std::stoi(cells[column["episode"]]);
    r.steps = std::stoi(cells[column["steps"]]);
    r.random = cells[column["random"]] == "1";
    r.interrupted = cells[column["interrupted"]] == "1";
    rows.push_back(r);
  }
  return rows;
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

}  // namespace

double SpearmanCorrelation(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size() || x.size() < 2) return 0;
  const auto rx = Ranks(x), ry = Ranks(y);
  const double mx = std::accumulate(rx.begin(), rx.end(), 0.0) / rx.size();
  const double my = std::accumulate(ry.begin(), ry.end(), 0.0) / ry.size();
  double cov = 0, vx = 0, vy = 0;
  for (size_t i = 0; i < rx.size(); ++i) {
    cov += (rx[i] - mx) * (ry[i] - my);
    vx += (rx[i] - mx) * (rx[i] - mx);
    vy += (ry[i] - my) * (ry[i] - my);
  }
  return vx > 0 && vy > 0 ? cov / std::sqrt(vx * vy) : 0;
}

ModelDiagnosis DiagnoseModel(const MemberStep& step, int members, const EpisodeData& episode,
                             int horizon, const torch::Tensor& scale) {
  torch::NoGradGuard no_grad;
  const auto obs = episode.obs.to(torch::kFloat64);       // [T + 1, O]
  const auto actions = episode.actions.to(torch::kFloat32);  // [T, A]
  const int64_t T = actions.size(0), O = obs.size(1);
  const auto inv_scale = 1.0 / scale.to(torch::kFloat64);  // [O]
  ModelDiagnosis d;
  d.obs_dim = static_cast<int>(O);
  horizon = static_cast<int>(std::min<int64_t>(horizon, T));
  if (horizon < 1) return d;
  // Every start state at once: member states [M, N, O] and the mean rollout's [N, O].
  const int64_t N = T;  // starts 0..T-1; a start t has min(H, T - t) real steps after it
  auto first = obs.slice(0, 0, N).to(torch::kFloat32);
  const int64_t M = members;
  d.members = static_cast<int>(M);
  d.member_error.assign(M, {});
  auto states = first.unsqueeze(0).expand({M, N, O}).contiguous();
  auto mean_state = first;
  for (int k = 1; k <= horizon; ++k) {
    const int64_t n = T - k + 1;  // starts with k real steps after them
    states = states.slice(1, 0, n);
    mean_state = mean_state.slice(0, 0, n);
    const auto act = actions.slice(0, k - 1, k - 1 + n);  // [n, A]: k - 1 steps after each start
    auto [member_mean, member_var] = step(states, act);  // [M, n, O]
    auto [shared_mean, unused] =
        step(mean_state.unsqueeze(0).expand({M, n, O}).contiguous(), act);
    states = member_mean;
    mean_state = shared_mean.mean(0);
    const auto real = obs.slice(0, k, k + n);  // [n, O]
    const auto mu = member_mean.to(torch::kFloat64), var = member_var.to(torch::kFloat64);
    // Errors, normalised per dimension.
    const auto mean_err = (mean_state.to(torch::kFloat64) - real) * inv_scale;  // [n, O]
    d.mean_error.push_back(mean_err.pow(2).mean().sqrt().item<double>());
    const auto member_err = (mu - real.unsqueeze(0)) * inv_scale;  // [M, n, O]
    const auto per_member = member_err.pow(2).mean({1, 2}).sqrt();
    for (int64_t m = 0; m < M; ++m) d.member_error[m].push_back(per_member[m].item<double>());
    // The members' mixture, moment-matched.
    const auto mix_mean = mu.mean(0);
    const auto mix_var = (var.mean(0) + mu.var(0, /*unbiased=*/false)).clamp_min(1e-12);
    const auto z = (real - mix_mean).abs() / mix_var.sqrt();  // [n, O]
    const auto in1 = (z <= 1).to(torch::kFloat64), in2 = (z <= 2).to(torch::kFloat64);
    d.within_1sigma.push_back(in1.mean().item<double>());
    d.within_2sigma.push_back(in2.mean().item<double>());
    d.within_1sigma_dim.push_back(ToVector(in1.mean(0)));
    d.within_2sigma_dim.push_back(ToVector(in2.mean(0)));
    d.nll.push_back(
        (0.5 * (kLog2Pi + mix_var.log() + (real - mix_mean).pow(2) / mix_var)).mean().item<double>());
    // Disagreement against error, over start states.
    const auto spread = (mu.var(0, false) * inv_scale.pow(2)).mean(1).sqrt();  // [n]
    const auto error = mean_err.pow(2).mean(1).sqrt();                          // [n]
    d.rank_correlation.push_back(SpearmanCorrelation(ToVector(spread), ToVector(error)));
    d.starts.push_back(n);
  }
  return d;
}

std::vector<OptimismRow> PlannerOptimism(const std::vector<int64_t>& steps,
                                         const std::vector<double>& predicted,
                                         const torch::Tensor& rewards, int horizon) {
  const auto r = ToVector(rewards);
  std::vector<OptimismRow> rows;
  for (size_t i = 0; i < steps.size() && i < predicted.size(); ++i) {
    const int64_t t = steps[i];
    if (t < 0 || t + horizon > static_cast<int64_t>(r.size())) continue;
    OptimismRow row;
    row.step = t;
    row.predicted = predicted[i];
    for (int j = 0; j < horizon; ++j) row.real += r[t + j];
    rows.push_back(row);
  }
  return rows;
}

RunDiagnosis DiagnoseRun(const DiagnoseOptions& options) {
  const std::string& run = options.run_dir;
  std::error_code ec;
  if (!fs::is_directory(run, ec)) throw ConfigError("diagnose " + run + ": no such run directory");
  const std::string config_path = run + "/config.yaml";
  if (!fs::exists(config_path, ec)) {
    throw ConfigError("diagnose " + run + ": no config.yaml here (not a run directory)");
  }
  config::LoadOptions load{config_path};
  load.written_by_a_run = true;
  config::Config config = config::LoadConfig(load);
  config.device = "cpu";
  const int horizon = options.horizon > 0 ? options.horizon : config.agent.horizon;
  const auto metrics = ReadMetrics(run + "/metrics.csv");
  const std::string buffer_path = run + "/replay_buffer.bin";
  if (!fs::exists(buffer_path, ec)) {
    throw ConfigError("diagnose " + run + ": no replay_buffer.bin (the run's real transitions; "
                      "pets.save_buffer was false): run it again with --set "
                      "pets.save_buffer=true");
  }
  std::optional<RunLock> lock;
  if (options.out.empty()) {
    lock.emplace(RunLock::Take(run, [](const std::string& warning) {
      std::fprintf(stderr, "warning: %s\n", warning.c_str());
    }));
  }
  const auto buffer = data::ReplayBuffer::Load(buffer_path);
  if (options.task) RequireRunOfTask(run, config, *options.task);
  Stack stack = BuildStack(config, torch::Device(torch::kCPU), nullptr, options.task);
  const env::Task& task = *stack.task;
  const int64_t total = buffer.Size();
  const TransitionTensors all = ToTensors(buffer);
  const auto scale = all.obs.to(torch::kFloat64).std(0, /*unbiased=*/false) + 1e-6;  // [O]

  // Each MPC episode's transitions, and which of them to score.
  std::vector<std::pair<MetricsRow, int64_t>> chosen;  // (row, first transition)
  int64_t offset = 0;
  const int last_mpc = [&] {
    int last = 0;
    for (const auto& r : metrics) {
      if (!r.random) last = r.episode;
    }
    return last;
  }();
  for (const auto& r : metrics) {
    const bool in_range = options.first_episode == 0 ||
                          (r.episode >= options.first_episode && r.episode <= options.last_episode);
    if (!r.random && in_range && r.steps > 0) chosen.push_back({r, offset});
    offset += r.steps;
  }
  if (offset != total) {
    throw ConfigError("diagnose " + run + ": metrics.csv counts " + std::to_string(offset) +
                      " transitions but replay_buffer.bin holds " + std::to_string(total));
  }
  // The model that planned an episode: models/ as pets.keep_models kept it, or model.pt for the
  // run's last MPC episode ("" when neither is there).
  const auto model_of = [&](int episode) {
    std::string path = KeptModelPath(run, episode);
    if (fs::exists(path, ec)) return path;
    if (episode == last_mpc && fs::exists(run + "/model.pt", ec)) return run + "/model.pt";
    return std::string();
  };
  if (options.first_episode == 0) {  // every MPC episode whose model is there
    chosen.erase(std::remove_if(chosen.begin(), chosen.end(),
                                [&](const auto& c) { return model_of(c.first.episode).empty(); }),
                 chosen.end());
  }
  if (chosen.empty() && options.first_episode == 0 && last_mpc > 0) {
    throw ConfigError("diagnose " + run + ": no model of an MPC episode was kept (model.pt is "
                      "missing: pets.save_model was false); run again with --set "
                      "pets.keep_models=all");
  }
  if (chosen.empty()) {
    throw ConfigError("diagnose " + run + ": no MPC episode" +
                      (options.first_episode ? " in --episodes " +
                                                   std::to_string(options.first_episode) + "-" +
                                                   std::to_string(options.last_episode)
                                             : std::string(" yet")));
  }
  // Every chosen episode's model and plans must be there before anything is written.
  std::vector<std::string> model_paths;
  for (const auto& [row, first] : chosen) {
    std::string path = model_of(row.episode);
    if (path.empty()) {
      throw ConfigError(
            "diagnose " + run + ": the model that planned episode " + std::to_string(row.episode) +
            " was not kept (pets.keep_models: " + config.pets.keep_models +
            " keeps " + (config.pets.keep_models == "last" ? "only the last episode's, model.pt"
                                                           : "the last " +
                                                                 config.pets.keep_models) +
            "): choose episode " + std::to_string(last_mpc) + " (--episodes " +
            std::to_string(last_mpc) + "), or run again with --set pets.keep_models=all");
    }
    if (!fs::exists(PlansPath(run, row.episode), ec)) {
      throw ConfigError("diagnose " + run + ": no plans of episode " +
                        std::to_string(row.episode) + " (" + PlansPath(run, row.episode) +
                        "): the run was made before mbrl kept them; run it again");
    }
    model_paths.push_back(path);
  }

  RunDiagnosis out;
  out.out = options.out.empty() ? run + "/diagnosis" : options.out;
  models::GaussianEnsemble model = stack.model;
  model->eval();
  const MemberStep step = [&](const torch::Tensor& obs, const torch::Tensor& act) {
    const auto M = obs.size(0), n = obs.size(1);
    const auto x = torch::cat({task.PreprocessObs(obs.to(torch::kFloat32)),
                               act.to(torch::kFloat32).unsqueeze(0).expand({M, n, act.size(1)})},
                              2);
    auto [mean, logvar] = model->forward(x);
    return std::make_pair(task.NextObsFromPrediction(obs.to(torch::kFloat32), mean), logvar.exp());
  };
  std::string error_csv = "episode,step,rollout,error\n";
  std::string calibration_csv = "episode,step,dim,within_1sigma,within_2sigma,nll\n";
  std::string disagreement_csv = "episode,step,spearman,starts\n";
  std::string optimism_csv = "episode,step,predicted_return,real_return\n";
  std::string summary_csv =
      "episode,horizon,error_step1,error_last,within_1sigma_step1,within_2sigma_step1,"
      "spearman_step1,predicted_return_mean,real_return_mean,optimism\n";
  for (size_t i = 0; i < chosen.size(); ++i) {
    const auto& [row, first] = chosen[i];
    models::LoadEnsemble(model, model_paths[i]);
    EpisodeData ep;
    ep.obs = torch::cat({all.obs.slice(0, first, first + row.steps),
                         all.next_obs.slice(0, first + row.steps - 1, first + row.steps)});
    ep.actions = all.actions.slice(0, first, first + row.steps);
    ep.rewards = all.rewards.slice(0, first, first + row.steps);
    const ModelDiagnosis d = DiagnoseModel(step, config.model.ensemble_size, ep, horizon, scale);
    const std::string e = std::to_string(row.episode);
    for (size_t k = 0; k < d.mean_error.size(); ++k) {
      const std::string s = std::to_string(k + 1);
      error_csv += e + "," + s + ",mean," + Num(d.mean_error[k]) + "\n";
      for (int m = 0; m < d.members; ++m) {
        error_csv += e + "," + s + ",member_" + std::to_string(m) + "," +
                     Num(d.member_error[m][k]) + "\n";
      }
      calibration_csv += e + "," + s + ",all," + Num(d.within_1sigma[k]) + "," +
                         Num(d.within_2sigma[k]) + "," + Num(d.nll[k]) + "\n";
      for (int o = 0; o < d.obs_dim; ++o) {
        calibration_csv += e + "," + s + "," + std::to_string(o) + "," +
                           Num(d.within_1sigma_dim[k][o]) + "," + Num(d.within_2sigma_dim[k][o]) +
                           ",\n";
      }
      disagreement_csv += e + "," + s + "," + Num(d.rank_correlation[k]) + "," +
                          std::to_string(d.starts[k]) + "\n";
    }
    // The plans this episode made, as the run recorded them.
    std::ifstream in(PlansPath(run, row.episode), std::ios::binary);
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
    const auto dict = torch::pickle_load(bytes).toGenericDict();
    const auto steps_t = dict.at("step").toTensor().to(torch::kInt64).contiguous();
    const auto pred_t = dict.at("predicted_return").toTensor().to(torch::kFloat64).contiguous();
    const std::vector<int64_t> steps(steps_t.data_ptr<int64_t>(),
                                     steps_t.data_ptr<int64_t>() + steps_t.numel());
    const std::vector<double> predicted(pred_t.data_ptr<double>(),
                                        pred_t.data_ptr<double>() + pred_t.numel());
    const auto optimism = PlannerOptimism(steps, predicted, ep.rewards, config.agent.horizon);
    double pred_sum = 0, real_sum = 0;
    for (const auto& r : optimism) {
      optimism_csv += e + "," + std::to_string(r.step) + "," + Num(r.predicted) + "," +
                      Num(r.real) + "\n";
      pred_sum += r.predicted;
      real_sum += r.real;
    }
    const double n = std::max<size_t>(optimism.size(), 1);
    summary_csv += e + "," + std::to_string(d.mean_error.size()) + "," +
                   Num(d.mean_error.empty() ? 0 : d.mean_error.front()) + "," +
                   Num(d.mean_error.empty() ? 0 : d.mean_error.back()) + "," +
                   Num(d.within_1sigma.empty() ? 0 : d.within_1sigma.front()) + "," +
                   Num(d.within_2sigma.empty() ? 0 : d.within_2sigma.front()) + "," +
                   Num(d.rank_correlation.empty() ? 0 : d.rank_correlation.front()) + "," +
                   (optimism.empty() ? std::string(",,") :
                    Num(pred_sum / n) + "," + Num(real_sum / n) + "," +
                    Num((pred_sum - real_sum) / n)) + "\n";
    out.episodes.push_back(row.episode);
    out.models.push_back(d);
    out.optimism.push_back(optimism);
  }
  fs::create_directories(out.out, ec);
  if (ec) throw ConfigError("--out " + out.out + ": cannot create (" + ec.message() + ")");
  WriteTextAtomically(out.out + "/error.csv", error_csv);
  WriteTextAtomically(out.out + "/calibration.csv", calibration_csv);
  WriteTextAtomically(out.out + "/disagreement.csv", disagreement_csv);
  WriteTextAtomically(out.out + "/optimism.csv", optimism_csv);
  WriteTextAtomically(out.out + "/summary.csv", summary_csv);
  return out;
}

}  // namespace mbrl::algorithms
