// SqliteStore's audit: the shared transaction of audited calls (Audited in
// sqlite_store.h: join, end the call with its event, leave and commit), the
// event itself, the audit trail's reads, and the retention purge.
#include <sqlite3.h>

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "service/internal/store_audit.h"
#include "service/internal/store_checks.h"
#include "service/sqlite/row_codec.h"
#include "service/sqlite/schema.h"
#include "service/sqlite/sqlite_store.h"
#include "service/sqlite/statement.h"

namespace ethrec {

using sqlite_internal::BindAuditEvent;
using sqlite_internal::IdListText;
using sqlite_internal::kAuditEventColumns;
using sqlite_internal::Query;
using sqlite_internal::ReadAuditEventRow;
using sqlite_internal::SqliteError;
using sqlite_internal::Statements;

absl::StatusOr<std::shared_ptr<SqliteStore::Group>> SqliteStore::JoinGroup() {
  if (group_ == nullptr) {
    if (absl::Status s = stmts_->Use(Statements::kBeginImmediate).Run(); !s.ok()) return Rollback(s);
    group_ = std::make_shared<Group>();
  }
  ++group_->calls;
  if (absl::Status s = stmts_->Use(Statements::kSavepoint).Run(); !s.ok() && group_->status.ok()) {
    group_->status = s;  // the transaction cannot be trusted: the group fails
  }
  return group_;
}

absl::Status SqliteStore::EndCall(const Access& access, int64_t now_us, bool undone, Touched touched,
                                  const absl::Status& outcome) {
  if (!group_->status.ok()) return group_->status;
  // The transaction itself is lost or in doubt: nothing of the group is
  // kept, and every call of it fails.
  auto fail_group = [this](absl::Status s) {
    group_->status = s;
    return s;
  };
  // Some storage errors make SQLite roll the whole transaction back.
  if (sqlite3_get_autocommit(db_)) {
    return fail_group(absl::AbortedError(
        absl::StrCat("sqlite: a storage error rolled the transaction back; retry (", outcome.message(), ")")));
  }
  if (undone) {
    if (absl::Status s = stmts_->Use(Statements::kRollbackToSavepoint).Run(); !s.ok()) return fail_group(s);
  }
  const absl::Status event =
      AppendAuditEvent(store_internal::MakeAuditEvent(access, absl::FromUnixMicros(now_us), std::move(touched), outcome));
  if (!event.ok()) {
    // Without its event nothing of the call is kept; the other calls' work stays.
    if (sqlite3_get_autocommit(db_)) return fail_group(event);
    if (absl::Status s = stmts_->Use(Statements::kRollbackToSavepoint).Run(); !s.ok()) return fail_group(s);
  }
  if (absl::Status s = stmts_->Use(Statements::kReleaseSavepoint).Run(); !s.ok()) return fail_group(s);
  return event;
}

absl::Status SqliteStore::LeaveGroup(Group& group) {
  if (&group == group_.get() &&
      (arriving_.load(std::memory_order_relaxed) == 0 || group.calls >= kMaxGroupCalls)) {
    CommitGroup();
  }
  mu_.Await(absl::Condition(&group.done));
  return group.status;
}

void SqliteStore::CommitGroup() {
  if (group_ == nullptr) return;
  const std::shared_ptr<Group> group = std::move(group_);
  group_ = nullptr;
  if (group->status.ok()) group->status = stmts_->Use(Statements::kCommit).Run();
  if (!group->status.ok()) Rollback(absl::OkStatus()).IgnoreError();
  group->done = true;
}

absl::Status SqliteStore::AppendAuditEvent(const AuditEvent& event) {
  const std::string child_ids = IdListText(event.child_ids);
  const std::string finding_ids = IdListText(event.finding_ids);
  int64_t id = 0;
  {
    Query q = stmts_->Use(Statements::kInsertAuditEvent);
    absl::StatusOr<bool> row = BindAuditEvent(q, event, child_ids, finding_ids).Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::InternalError("sqlite: inserting an audit event returned no id");
    id = q.ColumnInt(0);
    if (absl::Status s = q.Run(); !s.ok()) return s;
  }
  for (int64_t child : event.child_ids) {
    if (absl::Status s = stmts_->Use(Statements::kInsertAuditChild).Int(id).Int(child).Run(); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<AuditPage> SqliteStore::ListAuditEvents(const AuditQuery& query, const Access& access) {
  return Audited<AuditPage>(access, Undo::kOnError, [&](Touched&, int64_t) { return QueryAuditEvents(query); });
}

absl::StatusOr<AuditPage> SqliteStore::QueryAuditEvents(const AuditQuery& query) {
  if (absl::Status s = store_internal::CheckAuditQuery(query); !s.ok()) return s;
  // Filters vary per call, so the statement is built and prepared here;
  // every value is bound, never spliced into the SQL. Each filter has its
  // index (schema.cc migration 4); the child's is audit_event_children.
  AuditPage page;
  {
    Query q = stmts_->Use(Statements::kNewestAuditEvent);
    absl::StatusOr<bool> row = q.Step();
    if (!row.ok()) return row.status();
    page.newest_id = *row ? q.ColumnInt(0) : 0;
  }
  std::string sql = absl::StrCat("SELECT ", kAuditEventColumns, " FROM audit_events WHERE id > ?");
  if (query.up_to_id != 0) absl::StrAppend(&sql, " AND id <= ?");
  if (!query.agency.empty()) absl::StrAppend(&sql, " AND agency = ?");
  if (!query.method.empty()) absl::StrAppend(&sql, " AND method = ?");
  if (query.start_time.has_value()) absl::StrAppend(&sql, " AND time_us >= ?");
  if (query.end_time.has_value()) absl::StrAppend(&sql, " AND time_us < ?");
  if (query.child_id != 0) {
    absl::StrAppend(&sql, " AND id IN (SELECT event_id FROM audit_event_children WHERE child_id = ? AND event_id > ?)");
  }
  absl::StrAppend(&sql, " ORDER BY id LIMIT ?");
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &raw, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, "prepare ListAuditEvents");
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
  Query q(db_, raw);
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

absl::StatusOr<int64_t> SqliteStore::PurgeExpiredAuditEvents(int batch) {
  if (absl::Status s = store_internal::CheckPurge(options_.store.audit_retention, batch); !s.ok()) return s;
  int64_t purged = 0;
  while (true) {
    // One transaction per batch, the lock released between them, so calls
    // are never held up for long by a large backlog.
    absl::MutexLock lock(&mu_);
    if (db_ == nullptr) return store_internal::ClosedError();
    CommitGroup();
    const int64_t cutoff_us = NowMicros() - absl::ToInt64Microseconds(options_.store.audit_retention);
    if (absl::Status s = stmts_->Use(Statements::kBeginImmediate).Run(); !s.ok()) return Rollback(s);
    if (absl::Status s = stmts_->Use(Statements::kStartPurge).Int(cutoff_us).Run(); !s.ok()) return Rollback(s);
    for (Statements::Id id : {Statements::kPurgeAuditChildren, Statements::kPurgeAuditEvents}) {
      if (absl::Status s = stmts_->Use(id).Int(cutoff_us).Int(batch).Run(); !s.ok()) return Rollback(s);
    }
    const int64_t deleted = sqlite3_changes64(db_);
    if (absl::Status s = stmts_->Use(Statements::kEndPurge).Run(); !s.ok()) return Rollback(s);
    if (absl::Status s = stmts_->Use(Statements::kCommit).Run(); !s.ok()) return Rollback(s);
    purged += deleted;
    if (deleted < batch) return purged;
  }
}

}  // namespace ethrec
