#include "service/sqlite/schema.h"

#include <iterator>

#include "absl/strings/str_cat.h"
#include "service/sqlite/statement.h"
#include "service/store.h"

namespace ethrec::sqlite_internal {
namespace {

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
    // The audit trail (issue "audit of every access to a child's data"): one
    // row per access, appended in the transaction of the access. Ids are
    // space-free comma lists ("12,15"); audit_event_children indexes the
    // child filter (a child id is an attempt's too, so no foreign key to
    // children, which merges delete). The triggers make the trail
    // append-only: no UPDATE ever; a DELETE only of events older than the
    // cutoff the retention purge writes to audit_purge (and clears) in its
    // own transaction. They stop mistakes and casual edits, not whoever holds
    // the file: it is its owner's alone (mode 0600).
    {4, "the audit trail: append-only events of every access to a child's data", R"sql(
CREATE TABLE audit_events (
  id INTEGER PRIMARY KEY,
  time_us BIGINT NOT NULL,
  agency VARCHAR(128) NOT NULL,
  role VARCHAR(128) NOT NULL,
  identity TEXT NOT NULL,
  peer TEXT NOT NULL,
  method TEXT NOT NULL,
  child_ids TEXT NOT NULL,
  finding_ids TEXT NOT NULL,
  validate_only SMALLINT NOT NULL,
  outcome VARCHAR(32) NOT NULL
);
CREATE INDEX audit_events_by_time ON audit_events (time_us);
CREATE INDEX audit_events_by_agency ON audit_events (agency);
CREATE INDEX audit_events_by_method ON audit_events (method);
CREATE TABLE audit_event_children (
  event_id BIGINT NOT NULL,
  child_id BIGINT NOT NULL,
  PRIMARY KEY (event_id, child_id)
);
CREATE INDEX audit_event_children_by_child ON audit_event_children (child_id, event_id);
CREATE TABLE audit_purge (
  before_us BIGINT NOT NULL
);
CREATE TRIGGER audit_events_append_only BEFORE UPDATE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit events are append-only');
END;
CREATE TRIGGER audit_events_kept BEFORE DELETE ON audit_events
WHEN OLD.time_us >= COALESCE((SELECT MAX(before_us) FROM audit_purge), -9223372036854775807)
BEGIN
  SELECT RAISE(ABORT, 'audit events are append-only: only the retention purge deletes expired ones');
END;
CREATE TRIGGER audit_event_children_append_only BEFORE UPDATE ON audit_event_children
BEGIN
  SELECT RAISE(ABORT, 'audit events are append-only');
END;
CREATE TRIGGER audit_event_children_kept BEFORE DELETE ON audit_event_children
WHEN (SELECT time_us FROM audit_events WHERE id = OLD.event_id)
     >= COALESCE((SELECT MAX(before_us) FROM audit_purge), -9223372036854775807)
BEGIN
  SELECT RAISE(ABORT, 'audit events are append-only: only the retention purge deletes expired ones');
END;
)sql"},
    // The change feed (issue 13): one row per committed change, written in
    // the change's own transaction. AUTOINCREMENT so that a position is
    // never reused, even once the purge has emptied the table (a token names
    // a position). A record's normalised value is read from `observations`
    // (versions are never overwritten), not copied.
    {5, "the change log of the change feed", R"sql(
CREATE TABLE changes (
  position INTEGER PRIMARY KEY AUTOINCREMENT,
  time_us BIGINT NOT NULL,
  kind SMALLINT NOT NULL,
  child_id BIGINT NOT NULL,
  agency VARCHAR(128) NOT NULL,
  record_id VARCHAR(128) NOT NULL,
  record_version BIGINT NOT NULL,
  action VARCHAR(32) NOT NULL,
  finding_id BIGINT NOT NULL,
  finding_kind VARCHAR(32) NOT NULL,
  other_agency VARCHAR(128) NOT NULL
);
INSERT INTO store_state (name, value) VALUES ('changes_purged_through', '0');
)sql"},
    // As PostgreSQL's migration 6: the completeness index serves only the
    // query that names its predicate, never a key lookup. SQLite's planner
    // already prefers a full unique key; the step keeps the versions equal.
    {6, "the completeness index serves only completeness", R"sql(
DROP INDEX records_by_agency_child;
CREATE INDEX records_by_agency_child ON records (agency, child_id, self_defined) WHERE self_defined >= 0;
)sql"},
    // As PostgreSQL's migration 7: completeness kept as counts per agency,
    // moved by each write, instead of counted from records at each summary.
    {7, "completeness kept per agency", R"sql(
CREATE TABLE agency_completeness (
  agency VARCHAR(128) NOT NULL PRIMARY KEY,
  children BIGINT NOT NULL,
  self_defined BIGINT NOT NULL
);
INSERT INTO agency_completeness (agency, children, self_defined)
  SELECT agency, COUNT(*), SUM(self_defined) FROM (
    SELECT agency, child_id, MAX(self_defined) AS self_defined FROM records GROUP BY agency, child_id) AS per_child
  GROUP BY agency;
DROP INDEX records_by_agency_child;
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

}  // namespace

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

}  // namespace ethrec::sqlite_internal
