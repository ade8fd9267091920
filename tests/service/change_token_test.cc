// The change feed's resume token: what EncodeChangeToken writes reads back,
// its bytes are the documented format, and anything else is refused naming
// the caller's field, never echoing the token.
#include "service/change_token.h"

#include <cstdint>
#include <string>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapping/status_field.h"
#include "tests/testing/status_matchers.h"

namespace ethrec::service {
namespace {

using ::ethrec::testing::IsOkAndHolds;
using ::ethrec::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(ChangeTokenTest, RoundTrips) {
  for (int64_t p : {int64_t{0}, int64_t{1}, int64_t{255}, int64_t{256}, int64_t{1} << 40, INT64_MAX}) {
    EXPECT_THAT(DecodeChangeToken(EncodeChangeToken(p), "since_token"), IsOkAndHolds(p)) << p;
  }
}

TEST(ChangeTokenTest, IsBase64urlOfAVersionByteAndTheBigEndianPosition) {
  std::string raw;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(EncodeChangeToken(0x0102030405060708), &raw));
  EXPECT_EQ(raw, std::string("\x01\x01\x02\x03\x04\x05\x06\x07\x08", 9));
  // base64url without padding: 9 bytes are 12 characters, no '=', '+' or '/'.
  const std::string token = EncodeChangeToken(INT64_MAX);
  EXPECT_EQ(token.size(), 12u);
  EXPECT_EQ(token.find_first_of("=+/"), std::string::npos) << token;
}

TEST(ChangeTokenTest, RefusesWhatItDidNotWriteNamingTheField) {
  const struct {
    std::string token;
    const char* why;
  } cases[] = {
      {"%%", "not base64url"},
      {"", "0 bytes, not 9"},
      {absl::WebSafeBase64Escape(std::string("\x01\x00\x00\x00\x00\x00\x00\x00", 8)), "8 bytes, not 9"},
      {absl::WebSafeBase64Escape(std::string("\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00", 10)), "10 bytes, not 9"},
      {"AAAAAAAAAAAB", "version 0"},
      {absl::WebSafeBase64Escape(std::string("\x02\x00\x00\x00\x00\x00\x00\x00\x01", 9)), "version 2"},
      {absl::WebSafeBase64Escape(std::string("\x01\x80\x00\x00\x00\x00\x00\x00\x01", 9)), "negative position"},
  };
  for (const auto& c : cases) {
    for (const char* field : {"since_token", "watch_token"}) {
      const absl::Status status = DecodeChangeToken(c.token, field).status();
      EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument, AllOf(HasSubstr(c.why), HasSubstr(field))))
          << c.token;
      EXPECT_EQ(FieldOf(status), field) << c.token;
      if (c.token.size() > 2) EXPECT_THAT(std::string(status.message()), Not(HasSubstr(c.token)));
    }
  }
}

}  // namespace
}  // namespace ethrec::service
