// The opaque page tokens of FindingsService (service/findings_service.cc):
// what a token carries, and reading one back. Internal to the service
// library; split out so that the decoders, which read bytes straight from a
// caller, can be tested and fuzzed without a server (tests/fuzz).
//
// A ListFindings token is web-safe base64 of "f1:<after_id>:<fingerprint>",
// where the fingerprint is of the filters that selected the page; a
// ListChildReconciliations token is web-safe base64 of "c1:<after_child_id>".
#ifndef ETHREC_SERVICE_INTERNAL_PAGE_TOKEN_H_
#define ETHREC_SERVICE_INTERNAL_PAGE_TOKEN_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ethrec::service_internal {

// The token for the ListFindings page after finding `after_id` (>= 0), for
// filters with `fingerprint`.
std::string EncodePageToken(int64_t after_id, uint64_t fingerprint);

// The finding id a ListFindings token carries (>= 0). InvalidArgument naming
// the field "page_token" when `token` is not one of ours, or was issued for
// filters with another fingerprint. Never echoes the token.
absl::StatusOr<int64_t> DecodePageToken(absl::string_view token, uint64_t fingerprint);

// The token for the ListChildReconciliations page after child
// `after_child_id` (>= 0).
std::string EncodeChildToken(int64_t after_child_id);

// The child id a ListChildReconciliations token carries (>= 0).
// InvalidArgument naming the field "page_token" when `token` is not one.
absl::StatusOr<int64_t> DecodeChildToken(absl::string_view token);

}  // namespace ethrec::service_internal

#endif  // ETHREC_SERVICE_INTERNAL_PAGE_TOKEN_H_
