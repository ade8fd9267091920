// The one conversion of absl::Status into a gRPC status, at the edge.
#ifndef ETHREC_SERVICE_GRPC_STATUS_H_
#define ETHREC_SERVICE_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "google/rpc/status.pb.h"

namespace ethrec::service {

// Maps `status` to the gRPC status with the same canonical code and message.
// The details carry a google.rpc.Status (grpc-status-details-bin) with an
// ErrorInfo (domain "ethrec") and, when the status names a field (see
// mapping/status_field.h), a BadRequest field violation for that field, as
// the request spells it (e.g. "observations[3].code").
grpc::Status ToGrpcStatus(const absl::Status& status);

// The google.rpc.Status ToGrpcStatus sends as details, for a non-OK
// `status`: the HTTP API answers with the same one, in JSON.
google::rpc::Status ToRpcStatus(const absl::Status& status);

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_GRPC_STATUS_H_
