#include "service/tls.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <grpc/grpc_security_constants.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "service/internal/file_watch.h"

namespace ethrec::service {
namespace {

// OK, or InvalidArgument naming `flag` when the file cannot be read
// or holds no PEM block `marker` ("CERTIFICATE", "PRIVATE KEY").
absl::Status CheckPem(absl::string_view flag, const std::string& path, absl::string_view marker) {
  if (path.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, " is missing: mutual TLS needs --tls_cert, --tls_key and --tls_client_ca"));
  }
  if (!std::ifstream(path)) return absl::InvalidArgumentError(absl::StrCat("--", flag, ": cannot read ", path));
  const std::string pem = ReadFileOrEmpty(path);
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

std::shared_ptr<grpc::ServerCredentials> MutualTlsServerCredentials(const TlsOptions& options,
                                                                    const std::string& client_ca_path) {
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      options.key_file, options.cert_file, client_ca_path, options.refresh_seconds);
  grpc::experimental::TlsServerCredentialsOptions tls(provider);
  tls.watch_root_certs();
  tls.watch_identity_key_cert_pairs();
  tls.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  if (!options.crl_dir.empty()) tls.set_crl_directory(options.crl_dir);
  return grpc::experimental::TlsServerCredentials(tls);
}

ClientCaWatcher::ClientCaWatcher(const TlsOptions& options) : options_(options) {}

absl::StatusOr<std::unique_ptr<ClientCaWatcher>> ClientCaWatcher::Start(const TlsOptions& options) {
  std::unique_ptr<ClientCaWatcher> watcher(new ClientCaWatcher(options));
  std::string dir = (std::filesystem::temp_directory_path() / "ethrecd-ca-XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("cannot make a private directory for the client CA copy in ",
                                            std::filesystem::temp_directory_path().string()));
  }
  watcher->dir_ = dir;
  watcher->path_ = dir + "/client-ca.pem";
  if (absl::Status s = watcher->WriteCopy(watcher->Fingerprint()); !s.ok()) return s;
  watcher->check_ = std::make_unique<PeriodicCheck>(absl::Seconds(options.refresh_seconds),
                                                    [w = watcher.get()] { w->Check(); });
  return watcher;
}

ClientCaWatcher::~ClientCaWatcher() {
  check_.reset();  // no check runs from here on
  std::error_code ignored;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
}

std::string ClientCaWatcher::Fingerprint() const {
  return FilesFingerprint({options_.client_ca_file}, options_.crl_dir);
}

absl::Status ClientCaWatcher::WriteCopy(const std::string& fingerprint) {
  fingerprint_ = fingerprint;
  const std::string next = path_ + ".next";
  {
    std::ofstream out(next, std::ios::trunc);
    // Text outside PEM blocks is ignored by PEM readers; the line makes
    // each copy differ, so that gRPC reloads.
    out << ReadFileOrEmpty(options_.client_ca_file) << "\n# ethrecd client CA copy " << ++generation_ << "\n";
    if (!out) return absl::InternalError(absl::StrCat("cannot write the client CA copy ", next));
  }
  std::error_code error;
  std::filesystem::rename(next, path_, error);
  if (error) return absl::InternalError(absl::StrCat("cannot write the client CA copy ", path_, ": ", error.message()));
  return absl::OkStatus();
}

void ClientCaWatcher::Check() {
  const std::string now = Fingerprint();
  // A failed write keeps the previous copy (and its CRLs); the next check
  // tries again.
  if (now != fingerprint_ && !WriteCopy(now).ok()) fingerprint_.clear();
}

}  // namespace ethrec::service
