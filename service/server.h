// Runs the ethrecd gRPC server until it is told to stop.
#ifndef ETHREC_SERVICE_SERVER_H_
#define ETHREC_SERVICE_SERVER_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "mapping/normalizer.h"
#include "service/caller.h"
#include "service/store.h"
#include "service/tls.h"

namespace ethrec::service {

struct ServerOptions {
  // Address to listen on. Default "127.0.0.1:50051"; port 0 picks a free port.
  std::string listen_address = "127.0.0.1:50051";
  // Largest request message accepted, in bytes. Default 4 MiB.
  int max_message_bytes = 4 << 20;
  // Most items in one batch call. Default 1000.
  int max_batch_items = 1000;
  // Not owned; required.
  const Normalizer* normalizer = nullptr;
  // Not owned; required: where RecordsService keeps observations.
  Store* store = nullptr;
  // Mutual TLS (off unless its files are named). With TLS on, the caller's
  // identity comes from its certificate and call metadata is ignored.
  TlsOptions tls;
  // The SPIFFE trust domain client certificates must name (with TLS).
  std::string trust_domain = "ethrec";
  // A second, plaintext address serving only grpc.health.v1, for
  // orchestrators' probes. Empty: none.
  std::string health_listen_address;
  // An address for the HTTP API too (service/http/http_api.h): the same
  // calls, identity (mutual TLS with `tls` when enabled), access and audit.
  // Empty: none.
  std::string http_listen_address;
  // The directories of local code lists loaded into `normalizer`: /fhir
  // serves their resources.
  std::vector<std::string> local_map_dirs;
  // Reported by /metrics (ethrec_build_info) and /fhir/metadata.
  std::string version;
  // Called once the server listens, with the address it bound (with the real port).
  std::function<void(const std::string& bound_address)> on_listening;
  // Called once the HTTP API listens, with the address it bound.
  std::function<void(const std::string& bound_address)> on_http_listening;
  // Called once the health port listens, with the address it bound.
  std::function<void(const std::string& bound_address)> on_health_listening;
  // How often the audit events older than the store's retention
  // (StoreOptions::audit_retention) are purged while serving; they are
  // also purged once before the server listens. Default 1 hour.
  // The expired entries of the change log (StoreOptions::changes_retention)
  // are purged at the same times.
  absl::Duration audit_purge_interval = absl::Hours(1);
  // ChangesService: the longest a watch stays silent, and the most
  // concurrent watches per agency (ChangesApi::Options).
  absl::Duration changes_bookmark_interval = absl::Seconds(5);
  int max_watchers_per_agency = 16;
  absl::Duration changes_min_read_interval = absl::Milliseconds(20);
};

// Serves until SIGTERM or SIGINT, then stops taking calls, lets in-flight
// calls finish (up to 10 seconds) and returns OK. The caller must have
// blocked SIGTERM and SIGINT in every thread (see BlockStopSignals) before
// starting any thread. Unavailable when an address cannot be bound;
// InvalidArgument for TLS options that fail CheckTlsOptions; the store's
// error when the start-up purge of expired audit events fails (a later
// purge that fails is reported on stderr and tried again next interval).
absl::Status RunServer(const ServerOptions& options);

// Blocks SIGTERM and SIGINT in the calling thread (and threads it starts
// later), so that RunServer can wait for them. Call first thing in main().
void BlockStopSignals();

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_SERVER_H_
