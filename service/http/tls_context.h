// The HTTP listener's mutual TLS, reloaded without a restart as gRPC's is:
// the certificate chain, key, client CA and CRL directory are checked every
// `refresh_seconds`; when any file changes, a new SSL_CTX is built from
// them and every connection accepted from then on uses it (connections
// already open keep theirs). Files that OpenSSL refuses (a key that does not
// match, a half-written file) keep the previous context, with a warning in
// the log, and are tried again at the next check.
//
// cpp-httplib 0.11 creates each connection's SSL from the one SSL_CTX it
// made at start; Install() sets that context up and gives it a ClientHello
// callback that moves each new connection onto the latest context
// (SSL_set_SSL_CTX, as SNI virtual hosting does) before any certificate is
// chosen or verified.
#ifndef ETHREC_SERVICE_HTTP_TLS_CONTEXT_H_
#define ETHREC_SERVICE_HTTP_TLS_CONTEXT_H_

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "service/tls.h"

namespace ethrec::service {

class PeriodicCheck;

class HttpTlsContext {
 public:
  // Builds the first context from `options` (which must pass
  // CheckTlsOptions and have enabled()) and starts watching the files.
  // InvalidArgument when OpenSSL refuses the files.
  static absl::StatusOr<std::unique_ptr<HttpTlsContext>> Start(const TlsOptions& options);
  ~HttpTlsContext();  // stops watching; connections must be closed by then

  // Sets up `ctx` (the listener's own) to require a verified client
  // certificate and to switch each new connection to the current context.
  // False when OpenSSL refuses the files. `this` must outlive `ctx`.
  bool Install(SSL_CTX& ctx);

 private:
  explicit HttpTlsContext(const TlsOptions& options);  // in the .cc, where PeriodicCheck is complete
  static int OnClientHello(SSL* ssl, int* alert, void* arg);
  void Check();

  const TlsOptions options_;
  absl::Mutex mu_;
  // The context new connections use (owned: one reference).
  SSL_CTX* current_ ABSL_GUARDED_BY(mu_) = nullptr;
  // The files' content when current_ was built (check thread only, once
  // started).
  std::string fingerprint_;
  // The files' content when they were last refused (warned about once).
  std::string refused_;
  std::unique_ptr<PeriodicCheck> check_;
};

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_HTTP_TLS_CONTEXT_H_
