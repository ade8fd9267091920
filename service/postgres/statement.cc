#include "service/postgres/statement.h"

#include <libpq-fe.h>

#include <charconv>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "service/sqlite/row_codec.h"
#include "service/sqlite/schema.h"

namespace ethrec::postgres_internal {
namespace {

using sqlite_internal::kAuditEventColumns;
using sqlite_internal::kCurrentColumns;
using sqlite_internal::kFindingColumns;
using sqlite_internal::kObservationColumns;

// `sql` with each `?` replaced by $1, $2, ... in order: the statements
// below keep the SQLite store's shape (its table is statement.cc there).
std::string Numbered(absl::string_view sql) {
  std::string out;
  int n = 0;
  for (char c : sql) {
    if (c == '?') {
      absl::StrAppend(&out, "$", ++n);
    } else {
      out += c;
    }
  }
  return out;
}

// Each statement beside its id: the one list of what the store runs.
std::vector<std::pair<StatementId, std::string>> StatementTable() {
  // A batch's observations in one statement, a column array each, typed
  // as BindObservation binds them (WriteItem gathers the rows).
  RowArrays sample;
  const Normalized none;
  sqlite_internal::BindObservation(sample, Observation{}, none, sqlite_internal::EncodedNormalized(none), 0).EndRow();
  const std::string insert_observations =
      absl::StrCat("INSERT INTO observations (", kObservationColumns, ") SELECT * FROM ", sample.Unnest(1));
  // A batch's new records, likewise (PostgresStore::InsertNewRecords binds them).
  RowArrays record_sample;
  sqlite_internal::BindCurrentState(record_sample.Text("").Text("").Int(0).Int(0), Observation{}, none,
                                    sqlite_internal::EncodedNormalized(none))
      .EndRow();
  const std::string insert_records =
      absl::StrCat("INSERT INTO records (agency, record_id, child_id, current_version, ", kCurrentColumns,
                   ") SELECT * FROM ", record_sample.Unnest(1));
  const std::string list_observations = absl::StrCat(
      "SELECT ",
      absl::StrJoin(absl::StrSplit(kObservationColumns, ", "), ", ",
                    [](std::string* out, absl::string_view c) { absl::StrAppend(out, "o.", c); }),
      " FROM records r JOIN observations o"
      " ON o.agency = r.agency AND o.record_id = r.record_id WHERE r.child_id = ?"
      " ORDER BY o.agency, o.record_id, o.record_version DESC");
  return {
      {kFindRecord, "SELECT child_id, current_version FROM records WHERE agency = ? AND record_id = ?"},
      {kFindVersion, "SELECT nhs_number, agency_child_id, obs_system, obs_code, obs_text, supplied_by,"
          " recorded_at_us FROM observations WHERE agency = ? AND record_id = ? AND record_version = ?"},
      {kChildByNhs, "SELECT child_id FROM child_nhs_numbers WHERE nhs_number = ?"},
      {kChildByAgencyId, "SELECT child_id FROM child_agency_ids WHERE agency = ? AND agency_child_id = ?"},
      {kInsertChild, "INSERT INTO children (created_at_us) VALUES (?) RETURNING child_id"},
      {kLinkNhs, "INSERT INTO child_nhs_numbers (nhs_number, child_id) VALUES (?, ?) ON CONFLICT DO NOTHING"},
      {kLinkAgencyId, "INSERT INTO child_agency_ids (agency, agency_child_id, child_id) VALUES (?, ?, ?)"
          " ON CONFLICT DO NOTHING"},
      {kMoveNhs, "UPDATE child_nhs_numbers SET child_id = ? WHERE child_id = ?"},
      {kMoveAgencyIds, "UPDATE child_agency_ids SET child_id = ? WHERE child_id = ?"},
      {kMoveRecords, "UPDATE records SET child_id = ? WHERE child_id = ?"},
      {kDeleteChild, "DELETE FROM children WHERE child_id = ?"},
      {kInsertRecords, insert_records},
      {kUpdateCurrent, absl::StrCat("UPDATE records SET current_version = ?, ",
          absl::StrJoin(absl::StrSplit(kCurrentColumns, ", "), ", ",
                        [](std::string* out, absl::string_view c) { absl::StrAppend(out, c, " = ?"); }),
          " WHERE agency = ? AND record_id = ?")},
      {kInsertObservations, insert_observations},
      {kListNhs, "SELECT nhs_number FROM child_nhs_numbers WHERE child_id = ? ORDER BY nhs_number"},
      {kListAgencyIds, "SELECT agency, agency_child_id FROM child_agency_ids WHERE child_id = ?"
          " ORDER BY agency, agency_child_id"},
      {kListObservations, list_observations},
      {kCurrentRecords, "SELECT agency, record_id, current_version, cur_supplied_by, cur_recorded_at_us, cur_system,"
          " cur_outcome, cur_categories, cur_confidences, cur_detail, cur_basis, cur_code,"
          " child_id FROM records WHERE child_id BETWEEN ? AND ? ORDER BY child_id, agency, record_id"},
      {kChildFindings, "SELECT finding_id, compared, status, child_id, kind, agency, other_agency, severity_rank"
          " FROM findings WHERE child_id BETWEEN ? AND ? ORDER BY child_id, finding_id"},
      {kInsertFinding, "INSERT INTO findings (child_id, compared, kind, severity, severity_rank, status, agency,"
          " other_agency, record_set, reference_set, facts, suggested_code, first_raised_at_us, last_raised_at_us,"
          " reopen_count, history) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?) RETURNING finding_id"},
      // The last three: reopened (0 or 1), the time, and the event line to append.
      {kUpdateFinding, "UPDATE findings SET compared = ?, kind = ?, severity = ?, severity_rank = ?,"
          " status = ?, agency = ?, other_agency = ?, record_set = ?, reference_set = ?, facts = ?,"
          " suggested_code = ?, reopen_count = reopen_count + ?::integer,"
          " last_raised_at_us = CASE WHEN ?::integer = 1 THEN ?::bigint ELSE last_raised_at_us END,"
          " history = history || ? WHERE finding_id = ?"},
      {kSetFindingStatus, "UPDATE findings SET status = ?, history = history || ? WHERE finding_id = ?"},
      {kAddFindingCount, "INSERT INTO finding_counts (agency, other_agency, kind, status, n) VALUES (?, ?, ?, ?, ?)"
          " ON CONFLICT (agency, other_agency, kind, status) DO UPDATE SET n = finding_counts.n + excluded.n"},
      // One index probe per child, as a lateral subquery the planner cannot
      // flatten (OFFSET 0): `child_id = ANY($1)` kept, in a connection's
      // cached plan made while the table was empty, a scan of every record
      // (5 ms a write at 50,000 records, growing with the table).
      {kAgenciesOfChildren,
          "SELECT r.agency, MAX(r.self_defined) FROM unnest(?::bigint[]) AS k (child_id) CROSS JOIN LATERAL"
          " (SELECT agency, self_defined FROM records WHERE records.child_id = k.child_id OFFSET 0) AS r"
          " GROUP BY k.child_id, r.agency"},
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
      {kChildrenNeedingWork, "SELECT DISTINCT child_id FROM findings WHERE child_id > ?"
          " AND status IN ('OPEN', 'ACKNOWLEDGED') ORDER BY child_id LIMIT ?"},
      // Transaction-scoped advisory locks on the keys, in the order given
      // (the caller sorts them, so that no two writers wait on each other).
      {kLockKeys, "SELECT pg_advisory_xact_lock(k) FROM unnest(?::bigint[]) WITH ORDINALITY AS t (k, n) ORDER BY n"},
      {kFindingChild, "SELECT child_id FROM findings WHERE finding_id = ?"},
      {kInsertAuditEvent, "INSERT INTO audit_events (time_us, agency, role, identity, peer, method, child_ids,"
          " finding_ids, validate_only, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"},
      {kInsertAuditChild, "INSERT INTO audit_event_children (event_id, child_id) SELECT ?::bigint, unnest(?::bigint[])"},
      {kNewestAuditEvent, "SELECT COALESCE(MAX(id), 0) FROM audit_events"},
      {kStartPurge, "INSERT INTO audit_purge (before_us) VALUES (?)"},
      {kPurgeAuditChildren, "DELETE FROM audit_event_children WHERE event_id IN (SELECT id FROM audit_events"
          " WHERE time_us < $1 ORDER BY time_us, id LIMIT $2)"},
      {kPurgeAuditEvents, "DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events"
          " WHERE time_us < $1 ORDER BY time_us, id LIMIT $2)"},
      {kEndPurge, "DELETE FROM audit_purge"},
      // The change log (migration 5; service/postgres/changes.cc).
      // A call's entries in one statement, in the order the call made them
      // (the identity, which the sequencer follows, is given in that order).
      {kInsertChanges, "INSERT INTO changes (time_us, kind, child_id, agency, record_id, record_version, action,"
          " finding_id, finding_kind, other_agency) SELECT t, k, c, a, r, v, x, f, fk, o FROM unnest($1::bigint[],"
          " $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::bigint[], $9::text[],"
          " $10::text[]) WITH ORDINALITY AS u (t, k, c, a, r, v, x, f, fk, o, n) ORDER BY n"},
      {kReadChanges, absl::StrCat("SELECT o.", absl::StrJoin(absl::StrSplit(kObservationColumns, ", "), ", o."),
          ", c.position, c.time_us, c.kind, c.child_id, c.agency, c.record_id, c.record_version, c.action,"
          " c.finding_id, c.finding_kind, c.other_agency FROM changes c LEFT JOIN observations o"
          " ON c.kind = 1 AND o.agency = c.agency AND o.record_id = c.record_id"
          " AND o.record_version = c.record_version WHERE c.position IS NOT NULL AND c.position > ?"
          " ORDER BY c.position LIMIT ?")},
      {kChangeLogState, "SELECT latest, purged_through FROM change_log_state WHERE one = 1"},
      // The sequencer: the committed entries without a position get the
      // next ones, in the order they were inserted, in one statement.
      {kSequenceChanges, absl::StrCat("WITH todo AS (SELECT u.id, s.latest + row_number() OVER (ORDER BY u.id) AS pos"
          " FROM (SELECT id FROM changes WHERE position IS NULL ORDER BY id LIMIT ", kMaxSequencedPerRound, ") AS u,"
          " change_log_state s WHERE s.one = 1),"
          " done AS (UPDATE changes c SET position = todo.pos FROM todo WHERE c.id = todo.id RETURNING todo.pos)"
          " UPDATE change_log_state SET latest = GREATEST(latest, COALESCE((SELECT MAX(pos) FROM done), 0))"
          " WHERE one = 1 RETURNING latest")},
      {kPurgeChangesUpTo, "SELECT COALESCE(MAX(position), 0) FROM (SELECT position FROM changes"
          " WHERE position IS NOT NULL AND position < COALESCE((SELECT position FROM changes"
          " WHERE position IS NOT NULL AND time_us >= $1 ORDER BY position LIMIT 1), 9223372036854775807)"
          " ORDER BY position LIMIT $2) AS p"},
      {kDeleteChanges, "DELETE FROM changes WHERE position <= ?"},
      {kSetChangesPurgedThrough,
          "UPDATE change_log_state SET purged_through = GREATEST(purged_through, ?) WHERE one = 1"},
  };
}

}  // namespace

// The SQL of every statement, by id, numbered for PostgreSQL.
const std::vector<std::string>& StatementSql() {
  static const std::vector<std::string>* const sql = [] {
    auto* out = new std::vector<std::string>(kNumStatements);
    for (auto& [id, text] : StatementTable()) (*out)[id] = absl::StrContains(text, '$') ? text : Numbered(text);
    return out;
  }();
  return *sql;
}

namespace {

absl::StatusCode CodeFor(absl::string_view state) {
  if (absl::StartsWith(state, "08") || state == "57P01" || state == "57P02" || state == "57P03" ||
      state == "55P03") {
    return absl::StatusCode::kUnavailable;
  }
  if (state == "40P01" || state == "40001") return absl::StatusCode::kAborted;
  if (absl::StartsWith(state, "53")) return absl::StatusCode::kResourceExhausted;
  if (state == "XX001" || state == "XX002") return absl::StatusCode::kDataLoss;
  if (absl::StartsWith(state, "28") || state == "42501" || state == "3D000") {
    return absl::StatusCode::kFailedPrecondition;
  }
  return absl::StatusCode::kInternal;
}

}  // namespace

absl::Status PostgresError(const Connection& c, const PGresult* result, absl::string_view what) {
  if (c.broken()) {
    return absl::UnavailableError(absl::StrCat("postgres: ", what, ": the connection to the server is lost"));
  }
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = result != nullptr ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  absl::string_view message = primary != nullptr ? primary : PQerrorMessage(c.raw());
  while (absl::EndsWith(message, "\n")) message.remove_suffix(1);
  const absl::string_view code = state != nullptr ? state : "";
  return absl::Status(CodeFor(code), absl::StrCat("postgres: ", what, ": ", message, code.empty() ? "" : " (SQLSTATE ",
                                                  code, code.empty() ? "" : ")"));
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr) return absl::ResourceExhaustedError("postgres: out of memory connecting");
  if (PQstatus(conn) != CONNECTION_OK) {
    absl::string_view message = PQerrorMessage(conn);
    while (absl::EndsWith(message, "\n")) message.remove_suffix(1);
    // A server that answered and refused (authentication, a missing
    // database) will refuse again: not worth a retry.
    const bool refused = absl::StrContains(message, "authentication") || absl::StrContains(message, "does not exist") ||
                         absl::StrContains(message, "no pg_hba.conf entry");
    absl::Status s(refused ? absl::StatusCode::kFailedPrecondition : absl::StatusCode::kUnavailable,
                   absl::StrCat("postgres: cannot connect: ", message));
    PQfinish(conn);
    return s;
  }
  auto c = std::unique_ptr<Connection>(new Connection(conn));
  // Every commit waits for its WAL to be flushed (and for a synchronous
  // standby, where one is configured), whatever the server's default. The
  // server's notices ("already exists, skipping") stay out of the log.
  if (absl::Status s = c->Exec("SET synchronous_commit TO on; SET client_min_messages TO warning"); !s.ok()) {
    return s;
  }
  return c;
}

