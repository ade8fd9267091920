// Requests that cannot be parsed get INVALID_ARGUMENT naming the problem.
//
// gRPC C++ parses a request before any handler sees it. When protobuf
// refuses the bytes (in ethrec's API that means a string field that is not
// valid UTF-8, since proto3 strings must be UTF-8, or a malformed message)
// gRPC answers INTERNAL with an empty message, as if the server had failed.
// The server interceptor here rewrites exactly that answer (INTERNAL, no
// message, no details: our own handlers always attach details) into
// INVALID_ARGUMENT with a google.rpc.Status that says what was wrong and,
// for invalid UTF-8, which field: protobuf names the field in the error it
// logs while parsing, which a log handler notes for the calling thread (the
// sync server parses and answers a call on one thread). Values are never
// logged or echoed.
#ifndef ETHREC_SERVICE_PARSE_ERRORS_H_
#define ETHREC_SERVICE_PARSE_ERRORS_H_

#include <memory>
#include <string>

#include <grpcpp/support/server_interceptor.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ethrec::service {

// Installs the protobuf log handler that notes invalid UTF-8 fields (once per
// process; later calls do nothing). Protobuf's own logging goes on as before.
void InstallParseErrorLogHandler();

// The field ("ethrec.v1.NormalizeRequest.text") protobuf last refused as
// invalid UTF-8 on this thread, and forgets it; "" when none. For handlers
// that parse requests themselves (raw methods).
std::string TakeInvalidUtf8Field();

// An InvalidArgument status for a request to `method` that could not be
// parsed, naming TakeInvalidUtf8Field()'s field when there is one.
absl::Status UnparsableRequestError(absl::string_view method);

// The interceptor factory for grpc::ServerBuilder::experimental().SetInterceptorCreators.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewParseErrorInterceptorFactory();

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_PARSE_ERRORS_H_
