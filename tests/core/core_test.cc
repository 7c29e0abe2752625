#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <vector>

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

TEST(RunTasksOnThreads, RunsEveryTaskOnceAndRethrowsTheFirstTasksException) {
  std::vector<std::atomic<int>> runs(7);
  RunTasksOnThreads(7, 3, [&](int64_t k) { ++runs[k]; });
  for (const auto& r : runs) EXPECT_EQ(r.load(), 1);
  // More threads than tasks, and one thread: the same.
  std::vector<std::atomic<int>> few(2), alone(5);
  RunTasksOnThreads(2, 8, [&](int64_t k) { ++few[k]; });
  RunTasksOnThreads(5, 1, [&](int64_t k) { ++alone[k]; });
  for (const auto& r : few) EXPECT_EQ(r.load(), 1);
  for (const auto& r : alone) EXPECT_EQ(r.load(), 1);
  // Exceptions reach the caller after every task has run: the lowest-numbered task's.
  std::atomic<int> ran{0};
  try {
    RunTasksOnThreads(6, 2, [&](int64_t k) {
      ++ran;
      if (k == 1) throw std::runtime_error("task 1 failed");
      if (k == 4) throw std::logic_error("task 4 failed");
    });
    ADD_FAILURE() << "no exception rethrown";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "task 1 failed");
  }
  EXPECT_EQ(ran.load(), 6);
}

TEST(RunTasksOnThreads, TasksOnSeveralThreadsRunLibTorchSingleThreadedAndTheSettingComesBack) {
  const int before = at::get_num_threads();
  at::set_num_threads(2);
  std::vector<std::atomic<int>> seen(4);
  RunTasksOnThreads(4, 2, [&](int64_t k) { seen[k] = at::get_num_threads(); });
  // Threads x intra-op threads would oversubscribe the cores; a serial run (no OpenBLAS to make
  // single-threaded) keeps LibTorch's own threads.
  const int expected = CanControlBlasThreads() ? 1 : 2;
  for (const auto& s : seen) EXPECT_EQ(s.load(), expected);
  EXPECT_EQ(at::get_num_threads(), 2);
  at::set_num_threads(before);
}

TEST(IntraOpThreads, OneBesideOpenBlas) {
  const int before = at::get_num_threads();
  at::set_num_threads(2);
  EXPECT_EQ(LimitIntraOpThreadsBesideOpenBlas(), CanControlBlasThreads());
  EXPECT_EQ(at::get_num_threads(), CanControlBlasThreads() ? 1 : 2);
  EXPECT_FALSE(LimitIntraOpThreadsBesideOpenBlas());  // already one
  at::set_num_threads(before);
}

TEST(BlasCore, NoAdviceWhenOpenBlasCoretypeIsSetOrTheKernelsAreNotGeneric) {
  const char* before = std::getenv("OPENBLAS_CORETYPE");
  const std::string saved = before ? before : "";
  setenv("OPENBLAS_CORETYPE", "Haswell", 1);
  EXPECT_EQ(BetterBlasCore(), "");  // the user chose
  if (before) {
    setenv("OPENBLAS_CORETYPE", saved.c_str(), 1);
  } else {
    unsetenv("OPENBLAS_CORETYPE");
  }
  const std::string advice = BetterBlasCore();
  // Advice only for one of OpenBLAS's generic kernel sets, and only a faster set.
  if (!advice.empty()) {
    EXPECT_TRUE(advice == "SkylakeX" || advice == "Haswell") << advice;
    EXPECT_NE(BlasCoreName(), advice);
  }
  if (BlasCoreName() == "Haswell" || BlasCoreName() == "SkylakeX" || BlasCoreName().empty()) {
    EXPECT_EQ(advice, "");
  }
}

}  // namespace
}  // namespace mbrl
