// SqliteStore's change log (service/store.h "The change feed"): the entries
// written with each change, their reads, the wait for new ones and the
// retention purge. Positions are SQLite's AUTOINCREMENT ids: assigned by
// the one writer in the order of its transactions, so in commit order.
#include <sqlite3.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "service/sqlite/row_codec.h"
#include "service/sqlite/schema.h"
#include "service/sqlite/sqlite_store.h"
#include "service/sqlite/statement.h"

namespace ethrec {
namespace {

using sqlite_internal::Query;
using sqlite_internal::Statements;

// The columns of kReadChanges after the observation's.
constexpr int kPosition = sqlite_internal::kNumObservationColumns;
constexpr int kTime = kPosition + 1;
constexpr int kKind = kPosition + 2;
constexpr int kChild = kPosition + 3;
constexpr int kAgency = kPosition + 4;
constexpr int kRecordId = kPosition + 5;
constexpr int kRecordVersion = kPosition + 6;
constexpr int kAction = kPosition + 7;
constexpr int kFindingId = kPosition + 8;
constexpr int kFindingKind = kPosition + 9;
constexpr int kOtherAgency = kPosition + 10;

absl::Status CorruptChange(absl::string_view column) {
  return absl::DataLossError(absl::StrCat("sqlite: changes.", column, " holds a value this build cannot read"));
}

absl::StatusOr<ChangeEntry> ReadChangeRow(const Query& q) {
  ChangeEntry e;
  e.position = q.ColumnInt(kPosition);
  e.time = absl::FromUnixMicros(q.ColumnInt(kTime));
  e.child_id = q.ColumnInt(kChild);
  e.agency = q.ColumnText(kAgency);
  const std::string action = q.ColumnText(kAction);
  switch (q.ColumnInt(kKind)) {
    case static_cast<int>(ChangeKind::kRecordWritten): {
      e.kind = ChangeKind::kRecordWritten;
      e.record_id = q.ColumnText(kRecordId);
      e.record_version = q.ColumnInt(kRecordVersion);
      if (action == WriteOutcomeName(WriteOutcome::kInserted)) {
        e.outcome = WriteOutcome::kInserted;
      } else if (action == WriteOutcomeName(WriteOutcome::kHistorical)) {
        e.outcome = WriteOutcome::kHistorical;
      } else {
        return CorruptChange("action");
      }
      absl::StatusOr<StoredObservation> o = sqlite_internal::ReadObservationRow(q);
      if (!o.ok()) return o.status();
      e.normalized = std::move(o->normalized);
      return e;
    }
    case static_cast<int>(ChangeKind::kFindingChanged): {
      e.kind = ChangeKind::kFindingChanged;
      std::optional<FindingAction> a = ParseFindingAction(action);
      if (!a.has_value()) return CorruptChange("action");
      e.action = *a;
      e.finding_id = q.ColumnInt(kFindingId);
      std::optional<FindingKind> kind = ParseFindingKind(q.ColumnText(kFindingKind));
      if (!kind.has_value()) return CorruptChange("finding_kind");
      e.finding_kind = *kind;
      e.other_agency = q.ColumnText(kOtherAgency);
      return e;
    }
    default:
      return CorruptChange("kind");
  }
}

}  // namespace

absl::Status SqliteStore::InsertChange(const ChangeEntry& e) {
  const bool record = e.kind == ChangeKind::kRecordWritten;
  const absl::string_view action = record ? WriteOutcomeName(e.outcome) : FindingActionName(e.action);
  absl::Status s = stmts_->Use(Statements::kInsertChange)
                       .Int(absl::ToUnixMicros(e.time))
                       .Int(static_cast<int64_t>(e.kind))
                       .Int(e.child_id)
                       .Text(e.agency)
                       .Text(e.record_id)
                       .Int(e.record_version)
                       .Text(action)
                       .Int(e.finding_id)
                       .Text(record ? absl::string_view() : FindingKindName(e.finding_kind))
                       .Text(e.other_agency)
                       .Run();
  if (s.ok()) last_change_ = sqlite3_last_insert_rowid(db_);
  return s;
}

absl::Status SqliteStore::LoadChangeLogState() {
  absl::StatusOr<int64_t> latest = LatestChange();
  if (!latest.ok()) return latest.status();
  signal_.Notify(*latest);
  Query q = stmts_->Use(Statements::kChangesPurgedThrough);
  absl::StatusOr<bool> row = q.Step();
  if (!row.ok()) return row.status();
  if (*row) changes_purged_through_ = q.ColumnInt(0);
  return absl::OkStatus();
}

absl::StatusOr<int64_t> SqliteStore::LatestChange() {
  Query q = stmts_->Use(Statements::kLatestChange);
  absl::StatusOr<bool> row = q.Step();
  if (!row.ok()) return row.status();
  return *row ? q.ColumnInt(0) : 0;
}

absl::StatusOr<ChangeLogState> SqliteStore::GetChangeLogState() {
  // From memory, not the file: this connection would see the open group's
  // uncommitted entries, and a position rolled back could be given again.
  // The signal holds only committed positions.
  absl::MutexLock lock(&mu_);
  if (db_ == nullptr) return store_internal::ClosedError();
  return ChangeLogState{.latest = signal_.latest(), .purged_through = changes_purged_through_};
}

absl::StatusOr<ChangePage> SqliteStore::ReadChanges(const ChangeQuery& query, const Access& access) {
  // An audited call: its answer is given only once its group has committed,
  // so it never hands out an entry whose transaction could still fail.
  absl::StatusOr<ChangePage> page = Audited<ChangePage>(
      access, Undo::kOnError, [&](Touched& touched, int64_t) { return QueryChanges(query, access, touched); });
  // Committed now, perhaps before its writer has said so: a token from this
  // page must not be ahead of GetChangeLogState.
  if (page.ok()) signal_.Notify(page->last_position);
  return page;
}

absl::StatusOr<ChangePage> SqliteStore::QueryChanges(const ChangeQuery& query, const Access& access,
                                                     Touched& touched) {
  if (absl::Status s = store_internal::CheckChangeQuery(query, access); !s.ok()) return s;
  {
    // In the read's own transaction, so no purge can come between.
    Query q = stmts_->Use(Statements::kChangesPurgedThrough);
    absl::StatusOr<bool> row = q.Step();
    if (!row.ok()) return row.status();
    if (absl::Status s = store_internal::CheckNotPurged(query.after, *row ? q.ColumnInt(0) : 0); !s.ok()) return s;
  }
  ChangePage page{.last_position = query.after};
  Query q = stmts_->Use(Statements::kReadChanges);
  q.Int(query.after).Int(query.limit + 1);
  int examined = 0;
  while (true) {
    absl::StatusOr<bool> row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (examined == query.limit) {
      page.more = true;
      break;
    }
    ++examined;
    absl::StatusOr<ChangeEntry> e = ReadChangeRow(q);
    if (!e.ok()) return e.status();
    page.last_position = e->position;
    if (!store_internal::MatchesChange(query, access, *e)) continue;
    touched.child_ids.push_back(e->child_id);
    page.entries.push_back(*std::move(e));
  }
  if (!page.more) {
    // Caught up: the caller may move to the latest position given, which
    // is beyond any entry the purge removed after `after`.
    absl::StatusOr<int64_t> latest = LatestChange();
    if (!latest.ok()) return latest.status();
    page.last_position = std::max(page.last_position, *latest);
  }
  return page;
}

absl::StatusOr<int64_t> SqliteStore::WaitForChanges(int64_t after, absl::Time deadline) {
  return signal_.Wait(after, deadline);
}

absl::StatusOr<int64_t> SqliteStore::PurgeExpiredChanges(int batch) {
  if (absl::Status s = store_internal::CheckChangesPurge(options_.store.changes_retention, batch); !s.ok()) return s;
  int64_t purged = 0;
  while (true) {
    // One transaction per batch, the lock released between them.
    absl::MutexLock lock(&mu_);
    if (db_ == nullptr) return store_internal::ClosedError();
    CommitGroup();
    const int64_t cutoff_us = NowMicros() - absl::ToInt64Microseconds(options_.store.changes_retention);
    if (absl::Status s = stmts_->Use(Statements::kBeginImmediate).Run(); !s.ok()) return Rollback(s);
    int64_t up_to = 0;
    {
      Query q = stmts_->Use(Statements::kPurgeChangesUpTo);
      absl::StatusOr<bool> row = q.Int(cutoff_us).Int(batch).Step();
      if (!row.ok()) return Rollback(row.status());
      if (*row) up_to = q.ColumnInt(0);
    }
    int64_t deleted = 0;
    if (up_to > 0) {
      if (absl::Status s = stmts_->Use(Statements::kDeleteChanges).Int(up_to).Run(); !s.ok()) return Rollback(s);
      deleted = sqlite3_changes64(db_);
      if (absl::Status s = stmts_->Use(Statements::kSetChangesPurgedThrough).Int(up_to).Run(); !s.ok()) {
        return Rollback(s);
      }
    }
    if (absl::Status s = stmts_->Use(Statements::kCommit).Run(); !s.ok()) return Rollback(s);
    if (up_to > 0) changes_purged_through_ = up_to;
    purged += deleted;
    if (deleted < batch) return purged;
  }
}

}  // namespace ethrec
