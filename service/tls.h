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
#include "absl/status/statusor.h"

namespace ethrec::service {

class PeriodicCheck;

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

// gRPC reads the CRL directory only when it (re)builds its TLS context,
// which it does when a watched file's content changes; a CRL added or
// rewritten while the server runs would otherwise wait for a restart. So
// the client CA is served to gRPC from a private copy that this watcher
// rewrites (same certificates, a new comment line) whenever the CA file or
// anything in the CRL directory changes: gRPC then reloads the CA and with
// it every CRL, within two refresh intervals.
class ClientCaWatcher {
 public:
  // Writes the first copy (in a new private temporary directory) and starts
  // watching every `options.refresh_seconds`. Errors: the copy cannot be
  // written.
  static absl::StatusOr<std::unique_ptr<ClientCaWatcher>> Start(const TlsOptions& options);
  ~ClientCaWatcher();  // stops watching and removes the copy

  // The copy, for gRPC's file watcher.
  const std::string& path() const { return path_; }

 private:
  explicit ClientCaWatcher(const TlsOptions& options);  // in the .cc, where PeriodicCheck is complete
  // The CA's text and every CRL file's name and text.
  std::string Fingerprint() const;
  absl::Status WriteCopy(const std::string& fingerprint);
  void Check();

  TlsOptions options_;
  std::string dir_;
  std::string path_;
  std::string fingerprint_;  // check thread only, once started
  int generation_ = 0;
  std::unique_ptr<PeriodicCheck> check_;
};

// Credentials that require and verify a client certificate (mutual TLS)
// from `options`, which must pass CheckTlsOptions and have enabled(), with
// the client CA read from `client_ca_path` (the CA file itself, or a
// ClientCaWatcher's copy of it).
std::shared_ptr<grpc::ServerCredentials> MutualTlsServerCredentials(const TlsOptions& options,
                                                                    const std::string& client_ca_path);

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_TLS_H_
