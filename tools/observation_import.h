// Bulk loading of observations from an agency's CSV extract into ethrecd.
//
// The CSV has a header naming these columns, in any order, each exactly once
// and no others:
//   record_id,version,nhs_number,child_id,system,code,text,supplied_by,recorded_at
// nhs_number or child_id may be empty, not both; recorded_at is RFC 3339
// ("2026-11-27T10:00:00Z"); supplied_by is SELF, PARENT_OR_CARER,
// PRACTITIONER, OFFICER_OBSERVED or UNKNOWN.
//
// A rejected row never stops the good ones. Rows are checked here first
// (field count, CSV syntax, ids, version, NHS number, supplied_by,
// recorded_at); the rest go to the server in batches. A batch is all or
// nothing there, so when the server refuses one naming an item, that row is
// rejected with the server's reason and the rest of the batch is sent again:
// at most batch_size + 1 calls per batch. An error that names no row (the
// server unavailable, a storage failure, a refused identity) stops the
// import; the rows of earlier batches stay committed, and since writes are
// idempotent the same file can simply be imported again.
//
// Reasons never contain the row's NHS number or child id: a row is
// identified by its line number.
//
// Example:
//   std::ifstream csv("extract.csv");
//   absl::StatusOr<ImportSummary> s = ImportObservations(&csv, {}, [&](const auto& batch) {
//     return client->RecordBatch(batch);
//   });
#ifndef ETHREC_TOOLS_OBSERVATION_IMPORT_H_
#define ETHREC_TOOLS_OBSERVATION_IMPORT_H_

#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ethrec/v1/records_service.pb.h"

namespace ethrec::tools {

// The most rows in one batch: the server's default limit.
inline constexpr int kMaxImportBatchSize = 1000;

struct ImportOptions {
  // Rows per RecordObservations call, 1 to kMaxImportBatchSize. Default 500.
  int batch_size = 500;
  // Called after each batch is settled, and once at the end, with the number
  // of rows settled so far (accepted or rejected). Default: none.
  std::function<void(int64_t rows_done)> progress;
};

// Sends one batch, as RecordsClient::RecordBatch does: an error about one
// item carries its index (BatchItemOf, mapping/status_field.h).
using BatchWriter =
    std::function<absl::StatusOr<v1::RecordObservationsResponse>(const v1::RecordObservationsRequest&)>;

struct ImportRejection {
  int line = 0;            // where the row starts in the file, from 1
  absl::StatusCode code = absl::StatusCode::kInvalidArgument;
  std::string field;       // the API field at fault ("child.nhs_number"), or ""
  std::string reason;      // never holds the row's NHS number or child id
};

struct ImportSummary {
  int64_t rows_read = 0;  // data rows read (blank lines not counted)
  int64_t inserted = 0;
  int64_t duplicate = 0;
  int64_t historical = 0;
  std::vector<ImportRejection> rejections;  // by line
  // OK, or the error that stopped the import early.
  absl::Status stopped;
  // When stopped: the first line of the batch that was not stored; no row
  // from that line on was imported.
  int stopped_at_line = 0;

  int64_t accepted() const { return inserted + duplicate + historical; }
};

// Reads the CSV from `csv` and writes its rows through `write`. Returns the
// summary, also when rows were rejected or the import stopped. Errors, with
// nothing sent: InvalidArgument naming line 1 when the header is missing or
// wrong, or when options.batch_size is out of range.
absl::StatusOr<ImportSummary> ImportObservations(std::istream* csv, const ImportOptions& options,
                                                 const BatchWriter& write);

// The number of CSV records after the header in `csv` (blank lines not
// counted): the total for a progress display. Reads `csv` to its end.
int64_t CountCsvRows(std::istream* csv);

// One line of progress, e.g. "[#####               ] 1500/6000 rows  2400 rows/s".
std::string FormatImportProgress(int64_t done, int64_t total, absl::Duration elapsed);

}  // namespace ethrec::tools

#endif  // ETHREC_TOOLS_OBSERVATION_IMPORT_H_
