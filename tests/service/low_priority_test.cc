// RunAtLowPriority: the work runs on another thread at kBulkNice, its
// answer comes back (also a move-only one), and the caller's priority is
// untouched.
#include "service/low_priority.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <memory>
#include <thread>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"

namespace ethrec::service {
namespace {

int NiceOfThisThread() {
  errno = 0;
  return getpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)));
}

TEST(LowPriorityTest, RunsTheWorkOnAnotherThreadAtTheLowestPriority) {
  const int callers_nice = NiceOfThisThread();
  ASSERT_LT(callers_nice, kBulkNice) << "the test runner already runs at the lowest priority";
  std::thread::id worker;
  int workers_nice = callers_nice;
  const int answer = RunAtLowPriority<int>([&] {
    worker = std::this_thread::get_id();
    workers_nice = NiceOfThisThread();
    return 42;
  });
  EXPECT_EQ(answer, 42);
  EXPECT_NE(worker, std::this_thread::get_id());
  EXPECT_EQ(workers_nice, kBulkNice);
  EXPECT_EQ(NiceOfThisThread(), callers_nice);
}

TEST(LowPriorityTest, BringsBackAMoveOnlyAnswerAndAnError) {
  absl::StatusOr<std::unique_ptr<int>> value =
      RunAtLowPriority<absl::StatusOr<std::unique_ptr<int>>>([] { return std::make_unique<int>(7); });
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(**value, 7);
  absl::StatusOr<std::unique_ptr<int>> error = RunAtLowPriority<absl::StatusOr<std::unique_ptr<int>>>(
      [] { return absl::InvalidArgumentError("observations[3]: bad"); });
  EXPECT_EQ(error.status().message(), "observations[3]: bad");
}

}  // namespace
}  // namespace ethrec::service
