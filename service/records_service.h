// RecordsServiceImpl: thin gRPC adapter over mapping/observation and the Store.
#ifndef ETHREC_SERVICE_RECORDS_SERVICE_H_
#define ETHREC_SERVICE_RECORDS_SERVICE_H_

#include "ethrec/v1/records_service.grpc.pb.h"
#include "mapping/normalizer.h"
#include "service/store.h"

namespace ethrec::service {

class RecordsServiceImpl final : public v1::RecordsService::Service {
 public:
  struct Options {
    // Not owned; must outlive the service. Both required.
    const Normalizer* normalizer = nullptr;
    Store* store = nullptr;
    // Most observations in one RecordObservations call. Default 1000.
    int max_batch_items = 1000;
  };

  explicit RecordsServiceImpl(const Options& options) : options_(options) {}

  grpc::Status RecordObservation(grpc::ServerContext* context, const v1::RecordObservationRequest* request,
                                 v1::RecordObservationResponse* response) override;
  grpc::Status RecordObservations(grpc::ServerContext* context, const v1::RecordObservationsRequest* request,
                                  v1::RecordObservationsResponse* response) override;
  grpc::Status GetChild(grpc::ServerContext* context, const v1::GetChildRequest* request,
                        v1::GetChildResponse* response) override;

 private:
  // Writes (or, validate_only, checks) `batch`, with feedback for the caller when asked.
  absl::StatusOr<WriteResult> Write(const std::vector<NormalizedObservation>& batch, bool validate_only,
                                    bool feedback);

  Options options_;
};

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_RECORDS_SERVICE_H_
