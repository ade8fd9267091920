// DiagnosticsService: the trivial Echo call, as EchoReply and its gRPC
// adapter DiagnosticsServiceImpl.
#ifndef ETHREC_SERVICE_DIAGNOSTICS_SERVICE_H_
#define ETHREC_SERVICE_DIAGNOSTICS_SERVICE_H_

#include "ethrec/v1/diagnostics_service.grpc.pb.h"
#include "service/access_policy.h"

namespace ethrec::service {

// The Echo call without a server: the request's message, back.
v1::EchoResponse EchoReply(const v1::EchoRequest& request);

class DiagnosticsServiceImpl final : public v1::DiagnosticsService::Service {
 public:
  // `gate` (not owned) admits every call.
  explicit DiagnosticsServiceImpl(const CallGate& gate) : gate_(gate) {}

  grpc::Status Echo(grpc::ServerContext* context, const v1::EchoRequest* request,
                    v1::EchoResponse* response) override;

 private:
  const CallGate& gate_;
};

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_DIAGNOSTICS_SERVICE_H_
