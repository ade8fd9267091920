#include "service/diagnostics_service.h"

#include "service/caller.h"
#include "service/grpc_status.h"

namespace ethrec::service {

grpc::Status DiagnosticsServiceImpl::Echo(grpc::ServerContext* context, const v1::EchoRequest* request,
                                          v1::EchoResponse* response) {
  if (absl::StatusOr<Caller> caller = CallerFrom(*context); !caller.ok()) return ToGrpcStatus(caller.status());
  response->set_message(request->message());
  return grpc::Status::OK;
}

}  // namespace ethrec::service
