#include "mbrl/models/member_mean.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "mbrl/core/op_counter.h"
#include "mbrl/core/row_gemm.h"
#include "mbrl/core/shape.h"
#include "mbrl/core/vector_math.h"

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
MBRL_VECTOR_CLONES void SiluBackwardT(const float* g, const float* z, const float* s, int64_t n,
                                      float* gz) {
  SiluBackward(g, z, s, n, gz);
}
MBRL_VECTOR_CLONES void SiluBackwardT(const double* g, const double* z, const double* s, int64_t n,
                                      double* gz) {
  SiluBackward(g, z, s, n, gz);
}

// s = sigmoid(z) and h = z * s.
MBRL_VECTOR_CLONES void SiluSavingT(const float* __restrict z, int64_t n, float* __restrict s,
                                    float* __restrict h) {
  for (int64_t j = 0; j < n; ++j) {
    s[j] = Sigmoid(z[j]);
    h[j] = z[j] * s[j];
  }
}
void SiluSavingT(const double* __restrict z, int64_t n, double* __restrict s,
                 double* __restrict h) {
  for (int64_t j = 0; j < n; ++j) {
    s[j] = 1.0 / (1.0 + std::exp(-z[j]));
    h[j] = z[j] * s[j];
  }
}

// One row's layers as raw pointers. Matrix k of member e is w[e * K + k], row-major: the first
// layer (normalisation folded in), the hidden layers, and the member's rows of the averaged mean
// head (K = L + 1 for L hidden layers); [n_in[k], n_out[k]] as the forward pass reads them, or
// `transposed` ([n_out[k], n_in[k]]) for a backward pass that runs AddRows too.
template <class T>
struct RowNet {
  int64_t E = 0, K = 0;
  bool transposed = false;
  std::vector<const T*> w;
  std::vector<int64_t> n_in, n_out;  // [K]
};

template <class T>
RowNet<T> MakeRowNet(const std::vector<torch::Tensor>& weights, int64_t members, bool transposed) {
  RowNet<T> net;
  net.E = members;
  net.K = static_cast<int64_t>(weights.size()) / members;
  net.transposed = transposed;
  for (const auto& m : weights) net.w.push_back(m.template data_ptr<T>());
  for (int64_t k = 0; k < net.K; ++k) {
    net.n_in.push_back(weights[k].size(transposed ? 1 : 0));
    net.n_out.push_back(weights[k].size(transposed ? 0 : 1));
  }
  return net;
}

// The backward pass's product for matrix k of a RowNet: y [n_in] += W_k g [n_out], where W_k is
// the forward layer's [n_in, n_out]. On a transposed net (the matrices [n_out, n_in]) it is
// AddRows; on the forward net itself, RowDots (float only, where RowGemmAvailable()), which reads
// the weights the forward pass just read instead of a copy of them, half the bytes per pass
// (docs/performance.md, "One-sequence mean rollouts").
template <class T>
void BackProduct(const RowNet<T>& net, int64_t k, const T* g, int64_t n_in, int64_t n_out, T* y) {
  if (net.transposed) {
    AddRowsT(net.w[k], g, n_out, n_in, y);
  } else if constexpr (std::is_same_v<T, float>) {
    AddMatmulFlops(2.0 * static_cast<double>(n_in) * static_cast<double>(n_out));
    RowDots(net.w[k], g, n_in, n_out, y);
  } else {
    throw std::logic_error("MemberMeanMlp: a double backward pass needs the transposed weights");
  }
}

// Each hidden layer's bias [E * h_l]: the first layer's, then the others'.
template <class T>
std::vector<const T*> HiddenBiases(const torch::Tensor& first,
                                   const std::vector<torch::Tensor>& rest) {
  std::vector<const T*> b = {first.template data_ptr<T>()};
  for (const auto& t : rest) b.push_back(t.template data_ptr<T>());
  return b;
}

