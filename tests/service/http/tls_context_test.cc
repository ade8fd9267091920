// HttpTlsContext with certificates from deploy/dev-certs.sh, handshaking in
// memory (a BIO pair, no socket): a client must show a certificate from the
// client CA; a new connection moves to the current context, so changed
// files (a new CA and server certificate, a CRL revoking a client) apply
// to it without a restart, and files OpenSSL refuses keep the previous
// context. Synthetic certificates only.
#include "service/http/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace ethrec::service {
namespace {

namespace fs = std::filesystem;
using ::ethrec::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kClient[] = "camden-csc.record-system";

// Runs deploy/dev-certs.sh with `args`; true when it succeeded.
bool DevCerts(const std::string& args) {
  return std::system(absl::StrCat(ETHREC_DEPLOY_DIR, "/dev-certs.sh ", args, " >/dev/null 2>&1").c_str()) == 0;
}

// A handshake between a client trusting `ca` (showing `client`'s
// certificate from `dir` unless `client` is empty) and a server connection
// made from `listener`. The subject of the certificate the server showed
// (empty when the handshake failed on either side).
std::string Handshake(SSL_CTX* listener, const fs::path& ca, const fs::path& dir, const std::string& client) {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> client_ctx(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
  SSL_CTX_load_verify_locations(client_ctx.get(), ca.c_str(), nullptr);
  SSL_CTX_set_verify(client_ctx.get(), SSL_VERIFY_PEER, nullptr);
  if (!client.empty()) {
    EXPECT_EQ(SSL_CTX_use_certificate_chain_file(client_ctx.get(), (dir / (client + ".pem")).c_str()), 1);
    EXPECT_EQ(SSL_CTX_use_PrivateKey_file(client_ctx.get(), (dir / (client + ".key")).c_str(), SSL_FILETYPE_PEM), 1);
  }
  std::unique_ptr<SSL, decltype(&SSL_free)> c(SSL_new(client_ctx.get()), SSL_free);
  std::unique_ptr<SSL, decltype(&SSL_free)> s(SSL_new(listener), SSL_free);
  BIO* client_bio = nullptr;
  BIO* server_bio = nullptr;
  BIO_new_bio_pair(&client_bio, 0, &server_bio, 0);
  SSL_set_bio(c.get(), client_bio, client_bio);
  SSL_set_bio(s.get(), server_bio, server_bio);
  SSL_set_connect_state(c.get());
  SSL_set_accept_state(s.get());
  const auto step = [](SSL* ssl, bool* done) {
    if (*done) return true;
    const int rc = SSL_do_handshake(ssl);
    if (rc == 1) return *done = true;
    const int error = SSL_get_error(ssl, rc);
    return error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE;
  };
  bool client_done = false;
  bool server_done = false;
  // A handshake is a few round trips; bounded in case neither side moves.
  for (int i = 0; i < 50 && !(client_done && server_done); ++i) {
    if (!step(c.get(), &client_done) || !step(s.get(), &server_done)) break;
  }
  ERR_clear_error();
  if (!client_done || !server_done) return "";
  char subject[256] = {0};
  X509_NAME_oneline(X509_get_subject_name(SSL_get0_peer_certificate(c.get())), subject, sizeof subject);
  return subject;
}

class HttpTlsContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) /
            absl::StrCat("ethrec-http-tls-", getpid(), "-",
                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    ASSERT_TRUE(DevCerts((root_ / "a").string())) << "deploy/dev-certs.sh failed";
    // What the context watches: a copy of CA a's files.
    live_ = root_ / "live";
    fs::create_directories(live_);
    Install(root_ / "a");
    listener_.reset(SSL_CTX_new(TLS_server_method()));
  }
  void TearDown() override {
    listener_.reset();
    context_.reset();
    fs::remove_all(root_);
  }

