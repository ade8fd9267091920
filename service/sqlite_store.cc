#include "service/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "service/internal/store_checks.h"

namespace ethrec {
namespace {

using store_internal::TruncateToMicros;

// Forward migrations, applied in order; migration N brings the schema to
// version N. Never edit a released migration: add one.
//
// Portability: plain SQL types. `INTEGER PRIMARY KEY` is SQLite's
// auto-assigned id (BIGINT GENERATED ALWAYS AS IDENTITY in PostgreSQL).
// Empty strings, not NULLs, stand for absent optional values.
struct Migration {
  int version;
  const char* description;
  const char* sql;
};

constexpr Migration kMigrations[] = {
    {1, "children, identifiers, records and observations", R"sql(
CREATE TABLE children (
  child_id INTEGER PRIMARY KEY,
  created_at_us BIGINT NOT NULL
);
CREATE TABLE child_nhs_numbers (
  nhs_number VARCHAR(10) NOT NULL PRIMARY KEY,
  child_id BIGINT NOT NULL REFERENCES children (child_id)
);
CREATE INDEX child_nhs_numbers_by_child ON child_nhs_numbers (child_id);
CREATE TABLE child_agency_ids (
  agency VARCHAR(128) NOT NULL,
  agency_child_id VARCHAR(128) NOT NULL,
  child_id BIGINT NOT NULL REFERENCES children (child_id),
  PRIMARY KEY (agency, agency_child_id)
);
CREATE INDEX child_agency_ids_by_child ON child_agency_ids (child_id);
CREATE TABLE records (
  agency VARCHAR(128) NOT NULL,
  record_id VARCHAR(128) NOT NULL,
  child_id BIGINT NOT NULL REFERENCES children (child_id),
  current_version BIGINT NOT NULL,
  PRIMARY KEY (agency, record_id)
);
CREATE INDEX records_by_child ON records (child_id);
CREATE TABLE observations (
  agency VARCHAR(128) NOT NULL,
  record_id VARCHAR(128) NOT NULL,
  record_version BIGINT NOT NULL,
  nhs_number VARCHAR(10) NOT NULL,
  agency_child_id VARCHAR(128) NOT NULL,
  obs_system TEXT NOT NULL,
  obs_code TEXT NOT NULL,
  obs_text TEXT NOT NULL,
  supplied_by VARCHAR(32) NOT NULL,
  recorded_at_us BIGINT NOT NULL,
  received_at_us BIGINT NOT NULL,
  norm_outcome VARCHAR(32) NOT NULL,
  norm_categories TEXT NOT NULL,
  norm_confidences TEXT NOT NULL,
  norm_category_set TEXT NOT NULL,
  norm_relationship VARCHAR(64) NOT NULL,
  norm_ambiguous SMALLINT NOT NULL,
  norm_detail TEXT NOT NULL,
  norm_basis VARCHAR(32) NOT NULL,
  norm_system TEXT NOT NULL,
  norm_system_version TEXT NOT NULL,
  norm_code TEXT NOT NULL,
  norm_display TEXT NOT NULL,
  norm_map_id TEXT NOT NULL,
  norm_map_version TEXT NOT NULL,
  norm_decided_by_text SMALLINT NOT NULL,
  norm_explanation TEXT NOT NULL,
  norm_notes TEXT NOT NULL,
  PRIMARY KEY (agency, record_id, record_version),
  FOREIGN KEY (agency, record_id) REFERENCES records (agency, record_id)
);
)sql"},
};
static_assert(std::size(kMigrations) == kStoreSchemaVersion,
              "kStoreSchemaVersion must be the number of migrations");

constexpr char kCreateMigrationsTable[] = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER NOT NULL PRIMARY KEY,
  description TEXT NOT NULL,
  applied_at_us BIGINT NOT NULL
))sql";

// Every column of `observations`, in the order the insert and the reads use.
constexpr char kObservationColumns[] =
    "agency, record_id, record_version, nhs_number, agency_child_id, obs_system, obs_code, "
    "obs_text, supplied_by, recorded_at_us, received_at_us, norm_outcome, norm_categories, "
    "norm_confidences, norm_category_set, norm_relationship, norm_ambiguous, norm_detail, "
    "norm_basis, norm_system, norm_system_version, norm_code, norm_display, norm_map_id, "
    "norm_map_version, norm_decided_by_text, norm_explanation, norm_notes";
