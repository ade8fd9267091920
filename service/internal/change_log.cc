#include "service/internal/change_log.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "mapping/status_field.h"
#include "service/internal/findings_queries.h"
#include "service/internal/store_audit.h"
#include "service/internal/store_checks.h"

namespace ethrec::store_internal {

absl::Status CheckChangeQuery(const ChangeQuery& query, const Access& access) {
  // Empty: every agency `access` may see.
  if (!query.agency.empty()) {
    if (absl::Status s = CheckAgencyScope(access, query.agency); !s.ok()) return s;
  }
  return CheckPageSize(query.limit);
}

absl::Status CheckNotPurged(int64_t after, int64_t purged_through) {
  if (after >= purged_through) return absl::OkStatus();
  return absl::OutOfRangeError(absl::StrCat(
      "the change log no longer holds the changes after position ", after, " (changes up to ", purged_through,
      " have passed the retention and were purged): resync: re-read what you keep with ListFindings or GetChild "
      "and watch from their watch_token, or ListChanges from an empty since_token and watch from its last page's "
      "watch_token"));
}

bool MatchesChange(const ChangeQuery& query, const Access& access, const ChangeEntry& e) {
  if (!query.kinds.empty() && std::find(query.kinds.begin(), query.kinds.end(), e.kind) == query.kinds.end()) {
    return false;
  }
  auto names = [&e](absl::string_view agency) {
    return e.agency == agency || (e.kind == ChangeKind::kFindingChanged && e.other_agency == agency);
  };
  if (!query.agency.empty() && !names(query.agency)) return false;
  return access.all_agencies || names(access.actor.agency);
}

void ChangeSignal::Notify(int64_t position) {
  absl::MutexLock lock(&mu_);
  latest_ = std::max(latest_, position);
}

void ChangeSignal::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
}

absl::StatusOr<int64_t> ChangeSignal::Wait(int64_t after, absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  auto ready = [this, after]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return closed_ || latest_ > after; };
  // absl::Mutex re-evaluates the condition whenever the lock is released,
  // so Notify wakes exactly the waiters it satisfies.
  mu_.AwaitWithDeadline(absl::Condition(&ready), deadline);
  if (closed_) return ClosedError();
  return latest_;
}

int64_t ChangeSignal::latest() const {
  absl::MutexLock lock(&mu_);
  return latest_;
}

absl::Status CheckChangesPurge(absl::Duration retention, int batch) {
  if (retention <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("changes_retention ", absl::FormatDuration(retention), " must be positive"));
  }
  if (batch < 1) return absl::InvalidArgumentError(absl::StrCat("purge batch ", batch, " must be at least 1"));
  return absl::OkStatus();
}

}  // namespace ethrec::store_internal
