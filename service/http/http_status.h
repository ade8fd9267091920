// The one mapping of a canonical status code to an HTTP status, at the HTTP
// edge (google.api's mapping, as gRPC-JSON transcoders use it).
#ifndef ETHREC_SERVICE_HTTP_HTTP_STATUS_H_
#define ETHREC_SERVICE_HTTP_HTTP_STATUS_H_

#include "absl/status/status.h"

namespace ethrec::service {

// 200 for OK, 400 INVALID_ARGUMENT, FAILED_PRECONDITION and OUT_OF_RANGE,
// 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 NOT_FOUND, 409
// ALREADY_EXISTS and ABORTED, 429 RESOURCE_EXHAUSTED, 499 CANCELLED, 501
// UNIMPLEMENTED, 503 UNAVAILABLE, 504 DEADLINE_EXCEEDED, 500 otherwise.
int HttpStatusOf(absl::StatusCode code);

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_HTTP_HTTP_STATUS_H_
