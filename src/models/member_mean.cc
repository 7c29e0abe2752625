#include "mbrl/models/member_mean.h"

#include <cstring>
#include <stdexcept>
#include <string>

#include "mbrl/core/op_counter.h"
#include "mbrl/core/shape.h"
#include "mbrl/core/vector_clones.h"

namespace mbrl::models {
namespace {

// Plain loops for one row's matrix-vector products (core/vector_clones.h); faster than torch ops
// per member and layer, and than OpenBLAS's sgemv (docs/performance.md, "One-sequence mean
// rollouts").

// y[j] += sum_i x[i] w[i][j] for a row-major w [n_in, n_out]: the rows scaled and added, so the
// inner loop runs along y and vectorises without reordering sums.
template <class T>
MBRL_INLINE void AddRows(const T* __restrict w, const T* __restrict x, int64_t n_in,
                         int64_t n_out, T* __restrict y) {
  AddMatmulFlops(2.0 * static_cast<double>(n_in) * static_cast<double>(n_out));
  for (int64_t i = 0; i < n_in; ++i) {
    const T xi = x[i];
    const T* __restrict row = w + i * n_out;
    for (int64_t j = 0; j < n_out; ++j) y[j] += xi * row[j];
  }
}

// g[i] += sum_j w[i][j] v[j] for a row-major w [n_in, n_out]: one dot product per row, over 16
// independent partial sums so that it vectorises. With GCC the 16 sums are one vector-extension
// value: g++ 16 does not vectorise the array form, which ran 3x slower there (the same sums in
// the same order, so the results are bit for bit those of the array form).
template <class T>
MBRL_INLINE void AddDots(const T* __restrict w, const T* __restrict v, int64_t n_in, int64_t n_out,
                         T* __restrict g) {
  AddMatmulFlops(2.0 * static_cast<double>(n_in) * static_cast<double>(n_out));
  constexpr int64_t kLanes = 16;
  for (int64_t i = 0; i < n_in; ++i) {
    const T* __restrict row = w + i * n_out;
    int64_t j = 0;
#if defined(__GNUC__)
    typedef T Lanes __attribute__((vector_size(kLanes * sizeof(T))));
    Lanes acc = {};
    for (; j + kLanes <= n_out; j += kLanes) {
      Lanes a, b;
      std::memcpy(&a, row + j, sizeof a);
      std::memcpy(&b, v + j, sizeof b);
      acc += a * b;
    }
#else
    T acc[kLanes] = {};
    for (; j + kLanes <= n_out; j += kLanes) {
      for (int64_t k = 0; k < kLanes; ++k) acc[k] += row[j + k] * v[j + k];
    }
#endif
    T sum = 0;
    for (; j < n_out; ++j) sum += row[j] * v[j];
    for (int64_t k = 0; k < kLanes; ++k) sum += acc[k];
    g[i] += sum;
  }
}

// gz = g * silu'(z), silu'(z) = s (1 + z (1 - s)) with s = sigmoid(z) saved by the forward pass.
template <class T>
MBRL_INLINE void SiluBackward(const T* __restrict g, const T* __restrict z, const T* __restrict s,
                              int64_t n, T* __restrict gz) {
  for (int64_t j = 0; j < n; ++j) gz[j] = g[j] * s[j] * (1 + z[j] * (1 - s[j]));
}

// One clone set per element type (overloads, so that the templates' callers pick by type).
MBRL_VECTOR_CLONES void AddRowsT(const float* w, const float* x, int64_t n_in, int64_t n_out,
                                 float* y) {
  AddRows(w, x, n_in, n_out, y);
}
MBRL_VECTOR_CLONES void AddRowsT(const double* w, const double* x, int64_t n_in, int64_t n_out,
                                 double* y) {
  AddRows(w, x, n_in, n_out, y);
}
MBRL_VECTOR_CLONES void AddDotsT(const float* w, const float* v, int64_t n_in, int64_t n_out,
                                 float* g) {
  AddDots(w, v, n_in, n_out, g);
}
MBRL_VECTOR_CLONES void AddDotsT(const double* w, const double* v, int64_t n_in, int64_t n_out,
                                 double* g) {
  AddDots(w, v, n_in, n_out, g);
}
MBRL_VECTOR_CLONES void SiluBackwardT(const float* g, const float* z, const float* s, int64_t n,
                                      float* gz) {
  SiluBackward(g, z, s, n, gz);
}
MBRL_VECTOR_CLONES void SiluBackwardT(const double* g, const double* z, const double* s, int64_t n,
                                      double* gz) {
  SiluBackward(g, z, s, n, gz);
}

void CheckRowType(const torch::Tensor& t, const char* what) {
  if (!t.device().is_cpu() || (t.scalar_type() != torch::kFloat &&
                               t.scalar_type() != torch::kDouble)) {
    throw std::invalid_argument(std::string("MemberMeanMlp ") + what +
                                ": the one-row path needs a float or double CPU tensor");
  }
}

// The one-row MLP as one autograd node: the forward saves the pre-activations, the backward runs
// the chain rule by hand with matrix-vector products. Autograd's own graph has about 30 nodes per
// model step here, and its bookkeeping, not the arithmetic, made up most of the backward pass.
// The weights travel in saved_data, so the node does not depend on the MemberMeanMlp's lifetime.
struct RowFunction : torch::autograd::Function<RowFunction> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               const MemberMeanMlp* mlp) {
    std::vector<torch::Tensor> pre;
    auto out = mlp->ForwardRow(x, &pre);
    ctx->saved_data["pre"] = pre;
    ctx->saved_data["weights"] = mlp->BackwardWeights();
    ctx->saved_data["members"] = mlp->members();
    return out;
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_out) {
    const auto gx = MemberMeanMlp::BackwardRow(
        grad_out[0], ctx->saved_data["pre"].toTensorVector(),
        ctx->saved_data["weights"].toTensorVector(), ctx->saved_data["members"].toInt());
    return {gx, torch::Tensor()};
  }
};

}  // namespace

