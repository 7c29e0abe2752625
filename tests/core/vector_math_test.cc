#include "mbrl/core/vector_math.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace mbrl {
namespace {

double SiluExact(double v) { return v / (1.0 + std::exp(-v)); }

TEST(VectorMath, ExpAndSiluAreWithinAFewUlpOverTheFloatRange) {
  double exp_worst = 0, silu_worst = 0;
  for (double x = -87.0; x <= 88.0; x += 0.00731) {
    const auto f = static_cast<float>(x);
    const double want = std::exp(static_cast<double>(f));
    exp_worst = std::max(exp_worst, std::abs(Exp(f) - want) / want);
    const double s = SiluExact(f);
    if (std::abs(s) > 1e-30) silu_worst = std::max(silu_worst, std::abs(Silu(f) - s) / std::abs(s));
  }
  EXPECT_LT(exp_worst, 3e-7);  // float's epsilon is 1.2e-7
  EXPECT_LT(silu_worst, 4e-7);
}

TEST(VectorMath, BiasSiluRowsEqualsItsPlainLoopOnEveryTailWidth) {
  // Widths around the 16 lanes (masked tails), values from deep in the exponential's clamp to
  // large positive. Where the CPU has AVX-512 the intrinsics path runs, with a reciprocal
  // estimate for the division; elsewhere both are the plain loop.
  for (const int64_t width : {1, 7, 15, 16, 17, 33, 200}) {
    const int64_t rows = 301;
    std::vector<float> bias(width), z(rows * width);
    for (int64_t j = 0; j < width; ++j) bias[j] = 0.25f * static_cast<float>(j % 5) - 0.5f;
    for (int64_t i = 0; i < rows * width; ++i) {
      z[i] = -120.0f + 240.0f * static_cast<float>(i % 2003) / 2002.0f;
    }
    auto got = z, want = z;
    BiasSiluRows(got.data(), bias.data(), rows, width);
    detail::BiasSiluRowsPlain(want.data(), bias.data(), rows, width);
    double worst = 0;
    for (int64_t i = 0; i < rows * width; ++i) {
      const double v = static_cast<double>(z[i]) + bias[i % width];
      const double exact = SiluExact(v);
      ASSERT_NEAR(want[i], exact, 4e-7 * std::abs(exact) + 1e-30) << "plain, value " << v;
      worst = std::max(worst, std::abs(got[i] - want[i]) / std::max(std::abs(exact), 1e-30));
    }
    EXPECT_LT(worst, 4e-7) << "width " << width;
    if (!detail::BiasSiluRowsIsVectorised()) {
      EXPECT_EQ(got, want) << "width " << width;
    }
  }
}

}  // namespace
}  // namespace mbrl
