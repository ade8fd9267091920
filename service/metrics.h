// Prometheus metrics of one ethrecd process, in the text exposition format
// (version 0.0.4) for GET /metrics:
//
//   ethrec_calls_total{transport,method,code}             counter
//   ethrec_call_duration_seconds{transport,method}        histogram
//   ethrec_store_transaction_duration_seconds{operation}  histogram
//   ethrec_open_findings{kind}                            gauge
//   ethrec_build_info{version}                            gauge, always 1
//
// transport is "grpc" or "http"; method the full gRPC method the call
// served ("/ethrec.v1.TaxonomyService/Translate"; FHIR operations name
// themselves "/fhir/ConceptMap/$translate"); code the canonical code name
// ("OK", "NOT_FOUND"). Labels never hold identifiers or ethnicity values.
// Thread-safe.
#ifndef ETHREC_SERVICE_METRICS_H_
#define ETHREC_SERVICE_METRICS_H_

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <tuple>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace ethrec::service {

class Metrics {
 public:
  // Open findings by kind name ("SELF_ID_MISMATCH"), read when scraped.
  using OpenFindingsSource = std::function<absl::StatusOr<std::map<std::string, int64_t>>()>;

  explicit Metrics(std::string version) : version_(std::move(version)) {}

  void RecordCall(absl::string_view transport, absl::string_view method, absl::StatusCode code,
                  absl::Duration latency);
  void RecordStoreTransaction(absl::string_view operation, absl::Duration latency);
  // Called at most once per `refresh` by Render (the last answer is shown
  // in between); an error leaves the gauge out and is counted in
  // ethrec_open_findings_errors_total.
  void SetOpenFindingsSource(OpenFindingsSource source, absl::Duration refresh);

  // Every metric, in the Prometheus text format.
  std::string Render();

  // The histograms' upper bounds, in seconds (+Inf is implicit).
  static constexpr std::array<double, 14> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                      0.025,  0.05,    0.1,    0.25,  0.5,    1,     5};

 private:
  struct Histogram {
    std::array<int64_t, kBuckets.size()> counts{};  // per bucket, not cumulative
    int64_t count = 0;
    double sum = 0;
    void Observe(double seconds);
  };

  const std::string version_;
  absl::Mutex mu_;
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> calls_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<std::string, std::string>, Histogram> call_latency_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Histogram> store_latency_ ABSL_GUARDED_BY(mu_);

  absl::Mutex findings_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  OpenFindingsSource open_findings_source_ ABSL_GUARDED_BY(findings_mu_);
  absl::Duration open_findings_refresh_ ABSL_GUARDED_BY(findings_mu_);
  absl::Time open_findings_read_ ABSL_GUARDED_BY(findings_mu_) = absl::InfinitePast();
  std::map<std::string, int64_t> open_findings_ ABSL_GUARDED_BY(findings_mu_);
  bool open_findings_ok_ ABSL_GUARDED_BY(findings_mu_) = false;
  int64_t open_findings_errors_ ABSL_GUARDED_BY(findings_mu_) = 0;
};

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_METRICS_H_
