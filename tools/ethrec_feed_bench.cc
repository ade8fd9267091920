// ethrec_feed_bench: times the change feed of a running ethrecd.
// Loopback only; bounded in writes and time. Synthetic data only.
//
// Starts --watchers officer watches (WatchChanges from now, records only),
// then makes --writes RecordObservation calls, each a new record about a
// child of its own, from --concurrency writers. For each write and each
// watcher, the delivery latency is the time from just before the call was
// sent to the event's arrival: the commit is inside the call, so this bounds
// commit-to-delivery from above (by at most the call's own time, which the
// tool prints as the write latency). With --watchers=0 it only writes: the
// write throughput to compare with the feed and without.
//
// More watchers than ethrecd's --max_watchers_per_agency (default 16) need
// that flag raised: they all watch as one agency.
//
// Usage: ethrec_feed_bench --server=127.0.0.1:PORT [--watchers=1]
//        [--writes=500] [--concurrency=1] [--seconds=60] [--first_child=1]
// Prints a final "RESULT key=value ..." line.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "ethrec/v1/changes_service.grpc.pb.h"
#include "ethrec/v1/records_service.grpc.pb.h"
#include "mapping/observation.h"

ABSL_FLAG(std::string, server, "", "ethrecd address: 127.0.0.1:PORT or [::1]:PORT (loopback only)");
ABSL_FLAG(int, watchers, 1, "concurrent watches (0: writes only; at most 64, within --max_watchers_per_agency)");
ABSL_FLAG(int, writes, 500, "RecordObservation calls (at most 100,000)");
ABSL_FLAG(int, concurrency, 1, "writers (calls in flight)");
ABSL_FLAG(double, seconds, 60, "time limit for the writes; stops early (and says so) when reached");
ABSL_FLAG(int, first_child, 1, "synthetic NHS numbers from this one: give each run its own range");

namespace ethrec {
namespace {

void As(grpc::ClientContext* context, const std::string& agency, const std::string& role, absl::Duration timeout) {
  context->AddMetadata("x-ethrec-agency", agency);
  context->AddMetadata("x-ethrec-role", role);
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
}

// Each watcher's arrival time of each record id.
class Watcher {
 public:
  explicit Watcher(const std::shared_ptr<grpc::Channel>& channel) : stub_(v1::ChangesService::NewStub(channel)) {
    As(&context_, "bench-dq", "data-quality-officer", absl::Minutes(30));
    v1::WatchChangesRequest request;
    request.add_kinds(v1::RECORD_WRITTEN);
    thread_ = std::thread([this, request] {
      std::unique_ptr<grpc::ClientReader<v1::ChangeEvent>> reader = stub_->WatchChanges(&context_, request);
      v1::ChangeEvent e;
      while (reader->Read(&e)) {
        const absl::Time now = absl::Now();
        absl::MutexLock lock(&mu_);
        started_ = true;
        if (e.has_record_written()) arrived_[e.record_written().record_id()] = now;
      }
      status_ = reader->Finish();
      absl::MutexLock lock(&mu_);
      started_ = true;
      done_ = true;
    });
  }
  ~Watcher() {
    context_.TryCancel();
    if (thread_.joinable()) thread_.join();
  }
  bool WaitStarted() {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&started_), absl::Seconds(20));
    return started_ && !done_;
  }
  // Waits until `n` records arrived or `deadline`.
  size_t WaitFor(size_t n, absl::Time deadline) {
    absl::MutexLock lock(&mu_);
    auto ready = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return arrived_.size() >= n || done_; };
    mu_.AwaitWithDeadline(absl::Condition(&ready), deadline);
    return arrived_.size();
  }
  std::map<std::string, absl::Time> arrived() {
    absl::MutexLock lock(&mu_);
    return arrived_;
  }
  std::string error() const { return status_.ok() ? "" : status_.error_message(); }

 private:
  std::unique_ptr<v1::ChangesService::Stub> stub_;
  grpc::ClientContext context_;
  absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  std::map<std::string, absl::Time> arrived_ ABSL_GUARDED_BY(mu_);
  grpc::Status status_;
  std::thread thread_;
};

double Ms(absl::Duration d) { return absl::ToDoubleMilliseconds(d); }

double Quantile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

