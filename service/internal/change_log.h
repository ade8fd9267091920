// What the Store implementations share about the change log (service/store.h
// "The change feed"): the query checks and filter, and the signal that
// wakes watchers after a commit. Not part of the public interface: only the
// stores include this.
#ifndef ETHREC_SERVICE_INTERNAL_CHANGE_LOG_H_
#define ETHREC_SERVICE_INTERNAL_CHANGE_LOG_H_

#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "service/store.h"

namespace ethrec::store_internal {

// PermissionDenied (field "agency") when `access` sees one agency and
// query.agency is another; InvalidArgument (field "page_size") for a limit
// outside 1..1000.
absl::Status CheckChangeQuery(const ChangeQuery& query, const Access& access);

// OutOfRange when `after` is before `purged_through` (ReadChanges): the
// entries in between are gone.
absl::Status CheckNotPurged(int64_t after, int64_t purged_through);

// Whether `e` matches the kinds and agency of `query` and `access` may see
// it (its agency, or a finding naming it as the other agency).
bool MatchesChange(const ChangeQuery& query, const Access& access, const ChangeEntry& e);

// The latest committed position, told by writers after each commit and
// awaited by watchers (Store::WaitForChanges). Thread-safe.
class ChangeSignal {
 public:
  explicit ChangeSignal(int64_t latest = 0) : latest_(latest) {}

  // Records that `position` has committed (a lower one than known is
  // ignored) and wakes every waiter.
  void Notify(int64_t position) ABSL_LOCKS_EXCLUDED(mu_);
  // Wakes every waiter for good: they answer FailedPrecondition.
  void Close() ABSL_LOCKS_EXCLUDED(mu_);
  // As Store::WaitForChanges.
  absl::StatusOr<int64_t> Wait(int64_t after, absl::Time deadline) ABSL_LOCKS_EXCLUDED(mu_);
  int64_t latest() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  mutable absl::Mutex mu_;
  int64_t latest_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

// InvalidArgument unless the retention is positive and batch >= 1.
absl::Status CheckChangesPurge(absl::Duration retention, int batch);

}  // namespace ethrec::store_internal

#endif  // ETHREC_SERVICE_INTERNAL_CHANGE_LOG_H_