Connection::~Connection() { PQfinish(conn_); }

bool Connection::broken() const { return PQstatus(conn_) != CONNECTION_OK; }

absl::Status Connection::Exec(const std::string& sql) {
  PGresult* r = PQexec(conn_, sql.c_str());
  const ExecStatusType status = r != nullptr ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  absl::Status s;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    s = PostgresError(*this, r, sql.size() <= 60 ? sql : absl::StrCat(sql.substr(0, 57), "..."));
  }
  PQclear(r);
  return s;
}

absl::StatusOr<const char*> Connection::Prepared(StatementId id) {
  static const char* const kNames[] = {
      "s0",  "s1",  "s2",  "s3",  "s4",  "s5",  "s6",  "s7",  "s8",  "s9",  "s10", "s11", "s12", "s13",
      "s14", "s15", "s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24", "s25", "s26", "s27",
      "s28", "s29", "s30", "s31", "s32", "s33", "s34", "s35", "s36", "s37", "s38", "s39", "s40", "s41",
      "s42", "s43", "s44", "s45", "s46", "s47", "s48", "s49", "s50", "s51", "s52", "s53", "s54", "s55",
      "s56", "s57", "s58", "s59"};
  static_assert(std::size(kNames) >= kNumStatements, "a name per statement");
  if (prepared_[id]) return kNames[id];
  const std::string& sql = StatementSql()[id];
  if (sql.empty()) return absl::InternalError(absl::StrCat("postgres: statement ", id, " has no SQL"));
  PGresult* r = PQprepare(conn_, kNames[id], sql.c_str(), 0, nullptr);
  const bool ok = r != nullptr && PQresultStatus(r) == PGRES_COMMAND_OK;
  absl::Status s = ok ? absl::OkStatus() : PostgresError(*this, r, absl::StrCat("prepare ", sql.substr(0, 60)));
  PQclear(r);
  if (!s.ok()) return s;
  prepared_[id] = true;
  return kNames[id];
}

