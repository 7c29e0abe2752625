#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

#include "mbrl/core/blas_threads.h"

#include "mbrl/core/device.h"
#include "mbrl/core/error.h"
#include "mbrl/core/progress.h"
#include "mbrl/core/seeding.h"
#include "mbrl/core/shape.h"

namespace mbrl {
namespace {

TEST(Device, CudaWithoutAGpuFallsBackToCpuWithAWarning) {
  const DeviceChoice cpu = ResolveDevice("cpu", "--device");
  EXPECT_TRUE(cpu.device.is_cpu());
  EXPECT_TRUE(cpu.warning.empty());
  const DeviceChoice cuda = ResolveDevice("cuda", "--device");
  if (torch::cuda::is_available()) {
    EXPECT_TRUE(cuda.device.is_cuda());
  } else {
    EXPECT_TRUE(cuda.device.is_cpu());
    EXPECT_NE(cuda.warning.find("--device cuda"), std::string::npos) << cuda.warning;
  }
  EXPECT_THROW(ResolveDevice("gpu", "--device"), ConfigError);
}

TEST(Shape, MismatchNamesTheTensorAndBothShapes) {
  try {
    CheckShape(torch::zeros({2, 3}), {2, -1, 4}, "actions");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "actions: expected shape [2, *, 4], got [2, 3]");
  }
  EXPECT_NO_THROW(CheckShape(torch::zeros({2, 3}), {-1, 3}, "x"));
}

TEST(Seeding, GeneratorsWithTheSameSeedAgreeAndStreamsDiffer) {
  auto a = MakeGenerator(torch::kCPU, 5), b = MakeGenerator(torch::kCPU, 5);
  EXPECT_TRUE(torch::equal(torch::randn({4}, a), torch::randn({4}, b)));
  EXPECT_NE(DeriveSeed(1, 0), DeriveSeed(1, 1));
  EXPECT_NE(DeriveSeed(1, 0), DeriveSeed(2, 0));
}

TEST(Progress, DurationsAreHumanReadable) {
  EXPECT_EQ(FormatDuration(12.4), "12s");
  EXPECT_EQ(FormatDuration(185), "3m05s");
  EXPECT_EQ(FormatDuration(3720), "1h02m");
  EXPECT_EQ(FormatDuration(-1), "?");
}

TEST(RunOnThreads, RunsEveryIndexOnceAndRethrowsAHelpersException) {
  std::atomic<int> calls{0}, index_sum{0};
  RunOnThreads(3, [&](int t) {
    ++calls;
    index_sum += t;
  });
  EXPECT_EQ(calls.load(), 3);
  EXPECT_EQ(index_sum.load(), 0 + 1 + 2);
  // An exception in a helper thread reaches the caller after all threads have ended.
  std::atomic<int> ended{0};
  EXPECT_THROW(RunOnThreads(2,
                            [&](int t) {
                              ++ended;
                              if (t == 1) throw std::runtime_error("helper failed");
                            }),
               std::runtime_error);
  EXPECT_EQ(ended.load(), 2);
}

}  // namespace
}  // namespace mbrl
