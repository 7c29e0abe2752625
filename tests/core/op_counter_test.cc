#include "mbrl/core/op_counter.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <functional>
#include <thread>
#include <utility>
#include <vector>

#include "mbrl/core/error.h"

namespace mbrl {
namespace {

TEST(OpCounter, CountsOperatorsButNoSyncsForPureTensorWork) {
  const auto a = torch::ones({3});
  OpCounter counter;
  const auto b = (a + a).mul(2.0).sum();
  EXPECT_GE(counter.ops(), 3);
  EXPECT_EQ(counter.syncs(), 0);
  (void)b;
}

TEST(OpCounter, CountsReadingAValueAndDataDependentShapesAsSyncs) {
  const auto a = torch::arange(5);
  OpCounter counter;
  const double v = a.sum().item<double>();  // one _local_scalar_dense
  const auto nz = a.nonzero();              // a data-dependent shape
  EXPECT_EQ(v, 10.0);
  EXPECT_EQ(nz.size(0), 4);
  EXPECT_EQ(counter.syncs(), 2);
  const auto names = counter.SyncsByName();
  EXPECT_EQ(names.at("aten::_local_scalar_dense"), 1);
  EXPECT_EQ(names.at("aten::nonzero"), 1);
  counter.Reset();
  EXPECT_EQ(counter.ops(), 0);
  EXPECT_EQ(counter.syncs(), 0);
}

TEST(OpCounter, CountsTopLevelOperatorsOnlyButSyncsAtAnyDepth) {
  const auto a = torch::ones({2, 3, 4});
  const auto b = torch::ones({2, 4, 5});
  OpCounter counter;
  const auto n = torch::randn({8});      // randn calls normal_ inside
  const auto c = torch::bmm(a, b);        // on CPU, bmm may call per-matrix kernels inside
  const double v = c.sum().item<double>();  // item calls _local_scalar_dense inside
  EXPECT_EQ(v, 2 * 3 * 5 * 4.0);
  const auto names = counter.OpsByName();
  EXPECT_EQ(names.at("aten::randn"), 1);
  EXPECT_EQ(names.count("aten::normal_"), 0u);
  EXPECT_EQ(names.at("aten::item"), 1);
  EXPECT_EQ(names.count("aten::_local_scalar_dense"), 0u);
  EXPECT_EQ(counter.ops(), 4);  // randn, bmm, sum, item
  EXPECT_EQ(counter.syncs(), 1);
  EXPECT_EQ(counter.SyncsByName().at("aten::_local_scalar_dense"), 1);
  (void)n;
}

TEST(OpCounter, CountsOperatorsOnOtherThreads) {
  OpCounter counter;
  std::thread worker([] { (torch::ones({2}) * 3).sum().item<float>(); });
  worker.join();
  EXPECT_GE(counter.ops(), 3);
  EXPECT_EQ(counter.syncs(), 1);
}

TEST(OpCounter, CountsTheFlopsOfEachOutermostMatrixProductFromItsShapes) {
  const auto a = torch::randn({3, 4}), b = torch::randn({4, 5});
  const auto ba = torch::randn({2, 3, 4}), bb = torch::randn({2, 4, 5});
  OpCounter counter;
  const auto sum = a + a;  // not a product
  EXPECT_EQ(counter.matmul_flops(), 0);
  torch::mm(a, b);
  EXPECT_EQ(counter.matmul_flops(), 2 * 3 * 4 * 5);
  const std::vector<std::pair<std::function<void()>, double>> cases = {
      {[&] { torch::addmm(torch::zeros({5}), a, b); }, 2 * 3 * 4 * 5},
      {[&] { torch::bmm(ba, bb); }, 2 * 2 * 3 * 4 * 5},
      // A CPU baddbmm runs an addmm_ per matrix inside itself: counted once.
      {[&] { torch::baddbmm(torch::zeros({2, 1, 5}), ba, bb); }, 2 * 2 * 3 * 4 * 5},
      // matmul broadcasts [7, 3, 4] x [4, 5], and runs bmm or mm inside.
      {[&] { torch::matmul(torch::randn({7, 3, 4}), b); }, 2 * 7 * 3 * 4 * 5},
      // linear's weight is [out, in]: [6, 4] rows into 5 outputs.
      {[&] { torch::linear(torch::randn({6, 4}), torch::randn({5, 4})); }, 2 * 6 * 4 * 5},
      {[&] { torch::mv(a, torch::randn({4})); }, 2 * 3 * 4},
      {[&] { torch::dot(torch::randn({4}), torch::randn({4})); }, 2 * 4},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    counter.Reset();
    cases[i].first();
    EXPECT_EQ(counter.matmul_flops(), cases[i].second) << "case " << i;
  }
  // A backward pass runs products too: the input gradient of a x b is grad [3, 5] x b^T.
  counter.Reset();
  const auto x = a.clone().requires_grad_(true);
  torch::mm(x, b).sum().backward();
  EXPECT_EQ(counter.matmul_flops(), 2 * (2 * 3 * 4 * 5));
  // Hand-written products report themselves.
  AddMatmulFlops(1000);
  EXPECT_EQ(counter.matmul_flops(), 2 * (2 * 3 * 4 * 5) + 1000);
  counter.Reset();
  EXPECT_EQ(counter.matmul_flops(), 0);
  (void)sum;
}

TEST(OpCounter, OneAtATimeAndStopsCountingWhenDestroyed) {
  {
    OpCounter counter;
    EXPECT_THROW(OpCounter second, Error);
  }
  AddMatmulFlops(1000);  // no counter: nothing to add to
  OpCounter again;       // the first one is gone
  EXPECT_EQ(again.matmul_flops(), 0);
  const auto x = torch::zeros({1}) + 1;
  EXPECT_GE(again.ops(), 1);
  EXPECT_TRUE(IsHostSyncOp("aten::_local_scalar_dense"));
  EXPECT_FALSE(IsHostSyncOp("aten::add"));
}

}  // namespace
}  // namespace mbrl
