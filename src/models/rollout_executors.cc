#include "mbrl/models/rollout_executors.h"

#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "mbrl/core/blas_threads.h"
#include "mbrl/core/seeding.h"
#include "mbrl/models/fused_ensemble_step.h"
#include "mbrl/models/mean_row_rollout.h"
#include "mbrl/models/member_mean.h"

namespace mbrl::models {
namespace {
// A rollout scores all steps' rewards in one batch (fewer operators, but every step's states, and
// the tsinf executor's noise, are kept until the end) when the whole job has at most
// kBatchedRewardRows rows x steps, or when it is a piece of a larger job (a part of cpu_split)
// whose kept states have at most kBatchedPieceFloats numbers: parts roll out side by side, so
// batching every part of humanoid's CEM 500 (45 observations) held 60 MB at once, while
// cartpole's parts (4) hold a few MB and run fewer operators. docs/performance.md, "Split
// sampling rollouts".
constexpr int64_t kBatchedRewardRows = 1 << 16;
constexpr int64_t kBatchedPieceFloats = 1 << 18;
// The tsinf executor copies every particle's actions for all steps at once up to this many floats
// (8 MB), and step by step above.
constexpr int64_t kAllStepActionFloats = 1 << 21;
// cpu_split takes 2 * kMinPartRows to kMaxSplitRows rows and makes parts of at most kMaxPartRows
// rows (when there are enough sequences). Why these sizes: docs/performance.md, "Split sampling
// rollouts".
constexpr int64_t kMaxSplitRows = kDefaultRolloutBlockRows;
constexpr int64_t kMinPartRows = 100;
constexpr int64_t kMaxPartRows = 512;

bool BatchRewards(const RolloutJob& job) {
  const int64_t H = job.horizon();
  if (H == 0) return false;
  if (job.whole_job_rows() * H <= kBatchedRewardRows) return true;
  return job.whole_rows > 0 && job.rows() * H * job.obs.size(0) <= kBatchedPieceFloats;
}

// Actions [B, ..., A] -> [E, B * Q, ..., A]: each sequence's actions for each of its Q particles
// of every member, member by member (a copy).
torch::Tensor PerParticle(const torch::Tensor& a, int64_t E, int64_t Q) {
  auto expanded = a.sizes().vec();  // [B, ..., A] -> [E, B, Q, ..., A]
  expanded.insert(expanded.begin() + 1, Q);
  expanded.insert(expanded.begin(), E);
  auto rows = a.sizes().vec();  // -> [E, B * Q, ..., A]
  rows[0] *= Q;
  rows.insert(rows.begin(), E);
  return a.unsqueeze(0).unsqueeze(2).expand(expanded).reshape(rows);
}

torch::Tensor Silu(torch::Tensor z, bool in_place) {
  return in_place ? torch::silu_(z) : torch::silu(z);
}

// Large populations without autograd (CEM-GD's first step has 300k rows): blocks of sequences.
class BlockExecutor : public RolloutExecutor {
 public:
  std::string name() const override { return "blocks"; }
  bool Handles(const RolloutJob& job) const override {
    return !torch::GradMode::is_enabled() && job.rows() > job.block_rows && job.sequences() > 1;
  }
  torch::Tensor Run(const RolloutJob& job, const RolloutDynamics&,
                    const InnerRollout& inner) const override {
    const int64_t B = job.sequences();
    const int64_t per_block = RolloutBlockSequences(job.block_rows, job.particles);
    std::vector<torch::Tensor> parts;
    for (int64_t b = 0; b < B; b += per_block) {
      parts.push_back(inner(job.Slice(b, std::min(per_block, B - b))));
    }
    return torch::cat(parts);
  }
};

// Small sampling rollouts on CPU (CEM's populations, CEM-GD's later steps): parts of sequences
// that each roll out the whole horizon in one thread with single-threaded BLAS. Threading inside
// each model step instead costs a fork and join per step and leaves the element-wise work between
// the steps' products to one thread. Each part draws from its own generator, seeded from the
// job's; the parts do not depend on the thread count, so neither do the returns.
class CpuSplitExecutor : public RolloutExecutor {
 public:
  std::string name() const override { return "cpu_split"; }
  bool Handles(const RolloutJob& job) const override {
    return !torch::GradMode::is_enabled() && !job.serial && job.actions.device().is_cpu() &&
           (job.mode == Propagation::kTsInf || job.mode == Propagation::kExpectation) &&
           SplitRolloutParts(job.sequences(), job.particles) > 1;
  }
  torch::Tensor Run(const RolloutJob& job, const RolloutDynamics&,
                    const InnerRollout& inner) const override {
    const int64_t B = job.sequences(), P = job.particles;
    const int64_t parts = SplitRolloutParts(B, P);
    auto gen = job.gen;
    const auto drawn = torch::randint(std::numeric_limits<int64_t>::max(), {parts}, gen,
                                      torch::TensorOptions().dtype(torch::kLong));
    const int64_t* seeds = drawn.data_ptr<int64_t>();  // [parts], contiguous, on the CPU
    auto returns = torch::empty({B * P}, job.actions.options());
    const int64_t per_part = (B + parts - 1) / parts;
    RunTasksOnThreads(parts, InferenceThreads(), [&](int64_t k) {
      const int64_t b0 = k * per_part, nb = std::min(per_part, B - b0);
      if (nb <= 0) return;
      RolloutJob part = job.Slice(b0, nb);
      part.gen = MakeGenerator(torch::kCPU, static_cast<uint64_t>(seeds[k]));
      part.serial = true;
      returns.narrow(0, b0 * P, nb * P).copy_(inner(part));
    });
    return returns;
  }
};

// TS-inf with few operators per model step. Rows are kept member by member (row e * N + b * Q + q
// is particle q * E + e of sequence b, Q = P / E, N = B * Q) as a state [E, N, O], so that the
// batched products need no transposes or copies between steps. The input normalisation, and the
// task's ObsFeatures when it declares them, are folded into the first layer: its input is
// [state, action, sin(angles), cos(angles)]. The log-variance's soft bounds,
// logvar = min + softplus(max - min - softplus(max - raw)), give
// exp(logvar) = exp(min) + exp(max) * sigmoid(raw - max), so the standard deviation takes three
// operators. The noise of all steps is drawn at once when the rewards are batched. On the CPU, in
// float and without autograd, the ensemble's part of each step is one FusedEnsembleStep (plain
// loops around OpenBLAS's sgemm), and so is the whole step (input features, next state) when the
// task declares its features and targets, unless `fused_cpu` is off ("tsinf-ops": LibTorch's
// operators only, the path a GPU runs, and the one the fused step is tested against).
class TsInfExecutor : public RolloutExecutor {
 public:
  explicit TsInfExecutor(bool fused_cpu) : fused_cpu_(fused_cpu) {}
  std::string name() const override { return fused_cpu_ ? "tsinf" : "tsinf-ops"; }
  bool Handles(const RolloutJob& job) const override {
    return job.mode == Propagation::kTsInf && job.horizon() > 0;
  }
  torch::Tensor Run(const RolloutJob& job, const RolloutDynamics& dynamics,
                    const InnerRollout&) const override {
    const auto& task = dynamics.task();
    auto model = dynamics.model();
    // Without autograd the activations run in place, so that a layer's input and output are the
    // only [E, N, h] tensors alive (out of place, three: 26 MB each in a 32768-row block).
    const bool in_place = !torch::GradMode::is_enabled();
    const int64_t E = model->ensemble_size(), O = model->out_dim();
    const int64_t B = job.sequences(), H = job.horizon(), A = job.actions.size(2);
    const int64_t P = job.particles, Q = P / E, N = B * Q, M = B * P;
    const auto opts = job.actions.options();
    auto gen = job.gen;
    const auto features = task.ModelInputFeatures();

    // The weights, detached: planning differentiates with respect to actions only.
    std::vector<torch::Tensor> ws, bs;
    for (const auto& w : model->layer_weights()) ws.push_back(w.detach());
    for (const auto& b : model->layer_biases()) bs.push_back(b.detach());
    const size_t last = ws.size() - 1;
    const auto& norm = model->normalizer();
    const auto inv_std = 1.0 / norm->std().detach().to(opts);  // [I]
    auto w0 = ws[0] * inv_std.view({1, -1, 1});                // [E, I, h1]
    const auto b0 =
        bs[0] - torch::matmul((norm->mean().detach().to(opts) * inv_std).view({1, 1, -1}),
                              ws[0]);  // [E, 1, h1]
    int64_t angles = 0;
    if (features) {
      angles = features->angle_count;
      w0 = torch::matmul(DeviceFeatureMap(*features, O, A, opts), w0);  // [E, O + A + 2n, h1]
    }
    const auto mean_w = ws[last].narrow(2, 0, O), mean_b = bs[last].narrow(2, 0, O);
    const auto lv_w = ws[last].narrow(2, O, O);
    const auto max_lv = model->max_logvar().detach(), min_lv = model->min_logvar().detach();
    const auto lv_b = bs[last].narrow(2, O, O) - max_lv;  // [E, 1, O]: the head gives raw - max
    const auto exp_min = torch::exp(min_lv), exp_max = torch::exp(max_lv);  // [1, O]
    std::optional<FusedEnsembleStep> fused;
    if (fused_cpu_ && in_place && FusedEnsembleStep::Available(opts)) {
      auto fused_ws = ws, fused_bs = bs;
      fused_ws[0] = w0;
      fused_bs[0] = b0;
      fused_bs[last] = torch::cat({mean_b, lv_b}, 2);
      fused.emplace(fused_ws, fused_bs, exp_min, exp_max, N);
    }
    // With the task's input features and targets declared, the whole model step is the fused one.
    const auto targets = task.ModelTargets();
    const bool fused_step = fused && features && targets;
    if (fused_step) {
      fused->SetStepIo({A, features->angle_begin, features->angle_count, targets->absolute});
    }

    const bool batch_rewards = BatchRewards(job);
    // Every particle's actions, member by member: all steps in one copy [E, N, H, A] when it is
    // small (then views), else each step's [E, N, A] as it comes (a block of CEM-GD's first step
    // would copy 100 MB at once on humanoid).
    const bool all_steps = batch_rewards || M * H * A <= kAllStepActionFloats;
    const auto acts = all_steps ? PerParticle(job.actions, E, Q) : torch::Tensor();  // [E, N, H, A]
    const auto steps = all_steps ? acts.unbind(2) : std::vector<torch::Tensor>();   // H x [E, N, A]
    const auto step_actions = [&](int64_t t) {
      return all_steps ? steps[t] : PerParticle(job.actions.select(1, t), E, Q);
    };
    std::vector<torch::Tensor> noise;  // H x [E, N, O], when drawn at once
    if (batch_rewards) noise = torch::randn({H, E, N, O}, gen, opts).unbind(0);

    auto state = job.obs.to(opts).expand({E, N, job.obs.size(0)});  // [E, N, O]
    if (fused_step) state = state.contiguous();
    std::vector<torch::Tensor> states;
    torch::Tensor returns, alive;
    if (batch_rewards) {
      states.reserve(H + 1);
      states.push_back(state);
    } else {
      returns = torch::zeros({M}, opts);
      alive = torch::ones({M}, opts);
    }
    // The first layer's input [E, N, *] and the sample mean + sd * eps [E, N, O] in LibTorch's
    // operators.
    const auto model_input = [&](const torch::Tensor& a_t) {
      if (!features) return torch::cat({task.PreprocessObs(state), a_t}, -1);
      if (angles == 0) return torch::cat({state, a_t}, -1);
      const auto angle = state.narrow(-1, features->angle_begin, angles);
      return torch::cat({state, a_t, torch::sin(angle), torch::cos(angle)}, -1);
    };
    const auto sample = [&](const torch::Tensor& x, const torch::Tensor& eps) {
      auto h = Silu(torch::baddbmm(b0, x, w0), in_place);
      for (size_t l = 1; l < last; ++l) h = Silu(torch::baddbmm(bs[l], h, ws[l]), in_place);
      const auto mean = torch::baddbmm(mean_b, h, mean_w);  // [E, N, O]
      auto gate = torch::baddbmm(lv_b, h, lv_w);
      gate = in_place ? gate.sigmoid_() : torch::sigmoid(gate);
      auto var = torch::addcmul(exp_min, exp_max, gate);
      const auto sd = in_place ? var.sqrt_() : var.sqrt();
      return torch::addcmul(mean, sd, eps);
    };
    for (int64_t t = 0; t < H; ++t) {
      const auto a_t = step_actions(t);  // [E, N, A]
      const auto eps = batch_rewards ? noise[t] : torch::randn({E, N, O}, gen, opts);
      torch::Tensor next;
      if (fused_step) {
        next = fused->Step(state, a_t, eps);
      } else {
        const auto x = model_input(a_t);
        next = task.NextObsFromPrediction(state, fused ? fused->Predict(x, eps) : sample(x, eps));
      }
      if (batch_rewards) {
        states.push_back(next);
      } else {
        const auto s = state.reshape({M, -1}), s1 = next.reshape({M, -1});
        returns = returns + alive * task.Reward(s, a_t.reshape({M, A}), s1);
        if (task.CanTerminate()) alive = alive * (1.0 - task.Terminated(s1).to(opts.dtype()));
      }
      state = next;
    }
    if (batch_rewards) {
      returns =
          dynamics.ScoreSteps(torch::stack(states).view({H + 1, M, -1}), acts.reshape({M, H, A}));
    }
    return returns.view({E, B, Q}).permute({1, 2, 0}).reshape({M});  // row b * P + q * E + e
  }

