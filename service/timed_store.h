// TimedStore: a Store that forwards every call to another and records how
// long each took (each is one transaction) in Metrics, by operation
// ("Write", "GetChild", ...). Errors are the wrapped store's, unchanged.
#ifndef ETHREC_SERVICE_TIMED_STORE_H_
#define ETHREC_SERVICE_TIMED_STORE_H_

#include "service/metrics.h"
#include "service/store.h"

namespace ethrec::service {

class TimedStore final : public Store {
 public:
  // Neither owned; both must outlive this.
  TimedStore(Store* store, Metrics* metrics) : store_(store), metrics_(metrics) {}

  absl::StatusOr<WriteResult> Write(const std::vector<NormalizedObservation>& batch, const WriteOptions& options,
                                    const Access& access) override;
  using Store::Write;
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
  // Not timed: it waits for others' commits, it is no transaction.
  absl::StatusOr<int64_t> WaitForChanges(int64_t after, absl::Time deadline) override {
    return store_->WaitForChanges(after, deadline);
  }
  absl::StatusOr<int64_t> PurgeExpiredChanges(int batch) override;
  absl::Status Close() override { return store_->Close(); }
  int schema_version() const override { return store_->schema_version(); }

 private:
  // Runs `call` and records its time under `operation`.
  template <typename Call>
  auto Timed(absl::string_view operation, Call&& call) {
    const absl::Time start = absl::Now();
    auto result = call();
    metrics_->RecordStoreTransaction(operation, absl::Now() - start);
    return result;
  }

  Store* store_;
  Metrics* metrics_;
};

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_TIMED_STORE_H_
