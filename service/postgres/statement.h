// libpq plumbing for PostgresStore: PostgreSQL errors as absl::Status, one
// connection with the statements it has prepared (Connection), one use of a
// statement (Query, with the same methods as the SQLite store's so that the
// row codec, service/sqlite/row_codec.h, serves both), and every statement
// the store runs, named by an id beside its SQL in one table (statement.cc).
#ifndef ETHREC_SERVICE_POSTGRES_STATEMENT_H_
#define ETHREC_SERVICE_POSTGRES_STATEMENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace ethrec::postgres_internal {

// The most change-log entries one sequencer round positions (kSequenceChanges).
inline constexpr int kMaxSequencedPerRound = 10000;

// The statements the store prepares, once per connection, on first use.
enum StatementId {
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
  kInsertRecords,  // a batch's new records, as RowArrays
  kUpdateCurrent,
  kInsertObservations,  // a batch's, as RowArrays
  kListNhs,
  kListAgencyIds,
  kListObservations,
  kCurrentRecords,
  kChildFindings,
  kInsertFinding,
  kUpdateFinding,
  kSetFindingStatus,
  kAddFindingCount,
  kAgenciesOfChildren,
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
  kLockKeys,
  kFindingChild,
  kInsertAuditEvent,
  kInsertAuditChild,
  kNewestAuditEvent,
  kStartPurge,
  kPurgeAuditChildren,
  kPurgeAuditEvents,
  kEndPurge,
  kInsertChanges,  // a call's, as RowArrays
  kReadChanges,
  kChangeLogState,
  kSequenceChanges,  // at most kMaxSequencedPerRound entries a round
  kPurgeChangesUpTo,
  kDeleteChanges,
  kSetChangesPurgedThrough,
  kNumStatements,
};

// One open connection. Not thread-safe: the pool lends it to one call at a
// time. Once broken() (the server went away), every statement fails with
// Unavailable and the pool drops it.
class Connection {
 public:
  // Connects with `conninfo` (any libpq connection string or URI) and sets
  // what every session of the store needs (synchronous_commit on).
  // Unavailable when the server cannot be reached; FailedPrecondition when
  // it refuses the connection (authentication, no such database).
  static absl::StatusOr<std::unique_ptr<Connection>> Open(const std::string& conninfo);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs `sql` (no parameters, rows ignored), through the simple protocol:
  // transaction control and the schema's DDL.
  absl::Status Exec(const std::string& sql);
  // Whether the connection to the server is lost.
  bool broken() const;

  PGconn* raw() const { return conn_; }
  // Prepares statement `id` unless this connection already has: its name.
  absl::StatusOr<const char*> Prepared(StatementId id);

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}
  PGconn* conn_;
  bool prepared_[kNumStatements] = {};
};

// A status for a failed result (null: the connection's error) of `what`:
// lost connection (class 08, the server shutting down, 57P0x): Unavailable;
// deadlock or serialization failure: Aborted (the store retries those);
// lock not available: Unavailable; disk full and other insufficient
// resources (class 53): ResourceExhausted; corruption (XX001, XX002):
// DataLoss; authentication and privileges: FailedPrecondition; anything
// else Internal. Only the server's primary message is kept: its DETAIL can
// hold row values (identifiers).
absl::Status PostgresError(const Connection& c, const PGresult* result, absl::string_view what);

// The SQL of every statement, by id, as prepared ($1, $2 ... parameters).
const std::vector<std::string>& StatementSql();

// Rows gathered for one multi-row INSERT ... SELECT FROM unnest(...): Text
// and Int bind each row's columns in order, as on a Query, and EndRow ends
// the row; Query::Columns binds each column as one array. Values are
// copied.
class RowArrays {
 public:
  RowArrays& Text(absl::string_view v);
  RowArrays& Int(int64_t v);
  void EndRow();
  int64_t rows() const { return rows_; }
  // "unnest($first::text[], $first+1::bigint[], ...)": the columns, typed by
  // what the first row bound.
  std::string Unnest(int first) const;
  void Clear();

 private:
  friend class Query;
  // The next column of the current row, with its separator.
  std::string& Next(bool integer);
  struct Column {
    bool integer = false;
    std::string literal;  // "{a,b,..." (the closing brace added when bound)
  };
  std::vector<Column> columns_;
  size_t next_ = 0;
  int64_t rows_ = 0;
};

// Runs `id`, an INSERT of `rows` (Query::Columns), unless there are none,
// and clears them.
absl::Status InsertRows(Connection& c, StatementId id, RowArrays& rows);

// One use of a statement, prepared (StatementId) or built for this call
// (SQL with $1, $2 ... parameters): binds parameters in order, runs on the
// first Step, and reads the rows. Text is sent as given (binary format, no
// copy: bound strings must outlive the Query), integers as decimal text.
class Query {
 public:
  Query(Connection& c, StatementId id) : c_(c), id_(id) {}
  Query(Connection& c, std::string sql) : c_(c), sql_(std::move(sql)) {}
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  ~Query();

  Query& Text(absl::string_view v);
  Query& Int(int64_t v);
  // An array of integers ($n::bigint[]).
  Query& IntArray(const std::vector<int64_t>& v);
  // An array of strings ($n::text[]).
  Query& TextArray(const std::vector<absl::string_view>& v);
  // Each column of `rows` as one array.
  Query& Columns(const RowArrays& rows);

  // True when a row is ready, false when there are no more.
  absl::StatusOr<bool> Step();
  // Runs the statement, ignoring any rows.
  absl::Status Run();
  // The rows the statement changed (after Run).
  int64_t Affected() const;

  int64_t ColumnInt(int i) const;
  // Column i's text without a copy: valid until the end of the Query.
  absl::string_view ColumnView(int i) const;
  std::string ColumnText(int i) const { return std::string(ColumnView(i)); }

 private:
  absl::Status Execute();

  Connection& c_;
  StatementId id_ = kNumStatements;
  std::string sql_;
  struct Param {
    std::string owned;  // an integer's text, or an array's
    absl::string_view text;
    bool binary = false;
  };
  std::vector<Param> params_;
  PGresult* result_ = nullptr;
  int row_ = -1;
  int rows_ = 0;
};

}  // namespace ethrec::postgres_internal

#endif  // ETHREC_SERVICE_POSTGRES_STATEMENT_H_
