#include "service/tls.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include <grpc/grpc_security_constants.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace ethrec::service {
namespace {

// The file's text, or InvalidArgument naming `flag` when it cannot be read
// or holds no PEM block `marker` ("CERTIFICATE", "PRIVATE KEY").
absl::Status CheckPem(absl::string_view flag, const std::string& path, absl::string_view marker) {
  if (path.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, " is missing: mutual TLS needs --tls_cert, --tls_key and --tls_client_ca"));
  }
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("--", flag, ": cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  const std::string pem = text.str();
  // "BEGIN PRIVATE KEY", "BEGIN EC PRIVATE KEY", "BEGIN RSA PRIVATE KEY".
  if (!absl::StrContains(pem, "-----BEGIN ") || !absl::StrContains(pem, absl::StrCat(marker, "-----"))) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", path, " holds no PEM ", marker));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckTlsOptions(const TlsOptions& options) {
  if (!options.enabled()) {
    if (!options.crl_dir.empty()) {
      return absl::InvalidArgumentError("--tls_crl_dir needs TLS: give --tls_cert, --tls_key and --tls_client_ca");
    }
    return absl::OkStatus();
  }
  if (absl::Status s = CheckPem("tls_cert", options.cert_file, "CERTIFICATE"); !s.ok()) return s;
  if (absl::Status s = CheckPem("tls_key", options.key_file, "PRIVATE KEY"); !s.ok()) return s;
  if (absl::Status s = CheckPem("tls_client_ca", options.client_ca_file, "CERTIFICATE"); !s.ok()) return s;
  if (!options.crl_dir.empty()) {
    struct stat st;
    if (stat(options.crl_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return absl::InvalidArgumentError(absl::StrCat("--tls_crl_dir: ", options.crl_dir, " is not a directory"));
    }
  }
  if (options.refresh_seconds < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls_refresh_seconds must be at least 1, not ", options.refresh_seconds));
  }
  return absl::OkStatus();
}

std::shared_ptr<grpc::ServerCredentials> MutualTlsServerCredentials(const TlsOptions& options) {
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      options.key_file, options.cert_file, options.client_ca_file, options.refresh_seconds);
  grpc::experimental::TlsServerCredentialsOptions tls(provider);
  tls.watch_root_certs();
  tls.watch_identity_key_cert_pairs();
  tls.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  if (!options.crl_dir.empty()) tls.set_crl_directory(options.crl_dir);
  return grpc::experimental::TlsServerCredentials(tls);
}

}  // namespace ethrec::service