  // Copies `dir`'s CA, server certificate and key and CRLs to the watched files.
  void Install(const fs::path& dir) {
    for (const char* name : {"ca.pem", "server.pem", "server.key"}) {
      fs::copy_file(dir / name, live_ / name, fs::copy_options::overwrite_existing);
    }
    // Over the old ones, never an empty directory in between (a check then
    // would build a context without CRLs).
    fs::create_directories(live_ / "crl");
    fs::copy(dir / "crl", live_ / "crl", fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  }

  TlsOptions Options() const {
    return {.cert_file = (live_ / "server.pem").string(),
            .key_file = (live_ / "server.key").string(),
            .client_ca_file = (live_ / "ca.pem").string(),
            .crl_dir = (live_ / "crl").string(),
            .refresh_seconds = 1};
  }

  // Starts the context on the watched files and installs it on the listener.
  void Start() {
    absl::StatusOr<std::unique_ptr<HttpTlsContext>> context = HttpTlsContext::Start(Options());
    ASSERT_TRUE(context.ok()) << context.status();
    context_ = *std::move(context);
    ASSERT_TRUE(context_->Install(*listener_));
  }

  // Handshakes until `accepted(subject)` (each try a new connection), at most 10 s.
  template <typename Pred>
  bool Eventually(Pred accepted, const fs::path& ca, const fs::path& dir, const std::string& client) {
    for (int i = 0; i < 100; ++i) {
      if (accepted(Handshake(listener_.get(), ca, dir, client))) return true;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return false;
  }

  fs::path root_;
  fs::path live_;
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> listener_{nullptr, SSL_CTX_free};
  std::unique_ptr<HttpTlsContext> context_;
};

TEST_F(HttpTlsContextTest, FilesOpenSslRefusesAreInvalidArgument) {
  std::ofstream(live_ / "server.key") << "-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n";
  EXPECT_THAT(HttpTlsContext::Start(Options()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("OpenSSL refused")));
}

TEST_F(HttpTlsContextTest, RequiresAClientCertificateFromTheClientCa) {
  ASSERT_NO_FATAL_FAILURE(Start());
  EXPECT_EQ(SSL_CTX_get_verify_mode(listener_.get()), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
  EXPECT_EQ(SSL_CTX_get_min_proto_version(listener_.get()), TLS1_2_VERSION);
  const fs::path a = root_ / "a";
  EXPECT_THAT(Handshake(listener_.get(), a / "ca.pem", a, kClient), HasSubstr("localhost"));
  EXPECT_EQ(Handshake(listener_.get(), a / "ca.pem", a, ""), "");  // no client certificate
  // A client of another CA.
  ASSERT_TRUE(DevCerts((root_ / "b").string()));
  EXPECT_EQ(Handshake(listener_.get(), a / "ca.pem", root_ / "b", kClient), "");
}

TEST_F(HttpTlsContextTest, NewConnectionsUseChangedFilesWithoutARestart) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const fs::path a = root_ / "a";
  const fs::path b = root_ / "b";
  ASSERT_TRUE(DevCerts(b.string()));
  ASSERT_THAT(Handshake(listener_.get(), a / "ca.pem", a, kClient), HasSubstr("localhost"));
  Install(b);
  // Once the check has run: CA b's server certificate and clients, not a's.
  EXPECT_TRUE(Eventually([](const std::string& subject) { return !subject.empty(); }, b / "ca.pem", b, kClient));
  EXPECT_EQ(Handshake(listener_.get(), a / "ca.pem", a, kClient), "");
}

TEST_F(HttpTlsContextTest, ARevokedClientIsRefusedOnceTheCrlChanges) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const fs::path a = root_ / "a";
  ASSERT_THAT(Handshake(listener_.get(), a / "ca.pem", a, kClient), HasSubstr("localhost"));
  ASSERT_TRUE(DevCerts(absl::StrCat(a.string(), " revoke camden-csc record-system")));
  Install(a);
  EXPECT_TRUE(Eventually([](const std::string& subject) { return subject.empty(); }, a / "ca.pem", a, kClient));
  // Another client of the same CA still gets in.
  EXPECT_THAT(Handshake(listener_.get(), a / "ca.pem", a, "north-gp.record-system"), HasSubstr("localhost"));
}

TEST_F(HttpTlsContextTest, FilesOpenSslRefusesLaterKeepThePreviousContext) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const fs::path a = root_ / "a";
  // A key that does not match the certificate (half-way through a renewal).
  ASSERT_TRUE(DevCerts((root_ / "b").string()));
  fs::copy_file(root_ / "b" / "server.key", live_ / "server.key", fs::copy_options::overwrite_existing);
  absl::SleepFor(absl::Milliseconds(2500));  // two checks
  EXPECT_THAT(Handshake(listener_.get(), a / "ca.pem", a, kClient), HasSubstr("localhost"));
}

}  // namespace
}  // namespace ethrec::service
