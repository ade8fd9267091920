// libFuzzer target: the CSV reader (tools/csv.h) on arbitrary bytes, and the
// observation import (tools/observation_import.h) that reads an agency's
// extract through it, against a fake server. The reader must make progress
// and number its lines upwards; the import must account for every row it
// read (accepted or rejected) and never stop unless the server said so.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "mapping/status_field.h"
#include "tests/fuzz/fuzz_check.h"
#include "tools/csv.h"
#include "tools/observation_import.h"

namespace {

using ::ethrec::tools::CsvReader;
using ::ethrec::tools::CsvRecord;

// Reads every record; returns how many calls of Next answered a record or
// an error.
int64_t ReadAll(const std::string& bytes) {
  std::istringstream in(bytes);
  CsvReader reader(&in);
  CsvRecord record;
  int64_t answers = 0;
  int last_line = 0;
  for (;;) {
    absl::StatusOr<bool> more = reader.Next(&record);
    if (more.ok() && !*more) break;
    ++answers;
    // Every answer consumes at least a byte: no more answers than bytes.
    ETHREC_FUZZ_CHECK(answers <= static_cast<int64_t>(bytes.size()));
    ETHREC_FUZZ_CHECK(record.line > last_line);
    last_line = record.line;
    if (more.ok()) {
      ETHREC_FUZZ_CHECK(!record.fields.empty());
    } else {
      ETHREC_FUZZ_CHECK(more.status().code() == absl::StatusCode::kInvalidArgument);
    }
  }
  return answers;
}

// A fake RecordsService: refuses, one at a time as the server does, each
// item whose system is "nope"; fails the whole call (naming no item) for a
// system "down"; accepts the rest.
absl::StatusOr<ethrec::v1::RecordObservationsResponse> FakeWrite(const ethrec::v1::RecordObservationsRequest& batch) {
  ETHREC_FUZZ_CHECK(batch.observations_size() > 0);
  for (int i = 0; i < batch.observations_size(); ++i) {
    const ethrec::v1::ObservationInput& o = batch.observations(i);
    if (o.system() == "down") return absl::UnavailableError("the server is down");
    if (o.system() == "nope") {
      return ethrec::WithBatchItem(
          ethrec::WithField(absl::NotFoundError(absl::StrCat("observations[", i, "]: unknown code system")),
                            "system"),
          static_cast<size_t>(i));
    }
  }
  ethrec::v1::RecordObservationsResponse response;
  for (int i = 0; i < batch.observations_size(); ++i) response.add_results()->set_outcome(ethrec::v1::INSERTED);
  return response;
}

void Import(const std::string& bytes) {
  std::istringstream in(bytes);
  ethrec::tools::ImportOptions options;
  options.batch_size = 3;  // small, so that short inputs make several batches
  absl::StatusOr<ethrec::tools::ImportSummary> summary = ethrec::tools::ImportObservations(&in, options, FakeWrite);
  if (!summary.ok()) {
    ETHREC_FUZZ_CHECK(summary.status().code() == absl::StatusCode::kInvalidArgument);
    return;
  }
  if (!summary->stopped.ok()) {
    ETHREC_FUZZ_CHECK(summary->stopped.code() == absl::StatusCode::kUnavailable);
    return;
  }
  ETHREC_FUZZ_CHECK(summary->rows_read ==
                    summary->accepted() + static_cast<int64_t>(summary->rejections.size()));
  int last_line = 0;
  for (const ethrec::tools::ImportRejection& r : summary->rejections) {
    ETHREC_FUZZ_CHECK(r.line >= last_line && r.line >= 2);
    last_line = r.line;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  ReadAll(bytes);
  Import(bytes);
  return 0;
}
