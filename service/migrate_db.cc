#include "service/migrate_db.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "service/postgres/statement.h"
#include "service/postgres_store.h"
#include "service/sqlite/statement.h"
#include "service/sqlite_store.h"
#include "service/store.h"

namespace ethrec {
namespace {

using postgres_internal::Connection;
using postgres_internal::PostgresError;
using sqlite_internal::SqliteError;

// Every table of the schema (version kStoreSchemaVersion), parents before
// the tables that refer to them. schema_migrations is each database's own.
constexpr const char* kTables[] = {
    "children",     "child_nhs_numbers", "child_agency_ids",     "records",     "observations", "findings",
    "finding_counts", "agency_completeness", "store_state", "audit_events", "audit_event_children",
    "audit_purge",    "changes",
};

// The identity columns, whose sequences must go on after the copied ids.
constexpr const char* kIdentities[][2] = {
    {"children", "child_id"}, {"findings", "finding_id"}, {"audit_events", "id"}};

// Closes an SQLite handle.
struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using SqliteDb = std::unique_ptr<sqlite3, SqliteCloser>;

// Runs `sql` on SQLite and calls `row` for each row.
template <typename Row>
absl::Status ForEachRow(sqlite3* db, const std::string& sql, Row&& row) {
  sqlite3_stmt* raw = nullptr;
  if (int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr); rc != SQLITE_OK) {
    return SqliteError(db, rc, sql);
  }
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
  while (true) {
    const int rc = sqlite3_step(raw);
    if (rc == SQLITE_DONE) return absl::OkStatus();
    if (rc != SQLITE_ROW) return SqliteError(db, rc, sql);
    if (absl::Status s = row(raw); !s.ok()) return s;
  }
}

// A PostgreSQL query's single integer answer.
absl::StatusOr<int64_t> PgInt(Connection& c, const std::string& sql) {
  postgres_internal::Query q(c, sql);
  absl::StatusOr<bool> row = q.Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::InternalError(absl::StrCat("postgresql: no row from ", sql));
  return q.ColumnInt(0);
}

// `v` in COPY's text format: backslash escapes for the characters it uses.
void AppendCopyText(absl::string_view v, std::string& out) {
  for (char ch : v) {
    switch (ch) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += ch;
    }
  }
}

// Copies every row of `table` from SQLite into PostgreSQL with COPY, by
// column name (the schemas have the same names). The number of rows.
absl::StatusOr<int64_t> CopyTable(sqlite3* from, Connection& to, const std::string& table) {
  std::vector<std::string> columns;
  if (absl::Status s = ForEachRow(from, absl::StrCat("SELECT name FROM pragma_table_info('", table, "') ORDER BY cid"),
                                  [&columns](sqlite3_stmt* st) {
                                    columns.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
                                    return absl::OkStatus();
                                  });
      !s.ok()) {
    return s;
  }
  if (columns.empty()) return absl::FailedPreconditionError(absl::StrCat("sqlite: no table ", table));
  const std::string list = absl::StrJoin(columns, ", ");
  PGresult* started = PQexec(to.raw(), absl::StrCat("COPY ", table, " (", list, ") FROM STDIN").c_str());
  if (PQresultStatus(started) != PGRES_COPY_IN) {
    absl::Status s = PostgresError(to, started, absl::StrCat("COPY ", table));
    PQclear(started);
    return s;
  }
  PQclear(started);
  std::string buffer;
  int64_t rows = 0;
  auto flush = [&to, &buffer]() -> absl::Status {
    if (!buffer.empty() && PQputCopyData(to.raw(), buffer.data(), static_cast<int>(buffer.size())) != 1) {
      return PostgresError(to, nullptr, "COPY data");
    }
    buffer.clear();
    return absl::OkStatus();
  };
  absl::Status read = ForEachRow(from, absl::StrCat("SELECT ", list, " FROM ", table), [&](sqlite3_stmt* st) {
    for (int i = 0; i < static_cast<int>(columns.size()); ++i) {
      if (i > 0) buffer += '\t';
      if (sqlite3_column_type(st, i) == SQLITE_NULL) {
        buffer += "\\N";
        continue;
      }
      const unsigned char* text = sqlite3_column_text(st, i);
      AppendCopyText(absl::string_view(reinterpret_cast<const char*>(text), sqlite3_column_bytes(st, i)), buffer);
    }
    buffer += '\n';
    ++rows;
    return buffer.size() >= (1 << 20) ? flush() : absl::OkStatus();
  });
  if (read.ok()) read = flush();
  // A failed read ends the COPY with an error, so that nothing of it stays.
  if (PQputCopyEnd(to.raw(), read.ok() ? nullptr : "migrate-db: reading the SQLite table failed") != 1) {
    return PostgresError(to, nullptr, absl::StrCat("COPY ", table, " end"));
  }
  absl::Status copied = absl::OkStatus();
  while (PGresult* r = PQgetResult(to.raw())) {
    if (copied.ok() && PQresultStatus(r) != PGRES_COMMAND_OK) copied = PostgresError(to, r, absl::StrCat("COPY ", table));
    PQclear(r);
  }
  if (!read.ok()) return read;
  if (!copied.ok()) return copied;
  return rows;
}

// FailedPrecondition naming the first table of the target that holds rows.
absl::Status CheckEmpty(Connection& to) {
  for (const char* table : kTables) {
    if (std::string(table) == "store_state") continue;  // the schema's own row
    absl::StatusOr<int64_t> any = PgInt(to, absl::StrCat("SELECT COUNT(*) FROM (SELECT 1 FROM ", table,
                                                         " LIMIT 1) AS t"));
    if (!any.ok()) return any.status();
    if (*any > 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "--to: the PostgreSQL database already holds ", table,
          "; migrate-db only fills an empty database, so that nothing is merged or overwritten "
          "(create a new database, e.g. createdb -O ethrec ethrec)"));
    }
  }
  return absl::OkStatus();
}

