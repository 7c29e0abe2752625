#include "mbrl/models/mean_row_rollout.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "mbrl/core/shape.h"

namespace mbrl::models {
namespace {

using Kind = env::ObsFeatures::Feature::Kind;

env::ObsFeatures DeclaredFeatures(const RolloutDynamics& dynamics) {
  if (!MeanRowRollout::Supports(dynamics)) {
    throw std::invalid_argument("MeanRowRollout: task '" + dynamics.task().Name() +
                                "' does not declare its model input features and targets, or "
                                "the model is not float");
  }
  return *dynamics.task().ModelInputFeatures();
}

}  // namespace

bool MeanRowRollout::Supports(const RolloutDynamics& dynamics) {
  const auto& task = dynamics.task();
  return task.ModelInputFeatures().has_value() && task.ModelTargets().has_value() &&
         dynamics.model()->layer_weights()[0].scalar_type() == torch::kFloat;
}

int MeanRowRollout::DefaultThreads(const MemberMeanMlp& mlp) {
  return InferenceThreads() >= 2 && mlp.members() >= 2 &&
                 mlp.RowWeightFloats() >= kMinSplitWeightFloats
             ? 2
             : 1;
}

MeanRowRollout::MeanRowRollout(const RolloutDynamics& dynamics,
                               std::shared_ptr<const MemberMeanMlp> mlp, int threads)
    : task_(dynamics.task()),
      features_(DeclaredFeatures(dynamics)),
      O_(task_.ObsDim()),
      A_(task_.ActionDim()),
      I_(task_.ModelObsDim()) {
  mlp_ = mlp ? std::move(mlp) : std::make_shared<const MemberMeanMlp>(dynamics.model());
  saved_per_row_ = mlp_->SavedPerRow();
  scratch_.resize(static_cast<size_t>(mlp_->ScratchPerRow()));
  if (static_cast<int64_t>(features_.features.size()) != I_ || mlp_->in_dim() != I_ + A_ ||
      mlp_->out_dim() != O_) {
    throw std::invalid_argument(
        "MeanRowRollout: the model's input and output sizes do not match "
        "task '" +
        task_.Name() + "'");
  }
  is_delta_.assign(static_cast<size_t>(O_), 1);
  const auto targets = task_.ModelTargets();
  for (const int i : targets->absolute) is_delta_[static_cast<size_t>(i)] = 0;
  input_.resize(static_cast<size_t>(I_ + A_));
  pred_.resize(static_cast<size_t>(O_));
  if (threads == 0) threads = DefaultThreads(*mlp_);
  if (threads != 1 && threads != 2) {
    throw std::invalid_argument("MeanRowRollout: threads must be 0 (the default), 1 or 2, not " +
                                std::to_string(threads));
  }
  part_.resize(static_cast<size_t>(std::max(I_ + A_, O_)));
  forward_part_ = [this] {
    mlp_->ForwardPartInto(1, step_in_, part_.data(), step_saved_, scratch_.data());
  };
  backward_part_ = [this] {
    mlp_->BackwardPartInto(1, step_in_, step_saved_in_, part_.data(), scratch_.data());
  };
  if (threads == 2) helper_ = std::make_unique<LockstepHelper>();
}

template <class Part0>
void MeanRowRollout::InParts(const std::function<void()>& part1, const Part0& part0) const {
  if (!sharing_) {
    part0();
    part1();
    return;
  }
  using Clock = std::chrono::steady_clock;
  helper_->Post(part1);
  const auto start = Clock::now();
  part0();
  const auto mid = Clock::now();
  helper_->Wait();
  own_time_ += mid - start;
  wait_time_ += Clock::now() - mid;
}

void MeanRowRollout::BeginPass() const {
  sharing_ = helper_ && solo_passes_left_ == 0;
  if (!sharing_ && solo_passes_left_ > 0) --solo_passes_left_;
  own_time_ = wait_time_ = std::chrono::steady_clock::duration::zero();
}

void MeanRowRollout::EndPass() const {
  last_pass_shared_ = sharing_;
  if (!sharing_) return;
  // Part 1 has fewer members than part 0: on a core of its own it ends first, and the waits for
  // it are short beside the caller's own share.
  slow_passes_ = wait_time_ > own_time_ ? slow_passes_ + 1 : 0;
  if (slow_passes_ == kSlowPasses) {
    solo_passes_left_ = kSoloPasses;
    slow_passes_ = 0;
  }
}

torch::Tensor MeanRowRollout::Forward(const torch::Tensor& obs, const torch::Tensor& actions) {
  CheckShape(obs, {O_}, "MeanRowRollout obs");
  CheckShape(actions, {-1, A_}, "MeanRowRollout actions");
  const auto s0 = obs.to(torch::kFloat).contiguous();
  const auto acts = actions.to(torch::kFloat).contiguous();
  H_ = acts.size(0);
  states_.resize(static_cast<size_t>((H_ + 1) * O_));
  saved_.resize(static_cast<size_t>(H_ * saved_per_row_));
  std::memcpy(states_.data(), s0.data_ptr<float>(), sizeof(float) * O_);
  const float* a = acts.data_ptr<float>();
  float* x = input_.data();
  BeginPass();
  for (int64_t t = 0; t < H_; ++t) {
    const float* s = states_.data() + t * O_;
    for (int64_t i = 0; i < I_; ++i) {
      const auto& f = features_.features[static_cast<size_t>(i)];
      const float v = s[f.index];
      x[i] = f.kind == Kind::kCopy ? v : (f.kind == Kind::kSin ? std::sin(v) : std::cos(v));
    }
    std::memcpy(x + I_, a + t * A_, sizeof(float) * A_);
    float* saved = saved_.data() + t * saved_per_row_;
    step_in_ = x;
    step_saved_ = saved;
    InParts(forward_part_,
            [&] { mlp_->ForwardPartInto(0, x, pred_.data(), saved, scratch_.data()); });
    for (int64_t o = 0; o < O_; ++o) pred_[o] += part_[o];
    float* next = states_.data() + (t + 1) * O_;
    for (int64_t o = 0; o < O_; ++o) next[o] = is_delta_[o] ? s[o] + pred_[o] : pred_[o];
  }
  EndPass();
  return torch::from_blob(states_.data(), {H_ + 1, O_}, torch::kFloat).clone();
}

torch::Tensor MeanRowRollout::Backward(const torch::Tensor& g_states) const {
  CheckShape(g_states, {H_ + 1, O_}, "MeanRowRollout g_states");
  const auto gs_t = g_states.to(torch::kFloat).contiguous();
  const float* gs = gs_t.data_ptr<float>();
  auto g_actions = torch::empty({H_, A_}, torch::kFloat);
  float* ga = g_actions.data_ptr<float>();
  // G = d/d s_{t+1}, through the later steps; s_{t+1} = next(s_t, pred_t), pred_t = mlp(x_t),
  // x_t = [features(s_t), a_t]. d next / d pred is the identity (a change or the absolute value).
  std::vector<float> G(gs + H_ * O_, gs + (H_ + 1) * O_), next(O_), gx(I_ + A_);
  BeginPass();
  for (int64_t t = H_ - 1; t >= 0; --t) {
    const float* saved = saved_.data() + t * saved_per_row_;
    step_in_ = G.data();
    step_saved_in_ = saved;
    InParts(backward_part_,
            [&] { mlp_->BackwardPartInto(0, G.data(), saved, gx.data(), scratch_.data()); });
    for (int64_t i = 0; i < I_ + A_; ++i) gx[i] += part_[i];
    std::memcpy(ga + t * A_, gx.data() + I_, sizeof(float) * A_);
    const float* s = states_.data() + t * O_;
    for (int64_t o = 0; o < O_; ++o) next[o] = gs[t * O_ + o] + (is_delta_[o] ? G[o] : 0.0f);
    for (int64_t i = 0; i < I_; ++i) {
      const auto& f = features_.features[static_cast<size_t>(i)];
      const float v = s[f.index];
      next[f.index] += gx[i] * (f.kind == Kind::kCopy  ? 1.0f
                                : f.kind == Kind::kSin ? std::cos(v)
                                                       : -std::sin(v));
    }
    G.swap(next);
  }
  EndPass();
  return g_actions;
}

}  // namespace mbrl::models
