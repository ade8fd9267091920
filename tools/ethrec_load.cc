// ethrec_load: a load generator for ethrecd (async gRPC client), bounded in
// calls and time, loopback only. `compare` (the default) measures, in one
// run, each ratio the service is held to:
//   Normalize calls/s        / Echo calls/s                  (target >= 0.85)
//   NormalizeBatch codes/s   / in-process Normalize loop      (target >= 0.5)
//     (the NormalizeBatch client sends pre-serialised requests as raw bytes
//      and checks every response against one it verified in full: it
//      measures what the server sustains, as h2load would)
//   RecordObservations rows/s / bare SQLite prepared inserts
//                              of the same rows, same schema  (target >= 0.5)
// `data-entry` measures what a record system sees at data entry: one
// RecordObservation at a time about a child who already told another
// agency who they are, so every write is reconciled and fed back. It
// alternates plain writes (A) and validate_only (B), --rounds times each,
// and prints each round's p50 and the median B/A ratio.
// `child-reads` and `child-writes` measure GetChild and RecordObservation
// calls per second (each about one of 20,000 seeded children, by the agency
// that holds them) against --server (A) and --server_b (B), interleaved
// A, B, A, B, and print the median B/A ratio: two builds side by side, e.g.
// without and with the audit trail (tools/audit_ab.sh).
// `bulk-entry` (tools/load_bulk_entry.cc) measures data entry's latency
// while a bulk load runs, against the same on an idle server.
//
// Usage: ethrec_load --server=127.0.0.1:PORT [--mode=compare|echo|normalize|
//        normalize-batch|record-batch|data-entry|bulk-entry|child-reads|child-writes]
//        [--server_b=127.0.0.1:PORT] [--concurrency=32] [--seconds=5]
//        [--max_calls=1000000] [--batch=500] [--rounds=5]
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ethrec/v1/diagnostics_service.grpc.pb.h"
#include "ethrec/v1/records_service.grpc.pb.h"
#include "ethrec/v1/taxonomy_service.grpc.pb.h"
#include "mapping/normalizer.h"
#include "mapping/observation.h"
#include "tools/internal/load_runner.h"

ABSL_FLAG(std::string, server, "", "ethrecd address: 127.0.0.1:PORT or [::1]:PORT (loopback only)");
ABSL_FLAG(std::string, mode, "compare",
          "compare, echo, normalize, normalize-batch, record-batch, data-entry, bulk-entry, child-reads, child-writes or "
          "tls");
ABSL_FLAG(std::string, server_b, "", "child-reads, child-writes: the second ethrecd (B), also on loopback");
ABSL_FLAG(std::string, tls_server, "",
          "--mode=tls: a second ethrecd, serving mutual TLS, compared with --server (plaintext)");
ABSL_FLAG(std::string, tls_ca, "", "--mode=tls: PEM CA of the TLS server's certificate");
ABSL_FLAG(std::string, tls_cert, "", "--mode=tls: the client's PEM certificate (a record-system SPIFFE ID)");
ABSL_FLAG(std::string, tls_key, "", "--mode=tls: its PEM private key");
ABSL_FLAG(int, rounds, 5, "A/B pairs per ratio, measured interleaved (each side --seconds)");
ABSL_FLAG(bool, expect_feedback, true,
          "data-entry: every answer must carry findings (false to time a server from before feedback)");
ABSL_FLAG(int, concurrency, 32, "calls in flight");
ABSL_FLAG(double, seconds, 5, "time limit per measurement");
ABSL_FLAG(int64_t, max_calls, 1000000, "call limit per measurement");
ABSL_FLAG(int, batch, 500, "items per batch call");
ABSL_FLAG(std::string, sqlite_baseline, "",
          "record-batch: the ethrec_sqlite_baseline binary (default: the build's, service/ beside tools/)");
ABSL_FLAG(bool, basic_view, true,
          "NormalizeBatch and RecordObservations ask for the BASIC view (no words, no feedback)");

