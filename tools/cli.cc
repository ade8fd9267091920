#include "tools/cli.h"

#include <fstream>
#include <optional>

#include "absl/strings/string_view.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "mapping/normalizer.h"
#include "mapping/observation.h"
#include "tools/backend.h"
#include "tools/csv.h"
#include "tools/findings_client.h"
#include "tools/findings_output.h"
#include "tools/json_output.h"
#include "tools/observation_import.h"
#include "tools/records_client.h"
#include "tools/records_output.h"
#include "tools/report.h"

namespace ethrec::tools {
namespace {

constexpr char kUsage[] = R"(usage: ethrec [--maps DIR]... [--server HOST:PORT] COMMAND [OPTIONS]

Normalises ethnicity codes and free text to the ONS 2021 ethnic groups.

Commands:
  normalize --system S --code C [--text T]   normalise a code (and its display text)
  normalize --text T [--system S]            normalise free text
  normalize --batch FILE.csv                 one JSON line per row of a CSV with
                                             header system,code,text
  translate --from S --code C --to S2        translate a code between systems
  suggest --category CAT [--detail D] --to S the code to record for a category
          | --non-answer NOT_STATED|NOT_KNOWN --to S
  systems                                    list the loaded code systems
  validate-maps DIR                          check a directory of local code
                                             lists and report every problem

Records (need --server; the agency is --agency):
  record --record-id R --version N           record one observation of a child
         (--nhs-number D | --child-id C | both)
         (--system S --code C | --text T | both)
         --supplied-by SELF|PARENT_OR_CARER|PRACTITIONER|OFFICER_OBSERVED|UNKNOWN
         [--recorded-at 2026-11-27T10:00:00Z]  (default: now)
         [--validate-only]  check and answer (findings raised or
                            cleared, the child's reference), store nothing
  child --nhs-number D | --child-id C        the child's reconciliation sheet: the
         [--json]                            reference identity and a verdict on each
                                             agency record (--json: with every version)
  import FILE.csv [--batch-size N] [--json]  bulk load a CSV with header
                                             record_id,version,nhs_number,child_id,
                                             system,code,text,supplied_by,recorded_at;
                                             prints a summary, every rejected row
                                             by line and reason

Findings (need --server; a --role data-quality-officer sees every agency and
may review, any other role sees only its own --agency; an --agency after the
command filters, the one before it says who you are):
  findings [--agency A] [--kind K[,K...]]... [--severity MIN]
           [--status S[,S...]]... [--since T] [--until T] [--page-size N] [--json]
                                             every matching finding, as a table, or
                                             one JSON line each with --json.
                                             K: SELF_ID_MISMATCH, AGENCY_DISAGREEMENT,
                                             CLASSIFICATION_LIMIT, DETAIL_LOST, OUTDATED,
                                             NOT_SELF_DEFINED, MISSING; MIN: INFO, LOW,
                                             MEDIUM, HIGH; S: OPEN, ACKNOWLEDGED,
                                             RESOLVED, CLEARED (default OPEN,ACKNOWLEDGED);
                                             --since/--until bound the time last raised
                                             (RFC 3339, until exclusive)
  findings summary [--agency A]              counts by agency, kind and status, and
                                             each agency's completeness, as JSON
  findings get --finding ID                  one finding with its history, as JSON
  review --finding ID --action acknowledge|resolve|reopen [--note TEXT]
                                             review a finding (resolve needs --note);
                                             prints it as it now is
  report --out DIR [--agency A]              write DIR/ethrec-report.html (charts and a
                                             sortable table of the 5,000 most severe)
                                             and DIR/ethrec-findings.csv (all of them)
                                             of the open and acknowledged findings

Global options:
  --maps DIR          also load the CodeSystem/ConceptMap files in DIR (repeatable)
  --server HOST:PORT  ask an ethrecd server instead of working in-process
                      (same output); validate-maps always runs locally
  --agency ID         the calling agency sent to the server (default ethrec-cli)
  --role ROLE         the caller's role sent to the server (default cli)

Exit status: 0 success, 1 a request failed, 2 bad command line.
)";

struct ParsedArgs {
  std::vector<std::string> maps;
  std::string server;
  RemoteIdentity identity;
  std::string command;
  absl::flat_hash_map<std::string, std::string> options;
  std::vector<std::string> positional;
};

// Command options that may be given more than once; their values are
// joined with commas ("--kind A --kind B" is "--kind A,B").
bool IsRepeatable(absl::string_view key) { return key == "kind" || key == "status"; }

// Splits `args` into global options, the command, its --key value options
// and positional arguments. Returns an error message on bad syntax.
std::optional<std::string> Parse(const std::vector<std::string>& args, ParsedArgs* p) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (absl::StartsWith(a, "--")) {
      std::string key = a.substr(2), value;
      if (size_t eq = key.find('='); eq != std::string::npos) {
        value = key.substr(eq + 1);
        key = key.substr(0, eq);
      } else if (key == "help" || key == "json" || key == "validate-only") {
        value = "";
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return absl::StrCat("option --", key, " needs a value");
      }
      if (key == "maps") {
        p->maps.push_back(value);
      } else if (p->command.empty() && key == "server") {
        p->server = value;
      } else if (p->command.empty() && key == "agency") {
        p->identity.agency = value;
      } else if (p->command.empty() && key == "role") {
        p->identity.role = value;
      } else if (p->command.empty() && key != "help") {
        return absl::StrCat("unknown global option --", key);
      } else if (auto [it, inserted] = p->options.emplace(key, value); !inserted) {
        if (!IsRepeatable(key)) return absl::StrCat("option --", key, " is given twice");
        absl::StrAppend(&it->second, ",", value);
      }
    } else if (p->command.empty()) {
      p->command = a;
    } else {
      p->positional.push_back(a);
    }
  }
  return std::nullopt;
}

