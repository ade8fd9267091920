// PostgresStore: the Store on a PostgreSQL database (service/postgres_store.h
// says what it promises; open it with OpenPostgresStore). Its code, in call
// order: postgres_store.cc (open, the pool, the write path, findings),
// reads.cc (the reads), audit.cc (each call's transaction and audit event,
// the audit trail's reads and its purge), and the plumbing it builds on:
// statement.h, schema.h, and the SQLite store's row codec
// (service/sqlite/row_codec.h), which reads and binds the same columns.
//
// Every audited call runs in a transaction of its own on a connection of
// the pool, and also inserts its audit event there (Audited below). What a
// call writes sits under a savepoint, so a failed or validate_only write is
// undone and its event still kept. Writes run at READ COMMITTED after
// taking their advisory locks (each statement then sees every write about
// their children that committed before); reads run at REPEATABLE READ, so
// a call reads from one snapshot.
#ifndef ETHREC_SERVICE_POSTGRES_POSTGRES_STORE_H_
#define ETHREC_SERVICE_POSTGRES_POSTGRES_STORE_H_

#include <cstdint>
#include <atomic>
#include <memory>
#include <thread>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "mapping/finding.h"
#include "service/internal/change_log.h"
#include "service/internal/findings_queries.h"
#include "service/internal/store_audit.h"
#include "service/internal/store_checks.h"
#include "service/postgres/statement.h"
#include "service/postgres_store.h"
#include "service/store.h"

namespace ethrec {
namespace postgres_internal {

// At most `size` connections to one database, lent to one call at a time.
// Thread-safe.
class Pool {
 public:
  Pool(std::string conninfo, int size, absl::Duration acquire_timeout)
      : conninfo_(std::move(conninfo)), size_(size), acquire_timeout_(acquire_timeout) {}

  // An idle connection, or a new one while fewer than `size` are open;
  // waits up to acquire_timeout for one to be given back. Errors:
  // FailedPrecondition once closed; Unavailable when none frees up in time
  // or the server cannot be reached (Connection::Open's error).
  absl::StatusOr<std::unique_ptr<Connection>> Take() ABSL_LOCKS_EXCLUDED(mu_);
  // Takes back a connection from Take; a broken one is closed (the next
  // Take connects afresh in its place).
  void Give(std::unique_ptr<Connection> c) ABSL_LOCKS_EXCLUDED(mu_);
  // Closes the idle connections and refuses every later Take.
  void Close() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  const std::string conninfo_;
  const int size_;
  const absl::Duration acquire_timeout_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;  // idle or lent
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

// A connection taken from a pool, given back when this goes out of scope.
class Lease {
 public:
  Lease(Pool& pool, std::unique_ptr<Connection> c) : pool_(pool), c_(std::move(c)) {}
  ~Lease() { pool_.Give(std::move(c_)); }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  Connection& operator*() const { return *c_; }
  Connection* operator->() const { return c_.get(); }

 private:
  Pool& pool_;
  std::unique_ptr<Connection> c_;
};

}  // namespace postgres_internal

class PostgresStore final : public Store {
 public:
  // As OpenPostgresStore (service/postgres_store.h).
  static absl::StatusOr<std::unique_ptr<PostgresStore>> Open(const PostgresStoreOptions& options);

  ~PostgresStore() override;

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
  // The change feed (changes.cc).
  absl::StatusOr<ChangeLogState> GetChangeLogState() override;
  absl::StatusOr<ChangePage> ReadChanges(const ChangeQuery& query, const Access& access) override;
  absl::StatusOr<int64_t> WaitForChanges(int64_t after, absl::Time deadline) override;
  absl::StatusOr<int64_t> PurgeExpiredChanges(int batch) override;
  absl::Status Close() override;
  int schema_version() const override { return schema_version_; }

 private:
  using Connection = postgres_internal::Connection;
  using Touched = store_internal::Touched;

  PostgresStore(const PostgresStoreOptions& options, int schema_version);

