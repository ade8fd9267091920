#include "service/http/tls_context.h"

#include "service/internal/file_watch.h"
#include "service/json_log.h"

namespace ethrec::service {
namespace {

// Everything the context is built from: the three files and each CRL
// file's name and text. Any change to them changes it.
std::string Fingerprint(const TlsOptions& tls) {
  return FilesFingerprint({tls.cert_file, tls.key_file, tls.client_ca_file}, tls.crl_dir);
}

// Requires and verifies a client certificate from `tls`'s CA (and CRLs).
// No session resumption: a resumed session skips verification, so a
// certificate revoked (or a CA replaced) since would still be let in.
bool SetUpMutualTls(SSL_CTX& ctx, const TlsOptions& tls) {
  SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION | SSL_OP_NO_TICKET);
  SSL_CTX_set_session_cache_mode(&ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(&ctx, 0);
  if (SSL_CTX_use_certificate_chain_file(&ctx, tls.cert_file.c_str()) != 1) return false;
  if (SSL_CTX_use_PrivateKey_file(&ctx, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1) return false;
  if (SSL_CTX_check_private_key(&ctx) != 1) return false;
  if (SSL_CTX_load_verify_locations(&ctx, tls.client_ca_file.c_str(), nullptr) != 1) return false;
  STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.client_ca_file.c_str());
  if (names == nullptr) return false;
  SSL_CTX_set_client_CA_list(&ctx, names);
  if (!tls.crl_dir.empty()) {
    X509_STORE* store = SSL_CTX_get_cert_store(&ctx);
    X509_LOOKUP* lookup = X509_STORE_add_lookup(store, X509_LOOKUP_hash_dir());
    if (lookup == nullptr || X509_LOOKUP_add_dir(lookup, tls.crl_dir.c_str(), X509_FILETYPE_PEM) != 1) return false;
    X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
  }
  SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  return true;
}

// A new context from `tls`'s files, or null when OpenSSL refuses them.
SSL_CTX* NewContext(const TlsOptions& tls) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return nullptr;
  if (!SetUpMutualTls(*ctx, tls)) {
    SSL_CTX_free(ctx);
    return nullptr;
  }
  return ctx;
}

}  // namespace

HttpTlsContext::HttpTlsContext(const TlsOptions& options) : options_(options) {}

absl::StatusOr<std::unique_ptr<HttpTlsContext>> HttpTlsContext::Start(const TlsOptions& options) {
  std::unique_ptr<HttpTlsContext> context(new HttpTlsContext(options));
  context->fingerprint_ = Fingerprint(options);
  SSL_CTX* first = NewContext(options);
  if (first == nullptr) {
    return absl::InvalidArgumentError(
        "the HTTP listener cannot use --tls_cert, --tls_key, --tls_client_ca or --tls_crl_dir (OpenSSL refused "
        "them)");
  }
  {
    absl::MutexLock lock(&context->mu_);
    context->current_ = first;
  }
  context->check_ = std::make_unique<PeriodicCheck>(absl::Seconds(options.refresh_seconds),
                                                     [c = context.get()] { c->Check(); });
  return context;
}

HttpTlsContext::~HttpTlsContext() {
  check_.reset();  // no check runs from here on
  absl::MutexLock lock(&mu_);
  SSL_CTX_free(current_);
}

bool HttpTlsContext::Install(SSL_CTX& ctx) {
  if (!SetUpMutualTls(ctx, options_)) return false;
  SSL_CTX_set_client_hello_cb(&ctx, &HttpTlsContext::OnClientHello, this);
  return true;
}

int HttpTlsContext::OnClientHello(SSL* ssl, int*, void* arg) {
  auto* self = static_cast<HttpTlsContext*>(arg);
  absl::MutexLock lock(&self->mu_);
  // Takes a reference to the current context for this connection.
  if (SSL_get_SSL_CTX(ssl) != self->current_) SSL_set_SSL_CTX(ssl, self->current_);
  return SSL_CLIENT_HELLO_SUCCESS;
}

void HttpTlsContext::Check() {
  const std::string now = Fingerprint(options_);
  if (now == fingerprint_) return;
  SSL_CTX* next = NewContext(options_);
  if (next == nullptr) {
    if (now != refused_) {
      refused_ = now;
      // Perhaps half-replaced: the next check tries again.
      LogJson("warning", "tls reload refused",
              {{"port", "http"},
               {"why", "OpenSSL refused --tls_cert, --tls_key, --tls_client_ca or --tls_crl_dir; the previous "
                       "certificates stay in use"}});
    }
    return;
  }
  fingerprint_ = now;
  {
    absl::MutexLock lock(&mu_);
    SSL_CTX_free(current_);  // connections using it hold their own references
    current_ = next;
  }
  LogJson("info", "tls reloaded", {{"port", "http"}});
}

}  // namespace ethrec::service
