#include "mbrl/planning/soft_topk.h"

#include <gtest/gtest.h>

namespace mbrl::planning {
namespace {

TEST(SoftTopK, RowsSumToKWithValuesStrictlyBetweenZeroAndOne) {
  torch::manual_seed(0);
  const auto x = torch::randn({6, 20}, torch::kDouble);
  const auto y = SoftTopK(x, 5, 1.0);
  EXPECT_TRUE(torch::allclose(y.sum(1), torch::full({6}, 5.0, torch::kDouble), 1e-6, 1e-6));
  EXPECT_GT(y.min().item<double>(), 0.0);
  EXPECT_LT(y.max().item<double>(), 1.0);
  // Higher scores get higher weights.
  const auto order_x = x.argsort(int64_t{1}, false), order_y = y.argsort(int64_t{1}, false);
  EXPECT_TRUE(torch::equal(order_x, order_y));
}

TEST(SoftTopK, SmallTemperatureRecoversTheHardTopK) {
  torch::manual_seed(1);
  const auto x = torch::randn({4, 30}, torch::kDouble);
  const auto y = SoftTopK(x, 3, 1e-3);
  auto hard = torch::zeros_like(x);
  hard.scatter_(1, std::get<1>(x.topk(3, 1)), 1.0);
  EXPECT_LT((y - hard).abs().max().item<double>(), 1e-3);
}

TEST(SoftTopK, EqualAndHugeScoresGiveNoNaN) {
  const auto equal = SoftTopK(torch::full({2, 10}, 3.0), 4, 1.0);
  EXPECT_TRUE(torch::allclose(equal, torch::full({2, 10}, 0.4), 1e-6, 1e-6));
  const auto huge = SoftTopK(torch::tensor({1e30, -1e30, 5.0, 1e6}).view({1, 4}), 2, 1.0);
  EXPECT_TRUE(torch::isfinite(huge).all().item<bool>());
  EXPECT_NEAR(huge.sum().item<double>(), 2.0, 1e-5);
}

TEST(SoftTopK, GradientMatchesFiniteDifferences) {
  torch::manual_seed(2);
  const auto x = torch::randn({2, 7}, torch::kDouble);
  const auto w = torch::randn({2, 7}, torch::kDouble);  // a linear loss sum(w * y)
  auto leaf = x.clone().requires_grad_(true);
  (SoftTopK(leaf, 3, 0.5, 1e-12) * w).sum().backward();
  const double h = 1e-6;
  for (int64_t b = 0; b < 2; ++b) {
    for (int64_t j = 0; j < 7; ++j) {
      auto plus = x.clone(), minus = x.clone();
      plus[b][j] += h;
      minus[b][j] -= h;
      const double fd = ((SoftTopK(plus, 3, 0.5, 1e-12) * w).sum().item<double>() -
                         (SoftTopK(minus, 3, 0.5, 1e-12) * w).sum().item<double>()) /
                        (2 * h);
      EXPECT_NEAR(leaf.grad()[b][j].item<double>(), fd, 1e-6) << b << "," << j;
    }
  }
}

TEST(SoftTopK, RejectsKOutsideOneToNMinusOne) {
  EXPECT_THROW(SoftTopK(torch::zeros({1, 4}), 4, 1.0), std::exception);
  EXPECT_THROW(SoftTopK(torch::zeros({1, 4}), 0, 1.0), std::exception);
}

}  // namespace
}  // namespace mbrl::planning
