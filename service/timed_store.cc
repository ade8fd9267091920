#include "service/timed_store.h"

namespace ethrec::service {

absl::StatusOr<WriteResult> TimedStore::Write(const std::vector<NormalizedObservation>& batch,
                                              const WriteOptions& options, const Access& access) {
  return Timed("Write", [&] { return store_->Write(batch, options, access); });
}

absl::StatusOr<ChildRecord> TimedStore::GetChild(const ChildKey& key, const Access& access) {
  return Timed("GetChild", [&] { return store_->GetChild(key, access); });
}

absl::StatusOr<ChildrenPage> TimedStore::ListChildrenWithFindings(const ChildQuery& query, const Access& access) {
  return Timed("ListChildrenWithFindings", [&] { return store_->ListChildrenWithFindings(query, access); });
}

absl::StatusOr<FindingsPage> TimedStore::ListFindings(const FindingQuery& query, const Access& access) {
  return Timed("ListFindings", [&] { return store_->ListFindings(query, access); });
}

absl::StatusOr<StoredFinding> TimedStore::GetFinding(int64_t id, const Access& access) {
  return Timed("GetFinding", [&] { return store_->GetFinding(id, access); });
}

absl::StatusOr<FindingSummary> TimedStore::SummarizeFindings(absl::string_view agency, const Access& access) {
  return Timed("SummarizeFindings", [&] { return store_->SummarizeFindings(agency, access); });
}

absl::StatusOr<StoredFinding> TimedStore::ReviewFinding(int64_t id, ReviewAction action, absl::string_view note,
                                                        const Access& access) {
  return Timed("ReviewFinding", [&] { return store_->ReviewFinding(id, action, note, access); });
}

absl::StatusOr<AuditPage> TimedStore::ListAuditEvents(const AuditQuery& query, const Access& access) {
  return Timed("ListAuditEvents", [&] { return store_->ListAuditEvents(query, access); });
}

absl::StatusOr<int64_t> TimedStore::PurgeExpiredAuditEvents(int batch) {
  return Timed("PurgeExpiredAuditEvents", [&] { return store_->PurgeExpiredAuditEvents(batch); });
}

absl::StatusOr<ChangeLogState> TimedStore::GetChangeLogState() {
  return Timed("GetChangeLogState", [&] { return store_->GetChangeLogState(); });
}

absl::StatusOr<ChangePage> TimedStore::ReadChanges(const ChangeQuery& query, const Access& access) {
  return Timed("ReadChanges", [&] { return store_->ReadChanges(query, access); });
}

absl::StatusOr<int64_t> TimedStore::PurgeExpiredChanges(int batch) {
  return Timed("PurgeExpiredChanges", [&] { return store_->PurgeExpiredChanges(batch); });
}

}  // namespace ethrec::service
