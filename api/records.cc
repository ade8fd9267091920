#include "api/records.h"

#include <optional>
#include <utility>

#include "api/convert.h"
#include "mapping/status_field.h"

namespace ethrec::api {

absl::StatusOr<Observation> ObservationFromProto(const v1::ObservationInput& in, absl::string_view agency) {
  Observation o;
  o.agency = std::string(agency);
  if (!in.child().nhs_number().empty()) {
    if (absl::Status s = ValidateNhsNumber(in.child().nhs_number()); !s.ok()) {
      return WithField(s, "child.nhs_number");
    }
    o.nhs_number = CanonicalNhsNumber(in.child().nhs_number());
  }
  o.agency_child_id = in.child().agency_child_id();
  o.record_id = in.record_id();
  o.record_version = in.record_version();
  o.system = in.system();
  o.code = in.code();
  o.text = in.text();
  std::optional<SuppliedBy> supplied_by = FromProto(in.supplied_by());
  if (!supplied_by) {
    return WithField(absl::InvalidArgumentError(
                         "supplied_by is required: SELF, PARENT_OR_CARER, PRACTITIONER, "
                         "OFFICER_OBSERVED or UNKNOWN"),
                     "supplied_by");
  }
  o.supplied_by = *supplied_by;
  if (in.has_recorded_at()) o.recorded_at = FromProto(in.recorded_at());
  return o;
}

void ToProto(const NormalizedObservation& item, WriteOutcome outcome, const ItemFeedback* feedback,
             const Taxonomy& taxonomy, v1::RecordObservationResponse* out) {
  out->set_outcome(ToProto(outcome));
  ToProto(item.normalized, out->mutable_value());
  if (feedback == nullptr) return;
  for (const FindingFeedback& f : feedback->findings) ToProto(f, taxonomy, out->add_findings());
  if (feedback->reference.has_value()) ToProto(*feedback->reference, out->mutable_reference());
}

void ToProto(const RecordHistory& record, v1::Observation* out) {
  out->set_agency(record.agency);
  out->set_record_id(record.record_id);
  for (const StoredObservation& s : record.versions) {
    v1::ObservationVersion* v = out->add_versions();
    v->set_record_version(s.observation.record_version);
    v->set_system(s.observation.system);
    v->set_code(s.observation.code);
    v->set_text(s.observation.text);
    v->set_supplied_by(ToProto(s.observation.supplied_by));
    ToProto(s.observation.recorded_at, v->mutable_recorded_at());
    ToProto(s.received_at, v->mutable_received_at());
    ToProto(s.normalized, v->mutable_value());
  }
}

void ToProto(const ChildRecord& seen, v1::GetChildResponse* out) {
  for (const std::string& nhs : seen.nhs_numbers) out->add_nhs_numbers(nhs);
  for (const AgencyChildId& id : seen.agency_child_ids) {
    v1::AgencyChildId* a = out->add_agency_child_ids();
    a->set_agency(id.agency);
    a->set_agency_child_id(id.agency_child_id);
  }
  for (const RecordHistory& r : seen.records) ToProto(r, out->add_observations());
}

}  // namespace ethrec::api
