#include "service/http/http_server.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <httplib.h>

#include "absl/strings/numbers.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "service/caller.h"
#include "service/http/tls_context.h"

namespace ethrec::service {
namespace {

// Splits "host:port" or "[v6]:port".
absl::StatusOr<std::pair<std::string, int>> SplitAddress(const std::string& address) {
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("--http_listen ", address, " is not HOST:PORT"));
  }
  std::string host = address.substr(0, colon);
  if (absl::StartsWith(host, "[") && absl::EndsWith(host, "]")) host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  return std::make_pair(host, port);
}

// The verified client certificate's spiffe:// URI SANs.
std::vector<std::string> SpiffeIdsOf(const SSL* ssl) {
  std::vector<std::string> ids;
  if (ssl == nullptr) return ids;
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (cert == nullptr) return ids;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return ids;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type != GEN_URI) continue;
    const ASN1_STRING* uri = name->d.uniformResourceIdentifier;
    std::string id(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)), ASN1_STRING_length(uri));
    if (absl::StartsWith(id, "spiffe://")) ids.push_back(std::move(id));
  }
  GENERAL_NAMES_free(names);
  return ids;
}

// Answers `status` with a JSON `body`, then closes the connection. Used for
// requests refused before their body is read: on a kept-alive connection the
// unread body would be parsed as the next request (a smuggled request, or a
// desynchronised proxy). cpp-httplib 0.11 lets no handler close a connection,
// but it ends one whose content provider fails; this provider writes the
// whole body first, so the client still gets a complete response.
void RespondAndClose(httplib::Response& res, int status, std::string body) {
  res.status = status;
  res.set_header("Connection", "close");
  const size_t size = body.size();
  res.set_content_provider(size, "application/json",
                           [body = std::move(body)](size_t offset, size_t, httplib::DataSink& sink) {
                             if (offset < body.size()) sink.write(body.data() + offset, body.size() - offset);
                             return false;
                           });
}

HttpRequest ToHttpRequest(const httplib::Request& req) {
  HttpRequest out{.method = req.method, .path = req.path, .body = req.body};
  for (const auto& [name, value] : req.params) out.query.emplace_back(name, value);
  out.content_type = req.get_header_value("Content-Type");
  out.peer.has_agency_header = req.has_header(kAgencyMetadataKey);
  out.peer.agency_header = req.get_header_value(kAgencyMetadataKey);
  out.peer.has_role_header = req.has_header(kRoleMetadataKey);
  out.peer.role_header = req.get_header_value(kRoleMetadataKey);
  out.peer.address = absl::StrCat(absl::StrContains(req.remote_addr, ':') ? "ipv6:[" : "ipv4:", req.remote_addr,
                                  absl::StrContains(req.remote_addr, ':') ? "]:" : ":", req.remote_port);
  out.peer.spiffe_ids = SpiffeIdsOf(req.ssl);
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options, HttpApi* api) {
  absl::StatusOr<std::pair<std::string, int>> address = SplitAddress(options.listen_address);
  if (!address.ok()) return address.status();
  std::unique_ptr<HttpServer> server(new HttpServer());
  if (options.tls.enabled()) {
    absl::StatusOr<std::unique_ptr<HttpTlsContext>> tls = HttpTlsContext::Start(options.tls);
    if (!tls.ok()) return tls.status();
    server->tls_ = *std::move(tls);
    auto ssl = std::make_unique<httplib::SSLServer>(
        [context = server->tls_.get()](SSL_CTX& ctx) { return context->Install(ctx); });
    if (!ssl->is_valid()) {
      return absl::InvalidArgumentError(
          "the HTTP listener cannot use --tls_cert, --tls_key, --tls_client_ca or --tls_crl_dir (OpenSSL refused "
          "them)");
    }
    server->server_ = std::move(ssl);
  } else {
    server->server_ = std::make_unique<httplib::Server>();
  }
  httplib::Server& s = *server->server_;
  // TCP_NODELAY (accepted sockets inherit it): cpp-httplib writes a
  // response's headers and body separately, and with Nagle's algorithm and
  // the client's delayed ACK each keep-alive request then waits ~40 ms.
  s.set_socket_options([](socket_t sock) {
    const int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  });
  s.set_payload_max_length(options.max_body_bytes);
  s.set_read_timeout(absl::ToChronoSeconds(options.read_timeout));
  s.set_write_timeout(absl::ToChronoSeconds(options.write_timeout));
  s.set_keep_alive_timeout(absl::ToInt64Seconds(options.keep_alive_timeout));
  const size_t max_headers = options.max_headers;
  // Runs before the body is read.
  s.set_pre_routing_handler([max_headers](const httplib::Request& req, httplib::Response& res) {
    if (req.headers.size() > max_headers) {
      RespondAndClose(res, 431,
                      absl::StrCat("{\"code\":8,\"message\":\"more than ", max_headers, " request headers\"}"));
      return httplib::Server::HandlerResponse::Handled;
    }
    // cpp-httplib 0.11 applies the body limit to Content-Length only, not
    // to a chunked body: such bodies are refused.
    if (req.has_header("Transfer-Encoding")) {
      RespondAndClose(res, 411, R"({"code":3,"message":"send the body with a Content-Length, not chunked"})");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  const auto serve = [api](const httplib::Request& req, httplib::Response& res) {
    HttpResponse response = api->Serve(ToHttpRequest(req));
    res.status = response.status;
    res.set_content(std::move(response.body), response.content_type.c_str());
  };
  // Every path: HttpApi routes (and answers 404 itself).
  s.Get(".*", serve);
  s.Post(".*", serve);
  const auto not_allowed = [](const httplib::Request& req, httplib::Response& res) {
    res.status = 405;
    res.set_content(absl::StrCat("{\"code\":12,\"message\":\"", req.method, " is not served\"}"), "application/json");
  };
  s.Put(".*", not_allowed);
  s.Patch(".*", not_allowed);
  s.Delete(".*", not_allowed);
  s.Options(".*", not_allowed);
  // Too large a body, and anything httplib refuses before a handler.
  s.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty() || res.content_provider_) return;  // already answered (RespondAndClose)
    const char* what = res.status == 413 ? "the request body is too large"
                       : res.status == 414 ? "the request URI is too long"
                                           : "the request could not be served";
    res.set_content(absl::StrCat("{\"code\":", res.status == 413 ? 8 : 3, ",\"message\":\"", what, "\"}"),
                    "application/json");
  });
  const auto& [host, port] = *address;
  server->port_ = port == 0 ? s.bind_to_any_port(host) : (s.bind_to_port(host, port) ? port : -1);
  if (server->port_ <= 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen_address, " (--http_listen)"));
  }
  server->thread_ = std::thread([&s] { s.listen_after_bind(); });
  // Stop() before the loop runs would be lost: wait until it does (bounded).
  for (int i = 0; i < 1000 && !s.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return server;
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Stop() {
  if (server_ == nullptr) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace ethrec::service