  // What an audited call's failure or success undoes of what it wrote.
  enum class Undo {
    kOnError,  // a read or a write: undone when it fails
    kAlways,   // a validate_only write: always undone
  };
  // The isolation of an audited call's transaction (see the file comment).
  enum class Isolation {
    kWrite,  // READ COMMITTED, after the call's advisory locks
    kRead,   // REPEATABLE READ: one snapshot
  };
  struct CountDelta {
    std::string agency;
    std::string other_agency;  // AGENCY_DISAGREEMENT's other agency, else ""
    FindingKind kind;
    FindingStatus status;
    int64_t delta = 0;
  };
  // One attempt of an audited call: its connection, and what a write keeps
  // track of as it goes.
  struct Txn {
    Connection& conn;
    // Children to lock besides those the call finds itself: carried from
    // an earlier attempt that found more than it had locked.
    std::vector<int64_t>& lock_children;
    // Set when the attempt found a child it had not locked: Audited rolls
    // back and starts again with lock_children.
    bool relock = false;
    // Children merged during this Write, (from, into) in order.
    std::vector<std::pair<int64_t, int64_t>> merges;
    // Children this Write created.
    std::vector<int64_t> created_children;
    // The children LockBatch locked (sorted): every child this Write can
    // change, as they were when locked.
    std::vector<int64_t> locked_children;
    std::vector<CountDelta> count_deltas;
    // The records WriteItem creates, inserted in one statement once every
    // item is written (InsertNewRecords, before the observations, which
    // refer to them). A later item about the same record finds it here,
    // by (agency, record_id) in new_record_at, and a newer version
    // becomes its `current` here; its child is followed through `merges`
    // when it is read.
    struct NewRecord {
      const NormalizedObservation* current;  // the batch's, which outlives the Txn
      int64_t child;
    };
    std::vector<NewRecord> new_records;
    absl::flat_hash_map<std::pair<absl::string_view, absl::string_view>, size_t> new_record_at;
    // The observations WriteItem stores, inserted in one statement once
    // every item is written (WriteBatch).
    postgres_internal::RowArrays observations;
    // The change-log entries of the call (InsertChange), inserted in one
    // statement when its body has succeeded (InsertChanges).
    postgres_internal::RowArrays changes;
    // During a Write that asked for feedback: told about every child reconciled.
    FeedbackBuilder* feedback = nullptr;
    // Whether this attempt added change-log entries: once committed, the
    // call wakes the sequencer (PokeSequencer).
    bool changes_pending = false;
  };
  // Attempts of one call (lock rounds and deadlock retries) before it fails.
  static constexpr int kMaxAttempts = 8;

