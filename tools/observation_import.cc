#include "tools/observation_import.h"

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include "api/convert.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "mapping/observation.h"
#include "mapping/status_field.h"
#include "tools/csv.h"
#include "tools/records_client.h"

namespace ethrec::tools {
namespace {

enum Column { kRecordId, kVersion, kNhsNumber, kChildId, kSystem, kCode, kText, kSuppliedBy, kRecordedAt, kNumColumns };

constexpr std::array<absl::string_view, kNumColumns> kColumnNames = {
    "record_id", "version", "nhs_number", "child_id", "system", "code", "text", "supplied_by", "recorded_at"};

// Where each column is in the file.
using ColumnIndex = std::array<size_t, kNumColumns>;

absl::StatusOr<ColumnIndex> ParseHeader(const CsvRecord& header) {
  const std::string expected = absl::StrCat("; expected ", absl::StrJoin(kColumnNames, ","));
  constexpr size_t kAbsent = static_cast<size_t>(-1);
  ColumnIndex index;
  index.fill(kAbsent);
  for (size_t i = 0; i < header.fields.size(); ++i) {
    auto it = std::find(kColumnNames.begin(), kColumnNames.end(), header.fields[i]);
    if (it == kColumnNames.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("line 1: unknown column \"", header.fields[i], "\" in the header", expected));
    }
    size_t& slot = index[it - kColumnNames.begin()];
    if (slot != kAbsent) return absl::InvalidArgumentError(absl::StrCat("line 1: column \"", *it, "\" appears twice"));
    slot = i;
  }
  for (int c = 0; c < kNumColumns; ++c) {
    if (index[c] == kAbsent) {
      return absl::InvalidArgumentError(
          absl::StrCat("line 1: the header has no \"", kColumnNames[c], "\" column", expected));
    }
  }
  return index;
}

absl::Status Invalid(absl::string_view field, absl::string_view message) {
  return WithField(absl::InvalidArgumentError(message), field);
}

// The checks that need no server. Messages never echo a cell: a misplaced
// column could put an NHS number anywhere.
absl::StatusOr<v1::ObservationInput> ParseRow(const CsvRecord& row, const ColumnIndex& col) {
  if (row.fields.size() != kNumColumns) {
    return Invalid("", absl::StrCat("the row has ", row.fields.size(), " fields; the header has ", kNumColumns));
  }
  auto cell = [&](Column c) -> const std::string& { return row.fields[col[c]]; };
  v1::ObservationInput o;
  if (absl::Status s = ValidateId("record_id", cell(kRecordId)); !s.ok()) return WithField(s, "record_id");
  o.set_record_id(cell(kRecordId));
  int64_t version = 0;
  if (!absl::SimpleAtoi(cell(kVersion), &version)) return Invalid("record_version", "version is not a whole number");
  if (version < 1) return Invalid("record_version", "version must be 1 or more");
  o.set_record_version(version);
  if (cell(kNhsNumber).empty() && cell(kChildId).empty()) {
    return Invalid("child", "nhs_number and child_id are both empty; give at least one");
  }
  if (!cell(kNhsNumber).empty()) {
    if (absl::Status s = ValidateNhsNumber(cell(kNhsNumber)); !s.ok()) return WithField(s, "child.nhs_number");
    o.mutable_child()->set_nhs_number(cell(kNhsNumber));
  }
  if (!cell(kChildId).empty()) {
    if (absl::Status s = ValidateId("child_id", cell(kChildId)); !s.ok()) return WithField(s, "child.agency_child_id");
    o.mutable_child()->set_agency_child_id(cell(kChildId));
  }
  o.set_system(cell(kSystem));
  o.set_code(cell(kCode));
  o.set_text(cell(kText));
  std::optional<SuppliedBy> by = ParseSuppliedBy(cell(kSuppliedBy));
  v1::SuppliedBy proto_by = v1::SUPPLIED_BY_UNSPECIFIED;
  if (!by || !v1::SuppliedBy_Parse(std::string(SuppliedByName(*by)), &proto_by)) {
    return Invalid("supplied_by",
                   "supplied_by must be SELF, PARENT_OR_CARER, PRACTITIONER, OFFICER_OBSERVED or UNKNOWN");
  }
  o.set_supplied_by(proto_by);
  absl::Time recorded_at;
  std::string error;
  if (cell(kRecordedAt).empty() || !absl::ParseTime(absl::RFC3339_full, cell(kRecordedAt), &recorded_at, &error)) {
    return Invalid("recorded_at", "recorded_at is not an RFC 3339 time such as 2026-11-27T10:00:00Z");
  }
  api::ToProto(recorded_at, o.mutable_recorded_at());
  return o;
}

// Drops the position prefixes ("line 3: ", "observations[2]: ", "item 2: ")
// the reader and the server put in front of a message: the summary names the
// line itself, and a batch index means nothing to the reader of the summary.
std::string StripPositionPrefix(absl::string_view message) {
  for (absl::string_view prefix : {"line ", "observations[", "item "}) {
    if (!absl::StartsWith(message, prefix)) continue;
    const size_t colon = message.find(": ");
    if (colon == absl::string_view::npos) break;
    absl::string_view between = message.substr(prefix.size(), colon - prefix.size());
    absl::ConsumeSuffix(&between, "]");
    int unused = 0;
    if (absl::SimpleAtoi(between, &unused)) return std::string(message.substr(colon + 2));
    break;
  }
  return std::string(message);
}

class Importer {
 public:
  Importer(const ImportOptions& options, const BatchWriter& write) : options_(options), write_(write) {}

