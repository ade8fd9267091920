#include "service/internal/normalize_batch_request.h"

#include <grpcpp/support/proto_buffer_reader.h>

#include "absl/status/status.h"
#include "service/parse_errors.h"

namespace ethrec::service_internal {

absl::StatusOr<v1::NormalizeBatchRequest> ParseNormalizeBatchRequest(const grpc::ByteBuffer& request) {
  v1::NormalizeBatchRequest parsed;
  // The copy of the buffer shares its slices; the reader needs a mutable one.
  grpc::ByteBuffer shared(request);
  grpc::ProtoBufferReader reader(&shared);
  if (!reader.status().ok()) return absl::InternalError("could not read the NormalizeBatch request");
  if (!parsed.ParseFromZeroCopyStream(&reader)) {
    return service::UnparsableRequestError("/ethrec.v1.TaxonomyService/NormalizeBatch");
  }
  return parsed;
}

}  // namespace ethrec::service_internal
