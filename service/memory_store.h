// MemoryStore: a Store that keeps everything in memory, for tests. Follows
// the Store contract exactly (see store.h), including all-or-nothing writes
// and child merging; nothing survives the object.
//
// Example:
//   MemoryStore store;
//   absl::StatusOr<WriteOutcome> out = store.WriteOne(item, access);
//
// Audit events are kept in memory with everything else, appended under the
// same lock as the access they record (its "transaction").
#ifndef ETHREC_SERVICE_MEMORY_STORE_H_
#define ETHREC_SERVICE_MEMORY_STORE_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "service/internal/change_log.h"
#include "service/internal/store_audit.h"
#include "service/store.h"

namespace ethrec {

class MemoryStore final : public Store {
 public:
  explicit MemoryStore(const StoreOptions& options = StoreOptions());

  using Store::Write;
  // validate_only copies the whole state and puts it back: fine for tests,
  // which is what this store is for.
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
  absl::StatusOr<ChangeLogState> GetChangeLogState() override;
  absl::StatusOr<ChangePage> ReadChanges(const ChangeQuery& query, const Access& access) override;
  // Woken by each write's commit (the end of its lock).
  absl::StatusOr<int64_t> WaitForChanges(int64_t after, absl::Time deadline) override;
  absl::StatusOr<int64_t> PurgeExpiredChanges(int batch) override;
  absl::Status Close() override;
  int schema_version() const override { return kStoreSchemaVersion; }

 private:
  using AgencyKey = std::pair<std::string, std::string>;  // (agency, id)

  struct Record {
    int64_t child = 0;
    // By record_version; the current version is the last.
    std::map<int64_t, StoredObservation> versions;
  };
  struct Child {
    std::set<std::string> nhs_numbers;
    std::set<AgencyKey> agency_child_ids;
    std::set<AgencyKey> records;  // (agency, record_id)
    std::set<int64_t> findings;   // finding ids
    // Each agency with a record about the child: does it hold a usable
    // self-defined one (see AgencySelfDefined)?
    std::vector<std::pair<std::string, bool>> agencies;
  };
  struct FindingRow {
    StoredFinding finding;
    std::string compared;  // EncodeRecordRefs of finding.compared
    int64_t child = 0;     // the child it is about (after merges)
  };
  using Touched = store_internal::Touched;

  // The calls' work, under the lock; each says what it touched in `touched`.
  absl::StatusOr<WriteResult> WriteLocked(const std::vector<NormalizedObservation>& batch,
                                          const WriteOptions& options, Touched& touched)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<ChildRecord> GetChildLocked(const ChildKey& key, const Access& access, Touched& touched)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<ChildrenPage> ListChildrenLocked(const ChildQuery& query, const Access& access, Touched& touched)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<FindingsPage> ListFindingsLocked(const FindingQuery& query, const Access& access, Touched& touched)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<FindingSummary> SummarizeLocked(absl::string_view agency, const Access& access)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The finding `id` when `access` may see it, naming it in `touched`.
  absl::StatusOr<FindingRow*> FindFinding(int64_t id, const Access& access, Touched& touched)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Appends the event of one call of `access` that ended with `outcome`.
  void Audit(const Access& access, Touched touched, const absl::Status& outcome) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The shape of every audited read: under the lock, `call(touched)` (an
  // absl::StatusOr), then its event.
  // (Defined in memory_store.cc, its only user.)
  template <typename Call>
  auto Audited(const Access& access, Call&& call) -> decltype(call(std::declval<Touched&>()));

  // Applies one item that is known not to conflict. Cannot fail.
  WriteOutcome Apply(const NormalizedObservation& item, absl::Time received_at)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The child that `o` (and its record, if stored) belongs to, merging
  // children as needed and creating one if none matches.
  int64_t ResolveChild(const Observation& o, const Record* record)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Merge(int64_t from, int64_t into) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Everything about stored child `child`, as GetChild answers it.
  ChildRecord ReadChild(int64_t child) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Recomputes the findings and completeness of `child` (see store.h),
  // telling `feedback` (may be null) what changed.
  void Reconcile(int64_t child, absl::Time now, FeedbackBuilder* feedback)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Time Now() const;
  // Appends `e` to the change log with the next position.
  void AppendChange(ChangeEntry e) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const StoreOptions options_;
  absl::Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  int64_t next_child_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<int64_t, Child> children_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int64_t> by_nhs_number_ ABSL_GUARDED_BY(mu_);
  std::map<AgencyKey, int64_t> by_agency_child_id_ ABSL_GUARDED_BY(mu_);
  std::map<AgencyKey, Record> records_ ABSL_GUARDED_BY(mu_);
  int64_t next_finding_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<int64_t, FindingRow> findings_ ABSL_GUARDED_BY(mu_);
  int64_t next_audit_event_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<int64_t, AuditEvent> audit_ ABSL_GUARDED_BY(mu_);  // by id
  int64_t next_change_ ABSL_GUARDED_BY(mu_) = 1;
  int64_t changes_purged_through_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<int64_t, ChangeEntry> changes_ ABSL_GUARDED_BY(mu_);  // by position
  store_internal::ChangeSignal signal_;
};

}  // namespace ethrec

#endif  // ETHREC_SERVICE_MEMORY_STORE_H_
