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
