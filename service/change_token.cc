#include "service/change_token.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "mapping/status_field.h"

namespace ethrec::service {
namespace {

constexpr unsigned char kVersion = 1;
constexpr size_t kBytes = 9;

absl::Status BadToken(absl::string_view field, absl::string_view why) {
  return WithField(absl::InvalidArgumentError(absl::StrCat(
                       field, " is not a change token (", why,
                       "): pass a token exactly as a ChangeEvent or ListChanges gave it")),
                   field);
}

}  // namespace

std::string EncodeChangeToken(int64_t position) {
  std::string raw(kBytes, '\0');
  raw[0] = static_cast<char>(kVersion);
  const uint64_t p = static_cast<uint64_t>(position);
  for (int i = 0; i < 8; ++i) raw[1 + i] = static_cast<char>((p >> (56 - 8 * i)) & 0xff);
  return absl::WebSafeBase64Escape(raw);
}

absl::StatusOr<int64_t> DecodeChangeToken(absl::string_view token, absl::string_view field) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return BadToken(field, "not base64url");
  if (raw.size() != kBytes) return BadToken(field, absl::StrCat(raw.size(), " bytes, not ", kBytes));
  if (static_cast<unsigned char>(raw[0]) != kVersion) {
    return BadToken(field, absl::StrCat("version ", static_cast<int>(static_cast<unsigned char>(raw[0])),
                                        ", this server writes version ", kVersion));
  }
  uint64_t p = 0;
  for (int i = 0; i < 8; ++i) p = (p << 8) | static_cast<unsigned char>(raw[1 + i]);
  if (static_cast<int64_t>(p) < 0) return BadToken(field, "negative position");
  return static_cast<int64_t>(p);
}

}  // namespace ethrec::service