constexpr int kNumObservationColumns = 28;

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

// A status for SQLite result `rc`. SQLite's messages name tables and
// columns, never bound values, so they are safe to pass on.
absl::Status SqliteError(sqlite3* db, int rc, absl::string_view what) {
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return absl::Status(CodeFor(rc),
                      absl::StrCat("sqlite: ", what, ": ", detail, " (", sqlite3_errstr(rc), ")"));
}

absl::Status Exec(sqlite3* db, const char* sql, absl::string_view what) {
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? absl::OkStatus() : SqliteError(db, rc, what);
}

// The start of a statement's SQL, enough to name it in an error.
std::string StatementName(sqlite3_stmt* stmt) {
  const absl::string_view sql = sqlite3_sql(stmt);
  return sql.size() <= 60 ? std::string(sql) : absl::StrCat(sql.substr(0, 57), "...");
}

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

// --- Encoding of Normalized fields as readable text ---

std::string FormatDouble(double d) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);
  return ec == std::errc() ? std::string(buf, end) : "0";
}

std::string CategoriesText(const Normalized& n) {
  return absl::StrJoin(n.categories, "|", [](std::string* out, const RankedCategory& r) {
    absl::StrAppend(out, CategoryName(r.category));
  });
}

std::string ConfidencesText(const Normalized& n) {
  return absl::StrJoin(n.categories, "|", [](std::string* out, const RankedCategory& r) {
    absl::StrAppend(out, FormatDouble(r.confidence));
  });
}

std::string CategorySetText(CategorySet set) {
  return absl::StrJoin(set.ToVector(), "|",
                       [](std::string* out, Category c) { absl::StrAppend(out, CategoryName(c)); });
}

// Each note followed by a newline; backslashes and newlines inside a note
// are escaped, so any list of notes (even empty ones) reads back exactly.
std::string NotesText(const std::vector<std::string>& notes) {
  std::string out;
  for (const std::string& note : notes) {
    for (char c : note) {
      if (c == '\\') {
        out += "\\\\";
      } else if (c == '\n') {
        out += "\\n";
      } else {
        out += c;
      }
    }
    out += '\n';
  }
  return out;
}

absl::Status Corrupt(absl::string_view column) {
  return absl::DataLossError(
      absl::StrCat("sqlite: observations.", column, " holds a value this build cannot read"));
}

std::optional<std::vector<std::string>> ParseNotes(absl::string_view text) {
  std::vector<std::string> notes;
  std::string note;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      notes.push_back(std::move(note));
      note.clear();
    } else if (c == '\\') {
      if (++i == text.size()) return std::nullopt;
      if (text[i] == 'n') {
        note += '\n';
      } else if (text[i] == '\\') {
        note += '\\';
      } else {
        return std::nullopt;
      }
    } else {
      note += c;
    }
  }
  if (!note.empty()) return std::nullopt;
  return notes;
}

template <typename E, int N>
std::optional<E> ParseByName(absl::string_view name, absl::string_view (*to_name)(E)) {
  for (int i = 0; i < N; ++i) {
    if (to_name(static_cast<E>(i)) == name) return static_cast<E>(i);
  }
  return std::nullopt;
}

absl::StatusOr<CategorySet> ParseCategorySet(absl::string_view text, absl::string_view column) {
  CategorySet set;
  if (text.empty()) return set;
  for (absl::string_view name : absl::StrSplit(text, '|')) {
    std::optional<Category> c = ParseCategory(name);
    if (!c.has_value()) return Corrupt(column);
    set.Add(*c);
  }
  return set;
}