// Members [e0, e1) of the one-row forward: x [in] -> their terms of the mean head added to `out`
// [out], given hidden biases b (L x [E * h_l]). Each hidden layer's z and sigmoid(z) [E * h_l] go
// to `saved` one after the other, members side by side, each member's at its own place. The first
// layer's input is shared by the members (stride 0); later layers' sit side by side in act_a and
// act_b (E * widest each), each member's at its own place too, so that two calls on disjoint
// member ranges may run at once on the same buffers.
template <class T>
void RowForwardMembers(const RowNet<T>& net, const std::vector<const T*>& b, const T* x,
                       int64_t e0, int64_t e1, T* out, T* saved, T* act_a, T* act_b) {
  const int64_t E = net.E, L = net.K - 1;
  const T* h = x;
  int64_t stride = 0;
  for (int64_t l = 0; l < L; ++l) {
    const int64_t n_in = net.n_in[l], n_out = net.n_out[l];
    T* z = saved;
    T* s = saved + E * n_out;
    saved += 2 * E * n_out;
    std::memcpy(z + e0 * n_out, b[l] + e0 * n_out, sizeof(T) * (e1 - e0) * n_out);
    for (int64_t e = e0; e < e1; ++e) {
      AddRowsT(net.w[e * net.K + l], h + e * stride, n_in, n_out, z + e * n_out);
    }
    T* next = l % 2 == 0 ? act_a : act_b;
    SiluSavingT(z + e0 * n_out, (e1 - e0) * n_out, s + e0 * n_out, next + e0 * n_out);
    h = next;
    stride = n_out;
  }
  const int64_t hl = net.n_in[L], O = net.n_out[L];
  for (int64_t e = e0; e < e1; ++e) AddRowsT(net.w[e * net.K + L], h + e * hl, hl, O, out);
}

// The members of part 0 or 1 of a one-row pass: [0, split) and [split, E), the two fixed parts
// (MemberMeanMlp::SplitMembers) whose sums add up at the end, part 0's first. One thread computes
// them in turn (RowForward, RowBackward) as two compute them at once (ForwardPartInto,
// BackwardPartInto), so that the results are the same bit for bit on one thread or two.
struct MemberRange {
  int64_t e0, e1;
};
MemberRange PartMembers(int part, int64_t split, int64_t members) {
  return part == 0 ? MemberRange{0, split} : MemberRange{split, members};
}

// Part `part` of the one-row forward: its members' terms of the mean head in `out` [out], part 0
// with the head's bias [out], part 1 from zero.
template <class T>
void RowForwardPart(const RowNet<T>& net, const std::vector<const T*>& b, const T* head_b,
                    int64_t split, int part, const T* x, T* out, T* saved, T* act_a, T* act_b) {
  const int64_t O = net.n_out[net.K - 1];
  if (part == 0) {
    std::memcpy(out, head_b, sizeof(T) * O);
  } else {
    std::fill(out, out + O, T(0));
  }
  const auto r = PartMembers(part, split, net.E);
  RowForwardMembers(net, b, x, r.e0, r.e1, out, saved, act_a, act_b);
}

// The whole one-row forward: x [in] -> out [out], part 0's sum + part 1's (in part_out [out]).
template <class T>
void RowForward(const RowNet<T>& net, const std::vector<const T*>& b, const T* head_b,
                int64_t split, const T* x, T* out, T* saved, T* act_a, T* act_b, T* part_out) {
  RowForwardPart(net, b, head_b, split, 0, x, out, saved, act_a, act_b);
  RowForwardPart(net, b, head_b, split, 1, x, part_out, saved, act_a, act_b);
  for (int64_t o = 0; o < net.n_out[net.K - 1]; ++o) out[o] += part_out[o];
}

