// Reading the request of NormalizeBatch, which TaxonomyServiceImpl serves
// as a raw callback method: gRPC hands the handler the request's bytes, and
// the handler parses them itself (service/taxonomy_service.cc). Internal to
// the service library; split out so that the parsing of bytes straight from
// a caller can be tested and fuzzed without a server (tests/fuzz).
#ifndef ETHREC_SERVICE_INTERNAL_NORMALIZE_BATCH_REQUEST_H_
#define ETHREC_SERVICE_INTERNAL_NORMALIZE_BATCH_REQUEST_H_

#include <grpcpp/support/byte_buffer.h>

#include "absl/status/statusor.h"
#include "ethrec/v1/taxonomy_service.pb.h"

namespace ethrec::service_internal {

// Parses `request`, the bytes of a NormalizeBatch call, straight from its
// slices (not copied). InvalidArgument when the bytes are not a
// NormalizeBatchRequest, naming the field when a string is not valid UTF-8
// (see service/parse_errors.h: that needs InstallParseErrorLogHandler());
// Internal when gRPC cannot give the buffer's slices. Never echoes the bytes.
absl::StatusOr<v1::NormalizeBatchRequest> ParseNormalizeBatchRequest(const grpc::ByteBuffer& request);

}  // namespace ethrec::service_internal

#endif  // ETHREC_SERVICE_INTERNAL_NORMALIZE_BATCH_REQUEST_H_
