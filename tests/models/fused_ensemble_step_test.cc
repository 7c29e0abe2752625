#include "mbrl/models/fused_ensemble_step.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "mbrl/core/op_counter.h"
#include "mbrl/core/row_gemm.h"

namespace mbrl::models {
namespace {

// The step in LibTorch's operators, as the tsinf executor runs it on a GPU.
torch::Tensor WithOperators(const std::vector<torch::Tensor>& ws, const std::vector<torch::Tensor>& bs,
                            const torch::Tensor& exp_min, const torch::Tensor& exp_max,
                            const torch::Tensor& x, const torch::Tensor& eps) {
  auto h = x;
  for (size_t l = 0; l + 1 < ws.size(); ++l) h = torch::silu(torch::baddbmm(bs[l], h, ws[l]));
  const auto head = torch::baddbmm(bs.back(), h, ws.back());
  const int64_t O = head.size(2) / 2;
  const auto var = exp_min + exp_max * torch::sigmoid(head.narrow(2, O, O));
  return head.narrow(2, 0, O) + var.sqrt() * eps;
}

TEST(FusedEnsembleStep, EqualsTheOperatorsStepOverWideRanges) {
  if (!FusedEnsembleStep::Available()) GTEST_SKIP() << "OpenBLAS is not loaded";
  torch::manual_seed(0);
  const int64_t E = 3, N = 37, I = 9, O = 5;
  // Widths around the 16 lanes of AVX-512 (tails), pre-activations up to about +-60 (the
  // exponential's clamps), heads' gates from saturated to linear.
  for (const int64_t hidden : {8, 40, 200}) {
    const std::vector<int64_t> widths = {I, hidden, hidden, 2 * O};
    std::vector<torch::Tensor> ws, bs;
    for (size_t l = 0; l + 1 < widths.size(); ++l) {
      ws.push_back(torch::randn({E, widths[l], widths[l + 1]}) * (3.0 / std::sqrt(widths[l])));
      bs.push_back(torch::randn({E, 1, widths[l + 1]}));
    }
    const auto exp_min = torch::exp(torch::full({1, O}, -6.0f));
    const auto exp_max = torch::exp(torch::full({1, O}, 0.5f));
    const auto x = torch::randn({E, N, I}) * 20;
    const auto eps = torch::randn({E, N, O});
    const auto want = WithOperators(ws, bs, exp_min, exp_max, x, eps);
    // The products on OpenBLAS's sgemm, and on RowGemm where the CPU has it.
    for (const bool row_gemm : {false, true}) {
      if (row_gemm && !RowGemmAvailable()) continue;
      FusedEnsembleStep step(ws, bs, exp_min, exp_max, N);
      step.UseRowGemm(row_gemm);
      OpCounter counter;
      const auto got = step.Predict(x, eps);
      const double flops = counter.matmul_flops();
      EXPECT_TRUE(torch::allclose(got, want, 1e-4, 1e-4))
          << "hidden " << hidden << ", RowGemm " << row_gemm << ": largest difference "
          << (got - want).abs().max().item<double>();
      double expected_flops = 0;
      for (size_t l = 0; l + 1 < widths.size(); ++l) {
        expected_flops += 2.0 * E * N * widths[l] * widths[l + 1];
      }
      EXPECT_DOUBLE_EQ(flops, expected_flops) << "hidden " << hidden;
    }
  }
}

TEST(FusedEnsembleStep, HeadsAreTheOperatorsLastLayerWithItsBias) {
  // Heads (the ensemble's forward pass without autograd) on sgemm and on RowGemm, with no
  // variance bounds given: the mean and the raw log-variance, as baddbmm gives them.
  if (!FusedEnsembleStep::Available()) GTEST_SKIP() << "OpenBLAS is not loaded";
  torch::manual_seed(5);
  const int64_t E = 3, I = 9, O = 5;
  for (const int64_t hidden : {8, 40, 200}) {
    const std::vector<int64_t> widths = {I, hidden, hidden, 2 * O};
    std::vector<torch::Tensor> ws, bs;
    for (size_t l = 0; l + 1 < widths.size(); ++l) {
      ws.push_back(torch::randn({E, widths[l], widths[l + 1]}) / std::sqrt(widths[l]));
      bs.push_back(torch::randn({E, 1, widths[l + 1]}));
    }
    for (const int64_t N : {1, 13, 40}) {
      const auto x = torch::randn({E, N, I}) * 3;
      auto want = x;
      for (size_t l = 0; l + 1 < ws.size(); ++l) {
        want = torch::silu(torch::baddbmm(bs[l], want, ws[l]));
      }
      want = torch::baddbmm(bs.back(), want, ws.back());
      for (const bool row_gemm : {false, true}) {
        if (row_gemm && !RowGemmAvailable()) continue;
        FusedEnsembleStep step(ws, bs, {}, {}, N);
        step.UseRowGemm(row_gemm);
        const auto got = step.Heads(x);
        EXPECT_TRUE(torch::allclose(got, want, 1e-5, 1e-5))
            << "hidden " << hidden << ", rows " << N << ", RowGemm " << row_gemm
            << ": largest difference " << (got - want).abs().max().item<double>();
        EXPECT_THROW(step.Predict(x, torch::zeros({E, N, O})), std::invalid_argument);
      }
    }
  }
}

TEST(FusedEnsembleStep, SiluMatchesLibTorchFromLargeNegativeToLargePositive) {
  if (!FusedEnsembleStep::Available()) GTEST_SKIP() << "OpenBLAS is not loaded";
  // One identity hidden layer and a head that copies it out: the prediction is silu(x).
  const int64_t N = 4001, W = 2;
  const auto eye = torch::eye(W).unsqueeze(0);
  const std::vector<torch::Tensor> ws = {eye, torch::cat({eye, torch::zeros({1, W, W})}, 2)};
  const std::vector<torch::Tensor> bs = {torch::zeros({1, 1, W}), torch::zeros({1, 1, 2 * W})};
  const auto x = torch::linspace(-120, 120, N * W).view({1, N, W});
  FusedEnsembleStep step(ws, bs, torch::zeros({W}), torch::zeros({W}), N);
  const auto got = step.Predict(x, torch::zeros({1, N, W}));
  const auto want = torch::silu(x);
  EXPECT_TRUE(torch::allclose(got, want, 2e-6, 1e-30))
      << "largest relative difference "
      << ((got - want).abs() / want.abs().clamp_min(1e-30)).max().item<double>();
}

TEST(FusedEnsembleStep, AWholeStepBuildsItsInputAndAppliesTheTargetsRule) {
  if (!FusedEnsembleStep::Available()) GTEST_SKIP() << "OpenBLAS is not loaded";
  torch::manual_seed(1);
  const int64_t E = 2, N = 7, O = 5, A = 3, H = 4;
  FusedEnsembleStep::StepIo io;
  io.actions = A;
  io.angle_begin = 1;
  io.angle_count = 2;
  io.absolute = {0, 3};
  const std::vector<int64_t> widths = {O + A + 4, 16, 2 * O};
  std::vector<torch::Tensor> ws, bs;
  for (size_t l = 0; l + 1 < widths.size(); ++l) {
    ws.push_back(torch::randn({E, widths[l], widths[l + 1]}) * 0.5);
    bs.push_back(torch::randn({E, 1, widths[l + 1]}));
  }
  const auto bound = torch::full({O}, 0.3f);
  FusedEnsembleStep step(ws, bs, bound, bound, N);
  step.SetStepIo(io);
  const auto state = torch::randn({E, N, O}) * 3;
  const auto actions = torch::randn({E, N, H, A});  // step 2's actions: rows strided by H * A
  const auto a = actions.select(2, 2);
  const auto eps = torch::randn({E, N, O});
  const auto got = step.Step(state, a, eps);
  const auto angles = state.narrow(2, 1, 2);
  const auto x = torch::cat({state, a, torch::sin(angles), torch::cos(angles)}, 2);
  auto want = state + step.Predict(x, eps);
  for (const int i : io.absolute) want.select(2, i).copy_(step.Predict(x, eps).select(2, i));
  EXPECT_TRUE(torch::allclose(got, want, 1e-5, 1e-5))
      << "largest difference " << (got - want).abs().max().item<double>();
  // The input's width must match the declaration.
  FusedEnsembleStep other(ws, bs, bound, bound, N);
  io.angle_count = 1;
  EXPECT_THROW(other.SetStepIo(io), std::invalid_argument);
  EXPECT_THROW(other.Step(state, a, eps), std::invalid_argument);  // no SetStepIo
}

TEST(FusedEnsembleStep, RejectsWhatItCannotRun) {
  if (!FusedEnsembleStep::Available()) GTEST_SKIP() << "OpenBLAS is not loaded";
  const std::vector<torch::Tensor> ws = {torch::zeros({2, 3, 4}), torch::zeros({2, 4, 6})};
  const std::vector<torch::Tensor> bs = {torch::zeros({2, 1, 4}), torch::zeros({2, 1, 6})};
  const auto bound = torch::zeros({3});
  EXPECT_THROW(FusedEnsembleStep({ws[0].to(torch::kDouble), ws[1]}, bs, bound, bound, 5),
               std::invalid_argument);
  EXPECT_THROW(FusedEnsembleStep({ws[1], ws[0]}, bs, bound, bound, 5), std::invalid_argument);
  FusedEnsembleStep step(ws, bs, bound, bound, 5);
  EXPECT_THROW(step.Predict(torch::zeros({2, 4, 3}), torch::zeros({2, 4, 3})),
               std::invalid_argument);
  EXPECT_EQ(step.Predict(torch::zeros({2, 5, 3}), torch::zeros({2, 5, 3})).sizes(),
            (std::vector<int64_t>{2, 5, 3}));
}

}  // namespace
}  // namespace mbrl::models
