// ethrec_sqlite_baseline: the floor ethrec_load holds RecordObservations
// against (--mode=record-batch). It inserts the rows RecordObservations
// stores for a new child (child, NHS number link, record, observation) with
// prepared statements into a fresh database created by the store itself:
// the same schema, pragmas, row codec and batch transactions, without the
// service around it. It lives beside the store, not in tools/, because it
// uses the store's internal schema and codec; ethrec_load runs it.
//
// Prints one line: "rows N calls N seconds S error TEXT" (TEXT empty when
// every insert succeeded). Bounded by --seconds and --max_rows.
//   ethrec_sqlite_baseline --dir=/tmp --batch=500 --seconds=3
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "mapping/normalizer.h"
#include "mapping/observation.h"
#include "service/sqlite/row_codec.h"
#include "service/sqlite/schema.h"
#include "service/sqlite_store.h"

ABSL_FLAG(std::string, dir, "/tmp", "where the temporary database goes (removed after)");
ABSL_FLAG(int, batch, 500, "rows per transaction");
ABSL_FLAG(double, seconds, 5, "time limit");
ABSL_FLAG(int64_t, max_rows, 500000000, "row limit");

namespace ethrec {
namespace {

int Main() {
  const std::string path = absl::StrCat(absl::GetFlag(FLAGS_dir), "/ethrec_sqlite_baseline_", getpid(), ".db");
  auto remove_files = [&] {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  };
  remove_files();
  absl::StatusOr<std::unique_ptr<Normalizer>> normalizer = Normalizer::Create(LoadOptions());
  if (!normalizer.ok()) {
    std::fprintf(stderr, "ethrec_sqlite_baseline: %s\n", std::string(normalizer.status().message()).c_str());
    return 1;
  }
  {
    absl::StatusOr<std::unique_ptr<Store>> store = OpenSqliteStore({.path = path});
    if (!store.ok()) {
      std::fprintf(stderr, "ethrec_sqlite_baseline: %s\n", std::string(store.status().message()).c_str());
      return 1;
    }
    (void)(*store)->Close();
  }
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", nullptr, nullptr,
               nullptr);
  sqlite3_stmt *child, *link, *record, *obs;
  sqlite3_prepare_v2(db, "INSERT INTO children (created_at_us) VALUES (?)", -1, &child, nullptr);
  sqlite3_prepare_v2(db, "INSERT INTO child_nhs_numbers (nhs_number, child_id) VALUES (?, ?)", -1, &link, nullptr);
  sqlite3_prepare_v2(db, "INSERT INTO records (agency, record_id, child_id, current_version) VALUES (?, ?, ?, 1)",
                     -1, &record, nullptr);
  // The observation row exactly as the store writes it: its schema's
  // columns, bound by its row codec.
  const std::string cols = absl::StrCat(
      "INSERT INTO observations (", sqlite_internal::kObservationColumns, ") VALUES (?",
      absl::StrJoin(std::vector<std::string>(sqlite_internal::kNumObservationColumns - 1, ", ?"), ""), ")");
  sqlite3_prepare_v2(db, cols.c_str(), -1, &obs, nullptr);
  absl::StatusOr<Normalized> value = (*normalizer)->Normalize({.system = "dfe", .code = "BAFR"});
  const int batch = absl::GetFlag(FLAGS_batch);
  using Clock = std::chrono::steady_clock;
  const auto begin = Clock::now();
  const auto deadline = begin + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(absl::GetFlag(FLAGS_seconds)));
  int64_t row = 0, calls = 0;
  std::string first_error = value.ok() ? "" : std::string(value.status().message());
  auto text = [](sqlite3_stmt* s, int i, const std::string& v) {
    sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  };
  while (value.ok() && Clock::now() < deadline && row < absl::GetFlag(FLAGS_max_rows)) {
    sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    for (int k = 0; k < batch; ++k, ++row) {
      const std::string nhs = SyntheticNhsNumber(row);
      const std::string record_id = absl::StrCat("bare-", row);
      sqlite3_bind_int64(child, 1, row);
      sqlite3_step(child);
      sqlite3_reset(child);
      const int64_t child_id = sqlite3_last_insert_rowid(db);
      text(link, 1, nhs);
      sqlite3_bind_int64(link, 2, child_id);
      sqlite3_step(link);
      sqlite3_reset(link);
      text(record, 1, "load-test");
      text(record, 2, record_id);
      sqlite3_bind_int64(record, 3, child_id);
      sqlite3_step(record);
      sqlite3_reset(record);
      Observation o;
      o.agency = "load-test";
      o.record_id = record_id;
      o.record_version = 1;
      o.nhs_number = nhs;
      o.system = "dfe";
      o.code = "BAFR";
      o.supplied_by = SuppliedBy::kSelf;
      o.recorded_at = absl::FromUnixMicros(row);
      const sqlite_internal::EncodedNormalized encoded(*value);
      absl::Status inserted = [&] {
        sqlite_internal::Query q(db, obs);
        return sqlite_internal::BindObservation(q, o, *value, encoded, row).Run();
      }();
      if (!inserted.ok() && first_error.empty()) first_error = std::string(inserted.message());
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    ++calls;
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - begin).count();
  for (sqlite3_stmt* s : {child, link, record, obs}) sqlite3_finalize(s);
  sqlite3_close(db);
  remove_files();
  std::printf("rows %lld calls %lld seconds %.6f error %s\n", static_cast<long long>(row),
              static_cast<long long>(calls), seconds, first_error.c_str());
  return 0;
}

}  // namespace
}  // namespace ethrec

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return ethrec::Main();
}
