#include "service/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <charconv>
#include <optional>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/types/span.h"
#include "service/internal/findings_queries.h"
#include "service/internal/store_checks.h"
#include "service/sqlite/row_codec.h"
#include "service/sqlite/schema.h"
#include "service/sqlite/statement.h"
#include "service/sqlite/wal_checkpointer.h"

namespace ethrec {
namespace {

using sqlite_internal::BindCurrentState;
using sqlite_internal::BindObservation;
using sqlite_internal::CategorySetText;
using sqlite_internal::Corrupt;
using sqlite_internal::EncodedNormalized;
using sqlite_internal::EventLine;
using sqlite_internal::Exec;
using sqlite_internal::FactsText;
using sqlite_internal::Migrate;
using sqlite_internal::kFindingColumns;
using sqlite_internal::Query;
using sqlite_internal::QueryOnce;
using sqlite_internal::ReadExistingFindingRow;
using sqlite_internal::ReadFindingRow;
using sqlite_internal::ReadObservationRow;
using sqlite_internal::ReadRecordStateRow;
using sqlite_internal::SqliteError;
using sqlite_internal::Statements;
using store_internal::TruncateToMicros;

// The database holds special-category personal data: it is its owner's
// alone. A new file is created with mode 0600 (SQLite gives its -wal and
// -shm files the same mode); an existing file that anyone may read or write
// is refused rather than served. ":memory:" has no file.
absl::Status OwnerOnlyFile(const std::string& path) {
  if (path == ":memory:") return absl::OkStatus();
  struct stat st {};
  if (stat(path.c_str(), &st) == 0) {
    if ((st.st_mode & S_IRWXO) != 0) {
      return absl::FailedPreconditionError(absl::StrFormat(
          "sqlite: %s is readable or writable by anyone (mode %04o): it holds special-category personal "
          "data; make it the owner's alone (chmod 600 %s, and the same for its -wal and -shm files)",
          path, st.st_mode & 07777, path));
    }
    return absl::OkStatus();
  }
  if (errno != ENOENT) return absl::ErrnoToStatus(errno, absl::StrCat("sqlite: open ", path));
  const int fd = open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0 && errno != EEXIST) {
    return absl::FailedPreconditionError(
        absl::StrCat("sqlite: open ", path, ": cannot create the file (", std::strerror(errno), ")"));
  }
  if (fd >= 0) close(fd);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const SqliteStoreOptions& options) {
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(options);
  if (!store.ok()) return store.status();
  return std::unique_ptr<Store>(*std::move(store));
}

absl::StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteStoreOptions& options) {
  if (options.path.empty()) return absl::InvalidArgumentError("sqlite: path is required");
  if (absl::Status s = OwnerOnlyFile(options.path); !s.ok()) return s;
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
  // Start-up work (migrations, backfill) checkpoints at 8192 pages too, until the hook below replaces this.
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
  {
    absl::MutexLock lock(&store->mu_);
    if (absl::Status s = store->LoadChangeLogState(); !s.ok()) return s;
  }
  if (options.store.findings_normalizer) {
    absl::MutexLock lock(&store->mu_);
    if (absl::Status s = store->Backfill(now_us); !s.ok()) return s;  // the destructor closes the file
  }
  if (!in_memory) {
    // Checkpoint at 8192 pages (32 MiB of log) rather than SQLite's 1000:
    // bulk loads rewrite the same index pages in commit after commit, and a
    // checkpoint copies only the latest version of each (bulk import of
    // 500,000 observations: about 7% faster).
    absl::StatusOr<std::unique_ptr<sqlite_internal::WalCheckpointer>> checkpointer =
        sqlite_internal::WalCheckpointer::Start(db, options.path, 8192);
    if (!checkpointer.ok()) return checkpointer.status();
    absl::MutexLock lock(&store->mu_);
    store->checkpointer_ = *std::move(checkpointer);
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
  CommitGroup();
  signal_.Close();
  checkpointer_.reset();
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

int64_t SqliteStore::NowMicros() const {
  return absl::ToUnixMicros(options_.store.clock ? options_.store.clock() : absl::Now());
}

absl::StatusOr<WriteResult> SqliteStore::Write(const std::vector<NormalizedObservation>& batch,
                                               const WriteOptions& options, const Access& access) {
  const absl::Status checked = store_internal::CheckBatch(batch);  // no storage: outside the lock
  const bool bulk = batch.size() > kMaxInteractiveItems;
  // A write that asks for feedback stays whole: its feedback is the net
  // effect of the batch, which pieces would split.
  if (bulk && checked.ok() && !options.validate_only && !options.feedback) {
    return WriteInPieces(batch, options, access);
  }
  int64_t last_change = 0;
  absl::StatusOr<WriteResult> out = Audited<WriteResult>(
      access, options.validate_only ? Undo::kAlways : Undo::kOnError,
      [&](Touched& touched, int64_t now_us) -> absl::StatusOr<WriteResult> {
        touched.validate_only = options.validate_only;
        if (!checked.ok()) return checked;
        last_change_ = 0;
        absl::StatusOr<WriteResult> out = WriteBatch(batch, options, now_us, touched);
        if (!out.ok()) touched.child_ids.clear();  // nothing was stored
        last_change = last_change_;
        return out;
      },
      bulk ? Lane::kBulk : Lane::kInteractive);
  // Audited returns once the transaction has committed: only then may a
  // watcher read what it wrote.
  if (out.ok() && !options.validate_only && last_change > 0) signal_.Notify(last_change);
  return out;
}

absl::StatusOr<WriteResult> SqliteStore::WriteInPieces(const std::vector<NormalizedObservation>& batch,
                                                       const WriteOptions& options, const Access& access) {
  absl::MutexLock lock(&mu_, absl::Condition(&NoneArriving, &arriving_));
  if (db_ == nullptr) return store_internal::ClosedError();
  // Every item is checked before any is written, so that a conflict fails
  // the whole batch with nothing stored, as for a write in one piece.
  const absl::Status checked = CheckStoredVersions(batch);
  if (db_ == nullptr) return store_internal::ClosedError();
  WriteResult out;
  out.outcomes.reserve(batch.size());
  if (options.feedback) out.feedback.resize(batch.size());
  size_t stored = 0;  // items committed by the pieces before this one
  while (true) {
    const int64_t now_us = NowMicros();
    absl::StatusOr<std::shared_ptr<Group>> group = JoinGroup();
    if (!group.ok()) return store_internal::PartlyStoredError(group.status(), stored);
    Touched touched;
    last_change_ = 0;
    absl::StatusOr<size_t> end =
        checked.ok() ? WritePiece(batch, options, stored, now_us, /*may_yield=*/true, touched, out) : checked;
    if (!end.ok()) touched.child_ids.clear();  // the piece is undone
    // Read before LeaveGroup, which may let other calls take the lock.
    const int64_t last_change = end.ok() ? last_change_ : 0;
    const absl::Status event = EndCall(access, now_us, /*undone=*/!end.ok(), std::move(touched), end.status());
    // With an interactive call waiting, this leaves the piece to its group
    // commit and waits for it without the lock.
    const absl::Status committed = LeaveGroup(**group);
    if (!event.ok()) return store_internal::PartlyStoredError(event, stored);
    if (!committed.ok()) return store_internal::PartlyStoredError(committed, stored);
    if (!end.ok()) return store_internal::PartlyStoredError(end.status(), stored);
    if (last_change > 0) signal_.Notify(last_change);  // the piece has committed
    stored = *end;
    if (stored == batch.size()) return out;
    if (db_ == nullptr) return store_internal::PartlyStoredError(store_internal::ClosedError(), stored);
  }
}

absl::Status SqliteStore::CheckStoredVersions(const std::vector<NormalizedObservation>& batch) {
  for (size_t i = 0; i < batch.size(); ++i) {
    if (i % kBulkPieceItems == 0 && i > 0 && !NoneArriving(&arriving_)) {
      // Only reads so far: step aside until the interactive calls are done.
      mu_.Await(absl::Condition(&NoneArriving, &arriving_));
      if (db_ == nullptr) return store_internal::ClosedError();
    }
    absl::StatusOr<bool> stored = MatchStoredVersion(i, batch[i].observation);
    if (!stored.ok()) return stored.status();
  }
  return absl::OkStatus();
}

absl::StatusOr<WriteResult> SqliteStore::WriteBatch(const std::vector<NormalizedObservation>& batch,
                                                    const WriteOptions& options, int64_t received_us,
                                                    Touched& touched) {
  WriteResult out;
  if (batch.empty()) return out;
  out.outcomes.reserve(batch.size());
  if (options.feedback) out.feedback.resize(batch.size());
  absl::StatusOr<size_t> end = WritePiece(batch, options, 0, received_us, /*may_yield=*/false, touched, out);
  if (!end.ok()) return end.status();
  if (options.validate_only) {
    for (ItemFeedback& item : out.feedback) {
      for (FindingFeedback& f : item.findings) {
        if (f.action == FindingAction::kRaised) f.finding.id = 0;  // rolled back
      }
    }
  }
  return out;
}

absl::StatusOr<size_t> SqliteStore::WritePiece(const std::vector<NormalizedObservation>& batch,
                                               const WriteOptions& options, size_t begin, int64_t received_us,
                                               bool may_yield, Touched& touched, WriteResult& out) {
  // The child each item was written to; merges_ says where merged ones went.
  // Only a new current version changes what a child's records say; a merge
  // (see merges_) changes the child it merged into.
  std::vector<int64_t> changed;
  merges_.clear();
  created_children_.clear();
  noted_children_.clear();
  agencies_before_.clear();
  size_t end = begin;
  while (end < batch.size()) {
    int64_t child = 0;
    absl::StatusOr<WriteOutcome> outcome = WriteItem(end, batch[end], received_us, &child);
    if (!outcome.ok()) return outcome.status();
    touched.child_ids.push_back(child);
    changed.push_back(*outcome == WriteOutcome::kInserted ? child : 0);
    out.outcomes.push_back(*outcome);
    ++end;
    if (!may_yield) continue;
    const size_t written = end - begin;
    if (written % kBulkPieceItems == 0) {
      // Reconciled every kBulkPieceItems items, so that a call that comes
      // to wait finds at most that many left to reconcile.
      if (absl::Status s = UpdateFindings(std::move(changed), received_us); !s.ok()) return s;
      changed.clear();
    }
    // A call that comes to wait ends the piece once it holds the least.
    if (written >= kBulkMinPieceItems && !NoneArriving(&arriving_)) break;
  }
  // The audit names the children as they now are; a validate_only write
  // only those that existed before it (the others never will).
  for (int64_t& child : touched.child_ids) child = AfterMerges(child);
  // The change log: each version this piece stored (items begin..end-1;
  // touched holds only the piece's children), with its child after the
  // merges, then (UpdateFindings) the findings it changed.
  for (size_t i = begin; i < end; ++i) {
    if (out.outcomes[i] == WriteOutcome::kDuplicate) continue;
    const Observation& o = batch[i].observation;
    absl::Status s = InsertChange(ChangeEntry{.time = absl::FromUnixMicros(received_us),
                                              .kind = ChangeKind::kRecordWritten,
                                              .child_id = touched.child_ids[i - begin],
                                              .agency = o.agency,
                                              .record_id = o.record_id,
                                              .record_version = o.record_version,
                                              .outcome = out.outcomes[i]});
    if (!s.ok()) return s;
  }
  if (options.validate_only) {
    std::erase_if(touched.child_ids, [this](int64_t child) {
      return std::find(created_children_.begin(), created_children_.end(), child) != created_children_.end();
    });
  }
  std::optional<FeedbackBuilder> feedback;
  if (options.feedback && options_.store.findings_normalizer) {
    // Items outside the piece change nothing here (0), so get no feedback from it.
    std::vector<int64_t> item_child(batch.size(), 0);
    for (size_t i = begin; i < end; ++i) item_child[i] = AfterMerges(changed[i - begin]);
    feedback.emplace(batch, std::move(item_child));
  }
  feedback_ = feedback ? &*feedback : nullptr;
  absl::Status s = UpdateFindings(std::move(changed), received_us);
  feedback_ = nullptr;
  if (!s.ok()) return s;
  if (s = CountCompleteness(); !s.ok()) return s;
  if (feedback.has_value()) {
    std::vector<ItemFeedback> items = std::move(*feedback).Take();
    for (size_t i = begin; i < end; ++i) out.feedback[i] = std::move(items[i]);
  }
  return end;
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
    absl::StatusOr<bool> stored = MatchStoredVersion(index, o);
    if (!stored.ok()) return stored.status();
    if (*stored) {
      *child_out = *record_child;
      return WriteOutcome::kDuplicate;
    }
  }

  absl::StatusOr<ChildLinks> links = ResolveChild(o, record_child, received_us);
  if (!links.ok()) return links.status();
  const int64_t child = links->child;
  *child_out = child;
  if (absl::Status s = NoteAgenciesBefore(child); !s.ok()) return s;
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
  const EncodedNormalized encoded(n);
  WriteOutcome outcome = WriteOutcome::kInserted;
  if (!record_child.has_value()) {
    Query q = stmts_->Use(Statements::kInsertRecord);
    q.Text(o.agency).Text(o.record_id).Int(child).Int(o.record_version);
    if (absl::Status s = BindCurrentState(q, o, n, encoded).Run(); !s.ok()) return s;
  } else if (o.record_version > current_version) {
    Query q = stmts_->Use(Statements::kUpdateCurrent);
    q.Int(o.record_version);
    if (absl::Status s = BindCurrentState(q, o, n, encoded).Text(o.agency).Text(o.record_id).Run(); !s.ok()) {
      return s;
    }
  } else {
    outcome = WriteOutcome::kHistorical;
  }
  Query insert = stmts_->Use(Statements::kInsertObservation);
  absl::Status s = BindObservation(insert, o, n, encoded, received_us).Run();
  if (!s.ok()) return s;
  return outcome;
}

absl::Status SqliteStore::UpdateFindings(std::vector<int64_t> children, int64_t now_us) {
  if (!options_.store.findings_normalizer) return stmts_->Use(Statements::kMarkStale).Run();
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
      int64_t child = 0;
      absl::StatusOr<ExistingFinding> finding = ReadExistingFindingRow(q, &child);
      if (!finding.ok()) return finding.status();
      if (!wanted(child)) continue;
      finding_child.push_back(child);
      existing.push_back(*std::move(finding));
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
      for (const ExistingFinding& e : existing) {
        if (e.id != change.id) continue;
        s = InsertChange(ChangeEntry{.time = absl::FromUnixMicros(now_us),
                                     .kind = ChangeKind::kFindingChanged,
                                     .child_id = child,
                                     .agency = e.agency,
                                     .action = change.event,
                                     .finding_id = e.id,
                                     .finding_kind = e.kind,
                                     .other_agency = e.other_agency});
        if (!s.ok()) return s;
      }
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
    const int64_t id = change.op == Op::kInsert ? sqlite3_last_insert_rowid(db_) : change.id;
    if (feedback_ != nullptr) ids.push_back(id);
    if (absl::Status s = InsertChange(ChangeEntry{.time = absl::FromUnixMicros(now_us),
                                                  .kind = ChangeKind::kFindingChanged,
                                                  .child_id = child,
                                                  .agency = v.agency,
                                                  .action = change.event,
                                                  .finding_id = id,
                                                  .finding_kind = v.kind,
                                                  .other_agency = v.facts.other_agency});
        !s.ok()) {
      return s;
    }
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

}  // namespace ethrec
