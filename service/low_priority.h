#ifndef ETHREC_SERVICE_LOW_PRIORITY_H_
#define ETHREC_SERVICE_LOW_PRIORITY_H_

#include <optional>
#include <thread>
#include <utility>

#include "absl/functional/function_ref.h"

namespace ethrec::service {

// The nice value of bulk work's threads: the lowest CPU priority, so that
// the kernel's fair scheduler gives a runnable data-entry call about 68
// times a bulk thread's share (weights 1024 and 15) and preempts bulk work
// when the call wakes. Not SCHED_IDLE: nice 19 still lets bulk work go on
// on a machine that is busy with other processes.
inline constexpr int kBulkNice = 19;

// Lowers the calling thread's CPU priority to kBulkNice. Linux lets any
// thread raise its own nice value but not lower it again without
// CAP_SYS_NICE, so this is only for threads that end with the work
// (RunAtLowPriority). False when the kernel refused (then the thread runs
// at its priority as it was: slower data entry under bulk load, nothing
// else).
bool LowerThisThreadsPriority();

// Runs `fn` on a thread of its own at kBulkNice and waits for it: bulk
// requests (a RecordObservations batch of hundreds of items) normalise and
// write at low priority while data-entry calls keep theirs. The calling
// gRPC thread blocks meanwhile, so there are never more such threads than
// the server has call threads. A thread costs tens of microseconds to start,
// against milliseconds of work per bulk batch.
template <typename T>
T RunAtLowPriority(absl::FunctionRef<T()> fn) {
  std::optional<T> result;
  std::thread worker([&] {
    LowerThisThreadsPriority();
    result.emplace(fn());
  });
  worker.join();
  return *std::move(result);
}

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_LOW_PRIORITY_H_