namespace ethrec {
namespace {

using load_internal::BulkEntry;
using load_internal::ChildReads;
using load_internal::CompareTls;
using load_internal::Interleaved;
using load_internal::NormalizeCalls;
using load_internal::IsLoopback;
using load_internal::Print;
using load_internal::Result;
using load_internal::RunAsync;
using load_internal::SeedChildren;
using Clock = std::chrono::steady_clock;

std::vector<std::pair<std::string, std::string>> AllCodes(const Normalizer& n) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const CodeSystem* s : n.registry().systems()) {
    for (const Concept& c : s->concepts) out.emplace_back(s->id, c.code);
  }
  return out;
}


Result InProcessNormalize(const Normalizer& n, const std::vector<std::pair<std::string, std::string>>& codes) {
  Result r;
  r.name = "in-process Normalize loop";
  const auto begin = Clock::now();
  const auto deadline = begin + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(absl::GetFlag(FLAGS_seconds)));
  for (int64_t i = 0; Clock::now() < deadline; ++i) {
    for (int k = 0; k < 1000; ++k, ++i) {
      const auto& [system, code] = codes[i % codes.size()];
      absl::StatusOr<Normalized> v = n.Normalize({.system = system, .code = code});
      r.items += v.ok();
    }
    r.calls = i;
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - begin).count();
  return r;
}

// The floor RecordObservations is held to: ethrec_sqlite_baseline (built
// beside ethrecd, service/sqlite/baseline_main.cc) inserts the same rows
// with prepared statements into the store's own schema, for --seconds.
Result BareSqliteInserts() {
  Result r;
  r.name = "bare SQLite inserts";
  std::string binary = absl::GetFlag(FLAGS_sqlite_baseline);
  if (binary.empty()) {
    char self[4096];
    const ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    const std::string exe(self, n > 0 ? static_cast<size_t>(n) : 0);
    binary = exe.substr(0, exe.rfind('/') + 1) + "../service/ethrec_sqlite_baseline";
  }
  const std::string command =
      absl::StrCat(binary, " --batch=", absl::GetFlag(FLAGS_batch),
                   " --seconds=", absl::GetFlag(FLAGS_seconds), " --max_rows=",
                   absl::GetFlag(FLAGS_max_calls) * absl::GetFlag(FLAGS_batch));
  FILE* out = popen(command.c_str(), "r");
  if (out == nullptr) {
    r.errors = 1;
    r.first_error = "could not run " + command;
    return r;
  }
  std::string line;
  for (int c; (c = std::fgetc(out)) != EOF;) line += static_cast<char>(c);
  const int status = pclose(out);
  long long rows = 0, calls = 0;
  double seconds = 0;
  if (status != 0 || std::sscanf(line.c_str(), "rows %lld calls %lld seconds %lf", &rows, &calls, &seconds) != 3) {
    r.errors = 1;
    r.first_error = absl::StrCat(command, " failed (status ", status, "): ", line);
    return r;
  }
  if (const size_t at = line.find(" error "); at != std::string::npos && line.size() > at + 8) {
    r.errors = 1;
    r.first_error = line.substr(at + 7);
  }
  r.items = rows;
  r.calls = calls;
  r.seconds = seconds;
  return r;
}

