#include "service/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/types/span.h"
#include "service/internal/findings_queries.h"
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
    {2, "findings with their history; each record's current state", R"sql(
CREATE TABLE findings (
  finding_id INTEGER PRIMARY KEY,
  child_id BIGINT NOT NULL REFERENCES children (child_id),
  compared TEXT NOT NULL,
  kind VARCHAR(32) NOT NULL,
  severity VARCHAR(16) NOT NULL,
  severity_rank SMALLINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  agency VARCHAR(128) NOT NULL,
  record_set TEXT NOT NULL,
  reference_set TEXT NOT NULL,
  facts TEXT NOT NULL,
  suggested_code TEXT NOT NULL,
  first_raised_at_us BIGINT NOT NULL,
  last_raised_at_us BIGINT NOT NULL,
  reopen_count INTEGER NOT NULL,
  history TEXT NOT NULL
);
CREATE INDEX findings_by_child ON findings (child_id);
CREATE TABLE finding_counts (
  agency VARCHAR(128) NOT NULL,
  kind VARCHAR(32) NOT NULL,
  status VARCHAR(16) NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (agency, kind, status)
);
ALTER TABLE records ADD COLUMN self_defined SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE records ADD COLUMN cur_supplied_by VARCHAR(32) NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN cur_recorded_at_us BIGINT NOT NULL DEFAULT 0;
ALTER TABLE records ADD COLUMN cur_system TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN cur_outcome VARCHAR(32) NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN cur_categories TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN cur_confidences TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN cur_detail TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN cur_basis VARCHAR(32) NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN cur_code TEXT NOT NULL DEFAULT '';
UPDATE records SET (self_defined, cur_supplied_by, cur_recorded_at_us, cur_system, cur_outcome, cur_categories,
                    cur_confidences, cur_detail, cur_basis, cur_code) = (
  SELECT CASE WHEN o.supplied_by IN ('SELF', 'PARENT_OR_CARER') AND o.norm_basis <> 'observed'
              AND o.norm_outcome IN ('CATEGORIES', 'NOT_STATED') THEN 1 ELSE 0 END,
         o.supplied_by, o.recorded_at_us, o.obs_system, o.norm_outcome, o.norm_categories, o.norm_confidences,
         o.norm_detail, o.norm_basis, o.norm_code
  FROM observations o WHERE o.agency = records.agency AND o.record_id = records.record_id
    AND o.record_version = records.current_version);
CREATE INDEX records_by_agency_child ON records (agency, child_id, self_defined);
DROP INDEX records_by_child;
CREATE INDEX records_by_child_agency ON records (child_id, agency, record_id);
CREATE TABLE store_state (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  value TEXT NOT NULL
);
INSERT INTO store_state (name, value)
  SELECT 'findings_stale', CASE WHEN EXISTS (SELECT 1 FROM records) THEN '1' ELSE '0' END;
)sql"},
    // The findings rules changed (issue 9): a disagreement is seen by both
    // agencies, and facts record when the identity was stated. Existing rows
    // are carried over (the other agency is the fifth field of their facts;
    // an empty "stated at" field goes before their flags, which are at most
    // "au"), the counts are rebuilt from them, and every child is reconciled
    // again under the new rules before the store serves.
    {3, "findings visible to both agencies of a disagreement; when the identity was stated", R"sql(
ALTER TABLE findings ADD COLUMN other_agency VARCHAR(128) NOT NULL DEFAULT '';
UPDATE findings SET other_agency = x.f5 FROM (
  SELECT finding_id, substr(s4, 1, instr(s4, char(9)) - 1) AS f5 FROM (
    SELECT finding_id, substr(s3, instr(s3, char(9)) + 1) AS s4 FROM (
      SELECT finding_id, substr(s2, instr(s2, char(9)) + 1) AS s3 FROM (
        SELECT finding_id, substr(s1, instr(s1, char(9)) + 1) AS s2 FROM (
          SELECT finding_id, substr(facts, instr(facts, char(9)) + 1) AS s1 FROM findings
          WHERE kind = 'AGENCY_DISAGREEMENT'))))) AS x
  WHERE findings.finding_id = x.finding_id;
UPDATE findings SET facts =
  substr(facts, 1, length(facts) - f.n) || char(9) || substr(facts, length(facts) - f.n + 1)
  FROM (SELECT finding_id,
               CASE WHEN facts LIKE '%' || char(9) || 'au' THEN 2
                    WHEN facts LIKE '%' || char(9) || 'a' OR facts LIKE '%' || char(9) || 'u' THEN 1
                    ELSE 0 END AS n
        FROM findings) AS f
  WHERE findings.finding_id = f.finding_id;
DROP TABLE finding_counts;
CREATE TABLE finding_counts (
  agency VARCHAR(128) NOT NULL,
  other_agency VARCHAR(128) NOT NULL,
  kind VARCHAR(32) NOT NULL,
  status VARCHAR(16) NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (agency, other_agency, kind, status)
);
INSERT INTO finding_counts (agency, other_agency, kind, status, n)
  SELECT agency, other_agency, kind, status, COUNT(*) FROM findings GROUP BY agency, other_agency, kind, status;
UPDATE store_state SET value = '1' WHERE name = 'findings_stale' AND EXISTS (SELECT 1 FROM records);
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

// The columns of `records` that hold what reconciliation reads of the
// current version (see migration 2), in the order WriteItem binds them.
constexpr char kCurrentColumns[] =
    "self_defined, cur_supplied_by, cur_recorded_at_us, cur_system, cur_outcome, cur_categories, "
    "cur_confidences, cur_detail, cur_basis, cur_code";

// Every column of `findings` that a StoredFinding is read from, in order.
constexpr char kFindingColumns[] =
    "finding_id, kind, severity, status, agency, compared, record_set, reference_set, facts, "
    "suggested_code, first_raised_at_us, last_raised_at_us, reopen_count, history";

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

// DataLoss for a column holding what this build cannot read; `column` is
// in `observations` unless it names its table ("findings.record_set").
absl::Status Corrupt(absl::string_view column) {
  return absl::DataLossError(absl::StrCat("sqlite: ", absl::StrContains(column, '.') ? "" : "observations.",
                                          column, " holds a value this build cannot read"));
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
  // Walks both lists together ("A|B", "0.6|0.4"): read for every record on
  // every write, so no vectors.
  while (true) {
    const size_t name_end = std::min(names.find('|'), names.size());
    const size_t conf_end = std::min(confidences.find('|'), confidences.size());
    std::optional<Category> c = ParseCategory(names.substr(0, name_end));
    if (!c.has_value()) return Corrupt("norm_categories");
    double d = 0;
    const char* const conf_last = confidences.data() + conf_end;
    auto [end, ec] = std::from_chars(confidences.data(), conf_last, d);
    if (ec != std::errc() || end != conf_last) return Corrupt("norm_confidences");
    n.categories.push_back({*c, d});
    const bool names_done = name_end == names.size();
    if (names_done != (conf_end == confidences.size())) return Corrupt("norm_confidences");
    if (names_done) return absl::OkStatus();
    names.remove_prefix(name_end + 1);
    confidences.remove_prefix(conf_end + 1);
  }
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

// Fills `r` (which may hold an earlier row) from the record row the query
// is on (columns as kCurrentRecords).
absl::Status ReadRecordStateRow(const Query& q, RecordState& r) {
  r.agency.assign(q.ColumnView(0).data(), q.ColumnView(0).size());
  r.record_id.assign(q.ColumnView(1).data(), q.ColumnView(1).size());
  r.record_version = q.ColumnInt(2);
  std::optional<SuppliedBy> supplied_by = ParseSuppliedBy(q.ColumnView(3));
  if (!supplied_by.has_value()) return Corrupt("records.cur_supplied_by");
  r.supplied_by = *supplied_by;
  r.recorded_at = absl::FromUnixMicros(q.ColumnInt(4));
  r.system.assign(q.ColumnView(5).data(), q.ColumnView(5).size());
  Normalized& n = r.normalized;
  std::optional<Outcome> outcome = ParseByName<Outcome, 4>(q.ColumnView(6), OutcomeName);
  if (!outcome.has_value()) return Corrupt("records.cur_outcome");
  n.outcome = *outcome;
  n.categories.clear();  // `r` may be reused
  if (absl::Status st = ParseRanked(q.ColumnView(7), q.ColumnView(8), n); !st.ok()) return st;
  // The set is the ranked categories'.
  n.category_set = CategorySet();
  for (const RankedCategory& c : n.categories) n.category_set.Add(c.category);
  n.detail.assign(q.ColumnView(9).data(), q.ColumnView(9).size());
  std::optional<RecordingBasis> basis = ParseByName<RecordingBasis, 3>(q.ColumnView(10), RecordingBasisName);
  if (!basis.has_value()) return Corrupt("records.cur_basis");
  n.basis = *basis;
  n.code.assign(q.ColumnView(11).data(), q.ColumnView(11).size());
  return absl::OkStatus();
}

// A finding's history is kept in its row, one line per event after the
// first (RAISED, at first_raised_at_us, is implied):
// ACTION<TAB>at_us<TAB>by_agency<TAB>by_role<TAB>note<NEWLINE>, with
// backslash, tab and newline escaped in every field. Appending an event is
// then part of the one UPDATE that changes the finding.
void AppendEscaped(std::string* out, absl::string_view field) {
  for (char c : field) {
    switch (c) {
      case '\\': *out += "\\\\"; break;
      case '\t': *out += "\\t"; break;
      case '\n': *out += "\\n"; break;
      default: *out += c;
    }
  }
}

std::string EventLine(FindingAction action, int64_t at_us, absl::string_view by_agency = "",
                      absl::string_view by_role = "", absl::string_view note = "") {
  std::string line = absl::StrCat(FindingActionName(action), "\t", at_us, "\t");
  AppendEscaped(&line, by_agency);
  line += '\t';
  AppendEscaped(&line, by_role);
  line += '\t';
  AppendEscaped(&line, note);
  line += '\n';
  return line;
}

std::optional<std::string> Unescape(absl::string_view field) {
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '\\') {
      out += field[i];
      continue;
    }
    if (++i == field.size()) return std::nullopt;
    switch (field[i]) {
      case '\\': out += '\\'; break;
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      default: return std::nullopt;
    }
  }
  return out;
}