// Copies every table in one transaction and moves the identities on.
absl::StatusOr<std::vector<MigratedTable>> CopyAll(sqlite3* from, Connection& to) {
  if (absl::Status s = to.Exec("BEGIN"); !s.ok()) return s;
  auto fail = [&to](absl::Status s) {
    to.Exec("ROLLBACK").IgnoreError();
    return s;
  };
  // Re-checked inside the transaction, under a lock that keeps replicas
  // starting meanwhile from writing before the copy commits.
  if (absl::Status s = to.Exec(absl::StrCat("LOCK TABLE ", absl::StrJoin(kTables, ", "), " IN EXCLUSIVE MODE"));
      !s.ok()) {
    return fail(s);
  }
  if (absl::Status s = CheckEmpty(to); !s.ok()) return fail(s);
  if (absl::Status s = to.Exec("DELETE FROM store_state"); !s.ok()) return fail(s);
  std::vector<MigratedTable> out;
  for (const char* table : kTables) {
    absl::StatusOr<int64_t> rows = CopyTable(from, to, table);
    if (!rows.ok()) return fail(rows.status());
    out.push_back({table, *rows});
  }
  for (const auto& [table, column] : kIdentities) {
    const std::string sql = absl::StrCat("SELECT setval(pg_get_serial_sequence('", table, "', '", column,
                                         "'), COALESCE((SELECT MAX(", column, ") FROM ", table, "), 0) + 1, false)");
    if (absl::StatusOr<int64_t> s = PgInt(to, sql); !s.ok()) return fail(s.status());
  }
  // The change log keeps its positions, so that a watcher's token from the
  // SQLite server still resumes. PostgreSQL keeps the latest position (the
  // sequencer goes on after it) and the purge mark in change_log_state;
  // SQLite's copy of the mark in store_state stays, unread, so that the row
  // counts still match.
  if (absl::Status s = to.Exec(
          "UPDATE change_log_state SET latest = COALESCE((SELECT MAX(position) FROM changes), 0), "
          "purged_through = COALESCE((SELECT value::BIGINT FROM store_state WHERE name = 'changes_purged_through'), 0)");
      !s.ok()) {
    return fail(s);
  }
  if (absl::Status s = to.Exec("COMMIT"); !s.ok()) return fail(s);
  return out;
}

}  // namespace

absl::StatusOr<std::vector<MigratedTable>> MigrateSqliteToPostgres(const std::string& sqlite_path,
                                                                   const std::string& conninfo) {
  struct stat st {};
  if (sqlite_path.empty() || stat(sqlite_path.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat("--from: no SQLite database at \"", sqlite_path, "\""));
  }
  // Opening each store brings its schema to this build's version (and
  // refuses a newer one) before a row is read or written.
  {
    absl::StatusOr<std::unique_ptr<Store>> store = OpenSqliteStore({.path = sqlite_path});
    if (!store.ok()) return store.status();
    if (absl::Status s = (*store)->Close(); !s.ok()) return s;
  }
  {
    absl::StatusOr<std::unique_ptr<Store>> store = OpenPostgresStore({.conninfo = conninfo, .pool_size = 1});
    if (!store.ok()) return store.status();
    if (absl::Status s = (*store)->Close(); !s.ok()) return s;
  }
  sqlite3* raw = nullptr;
  if (int rc = sqlite3_open_v2(sqlite_path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr); rc != SQLITE_OK) {
    absl::Status s = SqliteError(raw, rc, absl::StrCat("open ", sqlite_path));
    sqlite3_close_v2(raw);
    return s;
  }
  SqliteDb from(raw);
  absl::StatusOr<std::unique_ptr<Connection>> to = Connection::Open(conninfo);
  if (!to.ok()) return to.status();
  if (absl::Status s = CheckEmpty(**to); !s.ok()) return s;
  // One read transaction on SQLite: every table as of one moment.
  if (int rc = sqlite3_exec(from.get(), "BEGIN", nullptr, nullptr, nullptr); rc != SQLITE_OK) {
    return SqliteError(from.get(), rc, "BEGIN");
  }
  absl::StatusOr<std::vector<MigratedTable>> copied = CopyAll(from.get(), **to);
  if (!copied.ok()) return copied.status();
  // The check: every table holds as many rows in both.
  for (const MigratedTable& t : *copied) {
    int64_t in_sqlite = -1;
    if (absl::Status s = ForEachRow(from.get(), absl::StrCat("SELECT COUNT(*) FROM ", t.table),
                                    [&in_sqlite](sqlite3_stmt* st) {
                                      in_sqlite = sqlite3_column_int64(st, 0);
                                      return absl::OkStatus();
                                    });
        !s.ok()) {
      return s;
    }
    absl::StatusOr<int64_t> in_pg = PgInt(**to, absl::StrCat("SELECT COUNT(*) FROM ", t.table));
    if (!in_pg.ok()) return in_pg.status();
    if (in_sqlite != t.rows || *in_pg != t.rows) {
      return absl::DataLossError(absl::StrCat("after the copy, ", t.table, " holds ", in_sqlite, " rows in SQLite and ",
                                              *in_pg, " in PostgreSQL (", t.rows, " copied)"));
    }
  }
  sqlite3_exec(from.get(), "COMMIT", nullptr, nullptr, nullptr);
  return copied;
}

}  // namespace ethrec