int Run() {
  const std::string server = absl::GetFlag(FLAGS_server);
  if (!(absl::StartsWith(server, "127.") || absl::StartsWith(server, "[::1]:"))) {
    std::fprintf(stderr, "--server=%s: give a loopback address (127.0.0.1:PORT or [::1]:PORT)\n", server.c_str());
    return 2;
  }
  const int watchers = absl::GetFlag(FLAGS_watchers);
  const int writes = absl::GetFlag(FLAGS_writes);
  const int concurrency = absl::GetFlag(FLAGS_concurrency);
  if (watchers < 0 || watchers > 64 || writes < 1 || writes > 100000 || concurrency < 1 || concurrency > 64) {
    std::fprintf(stderr, "--watchers in 0..64, --writes in 1..100000, --concurrency in 1..64\n");
    return 2;
  }
  const absl::Duration limit = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  const int first_child = absl::GetFlag(FLAGS_first_child);

  std::vector<std::unique_ptr<Watcher>> watches;
  for (int i = 0; i < watchers; ++i) {
    // A channel each: one HTTP/2 connection per watcher, as separate clients.
    grpc::ChannelArguments args;
    args.SetInt("bench_watcher", i);
    watches.push_back(std::make_unique<Watcher>(
        grpc::CreateCustomChannel(server, grpc::InsecureChannelCredentials(), args)));
  }
  for (int i = 0; i < watchers; ++i) {
    if (!watches[i]->WaitStarted()) {
      std::fprintf(stderr, "watch %d did not start: %s\n", i, watches[i]->error().c_str());
      return 1;
    }
  }

  // Write i goes to writer i % concurrency; each writer's calls one at a time.
  std::vector<absl::Time> sent(writes);
  std::vector<double> write_ms(writes, -1);
  std::atomic<int> next{0};
  std::atomic<int> failed{0};
  const absl::Time start = absl::Now();
  const absl::Time stop_at = start + limit;
  std::vector<std::thread> writers;
  for (int w = 0; w < concurrency; ++w) {
    writers.emplace_back([&, w] {
      grpc::ChannelArguments args;
      args.SetInt("bench_writer", w);
      auto stub = v1::RecordsService::NewStub(
          grpc::CreateCustomChannel(server, grpc::InsecureChannelCredentials(), args));
      for (int i = next++; i < writes && absl::Now() < stop_at; i = next++) {
        v1::RecordObservationRequest request;
        v1::ObservationInput* o = request.mutable_observation();
        o->mutable_child()->set_nhs_number(SyntheticNhsNumber(first_child + i));
        o->set_record_id(absl::StrCat("fb", first_child + i));
        o->set_record_version(1);
        o->set_system("dfe");
        o->set_code("WBRI");
        o->set_supplied_by(v1::SELF);
        o->mutable_recorded_at()->set_seconds(1764000000);
        grpc::ClientContext context;
        As(&context, "bench-school", "record-system", absl::Seconds(30));
        v1::RecordObservationResponse response;
        sent[i] = absl::Now();
        if (stub->RecordObservation(&context, request, &response).ok()) {
          write_ms[i] = Ms(absl::Now() - sent[i]);
        } else {
          ++failed;
        }
      }
    });
  }
  for (std::thread& t : writers) t.join();
  const absl::Duration elapsed = absl::Now() - start;
  int done = 0;
  std::vector<double> call_ms;
  for (double ms : write_ms) {
    if (ms >= 0) {
      ++done;
      call_ms.push_back(ms);
    }
  }
  if (done < writes) std::printf("stopped early: %d of %d writes acknowledged in %s\n", done, writes,
                                 absl::FormatDuration(elapsed).c_str());

  std::vector<double> delivery_ms;
  size_t missing = 0;
  const absl::Time wait_until = absl::Now() + absl::Seconds(30);
  for (auto& watch : watches) {
    watch->WaitFor(done, wait_until);
    const std::map<std::string, absl::Time> arrived = watch->arrived();
    for (int i = 0; i < writes; ++i) {
      if (write_ms[i] < 0) continue;
      auto it = arrived.find(absl::StrCat("fb", first_child + i));
      if (it == arrived.end()) {
        ++missing;
      } else {
        delivery_ms.push_back(Ms(it->second - sent[i]));
      }
    }
  }
  const double throughput = done / absl::ToDoubleSeconds(elapsed);
  std::printf(
      "RESULT watchers=%d writes=%d concurrency=%d failed=%d writes_per_s=%.1f write_p50_ms=%.2f write_p99_ms=%.2f "
      "delivery_p50_ms=%.2f delivery_p99_ms=%.2f delivery_max_ms=%.2f deliveries=%zu missing=%zu\n",
      watchers, done, concurrency, failed.load(), throughput, Quantile(call_ms, 0.5), Quantile(call_ms, 0.99),
      Quantile(delivery_ms, 0.5), Quantile(delivery_ms, 0.99), Quantile(delivery_ms, 1.0), delivery_ms.size(),
      missing);
  return failed.load() == 0 && missing == 0 ? 0 : 1;
}

}  // namespace
}  // namespace ethrec

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return ethrec::Run();
}
