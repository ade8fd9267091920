// Mutual TLS against the real ethrecd, with certificates from
// deploy/dev-certs.sh: the caller is its certificate's SPIFFE ID and call
// metadata is ignored; no certificate, another CA's, an expired one, a
// revoked one and a plaintext client are all refused; the certificate files
// are reloaded without a restart; the plaintext health port serves
// grpc.health.v1 and nothing else; and ethrecd refuses unsafe listen and
// TLS flags at start-up. Synthetic data only; loopback only.

#include <chrono>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include "ethrec/v1/diagnostics_service.grpc.pb.h"
#include "ethrec/v1/findings_service.grpc.pb.h"
#include "ethrec/v1/records_service.grpc.pb.h"
#include "ethrec/v1/taxonomy_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "mapping/observation.h"
#include "tests/service/server_process.h"
#include "tests/testing/files.h"
#include "tools/cli.h"

namespace ethrec {
namespace {

namespace fs = std::filesystem;
using ::ethrec::testing::ServerProcess;

using ::ethrec::testing::ReadFile;
using ::ethrec::testing::RunShell;

std::string DevCerts() { return std::string(ETHREC_DEPLOY_DIR) + "/dev-certs.sh"; }

// Certificates for the whole suite: the development set, plus an expired
// client, a revoked client and a second CA with its own clients.
class Certificates {
 public:
  Certificates() {
    root_ = fs::path(::testing::TempDir()) / ("ethrec-tls-" + std::to_string(getpid()));
    fs::remove_all(root_);
    ok_ = RunShell(DevCerts() + " " + dir().string() + " >/dev/null") == 0 &&
          RunShell(DevCerts() + " " + dir().string() + " client old-gp record-system --expired >/dev/null") == 0 &&
          RunShell(DevCerts() + " " + dir().string() + " client gone-gp record-system >/dev/null") == 0 &&
          RunShell(DevCerts() + " " + dir().string() + " revoke gone-gp record-system >/dev/null") == 0 &&
          RunShell(DevCerts() + " " + other().string() + " >/dev/null") == 0;
  }
  ~Certificates() { fs::remove_all(root_); }

  bool ok() const { return ok_; }
  fs::path dir() const { return root_ / "dev"; }
  fs::path other() const { return root_ / "other"; }
  fs::path root() const { return root_; }

 private:
  fs::path root_;
  bool ok_ = false;
};

// Credentials of client `name` ("camden-csc.record-system") of the CA in
// `dir`, trusting `ca_dir`'s CA for the server ("" : no client certificate).
std::shared_ptr<grpc::ChannelCredentials> Client(const fs::path& dir, const std::string& name,
                                                 const fs::path& ca_dir) {
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = ReadFile(ca_dir / "ca.pem");
  if (!name.empty()) {
    tls.pem_cert_chain = ReadFile(dir / (name + ".pem"));
    tls.pem_private_key = ReadFile(dir / (name + ".key"));
  }
  return grpc::SslCredentials(tls);
}

grpc::Status Echo(const std::string& address, const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  auto stub = v1::DiagnosticsService::NewStub(grpc::CreateChannel(address, credentials));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  v1::EchoRequest request;
  request.set_message("ping");
  v1::EchoResponse response;
  return stub->Echo(&context, request, &response);
}

// The status of an empty server-reflection stream on `channel`: OK where
// reflection is served, UNIMPLEMENTED where it is not.
grpc::Status ReflectionStatus(const std::shared_ptr<grpc::Channel>& channel) {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call =
      stub.PrepareCall(&context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  grpc::Status status;
  void* tag = nullptr;
  bool ok = false;
  // One operation of each kind at a time: start, half-close, finish.
  call->StartCall(reinterpret_cast<void*>(1));
  cq.Next(&tag, &ok);
  call->WritesDone(reinterpret_cast<void*>(2));
  cq.Next(&tag, &ok);
  call->Finish(&status, reinterpret_cast<void*>(3));
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return status;
}

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    certs_ = new Certificates();
    ASSERT_TRUE(certs_->ok()) << "deploy/dev-certs.sh failed";
    const fs::path d = certs_->dir();
    server_ = new ServerProcess({"--tls_cert=" + (d / "server.pem").string(), "--tls_key=" + (d / "server.key").string(),
                                 "--tls_client_ca=" + (d / "ca.pem").string(), "--tls_crl_dir=" + (d / "crl").string(),
                                 "--health_listen=127.0.0.1:0"});
    ASSERT_FALSE(server_->address().empty()) << "ethrecd did not start with TLS";
  }
  static void TearDownTestSuite() {
    delete server_;
    delete certs_;
  }

