#include "tools/internal/grpc_client.h"

#include <chrono>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace ethrec::tools::grpc_internal {

namespace {

absl::StatusOr<std::string> ReadPem(absl::string_view flag, const std::string& path) {
  if (path.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, " is missing: mutual TLS needs --tls_ca, --tls_cert and --tls_key"));
  }
  std::ifstream in(path);
  std::stringstream text;
  if (in) text << in.rdbuf();
  if (!in || text.str().empty()) return absl::InvalidArgumentError(absl::StrCat("--", flag, ": cannot read ", path));
  return text.str();
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::Channel>> ConnectTo(const std::string& address, const RemoteIdentity& identity) {
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (identity.tls()) {
    grpc::SslCredentialsOptions tls;
    absl::StatusOr<std::string> ca = ReadPem("tls_ca", identity.tls_ca);
    if (!ca.ok()) return ca.status();
    absl::StatusOr<std::string> cert = ReadPem("tls_cert", identity.tls_cert);
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = ReadPem("tls_key", identity.tls_key);
    if (!key.ok()) return key.status();
    tls.pem_root_certs = *std::move(ca);
    tls.pem_cert_chain = *std::move(cert);
    tls.pem_private_key = *std::move(key);
    credentials = grpc::SslCredentials(tls);
  }
  std::shared_ptr<grpc::Channel> channel = grpc::CreateChannel(address, credentials);
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(5))) {
    return absl::UnavailableError(absl::StrCat("no ethrecd answers at ", address,
                                               identity.tls() ? " (or it refused the TLS handshake)" : ""));
  }
  return channel;
}

std::unique_ptr<grpc::ClientContext> CallContext(const RemoteIdentity& identity, absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!identity.tls()) {
    context->AddMetadata("x-ethrec-agency", identity.agency);
    context->AddMetadata("x-ethrec-role", identity.role);
  }
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return context;
}

absl::Status StatusFromGrpc(const grpc::Status& s, std::string* field) {
  if (field != nullptr) field->clear();
  absl::Status out(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
  google::rpc::Status details;
  if (field == nullptr || s.error_details().empty() || !details.ParseFromString(s.error_details())) return out;
  for (const google::protobuf::Any& any : details.details()) {
    google::rpc::BadRequest bad;
    if (any.UnpackTo(&bad) && bad.field_violations_size() > 0) {
      *field = bad.field_violations(0).field();
      break;
    }
  }
  return out;
}

}  // namespace ethrec::tools::grpc_internal
