// libFuzzer target: NormalizeBatch's raw request handling, in process.
// TaxonomyServiceImpl serves NormalizeBatch as a raw asynchronous method: the
// handler parses the request's bytes itself
// (service/internal/normalize_batch_request.h) and TaxonomyApi writes the
// response's bytes by hand. The input is the request's bytes, handed over
// in several slices as gRPC may. Bytes that parse must parse the same as
// one flat buffer; bytes that do not are InvalidArgument. A parsed batch's
// hand-written response must parse as a NormalizeBatchResponse with one
// result per item, in order, each with its item's id.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/slice.h>

#include "absl/status/status.h"
#include "ethrec/v1/taxonomy_service.pb.h"
#include "mapping/normalizer.h"
#include "service/internal/normalize_batch_request.h"
#include "service/parse_errors.h"
#include "service/taxonomy_service.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using ::ethrec::v1::NormalizeBatchRequest;
using ::ethrec::v1::NormalizeBatchResponse;

// The api over the built-in code lists, as ethrecd serves it by default.
const ethrec::service::TaxonomyApi& Api() {
  static const ethrec::service::TaxonomyApi* const api = [] {
    absl::StatusOr<std::unique_ptr<ethrec::Normalizer>> n = ethrec::Normalizer::Create(ethrec::LoadOptions());
    ETHREC_FUZZ_CHECK(n.ok());
    ethrec::service::TaxonomyApi::Options options;
    options.normalizer = n->release();
    return new ethrec::service::TaxonomyApi(options);
  }();
  return *api;
}

// `data` in slices of 1 + size % 13 bytes: how the bytes are cut must not
// change what they say.
grpc::ByteBuffer InSlices(const uint8_t* data, size_t size) {
  const size_t piece = 1 + size % 13;
  std::vector<grpc::Slice> slices;
  for (size_t at = 0; at < size; at += piece) slices.emplace_back(data + at, std::min(piece, size - at));
  return grpc::ByteBuffer(slices.data(), slices.size());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Protobuf logs every string that is not UTF-8; the fuzzer would print
  // little else. The handler the service installs still notes the field.
  google::protobuf::SetLogHandler(nullptr);
  ethrec::service::InstallParseErrorLogHandler();
  Api();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::StatusOr<NormalizeBatchRequest> parsed =
      ethrec::service_internal::ParseNormalizeBatchRequest(InSlices(data, size));
  NormalizeBatchRequest flat;
  const bool flat_ok = flat.ParseFromArray(data, static_cast<int>(size));
  ETHREC_FUZZ_CHECK(parsed.ok() == flat_ok);
  ethrec::service::TakeInvalidUtf8Field();  // the flat parse's, if any
  if (!parsed.ok()) {
    ETHREC_FUZZ_CHECK(parsed.status().code() == absl::StatusCode::kInvalidArgument);
    return 0;
  }
  ETHREC_FUZZ_CHECK(google::protobuf::util::MessageDifferencer::Equals(*parsed, flat));

  absl::StatusOr<std::string> bytes = Api().NormalizeBatch(*parsed);
  if (!bytes.ok()) {
    ETHREC_FUZZ_CHECK(bytes.status().code() == absl::StatusCode::kResourceExhausted);
    ETHREC_FUZZ_CHECK(parsed->items_size() > 1000);
    return 0;
  }
  NormalizeBatchResponse response;
  ETHREC_FUZZ_CHECK(response.ParseFromString(*bytes));
  ETHREC_FUZZ_CHECK(response.results_size() == parsed->items_size());
  for (int i = 0; i < response.results_size(); ++i) {
    ETHREC_FUZZ_CHECK(response.results(i).id() == parsed->items(i).id());
    ETHREC_FUZZ_CHECK(response.results(i).has_value() || response.results(i).has_error());
  }
  return 0;
}
