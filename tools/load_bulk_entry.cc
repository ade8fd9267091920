// --mode=bulk-entry: what a record system sees at data entry while an
// integration engineer bulk-loads (issue 12, item 5). Each round measures
// single RecordObservation calls, one at a time, first on an idle server,
// then while `kBulkClients` clients each keep one --batch-row
// RecordObservations call in flight; it prints both and the p50 and p99
// ratios (loaded / idle), then their medians over --rounds rounds.
// Each single write is a GP's record about a child a school already holds
// (seeded first), so it is reconciled and its findings fed back; each bulk
// row is a new child's school record. Every run is bounded by --seconds.
#include <algorithm>
#include <cstdio>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "mapping/observation.h"
#include "tools/internal/load_runner.h"

namespace ethrec::load_internal {
namespace {

constexpr int kBulkClients = 2;
constexpr int64_t kChildren = 20000;

// One GP record per call about a seeded child; `tag` keeps every run's
// record ids new.
Result SingleWrites(const std::string& name, v1::RecordsService::Stub* records, int64_t first_child,
                    const std::string& tag, double seconds) {
  return RunAsync<v1::RecordObservationRequest, v1::RecordObservationResponse>(
      name,
      [records](grpc::ClientContext* c, const v1::RecordObservationRequest& q, grpc::CompletionQueue* cq) {
        return records->PrepareAsyncRecordObservation(c, q, cq);
      },
      [first_child, tag](int64_t call) {
        v1::RecordObservationRequest q;
        v1::ObservationInput* o = q.mutable_observation();
        o->mutable_child()->set_nhs_number(SyntheticNhsNumber(first_child + call % kChildren));
        o->set_record_id(absl::StrCat("gp-", tag, "-", call));
        o->set_record_version(1);
        o->set_system("nhs-ethnic-category");
        o->set_code("A");
        o->set_supplied_by(v1::PRACTITIONER);
        o->mutable_recorded_at()->set_seconds(1764000100);
        return q;
      },
      1, [](int64_t, const v1::RecordObservationResponse& r) { return r.outcome() == v1::INSERTED; }, "load-gp",
      /*concurrency=*/1, seconds);
}

// Batches of new children's school records from row `*next_row` on.
Result BulkWrites(v1::RecordsService::Stub* records, int batch, int64_t* next_row, double seconds) {
  const int64_t first_row = *next_row;
  Result r = RunAsync<v1::RecordObservationsRequest, v1::RecordObservationsResponse>(
      "RecordObservations (rows)",
      [records](grpc::ClientContext* c, const v1::RecordObservationsRequest& q, grpc::CompletionQueue* cq) {
        return records->PrepareAsyncRecordObservations(c, q, cq);
      },
      [first_row, batch](int64_t call) {
        v1::RecordObservationsRequest q;
        q.set_view(v1::BASIC);
        for (int k = 0; k < batch; ++k) {
          const int64_t row = first_row + call * batch + k;
          v1::ObservationInput* o = q.add_observations();
          o->mutable_child()->set_nhs_number(SyntheticNhsNumber(row));
          o->set_record_id(absl::StrCat("bulk-", row));
          o->set_record_version(1);
          o->set_system("dfe");
          o->set_code("BAFR");
          o->set_supplied_by(v1::SELF);
          o->mutable_recorded_at()->set_seconds(1764000000);
        }
        return q;
      },
      batch, nullptr, "load-bulk", kBulkClients, seconds);
  *next_row = first_row + r.calls * batch;
  return r;
}

void PrintRatio(const char* what, std::vector<double> ratios) {
  if (ratios.empty()) {
    std::printf("RATIO %s: no clean round\n", what);
    return;
  }
  std::sort(ratios.begin(), ratios.end());
  std::printf("RATIO %s: median %.2f, range %.2f..%.2f over %zu rounds (target <= 5)\n", what,
              ratios[ratios.size() / 2], ratios.front(), ratios.back(), ratios.size());
}

}  // namespace

int BulkEntry(v1::RecordsService::Stub* records, int64_t record_base, int batch) {
  const int64_t first_child = record_base;
  if (!SeedChildren(records, first_child, kChildren, batch)) return 1;
  // The bulk rows' children come after the seeded ones.
  int64_t next_row = first_child + kChildren;
  const double seconds = absl::GetFlag(FLAGS_seconds);
  std::vector<double> p50s, p99s;
  for (int round = 1; round <= std::max(1, absl::GetFlag(FLAGS_rounds)); ++round) {
    // Idle means idle: the seeding's or the last round's writes are still
    // being checkpointed (a server may do that off the write path), so let
    // that finish before the idle figures are taken.
    std::this_thread::sleep_for(std::chrono::seconds(2));
    Result idle = SingleWrites("RecordObservation idle", records, first_child, absl::StrCat(round, "i"), seconds);
    // The bulk load starts first and outlasts the measured calls, so that
    // every one of them meets it.
    Result bulk;
    std::thread loader([&] { bulk = BulkWrites(records, batch, &next_row, seconds + 1.0); });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    Result loaded =
        SingleWrites("RecordObservation loaded", records, first_child, absl::StrCat(round, "l"), seconds);
    loader.join();
    std::printf("round %d\n", round);
    Print(idle);
    Print(loaded);
    Print(bulk);
    if (idle.errors > 0 || loaded.errors > 0 || bulk.errors > 0) return 1;
    if (idle.p50_us > 0 && idle.p99_us > 0) {
      p50s.push_back(loaded.p50_us / idle.p50_us);
      p99s.push_back(loaded.p99_us / idle.p99_us);
    }
  }
  PrintRatio("loaded/idle-p50 data-entry latency under a bulk load", p50s);
  PrintRatio("loaded/idle-p99 data-entry latency under a bulk load", p99s);
  return 0;
}

}  // namespace ethrec::load_internal