MemberMeanMlp::MemberMeanMlp(GaussianEnsemble model) : model_(std::move(model)) {
  torch::NoGradGuard no_grad;  // a detached snapshot
  const auto& ws = model_->layer_weights();
  const auto& bs = model_->layer_biases();
  E_ = model_->ensemble_size();
  in_ = model_->in_dim();
  out_ = model_->out_dim();
  const size_t last = ws.size() - 1;
  // Normalisation folded into the first layer: ((x - mu) / sigma) W + b = x (W / sigma) + b -
  // (mu / sigma) W.
  const int64_t h1 = ws[0].size(2);
  const auto& norm = model_->normalizer();
  const auto w0 = ws[0].permute({1, 0, 2}).reshape({in_, E_ * h1});  // [in, E * h1]
  first_w_ = (w0 / norm->std().unsqueeze(1)).contiguous();
  first_b_ = bs[0].reshape({E_ * h1}) - torch::matmul(norm->mean() / norm->std(), w0);
  for (int64_t e = 0; e < E_; ++e) {
    first_w_rows_.push_back(first_w_.narrow(1, e * h1, h1).contiguous());  // [in, h1]
  }
  for (size_t l = 1; l < last; ++l) {
    hidden_w_.push_back(ws[l].detach().contiguous());  // [E, h_in, h_out]
    hidden_b_.push_back(bs[l].detach().contiguous());  // [E, 1, h_out]
    hidden_rows_.push_back(hidden_w_.back().unbind(0));  // E x [h_in, h_out]
  }
  const int64_t hl = ws[last].size(1);
  head_w_ = (ws[last].narrow(2, 0, out_).reshape({E_ * hl, out_}) / E_).contiguous();
  head_b_ = bs[last].narrow(2, 0, out_).mean(0).reshape({out_});
}

std::vector<torch::Tensor> MemberMeanMlp::BackwardWeights() const {
  // Per member: first layer [in, h1], hidden layers [h_in, h_out], head rows [hL, out].
  std::vector<torch::Tensor> w;
  const int64_t hl = head_w_.size(0) / E_;
  for (int64_t e = 0; e < E_; ++e) {
    w.push_back(first_w_rows_[e]);
    for (const auto& layer : hidden_rows_) w.push_back(layer[e]);
    w.push_back(head_w_.narrow(0, e * hl, hl));
  }
  return w;
}

torch::Tensor MemberMeanMlp::ForwardRow(const torch::Tensor& x_in,
                                        std::vector<torch::Tensor>* pre) const {
  CheckRowType(first_w_, "weights");
  const auto x = x_in.to(first_w_.scalar_type()).contiguous();  // [in]
  torch::Tensor out;
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "MemberMeanMlp::ForwardRow", [&] {
    // One layer for every member: z_e = b_e + h_e W_e, then h = silu(z) = z * sigmoid(z). The
    // first layer's input is shared (stride 0); later layers' members sit side by side.
    const auto layer = [&](const torch::Tensor& h, int64_t stride,
                           const std::vector<torch::Tensor>& weight, const torch::Tensor& bias) {
      const int64_t n_in = weight[0].size(0), n_out = weight[0].size(1);
      auto z = bias.reshape({E_ * n_out}).clone();  // [E * n_out]
      for (int64_t e = 0; e < E_; ++e) {
        AddRowsT(weight[e].template data_ptr<scalar_t>(),
                 h.template data_ptr<scalar_t>() + e * stride, n_in, n_out,
                 z.template data_ptr<scalar_t>() + e * n_out);
      }
      const auto sig = torch::sigmoid(z);
      if (pre) {
        pre->push_back(z);
        pre->push_back(sig);
      }
      return z * sig;
    };
    auto h = layer(x, 0, first_w_rows_, first_b_);
    for (size_t l = 0; l < hidden_rows_.size(); ++l) {
      h = layer(h, hidden_rows_[l][0].size(0), hidden_rows_[l], hidden_b_[l]);
    }
    out = head_b_.clone();  // [out], the members' heads at once: [E * hL] x [E * hL, out]
    AddRowsT(head_w_.data_ptr<scalar_t>(), h.template data_ptr<scalar_t>(), head_w_.size(0), out_,
             out.template data_ptr<scalar_t>());
  });
  return out;
}