absl::Status ParseRanked(absl::string_view names, absl::string_view confidences, Normalized& n) {
  if (names.empty() != confidences.empty()) return Corrupt("norm_confidences");
  if (names.empty()) return absl::OkStatus();
  std::vector<absl::string_view> cats = absl::StrSplit(names, '|');
  std::vector<absl::string_view> confs = absl::StrSplit(confidences, '|');
  if (cats.size() != confs.size()) return Corrupt("norm_confidences");
  for (size_t i = 0; i < cats.size(); ++i) {
    std::optional<Category> c = ParseCategory(cats[i]);
    if (!c.has_value()) return Corrupt("norm_categories");
    double d = 0;
    auto [end, ec] = std::from_chars(confs[i].data(), confs[i].data() + confs[i].size(), d);
    if (ec != std::errc() || end != confs[i].data() + confs[i].size()) {
      return Corrupt("norm_confidences");
    }
    n.categories.push_back({*c, d});
  }
  return absl::OkStatus();
}

// The observation row the query is on (columns as kObservationColumns).
absl::StatusOr<StoredObservation> ReadObservationRow(const Query& q) {
  StoredObservation s;
  Observation& o = s.observation;
  o.agency = q.ColumnText(0);
  o.record_id = q.ColumnText(1);
  o.record_version = q.ColumnInt(2);
  o.nhs_number = q.ColumnText(3);
  o.agency_child_id = q.ColumnText(4);
  o.system = q.ColumnText(5);
  o.code = q.ColumnText(6);
  o.text = q.ColumnText(7);
  std::optional<SuppliedBy> supplied_by = ParseSuppliedBy(q.ColumnText(8));
  if (!supplied_by.has_value()) return Corrupt("supplied_by");
  o.supplied_by = *supplied_by;
  o.recorded_at = absl::FromUnixMicros(q.ColumnInt(9));
  s.received_at = absl::FromUnixMicros(q.ColumnInt(10));

  Normalized& n = s.normalized;
  std::optional<Outcome> outcome = ParseByName<Outcome, 4>(q.ColumnText(11), OutcomeName);
  if (!outcome.has_value()) return Corrupt("norm_outcome");
  n.outcome = *outcome;
  if (absl::Status st = ParseRanked(q.ColumnText(12), q.ColumnText(13), n); !st.ok()) return st;
  absl::StatusOr<CategorySet> set = ParseCategorySet(q.ColumnText(14), "norm_category_set");
  if (!set.ok()) return set.status();
  n.category_set = *set;
  std::optional<Relationship> relationship = ParseRelationship(q.ColumnText(15));
  if (!relationship.has_value()) return Corrupt("norm_relationship");
  n.relationship = *relationship;
  n.ambiguous = q.ColumnInt(16) != 0;
  n.detail = q.ColumnText(17);
  std::optional<RecordingBasis> basis =
      ParseByName<RecordingBasis, 3>(q.ColumnText(18), RecordingBasisName);
  if (!basis.has_value()) return Corrupt("norm_basis");
  n.basis = *basis;
  n.system = q.ColumnText(19);
  n.system_version = q.ColumnText(20);
  n.code = q.ColumnText(21);
  n.display = q.ColumnText(22);
  n.map_id = q.ColumnText(23);
  n.map_version = q.ColumnText(24);
  n.decided_by_text = q.ColumnInt(25) != 0;
  n.explanation = q.ColumnText(26);
  std::optional<std::vector<std::string>> notes = ParseNotes(q.ColumnText(27));
  if (!notes.has_value()) return Corrupt("norm_notes");
  n.notes = *std::move(notes);
  return s;
}

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

// Brings the schema up to kStoreSchemaVersion in one transaction and
// returns the version the file is at.
absl::StatusOr<int> Migrate(sqlite3* db, int64_t now_us) {
  if (absl::Status s = Exec(db, "BEGIN IMMEDIATE", "begin migration"); !s.ok()) return s;
  auto fail = [db](absl::Status s) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return s;
  };
  if (absl::Status s = Exec(db, kCreateMigrationsTable, "create schema_migrations"); !s.ok()) {
    return fail(s);
  }
  int version = 0;
  if (absl::Status s =
          QueryOnce(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                    [&version](const Query& q) { version = static_cast<int>(q.ColumnInt(0)); });
      !s.ok()) {
    return fail(s);
  }
  if (version > kStoreSchemaVersion) {
    return fail(absl::FailedPreconditionError(
        absl::StrCat("database schema version ", version, " is newer than this build knows (",
                     kStoreSchemaVersion, "); run a newer ethrecd or restore a backup")));
  }
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(
      db, "INSERT INTO schema_migrations (version, description, applied_at_us) VALUES (?, ?, ?)",
      -1, &raw, nullptr);
  if (rc != SQLITE_OK) return fail(SqliteError(db, rc, "prepare schema_migrations insert"));
  absl::Status status;
  for (const Migration& m : kMigrations) {
    if (m.version <= version) continue;
    status = Exec(db, m.sql, absl::StrCat("migration ", m.version));
    if (status.ok()) status = Query(db, raw).Int(m.version).Text(m.description).Int(now_us).Run();
    if (!status.ok()) break;
    version = m.version;
  }
  sqlite3_finalize(raw);
  if (!status.ok()) return fail(status);
  if (absl::Status s = Exec(db, "COMMIT", "commit migration"); !s.ok()) return fail(s);
  return version;
}

}  // namespace

