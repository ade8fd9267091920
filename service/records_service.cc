#include "service/records_service.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "mapping/child_record.h"
#include "mapping/observation.h"
#include "mapping/status_field.h"
#include "service/changes_service.h"
#include "service/low_priority.h"
#include "service/serve_call.h"
#include "api/convert.h"
#include "api/records.h"

namespace ethrec::service {
namespace {

// Validates and normalises one input; the agency is the caller's.
absl::StatusOr<NormalizedObservation> Prepare(const Normalizer& normalizer, const Caller& caller,
                                              const v1::ObservationInput& in) {
  absl::StatusOr<Observation> o = api::ObservationFromProto(in, caller.agency);
  if (!o.ok()) return o.status();
  return NormalizeObservation(normalizer, *std::move(o));
}

// `status` with its field, if it names one, placed under `prefix`: the
// request spells an observation's "code" as "observation.code".
absl::Status UnderField(absl::Status status, absl::string_view prefix) {
  const std::string field = FieldOf(status);
  return field.empty() ? status : WithField(std::move(status), absl::StrCat(prefix, field));
}

}  // namespace

absl::StatusOr<WriteResult> RecordsApi::Write(const Caller& caller, const std::vector<NormalizedObservation>& batch,
                                              bool validate_only, bool feedback) {
  return options_.store->Write(batch, WriteOptions{.validate_only = validate_only, .feedback = feedback},
                               StoreAccess(caller));
}

absl::StatusOr<v1::RecordObservationResponse> RecordsApi::RecordObservation(
    const Caller& caller, const v1::RecordObservationRequest& request) {
  absl::StatusOr<NormalizedObservation> n = Prepare(*options_.normalizer, caller, request.observation());
  if (!n.ok()) return UnderField(n.status(), "observation.");
  std::vector<NormalizedObservation> batch;
  batch.push_back(*std::move(n));
  absl::StatusOr<WriteResult> result = Write(caller, batch, request.validate_only(), /*feedback=*/true);
  if (!result.ok()) return UnderField(result.status(), "observation.");
  v1::RecordObservationResponse response;
  api::ToProto(batch.front(), result->outcomes.front(), result->feedback.empty() ? nullptr : &result->feedback.front(),
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
  if (options_.low_priority_batch_items >= 0 && n > options_.low_priority_batch_items) {
    return RunAtLowPriority<absl::StatusOr<v1::RecordObservationsResponse>>(
        [&] { return PrepareAndWrite(caller, request); });
  }
  return PrepareAndWrite(caller, request);
}

absl::StatusOr<v1::RecordObservationsResponse> RecordsApi::PrepareAndWrite(
    const Caller& caller, const v1::RecordObservationsRequest& request) {
  const int n = request.observations_size();
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
  absl::StatusOr<WriteResult> result = Write(caller, batch, request.validate_only(), /*feedback=*/!basic);
  if (!result.ok()) {
    std::optional<size_t> index = BatchItemOf(result.status());
    if (!index.has_value()) return result.status();
    return WithField(result.status(), BatchFieldPath("observations", *index, FieldOf(result.status())));
  }
  const Taxonomy& taxonomy = options_.normalizer->registry().taxonomy();
  v1::RecordObservationsResponse response;
  for (size_t i = 0; i < batch.size(); ++i) {
    v1::RecordObservationResponse* r = response.add_results();
    api::ToProto(batch[i], result->outcomes[i], result->feedback.empty() ? nullptr : &result->feedback[i], taxonomy, r);
    if (basic) api::ToBasicView(r->mutable_value());
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
  // Least privilege (mapping/child_record.h): a record system sees its own
  // agency's part of a child it holds records about; the store answers any
  // other child as an unknown one, and audits the attempt. Officers see
  // every agency.
  const Access access = StoreAccess(caller);
  // Before the read (SnapshotWatchToken): a watch from it misses nothing.
  absl::StatusOr<std::string> watch_token = SnapshotWatchToken(*options_.store);
  if (!watch_token.ok()) return watch_token.status();
  absl::StatusOr<ChildRecord> child = options_.store->GetChild(key, access);
  if (!child.ok()) return child.status();
  v1::GetChildResponse response;
  api::ToProto(ViewOfChild(*child, ViewerOf(access)), &response);
  response.set_watch_token(*std::move(watch_token));
  return response;
}

grpc::Status RecordsServiceImpl::RecordObservation(grpc::ServerContext* context,
                                                   const v1::RecordObservationRequest* request,
                                                   v1::RecordObservationResponse* response) {
  return ServeCall(*context, gate_, "/ethrec.v1.RecordsService/RecordObservation", response, [&](const Caller& caller) { return api_.RecordObservation(caller, *request); });
}

grpc::Status RecordsServiceImpl::RecordObservations(grpc::ServerContext* context,
                                                    const v1::RecordObservationsRequest* request,
                                                    v1::RecordObservationsResponse* response) {
  return ServeCall(*context, gate_, "/ethrec.v1.RecordsService/RecordObservations", response,
                   [&](const Caller& caller) { return api_.RecordObservations(caller, *request); });
}

grpc::Status RecordsServiceImpl::GetChild(grpc::ServerContext* context, const v1::GetChildRequest* request,
                                          v1::GetChildResponse* response) {
  return ServeCall(*context, gate_, "/ethrec.v1.RecordsService/GetChild", response, [&](const Caller& caller) { return api_.GetChild(caller, *request); });
}

}  // namespace ethrec::service
