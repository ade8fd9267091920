// ethrec_load --mode=tls: the cost of mutual TLS, measured against two
// servers of one build (tools/tls_ab.sh starts them).
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/flags/declare.h"
#include "tools/internal/load_runner.h"

ABSL_DECLARE_FLAG(std::string, server);
ABSL_DECLARE_FLAG(std::string, tls_server);
ABSL_DECLARE_FLAG(std::string, tls_ca);
ABSL_DECLARE_FLAG(std::string, tls_cert);
ABSL_DECLARE_FLAG(std::string, tls_key);

namespace ethrec::load_internal {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

constexpr int64_t kTlsChildren = 2000;

}  // namespace

int CompareTls(const std::shared_ptr<grpc::Channel>& plain,
               const std::vector<std::pair<std::string, std::string>>& codes) {
  const std::string tls_address = absl::GetFlag(FLAGS_tls_server);
  if (!IsLoopback(tls_address)) {
    std::cerr << "ethrec_load: --mode=tls needs --tls_server, a loopback address\n";
    return 2;
  }
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = ReadFile(absl::GetFlag(FLAGS_tls_ca));
  tls.pem_cert_chain = ReadFile(absl::GetFlag(FLAGS_tls_cert));
  tls.pem_private_key = ReadFile(absl::GetFlag(FLAGS_tls_key));
  if (tls.pem_root_certs.empty() || tls.pem_cert_chain.empty() || tls.pem_private_key.empty()) {
    std::cerr << "ethrec_load: --mode=tls needs readable --tls_ca, --tls_cert and --tls_key\n";
    return 2;
  }
  auto secure = grpc::CreateChannel(tls_address, grpc::SslCredentials(tls));
  auto plain_taxonomy = v1::TaxonomyService::NewStub(plain);
  auto tls_taxonomy = v1::TaxonomyService::NewStub(secure);
  auto plain_records = v1::RecordsService::NewStub(plain);
  auto tls_records = v1::RecordsService::NewStub(secure);
  if (!SeedChildren(plain_records.get(), 1, kTlsChildren, 500) || !SeedChildren(tls_records.get(), 1, kTlsChildren, 500)) {
    return 1;
  }
  std::printf("ethrec_load: plaintext %s against mutual TLS %s: concurrency %d, %.1f s per measurement\n",
              absl::GetFlag(FLAGS_server).c_str(), tls_address.c_str(), absl::GetFlag(FLAGS_concurrency),
              absl::GetFlag(FLAGS_seconds));
  Interleaved("Normalize TLS/plaintext calls per second", 0,
              [&] { return NormalizeCalls("Normalize plaintext", plain_taxonomy.get(), codes); },
              [&] { return NormalizeCalls("Normalize TLS", tls_taxonomy.get(), codes); });
  Interleaved("GetChild TLS/plaintext calls per second", 0,
              [&] { return ChildReads("GetChild plaintext", plain_records.get(), 1, kTlsChildren); },
              [&] { return ChildReads("GetChild TLS", tls_records.get(), 1, kTlsChildren); });
  return 0;
}

}  // namespace ethrec::load_internal
