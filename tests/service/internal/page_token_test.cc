// FindingsService's page tokens: what the service issues reads back, and
// anything else a caller sends is refused naming page_token, never echoed.
#include "service/internal/page_token.h"

#include <cstdint>
#include <string>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapping/status_field.h"
#include "tests/testing/status_matchers.h"

namespace ethrec::service_internal {
namespace {

using ::ethrec::testing::IsOkAndHolds;
using ::ethrec::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr uint64_t kFingerprint = 1469598103934665603ull;

TEST(PageTokenTest, FindingsTokensReadBack) {
  for (int64_t id : {int64_t{0}, int64_t{1}, int64_t{100}, INT64_MAX}) {
    EXPECT_THAT(DecodePageToken(EncodePageToken(id, kFingerprint), kFingerprint), IsOkAndHolds(id));
  }
}

TEST(PageTokenTest, FindingsTokenForOtherFiltersIsRefused) {
  const absl::Status status = DecodePageToken(EncodePageToken(7, kFingerprint), kFingerprint + 1).status();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("other filters")));
  EXPECT_EQ(FieldOf(status), "page_token");
}

TEST(PageTokenTest, ChildTokensReadBack) {
  for (int64_t id : {int64_t{0}, int64_t{42}, INT64_MAX}) {
    EXPECT_THAT(DecodeChildToken(EncodeChildToken(id)), IsOkAndHolds(id));
  }
}

TEST(PageTokenTest, TokensOfTheOtherListAreRefused) {
  EXPECT_THAT(DecodeChildToken(EncodePageToken(7, kFingerprint)), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  EXPECT_THAT(DecodePageToken(EncodeChildToken(7), kFingerprint), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
}

TEST(PageTokenTest, MalformedTokensAreRefusedWithoutEcho) {
  const std::string cases[] = {
      "not-a-token",
      "",
      absl::WebSafeBase64Escape("f1:-1:1469598103934665603"),
      absl::WebSafeBase64Escape("f1:1:1469598103934665603:9"),
      absl::WebSafeBase64Escape("f1:1:18446744073709551616"),
      absl::WebSafeBase64Escape("f2:1:1469598103934665603"),
      absl::WebSafeBase64Escape("c1:-5"),
      absl::WebSafeBase64Escape("c1:"),
  };
  for (const std::string& token : cases) {
    for (const absl::Status& status :
         {DecodePageToken(token, kFingerprint).status(), DecodeChildToken(token).status()}) {
      EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument, Not(HasSubstr(token.empty() ? "\x01" : token))))
          << token;
      EXPECT_EQ(FieldOf(status), "page_token") << token;
    }
  }
}

}  // namespace
}  // namespace ethrec::service_internal
