#include "service/store.h"

#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "mapping/status_field.h"
#include "service/internal/store_checks.h"

namespace ethrec {

ChildKey ChildKey::ForNhsNumber(absl::string_view nhs_number) {
  ChildKey k;
  k.nhs_number_ = std::string(nhs_number);
  return k;
}

ChildKey ChildKey::ForChildId(int64_t child_id) {
  ChildKey k;
  k.child_id_ = child_id;
  return k;
}

ChildKey ChildKey::ForAgencyChildId(absl::string_view agency, absl::string_view agency_child_id) {
  ChildKey k;
  k.agency_ = std::string(agency);
  k.agency_child_id_ = std::string(agency_child_id);
  return k;
}

absl::Status ChildKey::Validate() const {
  if (is_child_id()) return absl::OkStatus();
  if (child_id_ < 0) {
    return WithField(absl::InvalidArgumentError(absl::StrCat("child_id ", child_id_, " is not a child id (>= 1)")),
                     "child_id");
  }
  if (is_nhs_number()) return ValidateCanonicalNhsNumber(nhs_number_);
  if (agency_child_id_.empty()) {
    return WithField(absl::InvalidArgumentError(
                         "the child must be identified: nhs_number or agency_child_id is required"),
                     "child");
  }
  if (absl::Status s = ValidateId("agency", agency_); !s.ok()) return s;
  return WithField(ValidateId("agency_child_id", agency_child_id_), "child.agency_child_id");
}

absl::Status ChildNotFound(const ChildKey& key) { return store_internal::ChildNotFoundError(key.is_nhs_number()); }

absl::StatusOr<std::vector<WriteOutcome>> Store::Write(const std::vector<NormalizedObservation>& batch,
                                                       const Access& access) {
  absl::StatusOr<WriteResult> out = Write(batch, WriteOptions{}, access);
  if (!out.ok()) return out.status();
  return std::move(out->outcomes);
}

absl::StatusOr<WriteOutcome> Store::WriteOne(const NormalizedObservation& item, const Access& access) {
  absl::StatusOr<std::vector<WriteOutcome>> out = Write({item}, access);
  if (!out.ok()) return out.status();
  return out->front();
}

namespace store_internal {

absl::Status CheckBatch(const std::vector<NormalizedObservation>& batch) {
  using Key = std::tuple<absl::string_view, absl::string_view, int64_t>;
  absl::flat_hash_map<Key, size_t> seen;
  seen.reserve(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    const Observation& o = batch[i].observation;
    if (absl::Status s = ValidateObservation(o); !s.ok()) {
      absl::Status out = absl::InvalidArgumentError(absl::StrCat("item ", i, ": ", s.message()));
      if (std::string field = FieldOf(s); !field.empty()) out = WithField(out, field);
      return WithBatchItem(out, i);
    }
    auto [it, inserted] = seen.try_emplace(Key(o.agency, o.record_id, o.record_version), i);
    if (!inserted) {
      return WithBatchItem(
          WithField(absl::InvalidArgumentError(absl::StrCat(
                        "items ", it->second, " and ", i, " are both version ", o.record_version,
                        " of record_id \"", o.record_id, "\": a batch may hold each version once")),
                    "record_version"),
          i);
    }
  }
  return absl::OkStatus();
}

std::vector<absl::string_view> ContentDiff(const Observation& a, const Observation& b) {
  std::vector<absl::string_view> fields;
  if (a.nhs_number != b.nhs_number) fields.push_back("nhs_number");
  if (a.agency_child_id != b.agency_child_id) fields.push_back("agency_child_id");
  if (a.system != b.system) fields.push_back("system");
  if (a.code != b.code) fields.push_back("code");
  if (a.text != b.text) fields.push_back("text");
  if (a.supplied_by != b.supplied_by) fields.push_back("supplied_by");
  if (absl::ToUnixMicros(a.recorded_at) != absl::ToUnixMicros(b.recorded_at)) {
    fields.push_back("recorded_at");
  }
  return fields;
}

absl::Status ConflictError(size_t index, const Observation& o,
                           const std::vector<absl::string_view>& fields) {
  return WithBatchItem(
      WithField(absl::FailedPreconditionError(absl::StrCat(
                    "item ", index, ": version ", o.record_version, " of record_id \"", o.record_id,
                    "\" is already stored with different content (", absl::StrJoin(fields, ", "),
                    "); a correction must be a new version")),
                "record_version"),
      index);
}

absl::Status PartlyStoredError(const absl::Status& cause, size_t stored) {
  if (stored == 0 || cause.ok()) return cause;
  absl::Status out(cause.code(),
                   absl::StrCat(cause.message(), " (items 0 to ", stored - 1,
                                " of the batch were stored before this error, the rest were not; "
                                "writing the whole batch again is safe: a stored item answers DUPLICATE)"));
  cause.ForEachPayload([&out](absl::string_view url, const absl::Cord& payload) { out.SetPayload(url, payload); });
  return out;
}

absl::Status ChildNotFoundError(bool by_nhs_number) {
  return absl::NotFoundError(by_nhs_number ? "no child has that NHS number"
                                           : "no child has that agency_child_id at that agency");
}

absl::Status ClosedError() { return absl::FailedPreconditionError("the store is closed"); }

}  // namespace store_internal
}  // namespace ethrec
