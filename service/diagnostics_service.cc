#include "service/diagnostics_service.h"

#include "service/serve_call.h"

namespace ethrec::service {

v1::EchoResponse EchoReply(const v1::EchoRequest& request) {
  v1::EchoResponse response;
  response.set_message(request.message());
  return response;
}

grpc::Status DiagnosticsServiceImpl::Echo(grpc::ServerContext* context, const v1::EchoRequest* request,
                                          v1::EchoResponse* response) {
  return ServeCall(*context, gate_, "/ethrec.v1.DiagnosticsService/Echo", response,
                   [&](const Caller&) -> absl::StatusOr<v1::EchoResponse> { return EchoReply(*request); });
}

}  // namespace ethrec::service