std::optional<std::vector<FindingEvent>> ParseHistory(absl::string_view text) {
  std::vector<FindingEvent> events;
  if (text.empty()) return events;
  if (text.back() != '\n') return std::nullopt;
  text.remove_suffix(1);
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::vector<absl::string_view> f = absl::StrSplit(line, '\t');
    int64_t at_us = 0;
    std::optional<FindingAction> action = f.size() == 5 ? ParseFindingAction(f[0]) : std::nullopt;
    if (!action.has_value() || !absl::SimpleAtoi(f[1], &at_us)) return std::nullopt;
    std::optional<std::string> agency = Unescape(f[2]), role = Unescape(f[3]), note = Unescape(f[4]);
    if (!agency || !role || !note) return std::nullopt;
    events.push_back(FindingEvent{*action, absl::FromUnixMicros(at_us), *std::move(agency), *std::move(role),
                                  *std::move(note)});
  }
  return events;
}

// A finding's facts (mapping/reconcile.h FindingFacts) as one line of
// tab-separated, escaped fields: record detail, reference detail, system,
// code, other agency, suggested display, when the reference was stated (Unix
// microseconds, empty for none), then flags ("a" ascribed, "u"
// unrecognised, "d" declined later).
std::string FactsText(const FindingFacts& f) {
  std::string out;
  for (const std::string* field :
       {&f.record_detail, &f.reference_detail, &f.system, &f.code, &f.other_agency, &f.suggested_display}) {
    AppendEscaped(&out, *field);
    out += '\t';
  }
  if (f.stated_at != absl::InfinitePast()) absl::StrAppend(&out, absl::ToUnixMicros(f.stated_at));
  out += '\t';
  if (f.ascribed) out += 'a';
  if (f.unrecognised) out += 'u';
  if (f.declined_later) out += 'd';
  return out;
}

