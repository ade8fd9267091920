// The one shape of every unary gRPC handler in service/: read the caller
// from the call, run the call's logic (a plain function of the caller and
// the request, testable without a server), and convert its status once.
#ifndef ETHREC_SERVICE_SERVE_CALL_H_
#define ETHREC_SERVICE_SERVE_CALL_H_

#include <utility>

#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include "absl/status/statusor.h"
#include "service/caller.h"
#include "service/grpc_status.h"

namespace ethrec::service {

// Calls `call(caller)`, an absl::StatusOr<Response>, with the caller read
// from `context`; moves the response into `*response` when OK. Every error
// (a missing caller's Unauthenticated too) goes out through ToGrpcStatus.
template <typename Response, typename Call>
grpc::Status ServeCall(const grpc::ServerContextBase& context, Response* response, Call&& call) {
  absl::StatusOr<Caller> caller = CallerFrom(context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<Response> result = std::forward<Call>(call)(*caller);
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_SERVE_CALL_H_
