// EchoReply, and DiagnosticsServiceImpl on an in-process gRPC server (no
// port, no ethrecd): the adapter every RPC shares (serve_call.h) refuses a
// call without identity, through ToGrpcStatus.
#include "service/diagnostics_service.h"

#include <memory>

#include <grpcpp/grpcpp.h>

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "tests/service/grpc_test_util.h"

namespace ethrec::service {
namespace {

using ::testing::HasSubstr;

TEST(EchoReplyTest, AnswersWithTheMessage) {
  v1::EchoRequest request;
  request.set_message("hello");
  EXPECT_EQ(EchoReply(request).message(), "hello");
}

class DiagnosticsServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = v1::DiagnosticsService::NewStub(server_->InProcessChannel(grpc::ChannelArguments()));
  }
  void TearDown() override { server_->Shutdown(); }

  const CallGate gate_{IdentityOptions{}};
  DiagnosticsServiceImpl service_{gate_};
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::DiagnosticsService::Stub> stub_;
};

TEST_F(DiagnosticsServiceTest, EchoesForAnIdentifiedCaller) {
  v1::EchoRequest request;
  request.set_message("ping");
  v1::EchoResponse response;
  const grpc::Status status = stub_->Echo(::ethrec::testing::CallerContext().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.message(), "ping");
}

TEST_F(DiagnosticsServiceTest, ACallWithoutIdentityIsUnauthenticatedWithDetails) {
  grpc::ClientContext context;
  v1::EchoResponse response;
  const grpc::Status status = stub_->Echo(&context, v1::EchoRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(status.error_message(), HasSubstr("x-ethrec-agency"));
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(status.error_details()));
  google::rpc::ErrorInfo info;
  ASSERT_EQ(details.details_size(), 1);
  ASSERT_TRUE(details.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "UNAUTHENTICATED");
}

}  // namespace
}  // namespace ethrec::service
