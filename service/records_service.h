// RecordsService: the calls' logic in RecordsApi, callable without a server,
// and RecordsServiceImpl, its thin gRPC adapter.
#ifndef ETHREC_SERVICE_RECORDS_SERVICE_H_
#define ETHREC_SERVICE_RECORDS_SERVICE_H_

#include <vector>

#include "absl/status/statusor.h"
#include "ethrec/v1/records_service.grpc.pb.h"
#include "mapping/normalizer.h"
#include "service/access_policy.h"
#include "service/caller.h"
#include "service/store.h"

namespace ethrec::service {

// The RecordsService calls over mapping/observation and the Store. The
// agency of every observation and agency_child_id is the caller's. An error
// about one field names it as the request spells it (see
// mapping/status_field.h), e.g. "observation.code" or
// "observations[3].child.nhs_number"; the adapter reports that field.
class RecordsApi {
 public:
  struct Options {
    // Not owned; must outlive the api. Both required.
    const Normalizer* normalizer = nullptr;
    Store* store = nullptr;
    // Most observations in one RecordObservations call. Default 1000.
    int max_batch_items = 1000;
    // A RecordObservations batch of more items than this is bulk work: it
    // is normalised and written on a thread at the lowest CPU priority
    // (service/low_priority.h), so that data entry keeps the CPU while an
    // integration engineer bulk-loads. 16, as the SQLite store's most items
    // of an interactive write. Negative: never.
    int low_priority_batch_items = 16;
  };

  explicit RecordsApi(const Options& options) : options_(options) {}

  // Validates, normalises and stores (validate_only: only checks) one
  // observation, answering with feedback. InvalidArgument for a bad input;
  // the Store's errors (e.g. AlreadyExists for a conflicting rewrite) as it
  // gives them.
  absl::StatusOr<v1::RecordObservationResponse> RecordObservation(const Caller& caller,
                                                                  const v1::RecordObservationRequest& request);
  // The same for a batch, all or nothing: one bad item stores none and its
  // error names the item. InvalidArgument when empty, ResourceExhausted
  // over max_batch_items. view BASIC answers without feedback.
  absl::StatusOr<v1::RecordObservationsResponse> RecordObservations(const Caller& caller,
                                                                    const v1::RecordObservationsRequest& request);
  // What the store holds about a child named by NHS number or by the
  // caller's agency_child_id. InvalidArgument when neither is given or the
  // NHS number is invalid; NotFound for an unknown child, and for one the
  // caller may not see. Every call that reaches the store is audited there.
  absl::StatusOr<v1::GetChildResponse> GetChild(const Caller& caller, const v1::GetChildRequest& request);

 private:
  // Writes (or, validate_only, checks) `batch` for `caller`, with feedback when asked.
  absl::StatusOr<WriteResult> Write(const Caller& caller, const std::vector<NormalizedObservation>& batch,
                                    bool validate_only, bool feedback);
  // RecordObservations once its size is checked: prepares every item, then writes.
  absl::StatusOr<v1::RecordObservationsResponse> PrepareAndWrite(const Caller& caller,
                                                                 const v1::RecordObservationsRequest& request);

  Options options_;
};

class RecordsServiceImpl final : public v1::RecordsService::Service {
 public:
  using Options = RecordsApi::Options;

  // `gate` (not owned) admits every call.
  RecordsServiceImpl(const Options& options, const CallGate& gate) : api_(options), gate_(gate) {}

  grpc::Status RecordObservation(grpc::ServerContext* context, const v1::RecordObservationRequest* request,
                                 v1::RecordObservationResponse* response) override;
  grpc::Status RecordObservations(grpc::ServerContext* context, const v1::RecordObservationsRequest* request,
                                  v1::RecordObservationsResponse* response) override;
  grpc::Status GetChild(grpc::ServerContext* context, const v1::GetChildRequest* request,
                        v1::GetChildResponse* response) override;

 private:
  RecordsApi api_;
  const CallGate& gate_;
};

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_RECORDS_SERVICE_H_
