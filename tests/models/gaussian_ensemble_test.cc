#include "mbrl/models/gaussian_ensemble.h"

#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <thread>
#include <tuple>

#include "mbrl/core/op_counter.h"
#include "mbrl/models/fused_ensemble_step.h"
#include "mbrl/models/member_mean.h"
#include "mbrl/models/model_trainer.h"
#include "test_paths.h"

namespace mbrl::models {
namespace {

config::EnsembleConfig Tiny(int members = 3, int hidden = 16) {
  config::EnsembleConfig c;
  c.ensemble_size = members;
  c.hidden_size = hidden;
  c.num_layers = 2;
  return c;
}

TEST(GaussianEnsemble, OutputShapesForMemberAndSharedInputs) {
  torch::manual_seed(0);
  GaussianEnsemble model(Tiny(), 6, 4);
  const auto [mean, logvar] = model->forward(torch::randn({3, 7, 6}));
  EXPECT_EQ(mean.sizes(), (std::vector<int64_t>{3, 7, 4}));
  EXPECT_EQ(logvar.sizes(), (std::vector<int64_t>{3, 7, 4}));
  const auto [m2, lv2] = model->ForwardShared(torch::randn({9, 6}));
  EXPECT_EQ(m2.sizes(), (std::vector<int64_t>{3, 9, 4}));
  EXPECT_THROW(model->forward(torch::randn({2, 7, 6})), std::exception);
}

TEST(GaussianEnsemble, ChunkedInferenceEqualsTheWholeBatchForward) {
  // Without autograd and with >= 1024 rows per member, forward() splits the rows into chunks
  // over threads; with autograd it runs the whole batch at once. Both must agree, for row
  // counts that do and do not divide evenly, with a non-contiguous input.
  torch::manual_seed(1);
  GaussianEnsemble model(Tiny(3, 32), 6, 4);
  model->normalizer()->Fit(torch::randn({100, 6}) * 3 + 1);
  for (const int64_t n : {1024, 1601, 5000}) {
    const auto x = torch::randn({n, 3, 6}).transpose(0, 1);  // [3, n, 6], non-contiguous
    torch::Tensor whole_mean, whole_logvar;
    {
      torch::AutoGradMode grad(true);
      const auto [m, lv] = model->forward(x);
      whole_mean = m.detach();
      whole_logvar = lv.detach();
    }
    torch::NoGradGuard no_grad;
    const auto [m, lv] = model->forward(x);
    EXPECT_TRUE(torch::allclose(m, whole_mean, 1e-5, 1e-5)) << n;
    EXPECT_TRUE(torch::allclose(lv, whole_logvar, 1e-5, 1e-5)) << n;
  }
}

TEST(GaussianEnsemble, InferenceWithoutAutogradRunsPlainLoopsAndAgreesWithTheOperators) {
  // Without autograd on the CPU, ForwardRows runs the layers as FusedEnsembleStep's loops
  // (RowGemm where the CPU has AVX-512) instead of baddbmm and silu: the same numbers within
  // float rounding, at the default model's sizes (humanoid's 62 inputs, 200-wide layers, 90
  // head outputs), for row counts on and off RowGemm's tiles, and the same products' FLOPs.
  if (!FusedEnsembleStep::Available()) GTEST_SKIP() << "OpenBLAS's sgemm is not loaded";
  torch::manual_seed(4);
  config::EnsembleConfig c = Tiny(5, 200);
  c.num_layers = 3;
  GaussianEnsemble model(c, 62, 45);
  model->normalizer()->Fit(torch::randn({100, 62}) * 2 + 0.5);
  const double flops_per_row = 2.0 * 5 * (62 * 200 + 2 * 200 * 200 + 200 * 90);
  for (const int64_t n : {1, 5, 7, 31, 100}) {
    const auto x = torch::randn({5, n, 62});
    torch::Tensor mean, logvar;
    {
      torch::AutoGradMode grad(true);
      std::tie(mean, logvar) = model->ForwardRows(x);
    }
    torch::NoGradGuard no_grad;
    OpCounter counter;
    const auto [m, lv] = model->ForwardRows(x);
    const auto ops = counter.OpsByName();
    EXPECT_EQ(ops.count("aten::baddbmm"), 0u) << n;
    EXPECT_EQ(ops.count("aten::silu"), 0u) << n;
    EXPECT_EQ(counter.matmul_flops(), flops_per_row * n) << n;
    EXPECT_TRUE(torch::allclose(m, mean.detach(), 1e-5, 1e-5)) << n;
    EXPECT_TRUE(torch::allclose(lv, logvar.detach(), 1e-5, 1e-5)) << n;
    EXPECT_FALSE(torch::equal(m, torch::zeros_like(m))) << n;
  }
}

TEST(GaussianEnsemble, InferenceThreadsFollowOmpNumThreadsElseTheCores) {
  const char* omp = std::getenv("OMP_NUM_THREADS");
  const std::string saved = omp ? omp : "";
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // Not LibTorch's own thread count, which is one beside OpenBLAS.
  const int torch_threads = at::get_num_threads();
  at::set_num_threads(1);
  setenv("OMP_NUM_THREADS", "3", 1);
  EXPECT_EQ(InferenceThreads(), 3);
  setenv("OMP_NUM_THREADS", "4,2", 1);  // nested levels: the first
  EXPECT_EQ(InferenceThreads(), 4);
  setenv("OMP_NUM_THREADS", "none", 1);
  EXPECT_EQ(InferenceThreads(), cores);
  unsetenv("OMP_NUM_THREADS");
  EXPECT_EQ(InferenceThreads(), cores);
  if (omp) setenv("OMP_NUM_THREADS", saved.c_str(), 1);
  at::set_num_threads(torch_threads);
}

TEST(MemberMeanMlp, EqualsTheAverageOfTheMembersMeansWithTheSameInputGradient) {
  // MemberMeanMlp folds the normalisation into the first layer, puts members side by side, and
  // on one row runs matrix-vector products with a hand-written backward. It must give the
  // members' average mean and the same input gradient as autograd through forward(), for one
  // row, a few rows, and the threaded path (many rows without autograd); in float and double
  // (the one-row loops are compiled for both).
  for (const auto dtype : {torch::kFloat, torch::kDouble}) {
    torch::manual_seed(2);
    config::EnsembleConfig c = Tiny(4, 24);
    c.num_layers = 3;  // two hidden-to-hidden layers
    GaussianEnsemble model(c, 6, 3);
    model->to(dtype);
    model->normalizer()->Fit(torch::randn({100, 6}, dtype) * 2 - 1);
    for (auto& p : model->parameters()) {
      torch::NoGradGuard no_grad;
      p.add_(0.1 * torch::randn_like(p));  // non-zero biases
    }
    const MemberMeanMlp mlp(model);
    for (const int64_t n : {1, 5, 300}) {
      const auto x = torch::randn({n, 6}, dtype);
      const auto a = x.clone().requires_grad_(true);
      const auto b = x.clone().requires_grad_(true);
      const auto reference = model->ForwardShared(a).first.mean(0);  // [n, 3]
      const auto fused = mlp.Forward(b);                             // [n, 3]
      ASSERT_EQ(fused.sizes(), reference.sizes());
      ASSERT_EQ(fused.scalar_type(), dtype);
      EXPECT_TRUE(torch::allclose(fused, reference, 1e-5, 1e-5)) << n << " " << dtype;
      const auto w = torch::randn({n, 3}, dtype);
      (reference * w).sum().backward();
      (fused * w).sum().backward();
      EXPECT_TRUE(torch::allclose(a.grad(), b.grad(), 1e-5, 1e-5)) << n << " " << dtype;
      torch::NoGradGuard no_grad;
      EXPECT_TRUE(torch::allclose(mlp.Forward(x), reference, 1e-5, 1e-5)) << n << " " << dtype;
    }
  }
}

TEST(MemberMeanMlp, ItsHandWrittenOneRowProductsCountTheirFlopsAsTheBatchedOnesDo) {
  // The one-row path runs plain loops, not ATen products: it reports their work to OpCounter,
  // so an arithmetic floor sees it. One row costs half of two rows through batched products, and
  // its hand-written backward as much as its forward.
  torch::manual_seed(3);
  config::EnsembleConfig c = Tiny(4, 24);
  c.num_layers = 3;
  GaussianEnsemble model(c, 6, 3);
  const MemberMeanMlp mlp(model);
  // Members x (6 -> 24, 24 -> 24, 24 -> 24, 24 -> 3): the mean head only.
  const double forward = 2.0 * 4 * (6 * 24 + 24 * 24 + 24 * 24 + 24 * 3);
  OpCounter counter;
  {
    torch::NoGradGuard no_grad;
    mlp.Forward(torch::randn({1, 6}));
    EXPECT_EQ(counter.matmul_flops(), forward);
    counter.Reset();
    mlp.Forward(torch::randn({2, 6}));
    EXPECT_EQ(counter.matmul_flops(), 2 * forward);
  }
  counter.Reset();
  const auto x = torch::randn({1, 6}).requires_grad_(true);
  mlp.Forward(x).sum().backward();
  EXPECT_EQ(counter.matmul_flops(), 2 * forward);
}

TEST(GaussianEnsemble, LogVarianceStaysWithinSoftBounds) {
  torch::manual_seed(0);
  GaussianEnsemble model(Tiny(), 2, 2);
  const auto [mean, logvar] = model->forward(torch::randn({3, 100, 2}) * 1000);
  EXPECT_LE(logvar.max().item<double>(), model->max_logvar().max().item<double>() + 1e-4);
  EXPECT_GE(logvar.min().item<double>(), model->min_logvar().min().item<double>() - 1e-4);
}

TEST(GaussianEnsemble, MembersDifferAtInitialisation) {
  torch::manual_seed(0);
  GaussianEnsemble model(Tiny(), 3, 2);
  const auto [mean, logvar] = model->ForwardShared(torch::randn({5, 3}));
  EXPECT_GT((mean[0] - mean[1]).abs().max().item<double>(), 1e-4);
}

TEST(Normalizer, StatisticsSurviveSaveAndLoad) {
  torch::manual_seed(0);
  const auto dir = mbrl::testing::TempDir();
  GaussianEnsemble model(Tiny(), 3, 2);
  const auto data = torch::randn({200, 3}) * torch::tensor({1.0f, 5.0f, 0.1f}) + 3.0;
  model->normalizer()->Fit(data);
  const auto x = torch::randn({4, 3});
  const auto normalised = model->normalizer()->Normalize(x);
  EXPECT_TRUE(torch::allclose(model->normalizer()->Denormalize(normalised), x, 1e-5, 1e-5));
  SaveEnsemble(model, dir + "/model.pt");

  torch::manual_seed(1);
  GaussianEnsemble loaded(Tiny(), 3, 2);
  LoadEnsemble(loaded, dir + "/model.pt");
  EXPECT_TRUE(torch::equal(loaded->normalizer()->mean(), model->normalizer()->mean()));
  EXPECT_TRUE(torch::equal(loaded->normalizer()->std(), model->normalizer()->std()));
  EXPECT_TRUE(torch::equal(loaded->normalizer()->Normalize(x), normalised));
  const auto in = torch::randn({3, 5, 3});
  EXPECT_TRUE(torch::equal(loaded->forward(in).first, model->forward(in).first));
}

TEST(ModelTrainer, NllTrainingLowersHoldoutErrorOnSyntheticFunction) {
  torch::manual_seed(0);
  GaussianEnsemble model(Tiny(3, 32), 2, 1);
  const auto x = torch::rand({600, 2}) * 4 - 2;                                          // [N, 2]
  const auto y = (torch::sin(x.select(1, 0)) * x.select(1, 1)).unsqueeze(1) +
                 0.01 * torch::randn({600, 1});                                        // [N, 1]
  config::TrainerConfig tc;
  tc.max_epochs = 40;
  tc.patience = 40;
  tc.batch_size = 32;
  ModelTrainer trainer(model, tc, /*seed=*/7);
  model->normalizer()->Fit(x);
  const double before = trainer.EvaluateMse(x, y).mean().item<double>();
  const TrainStats stats = trainer.Train(x, y);
  EXPECT_EQ(stats.holdout_size, 60);
  EXPECT_LT(stats.holdout_mse, 0.2 * before) << "before " << before;
  EXPECT_LT(stats.holdout_mse, 0.05);
}

TEST(ModelTrainer, GaussianNllIsMinimisedAtTheTrueVariance) {
  const auto target = torch::zeros({1, 1000, 1});
  const auto mean = torch::randn({1, 1000, 1}, torch::TensorOptions().dtype(torch::kDouble)) * 0.5;
  const auto nll = [&](double logvar) {
    return GaussianNll(mean, torch::full_like(mean, logvar), target.to(torch::kDouble)).item<double>();
  };
  const double true_logvar = std::log(mean.square().mean().item<double>());
  EXPECT_LT(nll(true_logvar), nll(true_logvar + 0.3));
  EXPECT_LT(nll(true_logvar), nll(true_logvar - 0.3));
}

}  // namespace
}  // namespace mbrl::models