  // Runs `body`, an absl::StatusOr<T>(Txn& txn, Touched& touched, int64_t
  // now_us), in a transaction of its own with the audit event of `access`
  // (what `body` says it touched, and its outcome), and returns its answer
  // once the transaction has committed; or the error when the event cannot
  // be written (nothing the call wrote is kept) or the COMMIT fails. When
  // the attempt asks to relock, or fails with Aborted (a deadlock or
  // serialization failure), it is rolled back and run again, at most
  // kMaxAttempts times. A closed store, or a transaction that cannot
  // begin: that error, and no event.
  template <typename T, typename Body>
  absl::StatusOr<T> Audited(const Access& access, Isolation isolation, Undo undo, Body&& body) {
    std::vector<int64_t> lock_children;
    int stale = 0;
    for (int attempt = 1;; ++attempt) {
      absl::StatusOr<std::unique_ptr<Connection>> taken = pool_.Take();
      if (!taken.ok()) return taken.status();
      postgres_internal::Lease conn(pool_, *std::move(taken));
      if (absl::Status s = Begin(*conn, isolation); !s.ok()) {
        // Connections that went stale while idle (the server restarted)
        // fail here, before the call did anything: each is dropped, and
        // the call tries the next, at worst a new one.
        if (conn->broken() && ++stale <= options_.pool_size) {
          --attempt;
          continue;
        }
        return s;
      }
      const int64_t now_us = NowMicros();
      Txn txn{.conn = *conn, .lock_children = lock_children};
      Touched touched;
      absl::StatusOr<T> result = body(txn, touched, now_us);
      if (result.ok()) {
        if (absl::Status s = InsertChanges(txn); !s.ok()) result = s;
      }
      const bool retry = txn.relock || result.status().code() == absl::StatusCode::kAborted;
      if (retry && attempt < kMaxAttempts && !conn->broken()) {
        conn->Exec("ROLLBACK").IgnoreError();
        continue;
      }
      const bool undone = undo == Undo::kAlways || !result.ok();
      if (absl::Status s = EndCall(*conn, access, now_us, undone, std::move(touched), result.status()); !s.ok()) {
        return s;
      }
      if (!undone && txn.changes_pending) PokeSequencer();
      return result;
    }
  }
  // BEGIN at `isolation`, and the call's savepoint.
  absl::Status Begin(Connection& c, Isolation isolation);
  // Rolls back to the call's savepoint when `undone`, appends its event and
  // commits; when the event cannot be written or the COMMIT fails, rolls
  // back (nothing of the call is kept) and returns that error.
  absl::Status EndCall(Connection& c, const Access& access, int64_t now_us, bool undone, Touched touched,
                       const absl::Status& outcome);
  // Inserts one event (audit.cc).
  absl::Status AppendAuditEvent(Connection& c, const AuditEvent& event);
  // The clock's now (StoreOptions::clock, else absl::Now), in microseconds.
  int64_t NowMicros() const;

  // Takes the advisory locks of a write of `batch`: every identifier it
  // names and every child they lead to (and txn.lock_children), in one
  // sorted round. If a child turns up that was not locked (another writer
  // merged or linked it meanwhile), sets txn.relock and answers Aborted.
  absl::Status LockBatch(Txn& txn, const std::vector<NormalizedObservation>& batch);
  // The children the identifiers and records of `batch` lead to now.
  absl::StatusOr<std::vector<int64_t>> ChildrenOf(Connection& c, const std::vector<NormalizedObservation>& batch);
  // Locks `keys` (sorted, unique) until the transaction ends.
  absl::Status LockKeys(Connection& c, const std::vector<int64_t>& keys);

  // Write's work inside its audited transaction, after LockBatch.
  absl::StatusOr<WriteResult> WriteBatch(Txn& txn, const std::vector<NormalizedObservation>& batch,
                                         const WriteOptions& options, int64_t received_us, Touched& touched);
  // Writes one item; `*child_out` is the child it now belongs to.
  absl::StatusOr<WriteOutcome> WriteItem(Txn& txn, size_t index, const NormalizedObservation& item,
                                         int64_t received_us, int64_t* child_out);
  // Inserts txn.new_records, each with its child after the merges, in one
  // statement.
  absl::Status InsertNewRecords(Txn& txn);
  struct ChildLinks {
    int64_t child = 0;
    bool nhs_number_linked = false;
    bool agency_child_id_linked = false;
  };
  // Finds the child for an item (see store.h): the child of its record and
  // of its identifiers, merged into the lowest id, or a new child.
  absl::StatusOr<ChildLinks> ResolveChild(Txn& txn, const Observation& o, std::optional<int64_t> record_child,
                                          int64_t received_us);
  // Moves every link, stored record and finding of `from` to `into`, and
  // notes the merge in txn.merges (which the batch's new records follow).
  absl::Status MergeChild(Txn& txn, int64_t from, int64_t into);
  // The child `child` lives on in after the current Write's merges.
  static int64_t AfterMerges(const Txn& txn, int64_t child);
  // Recomputes the findings of every child the batch touched, or (findings
  // disabled) marks the findings stale.
  absl::Status UpdateFindings(Txn& txn, std::vector<int64_t> children, int64_t now_us);
  absl::Status ReconcileChildren(Txn& txn, const std::vector<int64_t>& children, int64_t now_us);
  absl::Status ReconcileRun(Txn& txn, absl::Span<const int64_t> children, int64_t now_us);
  absl::Status ApplyFindings(Txn& txn, int64_t child, absl::Span<const RecordState> states,
                             absl::Span<const ExistingFinding> existing, int64_t now_us);
  static void CountFinding(Txn& txn, absl::string_view agency, absl::string_view other_agency, FindingKind kind,
                           FindingStatus status, int64_t delta);
  // Adds the counted deltas to finding_counts, in key order (so that two
  // writers never wait on each other's rows).
  static absl::Status FlushCounts(Txn& txn);
  // The agency parts of `children` (children.cc).
  static absl::StatusOr<std::vector<store_internal::AgencyOfChild>> AgenciesOf(Connection& c,
                                                                             const std::vector<int64_t>& children);
  // Moves agency_completeness by what this Write changed: `before` is
  // AgenciesOf(txn.locked_children) taken before it wrote. After
  // FlushCounts, as every writer does, so that no two wait on each other.
  static absl::Status CountCompleteness(Txn& txn, const std::vector<store_internal::AgencyOfChild>& before);
  // At Open with findings enabled: if writes went by without them,
  // recomputes every child in one transaction that holds off every writer.
  absl::Status Backfill(Connection& c, int64_t now_us);

