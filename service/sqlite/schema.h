// The SQLite store's schema: the forward migrations that build it, and the
// column lists that the statements (statement.cc), the row codec
// (row_codec.cc) and the load tool's bare-SQLite baseline share.
#ifndef ETHREC_SERVICE_SQLITE_SCHEMA_H_
#define ETHREC_SERVICE_SQLITE_SCHEMA_H_

#include <sqlite3.h>

#include <cstdint>

#include "absl/status/statusor.h"

namespace ethrec::sqlite_internal {

// Every column of `observations`, in the order the insert and the reads use.
inline constexpr char kObservationColumns[] =
    "agency, record_id, record_version, nhs_number, agency_child_id, obs_system, obs_code, "
    "obs_text, supplied_by, recorded_at_us, received_at_us, norm_outcome, norm_categories, "
    "norm_confidences, norm_category_set, norm_relationship, norm_ambiguous, norm_detail, "
    "norm_basis, norm_system, norm_system_version, norm_code, norm_display, norm_map_id, "
    "norm_map_version, norm_decided_by_text, norm_explanation, norm_notes";
inline constexpr int kNumObservationColumns = 28;

// The columns of `records` that hold what reconciliation reads of the
// current version (see migration 2), in the order WriteItem binds them.
inline constexpr char kCurrentColumns[] =
    "self_defined, cur_supplied_by, cur_recorded_at_us, cur_system, cur_outcome, cur_categories, "
    "cur_confidences, cur_detail, cur_basis, cur_code";

// Every column of `findings` that a StoredFinding is read from, in order.
inline constexpr char kFindingColumns[] =
    "finding_id, kind, severity, status, agency, compared, record_set, reference_set, facts, "
    "suggested_code, first_raised_at_us, last_raised_at_us, reopen_count, history";
// The column after kFindingColumns where a statement also reads the
// finding's child_id (for the audit).
inline constexpr int kFindingChildColumn = 14;

// Every column of `audit_events`, in the order the insert and the reads use.
inline constexpr char kAuditEventColumns[] =
    "id, time_us, agency, role, identity, peer, method, child_ids, finding_ids, validate_only, outcome";

// Brings the schema of `db` up to kStoreSchemaVersion (service/store.h) in
// one transaction, recording each migration in `schema_migrations`, and
// returns the version the file is at. FailedPrecondition for a file newer
// than this build; the SQLite error otherwise (nothing changed).
absl::StatusOr<int> Migrate(sqlite3* db, int64_t now_us);

}  // namespace ethrec::sqlite_internal

#endif  // ETHREC_SERVICE_SQLITE_SCHEMA_H_
