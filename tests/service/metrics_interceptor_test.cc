// The gRPC metrics interceptor on an in-process server (HealthServiceImpl
// as the service called): every call is counted once under transport
// "grpc", its full method and its status code, with the time from its start
// to its status.
#include "service/metrics_interceptor.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/health_service.h"

namespace ethrec::service {
namespace {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kCheck[] = "/grpc.health.v1.Health/Check";
constexpr char kWatch[] = "/grpc.health.v1.Health/Watch";

class MetricsInterceptorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.RegisterService(&health_);
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
    creators.push_back(NewMetricsInterceptorFactory(&metrics_));
    builder.experimental().SetInterceptorCreators(std::move(creators));
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = grpc::health::v1::Health::NewStub(server_->InProcessChannel(grpc::ChannelArguments()));
  }
  void TearDown() override { server_->Shutdown(); }

  grpc::Status Check(const std::string& service) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    HealthCheckRequest request;
    request.set_service(service);
    HealthCheckResponse response;
    return stub_->Check(&context, request, &response);
  }

  static std::string Calls(const char* method, const char* code, int count) {
    return absl::StrCat("ethrec_calls_total{transport=\"grpc\",method=\"", method, "\",code=\"", code, "\"} ", count,
                        "\n");
  }

  Metrics metrics_{"test"};
  HealthServiceImpl health_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<grpc::health::v1::Health::Stub> stub_;
};

TEST_F(MetricsInterceptorTest, CountsEachCallByMethodAndCode) {
  EXPECT_THAT(metrics_.Render(), Not(HasSubstr(kCheck)));
  ASSERT_TRUE(Check("").ok());
  ASSERT_TRUE(Check("").ok());
  ASSERT_EQ(Check("ethrec.v1.NoSuchService").error_code(), grpc::StatusCode::NOT_FOUND);
  const std::string text = metrics_.Render();
  EXPECT_THAT(text, HasSubstr(Calls(kCheck, "OK", 2)));
  EXPECT_THAT(text, HasSubstr(Calls(kCheck, "NOT_FOUND", 1)));
  EXPECT_THAT(text, HasSubstr(absl::StrCat("ethrec_call_duration_seconds_count{transport=\"grpc\",method=\"", kCheck,
                                           "\"} 3\n")));
}

TEST_F(MetricsInterceptorTest, TimesACallFromItsStartToItsStatus) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  std::unique_ptr<grpc::ClientReader<HealthCheckResponse>> reader = stub_->Watch(&context, HealthCheckRequest());
  HealthCheckResponse response;
  ASSERT_TRUE(reader->Read(&response));
  // The watch runs until the drain: at least 60 ms.
  absl::SleepFor(absl::Milliseconds(60));
  health_.Drain();
  while (reader->Read(&response)) {
  }
  ASSERT_TRUE(reader->Finish().ok());
  const std::string text = metrics_.Render();
  const std::string labels = absl::StrCat("transport=\"grpc\",method=\"", kWatch, "\"");
  EXPECT_THAT(text, HasSubstr(Calls(kWatch, "OK", 1)));
  EXPECT_THAT(text, HasSubstr(absl::StrCat("ethrec_call_duration_seconds_bucket{", labels, ",le=\"0.05\"} 0\n")));
  EXPECT_THAT(text, HasSubstr(absl::StrCat("ethrec_call_duration_seconds_count{", labels, "} 1\n")));
}

}  // namespace
}  // namespace ethrec::service