class Cli {
 public:
  Cli(ParsedArgs args, std::ostream& out, std::ostream& err, const CliEnvironment& env)
      : args_(std::move(args)), out_(out), err_(err), env_(env) {}

  int Run() {
    if (args_.command.empty() || args_.options.contains("help") || args_.command == "help") {
      out_ << kUsage;
      return args_.command.empty() && !args_.options.contains("help") ? kExitUsage : kExitOk;
    }
    if (args_.command == "validate-maps") return ValidateMaps();
    // "findings summary" and "findings get" are commands of their own.
    std::string command = args_.command;
    if (command == "findings" && !args_.positional.empty() &&
        (args_.positional.front() == "summary" || args_.positional.front() == "get")) {
      command = absl::StrCat(command, " ", args_.positional.front());
      args_.positional.erase(args_.positional.begin());
    }
    static const absl::flat_hash_map<std::string, std::vector<std::string>> kAllowed = {
        {"normalize", {"system", "code", "text", "batch"}},
        {"translate", {"from", "code", "to"}},
        {"suggest", {"category", "detail", "non-answer", "to"}},
        {"systems", {}},
        {"record",
         {"record-id", "version", "nhs-number", "child-id", "system", "code", "text", "supplied-by", "recorded-at",
          "validate-only"}},
        {"child", {"nhs-number", "child-id", "json"}},
        {"import", {"batch-size", "json"}},
        {"findings", {"agency", "kind", "severity", "status", "since", "until", "page-size", "json"}},
        {"findings summary", {"agency"}},
        {"findings get", {"finding"}},
        {"review", {"finding", "action", "note"}},
        {"report", {"out", "agency"}},
    };
    auto allowed = kAllowed.find(command);
    if (allowed == kAllowed.end()) {
      return Usage(absl::StrCat("unknown command \"", command, "\""));
    }
    const bool records = command == "record" || command == "child" || command == "import";
    if (records && args_.server.empty()) return Usage("record/child/import need --server");
    const bool findings = absl::StartsWith(command, "findings") || command == "review" || command == "report";
    if (findings && args_.server.empty()) return Usage("findings/review/report need --server");
    for (const auto& [key, value] : args_.options) {
      if (std::find(allowed->second.begin(), allowed->second.end(), key) == allowed->second.end()) {
        return Usage(absl::StrCat("command ", command, " has no option --", key));
      }
    }
    if (args_.command == "import") {
      if (args_.positional.size() != 1) return Usage("import takes one CSV file");
    } else if (!args_.positional.empty()) {
      return Usage(absl::StrCat("unexpected argument \"", args_.positional.front(), "\""));
    }
    if (args_.command == "import") return ImportCommand();
    if (args_.command == "record") return RecordCommand();
    if (args_.command == "child") return ChildCommand();
    if (command == "findings") return FindingsCommand();
    if (command == "findings summary") return SummaryCommand();
    if (command == "findings get") return GetFindingCommand();
    if (command == "review") return ReviewCommand();
    if (command == "report") return ReportCommand();
    if (absl::Status s = Connect(); !s.ok()) return Fail(s);
    if (args_.command == "normalize") return NormalizeCommand();
    if (args_.command == "translate") return TranslateCommand();
    if (args_.command == "suggest") return SuggestCommand();
    absl::StatusOr<SystemsListing> systems = backend_->ListSystems();
    if (!systems.ok()) return Fail(systems.status());
    out_ << SystemsToJson(*systems) << "\n";
    return kExitOk;
  }

