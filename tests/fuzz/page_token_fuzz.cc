// libFuzzer target: the page tokens of FindingsService
// (service/internal/page_token.h), which a caller sends back as opaque bytes
// in ListFindingsRequest.page_token and ListChildReconciliationsRequest.
// page_token. A token is either refused with InvalidArgument naming
// "page_token", or read as an id >= 0 that the service's own token for that
// id reads back as the same. The first 16 bytes, read as an id and a
// fingerprint, must also survive encoding and decoding.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "mapping/status_field.h"
#include "service/internal/page_token.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using ::ethrec::service_internal::DecodeChildToken;
using ::ethrec::service_internal::DecodePageToken;
using ::ethrec::service_internal::EncodeChildToken;
using ::ethrec::service_internal::EncodePageToken;

// The fingerprint the seed corpus's ListFindings tokens were made for.
constexpr uint64_t kFingerprint = 1469598103934665603ull;

void CheckRefusal(const absl::Status& status) {
  ETHREC_FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  ETHREC_FUZZ_CHECK(ethrec::FieldOf(status) == "page_token");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view token(reinterpret_cast<const char*>(data), size);

  absl::StatusOr<int64_t> after = DecodePageToken(token, kFingerprint);
  if (after.ok()) {
    ETHREC_FUZZ_CHECK(*after >= 0);
    absl::StatusOr<int64_t> again = DecodePageToken(EncodePageToken(*after, kFingerprint), kFingerprint);
    ETHREC_FUZZ_CHECK(again.ok() && *again == *after);
    // The same token for other filters is refused.
    CheckRefusal(DecodePageToken(token, kFingerprint + 1).status());
  } else {
    CheckRefusal(after.status());
  }

  absl::StatusOr<int64_t> child = DecodeChildToken(token);
  if (child.ok()) {
    ETHREC_FUZZ_CHECK(*child >= 0);
    absl::StatusOr<int64_t> again = DecodeChildToken(EncodeChildToken(*child));
    ETHREC_FUZZ_CHECK(again.ok() && *again == *child);
  } else {
    CheckRefusal(child.status());
  }

  if (size >= 16) {
    int64_t id;
    uint64_t fingerprint;
    std::memcpy(&id, data, sizeof(id));
    std::memcpy(&fingerprint, data + 8, sizeof(fingerprint));
    absl::StatusOr<int64_t> decoded = DecodePageToken(EncodePageToken(id, fingerprint), fingerprint);
    ETHREC_FUZZ_CHECK(decoded.ok() == (id >= 0));
    if (decoded.ok()) ETHREC_FUZZ_CHECK(*decoded == id);
    absl::StatusOr<int64_t> decoded_child = DecodeChildToken(EncodeChildToken(id));
    ETHREC_FUZZ_CHECK(decoded_child.ok() == (id >= 0));
    if (decoded_child.ok()) ETHREC_FUZZ_CHECK(*decoded_child == id);
  }
  return 0;
}
