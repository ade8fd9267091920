// HttpStatusOf: every canonical code to the HTTP status google.api's
// mapping gives it, one row per code.
#include "service/http/http_status.h"

#include "gtest/gtest.h"

namespace ethrec::service {
namespace {

TEST(HttpStatusOfTest, MapsEveryCanonicalCode) {
  const struct {
    absl::StatusCode code;
    int http;
  } cases[] = {
      {absl::StatusCode::kOk, 200},
      {absl::StatusCode::kCancelled, 499},
      {absl::StatusCode::kUnknown, 500},
      {absl::StatusCode::kInvalidArgument, 400},
      {absl::StatusCode::kDeadlineExceeded, 504},
      {absl::StatusCode::kNotFound, 404},
      {absl::StatusCode::kAlreadyExists, 409},
      {absl::StatusCode::kPermissionDenied, 403},
      {absl::StatusCode::kResourceExhausted, 429},
      {absl::StatusCode::kFailedPrecondition, 400},
      {absl::StatusCode::kAborted, 409},
      {absl::StatusCode::kOutOfRange, 400},
      {absl::StatusCode::kUnimplemented, 501},
      {absl::StatusCode::kInternal, 500},
      {absl::StatusCode::kUnavailable, 503},
      {absl::StatusCode::kDataLoss, 500},
      {absl::StatusCode::kUnauthenticated, 401},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(HttpStatusOf(c.code), c.http) << absl::StatusCodeToString(c.code);
  }
}

TEST(HttpStatusOfTest, ACodeOutsideTheCanonicalOnesIs500) {
  EXPECT_EQ(HttpStatusOf(static_cast<absl::StatusCode>(42)), 500);
}

}  // namespace
}  // namespace ethrec::service