Query::~Query() { PQclear(result_); }

namespace {

// `v` as an element of an array literal: double-quoted, its quotes and
// backslashes escaped.
void AppendArrayElement(absl::string_view v, std::string& out) {
  out += '"';
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

}  // namespace

Query& Query::Text(absl::string_view v) {
  params_.push_back({.owned = {}, .text = v, .binary = true});
  return *this;
}

Query& Query::Int(int64_t v) {
  params_.push_back({.owned = absl::StrCat(v), .text = {}, .binary = false});
  return *this;
}

Query& Query::IntArray(const std::vector<int64_t>& v) {
  params_.push_back({.owned = absl::StrCat("{", absl::StrJoin(v, ","), "}"), .text = {}, .binary = false});
  return *this;
}

Query& Query::TextArray(const std::vector<absl::string_view>& v) {
  // An array literal.
  std::string text = "{";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) text += ',';
    AppendArrayElement(v[i], text);
  }
  text += '}';
  params_.push_back({.owned = std::move(text), .text = {}, .binary = false});
  return *this;
}

Query& Query::Columns(const RowArrays& rows) {
  for (const RowArrays::Column& c : rows.columns_) {
    params_.push_back({.owned = absl::StrCat(c.literal, "}"), .text = {}, .binary = false});
  }
  return *this;
}