  ImportSummary Run(CsvReader* reader, const ColumnIndex& col) {
    while (summary_.stopped.ok()) {
      CsvRecord record;
      absl::StatusOr<bool> more = reader->Next(&record);
      if (!more.ok()) {
        ++summary_.rows_read;
        Reject({record.line, "", ""}, more.status());
        continue;  // the reader resumes at the next line
      }
      if (!*more) break;
      if (record.fields.size() == 1 && record.fields[0].empty()) continue;  // blank line
      ++summary_.rows_read;
      absl::StatusOr<v1::ObservationInput> o = ParseRow(record, col);
      Row row{record.line, "", ""};
      if (record.fields.size() == kNumColumns) {
        row.nhs_number = record.fields[col[kNhsNumber]];
        row.child_id = record.fields[col[kChildId]];
      }
      if (!o.ok()) {
        Reject(row, o.status());
        continue;
      }
      // A batch holds each version of a record once (the server refuses a
      // repeat); sending the repeat in the next batch gives it the outcome
      // it would have had alone: DUPLICATE, or a conflict.
      if (!keys_.emplace(o->record_id(), o->record_version()).second) {
        if (!Flush()) break;
        keys_.emplace(o->record_id(), o->record_version());
      }
      *batch_.add_observations() = *std::move(o);
      rows_.push_back(std::move(row));
      if (batch_.observations_size() >= options_.batch_size && !Flush()) break;
    }
    if (summary_.stopped.ok()) Flush();
    std::stable_sort(summary_.rejections.begin(), summary_.rejections.end(),
                     [](const ImportRejection& a, const ImportRejection& b) { return a.line < b.line; });
    return std::move(summary_);
  }

 private:
  // What the importer keeps of a row besides its observation: its line, and
  // its identifiers so that they can be kept out of any reason.
  struct Row {
    int line = 0;
    std::string nhs_number;
    std::string child_id;
  };

  void Reject(const Row& row, const absl::Status& status) {
    std::string reason = StripPositionPrefix(status.message());
    std::vector<std::pair<std::string, std::string>> redact;
    if (!row.nhs_number.empty()) {
      redact.emplace_back(row.nhs_number, "[nhs_number]");
      if (std::string canonical = CanonicalNhsNumber(row.nhs_number); !canonical.empty()) {
        redact.emplace_back(canonical, "[nhs_number]");
      }
    }
    if (row.child_id.size() >= 3) redact.emplace_back(row.child_id, "[child_id]");
    for (const auto& [from, to] : redact) absl::StrReplaceAll({{from, to}}, &reason);
    summary_.rejections.push_back(ImportRejection{row.line, status.code(), FieldOf(status), std::move(reason)});
  }

