// RunServer in process, over the built-in Normalizer and a MemoryStore: it
// refuses bad TLS options, a busy address and a store whose start-up purge
// fails; it serves the gRPC and health ports until SIGTERM, then drains and
// returns OK. Synthetic data only.
#include "service/server.h"

#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/memory_store.h"
#include "service/health_service.h"
#include "tests/testing/builtin_data.h"
#include "tests/testing/status_matchers.h"

namespace ethrec::service {
namespace {

using ::ethrec::testing::StatusIs;
using ::testing::HasSubstr;

// RunServer waits for SIGTERM with sigwait: every thread must block it,
// and gRPC starts threads of its own, so block it before any test runs.
const bool kStopSignalsBlocked = (BlockStopSignals(), true);

ServerOptions Options(Store* store) {
  return ServerOptions{.listen_address = "127.0.0.1:0",
                       .normalizer = &::ethrec::testing::BuiltinNormalizer(),
                       .store = store,
                       .health_listen_address = "127.0.0.1:0",
                       .version = "test"};
}

// The health status of `address` (grpc.health.v1, service "").
grpc::health::v1::HealthCheckResponse::ServingStatus Health(const std::string& address) {
  auto stub = grpc::health::v1::Health::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, grpc::health::v1::HealthCheckRequest(), &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response.status();
}

TEST(RunServerTest, ServesUntilSigtermThenReturnsOk) {
  ASSERT_TRUE(kStopSignalsBlocked);
  MemoryStore store;
  ServerOptions options = Options(&store);
  std::string address, health_address;
  absl::Notification listening;
  options.on_health_listening = [&](const std::string& bound) { health_address = bound; };
  options.on_listening = [&](const std::string& bound) {
    address = bound;
    listening.Notify();
  };
  absl::Status result = absl::UnknownError("still running");
  std::thread server([&] { result = RunServer(options); });
  ASSERT_TRUE(listening.WaitForNotificationWithTimeout(absl::Seconds(30)));
  EXPECT_THAT(address, HasSubstr("127.0.0.1:"));
  EXPECT_NE(address, "127.0.0.1:0");
  EXPECT_EQ(Health(address), grpc::health::v1::HealthCheckResponse::SERVING);
  EXPECT_EQ(Health(health_address), grpc::health::v1::HealthCheckResponse::SERVING);
  kill(getpid(), SIGTERM);
  server.join();
  EXPECT_TRUE(result.ok()) << result;
}

TEST(RunServerTest, TlsOptionsThatFailTheirCheckAreInvalidArgument) {
  MemoryStore store;
  ServerOptions options = Options(&store);
  options.tls.cert_file = "/nonexistent/server.pem";
  EXPECT_THAT(RunServer(options), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--tls")));
}

TEST(RunServerTest, AFailedStartUpPurgeIsReturned) {
  // A retention the store's purge refuses.
  MemoryStore store(StoreOptions{.audit_retention = absl::ZeroDuration()});
  EXPECT_THAT(RunServer(Options(&store)), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("retention")));
}

TEST(RunServerTest, AnAddressInUseIsUnavailable) {
  // A plain listening socket (no SO_REUSEPORT) holds the port.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const std::string busy = absl::StrCat("127.0.0.1:", ntohs(address.sin_port));
  MemoryStore store;
  ServerOptions options = Options(&store);
  options.listen_address = busy;
  EXPECT_THAT(RunServer(options), StatusIs(absl::StatusCode::kUnavailable, HasSubstr(busy)));
  options.listen_address = "127.0.0.1:0";
  options.health_listen_address = busy;
  EXPECT_THAT(RunServer(options), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("--health_listen")));
  close(fd);
}

}  // namespace
}  // namespace ethrec::service
