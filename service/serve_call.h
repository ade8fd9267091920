// The one shape of every unary gRPC handler in service/: admit the caller
// through the CallGate (who is calling, and may that role call this
// method: access_policy.h), run the call's logic (a plain function of the
// caller and the request, testable without a server), and convert its
// status once.
#ifndef ETHREC_SERVICE_SERVE_CALL_H_
#define ETHREC_SERVICE_SERVE_CALL_H_

#include <utility>

#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "service/access_policy.h"
#include "service/caller.h"
#include "service/grpc_status.h"

namespace ethrec::service {

// Calls `call(caller)`, an absl::StatusOr<Response>, when `gate` admits the
// caller of `method` (its full name, "/ethrec.v1.RecordsService/GetChild");
// moves the response into `*response` when OK. Every error (the gate's
// Unauthenticated and PermissionDenied too) goes out through ToGrpcStatus.
template <typename Response, typename Call>
grpc::Status ServeCall(const grpc::ServerContextBase& context, const CallGate& gate, absl::string_view method,
                       Response* response, Call&& call) {
  absl::StatusOr<Caller> caller = gate.Admit(context, method);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<Response> result = std::forward<Call>(call)(*caller);
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_SERVE_CALL_H_
