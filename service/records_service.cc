#include "service/records_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "mapping/observation.h"
#include "mapping/status_field.h"
#include "service/serve_call.h"
#include "api/convert.h"

namespace ethrec::service {
namespace {

// Overloads below would hide api/convert.h's.
using ::ethrec::api::FromProto;
using ::ethrec::api::ToBasicView;
using ::ethrec::api::ToProto;

// Validates and normalises one input; the agency is the caller's.
absl::StatusOr<NormalizedObservation> Prepare(const Normalizer& normalizer, const Caller& caller,
                                              const v1::ObservationInput& in) {
  Observation o;
  o.agency = caller.agency;
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
  return NormalizeObservation(normalizer, std::move(o));
}

void ToProto(const RecordHistory& r, v1::Observation* out) {
  out->set_agency(r.agency);
  out->set_record_id(r.record_id);
  for (const StoredObservation& s : r.versions) {
    v1::ObservationVersion* v = out->add_versions();
    v->set_record_version(s.observation.record_version);
    v->set_system(s.observation.system);
    v->set_code(s.observation.code);
    v->set_text(s.observation.text);
    v->set_supplied_by(ToProto(s.observation.supplied_by));
    ToProto(s.observation.recorded_at, v->mutable_recorded_at());
    ToProto(s.received_at, v->mutable_received_at());
    api::ToProto(s.normalized, v->mutable_value());
  }
}

// One observation's answer: outcome, reading and feedback.
void ToProto(const NormalizedObservation& item, WriteOutcome outcome, const ItemFeedback* feedback,
             const Taxonomy& taxonomy, v1::RecordObservationResponse* out) {
  out->set_outcome(ToProto(outcome));
  api::ToProto(item.normalized, out->mutable_value());
  if (feedback == nullptr) return;
  for (const FindingFeedback& f : feedback->findings) api::ToProto(f, taxonomy, out->add_findings());
  if (feedback->reference.has_value()) api::ToProto(*feedback->reference, out->mutable_reference());
}

// `status` with its field, if it names one, placed under `prefix`: the
// request spells an observation's "code" as "observation.code".
absl::Status UnderField(absl::Status status, absl::string_view prefix) {
  const std::string field = FieldOf(status);
  return field.empty() ? status : WithField(std::move(status), absl::StrCat(prefix, field));
}

}  // namespace

absl::StatusOr<WriteResult> RecordsApi::Write(const std::vector<NormalizedObservation>& batch, bool validate_only,
                                              bool feedback) {
  return options_.store->Write(batch, WriteOptions{.validate_only = validate_only, .feedback = feedback});
}

absl::StatusOr<v1::RecordObservationResponse> RecordsApi::RecordObservation(
    const Caller& caller, const v1::RecordObservationRequest& request) {
  absl::StatusOr<NormalizedObservation> n = Prepare(*options_.normalizer, caller, request.observation());
  if (!n.ok()) return UnderField(n.status(), "observation.");
  std::vector<NormalizedObservation> batch;
  batch.push_back(*std::move(n));
  absl::StatusOr<WriteResult> result = Write(batch, request.validate_only(), /*feedback=*/true);
  if (!result.ok()) return UnderField(result.status(), "observation.");
  v1::RecordObservationResponse response;
  ToProto(batch.front(), result->outcomes.front(), result->feedback.empty() ? nullptr : &result->feedback.front(),
          options_.normalizer->registry().taxonomy(), &response);
  return response;
}

absl::StatusOr<v1::RecordObservationsResponse> RecordsApi::RecordObservations(
    const Caller& caller, const v1::RecordObservationsRequest& request) {
  const int n = request.observations_size();
  if (n == 0) return WithField(absl::InvalidArgumentError("observations is empty"), "observations");
  if (n > options_.max_batch_items) {
    return WithField(absl::ResourceExhaustedError(
                         absl::StrCat("batch has ", n, " observations; the limit is ", options_.max_batch_items)),
                     "observations");
  }
  std::vector<NormalizedObservation> batch;
  batch.reserve(n);
  for (int i = 0; i < n; ++i) {
    absl::StatusOr<NormalizedObservation> item = Prepare(*options_.normalizer, caller, request.observations(i));
    if (!item.ok()) {
      // Nothing is stored when any item is bad: name it and its field.
      absl::Status named(item.status().code(), absl::StrCat("observations[", i, "]: ", item.status().message()));
      return WithField(named, BatchFieldPath("observations", i, FieldOf(item.status())));
    }
    batch.push_back(*std::move(item));
  }
  const bool basic = request.view() == v1::BASIC;
  absl::StatusOr<WriteResult> result = Write(batch, request.validate_only(), /*feedback=*/!basic);
  if (!result.ok()) {
    std::optional<size_t> index = BatchItemOf(result.status());
    if (!index.has_value()) return result.status();
    return WithField(result.status(), BatchFieldPath("observations", *index, FieldOf(result.status())));
  }
  const Taxonomy& taxonomy = options_.normalizer->registry().taxonomy();
  v1::RecordObservationsResponse response;
  for (size_t i = 0; i < batch.size(); ++i) {
    v1::RecordObservationResponse* r = response.add_results();
    ToProto(batch[i], result->outcomes[i], result->feedback.empty() ? nullptr : &result->feedback[i], taxonomy, r);
    if (basic) ToBasicView(r->mutable_value());
  }
  return response;
}

absl::StatusOr<v1::GetChildResponse> RecordsApi::GetChild(const Caller& caller, const v1::GetChildRequest& request) {
  const v1::ChildRef& ref = request.child();
  ChildKey key = ChildKey::ForAgencyChildId(caller.agency, ref.agency_child_id());
  if (!ref.nhs_number().empty()) {
    if (absl::Status s = ValidateNhsNumber(ref.nhs_number()); !s.ok()) return WithField(s, "child.nhs_number");
    key = ChildKey::ForNhsNumber(CanonicalNhsNumber(ref.nhs_number()));
  } else if (ref.agency_child_id().empty()) {
    return WithField(absl::InvalidArgumentError("give the child's nhs_number or agency_child_id"), "child");
  }
  absl::StatusOr<ChildRecord> child = options_.store->GetChild(key);
  if (!child.ok()) return child.status();
  // Least privilege: a record system sees its own agency's records about a
  // child it holds records for; any other child answers as an unknown one
  // would, so that its existence is not revealed. Officers see every agency.
  const bool officer = caller.role == kDataQualityRole;
  const auto own = [&](absl::string_view agency) { return officer || agency == caller.agency; };
  if (std::none_of(child->records.begin(), child->records.end(),
                   [&](const RecordHistory& r) { return own(r.agency); })) {
    return ChildNotFound(key);
  }
  v1::GetChildResponse response;
  for (const std::string& nhs : child->nhs_numbers) {
    // Another agency's NHS number for the child is not the caller's to learn.
    const bool sent_by_caller = officer || std::any_of(child->records.begin(), child->records.end(), [&](const RecordHistory& r) {
      return own(r.agency) && std::any_of(r.versions.begin(), r.versions.end(), [&](const StoredObservation& v) {
               return v.observation.nhs_number == nhs;
             });
    });
    if (sent_by_caller) response.add_nhs_numbers(nhs);
  }
  for (const AgencyChildId& id : child->agency_child_ids) {
    if (!own(id.agency)) continue;
    v1::AgencyChildId* out = response.add_agency_child_ids();
    out->set_agency(id.agency);
    out->set_agency_child_id(id.agency_child_id);
  }
  for (const RecordHistory& r : child->records) {
    if (own(r.agency)) ToProto(r, response.add_observations());
  }
  return response;
}

grpc::Status RecordsServiceImpl::RecordObservation(grpc::ServerContext* context,
                                                   const v1::RecordObservationRequest* request,
                                                   v1::RecordObservationResponse* response) {
  return ServeCall(*context, response, [&](const Caller& caller) { return api_.RecordObservation(caller, *request); });
}

grpc::Status RecordsServiceImpl::RecordObservations(grpc::ServerContext* context,
                                                    const v1::RecordObservationsRequest* request,
                                                    v1::RecordObservationsResponse* response) {
  return ServeCall(*context, response,
                   [&](const Caller& caller) { return api_.RecordObservations(caller, *request); });
}

grpc::Status RecordsServiceImpl::GetChild(grpc::ServerContext* context, const v1::GetChildRequest* request,
                                          v1::GetChildResponse* response) {
  return ServeCall(*context, response, [&](const Caller& caller) { return api_.GetChild(caller, *request); });
}

}  // namespace ethrec::service