// Members [e0, e1) of the one-row input gradient of sum(g_out * RowForward(x)), from its `saved`,
// with the net's matrices (BackProduct): g_out [out] -> their terms of g_x [in], written (not
// added) to g_x. g_a, g_b: E * widest each, each member's at its own place, as in RowForwardMembers.
template <class T>
void RowBackwardMembers(const RowNet<T>& net, const T* g_out, const T* saved, int64_t e0,
                        int64_t e1, T* g_x, T* g_a, T* g_b) {
  const int64_t E = net.E, K = net.K, L = K - 1;
  // Layer l's z and sigmoid(z) in `saved`, walked from the last layer's back to the first's.
  const T* saved_l = saved;
  for (int64_t l = 0; l < L; ++l) saved_l += 2 * E * net.n_out[l];
  // d/dh of the last hidden layer, members side by side.
  const int64_t hl = net.n_in[L];
  T* g = g_a;
  std::fill(g + e0 * hl, g + e1 * hl, T(0));
  for (int64_t e = e0; e < e1; ++e) {
    BackProduct(net, e * K + L, g_out, hl, net.n_out[L], g + e * hl);
  }
  for (int64_t l = L - 1; l >= 0; --l) {
    const int64_t n_in = net.n_in[l], n_out = net.n_out[l];
    T* gz = g == g_a ? g_b : g_a;
    saved_l -= 2 * E * n_out;
    const T* z = saved_l;
    const T* s = saved_l + E * n_out;
    SiluBackwardT(g + e0 * n_out, z + e0 * n_out, s + e0 * n_out, (e1 - e0) * n_out,
                  gz + e0 * n_out);
    // The first layer's input is shared by the members (their gradients add up).
    if (l == 0) {
      std::fill(g_x, g_x + n_in, T(0));
      for (int64_t e = e0; e < e1; ++e) BackProduct(net, e * K, gz + e * n_out, n_in, n_out, g_x);
    } else {
      std::fill(g + e0 * n_in, g + e1 * n_in, T(0));
      for (int64_t e = e0; e < e1; ++e) {
        BackProduct(net, e * K + l, gz + e * n_out, n_in, n_out, g + e * n_in);
      }
    }
  }
}

// Part `part` of the one-row input gradient: its members' terms of g_x [in].
template <class T>
void RowBackwardPart(const RowNet<T>& net, int64_t split, int part, const T* g_out,
                     const T* saved, T* g_x, T* g_a, T* g_b) {
  const auto r = PartMembers(part, split, net.E);
  RowBackwardMembers(net, g_out, saved, r.e0, r.e1, g_x, g_a, g_b);
}

// The whole one-row input gradient: part 0's sum + part 1's (in part_g [in]), as in RowForward.
template <class T>
void RowBackward(const RowNet<T>& net, int64_t split, const T* g_out, const T* saved, T* g_x,
                 T* g_a, T* g_b, T* part_g) {
  RowBackwardPart(net, split, 0, g_out, saved, g_x, g_a, g_b);
  RowBackwardPart(net, split, 1, g_out, saved, part_g, g_a, g_b);
  for (int64_t i = 0; i < net.n_in[0]; ++i) g_x[i] += part_g[i];
}

// The first of the members the second part takes (MemberMeanMlp::SplitMembers).
int64_t SplitOf(int64_t members) { return (members + 1) / 2; }

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

// The float one-row path's pointers and sizes, built once per MemberMeanMlp.
struct MemberMeanMlp::FloatRows {
  RowNet<float> forward, backward;
  std::vector<const float*> biases;
};

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
  for (int64_t e = 0; e < E_; ++e) {
    row_weights_.push_back(first_w_rows_[e]);
    for (const auto& layer : hidden_rows_) row_weights_.push_back(layer[e]);
    row_weights_.push_back(head_w_.narrow(0, e * hl, hl));
  }
  for (const auto& w : row_weights_) row_weights_t_.push_back(w.t().contiguous());
  // The one-row loops' buffers hold a layer's activations (or gradients) for every member, or
  // the shared first layer's input gradient of each member.
  int64_t widest = in_;
  for (const auto& w : row_weights_) widest = std::max({widest, w.size(0), w.size(1)});
  scratch_half_ = E_ * widest;
  if (first_w_.scalar_type() == torch::kFloat) {
    float_rows_ = std::make_shared<const FloatRows>(
        FloatRows{MakeRowNet<float>(row_weights_, E_, false),
                  MakeRowNet<float>(row_weights_t_, E_, true),
                  HiddenBiases<float>(first_b_, hidden_b_)});
  }
}

std::vector<torch::Tensor> MemberMeanMlp::BackwardWeights() const { return row_weights_t_; }

int64_t MemberMeanMlp::SavedPerRow() const {
  int64_t n = 2 * first_b_.numel();
  for (const auto& b : hidden_b_) n += 2 * b.numel();
  return n;
}

