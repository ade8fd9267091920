#include "service/server.h"

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <thread>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <grpcpp/impl/server_builder_option.h>
#include <grpcpp/impl/server_builder_plugin.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "service/audit_service.h"
#include "service/changes_service.h"
#include "service/diagnostics_service.h"
#include "service/findings_service.h"
#include "service/health_service.h"
#include "service/http/fhir_terminology.h"
#include "service/http/http_api.h"
#include "service/http/http_server.h"
#include "service/json_log.h"
#include "service/metrics.h"
#include "service/metrics_interceptor.h"
#include "service/parse_errors.h"
#include "service/timed_store.h"
#include "service/records_service.h"
#include "service/taxonomy_service.h"

namespace ethrec::service {
namespace {

// NormalizeBatch's threads (TaxonomyServiceImpl): its calls are short and
// use the CPU only, so half the cores, 2 to 16, as gRPC sizes the threads
// of its callback queue.
int NormalizeBatchThreads() {
  return static_cast<int>(std::clamp(std::thread::hardware_concurrency() / 2, 2u, 16u));
}

sigset_t StopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

// The host part of "host:port", for reporting the bound address.
std::string HostOf(const std::string& address) {
  const size_t colon = address.rfind(':');
  return colon == std::string::npos ? address : address.substr(0, colon);
}

// Linking gRPC's reflection library installs its plugin in every
// ServerBuilder. The health port must serve grpc.health.v1 alone, so its
// builder drops every plugin.
class WithoutPlugins final : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override { plugins->clear(); }
};

// Purges the store's expired audit events every `interval` on a thread of
// its own, until destroyed. Says nothing but failures (never an identifier:
// the store's errors name no value).
class AuditPurger {
 public:
  AuditPurger(Store* store, absl::Duration interval)
      : thread_([this, store, interval] {
          while (!stop_.WaitForNotificationWithTimeout(interval)) {
            absl::StatusOr<int64_t> purged = store->PurgeExpiredAuditEvents(kAuditPurgeBatch);
            if (purged.ok()) purged = store->PurgeExpiredChanges(kAuditPurgeBatch);
            if (!purged.ok()) {
              LogJson("error", "audit purge failed",
                      {{"retry_in", absl::FormatDuration(interval)}, {"status", purged.status().ToString()}});
            }
          }
        }) {}
  ~AuditPurger() {
    stop_.Notify();
    thread_.join();
  }

 private:
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace

void BlockStopSignals() {
  sigset_t set = StopSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

absl::Status RunServer(const ServerOptions& options) {
  if (absl::Status s = CheckTlsOptions(options.tls); !s.ok()) return s;
  const CallGate gate(IdentityOptions{.from_certificate = options.tls.enabled(), .trust_domain = options.trust_domain});
  Metrics metrics(options.version);
  // Every store call (one transaction each) is timed for /metrics.
  TimedStore timed_store(options.store, &metrics);
  Store* const store = &timed_store;
  TaxonomyServiceImpl taxonomy({.normalizer = options.normalizer, .max_batch_items = options.max_batch_items}, gate);
  DiagnosticsServiceImpl diagnostics(gate);
  const RecordsApi::Options records_options{
      .normalizer = options.normalizer, .store = store, .max_batch_items = options.max_batch_items};
  RecordsServiceImpl records(records_options, gate);
  const FindingsApi::Options findings_options{.store = store,
                                              .taxonomy = &options.normalizer->registry().taxonomy()};
  FindingsServiceImpl findings(findings_options, gate);
  AuditServiceImpl audit({.store = store}, gate);
  ChangesServiceImpl changes({.store = store,
                              .bookmark_interval = options.changes_bookmark_interval,
                              .max_watchers_per_agency = options.max_watchers_per_agency,
                              .min_read_interval = options.changes_min_read_interval},
                             gate);
  // Open findings by kind, for /metrics: counted by the store (an audited
  // read naming no child) at most once a minute.
  metrics.SetOpenFindingsSource(
      [store]() -> absl::StatusOr<std::map<std::string, int64_t>> {
        const Access access{.actor = {.agency = "ethrecd",
                                      .role = "metrics",
                                      .identity = "ethrecd",
                                      .peer = "local",
                                      .method = "/metrics"},
                            .all_agencies = true};
        absl::StatusOr<FindingSummary> summary = store->SummarizeFindings("", access);
        if (!summary.ok()) return summary.status();
        std::map<std::string, int64_t> open;
        for (const FindingCountRow& row : summary->counts) {
          if (row.status == FindingStatus::kOpen) open[std::string(FindingKindName(row.kind))] += row.count;
        }
        return open;
      },
      absl::Minutes(1));
  // Expired audit events go before the first call, then every interval.
  if (absl::StatusOr<int64_t> purged = options.store->PurgeExpiredAuditEvents(kAuditPurgeBatch); !purged.ok()) {
    return purged.status();
  }
  if (absl::StatusOr<int64_t> purged = options.store->PurgeExpiredChanges(kAuditPurgeBatch); !purged.ok()) {
    return purged.status();
  }
  const AuditPurger purger(options.store, options.audit_purge_interval);

  // One per server: a gRPC service object belongs to one server.
  HealthServiceImpl health_service;
  HealthServiceImpl probe_health_service;

  // The health port, plaintext, serving grpc.health.v1 only.
  std::unique_ptr<grpc::Server> health;
  if (!options.health_listen_address.empty()) {
    grpc::ServerBuilder health_builder;
    health_builder.SetOption(std::make_unique<WithoutPlugins>());
    health_builder.RegisterService(&probe_health_service);
    int health_port = 0;
    health_builder.AddListeningPort(options.health_listen_address, grpc::InsecureServerCredentials(), &health_port);
    health = health_builder.BuildAndStart();
    if (health == nullptr || health_port == 0) {
      return absl::UnavailableError(absl::StrCat("cannot listen on ", options.health_listen_address, " (--health_listen)"));
    }
    if (options.on_health_listening) {
      options.on_health_listening(absl::StrCat(HostOf(options.health_listen_address), ":", health_port));
    }
  }

  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  InstallParseErrorLogHandler();
  grpc::ServerBuilder builder;
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(NewParseErrorInterceptorFactory());
  interceptors.push_back(NewMetricsInterceptorFactory(&metrics));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  int port = 0;
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  std::unique_ptr<ClientCaWatcher> ca_watcher;
  if (options.tls.enabled()) {
    std::string client_ca = options.tls.client_ca_file;
    if (!options.tls.crl_dir.empty()) {
      absl::StatusOr<std::unique_ptr<ClientCaWatcher>> watcher = ClientCaWatcher::Start(options.tls);
      if (!watcher.ok()) return watcher.status();
      ca_watcher = *std::move(watcher);
      client_ca = ca_watcher->path();
    }
    credentials = MutualTlsServerCredentials(options.tls, client_ca);
  }
  builder.AddListeningPort(options.listen_address, credentials, &port);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  taxonomy.Register(builder);
  builder.RegisterService(&records);
  builder.RegisterService(&findings);
  builder.RegisterService(&diagnostics);
  builder.RegisterService(&audit);
  builder.RegisterService(&changes);
  builder.RegisterService(&health_service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen_address));
  }
  taxonomy.StartNormalizeBatch(NormalizeBatchThreads());
  if (options.on_listening) options.on_listening(absl::StrCat(HostOf(options.listen_address), ":", port));