// The prepared statements, one per operation.
class SqliteStore::Statements {
 public:
  enum Id {
    kBeginImmediate,
    kBeginRead,
    kCommit,
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
    kNumStatements,
  };

  static absl::StatusOr<std::unique_ptr<Statements>> Prepare(sqlite3* db) {
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
    const std::string sql[kNumStatements] = {
        "BEGIN IMMEDIATE",
        "BEGIN",
        "COMMIT",
        "SELECT child_id, current_version FROM records WHERE agency = ? AND record_id = ?",
        "SELECT nhs_number, agency_child_id, obs_system, obs_code, obs_text, supplied_by,"
        " recorded_at_us FROM observations"
        " WHERE agency = ? AND record_id = ? AND record_version = ?",
        "SELECT child_id FROM child_nhs_numbers WHERE nhs_number = ?",
        "SELECT child_id FROM child_agency_ids WHERE agency = ? AND agency_child_id = ?",
        "INSERT INTO children (created_at_us) VALUES (?) RETURNING child_id",
        "INSERT INTO child_nhs_numbers (nhs_number, child_id) VALUES (?, ?)"
        " ON CONFLICT DO NOTHING",
        "INSERT INTO child_agency_ids (agency, agency_child_id, child_id) VALUES (?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        "UPDATE child_nhs_numbers SET child_id = ? WHERE child_id = ?",
        "UPDATE child_agency_ids SET child_id = ? WHERE child_id = ?",
        "UPDATE records SET child_id = ? WHERE child_id = ?",
        "DELETE FROM children WHERE child_id = ?",
        "INSERT INTO records (agency, record_id, child_id, current_version) VALUES (?, ?, ?, ?)",
        "UPDATE records SET current_version = ? WHERE agency = ? AND record_id = ?",
        insert_observation,
        "SELECT nhs_number FROM child_nhs_numbers WHERE child_id = ? ORDER BY nhs_number",
        "SELECT agency, agency_child_id FROM child_agency_ids WHERE child_id = ?"
        " ORDER BY agency, agency_child_id",
        list_observations,
    };
    auto statements = std::unique_ptr<Statements>(new Statements(db));
    for (int i = 0; i < kNumStatements; ++i) {
      const int rc = sqlite3_prepare_v3(db, sql[i].c_str(), -1, SQLITE_PREPARE_PERSISTENT,
                                        &statements->stmts_[i], nullptr);
      if (rc != SQLITE_OK) return SqliteError(db, rc, absl::StrCat("prepare ", sql[i]));
    }
    return statements;
  }

  ~Statements() {
    for (sqlite3_stmt* s : stmts_) sqlite3_finalize(s);
  }

  // A fresh use of statement `id`.
  Query Use(Id id) { return Query(db_, stmts_[id]); }

