#include "support/capture_watch.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <thread>

#include "mbrl/core/error.h"

namespace mbrl {
namespace {

const void* Address(const torch::Tensor& t) { return t.storage().data_ptr().get(); }

TEST(CaptureWatch, CountsMemoryFromBeforeTheWatchButNotWhatItsOperatorsMade) {
  const auto a = torch::ones({3});
  const auto b = torch::full({3}, 2.0);
  CaptureWatch watch;
  const auto c = a + b;                 // reads a and b
  const auto d = (c * 2.0).narrow(0, 1, 2);  // a view of memory made in the watch
  const auto e = d.sum();
  const auto outside = watch.outside();
  EXPECT_EQ(outside.size(), 2u);
  ASSERT_TRUE(outside.count(Address(a)));
  ASSERT_TRUE(outside.count(Address(b)));
  EXPECT_EQ(outside.at(Address(a)).op, "aten::add");
  EXPECT_EQ(outside.at(Address(a)).Describe(), "aten::add on a [3] tensor");
  EXPECT_FALSE(outside.count(Address(c)));
  EXPECT_EQ(e.item<float>(), 12.0f);
}

TEST(CaptureWatch, CountsWritesIntoOutsideMemoryAndViewsOfItAndTensorLists) {
  auto buffer = torch::zeros({4, 2});
  const auto x = torch::ones({2, 2});
  const auto y = torch::ones({1, 2});
  CaptureWatch watch;
  buffer.narrow(0, 0, 2).copy_(torch::randn({2, 2}));  // a write through a view of buffer
  const auto joined = torch::cat({x, y}, 0);           // x and y reach cat as a list
  const auto outside = watch.outside();
  EXPECT_TRUE(outside.count(Address(buffer)));
  EXPECT_TRUE(outside.count(Address(x)));
  EXPECT_TRUE(outside.count(Address(y)));
  EXPECT_EQ(outside.size(), 3u);
  EXPECT_EQ(joined.size(0), 3);
}

// What the watch is for: a step that carries its state by assigning a new tensor reads other
// memory on each call; one that writes into the tensor it has reads the same memory.
TEST(CaptureWatch, TellsAReassignedStateFromOneWrittenInPlace) {
  auto reassigned = torch::zeros({2});
  auto in_place = torch::zeros({2});
  auto step = [&]() {
    reassigned = reassigned + 1.0;
    in_place.add_(1.0);
  };
  step();
  std::map<const void*, MemoryUse> first, second;
  {
    CaptureWatch watch;
    step();
    first = watch.outside();
  }
  {
    CaptureWatch watch;
    step();
    second = watch.outside();
  }
  EXPECT_TRUE(first.count(Address(in_place)));
  EXPECT_TRUE(second.count(Address(in_place)));
  size_t not_in_first = 0;
  for (const auto& [address, use] : second) not_in_first += first.count(address) ? 0 : 1;
  EXPECT_EQ(not_in_first, 1u);  // the reassigned tensor, at a new address
  EXPECT_EQ(reassigned[0].item<float>(), 3.0f);
}

TEST(CaptureWatch, SeesOtherThreadsAndAllowsOneWatchAtATime) {
  const auto a = torch::ones({2});
  CaptureWatch watch;
  std::thread worker([&] { (void)(a * 3); });
  worker.join();
  EXPECT_TRUE(watch.outside().count(Address(a)));
  EXPECT_THROW(CaptureWatch second, Error);
}

TEST(CaptureWatch, ListsTheGeneratorsOperatorsWereGiven) {
  auto generator = at::globalContext().defaultGenerator(torch::kCPU).clone();
  generator.set_current_seed(7);
  CaptureWatch watch;
  const auto a = torch::randn({3}, generator);
  const auto b = torch::randn({3});  // the default generator, given as none
  const auto generators = watch.generators();
  ASSERT_EQ(generators.size(), 1u);
  EXPECT_EQ(*generators.begin(), generator.unsafeGetGeneratorImpl());
  EXPECT_EQ(watch.calls()[0], "aten::randn([3], generator, None, None, None, None)");
  EXPECT_FALSE(torch::equal(a, b));
}

TEST(CaptureWatch, ListsTopLevelOperatorsWithShapesAndHostNumbers) {
  const auto x = torch::ones({5, 3});
  CaptureWatch watch;
  const auto y = (x * 0.5).sum(1);
  const auto calls = watch.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0], "aten::mul(Float[5, 3], 0.5)");
  EXPECT_EQ(calls[1].rfind("aten::sum(Float[5, 3], [1]", 0), 0u) << calls[1];
  EXPECT_EQ(y.size(0), 5);
}

// A host number that changes from step to step is fixed in a graph: its replays use the
// capture's. The differences name the calls that differ and the new memory.
TEST(CaptureWatch, DifferencesNameTheChangedCallsAndNewMemory) {
  const auto x = torch::ones({2});
  auto state = torch::zeros({2});
  double scale = 0.5;
  auto step = [&]() {
    state = state + x * scale;  // both a new state tensor and a changing number
    scale /= 2.0;
  };
  std::vector<std::string> calls[2];
  std::map<const void*, MemoryUse> memory[2];
  for (int i = 0; i < 2; ++i) {
    CaptureWatch watch;
    step();
    calls[i] = watch.calls();
    memory[i] = watch.outside();
  }
  const auto differences = CaptureDifferences(calls[0], memory[0], calls[1], memory[1]);
  ASSERT_EQ(differences.size(), 3u);
  EXPECT_EQ(differences[0], "aten::mul(Float[2], 0.25): 0 in the capture, 1 in this run");
  EXPECT_EQ(differences[1], "aten::mul(Float[2], 0.5): 1 in the capture, 0 in this run");
  EXPECT_EQ(differences[2], "memory the capture did not use: first used by aten::add on a [2] "
                            "tensor");
  EXPECT_TRUE(CaptureDifferences(calls[0], memory[0], calls[0], memory[0]).empty());
}

}  // namespace
}  // namespace mbrl
