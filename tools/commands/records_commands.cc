// record, child and import: a child's records on the --server.
#include <fstream>
#include <optional>

#include "api/convert.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "mapping/observation.h"
#include "tools/commands/command.h"
#include "tools/findings_output.h"
#include "tools/json_output.h"
#include "tools/observation_import.h"
#include "tools/records_output.h"

namespace ethrec::tools {
namespace {

constexpr absl::string_view kNeedsServer = "record/child/import need --server";

int Record(CommandContext& c) {
  if (!c.Has("record-id") || !c.Has("version") || !c.Has("supplied-by")) {
    return c.Usage("record needs --record-id, --version and --supplied-by");
  }
  if (!c.Has("nhs-number") && !c.Has("child-id")) return c.Usage("record needs --nhs-number, --child-id or both");
  if (!c.Has("code") && !c.Has("text")) return c.Usage("record needs --code (with --system), --text or both");
  if (c.Has("code") && !c.Has("system")) return c.Usage("--code needs --system");
  v1::ObservationInput o;
  o.set_record_id(c.Opt("record-id"));
  int64_t version = 0;
  if (!absl::SimpleAtoi(c.Opt("version"), &version)) {
    return c.Fail(
        absl::InvalidArgumentError(absl::StrCat("--version \"", c.Opt("version"), "\" is not a whole number")));
  }
  o.set_record_version(version);
  o.mutable_child()->set_nhs_number(c.Opt("nhs-number"));
  o.mutable_child()->set_agency_child_id(c.Opt("child-id"));
  o.set_system(c.Opt("system"));
  o.set_code(c.Opt("code"));
  o.set_text(c.Opt("text"));
  std::optional<SuppliedBy> by = ParseSuppliedBy(c.Opt("supplied-by"));
  v1::SuppliedBy proto_by = v1::SUPPLIED_BY_UNSPECIFIED;
  if (!by || !v1::SuppliedBy_Parse(std::string(SuppliedByName(*by)), &proto_by)) {
    return c.Fail(absl::InvalidArgumentError(
        absl::StrCat("--supplied-by \"", c.Opt("supplied-by"),
                     "\" must be SELF, PARENT_OR_CARER, PRACTITIONER, OFFICER_OBSERVED or UNKNOWN")));
  }
  o.set_supplied_by(proto_by);
  absl::Time recorded_at = absl::Now();
  std::string error;
  if (c.Has("recorded-at") && !absl::ParseTime(absl::RFC3339_full, c.Opt("recorded-at"), &recorded_at, &error)) {
    return c.Fail(absl::InvalidArgumentError(absl::StrCat(
        "--recorded-at \"", c.Opt("recorded-at"), "\" is not an RFC 3339 time such as 2026-11-27T10:00:00Z")));
  }
  api::ToProto(recorded_at, o.mutable_recorded_at());
  if (absl::Status s = c.ConnectBackend(); !s.ok()) return c.Fail(s);  // for the category labels
  if (absl::Status s = c.ConnectRecords(); !s.ok()) return c.Fail(s);
  absl::StatusOr<v1::RecordObservationResponse> r = c.records().Record(o, c.Has("validate-only"));
  if (!r.ok()) return c.Fail(r.status());
  c.out() << RecordResultToJson(c.backend().labels(), *r) << "\n";
  return kExitOk;
}

int Child(CommandContext& c) {
  if (c.Has("nhs-number") == c.Has("child-id")) {
    return c.Usage("child needs exactly one of --nhs-number and --child-id");
  }
  v1::ChildRef child;
  child.set_nhs_number(c.Opt("nhs-number"));
  child.set_agency_child_id(c.Opt("child-id"));
  if (absl::Status s = c.ConnectFindings(); !s.ok()) return c.Fail(s);
  v1::GetChildReconciliationRequest request;
  *request.mutable_child() = child;
  absl::StatusOr<v1::ChildReconciliation> sheet = c.findings().Child(request);
  if (!sheet.ok()) return c.Fail(sheet.status());
  if (!c.Has("json")) {
    c.out() << ChildSheetToTable(*sheet);
    return kExitOk;
  }
  if (absl::Status s = c.ConnectBackend(); !s.ok()) return c.Fail(s);
  if (absl::Status s = c.ConnectRecords(); !s.ok()) return c.Fail(s);
  absl::StatusOr<v1::GetChildResponse> r = c.records().GetChild(child);
  if (!r.ok()) return c.Fail(r.status());
  c.out() << ChildToJson(c.backend().labels(), *r, *sheet) << "\n";
  return kExitOk;
}

int Import(CommandContext& c) {
  ImportOptions options;
  if (c.Has("batch-size") && (!absl::SimpleAtoi(c.Opt("batch-size"), &options.batch_size) ||
                              options.batch_size < 1 || options.batch_size > kMaxImportBatchSize)) {
    return c.Usage(absl::StrCat("--batch-size must be a whole number from 1 to ", kMaxImportBatchSize));
  }
  const std::string& path = c.args().positional.front();
  std::ifstream in(path, std::ios::binary);
  if (!in) return c.Fail(absl::NotFoundError(absl::StrCat("cannot open \"", path, "\"")));
  if (absl::Status s = c.ConnectRecords(); !s.ok()) return c.Fail(s);
  // The progress bar redraws one line, so it is only for a terminal.
  int64_t total = 0;
  const absl::Time start = absl::Now();
  absl::Time drawn = absl::InfinitePast();
  int64_t drawn_done = -1;
  if (c.env().stderr_is_terminal) {
    std::ifstream count(path, std::ios::binary);
    total = CountCsvRows(&count);
    options.progress = [&](int64_t done) {
      const absl::Time now = absl::Now();
      if (done == drawn_done || (now - drawn < absl::Milliseconds(100) && done < total)) return;
      drawn = now;
      drawn_done = done;
      // "\x1b[K" clears what is left of a longer line drawn before.
      c.err() << "\r" << FormatImportProgress(done, total, now - start) << "\x1b[K" << std::flush;
    };
  }
  absl::StatusOr<ImportSummary> summary = ImportObservations(
      &in, options, [&](const v1::RecordObservationsRequest& batch) { return c.records().RecordBatch(batch); });
  if (c.env().stderr_is_terminal && drawn != absl::InfinitePast()) c.err() << "\n";
  if (!summary.ok()) {
    return c.Fail(absl::Status(summary.status().code(), absl::StrCat(path, " ", summary.status().message())));
  }
  c.out() << (c.Has("json") ? ImportSummaryToJson(*summary) + "\n" : ImportSummaryToText(*summary));
  if (!summary->stopped.ok()) {
    c.err() << "ethrec: import stopped: " << ErrorToJson(summary->stopped) << "\n";
    return kExitError;
  }
  if (!summary->rejections.empty()) {
    c.err() << "ethrec: " << summary->rejections.size() << " row(s) rejected; see the summary\n";
    return kExitError;
  }
  return kExitOk;
}

}  // namespace

CommandSection RecordsCommands() {
  return {
      .heading = "Records (need --server; the agency is --agency):",
      .commands = {
          {.name = "record",
           .options = {{"record-id"}, {"version"}, {"nhs-number"}, {"child-id"}, {"system"}, {"code"}, {"text"},
                       {"supplied-by"}, {"recorded-at"}, {"validate-only", OptionKind::kFlag}},
           .needs_server = kNeedsServer,
           .usage = "  record --record-id R --version N           record one observation of a child\n"
                    "         (--nhs-number D | --child-id C | both)\n"
                    "         (--system S --code C | --text T | both)\n"
                    "         --supplied-by SELF|PARENT_OR_CARER|PRACTITIONER|OFFICER_OBSERVED|UNKNOWN\n"
                    "         [--recorded-at 2026-11-27T10:00:00Z]  (default: now)\n"
                    "         [--validate-only]  check and answer (findings raised or\n"
                    "                            cleared, the child's reference), store nothing\n",
           .run = Record},
          {.name = "child",
           .options = {{"nhs-number"}, {"child-id"}, {"json", OptionKind::kFlag}},
           .needs_server = kNeedsServer,
           .usage = "  child --nhs-number D | --child-id C        the child's reconciliation sheet: the\n"
                    "         [--json]                            reference identity and a verdict on each\n"
                    "                                             agency record (--json: with every version)\n",
           .run = Child},
          {.name = "import",
           .options = {{"batch-size"}, {"json", OptionKind::kFlag}},
           .argument = "CSV file",
           .needs_server = kNeedsServer,
           .usage = "  import FILE.csv [--batch-size N] [--json]  bulk load a CSV with header\n"
                    "                                             record_id,version,nhs_number,child_id,\n"
                    "                                             system,code,text,supplied_by,recorded_at;\n"
                    "                                             prints a summary, every rejected row\n"
                    "                                             by line and reason\n",
           .run = Import},
      }};
}

}  // namespace ethrec::tools
