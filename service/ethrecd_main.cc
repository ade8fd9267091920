// ethrecd: the ethrec gRPC server.
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "mapping/normalizer.h"
#include "mapping/reconcile.h"
#include "service/json_log.h"
#include "service/listen_address.h"
#include "service/postgres_store.h"
#include "service/server.h"
#include "service/sqlite_store.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "address to listen on (port 0: any free port); without TLS, loopback only unless --allow_insecure");
ABSL_FLAG(bool, allow_insecure, false,
          "without TLS, serve plaintext on an address other machines can reach (not for real data: it warns at "
          "start-up)");
ABSL_FLAG(std::string, tls_cert, "", "PEM certificate chain of the server: turns on mutual TLS");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, tls_client_ca, "", "PEM CA certificate(s) every client certificate must chain to");
ABSL_FLAG(std::string, tls_crl_dir, "",
          "directory of PEM CRLs (named by `openssl rehash`); a revoked client certificate is refused");
ABSL_FLAG(int, tls_refresh_seconds, 60, "how often the TLS files are checked for changes and reloaded");
ABSL_FLAG(std::string, trust_domain, "ethrec",
          "SPIFFE trust domain of client certificates: spiffe://TRUST_DOMAIN/agency/AGENCY/role/ROLE");
ABSL_FLAG(std::string, health_listen, "",
          "also serve grpc.health.v1, and nothing else, in plaintext on this address (for probes)");
ABSL_FLAG(std::string, http_listen, "",
          "also serve the HTTP API (FHIR R4 terminology under /fhir, the API as JSON under /v1, /metrics) on this "
          "address, with the same identity (mutual TLS when TLS is on), access and audit as gRPC");
ABSL_FLAG(std::vector<std::string>, maps, {},
          "directories of local code lists (CodeSystem + ConceptMap JSON), comma-separated");
ABSL_FLAG(std::string, db, "ethrec.db",
          "SQLite database file (created if missing; WAL mode), or a PostgreSQL database as a libpq URI "
          "(postgresql://user@host:5432/dbname?sslmode=verify-full); any number of replicas may share one");
ABSL_FLAG(int, db_pool_size, 8, "with PostgreSQL: the most connections this replica opens to the database");
ABSL_FLAG(int, max_message_bytes, 4 << 20, "largest request message accepted, in bytes");
ABSL_FLAG(bool, findings, true,
          "recompute each child's findings in every write (false: faster bulk loading, findings calls "
          "answer FAILED_PRECONDITION; the next start with findings recomputes every child)");
ABSL_FLAG(int, max_batch_items, 1000, "most items in one batch call");
ABSL_FLAG(int, audit_retention_days, ethrec::kDefaultAuditRetentionDays,
          "days an audit event is kept (default 75 years: at least as long as the children's records it is "
          "about); older events are purged at start-up and hourly");

ABSL_FLAG(absl::Duration, changes_retention, ethrec::kDefaultChangesRetention,
          "how long the change feed's log is kept (a token older than this answers OUT_OF_RANGE: resync); "
          "older entries are purged at start-up and every --changes_purge_interval");
ABSL_FLAG(absl::Duration, changes_purge_interval, absl::Hours(1),
          "how often the expired audit events and change log entries are purged while serving");
ABSL_FLAG(absl::Duration, changes_bookmark_interval, absl::Seconds(5),
          "the longest a change feed watch stays silent: a bookmark with the latest token after this long");
ABSL_FLAG(int, max_watchers_per_agency, 16, "most concurrent change feed watches per agency");
ABSL_FLAG(absl::Duration, changes_min_read_interval, absl::Milliseconds(20),
          "the least time between a change feed watch's (audited) reads of the log while changes keep coming; "
          "0: read on every commit. Trades delivery latency for write throughput");

