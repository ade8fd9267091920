// The one conversion of absl::Status into a gRPC status, at the edge.
#ifndef ETHREC_SERVICE_GRPC_STATUS_H_
#define ETHREC_SERVICE_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ethrec::service {

// Maps `status` to the gRPC status with the same canonical code and message.
// The details carry a google.rpc.Status (grpc-status-details-bin) with an
// ErrorInfo (domain "ethrec") and, when the status names a field (see
// mapping/status_field.h), a BadRequest field violation for
// `field_prefix` + that field, e.g. "items[3].request." + "code".
grpc::Status ToGrpcStatus(const absl::Status& status, absl::string_view field_prefix = "");

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_GRPC_STATUS_H_
