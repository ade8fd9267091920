#include "service/memory_store.h"

#include <algorithm>

#include "service/internal/store_checks.h"

namespace ethrec {

using store_internal::TruncateToMicros;

MemoryStore::MemoryStore(const StoreOptions& options) : options_(options) {}

absl::StatusOr<std::vector<WriteOutcome>> MemoryStore::Write(
    const std::vector<NormalizedObservation>& batch) {
  if (absl::Status s = store_internal::CheckBatch(batch); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  if (closed_) return store_internal::ClosedError();
  // Keys are unique within the batch, so every conflict is with data stored
  // before it: checking them all first makes the apply phase infallible,
  // which is what makes the batch all or nothing.
  for (size_t i = 0; i < batch.size(); ++i) {
    const Observation& o = batch[i].observation;
    auto record = records_.find(AgencyKey(o.agency, o.record_id));
    if (record == records_.end()) continue;
    auto version = record->second.versions.find(o.record_version);
    if (version == record->second.versions.end()) continue;
    std::vector<absl::string_view> diff =
        store_internal::ContentDiff(version->second.observation, o);
    if (!diff.empty()) return store_internal::ConflictError(i, o, diff);
  }
  const absl::Time received_at = TruncateToMicros(options_.clock ? options_.clock() : absl::Now());
  std::vector<WriteOutcome> out;
  out.reserve(batch.size());
  for (const NormalizedObservation& item : batch) out.push_back(Apply(item, received_at));
  return out;
}

WriteOutcome MemoryStore::Apply(const NormalizedObservation& item, absl::Time received_at) {
  const Observation& o = item.observation;
  const AgencyKey record_key(o.agency, o.record_id);
  auto existing = records_.find(record_key);
  if (existing != records_.end() && existing->second.versions.contains(o.record_version)) {
    return WriteOutcome::kDuplicate;
  }
  const int64_t child = ResolveChild(o, existing == records_.end() ? nullptr : &existing->second);
  Child& c = children_[child];
  if (!o.nhs_number.empty()) {
    c.nhs_numbers.insert(o.nhs_number);
    by_nhs_number_[o.nhs_number] = child;
  }
  if (!o.agency_child_id.empty()) {
    const AgencyKey id(o.agency, o.agency_child_id);
    c.agency_child_ids.insert(id);
    by_agency_child_id_[id] = child;
  }
  c.records.insert(record_key);
  Record& record = records_[record_key];
  record.child = child;
  const bool current =
      record.versions.empty() || o.record_version > record.versions.rbegin()->first;
  StoredObservation& stored = record.versions[o.record_version];
  stored.observation = o;
  stored.observation.recorded_at = TruncateToMicros(o.recorded_at);
  stored.normalized = item.normalized;
  stored.received_at = received_at;
  return current ? WriteOutcome::kInserted : WriteOutcome::kHistorical;
}

int64_t MemoryStore::ResolveChild(const Observation& o, const Record* record) {
  std::vector<int64_t> found;
  if (record != nullptr) found.push_back(record->child);
  if (!o.nhs_number.empty()) {
    auto it = by_nhs_number_.find(o.nhs_number);
    if (it != by_nhs_number_.end()) found.push_back(it->second);
  }
  if (!o.agency_child_id.empty()) {
    auto it = by_agency_child_id_.find(AgencyKey(o.agency, o.agency_child_id));
    if (it != by_agency_child_id_.end()) found.push_back(it->second);
  }
  if (found.empty()) {
    const int64_t child = next_child_++;
    children_[child];
    return child;
  }
  // The lowest id survives a merge, as in SqliteStore; ids are internal.
  const int64_t into = *std::min_element(found.begin(), found.end());
  for (int64_t from : found) {
    if (from != into && children_.contains(from)) Merge(from, into);
  }
  return into;
}

void MemoryStore::Merge(int64_t from, int64_t into) {
  auto node = children_.extract(from);
  Child& source = node.mapped();
  Child& target = children_[into];
  for (const std::string& nhs : source.nhs_numbers) by_nhs_number_[nhs] = into;
  for (const AgencyKey& id : source.agency_child_ids) by_agency_child_id_[id] = into;
  for (const AgencyKey& r : source.records) records_[r].child = into;
  target.nhs_numbers.merge(source.nhs_numbers);
  target.agency_child_ids.merge(source.agency_child_ids);
  target.records.merge(source.records);
}

absl::StatusOr<ChildRecord> MemoryStore::GetChild(const ChildKey& key) {
  if (absl::Status s = key.Validate(); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  if (closed_) return store_internal::ClosedError();
  int64_t child = 0;
  if (key.is_nhs_number()) {
    auto it = by_nhs_number_.find(key.nhs_number());
    if (it == by_nhs_number_.end()) return store_internal::ChildNotFoundError(true);
    child = it->second;
  } else {
    auto it = by_agency_child_id_.find(AgencyKey(key.agency(), key.agency_child_id()));
    if (it == by_agency_child_id_.end()) return store_internal::ChildNotFoundError(false);
    child = it->second;
  }
  const Child& c = children_.at(child);
  ChildRecord out;
  out.nhs_numbers.assign(c.nhs_numbers.begin(), c.nhs_numbers.end());
  for (const AgencyKey& id : c.agency_child_ids) {
    out.agency_child_ids.push_back({.agency = id.first, .agency_child_id = id.second});
  }
  for (const AgencyKey& r : c.records) {
    RecordHistory& history = out.records.emplace_back();
    history.agency = r.first;
    history.record_id = r.second;
    const Record& record = records_.at(r);
    for (auto it = record.versions.rbegin(); it != record.versions.rend(); ++it) {
      history.versions.push_back(it->second);
    }
  }
  return out;
}

absl::Status MemoryStore::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  return absl::OkStatus();
}

}  // namespace ethrec
