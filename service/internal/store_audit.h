// What the Store implementations share about the audit (service/store.h
// "Audit"): what one call touched, the event it appends, the scope checks
// whose refusals are audited like any other outcome, and the audit query.
// Not part of the public interface: only the stores include this.
#ifndef ETHREC_SERVICE_INTERNAL_STORE_AUDIT_H_
#define ETHREC_SERVICE_INTERNAL_STORE_AUDIT_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "mapping/audit_event.h"
#include "mapping/child_record.h"
#include "service/store.h"

namespace ethrec::store_internal {

// What one audited call touched or attempted, filled as it runs.
struct Touched {
  std::vector<int64_t> child_ids;
  std::vector<int64_t> finding_ids;
  bool validate_only = false;
};

// The event a call of `access` appends at `time` (to the microsecond) with
// `outcome` (AuditOutcome); ids sorted and unique.
AuditEvent MakeAuditEvent(const Access& access, absl::Time time, Touched touched, const absl::Status& outcome);

// PermissionDenied (field "agency") when `access` sees one agency and
// `agency` is not it (findings and summaries of another agency).
absl::Status CheckAgencyScope(const Access& access, absl::string_view agency);

// PermissionDenied unless `access` sees every agency (`what`: "children
// across agencies").
absl::Status CheckAllAgencies(const Access& access, absl::string_view what);

// InvalidArgument (field "page_size") for a limit outside 1..1000, and for
// an end_time not after start_time (field "end_time").
absl::Status CheckAuditQuery(const AuditQuery& query);

// Whether `e` matches every filter of `query` but after_id and limit
// (up_to_id included).
bool MatchesAuditQuery(const AuditQuery& query, const AuditEvent& e);

// InvalidArgument unless retention is positive and batch >= 1.
absl::Status CheckPurge(absl::Duration retention, int batch);

}  // namespace ethrec::store_internal

#endif  // ETHREC_SERVICE_INTERNAL_STORE_AUDIT_H_
