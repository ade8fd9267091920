// ethrec_load --mode=tls: the cost of mutual TLS, measured against two
// servers of one build (tools/tls_ab.sh starts them).
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/flags/declare.h"
#include "absl/strings/str_cat.h"
#include "ethrec/v1/records_service.grpc.pb.h"
#include "ethrec/v1/taxonomy_service.grpc.pb.h"
#include "mapping/observation.h"
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

// Normalize calls through `taxonomy`, cycling through every code.
Result NormalizeCalls(const std::string& name, v1::TaxonomyService::Stub* taxonomy,
                      const std::vector<std::pair<std::string, std::string>>& codes) {
  return RunAsync<v1::NormalizeRequest, v1::NormalizeResponse>(
      name,
      [taxonomy](grpc::ClientContext* c, const v1::NormalizeRequest& q, grpc::CompletionQueue* cq) {
        return taxonomy->PrepareAsyncNormalize(c, q, cq);
      },
      [&codes](int64_t i) {
        v1::NormalizeRequest q;
        q.set_system(codes[i % codes.size()].first);
        q.set_code(codes[i % codes.size()].second);
        return q;
      },
      1);
}

constexpr int64_t kTlsChildren = 2000;

// Records one observation about each of kTlsChildren children through
// `records` (as the channel's caller: "load-test" without TLS, the
// certificate's agency with it).
bool SeedChildren(v1::RecordsService::Stub* records) {
  for (int64_t done = 0; done < kTlsChildren;) {
    v1::RecordObservationsRequest q;
    q.set_view(v1::BASIC);
    for (int k = 0; k < 500 && done < kTlsChildren; ++k, ++done) {
      v1::ObservationInput* o = q.add_observations();
      o->mutable_child()->set_nhs_number(SyntheticNhsNumber(done + 1));
      o->set_record_id(absl::StrCat("tls-", done + 1));
      o->set_record_version(1);
      o->set_system("dfe");
      o->set_code("BCRB");
      o->set_supplied_by(v1::SELF);
      o->mutable_recorded_at()->set_seconds(1764000000);
    }
    grpc::ClientContext context;
    context.AddMetadata("x-ethrec-agency", "load-test");
    context.AddMetadata("x-ethrec-role", "record-system");
    v1::RecordObservationsResponse answer;
    if (grpc::Status status = records->RecordObservations(&context, q, &answer); !status.ok()) {
      std::printf("seeding failed: %s\n", status.error_message().c_str());
      return false;
    }
  }
  return true;
}

// GetChild calls through `records` for the seeded children; each answer
// must hold the child's one record.
Result GetChildCalls(const std::string& name, v1::RecordsService::Stub* records) {
  return RunAsync<v1::GetChildRequest, v1::GetChildResponse>(
      name,
      [records](grpc::ClientContext* c, const v1::GetChildRequest& q, grpc::CompletionQueue* cq) {
        return records->PrepareAsyncGetChild(c, q, cq);
      },
      [](int64_t i) {
        v1::GetChildRequest q;
        q.mutable_child()->set_nhs_number(SyntheticNhsNumber(i % kTlsChildren + 1));
        return q;
      },
      1, [](int64_t, const v1::GetChildResponse& r) { return r.observations_size() == 1; });
}

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
  if (!SeedChildren(plain_records.get()) || !SeedChildren(tls_records.get())) return 1;
  std::printf("ethrec_load: plaintext %s against mutual TLS %s: concurrency %d, %.1f s per measurement\n",
              absl::GetFlag(FLAGS_server).c_str(), tls_address.c_str(), absl::GetFlag(FLAGS_concurrency),
              absl::GetFlag(FLAGS_seconds));
  Interleaved("Normalize TLS/plaintext calls per second", 0,
              [&] { return NormalizeCalls("Normalize plaintext", plain_taxonomy.get(), codes); },
              [&] { return NormalizeCalls("Normalize TLS", tls_taxonomy.get(), codes); });
  Interleaved("GetChild TLS/plaintext calls per second", 0,
              [&] { return GetChildCalls("GetChild plaintext", plain_records.get()); },
              [&] { return GetChildCalls("GetChild TLS", tls_records.get()); });
  return 0;
}

}  // namespace ethrec::load_internal
