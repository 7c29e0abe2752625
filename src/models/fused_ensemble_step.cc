#include "mbrl/models/fused_ensemble_step.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "mbrl/core/blas_threads.h"
#include "mbrl/core/op_counter.h"
#include "mbrl/core/row_gemm.h"
#include "mbrl/core/vector_math.h"

namespace mbrl::models {
namespace {

// out = (mean + b_mean) + sqrt(exp_min + exp_max * sigmoid(gate + b_gate)) * eps, where each row
// of head [rows, 2 O] is [mean, gate] and b is [b_mean, b_gate].
MBRL_VECTOR_CLONES void HeadSample(const float* __restrict head, const float* __restrict b,
                                   const float* __restrict exp_min,
                                   const float* __restrict exp_max, const float* __restrict eps,
                                   int64_t rows, int64_t O, float* __restrict out) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* __restrict mean = head + r * 2 * O;
    const float* __restrict gate = mean + O;
    for (int64_t o = 0; o < O; ++o) {
      const float s = Sigmoid(gate[o] + b[O + o]);
      const float sd = std::sqrt(exp_min[o] + exp_max[o] * s);
      out[r * O + o] = (mean[o] + b[o]) + sd * eps[r * O + o];
    }
  }
}

// z [rows, width] += b [width] on every row.
MBRL_VECTOR_CLONES void AddBiasRows(float* __restrict z, const float* __restrict b, int64_t rows,
                                    int64_t width) {
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t j = 0; j < width; ++j) z[r * width + j] += b[j];
  }
}

void Check(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("FusedEnsembleStep: " + what);
}

bool IsFloatCpu(const torch::Tensor& t) {
  return t.defined() && t.device().is_cpu() && t.scalar_type() == torch::kFloat;
}

// MBRL_ROW_GEMM=0 runs every product on sgemm, to measure what RowGemm gains (read once).
bool RowGemmTurnedOff() {
  static const bool off = [] {
    const char* v = std::getenv("MBRL_ROW_GEMM");
    return v != nullptr && std::string(v) == "0";
  }();
  return off;
}

}  // namespace

bool FusedEnsembleStep::Available() { return BlasSgemm() != nullptr; }

bool FusedEnsembleStep::Available(const torch::TensorOptions& options) {
  return options.device().is_cpu() && options.dtype() == torch::kFloat && Available();
}

void FusedEnsembleStep::UseRowGemm(bool on) { row_gemm_ = on && RowGemmAvailable(); }

FusedEnsembleStep::FusedEnsembleStep(const std::vector<torch::Tensor>& weights,
                                     const std::vector<torch::Tensor>& biases,
                                     const torch::Tensor& exp_min, const torch::Tensor& exp_max,
                                     int64_t rows)
    : N_(rows), row_gemm_(RowGemmAvailable() && !RowGemmTurnedOff()) {
  Check(Available(), "OpenBLAS's sgemm is not loaded");
  Check(!weights.empty() && weights.size() == biases.size(), "one bias per layer");
  E_ = weights[0].size(0);
  widths_.push_back(weights[0].size(1));
  int64_t widest = 0;
  for (size_t l = 0; l < weights.size(); ++l) {
    const auto& w = weights[l];
    const auto& b = biases[l];
    Check(IsFloatCpu(w) && IsFloatCpu(b), "layers must be float CPU tensors");
    Check(w.dim() == 3 && w.size(0) == E_ && w.size(1) == widths_.back(),
          "layer " + std::to_string(l) + "'s weights must be [E, in, out] and follow the last");
    Check(b.numel() == E_ * w.size(2), "layer " + std::to_string(l) + "'s bias must be [E, 1, out]");
    weights_.push_back(w.contiguous());
    biases_.push_back(b.contiguous());
    widths_.push_back(w.size(2));
    if (l + 1 < weights.size()) widest = std::max(widest, w.size(2));
  }
  Check(widths_.back() % 2 == 0, "the heads must be [mean, log-variance]");
  O_ = widths_.back() / 2;
  if (exp_min.defined() || exp_max.defined()) {
    exp_min_ = exp_min.reshape({-1}).contiguous();
    exp_max_ = exp_max.reshape({-1}).contiguous();
    Check(IsFloatCpu(exp_min_) && IsFloatCpu(exp_max_) && exp_min_.numel() == O_ &&
              exp_max_.numel() == O_,
          "the variance bounds must be float CPU tensors of O numbers");
  }
  act_a_.resize(static_cast<size_t>(N_ * widest));
  act_b_.resize(static_cast<size_t>(N_ * widest));
  head_.resize(static_cast<size_t>(N_ * 2 * O_));
}

torch::Tensor FusedEnsembleStep::Predict(const torch::Tensor& x, const torch::Tensor& eps) {
  Check(exp_min_.defined(), "Predict needs the variance bounds");
  Check(IsFloatCpu(eps) && eps.dim() == 3 && eps.size(0) == E_ && eps.size(1) == N_ &&
            eps.size(2) == O_,
        "eps must be float [E, rows, O] on the CPU");
  const auto ec = eps.contiguous();
  return Members(x, ec.data_ptr<float>());
}

torch::Tensor FusedEnsembleStep::Heads(const torch::Tensor& x) { return Members(x, nullptr); }

