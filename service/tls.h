// Mutual TLS for ethrecd: the server's certificate and key, the CA its
// clients' certificates must chain to, and an optional CRL directory. The
// files are watched (gRPC's FileWatcherCertificateProvider) and reloaded
// without a restart.
#ifndef ETHREC_SERVICE_TLS_H_
#define ETHREC_SERVICE_TLS_H_

#include <memory>
#include <string>

#include <grpcpp/security/server_credentials.h>

#include "absl/status/status.h"

namespace ethrec::service {

struct TlsOptions {
  std::string cert_file;       // --tls_cert: the server's PEM certificate chain
  std::string key_file;        // --tls_key: its PEM private key
  std::string client_ca_file;  // --tls_client_ca: PEM CA(s) client certificates must chain to
  // --tls_crl_dir: a directory of PEM CRLs named by OpenSSL's hash
  // (openssl rehash), checked for every client certificate. Empty: none.
  std::string crl_dir;
  // How often the files are checked for changes, in seconds.
  int refresh_seconds = 60;

  // TLS is on when any of the three files is named.
  bool enabled() const { return !cert_file.empty() || !key_file.empty() || !client_ca_file.empty(); }
};

// OK when TLS is off (and no CRL directory is named), or when all three
// files are named, readable and PEM of the right kind, and the CRL
// directory (if named) is a directory. Otherwise InvalidArgument naming the
// flag and saying what is wrong.
absl::Status CheckTlsOptions(const TlsOptions& options);

// Credentials that require and verify a client certificate (mutual TLS)
// from `options`, which must pass CheckTlsOptions and have enabled().
std::shared_ptr<grpc::ServerCredentials> MutualTlsServerCredentials(const TlsOptions& options);

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_TLS_H_
