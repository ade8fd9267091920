// SqliteStore: the Store on one SQLite file (service/sqlite_store.h says
// what it promises; open it with OpenSqliteStore). Its code, in call
// order: sqlite_store.cc (open, the write path, findings), reads.cc (the
// reads), audit.cc (each call's audit event, the audit trail's reads and
// its purge), and the plumbing it builds on: statement.h, schema.h,
// row_codec.h. Internal to service/.
//
// Every audited call runs in a write transaction (BEGIN IMMEDIATE) that
// also inserts its audit event, and returns only once that transaction has
// committed, so that no read is answered without its event: Audited below.
// What a call writes and its event sit under a savepoint of their own, so a
// failed or validate_only write is undone and its event still kept, and a
// call whose event cannot be written leaves nothing. Group commit: calls
// that arrive while another is at work join its transaction, and the last
// of them commits for all (one fsync for the group, at most
// kMaxGroupCalls calls); if that COMMIT fails, every call of the group
// fails with its error.
//
// Two lanes, so that data entry stays fast under a bulk load: a write of
// more than kMaxInteractiveItems items is bulk, everything else
// interactive. A bulk call takes the lock only while no interactive call is
// waiting for it, and only waiting interactive calls hold a group open; so
// a call at data entry waits at most for the bulk call already at work,
// never for a queue of them. (Bulk calls wait while interactive ones keep
// arriving without a gap.)
//
// A bulk write (not validate_only, no feedback) also steps aside while it
// runs: it checks every item against the stored versions first
// (WriteInPieces), then writes in one transaction, reconciling findings
// every kBulkPieceItems items, for as long as no interactive call waits;
// when one does, it ends the piece at the next item once the piece holds
// kBulkMinPieceItems items, reconciles what it has not yet (with its own
// audit event) and leaves the transaction to the waiting calls, whose group
// commit commits the piece with them; then it goes on in a new
// transaction. So a data-entry call waits for the rest of the least piece
// (or one item, past it), the findings of at most kBulkPieceItems items,
// and the piece's closing work (its change-log entries, audit event and
// completeness counts), which grows with the piece: a piece nobody
// interrupted for long is long. The checks before the first piece step
// aside every kBulkPieceItems items. A bulk load nobody interrupts stays
// one transaction.
#ifndef ETHREC_SERVICE_SQLITE_SQLITE_STORE_H_
#define ETHREC_SERVICE_SQLITE_SQLITE_STORE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "mapping/finding.h"
#include "service/internal/change_log.h"
#include "service/internal/findings_queries.h"
#include "service/internal/store_audit.h"
#include "service/internal/store_checks.h"
#include "service/sqlite_store.h"
#include "service/store.h"

struct sqlite3;

namespace ethrec {
namespace sqlite_internal {
class Statements;
class WalCheckpointer;
}  // namespace sqlite_internal

class SqliteStore final : public Store {
 public:
  // As OpenSqliteStore (service/sqlite_store.h).
  static absl::StatusOr<std::unique_ptr<SqliteStore>> Open(const SqliteStoreOptions& options);

  // Closes the database if Close() was not called.
  ~SqliteStore() override;

  using Store::Write;
  absl::StatusOr<WriteResult> Write(const std::vector<NormalizedObservation>& batch, const WriteOptions& options,
                                    const Access& access) override;
  absl::StatusOr<ChildRecord> GetChild(const ChildKey& key, const Access& access) override;
  absl::StatusOr<ChildrenPage> ListChildrenWithFindings(const ChildQuery& query, const Access& access) override;
  absl::StatusOr<FindingsPage> ListFindings(const FindingQuery& query, const Access& access) override;
  absl::StatusOr<StoredFinding> GetFinding(int64_t id, const Access& access) override;
  absl::StatusOr<FindingSummary> SummarizeFindings(absl::string_view agency, const Access& access) override;
  absl::StatusOr<StoredFinding> ReviewFinding(int64_t id, ReviewAction action, absl::string_view note,
                                              const Access& access) override;
  absl::StatusOr<AuditPage> ListAuditEvents(const AuditQuery& query, const Access& access) override;
  absl::StatusOr<int64_t> PurgeExpiredAuditEvents(int batch) override;
  // The change feed (changes.cc). Positions follow the single writer's
  // order; waiters are woken after each commit, not by polling.
  absl::StatusOr<ChangeLogState> GetChangeLogState() override;
  absl::StatusOr<ChangePage> ReadChanges(const ChangeQuery& query, const Access& access) override;
  absl::StatusOr<int64_t> WaitForChanges(int64_t after, absl::Time deadline) override;
  absl::StatusOr<int64_t> PurgeExpiredChanges(int batch) override;
  absl::Status Close() override;
  int schema_version() const override { return schema_version_; }

