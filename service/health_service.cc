#include "service/health_service.h"

#include "absl/time/time.h"

namespace ethrec::service {

using grpc::health::v1::HealthCheckResponse;

grpc::Status HealthServiceImpl::Check(grpc::ServerContext*, const grpc::health::v1::HealthCheckRequest* request,
                                      HealthCheckResponse* response) {
  if (!request->service().empty()) return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown service");
  absl::MutexLock lock(&mu_);
  response->set_status(serving_ ? HealthCheckResponse::SERVING : HealthCheckResponse::NOT_SERVING);
  return grpc::Status::OK;
}

grpc::Status HealthServiceImpl::Watch(grpc::ServerContext* context, const grpc::health::v1::HealthCheckRequest* request,
                                      grpc::ServerWriter<HealthCheckResponse>* writer) {
  HealthCheckResponse response;
  if (!request->service().empty()) {
    response.set_status(HealthCheckResponse::SERVICE_UNKNOWN);
    writer->Write(response);
    return grpc::Status::OK;
  }
  bool serving;
  {
    absl::MutexLock lock(&mu_);
    serving = serving_;
  }
  response.set_status(serving ? HealthCheckResponse::SERVING : HealthCheckResponse::NOT_SERVING);
  if (!writer->Write(response)) return grpc::Status::OK;
  // The status changes once at most (to NOT_SERVING). Wake now and then to
  // notice a client that went away.
  absl::MutexLock lock(&mu_);
  while (serving_ && !context->IsCancelled()) {
    mu_.AwaitWithTimeout(absl::Condition(+[](bool* s) { return !*s; }, &serving_), absl::Milliseconds(500));
  }
  if (context->IsCancelled()) return grpc::Status::CANCELLED;
  response.set_status(HealthCheckResponse::NOT_SERVING);
  writer->Write(response);
  return grpc::Status::OK;
}

void HealthServiceImpl::Drain() {
  absl::MutexLock lock(&mu_);
  serving_ = false;
}

}  // namespace ethrec::service
