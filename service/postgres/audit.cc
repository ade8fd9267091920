// PostgresStore's audit: each audited call's transaction (Audited in
// postgres_store.h: begin, end the call with its event, commit), the event
// itself, the audit trail's reads, and the retention purge.
#include <libpq-fe.h>

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "service/internal/store_audit.h"
#include "service/internal/store_checks.h"
#include "service/postgres/postgres_store.h"
#include "service/postgres/statement.h"
#include "service/sqlite/row_codec.h"
#include "service/sqlite/schema.h"

namespace ethrec {

using postgres_internal::Connection;
using postgres_internal::Query;
using sqlite_internal::BindAuditEvent;
using sqlite_internal::IdListText;
using sqlite_internal::kAuditEventColumns;
using sqlite_internal::ReadAuditEventRow;
namespace pg = postgres_internal;

absl::Status PostgresStore::Begin(Connection& c, Isolation isolation) {
  return c.Exec(isolation == Isolation::kWrite ? "BEGIN ISOLATION LEVEL READ COMMITTED; SAVEPOINT audited"
                                               : "BEGIN ISOLATION LEVEL REPEATABLE READ; SAVEPOINT audited");
}

absl::Status PostgresStore::EndCall(Connection& c, const Access& access, int64_t now_us, bool undone,
                                    Touched touched, const absl::Status& outcome) {
  auto fail = [&c](absl::Status s) {
    if (!c.broken()) c.Exec("ROLLBACK").IgnoreError();
    return s;
  };
  if (c.broken()) return fail(absl::UnavailableError(absl::StrCat(
                      "postgres: the connection to the server was lost during the call (", outcome.message(), ")")));
  if (undone) {
    if (absl::Status s = c.Exec("ROLLBACK TO SAVEPOINT audited"); !s.ok()) return fail(s);
  }
  const absl::Status event = AppendAuditEvent(
      c, store_internal::MakeAuditEvent(access, absl::FromUnixMicros(now_us), std::move(touched), outcome));
  // Without its event nothing of the call is kept.
  if (!event.ok()) return fail(event);
  // A transaction in error would answer COMMIT with a rollback.
  if (PQtransactionStatus(c.raw()) != PQTRANS_INTRANS) {
    return fail(absl::InternalError("postgres: the transaction failed before it could commit"));
  }
  PGresult* r = PQexec(c.raw(), "COMMIT");
  absl::Status committed;
  if (r == nullptr || PQresultStatus(r) != PGRES_COMMAND_OK) {
    committed = pg::PostgresError(c, r, "COMMIT");
  } else if (absl::string_view(PQcmdStatus(r)) != "COMMIT") {
    committed = absl::InternalError(absl::StrCat("postgres: COMMIT answered ", PQcmdStatus(r)));
  }
  PQclear(r);
  return committed.ok() ? committed : fail(committed);
}

absl::Status PostgresStore::AppendAuditEvent(Connection& c, const AuditEvent& event) {
  const std::string child_ids = IdListText(event.child_ids);
  const std::string finding_ids = IdListText(event.finding_ids);
  int64_t id = 0;
  {
    Query q(c, pg::kInsertAuditEvent);
    absl::StatusOr<bool> row = BindAuditEvent(q, event, child_ids, finding_ids).Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::InternalError("postgres: inserting an audit event returned no id");
    id = q.ColumnInt(0);
  }
  if (event.child_ids.empty()) return absl::OkStatus();
  return Query(c, pg::kInsertAuditChild).Int(id).IntArray(event.child_ids).Run();
}

absl::StatusOr<AuditPage> PostgresStore::ListAuditEvents(const AuditQuery& query, const Access& access) {
  return Audited<AuditPage>(access, Isolation::kRead, Undo::kOnError,
                            [&](Txn& txn, Touched&, int64_t) { return QueryAuditEvents(txn.conn, query); });
}

absl::StatusOr<AuditPage> PostgresStore::QueryAuditEvents(Connection& c, const AuditQuery& query) {
  if (absl::Status s = store_internal::CheckAuditQuery(query); !s.ok()) return s;
  AuditPage page;
  {
    Query q(c, pg::kNewestAuditEvent);
    absl::StatusOr<bool> row = q.Step();
    if (!row.ok()) return row.status();
    page.newest_id = *row ? q.ColumnInt(0) : 0;
  }
  // Filters vary per call, so the statement is built here; every value is
  // a parameter, never spliced into the SQL.
  int next = 1;
  std::string sql = absl::StrCat("SELECT ", kAuditEventColumns, " FROM audit_events WHERE id > $", next++);
  if (query.up_to_id != 0) absl::StrAppend(&sql, " AND id <= $", next++);
  if (!query.agency.empty()) absl::StrAppend(&sql, " AND agency = $", next++);
  if (!query.method.empty()) absl::StrAppend(&sql, " AND method = $", next++);
  if (query.start_time.has_value()) absl::StrAppend(&sql, " AND time_us >= $", next++);
  if (query.end_time.has_value()) absl::StrAppend(&sql, " AND time_us < $", next++);
  if (query.child_id != 0) {
    absl::StrAppend(&sql, " AND id IN (SELECT event_id FROM audit_event_children WHERE child_id = $", next,
                    " AND event_id > $", next + 1, ")");
    next += 2;
  }
  absl::StrAppend(&sql, " ORDER BY id LIMIT $", next++);
  Query q(c, std::move(sql));
  q.Int(query.after_id);
  if (query.up_to_id != 0) q.Int(query.up_to_id);
  if (!query.agency.empty()) q.Text(query.agency);
  if (!query.method.empty()) q.Text(query.method);
  if (query.start_time.has_value()) q.Int(absl::ToUnixMicros(*query.start_time));
  if (query.end_time.has_value()) q.Int(absl::ToUnixMicros(*query.end_time));
  if (query.child_id != 0) q.Int(query.child_id).Int(query.after_id);
  q.Int(query.limit + 1);
  while (true) {
    absl::StatusOr<bool> row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (static_cast<int>(page.events.size()) == query.limit) {
      page.more = true;
      break;
    }
    absl::StatusOr<AuditEvent> e = ReadAuditEventRow(q);
    if (!e.ok()) return e.status();
    page.events.push_back(*std::move(e));
  }
  return page;
}

absl::StatusOr<int64_t> PostgresStore::PurgeExpiredAuditEvents(int batch) {
  if (absl::Status s = store_internal::CheckPurge(options_.store.audit_retention, batch); !s.ok()) return s;
  int64_t purged = 0;
  while (true) {
    // One transaction per batch, so that a large backlog never holds much up.
    absl::StatusOr<std::unique_ptr<Connection>> taken = pool_.Take();
    if (!taken.ok()) return taken.status();
    postgres_internal::Lease c(pool_, *std::move(taken));
    auto fail = [&c](absl::Status s) {
      if (!c->broken()) c->Exec("ROLLBACK").IgnoreError();
      return s;
    };
    const int64_t cutoff_us = NowMicros() - absl::ToInt64Microseconds(options_.store.audit_retention);
    if (absl::Status s = c->Exec("BEGIN"); !s.ok()) return fail(s);
    if (absl::Status s = Query(*c, pg::kStartPurge).Int(cutoff_us).Run(); !s.ok()) return fail(s);
    if (absl::Status s = Query(*c, pg::kPurgeAuditChildren).Int(cutoff_us).Int(batch).Run(); !s.ok()) return fail(s);
    Query events(*c, pg::kPurgeAuditEvents);
    if (absl::Status s = events.Int(cutoff_us).Int(batch).Run(); !s.ok()) return fail(s);
    const int64_t deleted = events.Affected();
    if (absl::Status s = Query(*c, pg::kEndPurge).Run(); !s.ok()) return fail(s);
    if (absl::Status s = c->Exec("COMMIT"); !s.ok()) return fail(s);
    purged += deleted;
    if (deleted < batch) return purged;
  }
}

}  // namespace ethrec