 private:
  SqliteStore(const SqliteStoreOptions& options, sqlite3* db, int schema_version,
              std::unique_ptr<sqlite_internal::Statements> statements);

  using Touched = store_internal::Touched;
  // What an audited call's failure or success undoes of what it wrote.
  enum class Undo {
    kOnError,  // a read or a write: undone when it fails
    kAlways,   // a validate_only write: always undone
  };
  // The transaction audited calls share (see the file comment).
  struct Group {
    int calls = 0;
    bool done = false;     // committed or rolled back
    absl::Status status;   // the COMMIT's, or why the transaction was lost
  };
  static constexpr int kMaxGroupCalls = 64;
  static constexpr size_t kMaxInteractiveItems = kMaxAtomicBatchItems;
  // A bulk write reconciles findings every kBulkPieceItems items, and
  // steps aside for a waiting interactive call at the first item boundary
  // once its piece holds kBulkMinPieceItems items. Each piece costs a
  // findings pass, an audit event and a share of a commit: the least piece
  // bounds what the bulk load loses to data entry; both bound what data
  // entry waits for. (Measured in the bulk-entry rig: see the README.)
  static constexpr size_t kBulkPieceItems = 32;
  static constexpr size_t kBulkMinPieceItems = 16;
  enum class Lane { kInteractive, kBulk };

