#include "mbrl/core/lockstep_helper.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <stdexcept>
#include <thread>
#include <vector>

namespace mbrl {
namespace {

TEST(LockstepHelper, RunsEachPostedJobOnItsThreadBeforeWaitReturns) {
  // Jobs alternate with the owner's own work; some gaps exceed the spin time, so that both sides
  // also go through their sleeping wait.
  LockstepHelper helper;
  std::vector<int> seen;
  int value = 0;
  std::thread::id where;
  const std::function<void()> job = [&] {
    where = std::this_thread::get_id();
    seen.push_back(value);
    if (value % 3 == 1) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  };
  for (value = 0; value < 20; ++value) {
    helper.Post(job);
    if (value % 3 == 2) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    helper.Wait();
    ASSERT_EQ(static_cast<int>(seen.size()), value + 1);
    EXPECT_EQ(seen.back(), value);
    EXPECT_NE(where, std::this_thread::get_id());
  }
}

TEST(LockstepHelper, WaitRethrowsTheJobsExceptionAndTheHelperGoesOn) {
  LockstepHelper helper;
  int runs = 0;
  const std::function<void()> fails = [&] {
    ++runs;
    throw std::runtime_error("job failed");
  };
  helper.Post(fails);
  EXPECT_THROW(helper.Wait(), std::runtime_error);
  const std::function<void()> works = [&] { ++runs; };
  helper.Post(works);
  EXPECT_NO_THROW(helper.Wait());
  EXPECT_EQ(runs, 2);
}

TEST(LockstepHelper, PostingBeforeWaitingForThePreviousJobIsRefused) {
  LockstepHelper helper;
  const std::function<void()> slow = [] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  };
  helper.Post(slow);
  EXPECT_THROW(helper.Post(slow), std::logic_error);
  helper.Wait();
}

}  // namespace
}  // namespace mbrl
