// Requests protobuf cannot parse: the invalid-UTF-8 field noted from
// protobuf's log, the error naming it, and the interceptor that turns gRPC's
// bare INTERNAL into that error (on an in-process server).
#include "service/parse_errors.h"

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "ethrec/v1/diagnostics_service.grpc.pb.h"
#include "ethrec/v1/taxonomy_service.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapping/status_field.h"
#include "tests/service/grpc_test_util.h"
#include "tests/testing/status_matchers.h"

namespace ethrec::service {
namespace {

using ::ethrec::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

// Bytes of a NormalizeRequest whose text is not UTF-8.
std::string BadUtf8Request() {
  v1::NormalizeRequest r;
  r.set_text(std::string("Somal\xff", 6));
  return r.SerializeAsString();  // serialising only logs; parsing refuses
}

TEST(ParseErrorsTest, TheRefusedFieldIsNotedOnceAndNamed) {
  InstallParseErrorLogHandler();
  InstallParseErrorLogHandler();  // a second call does nothing
  v1::NormalizeRequest parsed;
  TakeInvalidUtf8Field();
  EXPECT_FALSE(parsed.ParseFromString(BadUtf8Request()));
  const absl::Status status = UnparsableRequestError("/ethrec.v1.TaxonomyService/Normalize");
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               "the request to /ethrec.v1.TaxonomyService/Normalize could not be read: field "
                               "ethrec.v1.NormalizeRequest.text is not valid UTF-8 (text must be UTF-8)"));
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument, Not(HasSubstr("Somal"))));
  EXPECT_EQ(FieldOf(status), "text");
  EXPECT_EQ(TakeInvalidUtf8Field(), "") << "taken by UnparsableRequestError";
}

TEST(ParseErrorsTest, WithoutANotedFieldTheErrorNamesNoField) {
  TakeInvalidUtf8Field();
  const absl::Status status = UnparsableRequestError("/m");
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("could not be read")));
  EXPECT_EQ(FieldOf(status), "");
}

// Answers Echo with the status named by the request's message.
class StatusEcho final : public v1::DiagnosticsService::Service {
 public:
  grpc::Status Echo(grpc::ServerContext*, const v1::EchoRequest* request, v1::EchoResponse*) override {
    if (request->message() == "bare") return grpc::Status(grpc::StatusCode::INTERNAL, "");
    return grpc::Status(grpc::StatusCode::INTERNAL, "disk on fire");
  }
};

TEST(ParseErrorInterceptorTest, RewritesOnlyABareInternal) {
  StatusEcho service;
  grpc::ServerBuilder builder;
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(NewParseErrorInterceptorFactory());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  auto stub = v1::DiagnosticsService::NewStub(server->InProcessChannel(grpc::ChannelArguments()));

  v1::EchoRequest request;
  v1::EchoResponse response;
  request.set_message("bare");
  grpc::Status status = stub->Echo(::ethrec::testing::CallerContext().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(),
              HasSubstr("the request to /ethrec.v1.DiagnosticsService/Echo could not be read"));

  request.set_message("real");
  status = stub->Echo(::ethrec::testing::CallerContext().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(status.error_message(), "disk on fire");
  server->Shutdown();
}

}  // namespace
}  // namespace ethrec::service