  // Sends the batch, dropping each row the server refuses and sending the
  // rest again. Returns false when the import must stop.
  bool Flush() {
    bool ok = true;
    // A bulk load reads only the outcomes: no per-row feedback (BASIC).
    batch_.set_view(v1::BASIC);
    while (batch_.observations_size() > 0) {
      absl::StatusOr<v1::RecordObservationsResponse> response = write_(batch_);
      if (response.ok() && response->results_size() != batch_.observations_size()) {
        response = absl::InternalError(absl::StrCat("the server answered ", response->results_size(),
                                                    " results for ", batch_.observations_size(), " rows"));
      }
      if (response.ok()) {
        for (const v1::RecordObservationResponse& r : response->results()) {
          switch (r.outcome()) {
            case v1::DUPLICATE: ++summary_.duplicate; break;
            case v1::HISTORICAL: ++summary_.historical; break;
            default: ++summary_.inserted; break;
          }
        }
        break;
      }
      std::optional<size_t> item = BatchItemOf(response.status());
      if (!item || *item >= rows_.size()) {
        summary_.stopped = response.status();
        summary_.stopped_at_line = rows_.front().line;
        ok = false;
        break;
      }
      Reject(rows_[*item], response.status());
      batch_.mutable_observations()->DeleteSubrange(static_cast<int>(*item), 1);
      rows_.erase(rows_.begin() + static_cast<std::ptrdiff_t>(*item));
    }
    batch_.Clear();
    rows_.clear();
    keys_.clear();
    if (options_.progress) {
      options_.progress(summary_.accepted() + static_cast<int64_t>(summary_.rejections.size()));
    }
    return ok;
  }

  const ImportOptions& options_;
  const BatchWriter& write_;
  ImportSummary summary_;
  v1::RecordObservationsRequest batch_;
  std::vector<Row> rows_;  // parallel to batch_.observations()
  absl::flat_hash_set<std::pair<std::string, int64_t>> keys_;  // record_id and version in batch_
};

}  // namespace

absl::StatusOr<ImportSummary> ImportObservations(std::istream* csv, const ImportOptions& options,
                                                 const BatchWriter& write) {
  if (options.batch_size < 1 || options.batch_size > kMaxImportBatchSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("batch size must be 1 to ", kMaxImportBatchSize, ", got ", options.batch_size));
  }
  CsvReader reader(csv);
  CsvRecord header;
  absl::StatusOr<bool> got = reader.Next(&header);
  if (!got.ok()) return got.status();
  if (!*got) {
    return absl::InvalidArgumentError(
        absl::StrCat("line 1: the file is empty; expected a header ", absl::StrJoin(kColumnNames, ",")));
  }
  absl::StatusOr<ColumnIndex> columns = ParseHeader(header);
  if (!columns.ok()) return columns.status();
  return Importer(options, write).Run(&reader, *columns);
}

int64_t CountCsvRows(std::istream* csv) {
  CsvReader reader(csv);
  int64_t rows = -1;  // the header is not a row
  CsvRecord record;
  while (true) {
    absl::StatusOr<bool> more = reader.Next(&record);
    if (more.ok() && !*more) break;
    if (more.ok() && record.fields.size() == 1 && record.fields[0].empty()) continue;
    ++rows;
  }
  return std::max<int64_t>(rows, 0);
}

std::string FormatImportProgress(int64_t done, int64_t total, absl::Duration elapsed) {
  constexpr int kWidth = 30;
  const int filled = total > 0 ? static_cast<int>(std::min<int64_t>(done, total) * kWidth / total) : kWidth;
  const double seconds = absl::ToDoubleSeconds(elapsed);
  const int64_t rate = seconds > 0 ? static_cast<int64_t>(static_cast<double>(done) / seconds) : 0;
  return absl::StrFormat("[%s%s] %d/%d rows  %d rows/s", std::string(filled, '#'),
                         std::string(kWidth - filled, ' '), done, total, rate);
}

}  // namespace ethrec::tools