 private:
  // FeatureMap on the actions' device. Off the CPU it is built once and kept: a copy from host
  // memory inside a step would make the device wait for the host, and cannot be captured into a
  // CUDA graph.
  torch::Tensor DeviceFeatureMap(const env::ObsFeatures& f, int64_t O, int64_t A,
                                 const torch::TensorOptions& opts) const {
    if (opts.device().is_cpu()) return FeatureMap(f, O, A).to(opts);
    std::lock_guard<std::mutex> lock(device_map_mutex_);
    if (!device_map_.defined() || device_map_.device() != opts.device() ||
        device_map_.scalar_type() != opts.dtype().toScalarType() ||
        device_map_.size(0) != O + A + 2 * f.angle_count) {
      device_map_ = FeatureMap(f, O, A).to(opts);
    }
    return device_map_;
  }
  bool fused_cpu_;
  mutable std::mutex device_map_mutex_;
  mutable torch::Tensor device_map_;  // [O + A + 2n, I] on a device

  // The matrix [O + A + 2n, I] that maps [state, action, sin(angles), cos(angles)] to the model
  // input [PreprocessObs(state), action]: the first layer's weights W [I, h] become map * W.
  static torch::Tensor FeatureMap(const env::ObsFeatures& f, int64_t O, int64_t A) {
    using Kind = env::ObsFeatures::Feature::Kind;
    const int64_t F = static_cast<int64_t>(f.features.size()), n = f.angle_count;
    auto map = torch::zeros({O + A + 2 * n, F + A});
    for (int64_t k = 0; k < F; ++k) {
      const auto& feature = f.features[k];
      const int64_t angle = feature.index - f.angle_begin;
      const int64_t row = feature.kind == Kind::kCopy  ? feature.index
                          : feature.kind == Kind::kSin ? O + A + angle
                                                       : O + A + n + angle;
      map[row][k] = 1.0;
    }
    for (int64_t j = 0; j < A; ++j) map[O + j][F + j] = 1.0;
    return map;
  }
};

// One sequence's mean rollout on the CPU in float without autograd, for a task that declares its
// features and targets (others go on to the next executor): MeanRowRollout's plain loops, the
// rewards scored in one batch. ModelRollout's hand-written gradient runs the same forward pass,
// so a gradient planner's returns do not depend on whether it asked for a gradient.
class MeanRowExecutor : public RolloutExecutor {
 public:
  std::string name() const override { return "mean_row"; }
  bool Handles(const RolloutJob& job) const override {
    return job.mode == Propagation::kMean && job.sequences() == 1 && job.horizon() > 0 &&
           !torch::GradMode::is_enabled() && job.actions.device().is_cpu() &&
           job.actions.scalar_type() == torch::kFloat;
  }
  torch::Tensor Run(const RolloutJob& job, const RolloutDynamics& dynamics,
                    const InnerRollout& inner) const override {
    if (!MeanRowRollout::Supports(dynamics)) return inner(job);
    const auto row = job.mean_row ? job.mean_row() : std::make_shared<MeanRowRollout>(dynamics);
    const auto states = row->Forward(job.obs, job.actions[0]);  // [H + 1, O]
    return dynamics.ScoreSteps(states.unsqueeze(1), job.actions);
  }
};

// The reference's steps with all steps' rewards and terminations scored in one batch afterwards:
// small rollouts are bound by per-operator overhead (in the forward pass and in autograd's
// backward), and H reward calls cost more than one on H times the rows.
class BatchedRewardExecutor : public RolloutExecutor {
 public:
  std::string name() const override { return "batched"; }
  bool Handles(const RolloutJob& job) const override { return BatchRewards(job); }
  torch::Tensor Run(const RolloutJob& job, const RolloutDynamics& dynamics,
                    const InnerRollout&) const override {
    const int64_t H = job.horizon(), P = job.particles, M = job.rows();
    auto gen = job.gen;
    const auto per_row = P == 1 ? job.actions : job.actions.repeat_interleave(P, 0);  // [M, H, A]
    const auto steps = per_row.unbind(1);  // one autograd node for all steps' actions
    std::optional<MemberMeanMlp> member_mean;
    if (job.mode == Propagation::kMean) member_mean.emplace(dynamics.model());
    std::vector<torch::Tensor> states = {
        job.obs.to(job.actions.options()).unsqueeze(0).expand({M, job.obs.size(0)})};
    states.reserve(H + 1);
    for (int64_t t = 0; t < H; ++t) {
      states.push_back(dynamics.Step(states.back(), steps[t], job.mode,
                                     member_mean ? &*member_mean : nullptr, gen, job.serial));
    }
    return dynamics.ScoreSteps(torch::stack(states), per_row);
  }
};

}  // namespace

int64_t SplitRolloutParts(int64_t B, int64_t P) {
  const int64_t M = B * P;
  if (M > kMaxSplitRows || M < 2 * kMinPartRows || B < 2) return 1;
  int64_t parts = 2;
  while (M > parts * kMaxPartRows && parts * 2 <= B) parts *= 2;
  return parts;
}

std::unique_ptr<RolloutExecutor> MakeRolloutExecutor(const std::string& name) {
  if (name == "blocks") return std::make_unique<BlockExecutor>();
  if (name == "cpu_split") return std::make_unique<CpuSplitExecutor>();
  if (name == "tsinf") return std::make_unique<TsInfExecutor>(/*fused_cpu=*/true);
  if (name == "tsinf-ops") return std::make_unique<TsInfExecutor>(/*fused_cpu=*/false);
  if (name == "mean_row") return std::make_unique<MeanRowExecutor>();
  if (name == "batched") return std::make_unique<BatchedRewardExecutor>();
  throw std::invalid_argument("unknown rollout executor '" + name + "'");
}

RolloutExecutors DefaultRolloutExecutors(bool capture_ready) {
  RolloutExecutors list;
  for (const char* name : {"blocks", "cpu_split", "tsinf", "mean_row", "batched"}) {
    if (capture_ready && (std::string(name) == "cpu_split" || std::string(name) == "mean_row")) {
      continue;
    }
    list.push_back(MakeRolloutExecutor(name));
  }
  return list;
}

torch::Tensor RunRollout(const RolloutExecutors& executors, size_t from,
                         const RolloutDynamics& dynamics, const RolloutJob& job) {
  for (size_t i = from; i < executors.size(); ++i) {
    if (!executors[i]->Handles(job)) continue;
    return executors[i]->Run(job, dynamics, [&executors, i, &dynamics](const RolloutJob& piece) {
      return RunRollout(executors, i + 1, dynamics, piece);
    });
  }
  return dynamics.ReferenceReturns(job);
}

}  // namespace mbrl::models
