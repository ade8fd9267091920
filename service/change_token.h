// The change feed's resume token (proto/ethrec/v1/changes_service.proto):
// opaque to clients, it names a position of the store's change log
// (service/store.h ChangeEntry). Format: base64url without padding of a
// version byte (1) and the position as 8 bytes, big-endian.
//
// Example:
//   std::string token = EncodeChangeToken(42);
//   absl::StatusOr<int64_t> position = DecodeChangeToken(token, "since_token");  // 42
#ifndef ETHREC_SERVICE_CHANGE_TOKEN_H_
#define ETHREC_SERVICE_CHANGE_TOKEN_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ethrec::service {

// The token of `position` (>= 0).
std::string EncodeChangeToken(int64_t position);

// The position `token` names. InvalidArgument with field `field` when it is
// not base64url, has the wrong length, an unknown version or a negative
// position; the message never echoes more than the token's length.
absl::StatusOr<int64_t> DecodeChangeToken(absl::string_view token, absl::string_view field);

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_CHANGE_TOKEN_H_
