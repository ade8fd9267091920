// ToGrpcStatus: the same code and message, with google.rpc details carrying
// an ErrorInfo and, for a status naming a field, a BadRequest.
#include "service/grpc_status.h"

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "mapping/status_field.h"

namespace ethrec::service {
namespace {

using ::testing::ElementsAre;

google::rpc::Status Details(const grpc::Status& status) {
  google::rpc::Status details;
  EXPECT_TRUE(details.ParseFromString(status.error_details()));
  return details;
}

TEST(ToGrpcStatusTest, OkIsOk) {
  const grpc::Status s = ToGrpcStatus(absl::OkStatus());
  EXPECT_TRUE(s.ok());
  EXPECT_TRUE(s.error_details().empty());
}

TEST(ToGrpcStatusTest, KeepsCodeAndMessageAndAddsErrorInfo) {
  const grpc::Status s = ToGrpcStatus(absl::NotFoundError("unknown code system \"x\""));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), "unknown code system \"x\"");
  const google::rpc::Status details = Details(s);
  EXPECT_EQ(details.code(), static_cast<int>(absl::StatusCode::kNotFound));
  EXPECT_EQ(details.message(), "unknown code system \"x\"");
  ASSERT_EQ(details.details_size(), 1) << "no BadRequest without a field";
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(details.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "NOT_FOUND");
  EXPECT_EQ(info.domain(), "ethrec");
}

TEST(ToGrpcStatusTest, EveryCanonicalCodeMapsToTheSameGrpcCode) {
  for (int code = 1; code <= 16; ++code) {
    const grpc::Status s = ToGrpcStatus(absl::Status(static_cast<absl::StatusCode>(code), "m"));
    EXPECT_EQ(static_cast<int>(s.error_code()), code);
  }
}

TEST(ToGrpcStatusTest, AFieldBecomesAFieldViolation) {
  const grpc::Status s =
      ToGrpcStatus(WithField(absl::InvalidArgumentError("observations[3]: bad code"), "observations[3].code"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const google::rpc::Status details = Details(s);
  ASSERT_EQ(details.details_size(), 2);
  google::rpc::BadRequest bad;
  ASSERT_TRUE(details.details(1).UnpackTo(&bad));
  ASSERT_EQ(bad.field_violations_size(), 1);
  EXPECT_EQ(bad.field_violations(0).field(), "observations[3].code");
  EXPECT_EQ(bad.field_violations(0).description(), "observations[3]: bad code");
}

}  // namespace
}  // namespace ethrec::service
