#include "mbrl/core/op_counter.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <thread>

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

TEST(OpCounter, OneAtATimeAndStopsCountingWhenDestroyed) {
  {
    OpCounter counter;
    EXPECT_THROW(OpCounter second, Error);
  }
  OpCounter again;  // the first one is gone
  const auto x = torch::zeros({1}) + 1;
  EXPECT_GE(again.ops(), 1);
  EXPECT_TRUE(IsHostSyncOp("aten::_local_scalar_dense"));
  EXPECT_FALSE(IsHostSyncOp("aten::add"));
}

}  // namespace
}  // namespace mbrl