std::string& RowArrays::Next(bool integer) {
  if (rows_ == 0 && next_ == columns_.size()) columns_.push_back({.integer = integer, .literal = "{"});
  std::string& literal = columns_[next_++].literal;
  if (rows_ > 0) literal += ',';
  return literal;
}

RowArrays& RowArrays::Text(absl::string_view v) {
  AppendArrayElement(v, Next(false));
  return *this;
}

RowArrays& RowArrays::Int(int64_t v) {
  absl::StrAppend(&Next(true), v);
  return *this;
}

void RowArrays::EndRow() {
  next_ = 0;
  ++rows_;
}

std::string RowArrays::Unnest(int first) const {
  std::string out = "unnest(";
  for (size_t i = 0; i < columns_.size(); ++i) {
    absl::StrAppend(&out, i == 0 ? "" : ", ", "$", first + static_cast<int>(i),
                    columns_[i].integer ? "::bigint[]" : "::text[]");
  }
  return out + ")";
}

absl::Status InsertRows(Connection& c, StatementId id, RowArrays& rows) {
  if (rows.rows() == 0) return absl::OkStatus();
  absl::Status s = Query(c, id).Columns(rows).Run();
  rows.Clear();
  return s;
}

void RowArrays::Clear() {
  columns_.clear();
  next_ = 0;
  rows_ = 0;
}

