// SQLite plumbing for SqliteStore: SQLite results as absl::Status, one use
// of a prepared statement (Query), and every statement the store prepares,
// named by an id beside its SQL in one table (statement.cc).
#ifndef ETHREC_SERVICE_SQLITE_STATEMENT_H_
#define ETHREC_SERVICE_SQLITE_STATEMENT_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ethrec::sqlite_internal {

// A status for SQLite result `rc` (BUSY and LOCKED: Unavailable; FULL:
// ResourceExhausted; CORRUPT and NOTADB: DataLoss; CANTOPEN, PERM, READONLY,
// AUTH: FailedPrecondition; anything else Internal). SQLite's messages name
// tables and columns, never bound values, so they are safe to pass on.
absl::Status SqliteError(sqlite3* db, int rc, absl::string_view what);

// Runs `sql` (no parameters, no rows wanted).
absl::Status Exec(sqlite3* db, const char* sql, absl::string_view what);

// The start of a statement's SQL, enough to name it in an error.
std::string StatementName(sqlite3_stmt* stmt);

// One use of a prepared statement: binds parameters in order, steps, reads
// columns, and resets the statement when it goes out of scope so it can be
// used again. Bound strings must outlive the Query.
class Query {
 public:
  Query(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  ~Query() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  Query& Text(absl::string_view v) {
    // A default string_view has a null data(), which SQLite would bind as NULL.
    Check(sqlite3_bind_text(stmt_, ++bound_, v.data() != nullptr ? v.data() : "",
                            static_cast<int>(v.size()), SQLITE_STATIC));
    return *this;
  }
  Query& Int(int64_t v) {
    Check(sqlite3_bind_int64(stmt_, ++bound_, v));
    return *this;
  }

  // True when a row is ready, false when the statement is done.
  absl::StatusOr<bool> Step() {
    if (!bind_status_.ok()) return bind_status_;
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return SqliteError(db_, rc, StatementName(stmt_));
  }
  // Steps to the end, ignoring any rows.
  absl::Status Run() {
    while (true) {
      absl::StatusOr<bool> row = Step();
      if (!row.ok()) return row.status();
      if (!*row) return absl::OkStatus();
    }
  }

  int64_t ColumnInt(int i) const { return sqlite3_column_int64(stmt_, i); }
  // Column i's text without a copy: valid until the next Step or the end of the Query.
  absl::string_view ColumnView(int i) const {
    const unsigned char* p = sqlite3_column_text(stmt_, i);
    return p == nullptr ? absl::string_view()
                        : absl::string_view(reinterpret_cast<const char*>(p),
                                            static_cast<size_t>(sqlite3_column_bytes(stmt_, i)));
  }
  std::string ColumnText(int i) const {
    const unsigned char* p = sqlite3_column_text(stmt_, i);
    return p == nullptr ? std::string()
                        : std::string(reinterpret_cast<const char*>(p),
                                      static_cast<size_t>(sqlite3_column_bytes(stmt_, i)));
  }

 private:
  void Check(int rc) {
    if (rc != SQLITE_OK && bind_status_.ok()) bind_status_ = SqliteError(db_, rc, "bind");
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int bound_ = 0;
  absl::Status bind_status_;
};

// Runs `sql` once and calls `on_row` with its first row, if any.
template <typename OnRow>
absl::Status QueryOnce(sqlite3* db, const char* sql, OnRow on_row) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(db, sql, -1, &raw, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db, rc, sql);
  absl::Status status;
  {
    Query q(db, raw);
    absl::StatusOr<bool> row = q.Step();
    if (row.ok() && *row) on_row(q);
    status = row.status();
  }
  sqlite3_finalize(raw);
  return status;
}

// The prepared statements, one per operation.
class Statements {
 public:
  enum Id {
    kBeginImmediate,
    kCommit,
    kRollback,
    kFindRecord,
    kFindVersion,
    kChildByNhs,
    kChildByAgencyId,
    kInsertChild,
    kLinkNhs,
    kLinkAgencyId,
    kMoveNhs,
    kMoveAgencyIds,
    kMoveRecords,
    kDeleteChild,
    kInsertRecord,
    kUpdateCurrent,
    kInsertObservation,
    kListNhs,
    kListAgencyIds,
    kListObservations,
    kCurrentRecords,
    kChildFindings,
    kInsertFinding,
    kUpdateFinding,
    kSetFindingStatus,
    kAddFindingCount,
    kAgenciesOfChild,
    kAddCompleteness,
    kMoveFindings,
    kMarkStale,
    kReadStale,
    kClearStale,
    kAllChildren,
    kGetFinding,
    kCountChildren,
    kChildExists,
    kChildOpenFindings,
    kChildrenNeedingWork,
    kSavepoint,
    kRollbackToSavepoint,
    kReleaseSavepoint,
    kInsertAuditEvent,
    kInsertAuditChild,
    kNewestAuditEvent,
    kStartPurge,
    kPurgeAuditChildren,
    kPurgeAuditEvents,
    kEndPurge,
    kInsertChange,
    kReadChanges,
    kLatestChange,
    kChangesPurgedThrough,
    kPurgeChangesUpTo,
    kDeleteChanges,
    kSetChangesPurgedThrough,
    kNumStatements,
  };

  // Prepares every statement (SQLITE_PREPARE_PERSISTENT) on `db`, which
  // must hold the current schema. Internal if the table misses an id or
  // names one twice; the SQLite error if a statement does not prepare.
  static absl::StatusOr<std::unique_ptr<Statements>> Prepare(sqlite3* db);

  Statements(const Statements&) = delete;
  Statements& operator=(const Statements&) = delete;
  ~Statements();

  // A fresh use of statement `id`.
  Query Use(Id id) { return Query(db_, stmts_[id]); }

 private:
  explicit Statements(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  sqlite3_stmt* stmts_[kNumStatements] = {};
};

}  // namespace ethrec::sqlite_internal

#endif  // ETHREC_SERVICE_SQLITE_STATEMENT_H_
