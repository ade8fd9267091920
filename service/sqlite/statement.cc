#include "service/sqlite/statement.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "service/sqlite/schema.h"

namespace ethrec::sqlite_internal {
namespace {

absl::StatusCode CodeFor(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return absl::StatusCode::kUnavailable;
    case SQLITE_FULL: return absl::StatusCode::kResourceExhausted;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return absl::StatusCode::kDataLoss;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH: return absl::StatusCode::kFailedPrecondition;
    default: return absl::StatusCode::kInternal;
  }
}

}  // namespace

absl::Status SqliteError(sqlite3* db, int rc, absl::string_view what) {
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return absl::Status(CodeFor(rc),
                      absl::StrCat("sqlite: ", what, ": ", detail, " (", sqlite3_errstr(rc), ")"));
}

absl::Status Exec(sqlite3* db, const char* sql, absl::string_view what) {
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? absl::OkStatus() : SqliteError(db, rc, what);
}

std::string StatementName(sqlite3_stmt* stmt) {
  const absl::string_view sql = sqlite3_sql(stmt);
  return sql.size() <= 60 ? std::string(sql) : absl::StrCat(sql.substr(0, 57), "...");
}

absl::StatusOr<std::unique_ptr<Statements>> Statements::Prepare(sqlite3* db) {
  const std::string insert_observation = absl::StrCat(
      "INSERT INTO observations (", kObservationColumns, ") VALUES (?",
      absl::StrJoin(std::vector<std::string>(kNumObservationColumns - 1, ", ?"), ""), ")");
  const std::string list_observations = absl::StrCat(
      "SELECT ",
      absl::StrJoin(absl::StrSplit(kObservationColumns, ", "), ", ",
                    [](std::string* out, absl::string_view c) { absl::StrAppend(out, "o.", c); }),
      " FROM records r JOIN observations o"
      " ON o.agency = r.agency AND o.record_id = r.record_id WHERE r.child_id = ?"
      " ORDER BY o.agency, o.record_id, o.record_version DESC");
  // Each statement beside its id: the one list of what the store runs.
  const std::pair<Id, std::string> table[] = {
      {kBeginImmediate, "BEGIN IMMEDIATE"},
      {kCommit, "COMMIT"},
      {kRollback, "ROLLBACK"},
      {kFindRecord, "SELECT child_id, current_version FROM records WHERE agency = ? AND record_id = ?"},
      {kFindVersion, absl::StrCat("SELECT ", kObservationColumns, " FROM observations"
                                  " WHERE agency = ? AND record_id = ? AND record_version = ?")},
      {kChildByNhs, "SELECT child_id FROM child_nhs_numbers WHERE nhs_number = ?"},
      {kChildByAgencyId, "SELECT child_id FROM child_agency_ids WHERE agency = ? AND agency_child_id = ?"},
      {kInsertChild, "INSERT INTO children (created_at_us) VALUES (?) RETURNING child_id"},
      {kLinkNhs, "INSERT INTO child_nhs_numbers (nhs_number, child_id) VALUES (?, ?)"
          " ON CONFLICT DO NOTHING"},
      {kLinkAgencyId, "INSERT INTO child_agency_ids (agency, agency_child_id, child_id) VALUES (?, ?, ?)"
          " ON CONFLICT DO NOTHING"},
      {kMoveNhs, "UPDATE child_nhs_numbers SET child_id = ? WHERE child_id = ?"},
      {kMoveAgencyIds, "UPDATE child_agency_ids SET child_id = ? WHERE child_id = ?"},
      {kMoveRecords, "UPDATE records SET child_id = ? WHERE child_id = ?"},
      {kDeleteChild, "DELETE FROM children WHERE child_id = ?"},
      {kInsertRecord, absl::StrCat("INSERT INTO records (agency, record_id, child_id, current_version, ", kCurrentColumns,
          ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")},
      {kUpdateCurrent, absl::StrCat("UPDATE records SET current_version = ?, ",
          absl::StrJoin(absl::StrSplit(kCurrentColumns, ", "), ", ",
          [](std::string* out, absl::string_view c) { absl::StrAppend(out, c, " = ?"); }),
          " WHERE agency = ? AND record_id = ?")},
      {kInsertObservation, insert_observation},
      {kListNhs, "SELECT nhs_number FROM child_nhs_numbers WHERE child_id = ? ORDER BY nhs_number"},
      {kListAgencyIds, "SELECT agency, agency_child_id FROM child_agency_ids WHERE child_id = ?"
          " ORDER BY agency, agency_child_id"},
      {kListObservations, list_observations},
      // Both in the order of an index (records_by_child_agency, findings_by_child): no sort.
      {kCurrentRecords, "SELECT agency, record_id, current_version, cur_supplied_by, cur_recorded_at_us, cur_system,"
          " cur_outcome, cur_categories, cur_confidences, cur_detail, cur_basis, cur_code,"
          " child_id FROM records WHERE child_id BETWEEN ? AND ? ORDER BY child_id, agency, record_id"},
      {kChildFindings, "SELECT finding_id, compared, status, child_id, kind, agency, other_agency, severity_rank FROM findings"
          " WHERE child_id BETWEEN ? AND ? ORDER BY child_id"},
      {kInsertFinding, "INSERT INTO findings (child_id, compared, kind, severity, severity_rank, status, agency, other_agency,"
          " record_set, reference_set, facts, suggested_code, first_raised_at_us, last_raised_at_us,"
          " reopen_count, history) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)"},
      // The last three: reopened (0 or 1), the time, and the event line to append.
      {kUpdateFinding, "UPDATE findings SET compared = ?, kind = ?, severity = ?, severity_rank = ?,"
          " status = ?, agency = ?, other_agency = ?, record_set = ?, reference_set = ?, facts = ?,"
          " suggested_code = ?, reopen_count = reopen_count + ?,"
          " last_raised_at_us = CASE WHEN ? = 1 THEN ? ELSE last_raised_at_us END,"
          " history = history || ? WHERE finding_id = ?"},
      {kSetFindingStatus, "UPDATE findings SET status = ?, history = history || ? WHERE finding_id = ?"},
      {kAddFindingCount, "INSERT INTO finding_counts (agency, other_agency, kind, status, n) VALUES (?, ?, ?, ?, ?)"
          " ON CONFLICT (agency, other_agency, kind, status) DO UPDATE SET n = finding_counts.n + excluded.n"},
      {kAgenciesOfChild, "SELECT agency, MAX(self_defined) FROM records WHERE child_id = ? GROUP BY agency"},
      {kAddCompleteness, "INSERT INTO agency_completeness (agency, children, self_defined) VALUES (?, ?, ?)"
          " ON CONFLICT (agency) DO UPDATE SET children = agency_completeness.children + excluded.children,"
          " self_defined = agency_completeness.self_defined + excluded.self_defined"},
      {kMoveFindings, "UPDATE findings SET child_id = ? WHERE child_id = ?"},
      {kMarkStale, "UPDATE store_state SET value = '1' WHERE name = 'findings_stale' AND value <> '1'"},
      {kReadStale, "SELECT value FROM store_state WHERE name = 'findings_stale'"},
      {kClearStale, "UPDATE store_state SET value = '0' WHERE name = 'findings_stale'"},
      {kAllChildren, "SELECT child_id FROM children ORDER BY child_id"},
      {kGetFinding, absl::StrCat("SELECT ", kFindingColumns, ", child_id FROM findings WHERE finding_id = ?")},
      {kCountChildren, "SELECT COUNT(*) FROM children"},
      {kChildExists, "SELECT child_id FROM children WHERE child_id = ?"},
      {kChildOpenFindings, absl::StrCat("SELECT ", kFindingColumns,
          " FROM findings WHERE child_id = ? AND status <> 'CLEARED' ORDER BY finding_id")},
      {kChildrenNeedingWork, "SELECT DISTINCT child_id FROM findings WHERE child_id > ? AND status IN ('OPEN', 'ACKNOWLEDGED')"
          " ORDER BY child_id LIMIT ?"},
      // Inside an audited call: what it wrote can be undone, its event kept.
      {kSavepoint, "SAVEPOINT audited"},
      {kRollbackToSavepoint, "ROLLBACK TO audited"},
      {kReleaseSavepoint, "RELEASE audited"},
      {kInsertAuditEvent, "INSERT INTO audit_events (time_us, agency, role, identity, peer, method, child_ids,"
          " finding_ids, validate_only, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"},
      {kInsertAuditChild, "INSERT INTO audit_event_children (event_id, child_id) VALUES (?, ?)"},
      {kNewestAuditEvent, "SELECT COALESCE(MAX(id), 0) FROM audit_events"},
      // The retention purge (the delete triggers allow it only below the
      // cutoff in audit_purge): the oldest `batch` events before the cutoff,
      // their children's rows first. Both select the same events.
      {kStartPurge, "INSERT INTO audit_purge (before_us) VALUES (?)"},
      {kPurgeAuditChildren, "DELETE FROM audit_event_children WHERE event_id IN (SELECT id FROM audit_events"
          " WHERE time_us < ?1 ORDER BY time_us, id LIMIT ?2)"},
      {kPurgeAuditEvents, "DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events"
          " WHERE time_us < ?1 ORDER BY time_us, id LIMIT ?2)"},
      {kEndPurge, "DELETE FROM audit_purge"},
      // The change log (schema migration 5; service/sqlite/changes.cc).
      {kInsertChange, "INSERT INTO changes (time_us, kind, child_id, agency, record_id, record_version, action,"
          " finding_id, finding_kind, other_agency) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
      {kReadChanges, absl::StrCat("SELECT o.", absl::StrJoin(absl::StrSplit(kObservationColumns, ", "), ", o."),
          ", c.position, c.time_us, c.kind, c.child_id, c.agency, c.record_id, c.record_version, c.action,"
          " c.finding_id, c.finding_kind, c.other_agency FROM changes c LEFT JOIN observations o"
          " ON c.kind = 1 AND o.agency = c.agency AND o.record_id = c.record_id"
          " AND o.record_version = c.record_version WHERE c.position > ? ORDER BY c.position LIMIT ?")},
      {kLatestChange, "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0)"},
      {kChangesPurgedThrough, "SELECT CAST(value AS INTEGER) FROM store_state WHERE name = 'changes_purged_through'"},
      // The oldest `batch` entries before the first one not expired: the log
      // stays a contiguous run of positions.
      {kPurgeChangesUpTo, "SELECT COALESCE(MAX(position), 0) FROM (SELECT position FROM changes WHERE position <"
          " COALESCE((SELECT position FROM changes WHERE time_us >= ?1 ORDER BY position LIMIT 1),"
          " 9223372036854775807) ORDER BY position LIMIT ?2)"},
      {kDeleteChanges, "DELETE FROM changes WHERE position <= ?"},
      {kSetChangesPurgedThrough,
          "UPDATE store_state SET value = CAST(? AS TEXT) WHERE name = 'changes_purged_through'"},
  };
  auto statements = std::unique_ptr<Statements>(new Statements(db));
  for (const auto& [id, sql] : table) {
    if (statements->stmts_[id] != nullptr) {
      return absl::InternalError(absl::StrCat("sqlite: statement ", id, " is in the table twice"));
    }
    const int rc = sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &statements->stmts_[id], nullptr);
    if (rc != SQLITE_OK) return SqliteError(db, rc, absl::StrCat("prepare ", sql));
  }
  for (int id = 0; id < kNumStatements; ++id) {
    if (statements->stmts_[id] == nullptr) {
      return absl::InternalError(absl::StrCat("sqlite: statement ", id, " has no SQL in the table"));
    }
  }
  return statements;
}

Statements::~Statements() {
  for (sqlite3_stmt* s : stmts_) sqlite3_finalize(s);
}

}  // namespace ethrec::sqlite_internal
