#include "service/metrics.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace ethrec::service {
namespace {

// A label value, escaped as the text format requires.
std::string Escape(absl::string_view value) {
  return absl::StrReplaceAll(value, {{"\\", "\\\\"}, {"\"", "\\\""}, {"\n", "\\n"}});
}

std::string Number(double v) { return absl::StrCat(v); }

}  // namespace

void Metrics::Histogram::Observe(double seconds) {
  const auto* bucket = std::lower_bound(kBuckets.begin(), kBuckets.end(), seconds);
  if (bucket != kBuckets.end()) ++counts[bucket - kBuckets.begin()];
  ++count;
  sum += seconds;
}

void Metrics::RecordCall(absl::string_view transport, absl::string_view method, absl::StatusCode code,
                         absl::Duration latency) {
  const double seconds = absl::ToDoubleSeconds(latency);
  absl::MutexLock lock(&mu_);
  ++calls_[{std::string(transport), std::string(method), absl::StatusCodeToString(code)}];
  call_latency_[{std::string(transport), std::string(method)}].Observe(seconds);
}

void Metrics::RecordStoreTransaction(absl::string_view operation, absl::Duration latency) {
  const double seconds = absl::ToDoubleSeconds(latency);
  absl::MutexLock lock(&mu_);
  store_latency_[std::string(operation)].Observe(seconds);
}

void Metrics::SetOpenFindingsSource(OpenFindingsSource source, absl::Duration refresh) {
  absl::MutexLock lock(&findings_mu_);
  open_findings_source_ = std::move(source);
  open_findings_refresh_ = refresh;
  open_findings_read_ = absl::InfinitePast();
}

std::string Metrics::Render() {
  std::string out;
  const auto histogram = [&out](absl::string_view name, const std::string& labels, const Histogram& h) {
    int64_t cumulative = 0;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += h.counts[i];
      absl::StrAppend(&out, name, "_bucket{", labels, ",le=\"", Number(kBuckets[i]), "\"} ", cumulative, "\n");
    }
    absl::StrAppend(&out, name, "_bucket{", labels, ",le=\"+Inf\"} ", h.count, "\n");
    absl::StrAppend(&out, name, "_sum{", labels, "} ", Number(h.sum), "\n");
    absl::StrAppend(&out, name, "_count{", labels, "} ", h.count, "\n");
  };
  {
    absl::MutexLock lock(&findings_mu_);
    if (open_findings_source_ && absl::Now() - open_findings_read_ >= open_findings_refresh_) {
      absl::StatusOr<std::map<std::string, int64_t>> counts = open_findings_source_();
      open_findings_read_ = absl::Now();
      open_findings_ok_ = counts.ok();
      if (counts.ok()) {
        open_findings_ = *std::move(counts);
      } else {
        ++open_findings_errors_;
      }
    }
    if (open_findings_source_) {
      if (open_findings_ok_) {
        absl::StrAppend(&out, "# HELP ethrec_open_findings Findings now OPEN, by kind.\n",
                        "# TYPE ethrec_open_findings gauge\n");
        for (const auto& [kind, count] : open_findings_) {
          absl::StrAppend(&out, "ethrec_open_findings{kind=\"", Escape(kind), "\"} ", count, "\n");
        }
      }
      absl::StrAppend(&out,
                      "# HELP ethrec_open_findings_errors_total Scrapes whose count of open findings failed.\n",
                      "# TYPE ethrec_open_findings_errors_total counter\n",
                      "ethrec_open_findings_errors_total ", open_findings_errors_, "\n");
    }
  }
  absl::MutexLock lock(&mu_);
  absl::StrAppend(&out, "# HELP ethrec_calls_total Calls served, by transport, method and status code.\n",
                  "# TYPE ethrec_calls_total counter\n");
  for (const auto& [key, count] : calls_) {
    const auto& [transport, method, code] = key;
    absl::StrAppend(&out, "ethrec_calls_total{transport=\"", Escape(transport), "\",method=\"", Escape(method),
                    "\",code=\"", Escape(code), "\"} ", count, "\n");
  }
  absl::StrAppend(&out, "# HELP ethrec_call_duration_seconds Time to serve a call, by transport and method.\n",
                  "# TYPE ethrec_call_duration_seconds histogram\n");
  for (const auto& [key, h] : call_latency_) {
    histogram("ethrec_call_duration_seconds",
              absl::StrCat("transport=\"", Escape(key.first), "\",method=\"", Escape(key.second), "\""), h);
  }
  absl::StrAppend(&out,
                  "# HELP ethrec_store_transaction_duration_seconds Time of one store call (one transaction), by "
                  "operation.\n",
                  "# TYPE ethrec_store_transaction_duration_seconds histogram\n");
  for (const auto& [operation, h] : store_latency_) {
    histogram("ethrec_store_transaction_duration_seconds", absl::StrCat("operation=\"", Escape(operation), "\""),
              h);
  }
  absl::StrAppend(&out, "# HELP ethrec_build_info The running ethrecd's version.\n",
                  "# TYPE ethrec_build_info gauge\n", "ethrec_build_info{version=\"", Escape(version_), "\"} 1\n");
  return out;
}

}  // namespace ethrec::service