  static std::shared_ptr<grpc::ChannelCredentials> As(const std::string& name) {
    return Client(certs_->dir(), name, certs_->dir());
  }

  static inline Certificates* certs_ = nullptr;
  static inline ServerProcess* server_ = nullptr;
};

TEST_F(TlsTest, AClientWithAValidCertificateIsServed) {
  const grpc::Status s = Echo(server_->address(), As("camden-csc.record-system"));
  EXPECT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
}

TEST_F(TlsTest, NoClientCertificateIsRefused) {
  EXPECT_EQ(Echo(server_->address(), Client(certs_->dir(), "", certs_->dir())).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, ACertificateFromAnotherCaIsRefused) {
  EXPECT_EQ(Echo(server_->address(), Client(certs_->other(), "camden-csc.record-system", certs_->dir())).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, AnExpiredCertificateIsRefused) {
  EXPECT_EQ(Echo(server_->address(), As("old-gp.record-system")).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, ARevokedCertificateIsRefused) {
  EXPECT_EQ(Echo(server_->address(), As("gone-gp.record-system")).error_code(), grpc::StatusCode::UNAVAILABLE);
  // The same CA's unrevoked certificates still work: the CRL is read, not
  // every certificate refused.
  EXPECT_TRUE(Echo(server_->address(), As("north-gp.record-system")).ok());
}

TEST_F(TlsTest, APlaintextClientIsRefused) {
  EXPECT_EQ(Echo(server_->address(), grpc::InsecureChannelCredentials()).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, TheCertificateNamesTheCallerAndMetadataIsIgnored) {
  const std::string nhs = SyntheticNhsNumber(4242);
  auto records = v1::RecordsService::NewStub(grpc::CreateChannel(server_->address(), As("camden-csc.record-system")));
  {
    // Metadata claiming another agency and the officer role changes nothing.
    grpc::ClientContext context;
    context.AddMetadata("x-ethrec-agency", "north-gp");
    context.AddMetadata("x-ethrec-role", "data-quality-officer");
    v1::RecordObservationRequest request;
    v1::ObservationInput* o = request.mutable_observation();
    o->mutable_child()->set_nhs_number(nhs);
    o->set_record_id("tls-1");
    o->set_record_version(1);
    o->set_system("dfe");
    o->set_code("BSOM");
    o->set_supplied_by(v1::SELF);
    o->mutable_recorded_at()->set_seconds(1764000000);
    v1::RecordObservationResponse response;
    const grpc::Status s = records->RecordObservation(&context, request, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  v1::GetChildRequest get;
  get.mutable_child()->set_nhs_number(nhs);
  {
    grpc::ClientContext context;
    v1::GetChildResponse child;
    ASSERT_TRUE(records->GetChild(&context, get, &child).ok());
    ASSERT_EQ(child.observations_size(), 1);
    EXPECT_EQ(child.observations(0).agency(), "camden-csc");
  }
  {
    // The agency the metadata claimed holds nothing about the child.
    auto north = v1::RecordsService::NewStub(grpc::CreateChannel(server_->address(), As("north-gp.record-system")));
    grpc::ClientContext context;
    v1::GetChildResponse child;
    EXPECT_EQ(north->GetChild(&context, get, &child).error_code(), grpc::StatusCode::NOT_FOUND);
  }
  {
    // A record system's certificate with officer metadata may not review.
    auto findings = v1::FindingsService::NewStub(grpc::CreateChannel(server_->address(), As("camden-csc.record-system")));
    grpc::ClientContext context;
    context.AddMetadata("x-ethrec-role", "data-quality-officer");
    v1::ListChildReconciliationsRequest request;
    v1::ListChildReconciliationsResponse response;
    const grpc::Status s = findings->ListChildReconciliations(&context, request, &response);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_NE(s.error_message().find("this caller's role is record-system"), std::string::npos) << s.error_message();
  }
  {
    // The officer's certificate may.
    auto findings =
        v1::FindingsService::NewStub(grpc::CreateChannel(server_->address(), As("partnership-dq.data-quality-officer")));
    grpc::ClientContext context;
    v1::ListChildReconciliationsRequest request;
    v1::ListChildReconciliationsResponse response;
    const grpc::Status s = findings->ListChildReconciliations(&context, request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
  }
}

TEST_F(TlsTest, TheHealthPortServesHealthAloneInPlaintext) {
  ASSERT_FALSE(server_->health_address().empty());
  auto channel = grpc::CreateChannel(server_->health_address(), grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status s = health->Check(&context, request, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  // Nothing else is served there.
  auto diagnostics = v1::DiagnosticsService::NewStub(channel);
  grpc::ClientContext other;
  other.AddMetadata("x-ethrec-agency", "camden-csc");
  other.AddMetadata("x-ethrec-role", "record-system");
  v1::EchoRequest echo;
  v1::EchoResponse echoed;
  EXPECT_EQ(diagnostics->Echo(&other, echo, &echoed).error_code(), grpc::StatusCode::UNIMPLEMENTED);
  // Not even server reflection (which the TLS port offers).
  EXPECT_EQ(ReflectionStatus(channel).error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(ReflectionStatus(grpc::CreateChannel(server_->address(), As("camden-csc.record-system"))).error_code(),
            grpc::StatusCode::OK);
}

// A server whose certificate files change under it: after they are swapped
// for another CA's, that CA's clients are served and the old CA's are not.
TEST_F(TlsTest, CertificatesAndTheClientCaAreReloadedWithoutARestart) {
  const fs::path live = certs_->root() / "live";
  fs::create_directories(live);
  const auto install = [&live](const fs::path& from) {
    for (const char* f : {"server.pem", "server.key", "ca.pem"}) {
      fs::copy_file(from / f, live / (std::string(f) + ".new"), fs::copy_options::overwrite_existing);
      fs::rename(live / (std::string(f) + ".new"), live / f);
    }
  };
  install(certs_->dir());
  ServerProcess server({"--tls_cert=" + (live / "server.pem").string(), "--tls_key=" + (live / "server.key").string(),
                        "--tls_client_ca=" + (live / "ca.pem").string(), "--tls_refresh_seconds=1"});
  ASSERT_FALSE(server.address().empty());
  const auto dev_client = [&] { return Client(certs_->dir(), "camden-csc.record-system", certs_->dir()); };
  const auto other_client = [&] { return Client(certs_->other(), "camden-csc.record-system", certs_->other()); };
  ASSERT_TRUE(Echo(server.address(), dev_client()).ok());
  ASSERT_FALSE(Echo(server.address(), other_client()).ok());

  install(certs_->other());
  bool switched = false;
  for (int i = 0; i < 50 && !switched; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    switched = Echo(server.address(), other_client()).ok();
  }
  EXPECT_TRUE(switched) << "the new certificate and CA were not picked up within 10 s";
  EXPECT_FALSE(Echo(server.address(), dev_client()).ok());
}

// A certificate revoked while the server runs is refused once the CRL is
// rewritten, without a restart.
TEST_F(TlsTest, ACertificateRevokedWhileServingIsRefusedWithoutARestart) {
  const fs::path d = certs_->dir();
  ASSERT_EQ(RunShell(DevCerts() + " " + d.string() + " client late-gp record-system >/dev/null"), 0);
  ServerProcess server({"--tls_cert=" + (d / "server.pem").string(), "--tls_key=" + (d / "server.key").string(),
                        "--tls_client_ca=" + (d / "ca.pem").string(), "--tls_crl_dir=" + (d / "crl").string(),
                        "--tls_refresh_seconds=1"});
  ASSERT_FALSE(server.address().empty());
  ASSERT_TRUE(Echo(server.address(), As("late-gp.record-system")).ok());
  ASSERT_EQ(RunShell(DevCerts() + " " + d.string() + " revoke late-gp record-system >/dev/null"), 0);
  bool refused = false;
  for (int i = 0; i < 50 && !refused; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    refused = Echo(server.address(), As("late-gp.record-system")).error_code() == grpc::StatusCode::UNAVAILABLE;
  }
  EXPECT_TRUE(refused) << "the new CRL was not applied within 10 s";
  EXPECT_TRUE(Echo(server.address(), As("north-gp.record-system")).ok());
}

// The CLI over mutual TLS: its certificate names it, and it sends no metadata.
TEST_F(TlsTest, TheCliSpeaksMutualTls) {
  const fs::path d = certs_->dir();
  const auto cli = [&](const std::string& who, std::vector<std::string> args, std::string* out_text) {
    std::vector<std::string> all = {"--server",   server_->address(),
                                    "--tls_ca",   (d / "ca.pem").string(),
                                    "--tls_cert", (d / (who + ".pem")).string(),
                                    "--tls_key",  (d / (who + ".key")).string()};
    all.insert(all.end(), args.begin(), args.end());
    std::ostringstream out, err;
    const int exit = tools::RunCli(all, out, err);
    *out_text = out.str() + err.str();
    return exit;
  };
  const std::string nhs = SyntheticNhsNumber(5151);
  std::string text;
  ASSERT_EQ(cli("north-gp.record-system",
                {"record", "--record-id", "cli-tls-1", "--version", "1", "--nhs-number", nhs, "--system", "dfe",
                 "--code", "WBRI", "--supplied-by", "SELF", "--recorded-at", "2026-11-01T00:00:00Z"},
                &text),
            0)
      << text;
  ASSERT_EQ(cli("north-gp.record-system", {"child", "--nhs-number", nhs}, &text), 0) << text;
  EXPECT_NE(text.find("north-gp"), std::string::npos) << text;
  // Another agency's certificate: the child is not its to see.
  EXPECT_EQ(cli("camden-csc.record-system", {"child", "--nhs-number", nhs}, &text), 1);
  EXPECT_NE(text.find("NOT_FOUND"), std::string::npos) << text;
  // Half a TLS configuration is a usage error naming the missing flag.
  std::ostringstream out, err;
  EXPECT_EQ(tools::RunCli({"--server", server_->address(), "--tls_ca", (d / "ca.pem").string(), "child",
                           "--nhs-number", nhs},
                          out, err),
            1);
  EXPECT_NE(err.str().find("--tls_cert is missing"), std::string::npos) << err.str();
}

// ethrecd's exit status for `flags` (it must refuse them before serving).
int StartStatus(const std::string& flags) {
  const std::string db = ::testing::TempDir() + "/ethrec-tls-refused-" + std::to_string(getpid()) + ".db";
  const int status = RunShell(std::string(ETHREC_ETHRECD_PATH) + " --db=" + db + " " + flags + " >/dev/null 2>&1");
  std::remove(db.c_str());
  return status;
}

TEST_F(TlsTest, UnsafeOrIncompleteFlagsAreRefusedAtStartUp) {
  const fs::path d = certs_->dir();
  // Plaintext on an address other machines can reach, without --allow_insecure.
  EXPECT_EQ(StartStatus("--listen=0.0.0.0:0"), 2);
  EXPECT_EQ(StartStatus("--listen=[::]:0"), 2);
  // Half a TLS configuration.
  EXPECT_EQ(StartStatus("--listen=127.0.0.1:0 --tls_cert=" + (d / "server.pem").string()), 2);
  // A key where a certificate belongs.
  EXPECT_EQ(StartStatus("--listen=127.0.0.1:0 --tls_cert=" + (d / "server.key").string() +
                        " --tls_key=" + (d / "server.key").string() + " --tls_client_ca=" + (d / "ca.pem").string()),
            2);
  // --allow_insecure means plaintext; with TLS it is a mistake.
  EXPECT_EQ(StartStatus("--listen=127.0.0.1:0 --allow_insecure --tls_cert=" + (d / "server.pem").string() +
                        " --tls_key=" + (d / "server.key").string() + " --tls_client_ca=" + (d / "ca.pem").string()),
            2);
  // A CRL directory without TLS.
  EXPECT_EQ(StartStatus("--listen=127.0.0.1:0 --tls_crl_dir=" + (d / "crl").string()), 2);
}

}  // namespace
}  // namespace ethrec