torch::Tensor MemberMeanMlp::BackwardRow(const torch::Tensor& grad_out,
                                         const std::vector<torch::Tensor>& pre,
                                         const std::vector<torch::Tensor>& weights,
                                         int64_t members) {
  // pre: [z_1, s_1, ..., z_L, s_L] (pre-activations and their sigmoids, members side by side);
  // weights: BackwardWeights(), K = L + 1 matrices per member.
  const int64_t K = static_cast<int64_t>(weights.size()) / members;
  const int64_t L = K - 1;
  CheckRowType(weights[0], "weights");
  const auto g_out = grad_out.reshape({-1}).to(weights[0].scalar_type()).contiguous();
  torch::Tensor gx;
  AT_DISPATCH_FLOATING_TYPES(g_out.scalar_type(), "MemberMeanMlp::BackwardRow", [&] {
    const auto& head = weights[K - 1];  // member 0's [hL, out]
    const int64_t hl = head.size(0), out = head.size(1);
    auto g = torch::zeros({members * hl}, g_out.options());  // d/dh of the last hidden layer
    for (int64_t e = 0; e < members; ++e) {
      AddDotsT(weights[e * K + K - 1].template data_ptr<scalar_t>(),
               g_out.template data_ptr<scalar_t>(), hl, out,
               g.template data_ptr<scalar_t>() + e * hl);
    }
    for (int64_t l = L - 1; l >= 0; --l) {
      const auto& z = pre[2 * l];
      const auto& sig = pre[2 * l + 1];
      const int64_t n_out = z.numel() / members;
      auto gz = torch::empty_like(z);
      SiluBackwardT(g.template data_ptr<scalar_t>(), z.template data_ptr<scalar_t>(),
                    sig.template data_ptr<scalar_t>(), z.numel(), gz.template data_ptr<scalar_t>());
      const int64_t n_in = weights[l].size(0);  // member 0's matrix of this layer
      // As in ForwardRow: the first layer's input is shared by the members (stride 0, their
      // gradients add up); later layers' members sit side by side.
      const int64_t stride = l == 0 ? 0 : n_in;
      g = torch::zeros({l == 0 ? n_in : members * n_in}, g_out.options());
      for (int64_t e = 0; e < members; ++e) {
        AddDotsT(weights[e * K + l].template data_ptr<scalar_t>(),
                 gz.template data_ptr<scalar_t>() + e * n_out, n_in, n_out,
                 g.template data_ptr<scalar_t>() + e * stride);
      }
    }
    gx = g;
  });
  return gx;  // [in]
}

torch::Tensor MemberMeanMlp::Forward(const torch::Tensor& x) const {
  CheckShape(x, {-1, in_}, "MemberMeanMlp input");
  const int64_t N = x.size(0);
  const bool grad = torch::GradMode::is_enabled() && x.requires_grad();
  if (!x.device().is_cpu() || (N > 1 && grad)) return ForwardBatched(x);
  if (N == 1) {
    const auto row = x.reshape({in_});
    const auto out = grad ? RowFunction::apply(row, this) : ForwardRow(row, nullptr);
    return out.view({1, out_});
  }
  torch::NoGradGuard no_grad;
  if (N >= GaussianEnsembleImpl::kMinThreadedRows) {
    return model_->forward(x.unsqueeze(0).expand({E_, N, in_})).first.mean(0);  // threaded chunks
  }
  return ForwardBatched(x);
}

torch::Tensor MemberMeanMlp::ForwardBatched(const torch::Tensor& x) const {
  const int64_t N = x.size(0);
  auto h = torch::silu(torch::addmm(first_b_, x, first_w_)).view({N, E_, -1}).transpose(0, 1);
  for (size_t l = 0; l < hidden_w_.size(); ++l) {
    h = torch::silu(torch::baddbmm(hidden_b_[l], h, hidden_w_[l]));  // [E, N, h]
  }
  return torch::addmm(head_b_, h.transpose(0, 1).reshape({N, -1}), head_w_);  // [N, out]
}

}  // namespace mbrl::models