  // The HTTP API, over the same calls (separate Records/Findings/Audit api
  // objects: they hold nothing but their options).
  std::unique_ptr<FhirTerminology> fhir;
  RecordsApi http_records(records_options);
  FindingsApi http_findings(findings_options);
  AuditApi http_audit({.store = store});
  std::unique_ptr<HttpApi> http_api;
  std::unique_ptr<HttpServer> http;
  if (!options.http_listen_address.empty()) {
    absl::StatusOr<std::unique_ptr<FhirTerminology>> terminology =
        FhirTerminology::Create({.normalizer = options.normalizer,
                                 .taxonomy = &taxonomy.api(),
                                 .local_dirs = options.local_map_dirs,
                                 .software_version = options.version});
    if (!terminology.ok()) return terminology.status();
    fhir = *std::move(terminology);
    http_api = std::make_unique<HttpApi>(HttpApi::Options{.gate = &gate,
                                                          .taxonomy = &taxonomy.api(),
                                                          .records = &http_records,
                                                          .findings = &http_findings,
                                                          .audit = &http_audit,
                                                          // The gRPC service's own: ListChanges keeps no
                                                          // state, and Stop ends its watches only.
                                                          .changes = &changes.api(),
                                                          .fhir = fhir.get(),
                                                          .metrics = &metrics});
    absl::StatusOr<std::unique_ptr<HttpServer>> started = HttpServer::Start(
        {.listen_address = options.http_listen_address,
         .tls = options.tls,
         .max_body_bytes = static_cast<size_t>(options.max_message_bytes)},
        http_api.get());
    if (!started.ok()) {
      server->Shutdown();
      return started.status();
    }
    http = *std::move(started);
    if (options.on_http_listening) {
      options.on_http_listening(absl::StrCat(HostOf(options.http_listen_address), ":", http->port()));
    }
  }

  // Wait for SIGTERM/SIGINT on this thread, then drain.
  sigset_t set = StopSignals();
  int signal_number = 0;
  sigwait(&set, &signal_number);
  LogJson("info", "draining", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  // Probes see NOT_SERVING from now on.
  health_service.Drain();
  probe_health_service.Drain();
  if (http != nullptr) http->Stop();  // lets its in-flight requests finish
  changes.api().Stop();  // watches end (UNAVAILABLE: resume) rather than hold the drain
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(10));
  server->Wait();
  if (health != nullptr) {
    health->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
    health->Wait();
  }
  return absl::OkStatus();
}

}  // namespace ethrec::service