absl::Status Query::Execute() {
  std::vector<const char*> values(params_.size());
  std::vector<int> lengths(params_.size());
  std::vector<int> formats(params_.size());
  for (size_t i = 0; i < params_.size(); ++i) {
    const Param& p = params_[i];
    // Text goes in binary format: its bytes as they are, no terminator needed.
    values[i] = p.binary ? (p.text.data() != nullptr ? p.text.data() : "") : p.owned.c_str();
    lengths[i] = static_cast<int>(p.binary ? p.text.size() : p.owned.size());
    formats[i] = p.binary ? 1 : 0;
  }
  const int n = static_cast<int>(params_.size());
  absl::string_view what;
  if (id_ != kNumStatements) {
    absl::StatusOr<const char*> name = c_.Prepared(id_);
    if (!name.ok()) return name.status();
    result_ = PQexecPrepared(c_.raw(), *name, n, values.data(), lengths.data(), formats.data(), 0);
    what = StatementSql()[id_];
  } else {
    result_ = PQexecParams(c_.raw(), sql_.c_str(), n, nullptr, values.data(), lengths.data(), formats.data(), 0);
    what = sql_;
  }
  const ExecStatusType status = result_ != nullptr ? PQresultStatus(result_) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return PostgresError(c_, result_, what.size() <= 60 ? what : what.substr(0, 60));
  }
  rows_ = PQntuples(result_);
  return absl::OkStatus();
}

absl::StatusOr<bool> Query::Step() {
  if (result_ == nullptr) {
    if (absl::Status s = Execute(); !s.ok()) return s;
  }
  if (row_ + 1 >= rows_) return false;
  ++row_;
  return true;
}

absl::Status Query::Run() {
  if (result_ != nullptr) return absl::OkStatus();
  return Execute();
}

int64_t Query::Affected() const {
  int64_t n = 0;
  if (result_ == nullptr) return 0;
  absl::string_view text = PQcmdTuples(result_);
  std::from_chars(text.data(), text.data() + text.size(), n);
  return n;
}

int64_t Query::ColumnInt(int i) const {
  const absl::string_view text = ColumnView(i);
  int64_t v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

absl::string_view Query::ColumnView(int i) const {
  if (result_ == nullptr || row_ < 0 || PQgetisnull(result_, row_, i)) return absl::string_view();
  return absl::string_view(PQgetvalue(result_, row_, i), static_cast<size_t>(PQgetlength(result_, row_, i)));
}

}  // namespace ethrec::postgres_internal
