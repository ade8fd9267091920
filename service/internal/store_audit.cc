#include "service/internal/store_audit.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "mapping/status_field.h"
#include "service/internal/store_checks.h"

namespace ethrec::store_internal {

AuditEvent MakeAuditEvent(const Access& access, absl::Time time, Touched touched, const absl::Status& outcome) {
  AuditEvent e;
  e.time = TruncateToMicros(time);
  e.actor = access.actor;
  e.child_ids = SortedIds(std::move(touched.child_ids));
  e.finding_ids = SortedIds(std::move(touched.finding_ids));
  e.validate_only = touched.validate_only;
  e.outcome = AuditOutcome(outcome);
  return e;
}

absl::Status CheckAgencyScope(const Access& access, absl::string_view agency) {
  if (access.all_agencies || agency == access.actor.agency) return absl::OkStatus();
  return WithField(absl::PermissionDeniedError(absl::StrCat("role \"", access.actor.role,
                                                            "\" sees only its own agency's findings")),
                   "agency");
}

absl::Status CheckAllAgencies(const Access& access, absl::string_view what) {
  if (access.all_agencies) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat(what, " are only for a role that sees every agency; role \"", access.actor.role, "\" does not"));
}

absl::Status CheckAuditQuery(const AuditQuery& query) {
  if (query.limit < 1 || query.limit > 1000) {
    return WithField(absl::InvalidArgumentError(absl::StrCat("page size ", query.limit, " is outside 1..1000")),
                     "page_size");
  }
  if (query.start_time.has_value() && query.end_time.has_value() && *query.end_time <= *query.start_time) {
    return WithField(absl::InvalidArgumentError("end_time must be after start_time"), "end_time");
  }
  return absl::OkStatus();
}

bool MatchesAuditQuery(const AuditQuery& q, const AuditEvent& e) {
  if (q.up_to_id != 0 && e.id > q.up_to_id) return false;
  if (!q.agency.empty() && e.actor.agency != q.agency) return false;
  if (!q.method.empty() && e.actor.method != q.method) return false;
  if (q.start_time.has_value() && e.time < *q.start_time) return false;
  if (q.end_time.has_value() && e.time >= *q.end_time) return false;
  if (q.child_id != 0 && !std::binary_search(e.child_ids.begin(), e.child_ids.end(), q.child_id)) return false;
  return true;
}

absl::Status CheckPurge(absl::Duration retention, int batch) {
  if (retention <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("audit retention ", absl::FormatDuration(retention), " is not positive"));
  }
  if (batch < 1) return absl::InvalidArgumentError(absl::StrCat("purge batch ", batch, " is below 1"));
  return absl::OkStatus();
}

}  // namespace ethrec::store_internal