torch::Tensor MemberMeanMlp::ForwardRow(const torch::Tensor& x_in,
                                        std::vector<torch::Tensor>* pre) const {
  CheckRowType(first_w_, "weights");
  const auto x = x_in.to(first_w_.scalar_type()).contiguous();  // [in]
  auto out = torch::empty({out_}, x.options());
  auto saved = torch::empty({SavedPerRow()}, x.options());
  auto act = torch::empty({ScratchPerRow()}, x.options());
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "MemberMeanMlp::ForwardRow", [&] {
    scalar_t* a = act.data_ptr<scalar_t>();
    RowForward(MakeRowNet<scalar_t>(row_weights_, E_, false),
               HiddenBiases<scalar_t>(first_b_, hidden_b_), head_b_.data_ptr<scalar_t>(),
               SplitMembers(), x.data_ptr<scalar_t>(), out.data_ptr<scalar_t>(),
               saved.data_ptr<scalar_t>(), a, a + scratch_half_, a + 2 * scratch_half_);
  });
  if (pre) {
    std::vector<int64_t> sizes = {first_b_.numel()};
    for (const auto& b : hidden_b_) sizes.push_back(b.numel());
    int64_t at = 0;
    for (const int64_t n : sizes) {
      pre->push_back(saved.narrow(0, at, n));      // z
      pre->push_back(saved.narrow(0, at + n, n));  // sigmoid(z)
      at += 2 * n;
    }
  }
  return out;
}

torch::Tensor MemberMeanMlp::BackwardRow(const torch::Tensor& grad_out,
                                         const std::vector<torch::Tensor>& pre,
                                         const std::vector<torch::Tensor>& weights,
                                         int64_t members) {
  // pre: [z_1, s_1, ..., z_L, s_L] (pre-activations and their sigmoids, members side by side) as
  // ForwardRow gives them: views of one buffer, in order; weights: BackwardWeights().
  CheckRowType(weights[0], "weights");
  const auto g_out = grad_out.reshape({-1}).to(weights[0].scalar_type()).contiguous();
  int64_t widest = 0;
  for (const auto& z : pre) widest = std::max(widest, z.numel());
  const int64_t in = weights[0].size(1);  // transposed: [h1, in]
  auto gx = torch::empty({in}, g_out.options());
  const int64_t half = std::max(widest, members * in);
  auto buf = torch::empty({2 * half + in}, g_out.options());
  AT_DISPATCH_FLOATING_TYPES(g_out.scalar_type(), "MemberMeanMlp::BackwardRow", [&] {
    // The saved values one after the other, as RowForward wrote them.
    std::vector<scalar_t> saved;
    for (const auto& t : pre) {
      const auto c = t.contiguous();
      saved.insert(saved.end(), c.data_ptr<scalar_t>(), c.data_ptr<scalar_t>() + c.numel());
    }
    scalar_t* b = buf.data_ptr<scalar_t>();
    RowBackward(MakeRowNet<scalar_t>(weights, members, true), SplitOf(members),
                g_out.data_ptr<scalar_t>(), saved.data(), gx.data_ptr<scalar_t>(), b, b + half,
                b + 2 * half);
  });
  return gx;  // [in]
}

int64_t MemberMeanMlp::SplitMembers() const { return SplitOf(E_); }

int64_t MemberMeanMlp::RowWeightFloats() const {
  int64_t n = 0;
  for (const auto& w : row_weights_) n += w.numel();
  return n;
}

int64_t MemberMeanMlp::ScratchPerRow() const { return 2 * scratch_half_ + std::max(in_, out_); }

const MemberMeanMlp::FloatRows& MemberMeanMlp::Float(const char* what) const {
  if (!float_rows_) {
    throw std::invalid_argument(std::string("MemberMeanMlp::") + what + " needs float weights");
  }
  return *float_rows_;
}

void MemberMeanMlp::ForwardPartInto(int part, const float* x, float* out, float* saved,
                                    float* scratch) const {
  const auto& f = Float("ForwardPartInto");
  RowForwardPart(f.forward, f.biases, head_b_.data_ptr<float>(), SplitMembers(), part, x, out,
                 saved, scratch, scratch + scratch_half_);
}

void MemberMeanMlp::BackwardPartInto(int part, const float* g_out, const float* saved,
                                     float* g_x, float* scratch) const {
  const auto& f = Float("BackwardPartInto");
  RowBackwardPart(RowGemmAvailable() ? f.forward : f.backward, SplitMembers(), part, g_out,
                  saved, g_x, scratch, scratch + scratch_half_);
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
