// NormalizeBatch's request, read from the raw bytes gRPC hands the handler:
// whatever the slices, the same message; bytes that are not one are
// InvalidArgument, naming a string field that is not UTF-8.
#include "service/internal/normalize_batch_request.h"

#include <string>
#include <vector>

#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/slice.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapping/status_field.h"
#include "service/parse_errors.h"
#include "tests/testing/status_matchers.h"

namespace ethrec::service_internal {
namespace {

using ::ethrec::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

// `bytes` in slices of `piece` bytes.
grpc::ByteBuffer InSlices(const std::string& bytes, size_t piece) {
  std::vector<grpc::Slice> slices;
  for (size_t at = 0; at < bytes.size(); at += piece) slices.emplace_back(bytes.substr(at, piece));
  return grpc::ByteBuffer(slices.data(), slices.size());
}

v1::NormalizeBatchRequest TwoItems() {
  v1::NormalizeBatchRequest request;
  v1::NormalizeBatchItem* a = request.add_items();
  a->set_id("a");
  a->mutable_request()->set_system("dfe");
  a->mutable_request()->set_code("BSOM");
  v1::NormalizeBatchItem* b = request.add_items();
  b->set_id("b");
  b->mutable_request()->set_text("Bangladeshi \xE2\x80\x93 Sylheti");
  request.set_view(v1::BASIC);
  return request;
}

TEST(NormalizeBatchRequestTest, ReadsTheSameFromAnySlices) {
  const v1::NormalizeBatchRequest request = TwoItems();
  const std::string bytes = request.SerializeAsString();
  for (size_t piece : {size_t{1}, size_t{3}, size_t{7}, bytes.size()}) {
    absl::StatusOr<v1::NormalizeBatchRequest> parsed = ParseNormalizeBatchRequest(InSlices(bytes, piece));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*parsed, request)) << piece;
  }
}

TEST(NormalizeBatchRequestTest, NoBytesAreAnEmptyBatch) {
  absl::StatusOr<v1::NormalizeBatchRequest> parsed = ParseNormalizeBatchRequest(InSlices("", 1));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->items_size(), 0);
}

TEST(NormalizeBatchRequestTest, MalformedBytesAreInvalidArgument) {
  const std::string bytes = TwoItems().SerializeAsString();
  service::TakeInvalidUtf8Field();
  EXPECT_THAT(ParseNormalizeBatchRequest(InSlices(bytes.substr(0, bytes.size() - 3), 4)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("NormalizeBatch could not be read")));
}

TEST(NormalizeBatchRequestTest, TextThatIsNotUtf8IsNamedNotEchoed) {
  service::InstallParseErrorLogHandler();
  v1::NormalizeBatchRequest request = TwoItems();
  request.mutable_items(1)->mutable_request()->set_text("Somal\xff");
  const absl::Status status = ParseNormalizeBatchRequest(InSlices(request.SerializeAsString(), 5)).status();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ethrec.v1.NormalizeRequest.text")));
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument, Not(HasSubstr("Somal"))));
  EXPECT_EQ(FieldOf(status), "text");
}

}  // namespace
}  // namespace ethrec::service_internal