torch::Tensor FusedEnsembleStep::Members(const torch::Tensor& x, const float* eps) {
  Check(IsFloatCpu(x) && x.dim() == 3 && x.size(0) == E_ && x.size(1) == N_ &&
            x.size(2) == widths_[0],
        "x must be float [E, rows, in] on the CPU");
  const auto xc = x.contiguous();
  const int64_t width = eps ? O_ : 2 * O_;
  auto out = torch::empty({E_, N_, width}, x.options());
  for (int64_t e = 0; e < E_; ++e) {
    Member(e, xc.data_ptr<float>() + e * N_ * widths_[0], eps ? eps + e * N_ * O_ : nullptr,
           out.data_ptr<float>() + e * N_ * width);
  }
  return out;
}

void FusedEnsembleStep::SetStepIo(StepIo io) {
  Check(io.actions >= 0 && io.angle_count >= 0 && io.angle_begin >= 0 &&
            io.angle_begin + io.angle_count <= O_,
        "the angles must be state entries");
  Check(widths_[0] == O_ + io.actions + 2 * io.angle_count,
        "the first layer must take [state, action, sin(angles), cos(angles)]");
  is_delta_.assign(static_cast<size_t>(O_), 1);
  for (const int i : io.absolute) {
    Check(i >= 0 && i < O_, "an absolute target entry must be a state entry");
    is_delta_[static_cast<size_t>(i)] = 0;
  }
  input_.resize(static_cast<size_t>(N_ * widths_[0]));
  io_ = std::move(io);
}

torch::Tensor FusedEnsembleStep::Step(const torch::Tensor& state, const torch::Tensor& action,
                                      const torch::Tensor& eps) {
  Check(io_.has_value(), "Step needs SetStepIo first");
  Check(exp_min_.defined(), "Step needs the variance bounds");
  const int64_t A = io_->actions, n = io_->angle_count, I = widths_[0];
  Check(IsFloatCpu(state) && state.dim() == 3 && state.size(0) == E_ && state.size(1) == N_ &&
            state.size(2) == O_ && state.is_contiguous(),
        "state must be contiguous float [E, rows, O] on the CPU");
  Check(IsFloatCpu(action) && action.dim() == 3 && action.size(0) == E_ &&
            action.size(1) == N_ && action.size(2) == A && (A <= 1 || action.stride(2) == 1),
        "action must be float [E, rows, A] on the CPU, each row's entries contiguous");
  Check(IsFloatCpu(eps) && eps.dim() == 3 && eps.size(0) == E_ && eps.size(1) == N_ &&
            eps.size(2) == O_,
        "eps must be float [E, rows, O] on the CPU");
  const auto ec = eps.contiguous();
  auto next = torch::empty({E_, N_, O_}, state.options());
  const float* s_all = state.data_ptr<float>();
  const float* a_all = action.data_ptr<float>();
  float* next_all = next.data_ptr<float>();
  const int64_t a_member = action.stride(0), a_row = action.stride(1);
  for (int64_t e = 0; e < E_; ++e) {
    const float* s = s_all + e * N_ * O_;
    for (int64_t r = 0; r < N_; ++r) {
      const float* sr = s + r * O_;
      const float* ar = a_all + e * a_member + r * a_row;
      float* row = input_.data() + r * I;
      std::memcpy(row, sr, sizeof(float) * O_);
      std::memcpy(row + O_, ar, sizeof(float) * A);
      for (int64_t i = 0; i < n; ++i) {
        const float angle = sr[io_->angle_begin + i];
        row[O_ + A + i] = std::sin(angle);
        row[O_ + A + n + i] = std::cos(angle);
      }
    }
    float* out = next_all + e * N_ * O_;
    Member(e, input_.data(), ec.data_ptr<float>() + e * N_ * O_, out);
    for (int64_t r = 0; r < N_; ++r) {
      for (int64_t o = 0; o < O_; ++o) {
        if (is_delta_[static_cast<size_t>(o)]) out[r * O_ + o] = s[r * O_ + o] + out[r * O_ + o];
      }
    }
  }
  return next;
}

void FusedEnsembleStep::Member(int64_t e, const float* in, const float* eps, float* out) {
  const SgemmFn sgemm = BlasSgemm();
  const size_t L = weights_.size();
  const float one = 1.0f, zero = 0.0f;
  const int n = static_cast<int>(N_);
  for (size_t l = 0; l < L; ++l) {
    const int k = static_cast<int>(widths_[l]), m = static_cast<int>(widths_[l + 1]);
    const bool hidden = l + 1 < L, heads_out = !hidden && eps == nullptr;
    float* dst = heads_out    ? out
                 : !hidden    ? head_.data()
                 : l % 2 == 0 ? act_a_.data()
                              : act_b_.data();
    const float* w = weights_[l].data_ptr<float>() + e * k * m;
    const float* bias = biases_[l].data_ptr<float>() + e * m;
    const bool on_row_gemm = row_gemm_ && m >= kRowGemmMinColumns;
    AddMatmulFlops(2.0 * static_cast<double>(N_) * k * m);
    if (on_row_gemm && hidden) {
      RowGemmBiasSilu(in, w, bias, n, k, m, dst);
    } else if (on_row_gemm) {
      RowGemm(in, w, n, k, m, dst);
    } else {
      // Row-major dst [N, m] = in [N, k] W [k, m] is column-major dst^T = W^T in^T.
      sgemm("N", "N", &m, &n, &k, &one, w, &m, in, &k, &zero, dst, &m);
      if (hidden) BiasSiluRows(dst, bias, N_, m);
    }
    if (hidden) {
      in = dst;
    } else if (heads_out) {
      AddBiasRows(dst, bias, N_, m);
    } else {
      HeadSample(dst, bias, exp_min_.data_ptr<float>(), exp_max_.data_ptr<float>(), eps, N_, O_,
                 out);
    }
  }
}

}  // namespace mbrl::models