std::optional<FindingFacts> ParseFacts(absl::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '\t');
  if (parts.size() != 8) return std::nullopt;
  FindingFacts f;
  std::string* fields[] = {&f.record_detail, &f.reference_detail, &f.system,
                           &f.code,          &f.other_agency,     &f.suggested_display};
  for (int i = 0; i < 6; ++i) {
    std::optional<std::string> v = Unescape(parts[i]);
    if (!v.has_value()) return std::nullopt;
    *fields[i] = *std::move(v);
  }
  if (!parts[6].empty()) {
    int64_t at_us = 0;
    if (!absl::SimpleAtoi(parts[6], &at_us)) return std::nullopt;
    f.stated_at = absl::FromUnixMicros(at_us);
  }
  for (char c : parts[7]) {
    if (c == 'a') {
      f.ascribed = true;
    } else if (c == 'u') {
      f.unrecognised = true;
    } else if (c == 'd') {
      f.declined_later = true;
    } else {
      return std::nullopt;
    }
  }
  return f;
}

absl::Status CorruptFinding(absl::string_view column) { return Corrupt(absl::StrCat("findings.", column)); }

// The finding row the query is on (columns as kFindingColumns).
absl::StatusOr<StoredFinding> ReadFindingRow(const Query& q) {
  StoredFinding f;
  f.id = q.ColumnInt(0);
  std::optional<FindingKind> kind = ParseFindingKind(q.ColumnText(1));
  if (!kind.has_value()) return CorruptFinding("kind");
  f.kind = *kind;
  std::optional<Severity> severity = ParseSeverity(q.ColumnText(2));
  if (!severity.has_value()) return CorruptFinding("severity");
  f.severity = *severity;
  std::optional<FindingStatus> status = ParseFindingStatus(q.ColumnText(3));
  if (!status.has_value()) return CorruptFinding("status");
  f.status = *status;
  f.agency = q.ColumnText(4);
  std::optional<std::vector<RecordRef>> compared = DecodeRecordRefs(q.ColumnView(5));
  if (!compared.has_value() || compared->empty()) return CorruptFinding("compared");
  f.compared = *std::move(compared);
  f.record_id = f.compared.front().record_id;
  absl::StatusOr<CategorySet> record_set = ParseCategorySet(q.ColumnView(6), "findings.record_set");
  if (!record_set.ok()) return record_set.status();
  f.record_set = *record_set;
  absl::StatusOr<CategorySet> reference_set = ParseCategorySet(q.ColumnView(7), "findings.reference_set");
  if (!reference_set.ok()) return reference_set.status();
  f.reference_set = *reference_set;
  std::optional<FindingFacts> facts = ParseFacts(q.ColumnView(8));
  if (!facts.has_value()) return CorruptFinding("facts");
  f.facts = *std::move(facts);
  f.suggested_code = q.ColumnText(9);
  f.first_raised_at = absl::FromUnixMicros(q.ColumnInt(10));
  f.last_raised_at = absl::FromUnixMicros(q.ColumnInt(11));
  f.reopen_count = static_cast<int>(q.ColumnInt(12));
  std::optional<std::vector<FindingEvent>> history = ParseHistory(q.ColumnView(13));
  if (!history.has_value()) return CorruptFinding("history");
  f.history.reserve(history->size() + 1);
  f.history.push_back(FindingEvent{FindingAction::kRaised, f.first_raised_at, "", "", ""});
  f.history.insert(f.history.end(), std::make_move_iterator(history->begin()),
                   std::make_move_iterator(history->end()));
  return f;
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
        "ROLLBACK",
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
        absl::StrCat("INSERT INTO records (agency, record_id, child_id, current_version, ", kCurrentColumns,
                     ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        absl::StrCat("UPDATE records SET current_version = ?, ",
                     absl::StrJoin(absl::StrSplit(kCurrentColumns, ", "), ", ",
                                   [](std::string* out, absl::string_view c) { absl::StrAppend(out, c, " = ?"); }),
                     " WHERE agency = ? AND record_id = ?"),
        insert_observation,
        "SELECT nhs_number FROM child_nhs_numbers WHERE child_id = ? ORDER BY nhs_number",
        "SELECT agency, agency_child_id FROM child_agency_ids WHERE child_id = ?"
        " ORDER BY agency, agency_child_id",
        list_observations,
        // Both in the order of an index (records_by_child_agency, findings_by_child): no sort.
        "SELECT agency, record_id, current_version, cur_supplied_by, cur_recorded_at_us, cur_system,"
        " cur_outcome, cur_categories, cur_confidences, cur_detail, cur_basis, cur_code,"
        " child_id FROM records WHERE child_id BETWEEN ? AND ? ORDER BY child_id, agency, record_id",
        "SELECT finding_id, compared, status, child_id, kind, agency, other_agency, severity_rank FROM findings"
        " WHERE child_id BETWEEN ? AND ? ORDER BY child_id",
        "INSERT INTO findings (child_id, compared, kind, severity, severity_rank, status, agency, other_agency,"
        " record_set, reference_set, facts, suggested_code, first_raised_at_us, last_raised_at_us,"
        " reopen_count, history) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
        // The last three: reopened (0 or 1), the time, and the event line to append.
        "UPDATE findings SET compared = ?, kind = ?, severity = ?, severity_rank = ?,"
        " status = ?, agency = ?, other_agency = ?, record_set = ?, reference_set = ?, facts = ?,"
        " suggested_code = ?, reopen_count = reopen_count + ?,"
        " last_raised_at_us = CASE WHEN ? = 1 THEN ? ELSE last_raised_at_us END,"
        " history = history || ? WHERE finding_id = ?",
        "UPDATE findings SET status = ?, history = history || ? WHERE finding_id = ?",
        "INSERT INTO finding_counts (agency, other_agency, kind, status, n) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (agency, other_agency, kind, status) DO UPDATE SET n = finding_counts.n + excluded.n",
        "UPDATE findings SET child_id = ? WHERE child_id = ?",
        "UPDATE store_state SET value = '1' WHERE name = 'findings_stale' AND value <> '1'",
        "SELECT value FROM store_state WHERE name = 'findings_stale'",
        "UPDATE store_state SET value = '0' WHERE name = 'findings_stale'",
        "SELECT child_id FROM children ORDER BY child_id",
        absl::StrCat("SELECT ", kFindingColumns, " FROM findings WHERE finding_id = ?"),
        "SELECT COUNT(*) FROM children",
        "SELECT child_id FROM children WHERE child_id = ?",
        absl::StrCat("SELECT ", kFindingColumns,
                     " FROM findings WHERE child_id = ? AND status <> 'CLEARED' ORDER BY finding_id"),
        "SELECT DISTINCT child_id FROM findings WHERE child_id > ? AND status IN ('OPEN', 'ACKNOWLEDGED')"
        " ORDER BY child_id LIMIT ?",
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
  // A 64 MiB page cache (SQLite's default is 2 MiB): every write reads the
  // child's records and findings back for reconciliation, and with many
  // children a small cache turns those reads into system calls.
  if (absl::Status s = Exec(db, "PRAGMA cache_size = -65536", "set cache_size"); !s.ok()) {
    return fail(s);
  }
  // Checkpoint every 8192 pages (32 MiB of WAL) rather than SQLite's 1000:
  // bulk loads rewrite the same index pages in commit after commit, and a
  // checkpoint copies only the latest version of each. Bulk import of
  // 500,000 observations: about 7% faster.
  if (absl::Status s = Exec(db, "PRAGMA wal_autocheckpoint = 8192", "set wal_autocheckpoint"); !s.ok()) {
    return fail(s);
  }

  const int64_t now_us =
      absl::ToUnixMicros(options.store.clock ? options.store.clock() : absl::Now());
  absl::StatusOr<int> version = Migrate(db, now_us);
  if (!version.ok()) return fail(version.status());
  absl::StatusOr<std::unique_ptr<Statements>> statements = Statements::Prepare(db);
  if (!statements.ok()) return fail(statements.status());
  auto store = std::unique_ptr<SqliteStore>(new SqliteStore(options, db, *version, *std::move(statements)));
  if (options.store.reconcile) {
    absl::MutexLock lock(&store->mu_);
    if (absl::Status s = store->Backfill(now_us); !s.ok()) return s;  // the destructor closes the file
  }
  return store;
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

absl::StatusOr<WriteResult> SqliteStore::Write(const std::vector<NormalizedObservation>& batch,
                                               const WriteOptions& options) {
  if (absl::Status s = store_internal::CheckBatch(batch); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  if (db_ == nullptr) return store_internal::ClosedError();
  WriteResult out;
  if (batch.empty()) return out;
  const int64_t received_us =
      absl::ToUnixMicros(options_.store.clock ? options_.store.clock() : absl::Now());
  if (absl::Status s = stmts_->Use(Statements::kBeginImmediate).Run(); !s.ok()) {
    return Rollback(s);
  }
  out.outcomes.reserve(batch.size());
  // The child each item was written to; merges_ says where merged ones went.
  // Only a new current version changes what a child's records say; a merge
  // (see merges_) changes the child it merged into.
  std::vector<int64_t> touched(batch.size(), 0);
  merges_.clear();
  for (size_t i = 0; i < batch.size(); ++i) {
    absl::StatusOr<WriteOutcome> outcome = WriteItem(i, batch[i], received_us, &touched[i]);
    if (!outcome.ok()) return Rollback(outcome.status());
    if (*outcome != WriteOutcome::kInserted) touched[i] = 0;
    out.outcomes.push_back(*outcome);
  }
  std::optional<FeedbackBuilder> feedback;
  if (options.feedback && options_.store.reconcile) {
    std::vector<int64_t> item_child = touched;
    for (int64_t& child : item_child) child = AfterMerges(child);
    feedback.emplace(batch, std::move(item_child));
  }
  feedback_ = feedback ? &*feedback : nullptr;
  absl::Status s = UpdateFindings(std::move(touched), received_us);
  feedback_ = nullptr;
  if (!s.ok()) return Rollback(s);
  if (options.validate_only) {
    // Everything was checked and computed as for real: undo it.
    if (absl::Status r = stmts_->Use(Statements::kRollback).Run(); !r.ok()) return Rollback(r);
  } else if (absl::Status c = stmts_->Use(Statements::kCommit).Run(); !c.ok()) {
    return Rollback(c);
  }
  if (feedback.has_value()) out.feedback = std::move(*feedback).Take();
  if (options.feedback) out.feedback.resize(batch.size());
  if (options.validate_only) {
    for (ItemFeedback& item : out.feedback) {
      for (FindingFeedback& f : item.findings) {
        if (f.action == FindingAction::kRaised) f.finding.id = 0;  // rolled back
      }
    }
  }
  return out;
}

int64_t SqliteStore::AfterMerges(int64_t child) const {
  // Merges only go to a lower id, so following them in order ends.
  for (const auto& [from, into] : merges_) {
    if (child == from) child = into;
  }
  return child;
}

absl::Status SqliteStore::UpdateFindings(std::vector<int64_t> children, int64_t now_us) {
  if (!options_.store.reconcile) return stmts_->Use(Statements::kMarkStale).Run();
  count_deltas_.clear();
  // A child merged later in the batch lives on in the child it merged into
  // (merges only go to a lower id, so following them in order ends).
  for (const auto& merge : merges_) children.push_back(merge.second);
  for (int64_t& child : children) child = AfterMerges(child);
  std::sort(children.begin(), children.end());
  children.erase(std::unique(children.begin(), children.end()), children.end());
  if (!children.empty() && children.front() == 0) children.erase(children.begin());  // 0: nothing changed
  if (absl::Status s = ReconcileChildren(children, now_us); !s.ok()) return s;
  return FlushCounts();
}

absl::Status SqliteStore::ReconcileChildren(const std::vector<int64_t>& children, int64_t now_us) {
  // Children written together usually have nearby ids (an extract loaded in
  // order): one range read serves a run of them when it is dense enough
  // (at most twice as many ids as children in it), instead of two reads each.
  constexpr size_t kMaxRun = 1000;
  for (size_t first = 0; first < children.size();) {
    size_t last = first;
    while (last + 1 < children.size() && last + 1 - first < kMaxRun &&
           children[last + 1] - children[first] + 1 <= 2 * static_cast<int64_t>(last + 2 - first)) {
      ++last;
    }
    absl::Span<const int64_t> run(children.data() + first, last + 1 - first);
    if (absl::Status s = ReconcileRun(run, now_us); !s.ok()) return s;
    first = last + 1;
  }
  return absl::OkStatus();
}

absl::Status SqliteStore::ReconcileRun(absl::Span<const int64_t> children, int64_t now_us) {
  const int64_t lo = children.front();
  const int64_t hi = children.back();
  auto wanted = [children](int64_t child) { return std::binary_search(children.begin(), children.end(), child); };
  // The run's stored findings, by child (the statement reads them in child order).
  std::vector<int64_t> finding_child;
  std::vector<ExistingFinding> existing;
  {
    Query q = stmts_->Use(Statements::kChildFindings);
    q.Int(lo).Int(hi);
    while (true) {
      absl::StatusOr<bool> row = q.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      const int64_t child = q.ColumnInt(3);
      if (!wanted(child)) continue;
      std::optional<FindingStatus> status = ParseFindingStatus(q.ColumnView(2));
      if (!status.has_value()) return CorruptFinding("status");
      std::optional<FindingKind> kind = ParseFindingKind(q.ColumnView(4));
      if (!kind.has_value()) return CorruptFinding("kind");
      const int64_t rank = q.ColumnInt(7);
      if (rank < 0 || rank > static_cast<int64_t>(Severity::kHigh)) return CorruptFinding("severity_rank");
      finding_child.push_back(child);
      existing.push_back({q.ColumnInt(0), q.ColumnText(1), *status, *kind, q.ColumnText(5), q.ColumnText(6),
                          static_cast<Severity>(rank)});
    }
  }
  // The current records, by child, agency and record id (the order of the
  // index the statement reads, so no sort), each child's reconciled as soon
  // as they are all read. `records` is reused from child to child.
  std::vector<RecordState> records;
  size_t used = 0;
  int64_t current = 0;
  auto reconcile = [&]() -> absl::Status {
    if (used == 0) return absl::OkStatus();
    const auto first = std::lower_bound(finding_child.begin(), finding_child.end(), current);
    const auto last = std::upper_bound(first, finding_child.end(), current);
    return ApplyFindings(current, absl::MakeConstSpan(records.data(), used),
                         absl::MakeConstSpan(existing.data() + (first - finding_child.begin()), last - first), now_us);
  };
  Query q = stmts_->Use(Statements::kCurrentRecords);
  q.Int(lo).Int(hi);
  while (true) {
    absl::StatusOr<bool> row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const int64_t child = q.ColumnInt(12);
    if (!wanted(child)) continue;
    if (child != current) {
      if (absl::Status s = reconcile(); !s.ok()) return s;
      current = child;
      used = 0;
    }
    if (used == records.size()) records.emplace_back();
    if (absl::Status s = ReadRecordStateRow(q, records[used++]); !s.ok()) return s;
  }
  return reconcile();
}

absl::Status SqliteStore::ApplyFindings(int64_t child, absl::Span<const RecordState> states,
                                        absl::Span<const ExistingFinding> existing, int64_t now_us) {
  const std::vector<StoredFinding> computed = store_internal::ComputeFindings(states, options_.store);
  const std::vector<FindingChange> changes = PlanFindingChanges(existing, computed);
  std::vector<int64_t> ids;
  if (feedback_ != nullptr) ids.reserve(changes.size());
  for (const FindingChange& change : changes) {
    using Op = FindingChange::Op;
    // An insert's event (RAISED) is implied by its first_raised_at_us.
    const std::string event = change.op == Op::kInsert ? std::string() : EventLine(change.event, now_us);
    if (change.op == Op::kInsert) {
      CountFinding(change.computed->agency, change.computed->facts.other_agency, change.computed->kind, change.status,
                   +1);
    } else {
      for (const ExistingFinding& e : existing) {
        if (e.id != change.id || e.status == change.status) continue;
        CountFinding(e.agency, e.other_agency, e.kind, e.status, -1);
        CountFinding(e.agency, e.other_agency, e.kind, change.status, +1);
      }
    }
    if (change.op == Op::kSetStatus) {
      absl::Status s =
          stmts_->Use(Statements::kSetFindingStatus).Text(FindingStatusName(change.status)).Text(event).Int(change.id).Run();
      if (!s.ok()) return s;
      if (feedback_ != nullptr) ids.push_back(change.id);
      continue;
    }
    const StoredFinding& v = *change.computed;
    const std::string record_set = CategorySetText(v.record_set);
    const std::string reference_set = CategorySetText(v.reference_set);
    Query q = stmts_->Use(change.op == Op::kInsert ? Statements::kInsertFinding : Statements::kUpdateFinding);
    if (change.op == Op::kInsert) q.Int(child);
    const std::string facts = FactsText(v.facts);
    const std::string compared = EncodeRecordRefs(v.compared);
    q.Text(compared)
        .Text(FindingKindName(v.kind))
        .Text(SeverityName(v.severity))
        .Int(static_cast<int64_t>(v.severity))
        .Text(FindingStatusName(change.status))
        .Text(v.agency)
        .Text(v.facts.other_agency)
        .Text(record_set)
        .Text(reference_set)
        .Text(facts)
        .Text(v.suggested_code);
    if (change.op == Op::kInsert) {
      q.Int(now_us).Int(now_us).Text("");  // RAISED is implied by first_raised_at_us
    } else {
      q.Int(change.reopened ? 1 : 0).Int(change.reopened ? 1 : 0).Int(now_us).Text(event).Int(change.id);
    }
    if (absl::Status s = q.Run(); !s.ok()) return s;
    if (feedback_ != nullptr) ids.push_back(change.op == Op::kInsert ? sqlite3_last_insert_rowid(db_) : change.id);
  }
  if (feedback_ != nullptr) feedback_->AddChild(child, states, existing, changes, ids);
  return absl::OkStatus();
}

void SqliteStore::CountFinding(absl::string_view agency, absl::string_view other_agency, FindingKind kind,
                               FindingStatus status, int64_t delta) {
  // A batch touches a few dozen keys at most: a scan, no allocation per call.
  for (CountDelta& d : count_deltas_) {
    if (d.kind == kind && d.status == status && d.agency == agency && d.other_agency == other_agency) {
      d.delta += delta;
      return;
    }
  }
  count_deltas_.push_back({std::string(agency), std::string(other_agency), kind, status, delta});
}

absl::Status SqliteStore::FlushCounts() {
  for (const CountDelta& d : count_deltas_) {
    if (d.delta == 0) continue;
    absl::Status s = stmts_->Use(Statements::kAddFindingCount)
                         .Text(d.agency)
                         .Text(d.other_agency)
                         .Text(FindingKindName(d.kind))
                         .Text(FindingStatusName(d.status))
                         .Int(d.delta)
                         .Run();
    if (!s.ok()) return s;
  }
  count_deltas_.clear();
  return absl::OkStatus();
}

absl::Status SqliteStore::Backfill(int64_t now_us) {
  std::string stale;
  {
    Query q = stmts_->Use(Statements::kReadStale);
    absl::StatusOr<bool> row = q.Step();
    if (!row.ok()) return row.status();
    if (*row) stale = q.ColumnText(0);
  }
  if (stale != "1") return absl::OkStatus();
  if (absl::Status s = stmts_->Use(Statements::kBeginImmediate).Run(); !s.ok()) return Rollback(s);
  std::vector<int64_t> children;
  {
    Query q = stmts_->Use(Statements::kAllChildren);
    while (true) {
      absl::StatusOr<bool> row = q.Step();
      if (!row.ok()) return Rollback(row.status());
      if (!*row) break;
      children.push_back(q.ColumnInt(0));
    }
  }
  count_deltas_.clear();
  if (absl::Status s = ReconcileChildren(children, now_us); !s.ok()) return Rollback(s);
  if (absl::Status s = FlushCounts(); !s.ok()) return Rollback(s);
  if (absl::Status s = stmts_->Use(Statements::kClearStale).Run(); !s.ok()) return Rollback(s);
  if (absl::Status s = stmts_->Use(Statements::kCommit).Run(); !s.ok()) return Rollback(s);
  return absl::OkStatus();
}

absl::StatusOr<StoredFinding> SqliteStore::ReadFinding(int64_t id) {
  Query q = stmts_->Use(Statements::kGetFinding);
  absl::StatusOr<bool> row = q.Int(id).Step();
  if (!row.ok()) return row.status();
  if (!*row) return store_internal::FindingNotFoundError(id);
  return ReadFindingRow(q);
}

absl::StatusOr<FindingsPage> SqliteStore::ListFindings(const FindingQuery& query) {
  if (absl::Status s = store_internal::CheckPageSize(query.limit); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  if (db_ == nullptr) return store_internal::ClosedError();
  if (!options_.store.reconcile) return store_internal::FindingsDisabledError();
  // Filters vary per call, so the statement is built and prepared here;
  // every value is bound, never spliced into the SQL.
  std::string sql = absl::StrCat("SELECT ", kFindingColumns, " FROM findings WHERE finding_id > ?");
  if (!query.agency.empty()) absl::StrAppend(&sql, " AND (agency = ? OR other_agency = ?)");
  auto in_list = [&sql](absl::string_view column, size_t n) {
    absl::StrAppend(&sql, " AND ", column, " IN (?", absl::StrJoin(std::vector<std::string>(n - 1, ", ?"), ""),
                    ")");
  };
  if (!query.kinds.empty()) in_list("kind", query.kinds.size());
  if (query.min_severity.has_value()) absl::StrAppend(&sql, " AND severity_rank >= ?");
  std::vector<FindingStatus> statuses = query.statuses;
  if (statuses.empty()) statuses = {FindingStatus::kOpen, FindingStatus::kAcknowledged};
  in_list("status", statuses.size());
  if (query.raised_after.has_value()) absl::StrAppend(&sql, " AND last_raised_at_us >= ?");
  if (query.raised_before.has_value()) absl::StrAppend(&sql, " AND last_raised_at_us < ?");
  absl::StrAppend(&sql, " ORDER BY finding_id LIMIT ?");
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &raw, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, "prepare ListFindings");
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
  if (absl::Status s = stmts_->Use(Statements::kBeginRead).Run(); !s.ok()) return Rollback(s);
  FindingsPage page;
  {
    Query q(db_, raw);
    q.Int(query.after_id);
    if (!query.agency.empty()) q.Text(query.agency).Text(query.agency);
    for (FindingKind k : query.kinds) q.Text(FindingKindName(k));
    if (query.min_severity.has_value()) q.Int(static_cast<int64_t>(*query.min_severity));
    for (FindingStatus st : statuses) q.Text(FindingStatusName(st));
    if (query.raised_after.has_value()) q.Int(absl::ToUnixMicros(*query.raised_after));
    if (query.raised_before.has_value()) q.Int(absl::ToUnixMicros(*query.raised_before));
    q.Int(query.limit + 1);
    while (true) {
      absl::StatusOr<bool> row = q.Step();
      if (!row.ok()) return Rollback(row.status());
      if (!*row) break;
      if (page.findings.size() == static_cast<size_t>(query.limit)) {
        page.more = true;
        break;
      }
      absl::StatusOr<StoredFinding> f = ReadFindingRow(q);
      if (!f.ok()) return Rollback(f.status());
      page.findings.push_back(*std::move(f));
    }
  }
  if (absl::Status s = stmts_->Use(Statements::kCommit).Run(); !s.ok()) return Rollback(s);
  return page;
}

absl::StatusOr<StoredFinding> SqliteStore::GetFinding(int64_t id) {
  absl::MutexLock lock(&mu_);
  if (db_ == nullptr) return store_internal::ClosedError();
  if (!options_.store.reconcile) return store_internal::FindingsDisabledError();
  if (absl::Status s = stmts_->Use(Statements::kBeginRead).Run(); !s.ok()) return Rollback(s);
  absl::StatusOr<StoredFinding> f = ReadFinding(id);
  if (!f.ok()) return Rollback(f.status());
  if (absl::Status s = stmts_->Use(Statements::kCommit).Run(); !s.ok()) return Rollback(s);
  return f;
}

absl::StatusOr<FindingSummary> SqliteStore::SummarizeFindings(absl::string_view agency) {
  absl::MutexLock lock(&mu_);
  if (db_ == nullptr) return store_internal::ClosedError();
  if (!options_.store.reconcile) return store_internal::FindingsDisabledError();
  const std::string where = agency.empty() ? "" : " AND agency = ?";
  // Counts are kept up to date by every write and review (finding_counts).
  // An agency sees the disagreements naming it as the other agency too.
  const std::string counts_sql = absl::StrCat(
      "SELECT agency, kind, status, SUM(n) FROM finding_counts WHERE status <> 'CLEARED'",
      agency.empty() ? "" : " AND (agency = ? OR other_agency = ?)",
      " GROUP BY agency, kind, status HAVING SUM(n) <> 0");
  // Per agency, its children, and those with a self-defined current record
  // (the index on records (agency, child_id, self_defined) covers this).
  const std::string completeness_sql = absl::StrCat(
      "SELECT agency, COUNT(*), SUM(self_defined) FROM (SELECT agency, child_id, MAX(self_defined) AS self_defined"
      " FROM records WHERE 1 = 1", where, " GROUP BY agency, child_id) AS per_child GROUP BY agency ORDER BY agency");
  FindingSummary out;
  if (absl::Status s = stmts_->Use(Statements::kBeginRead).Run(); !s.ok()) return Rollback(s);
  for (const std::string* sql : {&counts_sql, &completeness_sql}) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v2(db_, sql->c_str(), -1, &raw, nullptr);
    if (rc != SQLITE_OK) return Rollback(SqliteError(db_, rc, "prepare SummarizeFindings"));
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
    Query q(db_, raw);
    if (!agency.empty()) q.Text(agency);
    if (!agency.empty() && sql == &counts_sql) q.Text(agency);
    while (true) {
      absl::StatusOr<bool> row = q.Step();
      if (!row.ok()) return Rollback(row.status());
      if (!*row) break;
      if (sql == &counts_sql) {
        std::optional<FindingKind> kind = ParseFindingKind(q.ColumnText(1));
        std::optional<FindingStatus> status = ParseFindingStatus(q.ColumnText(2));
        if (!kind.has_value()) return Rollback(CorruptFinding("kind"));
        if (!status.has_value()) return Rollback(CorruptFinding("status"));
        out.counts.push_back({q.ColumnText(0), *kind, *status, q.ColumnInt(3)});
      } else {
        out.completeness.push_back({q.ColumnText(0), q.ColumnInt(1), q.ColumnInt(2)});
      }
    }
  }
  {
    Query q = stmts_->Use(Statements::kCountChildren);
    absl::StatusOr<bool> row = q.Step();
    if (!row.ok()) return Rollback(row.status());
    out.children = *row ? q.ColumnInt(0) : 0;
  }
  if (absl::Status s = stmts_->Use(Statements::kCommit).Run(); !s.ok()) return Rollback(s);
  std::sort(out.counts.begin(), out.counts.end(), [](const FindingCountRow& a, const FindingCountRow& b) {
    return std::tie(a.agency, a.kind, a.status) < std::tie(b.agency, b.kind, b.status);
  });
  return out;
}

absl::StatusOr<StoredFinding> SqliteStore::ReviewFinding(int64_t id, ReviewAction action, const Reviewer& reviewer,
                                                         absl::string_view note) {
  absl::MutexLock lock(&mu_);
  if (db_ == nullptr) return store_internal::ClosedError();
  if (!options_.store.reconcile) return store_internal::FindingsDisabledError();
  const int64_t now_us = absl::ToUnixMicros(options_.store.clock ? options_.store.clock() : absl::Now());
  if (absl::Status s = stmts_->Use(Statements::kBeginImmediate).Run(); !s.ok()) return Rollback(s);
  absl::StatusOr<StoredFinding> f = ReadFinding(id);
  if (!f.ok()) return Rollback(f.status());
  absl::StatusOr<FindingStatus> to = ReviewTransition(f->status, action, note);
  if (!to.ok()) return Rollback(to.status());
  count_deltas_.clear();
  CountFinding(f->agency, f->facts.other_agency, f->kind, f->status, -1);
  CountFinding(f->agency, f->facts.other_agency, f->kind, *to, +1);
  if (absl::Status s = FlushCounts(); !s.ok()) return Rollback(s);
  const FindingAction event = ReviewEvent(action);
  if (absl::Status s = stmts_->Use(Statements::kSetFindingStatus)
                           .Text(FindingStatusName(*to))
                           .Text(EventLine(event, now_us, reviewer.agency, reviewer.role, note))
                           .Int(id)
                           .Run();
      !s.ok()) {
    return Rollback(s);
  }
  if (absl::Status s = stmts_->Use(Statements::kCommit).Run(); !s.ok()) return Rollback(s);
  f->status = *to;
  f->history.push_back(
      FindingEvent{event, absl::FromUnixMicros(now_us), reviewer.agency, reviewer.role, std::string(note)});
  return f;
}

absl::StatusOr<WriteOutcome> SqliteStore::WriteItem(size_t index, const NormalizedObservation& item,
                                                    int64_t received_us, int64_t* child_out) {
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
      *child_out = *record_child;
      return WriteOutcome::kDuplicate;
    }
  }

  absl::StatusOr<ChildLinks> links = ResolveChild(o, record_child, received_us);
  if (!links.ok()) return links.status();
  const int64_t child = links->child;
  *child_out = child;
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

  const Normalized& n = item.normalized;
  const std::string categories = CategoriesText(n);
  const std::string confidences = ConfidencesText(n);
  const std::string category_set = CategorySetText(n.category_set);
  const std::string notes = NotesText(n.notes);
  // The record row keeps what reconciliation reads of its current version.
  auto current_state = [&](Query& q) -> Query& {
    return q.Int(SelfDefined(o.supplied_by, n) ? 1 : 0)
        .Text(SuppliedByName(o.supplied_by))
        .Int(absl::ToUnixMicros(o.recorded_at))
        .Text(o.system)
        .Text(OutcomeName(n.outcome))
        .Text(categories)
        .Text(confidences)
        .Text(n.detail)
        .Text(RecordingBasisName(n.basis))
        .Text(n.code);
  };
  WriteOutcome outcome = WriteOutcome::kInserted;
  if (!record_child.has_value()) {
    Query q = stmts_->Use(Statements::kInsertRecord);
    q.Text(o.agency).Text(o.record_id).Int(child).Int(o.record_version);
    if (absl::Status s = current_state(q).Run(); !s.ok()) return s;
  } else if (o.record_version > current_version) {
    Query q = stmts_->Use(Statements::kUpdateCurrent);
    q.Int(o.record_version);
    if (absl::Status s = current_state(q).Text(o.agency).Text(o.record_id).Run(); !s.ok()) return s;
  } else {
    outcome = WriteOutcome::kHistorical;
  }

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
  for (Statements::Id id : {Statements::kMoveNhs, Statements::kMoveAgencyIds, Statements::kMoveRecords,
                            Statements::kMoveFindings}) {
    if (absl::Status s = stmts_->Use(id).Int(into).Int(from).Run(); !s.ok()) return s;
  }
  merges_.emplace_back(from, into);
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
    Query q = key.is_child_id()     ? stmts_->Use(Statements::kChildExists)
              : key.is_nhs_number() ? stmts_->Use(Statements::kChildByNhs)
                                    : stmts_->Use(Statements::kChildByAgencyId);
    if (key.is_child_id()) {
      q.Int(key.child_id());
    } else if (key.is_nhs_number()) {
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
  out.child_id = child;
  if (!options_.store.reconcile) return out;
  Query q = stmts_->Use(Statements::kChildOpenFindings);
  q.Int(child);
  while (true) {
    absl::StatusOr<bool> row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    absl::StatusOr<StoredFinding> f = ReadFindingRow(q);
    if (!f.ok()) return f.status();
    out.findings.push_back(*std::move(f));
  }
  return out;
}

absl::StatusOr<ChildrenPage> SqliteStore::ListChildrenWithFindings(const ChildQuery& query) {
  if (absl::Status s = store_internal::CheckPageSize(query.limit); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  if (db_ == nullptr) return store_internal::ClosedError();
  if (!options_.store.reconcile) return store_internal::FindingsDisabledError();
  // One read transaction: every child of the page from one snapshot.
  if (absl::Status s = stmts_->Use(Statements::kBeginRead).Run(); !s.ok()) return Rollback(s);
  std::vector<int64_t> ids;
  {
    Query q = stmts_->Use(Statements::kChildrenNeedingWork);
    q.Int(query.after_child_id).Int(query.limit + 1);
    while (true) {
      absl::StatusOr<bool> row = q.Step();
      if (!row.ok()) return Rollback(row.status());
      if (!*row) break;
      ids.push_back(q.ColumnInt(0));
    }
  }
  ChildrenPage page;
  page.more = static_cast<int>(ids.size()) > query.limit;
  if (page.more) ids.pop_back();
  for (int64_t id : ids) {
    absl::StatusOr<ChildRecord> child = ReadChild(ChildKey::ForChildId(id));
    if (!child.ok()) return Rollback(child.status());
    page.children.push_back(*std::move(child));
  }
  if (absl::Status s = stmts_->Use(Statements::kCommit).Run(); !s.ok()) return Rollback(s);
  return page;
}

}  // namespace ethrec
