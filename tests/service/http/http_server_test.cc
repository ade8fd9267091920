// HttpServer on 127.0.0.1 (a free port), serving HttpApi over the built-in
// Normalizer and a MemoryStore, called with raw HTTP/1.1 over a socket: the
// request reaches HttpApi with its path, query and caller headers; other
// methods are 405; the body, header and chunked-body limits answer before
// any handler; bad or busy addresses are refused. Synthetic data only.
#include "service/http/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/service/api_fixtures.h"

namespace ethrec::service {
namespace {

using ::ethrec::testing::StatusIs;
using ::testing::HasSubstr;

struct Answer {
  int status = 0;  // 0: no answer
  std::string body;
};

// A socket connected to 127.0.0.1:`port`, with 10-second send and receive
// timeouts; -1 when the connection is refused.
int Connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  timeval timeout{.tv_sec = 10, .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Sends `request` (a whole HTTP/1.1 message, which should ask to close the
// connection) and reads the answer until the server closes it.
Answer Exchange(int port, const std::string& request) {
  Answer answer;
  const int fd = Connect(port);
  if (fd < 0) return answer;
  // The server may answer and close before it has read everything sent.
  (void)send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string raw;
  char buffer[4096];
  ssize_t n;
  while ((n = recv(fd, buffer, sizeof buffer, 0)) > 0) raw.append(buffer, static_cast<size_t>(n));
  close(fd);
  // "HTTP/1.1 200 OK\r\n...\r\n\r\nbody"
  const size_t space = raw.find(' ');
  if (space == std::string::npos || !absl::SimpleAtoi(raw.substr(space + 1, 3), &answer.status)) return answer;
  const size_t end = raw.find("\r\n\r\n");
  if (end != std::string::npos) answer.body = raw.substr(end + 4);
  return answer;
}

// A request with `headers` (each "Name: value\r\n") that closes the connection.
std::string Request(const std::string& line, const std::string& headers = "", const std::string& body = "") {
  return absl::StrCat(line, " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n", headers,
                      body.empty() ? "" : absl::StrCat("Content-Length: ", body.size(), "\r\n"), "\r\n", body);
}

constexpr char kCaller[] = "x-ethrec-agency: camden-csc\r\nx-ethrec-role: record-system\r\n";

class HttpServerTest : public ::testing::Test {
 protected:
  HttpServerTest() {
    absl::StatusOr<std::unique_ptr<FhirTerminology>> fhir =
        FhirTerminology::Create({.normalizer = normalizer_, .taxonomy = &taxonomy_, .software_version = "test"});
    EXPECT_TRUE(fhir.ok()) << fhir.status();
    fhir_ = *std::move(fhir);
    api_ = std::make_unique<HttpApi>(HttpApi::Options{.gate = &gate_,
                                                      .taxonomy = &taxonomy_,
                                                      .records = &records_,
                                                      .findings = &findings_,
                                                      .audit = &audit_,
                                                      .fhir = fhir_.get(),
                                                      .metrics = &metrics_});
  }

  // Starts the server on a free loopback port with `options`' limits.
  void Start(HttpServerOptions options = {}) {
    options.listen_address = "127.0.0.1:0";
    absl::StatusOr<std::unique_ptr<HttpServer>> server = HttpServer::Start(options, api_.get());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    ASSERT_GT(server_->port(), 0);
  }

  const Normalizer* normalizer_ = &::ethrec::testing::BuiltinNormalizer();
  std::unique_ptr<MemoryStore> store_ = ::ethrec::testing::StoreWithFindings();
  const CallGate gate_{IdentityOptions{}};
  TaxonomyApi taxonomy_{{.normalizer = normalizer_}};
  RecordsApi records_{{.normalizer = normalizer_, .store = store_.get()}};
  FindingsApi findings_{{.store = store_.get(), .taxonomy = &normalizer_->registry().taxonomy()}};
  AuditApi audit_{{.store = store_.get()}};
  Metrics metrics_{"test"};
  std::unique_ptr<FhirTerminology> fhir_;
  std::unique_ptr<HttpApi> api_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, ServesHttpApiWithTheCallersHeaders) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const Answer taxonomy = Exchange(server_->port(), Request("GET /v1/taxonomy", kCaller));
  EXPECT_EQ(taxonomy.status, 200) << taxonomy.body;
  EXPECT_THAT(taxonomy.body, HasSubstr("\"categories\""));
  // Without the headers the gate does not know the caller.
  const Answer anonymous = Exchange(server_->port(), Request("GET /v1/taxonomy"));
  EXPECT_EQ(anonymous.status, 401) << anonymous.body;
  EXPECT_THAT(anonymous.body, HasSubstr("x-ethrec-agency"));
}

TEST_F(HttpServerTest, PassesTheQueryOn) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const Answer answer = Exchange(server_->port(), Request("GET /v1/taxonomy?no_such_field=1", kCaller));
  EXPECT_EQ(answer.status, 400) << answer.body;
  EXPECT_THAT(answer.body, HasSubstr("no_such_field"));
}

TEST_F(HttpServerTest, MethodsOtherThanGetAndPostAre405) {
  ASSERT_NO_FATAL_FAILURE(Start());
  for (const char* method : {"PUT", "PATCH", "DELETE", "OPTIONS"}) {
    const Answer answer = Exchange(server_->port(), Request(absl::StrCat(method, " /v1/taxonomy"), kCaller, "{}"));
    EXPECT_EQ(answer.status, 405) << method;
    EXPECT_EQ(answer.body, absl::StrCat("{\"code\":12,\"message\":\"", method, " is not served\"}")) << method;
  }
}

TEST_F(HttpServerTest, ABodyOverTheLimitIs413) {
  ASSERT_NO_FATAL_FAILURE(Start({.max_body_bytes = 16}));
  const Answer answer =
      Exchange(server_->port(), Request("POST /v1/normalize", absl::StrCat(kCaller, "Content-Type: application/json\r\n"),
                                        std::string(100, ' ')));
  EXPECT_EQ(answer.status, 413);
  EXPECT_THAT(answer.body, HasSubstr("too large"));
}

TEST_F(HttpServerTest, TooManyHeadersAre431) {
  ASSERT_NO_FATAL_FAILURE(Start({.max_headers = 4}));
  const Answer answer = Exchange(server_->port(), Request("GET /v1/taxonomy", absl::StrCat(kCaller, "x-a: 1\r\nx-b: 2\r\n")));
  EXPECT_EQ(answer.status, 431);
  EXPECT_THAT(answer.body, HasSubstr("more than 4 request headers"));
}

TEST_F(HttpServerTest, AChunkedBodyIs411) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const Answer answer = Exchange(
      server_->port(), absl::StrCat("POST /v1/normalize HTTP/1.1\r\nHost: 127.0.0.1\r\n", kCaller,
                                    "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"));
  EXPECT_EQ(answer.status, 411);
  EXPECT_THAT(answer.body, HasSubstr("Content-Length"));
}

TEST_F(HttpServerTest, StopClosesTheListenerAndIsIdempotent) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const int port = server_->port();
  server_->Stop();
  server_->Stop();
  EXPECT_EQ(Connect(port), -1);
}

TEST_F(HttpServerTest, ABadAddressIsInvalidArgument) {
  for (const char* address : {"127.0.0.1", "127.0.0.1:http", "127.0.0.1:70000", "127.0.0.1:-1"}) {
    EXPECT_THAT(HttpServer::Start({.listen_address = address}, api_.get()),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is not HOST:PORT")))
        << address;
  }
}

TEST_F(HttpServerTest, APortInUseIsUnavailable) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const std::string address = absl::StrCat("127.0.0.1:", server_->port());
  EXPECT_THAT(HttpServer::Start({.listen_address = address}, api_.get()),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr(address)));
}

}  // namespace
}  // namespace ethrec::service
