// Plumbing shared by the CLI's gRPC clients (the remote backend, the
// records and the findings clients). Not part of the tools' interface.
#ifndef ETHREC_TOOLS_INTERNAL_GRPC_CLIENT_H_
#define ETHREC_TOOLS_INTERNAL_GRPC_CLIENT_H_

#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tools/backend.h"

namespace ethrec::tools::grpc_internal {

// A channel to the ethrecd at `address` (host:port) once it answers, over
// mutual TLS when `identity` names its files. InvalidArgument naming the
// flag when a TLS file is missing or unreadable; Unavailable "no ethrecd
// answers at ADDRESS" when the server does not answer (or refuses the TLS
// handshake) within 5 s.
absl::StatusOr<std::shared_ptr<grpc::Channel>> ConnectTo(const std::string& address, const RemoteIdentity& identity);

// A context for one call with a deadline `timeout` from now, carrying
// `identity` as call metadata when it is not TLS.
std::unique_ptr<grpc::ClientContext> CallContext(const RemoteIdentity& identity, absl::Duration timeout);

// The server's status with the same code and message. When `field` is not
// null it receives the field of the first google.rpc.BadRequest violation
// in the status details ("" when there is none).
absl::Status StatusFromGrpc(const grpc::Status& s, std::string* field = nullptr);

}  // namespace ethrec::tools::grpc_internal

#endif  // ETHREC_TOOLS_INTERNAL_GRPC_CLIENT_H_
