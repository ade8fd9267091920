// The load generator's shared parts (tools/ethrec_load.cc and
// tools/load_tls.cc): one measurement's result, the asynchronous call loop
// bounded in calls and time, and interleaved A/B ratios. Not part of the
// tools' interface.
#ifndef ETHREC_TOOLS_INTERNAL_LOAD_RUNNER_H_
#define ETHREC_TOOLS_INTERNAL_LOAD_RUNNER_H_

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "ethrec/v1/records_service.grpc.pb.h"
#include "ethrec/v1/taxonomy_service.grpc.pb.h"

ABSL_DECLARE_FLAG(int, rounds);
ABSL_DECLARE_FLAG(int, concurrency);
ABSL_DECLARE_FLAG(double, seconds);
ABSL_DECLARE_FLAG(int64_t, max_calls);

namespace ethrec::load_internal {

using Clock = std::chrono::steady_clock;

struct Result {
  std::string name;
  int64_t calls = 0;
  int64_t errors = 0;
  int64_t items = 0;
  double seconds = 0;
  double p50_us = 0, p99_us = 0;
  std::string first_error;
  double items_per_second() const { return seconds > 0 ? static_cast<double>(items) / seconds : 0; }
};

inline void Print(const Result& r) {
  std::printf("%-28s %9lld calls %8lld errors %11.0f items/s  p50 %7.0f us  p99 %7.0f us\n", r.name.c_str(),
              static_cast<long long>(r.calls), static_cast<long long>(r.errors), r.items_per_second(), r.p50_us,
              r.p99_us);
  if (!r.first_error.empty()) std::printf("  first error: %s\n", r.first_error.c_str());
}

// Runs `concurrency` calls at a time (0: --concurrency) until the time
// (`seconds`, 0: --seconds) or call limit.
template <typename Request, typename Response>
Result RunAsync(const std::string& name,
                std::function<std::unique_ptr<grpc::ClientAsyncResponseReader<Response>>(
                    grpc::ClientContext*, const Request&, grpc::CompletionQueue*)>
                    prepare,
                std::function<Request(int64_t)> make, int items_per_call,
                std::function<bool(int64_t, const Response&)> check = nullptr,
                const std::string& agency = "load-test", int concurrency = 0, double seconds = 0) {
  struct Call {
    int64_t number = 0;
    grpc::ClientContext context;
    Response response;
    grpc::Status status;
    Clock::time_point start;
    std::unique_ptr<grpc::ClientAsyncResponseReader<Response>> reader;
  };
  if (concurrency <= 0) concurrency = absl::GetFlag(FLAGS_concurrency);
  if (seconds <= 0) seconds = absl::GetFlag(FLAGS_seconds);
  const int64_t max_calls = absl::GetFlag(FLAGS_max_calls);
  const auto deadline =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  grpc::CompletionQueue cq;
  int64_t issued = 0;
  auto launch = [&]() {
    auto* call = new Call;
    call->context.AddMetadata("x-ethrec-agency", agency);
    call->context.AddMetadata("x-ethrec-role", "record-system");
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    call->start = Clock::now();
    call->number = issued;
    call->reader = prepare(&call->context, make(issued++), &cq);
    call->reader->StartCall();
    call->reader->Finish(&call->response, &call->status, call);
  };
  Result r;
  r.name = name;
  const auto begin = Clock::now();
  int in_flight = 0;
  for (; in_flight < concurrency && issued < max_calls; ++in_flight) launch();
  std::vector<double> latencies;
  void* tag;
  bool ok;
  while (in_flight > 0 && cq.Next(&tag, &ok)) {
    std::unique_ptr<Call> call(static_cast<Call*>(tag));
    --in_flight;
    latencies.push_back(std::chrono::duration<double, std::micro>(Clock::now() - call->start).count());
    ++r.calls;
    if (ok && call->status.ok() && (!check || check(call->number, call->response))) {
      r.items += items_per_call;
    } else if (r.errors++ == 0) {
      r.first_error = call->status.ok() ? "a response did not match the verified one" : call->status.error_message();
    }
    if (Clock::now() < deadline && issued < max_calls) {
      launch();
      ++in_flight;
    }
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - begin).count();
  std::sort(latencies.begin(), latencies.end());
  if (!latencies.empty()) {
    r.p50_us = latencies[latencies.size() / 2];
    r.p99_us = latencies[std::min(latencies.size() - 1, latencies.size() * 99 / 100)];
  }
  cq.Shutdown();
  return r;
}

// Each ratio from pairs measured interleaved (A, B, A, B, ...): drift on
// the machine hits both sides of a pair alike. Prints every pair, then the
// median ratio (B/A) and its range; `target` 0 means none.
inline void Interleaved(const char* what, double target, const std::function<Result()>& a,
                 const std::function<Result()>& b) {
  const int rounds = std::max(1, absl::GetFlag(FLAGS_rounds));
  std::vector<double> ratios;
  for (int round = 1; round <= rounds; ++round) {
    Result ra = a(), rb = b();
    Print(ra);
    Print(rb);
    if (ra.errors > 0 || rb.errors > 0 || ra.items_per_second() <= 0) continue;
    ratios.push_back(rb.items_per_second() / ra.items_per_second());
  }
  if (ratios.empty()) {
    std::printf("RATIO %s: no clean pair\n", what);
    return;
  }
  std::sort(ratios.begin(), ratios.end());
  std::printf("RATIO %s: median %.2f, range %.2f..%.2f over %zu pairs", what, ratios[ratios.size() / 2],
              ratios.front(), ratios.back(), ratios.size());
  if (target > 0) std::printf(" (target >= %.2f)", target);
  std::printf("\n");
}

inline bool IsLoopback(const std::string& address) {
  return absl::StartsWith(address, "127.") || absl::StartsWith(address, "localhost:") ||
         absl::StartsWith(address, "[::1]:");
}

// The agency seeded children are recorded under (without TLS; with it the
// client certificate's agency).
inline constexpr char kSeedAgency[] = "load-school";

// Normalize calls through `taxonomy`, cycling through every code.
Result NormalizeCalls(const std::string& name, v1::TaxonomyService::Stub* taxonomy,
                      const std::vector<std::pair<std::string, std::string>>& codes);

// Records what a school heard from each of `children` children (synthetic
// NHS numbers from `first_child`), `batch` at a time, through `records`.
bool SeedChildren(v1::RecordsService::Stub* records, int64_t first_child, int64_t children, int batch);

// GetChild of the seeded children by the agency that holds them; each
// answer must hold the child's records.
Result ChildReads(const std::string& name, v1::RecordsService::Stub* records, int64_t first_child,
                  int64_t children);

// --mode=bulk-entry (tools/load_bulk_entry.cc): single RecordObservation
// latency, idle and while a bulk load runs, --rounds pairs interleaved.
int BulkEntry(v1::RecordsService::Stub* records, int64_t record_base, int batch);

// --mode=tls (tools/load_tls.cc): Normalize and GetChild against the
// plaintext server on `plain` and the mutual-TLS one named by --tls_server.
int CompareTls(const std::shared_ptr<grpc::Channel>& plain,
               const std::vector<std::pair<std::string, std::string>>& codes);

}  // namespace ethrec::load_internal

#endif  // ETHREC_TOOLS_INTERNAL_LOAD_RUNNER_H_
