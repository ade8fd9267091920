// grpc.health.v1.Health for ethrecd: SERVING while the server serves,
// NOT_SERVING once it starts to drain, on the main port and on the
// plaintext health-only port (--health_listen). The server's overall
// health is the empty service name; any other name is NOT_FOUND, as the
// health-checking protocol says for a service the server does not know.
//
// ethrecd registers this instead of gRPC's default health service because
// the health-only port has no other service: gRPC cannot start a server
// whose only service is its built-in default one.
#ifndef ETHREC_SERVICE_HEALTH_SERVICE_H_
#define ETHREC_SERVICE_HEALTH_SERVICE_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace ethrec::service {

class HealthServiceImpl final : public grpc::health::v1::Health::Service {
 public:
  grpc::Status Check(grpc::ServerContext* context, const grpc::health::v1::HealthCheckRequest* request,
                     grpc::health::v1::HealthCheckResponse* response) override;
  // Sends the status now and at every change, until the client cancels or
  // the server drains (the last status sent is then NOT_SERVING).
  grpc::Status Watch(grpc::ServerContext* context, const grpc::health::v1::HealthCheckRequest* request,
                     grpc::ServerWriter<grpc::health::v1::HealthCheckResponse>* writer) override;

  // From now on NOT_SERVING; wakes every Watch so that it ends.
  void Drain();

 private:
  absl::Mutex mu_;
  bool serving_ ABSL_GUARDED_BY(mu_) = true;
};

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_HEALTH_SERVICE_H_