  // Reads (reads.cc).
  absl::StatusOr<ChildRecord> ReadChild(Connection& c, const ChildKey& key);
  absl::StatusOr<FindingsPage> QueryFindings(Connection& c, const FindingQuery& query, Touched& touched);
  absl::StatusOr<FindingSummary> Summarize(Connection& c, absl::string_view agency);
  absl::StatusOr<AuditPage> QueryAuditEvents(Connection& c, const AuditQuery& query);
  // The finding `id` when `access` may see it (see Store::GetFinding),
  // naming it and its child in `touched`; `*child` is its child.
  absl::StatusOr<StoredFinding> FindFinding(Connection& c, int64_t id, const Access& access, Touched& touched,
                                            int64_t* child = nullptr);
  absl::StatusOr<StoredFinding> ReadFinding(Connection& c, int64_t id, int64_t* child);
  // ReviewFinding's work, under the lock of the finding's child.
  absl::StatusOr<StoredFinding> Review(Txn& txn, int64_t id, ReviewAction action, absl::string_view note,
                                       const Access& access, int64_t now_us, Touched& touched);

  // The change log (changes.cc). Adds one entry with no position yet to
  // the call's (txn.changes); the call wakes the sequencer once committed.
  absl::Status InsertChange(Txn& txn, const ChangeEntry& e);
  // Inserts txn.changes in the call's transaction (Audited, once its body
  // has succeeded), and forgets them.
  static absl::Status InsertChanges(Txn& txn);
  // Starts the sequencer thread (Open) / stops it (Close).
  absl::Status StartSequencer();
  void StopSequencer();
  // Wakes this replica's sequencer: entries of a call have committed.
  void PokeSequencer();
  // The sequencer thread: at each wake-up, each of the other replicas'
  // notifications and at least every second, gives the committed entries
  // their positions when this replica holds the sequencer's advisory lock,
  // then tells signal_ the latest position.
  void RunSequencer();
  // One round of RunSequencer.
  struct SequenceRound {
    int64_t latest = 0;    // the latest position given, by any round
    int64_t assigned = 0;  // positions this round gave
    bool locked = false;   // whether this round held the sequencer's lock
  };
  absl::StatusOr<SequenceRound> SequenceOnce(Connection& c);

  const PostgresStoreOptions options_;
  const int schema_version_;
  postgres_internal::Pool pool_;
  store_internal::ChangeSignal signal_;
  std::atomic<bool> stop_sequencer_{false};
  // The sequencer's wake-up (PokeSequencer): an eventfd, open from
  // StartSequencer to the destructor, so that a late call never writes to
  // a closed descriptor.
  int sequencer_wake_ = -1;
  std::thread sequencer_;
};

}  // namespace ethrec

#endif  // ETHREC_SERVICE_POSTGRES_POSTGRES_STORE_H_