 private:
  // The in-process library, or the server given with --server.
  absl::Status Connect() {
    if (!args_.server.empty()) {
      if (!args_.maps.empty()) {
        return absl::InvalidArgumentError("--maps applies in-process only; start ethrecd with --maps instead");
      }
      absl::StatusOr<std::unique_ptr<Backend>> remote = NewRemoteBackend(args_.server, args_.identity);
      if (!remote.ok()) return remote.status();
      backend_ = *std::move(remote);
      return absl::OkStatus();
    }
    LoadOptions options;
    options.local_dirs = args_.maps;
    absl::StatusOr<std::unique_ptr<Normalizer>> normalizer = Normalizer::Create(options);
    if (!normalizer.ok()) return normalizer.status();
    backend_ = NewLocalBackend(*std::move(normalizer));
    return absl::OkStatus();
  }

  // The RecordsService of the --server (Connect() gives the labels for the
  // normalised values).
  absl::Status ConnectRecords() {
    if (!args_.maps.empty()) {
      return absl::InvalidArgumentError("--maps applies in-process only; start ethrecd with --maps instead");
    }
    absl::StatusOr<std::unique_ptr<RecordsClient>> client = RecordsClient::Connect(args_.server, args_.identity);
    if (!client.ok()) return client.status();
    records_ = *std::move(client);
    return absl::OkStatus();
  }

  // The FindingsService of the --server.
  absl::Status ConnectFindings() {
    if (!args_.maps.empty()) {
      return absl::InvalidArgumentError("--maps applies in-process only; start ethrecd with --maps instead");
    }
    absl::StatusOr<std::unique_ptr<FindingsClient>> client = FindingsClient::Connect(args_.server, args_.identity);
    if (!client.ok()) return client.status();
    findings_ = *std::move(client);
    return absl::OkStatus();
  }

  std::string Opt(const std::string& key) const {
    auto it = args_.options.find(key);
    return it == args_.options.end() ? "" : it->second;
  }
  bool Has(const std::string& key) const { return args_.options.contains(key); }

  int Usage(absl::string_view message) {
    err_ << "ethrec: " << message << "\n(run 'ethrec --help' for usage)\n";
    return kExitUsage;
  }

  int Fail(const absl::Status& status) {
    err_ << "ethrec: " << ErrorToJson(status) << "\n";
    return kExitError;
  }

  int NormalizeCommand() {
    if (Has("batch")) {
      if (Has("system") || Has("code") || Has("text")) {
        return Usage("--batch cannot be combined with --system, --code or --text");
      }
      return Batch(Opt("batch"));
    }
    if (!Has("code") && !Has("text")) return Usage("normalize needs --code (with --system), --text or --batch");
    if (Has("code") && !Has("system")) return Usage("--code needs --system");
    absl::StatusOr<Normalized> n =
        backend_->Normalize({.system = Opt("system"), .code = Opt("code"), .text = Opt("text")});
    if (!n.ok()) return Fail(n.status());
    out_ << NormalizedToJson(backend_->labels(), *n) << "\n";
    return kExitOk;
  }