  // Runs `body`, an absl::StatusOr<T>(Touched& touched, int64_t now_us),
  // under the lock in the shared transaction with the audit event of
  // `access` (what `body` says it touched, and its outcome), and returns its
  // answer once the transaction has committed; or the error when the event
  // cannot be written (nothing the call wrote is kept) or the COMMIT fails.
  // A closed store, or a transaction that cannot begin: that error, and no event.
  template <typename T, typename Body>
  absl::StatusOr<T> Audited(const Access& access, Undo undo, Body&& body, Lane lane = Lane::kInteractive)
      ABSL_LOCKS_EXCLUDED(mu_) {
    const bool interactive = lane == Lane::kInteractive;
    if (interactive) arriving_.fetch_add(1, std::memory_order_relaxed);
    absl::MutexLock lock(&mu_, interactive ? absl::Condition::kTrue : absl::Condition(&NoneArriving, &arriving_));
    if (interactive) arriving_.fetch_sub(1, std::memory_order_relaxed);
    if (db_ == nullptr) return store_internal::ClosedError();
    const int64_t now_us = NowMicros();
    absl::StatusOr<std::shared_ptr<Group>> group = JoinGroup();
    if (!group.ok()) return group.status();
    Touched touched;
    absl::StatusOr<T> result = std::forward<Body>(body)(touched, now_us);
    const bool undone = undo == Undo::kAlways || !result.ok();
    const absl::Status event = EndCall(access, now_us, undone, std::move(touched), result.status());
    const absl::Status committed = LeaveGroup(**group);
    if (!event.ok()) return event;
    if (!committed.ok()) return committed;
    return result;
  }
  // The open shared transaction (BEGIN IMMEDIATE when there is none), with
  // this call counted in it and its savepoint taken.
  absl::StatusOr<std::shared_ptr<Group>> JoinGroup() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Rolls back to the call's savepoint when `undone`, appends its event and
  // releases the savepoint; when the event cannot be written, rolls back to
  // the savepoint (nothing of the call is kept) and returns that error.
  absl::Status EndCall(const Access& access, int64_t now_us, bool undone, Touched touched,
                       const absl::Status& outcome) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Commits the group when no other audited call is waiting for the lock
  // (or it is full), else waits, without the lock, until one commits it.
  // The COMMIT's status.
  absl::Status LeaveGroup(Group& group) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Commits the open group, if any (also before any other transaction).
  void CommitGroup() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Inserts one event (audit.cc).
  absl::Status AppendAuditEvent(const AuditEvent& event) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The clock's now (StoreOptions::clock, else absl::Now), in microseconds.
  int64_t NowMicros() const;
  // A bulk Write of `batch` (CheckBatch passed, not validate_only, no feedback) in
  // pieces, each in the shared transaction with its own audit event (see the
  // file comment). After a piece fails, PartlyStoredError says how many
  // items the pieces before it stored.
  absl::StatusOr<WriteResult> WriteInPieces(const std::vector<NormalizedObservation>& batch,
                                            const WriteOptions& options, const Access& access)
      ABSL_LOCKS_EXCLUDED(mu_);
  // The conflict (store_internal::ConflictError) of the first item whose
  // key is stored with other content, else OK; steps aside (without the
  // lock) for waiting interactive calls every kBulkPieceItems items.
  absl::Status CheckStoredVersions(const std::vector<NormalizedObservation>& batch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether item `index` (`o`) is stored already: true when its key is
  // stored with the same content (a duplicate), false when its key is not
  // stored, the conflict when its key is stored with other content.
  absl::StatusOr<bool> MatchStoredVersion(size_t index, const Observation& o) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Writes items `begin`.. of `batch` and reconciles the children they
  // changed, appending their outcomes (and feedback, which `out` holds one
  // per item of `batch` when asked for) to `out`, and their children to
  // `touched`. With `may_yield` (no feedback), reconciles every
  // kBulkPieceItems items and, from its kBulkMinPieceItems-th item on,
  // stops after the item at which an interactive call waits. Returns the
  // index after the last item written.
  absl::StatusOr<size_t> WritePiece(const std::vector<NormalizedObservation>& batch, const WriteOptions& options,
                                    size_t begin, int64_t received_us, bool may_yield, Touched& touched,
                                    WriteResult& out) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Write's work inside its audited transaction.
  absl::StatusOr<WriteResult> WriteBatch(const std::vector<NormalizedObservation>& batch, const WriteOptions& options,
                                         int64_t received_us, Touched& touched) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // ReviewFinding's work inside its audited transaction.
  absl::StatusOr<StoredFinding> Review(int64_t id, ReviewAction action, absl::string_view note, const Access& access,
                                       int64_t now_us, Touched& touched) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<FindingsPage> QueryFindings(const FindingQuery& query, Touched& touched)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<FindingSummary> Summarize(absl::string_view agency) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<AuditPage> QueryAuditEvents(const AuditQuery& query) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The finding `id` when `access` may see it (see Store::GetFinding),
  // naming it and its child in `touched`.
  absl::StatusOr<StoredFinding> FindFinding(int64_t id, const Access& access, Touched& touched)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Writes one item; `*child_out` is the child it now belongs to.
  absl::StatusOr<WriteOutcome> WriteItem(size_t index, const NormalizedObservation& item, int64_t received_us,
                                         int64_t* child_out) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The child an item belongs to, and which of its identifiers already
  // lead there.
  struct ChildLinks {
    int64_t child = 0;
    bool nhs_number_linked = false;
    bool agency_child_id_linked = false;
  };
  // Finds the child for an item (see store.h): the child of its record and
  // of its identifiers, merged into the lowest id, or a new child.
  absl::StatusOr<ChildLinks> ResolveChild(const Observation& o, std::optional<int64_t> record_child,
                                          int64_t received_us) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status MergeChild(int64_t from, int64_t into) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The child `child` lives on in after the current Write's merges.
  int64_t AfterMerges(int64_t child) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Before the current Write piece first changes `child` (its records, or
  // a merge): notes the child's agency parts as they are (children.cc).
  absl::Status NoteAgenciesBefore(int64_t child) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // At the end of the piece: moves agency_completeness by what it changed
  // (store_internal::CompletenessDeltas), and forgets the notes.
  absl::Status CountCompleteness() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<ChildRecord> ReadChild(const ChildKey& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Inside Write's transaction: recomputes the findings of every child the
  // batch touched (`children`: the child of each item as written; merges_
  // maps merged ones on), or (findings disabled) marks the findings stale.
  absl::Status UpdateFindings(std::vector<int64_t> children, int64_t now_us) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Recomputes the findings of `children` (sorted, unique), reading runs of
  // nearby ids together (ReconcileRun).
  absl::Status ReconcileChildren(const std::vector<int64_t>& children, int64_t now_us)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status ReconcileRun(absl::Span<const int64_t> children, int64_t now_us) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Stores what the rules make of one child's current records.
  absl::Status ApplyFindings(int64_t child, absl::Span<const RecordState> states,
                             absl::Span<const ExistingFinding> existing, int64_t now_us)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // At Open with findings enabled: if writes went by without them (or the
  // file predates them), recomputes every child in one transaction.
  absl::Status Backfill(int64_t now_us) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Finding `id`, and (`child` not null) the child it is about.
  absl::StatusOr<StoredFinding> ReadFinding(int64_t id, int64_t* child) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Adds `delta` to the count of (agency, other agency, kind, status)
  // findings, in memory
  // until FlushCounts writes the sums to finding_counts (in the same
  // transaction): one statement per key and batch, not per finding.
  void CountFinding(absl::string_view agency, absl::string_view other_agency, FindingKind kind, FindingStatus status,
                    int64_t delta)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status FlushCounts() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Inserts one entry of the change log (changes.cc) in the open
  // transaction; last_change_ becomes its position.
  absl::Status InsertChange(const ChangeEntry& e) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // ReadChanges' work inside its audited transaction.
  absl::StatusOr<ChangePage> QueryChanges(const ChangeQuery& query, const Access& access, Touched& touched)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The position the change log is at (the highest ever given).
  absl::StatusOr<int64_t> LatestChange() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // At Open: the latest and purged positions, into signal_ and
  // changes_purged_through_.
  absl::Status LoadChangeLogState() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Rolls back the open transaction, if any. Keeps `cause` as the answer.
  absl::Status Rollback(absl::Status cause) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const SqliteStoreOptions options_;
  const int schema_version_;
  absl::Mutex mu_;
  sqlite3* db_ ABSL_GUARDED_BY(mu_);  // null once closed
  std::unique_ptr<sqlite_internal::Statements> stmts_ ABSL_GUARDED_BY(mu_);
  // Checkpoints the log off the write path (wal_checkpointer.h); null for
  // an in-memory database, and once closed.
  std::unique_ptr<sqlite_internal::WalCheckpointer> checkpointer_ ABSL_GUARDED_BY(mu_);
  // Children merged during the current Write, (from, into) in order.
  std::vector<std::pair<int64_t, int64_t>> merges_ ABSL_GUARDED_BY(mu_);
  // Children the current Write created.
  std::vector<int64_t> created_children_ ABSL_GUARDED_BY(mu_);
  // The children the current Write piece changed (noted before it changed
  // them), and their agency parts as they were.
  std::vector<int64_t> noted_children_ ABSL_GUARDED_BY(mu_);
  std::vector<store_internal::AgencyOfChild> agencies_before_ ABSL_GUARDED_BY(mu_);
  // The shared transaction of audited calls, while one is open.
  std::shared_ptr<Group> group_ ABSL_GUARDED_BY(mu_);
  // Interactive calls waiting for the lock: while there are any, a call
  // leaves the transaction open for them, and bulk calls wait.
  std::atomic<int> arriving_{0};
  static bool NoneArriving(std::atomic<int>* arriving) { return arriving->load(std::memory_order_relaxed) == 0; }
  struct CountDelta {
    std::string agency;
    std::string other_agency;  // AGENCY_DISAGREEMENT's other agency, else ""
    FindingKind kind;
    FindingStatus status;
    int64_t delta = 0;
  };
  std::vector<CountDelta> count_deltas_ ABSL_GUARDED_BY(mu_);
  // The position of the last change the current call inserted (0: none).
  int64_t last_change_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t changes_purged_through_ ABSL_GUARDED_BY(mu_) = 0;
  // Told each committed position, after its commit.
  store_internal::ChangeSignal signal_;
  // During a Write that asked for feedback: told about every child reconciled.
  FeedbackBuilder* feedback_ ABSL_GUARDED_BY(mu_) = nullptr;
};

}  // namespace ethrec

#endif  // ETHREC_SERVICE_SQLITE_SQLITE_STORE_H_
