// findings, findings summary, findings get, review and report: the
// findings of the --server.
#include <algorithm>
#include <optional>

#include "api/convert.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tools/commands/command.h"
#include "tools/findings_output.h"
#include "tools/records_client.h"
#include "tools/report.h"

namespace ethrec::tools {
namespace {

constexpr absl::string_view kNeedsServer = "findings/review/report need --server";

// "self-id-mismatch " -> "SELF_ID_MISMATCH".
std::string EnumToken(absl::string_view s) {
  std::string token = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(s));
  std::replace(token.begin(), token.end(), '-', '_');
  return token;
}

// "INFO, LOW, MEDIUM or HIGH": the names of every value but 0.
std::string EnumChoices(const google::protobuf::EnumDescriptor* descriptor) {
  std::vector<std::string> names;
  for (int i = 0; i < descriptor->value_count(); ++i) {
    if (descriptor->value(i)->number() != 0) names.push_back(descriptor->value(i)->name());
  }
  const std::string last = names.back();
  names.pop_back();
  return absl::StrCat(absl::StrJoin(names, ", "), " or ", last);
}

// The numbers of the comma-separated values of option `key`, each the
// name of a value of `descriptor` other than 0 (case and "-" for "_" do
// not matter). Returns a usage message naming the first bad one.
std::optional<std::string> EnumList(const CommandContext& c, absl::string_view key, absl::string_view what,
                                    const google::protobuf::EnumDescriptor* descriptor, std::vector<int>* numbers) {
  const std::string value = c.Opt(key);
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

bool ParseRfc3339(const std::string& text, absl::Time* t) {
  std::string error;
  return absl::ParseTime(absl::RFC3339_full, text, t, &error);
}

std::string NotATime(const CommandContext& c, absl::string_view key) {
  return absl::StrCat("--", key, " \"", c.Opt(key), "\" is not an RFC 3339 time such as 2026-11-27T10:00:00Z");
}

// The list filters of `findings`, from its options. Returns a usage
// message naming the option and value when one is wrong.
std::optional<std::string> FindingFilters(const CommandContext& c, v1::ListFindingsRequest* request) {
  request->set_agency(c.Opt("agency"));
  std::vector<int> values;
  if (c.Has("kind")) {
    if (std::optional<std::string> error =
            EnumList(c, "kind", "a finding kind", v1::FindingKind_descriptor(), &values)) {
      return error;
    }
    for (int v : values) request->add_kinds(static_cast<v1::FindingKind>(v));
  }
  values.clear();
  if (c.Has("status")) {
    if (std::optional<std::string> error =
            EnumList(c, "status", "a finding status", v1::FindingStatus_descriptor(), &values)) {
      return error;
    }
    for (int v : values) request->add_statuses(static_cast<v1::FindingStatus>(v));
  }
  if (c.Has("severity")) {
    v1::Severity severity = v1::SEVERITY_UNSPECIFIED;
    if (!v1::Severity_Parse(EnumToken(c.Opt("severity")), &severity) || severity == v1::SEVERITY_UNSPECIFIED) {
      return absl::StrCat("--severity \"", c.Opt("severity"), "\" is not a severity: ",
                          EnumChoices(v1::Severity_descriptor()));
    }
    request->set_min_severity(severity);
  }
  absl::Time since = absl::InfinitePast(), until = absl::InfiniteFuture();
  if (c.Has("since") && !ParseRfc3339(c.Opt("since"), &since)) return NotATime(c, "since");
  if (c.Has("until") && !ParseRfc3339(c.Opt("until"), &until)) return NotATime(c, "until");
  if (c.Has("since")) api::ToProto(since, request->mutable_raised_after());
  if (c.Has("until")) api::ToProto(until, request->mutable_raised_before());
  if (c.Has("since") && c.Has("until") && since >= until) {
    return absl::StrCat("--since \"", c.Opt("since"), "\" must be before --until \"", c.Opt("until"), "\"");
  }
  if (c.Has("page-size")) {
    int page_size = 0;
    if (!absl::SimpleAtoi(c.Opt("page-size"), &page_size) || page_size < 1 || page_size > 1000) {
      return absl::StrCat("--page-size \"", c.Opt("page-size"), "\" must be a whole number from 1 to 1000");
    }
    request->set_page_size(page_size);
  }
  return std::nullopt;
}

// The --finding id, or nullopt when it is not a whole number above 0.
std::optional<int64_t> FindingId(const CommandContext& c) {
  int64_t id = 0;
  if (!absl::SimpleAtoi(c.Opt("finding"), &id) || id < 1) return std::nullopt;
  return id;
}

int BadFindingId(CommandContext& c) {
  return c.Usage(absl::StrCat("--finding \"", c.Opt("finding"), "\" is not a finding id (a whole number above 0)"));
}

int List(CommandContext& c) {
  v1::ListFindingsRequest request;
  if (std::optional<std::string> error = FindingFilters(c, &request)) return c.Usage(*error);
  if (absl::Status s = c.ConnectFindings(); !s.ok()) return c.Fail(s);
  absl::StatusOr<std::vector<v1::Finding>> all = c.findings().ListAll(request);
  if (!all.ok()) return c.Fail(all.status());
  c.out() << (c.Has("json") ? FindingsToJsonLines(*all) : FindingsToTable(*all));
  return kExitOk;
}

int Summary(CommandContext& c) {
  if (absl::Status s = c.ConnectFindings(); !s.ok()) return c.Fail(s);
  absl::StatusOr<v1::SummarizeFindingsResponse> summary = c.findings().Summarize(c.Opt("agency"));
  if (!summary.ok()) return c.Fail(summary.status());
  c.out() << SummaryToJson(*summary) << "\n";
  return kExitOk;
}

int Get(CommandContext& c) {
  if (!c.Has("finding")) return c.Usage("findings get needs --finding");
  std::optional<int64_t> id = FindingId(c);
  if (!id) return BadFindingId(c);
  if (absl::Status s = c.ConnectFindings(); !s.ok()) return c.Fail(s);
  absl::StatusOr<v1::Finding> finding = c.findings().Get(*id);
  if (!finding.ok()) return c.Fail(finding.status());
  c.out() << FindingToJson(*finding) << "\n";
  return kExitOk;
}

int Review(CommandContext& c) {
  if (!c.Has("finding") || !c.Has("action")) return c.Usage("review needs --finding and --action");
  std::optional<int64_t> id = FindingId(c);
  if (!id) return BadFindingId(c);
  v1::ReviewFindingRequest request;
  request.set_finding_id(*id);
  v1::ReviewFindingRequest::Action action = v1::ReviewFindingRequest::ACTION_UNSPECIFIED;
  if (!v1::ReviewFindingRequest::Action_Parse(EnumToken(c.Opt("action")), &action) ||
      action == v1::ReviewFindingRequest::ACTION_UNSPECIFIED) {
    return c.Usage(absl::StrCat("--action \"", c.Opt("action"), "\" must be acknowledge, resolve or reopen"));
  }
  if (action == v1::ReviewFindingRequest::RESOLVE && c.Opt("note").empty()) {
    return c.Usage("--action resolve needs --note saying why");
  }
  request.set_action(action);
  request.set_note(c.Opt("note"));
  if (absl::Status s = c.ConnectFindings(); !s.ok()) return c.Fail(s);
  absl::StatusOr<v1::Finding> finding = c.findings().Review(request);
  if (!finding.ok()) return c.Fail(finding.status());
  c.out() << FindingToJson(*finding) << "\n";
  return kExitOk;
}

int Report(CommandContext& c) {
  if (c.Opt("out").empty()) return c.Usage("report needs --out DIR");
  const absl::Time start = absl::Now();
  if (absl::Status s = c.ConnectBackend(); !s.ok()) return c.Fail(s);  // for the category labels
  if (absl::Status s = c.ConnectFindings(); !s.ok()) return c.Fail(s);
  ReportInput input;
  absl::StatusOr<v1::SummarizeFindingsResponse> summary = c.findings().Summarize(c.Opt("agency"));
  if (!summary.ok()) return c.Fail(summary.status());
  input.summary = *std::move(summary);
  v1::ListFindingsRequest request;  // no statuses: OPEN and ACKNOWLEDGED
  request.set_agency(c.Opt("agency"));
  request.set_page_size(1000);
  absl::StatusOr<std::vector<v1::Finding>> open = c.findings().ListAll(request);
  if (!open.ok()) return c.Fail(open.status());
  input.findings = *std::move(open);
  // The Children section: data-quality officers only (for anyone else the
  // section says so); one more than the table shows tells if it is cut.
  absl::StatusOr<std::vector<v1::ChildReconciliation>> children =
      c.findings().AllChildren(input.max_table_rows + 1);
  if (children.ok()) {
    input.children = *std::move(children);
    input.children_cut = static_cast<int>(input.children.size()) > input.max_table_rows;
    if (input.children_cut) input.children.resize(input.max_table_rows);
  } else if (children.status().code() == absl::StatusCode::kPermissionDenied) {
    input.children_unavailable = "Only data-quality officers see children across agencies.";
  } else if (children.status().code() == absl::StatusCode::kUnimplemented) {
    input.children_unavailable = "This server does not give children's sheets (it is older than this ethrec).";
  } else {
    return c.Fail(children.status());
  }
  input.labels = c.backend().labels();
  input.generated_at = absl::Now();
  input.title = c.Opt("agency").empty() ? "Ethnicity recording findings"
                                        : absl::StrCat("Ethnicity recording findings: ", c.Opt("agency"));
  absl::StatusOr<ReportPaths> paths = WriteReport(c.Opt("out"), input);
  if (!paths.ok()) return c.Fail(paths.status());
  c.out() << paths->html << "\n"
          << paths->csv << "\n"
          << input.findings.size() << " open finding(s): " << paths->table_rows << " listed in the HTML table"
          << (paths->table_rows < paths->csv_rows ? " (the most severe)" : "") << ", " << paths->csv_rows
          << " in the CSV; " << input.summary.completeness_size() << " agency(ies); took "
          << absl::FormatDuration(absl::Trunc(absl::Now() - start, absl::Milliseconds(1))) << "\n";
  return kExitOk;
}

}  // namespace

CommandSection FindingsCommands() {
  return {
      .heading = "Findings (need --server; a --role data-quality-officer sees every agency and\n"
                 "may review, any other role sees only its own --agency; an --agency after the\n"
                 "command filters, the one before it says who you are):",
      .commands = {
          {.name = "findings",
           .options = {{"agency"}, {"kind", OptionKind::kList}, {"severity"}, {"status", OptionKind::kList},
                       {"since"}, {"until"}, {"page-size"}, {"json", OptionKind::kFlag}},
           .needs_server = kNeedsServer,
           .usage = "  findings [--agency A] [--kind K[,K...]]... [--severity MIN]\n"
                    "           [--status S[,S...]]... [--since T] [--until T] [--page-size N] [--json]\n"
                    "                                             every matching finding, as a table, or\n"
                    "                                             one JSON line each with --json.\n"
                    "                                             K: SELF_ID_MISMATCH, AGENCY_DISAGREEMENT,\n"
                    "                                             CLASSIFICATION_LIMIT, DETAIL_LOST, OUTDATED,\n"
                    "                                             NOT_SELF_DEFINED, MISSING; MIN: INFO, LOW,\n"
                    "                                             MEDIUM, HIGH; S: OPEN, ACKNOWLEDGED,\n"
                    "                                             RESOLVED, CLEARED (default OPEN,ACKNOWLEDGED);\n"
                    "                                             --since/--until bound the time last raised\n"
                    "                                             (RFC 3339, until exclusive)\n",
           .run = List},
          {.name = "findings summary",
           .options = {{"agency"}},
           .needs_server = kNeedsServer,
           .usage = "  findings summary [--agency A]              counts by agency, kind and status, and\n"
                    "                                             each agency's completeness, as JSON\n",
           .run = Summary},
          {.name = "findings get",
           .options = {{"finding"}},
           .needs_server = kNeedsServer,
           .usage = "  findings get --finding ID                  one finding with its history, as JSON\n",
           .run = Get},
          {.name = "review",
           .options = {{"finding"}, {"action"}, {"note"}},
           .needs_server = kNeedsServer,
           .usage = "  review --finding ID --action acknowledge|resolve|reopen [--note TEXT]\n"
                    "                                             review a finding (resolve needs --note);\n"
                    "                                             prints it as it now is\n",
           .run = Review},
          {.name = "report",
           .options = {{"out"}, {"agency"}},
           .needs_server = kNeedsServer,
           .usage = "  report --out DIR [--agency A]              write DIR/ethrec-report.html (charts and a\n"
                    "                                             sortable table of the 5,000 most severe)\n"
                    "                                             and DIR/ethrec-findings.csv (all of them)\n"
                    "                                             of the open and acknowledged findings\n",
           .run = Report},
      }};
}

}  // namespace ethrec::tools