namespace {

using ethrec::service::LogJson;

// Logs why ethrecd will not start and returns `exit_code` (2: bad flags or
// files named by them; 1: the code lists, the database or a port).
int Refuse(int exit_code, absl::string_view why) {
  LogJson("error", "refused to start", {{"why", std::string(why)}, {"exit_code", std::to_string(exit_code), true}});
  return exit_code;
}

int Refuse(int exit_code, absl::string_view what, const absl::Status& status) {
  LogJson("error", "refused to start",
          {{"why", absl::StrCat(what, status.message())},
           {"code", absl::StatusCodeToString(status.code())},
           {"exit_code", std::to_string(exit_code), true}});
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  ethrec::service::BlockStopSignals();
  // Every line on stderr is one JSON object: gRPC's and protobuf's logs,
  // and what absl's flag parser reports (it exits with status 1 after a
  // bad flag), go through LogJson.
  ethrec::service::SendLibraryLogsToJson();
  // The buffers live as long as the process (std::cerr may be flushed after
  // static destructors run), held by these pointers so that leak checkers
  // see them as reachable.
  static auto* const startup_buffer =
      new ethrec::service::JsonLogStreambuf("error", "refused to start", "why");
  static auto* const running_buffer = new ethrec::service::JsonLogStreambuf("warning", "stderr");
  std::cerr.rdbuf(startup_buffer);
  absl::SetProgramUsageMessage("ethrecd: serves ethnicity normalisation and records over gRPC");
  absl::ParseCommandLine(argc, argv);
  std::cerr.rdbuf(running_buffer);

  const std::string listen = absl::GetFlag(FLAGS_listen);
  ethrec::service::TlsOptions tls{.cert_file = absl::GetFlag(FLAGS_tls_cert),
                                  .key_file = absl::GetFlag(FLAGS_tls_key),
                                  .client_ca_file = absl::GetFlag(FLAGS_tls_client_ca),
                                  .crl_dir = absl::GetFlag(FLAGS_tls_crl_dir),
                                  .refresh_seconds = absl::GetFlag(FLAGS_tls_refresh_seconds)};
  if (absl::Status s = ethrec::service::CheckTlsOptions(tls); !s.ok()) return Refuse(2, "", s);
  if (tls.enabled()) {
    if (absl::GetFlag(FLAGS_allow_insecure)) {
      return Refuse(2, "--allow_insecure is for plaintext; with TLS every address is allowed");
    }
  } else if (absl::Status s = ethrec::service::CheckPlaintextListen(listen, absl::GetFlag(FLAGS_allow_insecure));
             !s.ok()) {
    return Refuse(2, "", s);
  }
  const std::string http_listen = absl::GetFlag(FLAGS_http_listen);
  if (!tls.enabled() && !http_listen.empty()) {
    if (absl::Status s = ethrec::service::CheckPlaintextListen(http_listen, absl::GetFlag(FLAGS_allow_insecure));
        !s.ok()) {
      return Refuse(2, "--http_listen: ", s);
    }
  }
  for (const std::string& address : {listen, http_listen}) {
    if (!tls.enabled() && !address.empty() && !ethrec::service::IsLoopbackAddress(address)) {
      LogJson("warning", "plaintext on a reachable address",
                               {{"address", address},
                                {"why", "--allow_insecure: anyone who can reach it can read and write children's "
                                        "data"}});
    }
  }

  ethrec::LoadOptions load;
  load.local_dirs = absl::GetFlag(FLAGS_maps);
  absl::StatusOr<std::unique_ptr<ethrec::Normalizer>> normalizer = ethrec::Normalizer::Create(load);
  if (!normalizer.ok()) return Refuse(1, "cannot load code lists: ", normalizer.status());
  const int retention_days = absl::GetFlag(FLAGS_audit_retention_days);
  if (retention_days < 1) {
    return Refuse(2, absl::StrCat("--audit_retention_days ", retention_days, " must be at least 1"));
  }
  const absl::Duration changes_retention = absl::GetFlag(FLAGS_changes_retention);
  if (changes_retention <= absl::ZeroDuration()) {
    return Refuse(2, absl::StrCat("--changes_retention ", absl::FormatDuration(changes_retention),
                                  " must be positive"));
  }
  const absl::Duration purge_interval = absl::GetFlag(FLAGS_changes_purge_interval);
  const absl::Duration bookmark_interval = absl::GetFlag(FLAGS_changes_bookmark_interval);
  const int max_watchers = absl::GetFlag(FLAGS_max_watchers_per_agency);
  const absl::Duration min_read_interval = absl::GetFlag(FLAGS_changes_min_read_interval);
  if (purge_interval <= absl::ZeroDuration() || bookmark_interval <= absl::ZeroDuration() || max_watchers < 1) {
    return Refuse(2, "--changes_purge_interval and --changes_bookmark_interval must be positive, "
                     "--max_watchers_per_agency at least 1");
  }
  if (min_read_interval < absl::ZeroDuration() || min_read_interval > absl::Seconds(1)) {
    return Refuse(2, absl::StrCat("--changes_min_read_interval ", absl::FormatDuration(min_read_interval),
                                  " must be from 0 to 1s: it is how long a watch may hold back a change"));
  }
  ethrec::StoreOptions common{.audit_retention = absl::Hours(24) * retention_days,
                              .changes_retention = changes_retention};
  if (absl::GetFlag(FLAGS_findings)) common.findings_normalizer = normalizer->get();
  const std::string db = absl::GetFlag(FLAGS_db);
  absl::StatusOr<std::unique_ptr<ethrec::Store>> store =
      ethrec::IsPostgresUri(db)
          ? ethrec::OpenPostgresStore({.conninfo = db, .pool_size = absl::GetFlag(FLAGS_db_pool_size), .store = common})
          : ethrec::OpenSqliteStore({.path = db, .store = common});
  if (!store.ok()) return Refuse(1, "cannot open the database: ", store.status());
  ethrec::service::ServerOptions options;
  options.store = store->get();
  options.listen_address = listen;
  options.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  options.max_batch_items = absl::GetFlag(FLAGS_max_batch_items);
  options.normalizer = normalizer->get();
  options.tls = tls;
  options.trust_domain = absl::GetFlag(FLAGS_trust_domain);
  options.health_listen_address = absl::GetFlag(FLAGS_health_listen);
  options.http_listen_address = http_listen;
  options.local_map_dirs = load.local_dirs;
  options.version = ETHREC_VERSION;
  options.audit_purge_interval = purge_interval;
  options.changes_bookmark_interval = bookmark_interval;
  options.max_watchers_per_agency = max_watchers;
  options.changes_min_read_interval = min_read_interval;
  // The bound addresses go to stdout too, one line each, for scripts and
  // tests to find the ports ("ethrecd: listening on ADDR ...").
  const auto listening = [tls = tls.enabled()](absl::string_view port, const std::string& address) {
    LogJson("info", "listening",
            {{"port", std::string(port)}, {"address", address}, {"tls", tls ? "true" : "false", true}});
  };
  options.on_http_listening = [tls = tls.enabled(), listening](const std::string& address) {
    listening("http", address);
    std::cout << "ethrecd: http on " << address << (tls ? " (mutual TLS)" : " (plaintext)") << std::endl;
  };
  options.on_health_listening = [](const std::string& address) {
    LogJson("info", "listening", {{"port", "health"}, {"address", address}, {"tls", "false", true}});
    std::cout << "ethrecd: health on " << address << std::endl;
  };
  const size_t systems = (*normalizer)->registry().systems().size();
  options.on_listening = [systems, tls = tls.enabled(), listening](const std::string& address) {
    listening("grpc", address);
    std::cout << "ethrecd: listening on " << address << " with " << systems << " code systems"
              << (tls ? " (mutual TLS)" : " (plaintext)") << std::endl;
  };
  // RunServer fails only before it serves: a port that cannot be bound,
  // TLS files OpenSSL refuses, the start-up purge.
  const absl::Status served = ethrec::service::RunServer(options);
  const absl::Status closed = (*store)->Close();
  if (!served.ok()) return Refuse(1, "", served);
  if (!closed.ok()) {
    LogJson("error", "stopped",
            {{"why", absl::StrCat("cannot close the database: ", closed.message())},
             {"code", absl::StatusCodeToString(closed.code())}});
    return 1;
  }
  LogJson("info", "stopped");
  return 0;
}
