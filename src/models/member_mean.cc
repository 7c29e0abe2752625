#include "mbrl/models/member_mean.h"

#include "mbrl/core/blas_threads.h"
#include "mbrl/core/shape.h"

namespace mbrl::models {
namespace {

// silu'(z) = s(z) (1 + z (1 - s(z))), s the logistic function.
torch::Tensor SiluGrad(const torch::Tensor& z) {
  const auto s = torch::sigmoid(z);
  return s * (1 + z * (1 - s));
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
  first_w_t_ = first_w_.t().contiguous();
  for (size_t l = 1; l < last; ++l) {
    hidden_w_.push_back(ws[l].detach());
    hidden_b_.push_back(bs[l].detach());
    std::vector<torch::Tensor> wt, b;
    for (int64_t e = 0; e < E_; ++e) {
      wt.push_back(ws[l][e].t().contiguous());  // [h_out, h_in]
      b.push_back(bs[l][e][0].contiguous());    // [h_out]
    }
    hidden_w_t_.push_back(std::move(wt));
    hidden_b_rows_.push_back(std::move(b));
  }
  const int64_t hl = ws[last].size(1);
  head_w_ = (ws[last].narrow(2, 0, out_).reshape({E_ * hl, out_}) / E_).contiguous();
  head_w_t_ = head_w_.t().contiguous();
  head_b_ = bs[last].narrow(2, 0, out_).mean(0).reshape({out_});
}

std::vector<torch::Tensor> MemberMeanMlp::BackwardWeights() const {
  // [first_w, per hidden layer its E member matrices [h_in, h_out], head_w]
  std::vector<torch::Tensor> w = {first_w_};
  for (const auto& layer : hidden_w_) {
    for (int64_t e = 0; e < E_; ++e) w.push_back(layer[e]);
  }
  w.push_back(head_w_);
  return w;
}

torch::Tensor MemberMeanMlp::ForwardRow(const torch::Tensor& x,
                                        std::vector<torch::Tensor>* pre) const {
  // One row's matrix-vector products are too small to split: with OpenBLAS's second thread
  // they ran 1.5x slower (its spinning wait, sched_yield, took a third of the profile).
  const ScopedBlasThreads single(1);
  auto z = torch::addmv(first_b_, first_w_t_, x);  // [E * h1]
  if (pre) pre->push_back(z);
  auto h = torch::silu(z);
  for (size_t l = 0; l < hidden_w_t_.size(); ++l) {
    const auto hs = h.view({E_, -1}).unbind(0);
    std::vector<torch::Tensor> zs;
    zs.reserve(E_);
    for (int64_t e = 0; e < E_; ++e) {
      zs.push_back(torch::addmv(hidden_b_rows_[l][e], hidden_w_t_[l][e], hs[e]));
    }
    z = torch::cat(zs);  // [E * h]
    if (pre) pre->push_back(z);
    h = torch::silu(z);
  }
  return torch::addmv(head_b_, head_w_t_, h);  // [out]
}

torch::Tensor MemberMeanMlp::BackwardRow(const torch::Tensor& grad_out,
                                         const std::vector<torch::Tensor>& pre,
                                         const std::vector<torch::Tensor>& weights,
                                         int64_t members) {
  const ScopedBlasThreads single(1);  // as in ForwardRow
  // pre: [z_1, ..., z_L]; weights: [first_w, hidden members layer by layer, head_w].
  auto g = torch::mv(weights.back(), grad_out.reshape({-1}));  // d/dh, last hidden layer
  for (int64_t l = static_cast<int64_t>(pre.size()) - 1; l >= 1; --l) {
    const int64_t first = 1 + (l - 1) * members;  // pre[l]'s member matrices [h_in, h_out]
    const auto gz = (g * SiluGrad(pre[l])).view({members, -1}).unbind(0);
    std::vector<torch::Tensor> gh;
    gh.reserve(members);
    for (int64_t e = 0; e < members; ++e) gh.push_back(torch::mv(weights[first + e], gz[e]));
    g = torch::cat(gh);  // d/dh of the layer below
  }
  return torch::mv(weights[0], g * SiluGrad(pre[0]));  // [in]
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