  int Batch(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Fail(absl::NotFoundError(absl::StrCat("cannot open \"", path, "\"")));
    CsvReader reader(&in);
    CsvRecord header;
    absl::StatusOr<bool> got = reader.Next(&header);
    if (!got.ok()) return Fail(got.status());
    if (!*got) return Fail(absl::InvalidArgumentError(absl::StrCat(path, " is empty; expected a header system,code,text")));
    int col[3] = {-1, -1, -1};
    const char* names[3] = {"system", "code", "text"};
    for (size_t i = 0; i < header.fields.size(); ++i) {
      for (int k = 0; k < 3; ++k) {
        if (header.fields[i] == names[k]) col[k] = static_cast<int>(i);
      }
    }
    for (int k = 0; k < 3; ++k) {
      if (col[k] < 0) {
        return Fail(absl::InvalidArgumentError(absl::StrCat(
            path, " line 1: the header has no \"", names[k], "\" column; expected system,code,text")));
      }
    }
    // Read every row first, so a server can take them in batches.
    struct Row {
      int line = 0;
      std::string system, code, text;
      absl::Status error;
    };
    std::vector<Row> rows;
    while (true) {
      CsvRecord record;
      absl::StatusOr<bool> more = reader.Next(&record);
      if (!more.ok()) {
        rows.push_back(Row{record.line, "", "", "", more.status()});
        continue;  // the reader resumes at the next line
      }
      if (!*more) break;
      if (record.fields.size() == 1 && record.fields[0].empty()) continue;  // blank line
      Row row{record.line, "", "", "", absl::OkStatus()};
      if (record.fields.size() != header.fields.size()) {
        row.error = absl::InvalidArgumentError(absl::StrCat("line ", record.line, ": ", record.fields.size(),
                                                            " fields; the header has ", header.fields.size()));
      } else {
        row.system = record.fields[col[0]];
        row.code = record.fields[col[1]];
        row.text = record.fields[col[2]];
      }
      rows.push_back(std::move(row));
    }
    std::vector<NormalizeRequest> requests;
    for (const Row& r : rows) {
      if (r.error.ok()) requests.push_back({.system = r.system, .code = r.code, .text = r.text});
    }
    std::vector<absl::StatusOr<Normalized>> results = backend_->NormalizeMany(requests);
    int failed = 0;
    size_t next = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      const int row = static_cast<int>(i) + 1;
      absl::Status error = rows[i].error;
      if (error.ok()) {
        const absl::StatusOr<Normalized>& n = results[next++];
        if (n.ok()) {
          out_ << NormalizedToJson(backend_->labels(), *n, row) << "\n";
          continue;
        }
        error = absl::Status(n.status().code(), absl::StrCat("line ", rows[i].line, ": ", n.status().message()));
      }
      out_ << ErrorToJson(error, row) << "\n";
      ++failed;
    }
    if (failed > 0) {
      err_ << "ethrec: " << failed << " row(s) failed; see their \"error\" objects\n";
      return kExitError;
    }
    return kExitOk;
  }

  int TranslateCommand() {
    if (!Has("from") || !Has("code") || !Has("to")) return Usage("translate needs --from, --code and --to");
    absl::StatusOr<CodeSuggestion> s = backend_->Translate(Opt("from"), Opt("code"), Opt("to"));
    if (!s.ok()) return Fail(s.status());
    out_ << SuggestionToJson(*s) << "\n";
    return kExitOk;
  }

  int SuggestCommand() {
    if (!Has("to")) return Usage("suggest needs --to");
    if (Has("category") == Has("non-answer")) return Usage("suggest needs exactly one of --category and --non-answer");
    TaxonomyValue value;
    if (Has("category")) {
      std::optional<Category> c = ParseCategory(Opt("category"));
      if (!c) {
        return Fail(absl::InvalidArgumentError(absl::StrCat(
            "--category \"", Opt("category"), "\" is not a taxonomy category (e.g. WHITE_ROMA)")));
      }
      value.category = *c;
      value.detail = Opt("detail");
    } else if (Opt("non-answer") == "NOT_STATED" || Opt("non-answer") == "NOT_KNOWN") {
      value.outcome = Opt("non-answer") == "NOT_STATED" ? Outcome::kNotStated : Outcome::kNotKnown;
    } else {
      return Fail(absl::InvalidArgumentError(
          absl::StrCat("--non-answer \"", Opt("non-answer"), "\" must be NOT_STATED or NOT_KNOWN")));
    }
    absl::StatusOr<CodeSuggestion> s = backend_->SuggestCode(value, Opt("to"));
    if (!s.ok()) return Fail(s.status());
    out_ << SuggestionToJson(*s) << "\n";
    return kExitOk;
  }

  int RecordCommand() {
    if (!Has("record-id") || !Has("version") || !Has("supplied-by")) {
      return Usage("record needs --record-id, --version and --supplied-by");
    }
    if (!Has("nhs-number") && !Has("child-id")) return Usage("record needs --nhs-number, --child-id or both");
    if (!Has("code") && !Has("text")) return Usage("record needs --code (with --system), --text or both");
    if (Has("code") && !Has("system")) return Usage("--code needs --system");
    v1::ObservationInput o;
    o.set_record_id(Opt("record-id"));
    int64_t version = 0;
    if (!absl::SimpleAtoi(Opt("version"), &version)) {
      return Fail(absl::InvalidArgumentError(absl::StrCat("--version \"", Opt("version"), "\" is not a whole number")));
    }
    o.set_record_version(version);
    o.mutable_child()->set_nhs_number(Opt("nhs-number"));
    o.mutable_child()->set_agency_child_id(Opt("child-id"));
    o.set_system(Opt("system"));
    o.set_code(Opt("code"));
    o.set_text(Opt("text"));
    std::optional<SuppliedBy> by = ParseSuppliedBy(Opt("supplied-by"));
    v1::SuppliedBy proto_by = v1::SUPPLIED_BY_UNSPECIFIED;
    if (!by || !v1::SuppliedBy_Parse(std::string(SuppliedByName(*by)), &proto_by)) {
      return Fail(absl::InvalidArgumentError(absl::StrCat(
          "--supplied-by \"", Opt("supplied-by"),
          "\" must be SELF, PARENT_OR_CARER, PRACTITIONER, OFFICER_OBSERVED or UNKNOWN")));
    }
    o.set_supplied_by(proto_by);
    absl::Time recorded_at = absl::Now();
    std::string error;
    if (Has("recorded-at") && !absl::ParseTime(absl::RFC3339_full, Opt("recorded-at"), &recorded_at, &error)) {
      return Fail(absl::InvalidArgumentError(absl::StrCat(
          "--recorded-at \"", Opt("recorded-at"), "\" is not an RFC 3339 time such as 2026-11-27T10:00:00Z")));
    }
    ToTimestamp(recorded_at, o.mutable_recorded_at());
    if (absl::Status s = Connect(); !s.ok()) return Fail(s);
    if (absl::Status s = ConnectRecords(); !s.ok()) return Fail(s);
    absl::StatusOr<v1::RecordObservationResponse> r = records_->Record(o, Has("validate-only"));
    if (!r.ok()) return Fail(r.status());
    out_ << RecordResultToJson(backend_->labels(), *r) << "\n";
    return kExitOk;
  }

  int ChildCommand() {
    if (Has("nhs-number") == Has("child-id")) return Usage("child needs exactly one of --nhs-number and --child-id");
    v1::ChildRef child;
    child.set_nhs_number(Opt("nhs-number"));
    child.set_agency_child_id(Opt("child-id"));
    if (absl::Status s = ConnectFindings(); !s.ok()) return Fail(s);
    v1::GetChildReconciliationRequest request;
    *request.mutable_child() = child;
    absl::StatusOr<v1::ChildReconciliation> sheet = findings_->Child(request);
    if (!sheet.ok()) return Fail(sheet.status());
    if (!Has("json")) {
      out_ << ChildSheetToTable(*sheet);
      return kExitOk;
    }
    if (absl::Status s = Connect(); !s.ok()) return Fail(s);
    if (absl::Status s = ConnectRecords(); !s.ok()) return Fail(s);
    absl::StatusOr<v1::GetChildResponse> r = records_->GetChild(child);
    if (!r.ok()) return Fail(r.status());
    out_ << ChildToJson(backend_->labels(), *r, *sheet) << "\n";
    return kExitOk;
  }

  int ImportCommand() {
    ImportOptions options;
    if (Has("batch-size") && (!absl::SimpleAtoi(Opt("batch-size"), &options.batch_size) ||
                              options.batch_size < 1 || options.batch_size > kMaxImportBatchSize)) {
      return Usage(absl::StrCat("--batch-size must be a whole number from 1 to ", kMaxImportBatchSize));
    }
    const std::string& path = args_.positional.front();
    std::ifstream in(path, std::ios::binary);
    if (!in) return Fail(absl::NotFoundError(absl::StrCat("cannot open \"", path, "\"")));
    if (absl::Status s = ConnectRecords(); !s.ok()) return Fail(s);
    // The progress bar redraws one line, so it is only for a terminal.
    int64_t total = 0;
    const absl::Time start = absl::Now();
    absl::Time drawn = absl::InfinitePast();
    int64_t drawn_done = -1;
    if (env_.stderr_is_terminal) {
      std::ifstream count(path, std::ios::binary);
      total = CountCsvRows(&count);
      options.progress = [&](int64_t done) {
        const absl::Time now = absl::Now();
        if (done == drawn_done || (now - drawn < absl::Milliseconds(100) && done < total)) return;
        drawn = now;
        drawn_done = done;
        // "\x1b[K" clears what is left of a longer line drawn before.
        err_ << "\r" << FormatImportProgress(done, total, now - start) << "\x1b[K" << std::flush;
      };
    }
    absl::StatusOr<ImportSummary> summary = ImportObservations(
        &in, options, [&](const v1::RecordObservationsRequest& batch) { return records_->RecordBatch(batch); });
    if (env_.stderr_is_terminal && drawn != absl::InfinitePast()) err_ << "\n";
    if (!summary.ok()) {
      return Fail(absl::Status(summary.status().code(), absl::StrCat(path, " ", summary.status().message())));
    }
    out_ << (Has("json") ? ImportSummaryToJson(*summary) + "\n" : ImportSummaryToText(*summary));
    if (!summary->stopped.ok()) {
      err_ << "ethrec: import stopped: " << ErrorToJson(summary->stopped) << "\n";
      return kExitError;
    }
    if (!summary->rejections.empty()) {
      err_ << "ethrec: " << summary->rejections.size() << " row(s) rejected; see the summary\n";
      return kExitError;
    }
    return kExitOk;
  }

  // The list filters of `findings`, from its options. Returns a usage
  // message naming the option and value when one is wrong.
  std::optional<std::string> FindingFilters(v1::ListFindingsRequest* request) const {
    request->set_agency(Opt("agency"));
    std::vector<int> values;
    if (Has("kind")) {
      if (std::optional<std::string> error =
              EnumList("kind", "a finding kind", v1::FindingKind_descriptor(), &values)) {
        return error;
      }
      for (int v : values) request->add_kinds(static_cast<v1::FindingKind>(v));
    }
    values.clear();
    if (Has("status")) {
      if (std::optional<std::string> error =
              EnumList("status", "a finding status", v1::FindingStatus_descriptor(), &values)) {
        return error;
      }
      for (int v : values) request->add_statuses(static_cast<v1::FindingStatus>(v));
    }
    if (Has("severity")) {
      v1::Severity severity = v1::SEVERITY_UNSPECIFIED;
      if (!v1::Severity_Parse(EnumToken(Opt("severity")), &severity) || severity == v1::SEVERITY_UNSPECIFIED) {
        return absl::StrCat("--severity \"", Opt("severity"), "\" is not a severity: ",
                            EnumChoices(v1::Severity_descriptor()));
      }
      request->set_min_severity(severity);
    }
    absl::Time since = absl::InfinitePast(), until = absl::InfiniteFuture();
    if (Has("since") && !ParseRfc3339(Opt("since"), &since)) return NotATime("since");
    if (Has("until") && !ParseRfc3339(Opt("until"), &until)) return NotATime("until");
    if (Has("since")) ToTimestamp(since, request->mutable_raised_after());
    if (Has("until")) ToTimestamp(until, request->mutable_raised_before());
    if (Has("since") && Has("until") && since >= until) {
      return absl::StrCat("--since \"", Opt("since"), "\" must be before --until \"", Opt("until"), "\"");
    }
    if (Has("page-size")) {
      int page_size = 0;
      if (!absl::SimpleAtoi(Opt("page-size"), &page_size) || page_size < 1 || page_size > 1000) {
        return absl::StrCat("--page-size \"", Opt("page-size"), "\" must be a whole number from 1 to 1000");
      }
      request->set_page_size(page_size);
    }
    return std::nullopt;
  }

  // The numbers of the comma-separated values of option `key`, each the
  // name of a value of `descriptor` other than 0 (case and "-" for "_" do
  // not matter). Returns a usage message naming the first bad one.
  std::optional<std::string> EnumList(absl::string_view key, absl::string_view what,
                                      const google::protobuf::EnumDescriptor* descriptor,
                                      std::vector<int>* numbers) const {
    const std::string value = Opt(std::string(key));
    for (absl::string_view item : absl::StrSplit(value, ',')) {
      const google::protobuf::EnumValueDescriptor* v = descriptor->FindValueByName(EnumToken(item));
      if (v == nullptr || v->number() == 0) {
        return absl::StrCat("--", key, " \"", absl::StripAsciiWhitespace(item), "\" is not ", what, ": ",
                            EnumChoices(descriptor));
      }
      numbers->push_back(v->number());
    }
    return std::nullopt;
  }

  static bool ParseRfc3339(const std::string& text, absl::Time* t) {
    std::string error;
    return absl::ParseTime(absl::RFC3339_full, text, t, &error);
  }

  std::string NotATime(const std::string& key) const {
    return absl::StrCat("--", key, " \"", Opt(key), "\" is not an RFC 3339 time such as 2026-11-27T10:00:00Z");
  }

  // "self-id-mismatch " -> "SELF_ID_MISMATCH".
  static std::string EnumToken(absl::string_view s) {
    std::string token = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(s));
    std::replace(token.begin(), token.end(), '-', '_');
    return token;
  }

  // "INFO, LOW, MEDIUM or HIGH": the names of every value but 0.
  static std::string EnumChoices(const google::protobuf::EnumDescriptor* descriptor) {
    std::vector<std::string> names;
    for (int i = 0; i < descriptor->value_count(); ++i) {
      if (descriptor->value(i)->number() != 0) names.push_back(descriptor->value(i)->name());
    }
    const std::string last = names.back();
    names.pop_back();
    return absl::StrCat(absl::StrJoin(names, ", "), " or ", last);
  }

  // The --finding id, or nullopt when it is not a whole number above 0.
  std::optional<int64_t> FindingId() const {
    int64_t id = 0;
    if (!absl::SimpleAtoi(Opt("finding"), &id) || id < 1) return std::nullopt;
    return id;
  }

  int BadFindingId() {
    return Usage(absl::StrCat("--finding \"", Opt("finding"), "\" is not a finding id (a whole number above 0)"));
  }

  int FindingsCommand() {
    v1::ListFindingsRequest request;
    if (std::optional<std::string> error = FindingFilters(&request)) return Usage(*error);
    if (absl::Status s = ConnectFindings(); !s.ok()) return Fail(s);
    absl::StatusOr<std::vector<v1::Finding>> all = findings_->ListAll(request);
    if (!all.ok()) return Fail(all.status());
    out_ << (Has("json") ? FindingsToJsonLines(*all) : FindingsToTable(*all));
    return kExitOk;
  }

  int SummaryCommand() {
    if (absl::Status s = ConnectFindings(); !s.ok()) return Fail(s);
    absl::StatusOr<v1::SummarizeFindingsResponse> summary = findings_->Summarize(Opt("agency"));
    if (!summary.ok()) return Fail(summary.status());
    out_ << SummaryToJson(*summary) << "\n";
    return kExitOk;
  }

  int GetFindingCommand() {
    if (!Has("finding")) return Usage("findings get needs --finding");
    std::optional<int64_t> id = FindingId();
    if (!id) return BadFindingId();
    if (absl::Status s = ConnectFindings(); !s.ok()) return Fail(s);
    absl::StatusOr<v1::Finding> finding = findings_->Get(*id);
    if (!finding.ok()) return Fail(finding.status());
    out_ << FindingToJson(*finding) << "\n";
    return kExitOk;
  }

  int ReviewCommand() {
    if (!Has("finding") || !Has("action")) return Usage("review needs --finding and --action");
    std::optional<int64_t> id = FindingId();
    if (!id) return BadFindingId();
    v1::ReviewFindingRequest request;
    request.set_finding_id(*id);
    v1::ReviewFindingRequest::Action action = v1::ReviewFindingRequest::ACTION_UNSPECIFIED;
    if (!v1::ReviewFindingRequest::Action_Parse(EnumToken(Opt("action")), &action) ||
        action == v1::ReviewFindingRequest::ACTION_UNSPECIFIED) {
      return Usage(absl::StrCat("--action \"", Opt("action"), "\" must be acknowledge, resolve or reopen"));
    }
    if (action == v1::ReviewFindingRequest::RESOLVE && Opt("note").empty()) {
      return Usage("--action resolve needs --note saying why");
    }
    request.set_action(action);
    request.set_note(Opt("note"));
    if (absl::Status s = ConnectFindings(); !s.ok()) return Fail(s);
    absl::StatusOr<v1::Finding> finding = findings_->Review(request);
    if (!finding.ok()) return Fail(finding.status());
    out_ << FindingToJson(*finding) << "\n";
    return kExitOk;
  }

  int ReportCommand() {
    if (Opt("out").empty()) return Usage("report needs --out DIR");
    const absl::Time start = absl::Now();
    if (absl::Status s = Connect(); !s.ok()) return Fail(s);  // for the category labels
    if (absl::Status s = ConnectFindings(); !s.ok()) return Fail(s);
    ReportInput input;
    absl::StatusOr<v1::SummarizeFindingsResponse> summary = findings_->Summarize(Opt("agency"));
    if (!summary.ok()) return Fail(summary.status());
    input.summary = *std::move(summary);
    v1::ListFindingsRequest request;  // no statuses: OPEN and ACKNOWLEDGED
    request.set_agency(Opt("agency"));
    request.set_page_size(1000);
    absl::StatusOr<std::vector<v1::Finding>> open = findings_->ListAll(request);
    if (!open.ok()) return Fail(open.status());
    input.findings = *std::move(open);
    // The Children section: data-quality officers only (for anyone else the
    // section says so); one more than the table shows tells if it is cut.
    absl::StatusOr<std::vector<v1::ChildReconciliation>> children = findings_->AllChildren(input.max_table_rows + 1);
    if (children.ok()) {
      input.children = *std::move(children);
      input.children_cut = static_cast<int>(input.children.size()) > input.max_table_rows;
      if (input.children_cut) input.children.resize(input.max_table_rows);
    } else if (children.status().code() == absl::StatusCode::kPermissionDenied) {
      input.children_unavailable = "Only data-quality officers see children across agencies.";
    } else if (children.status().code() == absl::StatusCode::kUnimplemented) {
      input.children_unavailable = "This server does not give children's sheets (it is older than this ethrec).";
    } else {
      return Fail(children.status());
    }
    input.labels = backend_->labels();
    input.generated_at = absl::Now();
    input.title = Opt("agency").empty() ? "Ethnicity recording findings"
                                        : absl::StrCat("Ethnicity recording findings: ", Opt("agency"));
    absl::StatusOr<ReportPaths> paths = WriteReport(Opt("out"), input);
    if (!paths.ok()) return Fail(paths.status());
    out_ << paths->html << "\n"
         << paths->csv << "\n"
         << input.findings.size() << " open finding(s): " << paths->table_rows << " listed in the HTML table"
         << (paths->table_rows < paths->csv_rows ? " (the most severe)" : "") << ", " << paths->csv_rows
         << " in the CSV; " << input.summary.completeness_size() << " agency(ies); took "
         << absl::FormatDuration(absl::Trunc(absl::Now() - start, absl::Milliseconds(1))) << "\n";
    return kExitOk;
  }

  int ValidateMaps() {
    if (args_.positional.size() != 1 || !args_.options.empty()) return Usage("validate-maps takes one directory");
    std::vector<DataSource> sources;
    for (const std::string& dir : args_.maps) {
      if (absl::Status s = Registry::ReadDirectory(dir, &sources); !s.ok()) return Fail(s);
    }
    const std::string& dir = args_.positional.front();
    const size_t before = sources.size();
    if (absl::Status s = Registry::ReadDirectory(dir, &sources); !s.ok()) return Fail(s);
    const size_t in_dir = sources.size() - before;
    std::vector<LoadProblem> problems;
    std::unique_ptr<const Registry> registry = Registry::LoadSources(sources, true, &problems);
    for (const LoadProblem& p : problems) out_ << p.ToString() << "\n";
    if (registry == nullptr) {
      err_ << "ethrec: " << problems.size() << " problem(s) in " << dir << "; nothing would be loaded\n";
      return kExitError;
    }
    int local = 0;
    for (const auto& s : registry->systems()) local += s->origin != "built-in";
    out_ << "OK: " << in_dir << " file(s) in " << dir << "; " << local
         << " local code system(s) load cleanly beside the built-in ones\n";
    return kExitOk;
  }

  ParsedArgs args_;
  std::ostream& out_;
  std::ostream& err_;
  CliEnvironment env_;
  std::unique_ptr<Backend> backend_;
  std::unique_ptr<RecordsClient> records_;
  std::unique_ptr<FindingsClient> findings_;
};

}  // namespace

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  return RunCli(args, out, err, CliEnvironment{});
}

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
           const CliEnvironment& env) {
  ParsedArgs parsed;
  if (std::optional<std::string> error = Parse(args, &parsed)) {
    err << "ethrec: " << *error << "\n(run 'ethrec --help' for usage)\n";
    return kExitUsage;
  }
  return Cli(std::move(parsed), out, err, env).Run();
}

}  // namespace ethrec::tools
