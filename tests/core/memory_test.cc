#include "mbrl/core/memory.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "mbrl/core/blas_threads.h"

namespace mbrl {
namespace {

constexpr int64_t kMiB = 1 << 20;

// Each task takes a while, so that both threads take some: counts how many ran off `caller`.
int64_t RunSlowly(int64_t tasks, const std::function<void(int64_t)>& task) {
  const auto caller = std::this_thread::get_id();
  std::atomic<int64_t> elsewhere{0};
  RunTasksOnThreads(tasks, 2, [&](int64_t k) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    elsewhere += std::this_thread::get_id() != caller;
    task(k);
  });
  return elsewhere.load();
}

TEST(CpuTensorBytes, CountsLiveTensorBytesAndTheirPeak) {
  CpuTensorBytes bytes;
  {
    auto a = torch::empty({kMiB / 4}, torch::kFloat);      // 1 MiB
    auto b = torch::empty({2 * kMiB / 4}, torch::kFloat);  // 2 MiB
    EXPECT_EQ(bytes.LiveBytes(), 3 * kMiB);
  }
  EXPECT_EQ(bytes.LiveBytes(), 0);
  auto c = torch::empty({kMiB / 4}, torch::kFloat);
  EXPECT_EQ(bytes.LiveBytes(), kMiB);
  EXPECT_EQ(bytes.PeakBytes(), 3 * kMiB);  // the peak stays
}

TEST(CpuTensorBytes, IgnoresTensorsFromBeforeItStartedAndStopsWhenDestroyed) {
  auto before = torch::empty({kMiB / 4}, torch::kFloat);
  {
    CpuTensorBytes bytes;
    before = torch::Tensor();  // freed while counting, allocated before: not counted
    EXPECT_EQ(bytes.LiveBytes(), 0);
    EXPECT_EQ(bytes.PeakBytes(), 0);
  }
  CpuTensorBytes later;
  { CpuTensorBytes inner; }  // a finished counter leaves the outer one counting
  auto t = torch::empty({kMiB / 4}, torch::kFloat);
  EXPECT_EQ(later.LiveBytes(), kMiB);
}

TEST(CpuTensorBytes, CountsTheThreadsRunTasksOnThreadsStarts) {
  if (!CanControlBlasThreads()) GTEST_SKIP() << "not OpenBLAS: RunTasksOnThreads uses one thread";
  CpuTensorBytes bytes;
  std::vector<torch::Tensor> kept(4);
  EXPECT_GT(RunSlowly(4, [&](int64_t k) { kept[k] = torch::empty({kMiB / 4}, torch::kFloat); }), 0);
  EXPECT_EQ(bytes.LiveBytes(), 4 * kMiB);
  kept.clear();
  EXPECT_EQ(bytes.LiveBytes(), 0);
}

TEST(RunTasksOnThreads, TasksRunUnderTheCallersGradMode) {
  if (!CanControlBlasThreads()) GTEST_SKIP() << "not OpenBLAS: RunTasksOnThreads uses one thread";
  std::atomic<int> with_grad{0};
  {
    torch::NoGradGuard no_grad;
    EXPECT_GT(RunSlowly(8, [&](int64_t) { with_grad += torch::GradMode::is_enabled(); }), 0);
  }
  EXPECT_EQ(with_grad.load(), 0);
  EXPECT_GT(RunSlowly(8, [&](int64_t) { with_grad += torch::GradMode::is_enabled(); }), 0);
  EXPECT_EQ(with_grad.load(), 8);
}

}  // namespace
}  // namespace mbrl
