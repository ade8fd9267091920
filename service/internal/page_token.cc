#include "service/internal/page_token.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "mapping/status_field.h"

namespace ethrec::service_internal {
namespace {

absl::Status BadToken(absl::string_view why) {
  return WithField(absl::InvalidArgumentError(absl::StrCat("page_token ", why)), "page_token");
}

}  // namespace

std::string EncodePageToken(int64_t after_id, uint64_t fingerprint) {
  return absl::WebSafeBase64Escape(absl::StrCat("f1:", after_id, ":", fingerprint));
}

absl::StatusOr<int64_t> DecodePageToken(absl::string_view token, uint64_t fingerprint) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return BadToken("is not a page token from this service");
  std::vector<absl::string_view> parts = absl::StrSplit(raw, ':');
  int64_t after_id = 0;
  uint64_t fp = 0;
  if (parts.size() != 3 || parts[0] != "f1" || !absl::SimpleAtoi(parts[1], &after_id) ||
      !absl::SimpleAtoi(parts[2], &fp) || after_id < 0) {
    return BadToken("is not a page token from this service");
  }
  if (fp != fingerprint) {
    return BadToken("was issued for other filters: repeat the first request's filters, or start again without a token");
  }
  return after_id;
}

std::string EncodeChildToken(int64_t after_child_id) {
  return absl::WebSafeBase64Escape(absl::StrCat("c1:", after_child_id));
}

absl::StatusOr<int64_t> DecodeChildToken(absl::string_view token) {
  std::string raw;
  int64_t after = 0;
  if (!absl::WebSafeBase64Unescape(token, &raw) || !absl::StartsWith(raw, "c1:") ||
      !absl::SimpleAtoi(absl::string_view(raw).substr(3), &after) || after < 0) {
    return BadToken("is not a page token of ListChildReconciliations");
  }
  return after;
}

}  // namespace ethrec::service_internal