 private:
  explicit Statements(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  sqlite3_stmt* stmts_[kNumStatements] = {};
};

absl::StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteStoreOptions& options) {
  if (options.path.empty()) return absl::InvalidArgumentError("sqlite: path is required");
  sqlite3* db = nullptr;
  // Serialised by our mutex, so SQLite's own per-connection mutex is not needed.
  const int rc =
      sqlite3_open_v2(options.path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  auto fail = [&db](absl::Status s) {
    sqlite3_close(db);  // a no-op on null
    return s;
  };
  if (rc != SQLITE_OK) {
    return fail(SqliteError(db, rc, absl::StrCat("open ", options.path)));
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(absl::ToInt64Milliseconds(options.busy_timeout)));
  if (absl::Status s = Exec(db, "PRAGMA foreign_keys = ON", "enable foreign keys"); !s.ok()) {
    return fail(s);
  }

  // journal_mode answers with the mode in force: anything but WAL (or
  // "memory" for an in-memory database) means writes would not be what
  // the contract promises.
  std::string mode;
  if (absl::Status s = QueryOnce(db, "PRAGMA journal_mode = WAL",
                                 [&mode](const Query& q) { mode = q.ColumnText(0); });
      !s.ok()) {
    return fail(s);
  }
  const bool in_memory = options.path == ":memory:";
  if (mode != "wal" && !(in_memory && mode == "memory")) {
    return fail(absl::FailedPreconditionError(absl::StrCat(
        "sqlite: ", options.path, " could not be put in WAL mode (mode is \"", mode, "\")")));
  }
  if (absl::Status s = Exec(db, "PRAGMA synchronous = FULL", "set synchronous"); !s.ok()) {
    return fail(s);
  }

  const int64_t now_us =
      absl::ToUnixMicros(options.store.clock ? options.store.clock() : absl::Now());
  absl::StatusOr<int> version = Migrate(db, now_us);
  if (!version.ok()) return fail(version.status());
  absl::StatusOr<std::unique_ptr<Statements>> statements = Statements::Prepare(db);
  if (!statements.ok()) return fail(statements.status());
  return std::unique_ptr<SqliteStore>(
      new SqliteStore(options, db, *version, *std::move(statements)));
}

SqliteStore::SqliteStore(const SqliteStoreOptions& options, sqlite3* db, int schema_version,
                         std::unique_ptr<Statements> statements)
    : options_(options), schema_version_(schema_version), db_(db), stmts_(std::move(statements)) {}

SqliteStore::~SqliteStore() { Close().IgnoreError(); }

absl::Status SqliteStore::Close() {
  absl::MutexLock lock(&mu_);
  if (db_ == nullptr) return absl::OkStatus();
  stmts_.reset();
  // close_v2 never leaves a half-closed connection behind: if something
  // still holds it, SQLite finishes closing once that is released.
  const int rc = sqlite3_close_v2(db_);
  db_ = nullptr;
  if (rc != SQLITE_OK) return SqliteError(nullptr, rc, "close");
  return absl::OkStatus();
}

absl::Status SqliteStore::Rollback(absl::Status cause) {
  if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  return cause;
}

absl::StatusOr<std::vector<WriteOutcome>> SqliteStore::Write(
    const std::vector<NormalizedObservation>& batch) {
  if (absl::Status s = store_internal::CheckBatch(batch); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  if (db_ == nullptr) return store_internal::ClosedError();
  std::vector<WriteOutcome> out;
  if (batch.empty()) return out;
  const int64_t received_us =
      absl::ToUnixMicros(options_.store.clock ? options_.store.clock() : absl::Now());
  if (absl::Status s = stmts_->Use(Statements::kBeginImmediate).Run(); !s.ok()) {
    return Rollback(s);
  }
  out.reserve(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    absl::StatusOr<WriteOutcome> outcome = WriteItem(i, batch[i], received_us);
    if (!outcome.ok()) return Rollback(outcome.status());
    out.push_back(*outcome);
  }
  if (absl::Status s = stmts_->Use(Statements::kCommit).Run(); !s.ok()) return Rollback(s);
  return out;
}

absl::StatusOr<WriteOutcome> SqliteStore::WriteItem(size_t index, const NormalizedObservation& item,
                                                    int64_t received_us) {
  const Observation& o = item.observation;
  std::optional<int64_t> record_child;
  int64_t current_version = 0;
  {
    Query q = stmts_->Use(Statements::kFindRecord);
    absl::StatusOr<bool> row = q.Text(o.agency).Text(o.record_id).Step();
    if (!row.ok()) return row.status();
    if (*row) {
      record_child = q.ColumnInt(0);
      current_version = q.ColumnInt(1);
    }
  }
  if (record_child.has_value()) {
    Query q = stmts_->Use(Statements::kFindVersion);
    absl::StatusOr<bool> row = q.Text(o.agency).Text(o.record_id).Int(o.record_version).Step();
    if (!row.ok()) return row.status();
    if (*row) {
      Observation stored;
      stored.nhs_number = q.ColumnText(0);
      stored.agency_child_id = q.ColumnText(1);
      stored.system = q.ColumnText(2);
      stored.code = q.ColumnText(3);
      stored.text = q.ColumnText(4);
      std::optional<SuppliedBy> supplied_by = ParseSuppliedBy(q.ColumnText(5));
      if (!supplied_by.has_value()) return Corrupt("supplied_by");
      stored.supplied_by = *supplied_by;
      stored.recorded_at = absl::FromUnixMicros(q.ColumnInt(6));
      std::vector<absl::string_view> diff = store_internal::ContentDiff(stored, o);
      if (!diff.empty()) return store_internal::ConflictError(index, o, diff);
      return WriteOutcome::kDuplicate;
    }
  }

  absl::StatusOr<ChildLinks> links = ResolveChild(o, record_child, received_us);
  if (!links.ok()) return links.status();
  const int64_t child = links->child;
  if (!o.nhs_number.empty() && !links->nhs_number_linked) {
    absl::Status s = stmts_->Use(Statements::kLinkNhs).Text(o.nhs_number).Int(child).Run();
    if (!s.ok()) return s;
  }
  if (!o.agency_child_id.empty() && !links->agency_child_id_linked) {
    absl::Status s = stmts_->Use(Statements::kLinkAgencyId)
                         .Text(o.agency)
                         .Text(o.agency_child_id)
                         .Int(child)
                         .Run();
    if (!s.ok()) return s;
  }

  WriteOutcome outcome = WriteOutcome::kInserted;
  if (!record_child.has_value()) {
    absl::Status s = stmts_->Use(Statements::kInsertRecord)
                         .Text(o.agency)
                         .Text(o.record_id)
                         .Int(child)
                         .Int(o.record_version)
                         .Run();
    if (!s.ok()) return s;
  } else if (o.record_version > current_version) {
    absl::Status s = stmts_->Use(Statements::kUpdateCurrent)
                         .Int(o.record_version)
                         .Text(o.agency)
                         .Text(o.record_id)
                         .Run();
    if (!s.ok()) return s;
  } else {
    outcome = WriteOutcome::kHistorical;
  }

  const Normalized& n = item.normalized;
  const std::string categories = CategoriesText(n);
  const std::string confidences = ConfidencesText(n);
  const std::string category_set = CategorySetText(n.category_set);
  const std::string notes = NotesText(n.notes);
  absl::Status s = stmts_->Use(Statements::kInsertObservation)
                       .Text(o.agency)
                       .Text(o.record_id)
                       .Int(o.record_version)
                       .Text(o.nhs_number)
                       .Text(o.agency_child_id)
                       .Text(o.system)
                       .Text(o.code)
                       .Text(o.text)
                       .Text(SuppliedByName(o.supplied_by))
                       .Int(absl::ToUnixMicros(o.recorded_at))
                       .Int(received_us)
                       .Text(OutcomeName(n.outcome))
                       .Text(categories)
                       .Text(confidences)
                       .Text(category_set)
                       .Text(RelationshipName(n.relationship))
                       .Int(n.ambiguous ? 1 : 0)
                       .Text(n.detail)
                       .Text(RecordingBasisName(n.basis))
                       .Text(n.system)
                       .Text(n.system_version)
                       .Text(n.code)
                       .Text(n.display)
                       .Text(n.map_id)
                       .Text(n.map_version)
                       .Int(n.decided_by_text ? 1 : 0)
                       .Text(n.explanation)
                       .Text(notes)
                       .Run();
  if (!s.ok()) return s;
  return outcome;
}

absl::StatusOr<SqliteStore::ChildLinks> SqliteStore::ResolveChild(
    const Observation& o, std::optional<int64_t> record_child, int64_t received_us) {
  ChildLinks links;
  std::vector<int64_t> found;
  if (record_child.has_value()) found.push_back(*record_child);
  if (!o.nhs_number.empty()) {
    Query q = stmts_->Use(Statements::kChildByNhs);
    absl::StatusOr<bool> row = q.Text(o.nhs_number).Step();
    if (!row.ok()) return row.status();
    if (*row) found.push_back(q.ColumnInt(0));
    links.nhs_number_linked = *row;
  }
  if (!o.agency_child_id.empty()) {
    Query q = stmts_->Use(Statements::kChildByAgencyId);
    absl::StatusOr<bool> row = q.Text(o.agency).Text(o.agency_child_id).Step();
    if (!row.ok()) return row.status();
    if (*row) found.push_back(q.ColumnInt(0));
    links.agency_child_id_linked = *row;
  }
  if (found.empty()) {
    Query q = stmts_->Use(Statements::kInsertChild);
    absl::StatusOr<bool> row = q.Int(received_us).Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::InternalError("sqlite: inserting a child returned no id");
    links.child = q.ColumnInt(0);
    if (absl::Status s = q.Run(); !s.ok()) return s;
    return links;
  }
  // The lowest id survives a merge (ids are internal, never shown);
  // MergeChild moves every link and record to it.
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  for (size_t i = 1; i < found.size(); ++i) {
    if (absl::Status s = MergeChild(found[i], found[0]); !s.ok()) return s;
  }
  links.child = found[0];
  return links;
}

absl::Status SqliteStore::MergeChild(int64_t from, int64_t into) {
  for (Statements::Id id :
       {Statements::kMoveNhs, Statements::kMoveAgencyIds, Statements::kMoveRecords}) {
    if (absl::Status s = stmts_->Use(id).Int(into).Int(from).Run(); !s.ok()) return s;
  }
  return stmts_->Use(Statements::kDeleteChild).Int(from).Run();
}

absl::StatusOr<ChildRecord> SqliteStore::GetChild(const ChildKey& key) {
  if (absl::Status s = key.Validate(); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  if (db_ == nullptr) return store_internal::ClosedError();
  // One read transaction, so the child is read from one snapshot.
  if (absl::Status s = stmts_->Use(Statements::kBeginRead).Run(); !s.ok()) return Rollback(s);
  absl::StatusOr<ChildRecord> child = ReadChild(key);
  if (!child.ok()) return Rollback(child.status());
  if (absl::Status s = stmts_->Use(Statements::kCommit).Run(); !s.ok()) return Rollback(s);
  return child;
}

absl::StatusOr<ChildRecord> SqliteStore::ReadChild(const ChildKey& key) {
  int64_t child = 0;
  {
    Query q = key.is_nhs_number() ? stmts_->Use(Statements::kChildByNhs)
                                  : stmts_->Use(Statements::kChildByAgencyId);
    if (key.is_nhs_number()) {
      q.Text(key.nhs_number());
    } else {
      q.Text(key.agency()).Text(key.agency_child_id());
    }
    absl::StatusOr<bool> row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) return store_internal::ChildNotFoundError(key.is_nhs_number());
    child = q.ColumnInt(0);
  }
  ChildRecord out;
  {
    Query q = stmts_->Use(Statements::kListNhs);
    q.Int(child);
    while (true) {
      absl::StatusOr<bool> row = q.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      out.nhs_numbers.push_back(q.ColumnText(0));
    }
  }
  {
    Query q = stmts_->Use(Statements::kListAgencyIds);
    q.Int(child);
    while (true) {
      absl::StatusOr<bool> row = q.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      out.agency_child_ids.push_back({q.ColumnText(0), q.ColumnText(1)});
    }
  }
  {
    Query q = stmts_->Use(Statements::kListObservations);
    q.Int(child);
    while (true) {
      absl::StatusOr<bool> row = q.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      absl::StatusOr<StoredObservation> stored = ReadObservationRow(q);
      if (!stored.ok()) return stored.status();
      if (out.records.empty() || out.records.back().agency != stored->observation.agency ||
          out.records.back().record_id != stored->observation.record_id) {
        RecordHistory& r = out.records.emplace_back();
        r.agency = stored->observation.agency;
        r.record_id = stored->observation.record_id;
      }
      out.records.back().versions.push_back(*std::move(stored));
    }
  }
  return out;
}

}  // namespace ethrec
