#include "mbrl/core/row_gemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "mbrl/core/vector_math.h"

namespace mbrl {
namespace {

TEST(RowGemm, EqualsAPlainLoopOfFusedMultiplyAddsBitForBitAndWritesOnlyItsOutput) {
  if (!RowGemmAvailable()) GTEST_SKIP() << "this CPU has no AVX-512";
  std::mt19937 gen(3);
  std::normal_distribution<float> normal;
  // Row counts around the 6-row tiles (5, 11, 20 and 40 in tiles of 5 and 6; every rest of 1 to
  // 4 rows), widths around the 16-float vectors and 64-column tiles.
  for (const int64_t n : {1, 2, 3, 4, 5, 6, 7, 9, 11, 13, 20, 40}) {
    for (const int64_t k : {1, 5, 200}) {
      for (const int64_t m : {1, 8, 15, 16, 17, 36, 64, 65, 90, 200}) {
        std::vector<float> x(n * k), w(k * m);
        for (auto& v : x) v = normal(gen);
        for (auto& v : w) v = normal(gen);
        constexpr float kUntouched = 12345.0f;
        std::vector<float> dst(n * m + 32, kUntouched);  // 32 more: nothing lands past the end
        RowGemm(x.data(), w.data(), n, k, m, dst.data());
        for (int64_t r = 0; r < n; ++r) {
          for (int64_t c = 0; c < m; ++c) {
            float want = 0.0f;
            for (int64_t i = 0; i < k; ++i) want = std::fmaf(x[r * k + i], w[i * m + c], want);
            const float got = dst[r * m + c];
            ASSERT_EQ(std::memcmp(&got, &want, sizeof got), 0)
                << "n " << n << " k " << k << " m " << m << " at " << r << ", " << c << ": "
                << got << " against " << want;
          }
        }
        for (size_t j = n * m; j < dst.size(); ++j) ASSERT_EQ(dst[j], kUntouched) << j;
      }
    }
  }
}

TEST(RowGemm, WithBiasAndSiluEqualsTheProductThenBiasSiluRowsBitForBit) {
  if (!RowGemmAvailable()) GTEST_SKIP() << "this CPU has no AVX-512";
  std::mt19937 gen(4);
  std::normal_distribution<float> normal;
  // A 6-row tile and its rest, tiles of 5, and the widths of every last-vector mask; sums spread
  // over SiLU's bend and both of its tails.
  for (const int64_t n : {1, 4, 6, 13, 20}) {
    for (const int64_t m : {1, 15, 16, 17, 64, 90, 200}) {
      const int64_t k = 37;
      std::vector<float> x(n * k), w(k * m), b(m);
      for (auto& v : x) v = normal(gen);
      for (auto& v : w) v = 0.5f * normal(gen);
      for (auto& v : b) v = 3.0f * normal(gen);
      constexpr float kUntouched = 12345.0f;
      std::vector<float> got(n * m + 32, kUntouched), want(n * m);
      RowGemmBiasSilu(x.data(), w.data(), b.data(), n, k, m, got.data());
      RowGemm(x.data(), w.data(), n, k, m, want.data());
      BiasSiluRows(want.data(), b.data(), n, m);
      ASSERT_EQ(std::memcmp(got.data(), want.data(), sizeof(float) * n * m), 0)
          << "n " << n << " m " << m;
      for (size_t j = n * m; j < got.size(); ++j) ASSERT_EQ(got[j], kUntouched) << j;
      // Not the identity: some entries are bent by SiLU well away from the plain sum.
      RowGemm(x.data(), w.data(), n, k, m, want.data());
      EXPECT_NE(std::memcmp(got.data(), want.data(), sizeof(float) * n * m), 0);
    }
  }
}

TEST(RowGemm, RowDotsAddEachRowsProductWithGToYOnEveryTail) {
  if (!RowGemmAvailable()) GTEST_SKIP() << "this CPU has no AVX-512";
  std::mt19937 gen(5);
  std::normal_distribution<float> normal;
  // Rows in fours and the rest (1 to 3), widths around the 16-float vectors.
  for (const int64_t n : {1, 3, 4, 5, 7, 8, 45, 200}) {
    for (const int64_t m : {1, 4, 15, 16, 17, 45, 200}) {
      std::vector<float> w(n * m), g(m), y(n + 8);
      for (auto& v : w) v = normal(gen);
      for (auto& v : g) v = normal(gen);
      for (auto& v : y) v = normal(gen);
      const auto before = y;
      RowDots(w.data(), g.data(), n, m, y.data());
      for (int64_t i = 0; i < n; ++i) {
        double want = before[i], size = std::abs(before[i]);
        for (int64_t j = 0; j < m; ++j) {
          want += static_cast<double>(w[i * m + j]) * g[j];
          size += std::abs(static_cast<double>(w[i * m + j]) * g[j]);
        }
        ASSERT_NEAR(y[i], want, 1e-6 * size) << "n " << n << " m " << m << " row " << i;
      }
      for (size_t i = n; i < y.size(); ++i) ASSERT_EQ(y[i], before[i]) << "past the end: " << i;
      // The same inputs give the same bits on every call.
      auto again = before;
      RowDots(w.data(), g.data(), n, m, again.data());
      ASSERT_EQ(std::memcmp(again.data(), y.data(), sizeof(float) * y.size()), 0);
    }
  }
}

}  // namespace
}  // namespace mbrl