int Main() {
  const std::string address = absl::GetFlag(FLAGS_server);
  if (!IsLoopback(address)) {
    std::cerr << "ethrec_load: --server must be a loopback address (127.x.x.x:PORT, localhost:PORT or "
                 "[::1]:PORT)\n";
    return 2;
  }
  auto created = Normalizer::Create(LoadOptions());
  if (!created.ok()) {
    std::cerr << "ethrec_load: " << created.status() << "\n";
    return 1;
  }
  const Normalizer& normalizer = **created;
  const auto codes = AllCodes(normalizer);
  auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  if (absl::GetFlag(FLAGS_mode) == "tls") return CompareTls(channel, codes);
  auto taxonomy = v1::TaxonomyService::NewStub(channel);
  auto records = v1::RecordsService::NewStub(channel);
  static int64_t record_base = static_cast<int64_t>(getpid()) * 1000;
  if (absl::GetFlag(FLAGS_mode) == "bulk-entry") {
    return BulkEntry(records.get(), record_base, absl::GetFlag(FLAGS_batch));
  }
  auto diagnostics = v1::DiagnosticsService::NewStub(channel);
  const int batch = absl::GetFlag(FLAGS_batch);
  const std::string mode = absl::GetFlag(FLAGS_mode);
  const bool all = mode == "compare";
  const int rounds = std::max(1, absl::GetFlag(FLAGS_rounds));

  auto echo = [&] {
    return RunAsync<v1::EchoRequest, v1::EchoResponse>(
        "Echo",
        [&](grpc::ClientContext* c, const v1::EchoRequest& q, grpc::CompletionQueue* cq) {
          return diagnostics->PrepareAsyncEcho(c, q, cq);
        },
        [](int64_t) {
          v1::EchoRequest q;
          q.set_message("WBRI");
          return q;
        },
        1);
  };
  auto normalize = [&] { return NormalizeCalls("Normalize", taxonomy.get(), codes); };
  // NormalizeBatch measures what the server sustains, so the client works
  // like h2load: a rotation of requests serialised once, sent as raw bytes.
  // Each request's answer is first fetched and checked in full (one result
  // per item, in order, each a value); during the run every response must
  // then be exactly as long as that checked answer.
  auto normalize_batch = [&]() -> Result {
    constexpr int kRequests = 16;
    std::vector<grpc::ByteBuffer> requests;
    std::vector<size_t> answer_sizes;
    for (int call = 0; call < kRequests; ++call) {
      v1::NormalizeBatchRequest q;
      q.set_view(absl::GetFlag(FLAGS_basic_view) ? v1::BASIC : v1::FULL);
      for (int k = 0; k < batch; ++k) {
        const auto& [system, code] = codes[(call * batch + k) % codes.size()];
        v1::NormalizeBatchItem* item = q.add_items();
        item->set_id(std::to_string(k));
        item->mutable_request()->set_system(system);
        item->mutable_request()->set_code(code);
      }
      grpc::ClientContext context;
      context.AddMetadata("x-ethrec-agency", "load-test");
      context.AddMetadata("x-ethrec-role", "record-system");
      v1::NormalizeBatchResponse answer;
      grpc::Status status = taxonomy->NormalizeBatch(&context, q, &answer);
      bool good = status.ok() && answer.results_size() == batch;
      for (int k = 0; good && k < batch; ++k) {
        good = answer.results(k).id() == std::to_string(k) && answer.results(k).has_value();
      }
      if (!good) {
        Result failed;
        failed.name = "NormalizeBatch (codes)";
        failed.errors = 1;
        failed.first_error = status.ok() ? "the checked answer is not one value per item" : status.error_message();
        return failed;
      }
      answer_sizes.push_back(answer.ByteSizeLong());
      const std::string bytes = q.SerializeAsString();
      grpc::Slice slice(bytes);
      requests.emplace_back(&slice, 1);
    }
    grpc::GenericStub generic(channel);
    return RunAsync<grpc::ByteBuffer, grpc::ByteBuffer>(
        "NormalizeBatch (codes)",
        [&](grpc::ClientContext* c, const grpc::ByteBuffer& q, grpc::CompletionQueue* cq) {
          return generic.PrepareUnaryCall(c, "/ethrec.v1.TaxonomyService/NormalizeBatch", q, cq);
        },
        [&](int64_t call) { return requests[call % kRequests]; }, batch,
        [&](int64_t call, const grpc::ByteBuffer& response) {
          return response.Length() == answer_sizes[call % kRequests];
        });
  };
  // Every run writes new rows (a repeated row would be a cheap DUPLICATE):
  // each starts after the rows the runs before it sent.
  int64_t next_row = record_base;
  auto record_batch = [&] {
    const int64_t first_row = next_row;
    Result r = RunAsync<v1::RecordObservationsRequest, v1::RecordObservationsResponse>(
        "RecordObservations (rows)",
        [&](grpc::ClientContext* c, const v1::RecordObservationsRequest& q, grpc::CompletionQueue* cq) {
          return records->PrepareAsyncRecordObservations(c, q, cq);
        },
        [&](int64_t call) {
          v1::RecordObservationsRequest q;
          q.set_view(absl::GetFlag(FLAGS_basic_view) ? v1::BASIC : v1::FULL);
          for (int k = 0; k < batch; ++k) {
            const int64_t row = first_row + call * batch + k;
            v1::ObservationInput* o = q.add_observations();
            o->mutable_child()->set_nhs_number(SyntheticNhsNumber(row));
            o->set_record_id(absl::StrCat("load-", row));
            o->set_record_version(1);
            o->set_system("dfe");
            o->set_code("BAFR");
            o->set_supplied_by(v1::SELF);
            o->mutable_recorded_at()->set_seconds(1764000000);
          }
          return q;
        },
        batch);
    next_row = first_row + r.calls * batch;
    return r;
  };

  // Data entry: the children told a school who they are (seeded in
  // batches); each measured call is a GP's record about one of them that
  // contradicts it, so it raises findings that are fed back.
  auto data_entry_on = [&](v1::RecordsService::Stub* stub, bool validate_only, int64_t first_child,
                           int64_t children) {
    return RunAsync<v1::RecordObservationRequest, v1::RecordObservationResponse>(
        validate_only ? "RecordObservation validate_only" : "RecordObservation",
        [stub](grpc::ClientContext* c, const v1::RecordObservationRequest& q, grpc::CompletionQueue* cq) {
          return stub->PrepareAsyncRecordObservation(c, q, cq);
        },
        [&, validate_only](int64_t call) {
          v1::RecordObservationRequest q;
          const int64_t child = first_child + call % children;
          v1::ObservationInput* o = q.mutable_observation();
          o->mutable_child()->set_nhs_number(SyntheticNhsNumber(child));
          o->set_record_id(absl::StrCat("gp-", validate_only ? "v" : "w", "-", record_base, "-", call));
          o->set_record_version(1);
          o->set_system("nhs-ethnic-category");
          o->set_code("A");
          o->set_supplied_by(v1::PRACTITIONER);
          o->mutable_recorded_at()->set_seconds(1764000100);
          q.set_validate_only(validate_only);
          return q;
        },
        1, [](int64_t, const v1::RecordObservationResponse& r) {
          return !absl::GetFlag(FLAGS_expect_feedback) || r.findings_size() > 0;
        });
  };
  auto data_entry = [&](bool validate_only, int64_t first_child, int64_t children) {
    return data_entry_on(records.get(), validate_only, first_child, children);
  };
  auto seed_children_on = [&](v1::RecordsService::Stub* stub, int64_t first_child, int64_t children) {
    return SeedChildren(stub, first_child, children, batch);
  };
  auto seed_children = [&](int64_t first_child, int64_t children) {
    return seed_children_on(records.get(), first_child, children);
  };
  auto child_reads_on = [&](v1::RecordsService::Stub* stub, int64_t first_child, int64_t children) {
    return ChildReads("GetChild", stub, first_child, children);
  };
  // A new GP record about one of the seeded children per call (`round`
  // keeps each round's records new), reconciled with the school's.
  auto child_writes_on = [&](v1::RecordsService::Stub* stub, int round, int64_t first_child, int64_t children) {
    return RunAsync<v1::RecordObservationRequest, v1::RecordObservationResponse>(
        "RecordObservation",
        [stub](grpc::ClientContext* c, const v1::RecordObservationRequest& q, grpc::CompletionQueue* cq) {
          return stub->PrepareAsyncRecordObservation(c, q, cq);
        },
        [round, first_child, children](int64_t call) {
          v1::RecordObservationRequest q;
          v1::ObservationInput* o = q.mutable_observation();
          o->mutable_child()->set_nhs_number(SyntheticNhsNumber(first_child + call % children));
          o->set_record_id(absl::StrCat("gp-", round, "-", call));
          o->set_record_version(1);
          o->set_system("nhs-ethnic-category");
          o->set_code("A");
          o->set_supplied_by(v1::PRACTITIONER);
          o->mutable_recorded_at()->set_seconds(1764000100);
          return q;
        },
        1, [](int64_t, const v1::RecordObservationResponse& r) { return r.outcome() == v1::INSERTED; });
  };

  std::printf("ethrec_load against %s: concurrency %d, %.1f s per measurement, batch %d\n", address.c_str(),
              absl::GetFlag(FLAGS_concurrency), absl::GetFlag(FLAGS_seconds), batch);
  if (all || mode == "echo" || mode == "normalize") {
    Interleaved("Normalize/Echo calls per second", 0.85, echo, normalize);
  }
  if (all || mode == "normalize-batch") {
    Interleaved("NormalizeBatch/in-process codes per second", 0.5,
                [&] { return InProcessNormalize(normalizer, codes); }, normalize_batch);
  }
  if (all || mode == "record-batch") {
    Interleaved("RecordObservations/bare SQLite rows per second", 0.5,
                [] { return BareSqliteInserts(); }, record_batch);
  }
  if (mode == "child-reads" || mode == "child-writes") {
    const std::string address_b = absl::GetFlag(FLAGS_server_b);
    if (!IsLoopback(address_b)) {
      std::cerr << "ethrec_load: --mode=" << mode << " needs --server_b, a loopback address\n";
      return 2;
    }
    auto records_b = v1::RecordsService::NewStub(grpc::CreateChannel(address_b, grpc::InsecureChannelCredentials()));
    constexpr int64_t kChildren = 20000;
    const int64_t first_child = record_base;
    if (!seed_children_on(records.get(), first_child, kChildren) ||
        !seed_children_on(records_b.get(), first_child, kChildren)) {
      return 1;
    }
    std::vector<double> ratios;
    for (int round = 1; round <= rounds; ++round) {
      const bool reads = mode == "child-reads";
      Result a = reads ? child_reads_on(records.get(), first_child, kChildren)
                       : child_writes_on(records.get(), round, first_child, kChildren);
      Result b = reads ? child_reads_on(records_b.get(), first_child, kChildren)
                       : child_writes_on(records_b.get(), round, first_child, kChildren);
      std::printf("round %d: A then B\n", round);
      Print(a);
      Print(b);
      if (a.errors > 0 || b.errors > 0) return 1;
      if (a.items_per_second() > 0) ratios.push_back(b.items_per_second() / a.items_per_second());
    }
    std::sort(ratios.begin(), ratios.end());
    if (!ratios.empty()) {
      std::printf("RATIO %s B/A calls per second: median %.3f, range %.3f..%.3f over %zu rounds\n", mode.c_str(),
                  ratios[ratios.size() / 2], ratios.front(), ratios.back(), ratios.size());
    }
  }
  if (mode == "data-entry") {
    constexpr int64_t kChildren = 20000;
    const int64_t first_child = record_base;
    if (!seed_children(first_child, kChildren)) return 1;
    std::vector<double> ratios;
    for (int round = 1; round <= std::max(1, absl::GetFlag(FLAGS_rounds)); ++round) {
      Result a = data_entry(false, first_child, kChildren);
      Result b = data_entry(absl::GetFlag(FLAGS_expect_feedback), first_child, kChildren);
      std::printf("round %d\n", round);
      Print(a);
      Print(b);
      if (a.errors > 0 || b.errors > 0) return 1;
      if (a.p50_us > 0) ratios.push_back(b.p50_us / a.p50_us);
    }
    std::sort(ratios.begin(), ratios.end());
    if (!ratios.empty()) {
      std::printf("RATIO validate_only/write p50 latency: median %.2f, range %.2f..%.2f over %zu rounds\n",
                  ratios[ratios.size() / 2], ratios.front(), ratios.back(), ratios.size());
    }
  }
  return 0;
}

}  // namespace
}  // namespace ethrec

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return ethrec::Main();
}
