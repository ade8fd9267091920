// ethrecd's HTTP listener (--http_listen): cpp-httplib serving HttpApi on a
// thread pool, with mutual TLS from the same certificates as gRPC when TLS
// is on (the client certificate is required and verified against the same
// CA and CRL directory; its SPIFFE ID names the caller), and limits on
// request size, header count and time.
#ifndef ETHREC_SERVICE_HTTP_HTTP_SERVER_H_
#define ETHREC_SERVICE_HTTP_HTTP_SERVER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/http/http_api.h"
#include "service/tls.h"

namespace httplib {
class Server;
}

namespace ethrec::service {

class HttpTlsContext;

struct HttpServerOptions {
  // "HOST:PORT" or "[V6]:PORT"; port 0 picks a free port.
  std::string listen_address;
  // Mutual TLS when enabled() (the same files as gRPC's). As gRPC's, they
  // are checked every tls.refresh_seconds and reloaded when they change:
  // new connections use the new certificate, client CA and CRLs
  // (service/http/tls_context.h).
  TlsOptions tls;
  // Largest request body, in bytes (413 beyond). Default 4 MiB, as gRPC's.
  size_t max_body_bytes = 4 << 20;
  // Most request headers (431 beyond). Each header line is at most 8 KiB
  // and the request line too (cpp-httplib's limits).
  size_t max_headers = 64;
  // Time to read a request and to write a response; idle keep-alive time.
  absl::Duration read_timeout = absl::Seconds(10);
  absl::Duration write_timeout = absl::Seconds(10);
  absl::Duration keep_alive_timeout = absl::Seconds(5);
};

class HttpServer {
 public:
  // Binds and starts serving `api` (not owned; must outlive the server) on
  // a thread of its own. Unavailable when the address cannot be bound;
  // InvalidArgument for a malformed address or TLS files OpenSSL refuses.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options, HttpApi* api);
  // Stops: see Stop.
  ~HttpServer();

  // The port bound.
  int port() const { return port_; }

  // Stops taking connections and waits for the serving thread. Idempotent.
  void Stop();

 private:
  HttpServer() = default;

  // Declared before server_: its SSL_CTX calls into tls_ until destroyed.
  std::unique_ptr<HttpTlsContext> tls_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_HTTP_HTTP_SERVER_H_
