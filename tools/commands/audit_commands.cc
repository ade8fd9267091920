// audit: the audit trail of the --server (role auditor).
#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "api/convert.h"
#include "tools/audit_client.h"
#include "tools/audit_output.h"
#include "tools/commands/command.h"

namespace ethrec::tools {
namespace {

// The full method name for --method: "/ethrec.v1.RecordsService/GetChild"
// as it is, or "RecordsService.GetChild" / "RecordsService/GetChild" (the
// README's spelling) completed; nullopt for anything else.
std::optional<std::string> FullMethodName(absl::string_view m) {
  if (m.empty() || m.size() > 200) return std::nullopt;
  for (char c : m) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '/' && c != '_') return std::nullopt;
  }
  if (absl::StartsWith(m, "/")) return std::string(m);
  const size_t cut = m.find_last_of("./");
  if (cut == absl::string_view::npos || cut == 0 || cut + 1 == m.size()) return std::nullopt;
  absl::string_view service = m.substr(0, cut);
  absl::ConsumePrefix(&service, "ethrec.v1.");
  if (absl::StrContains(service, '/') || absl::StrContains(service, '.')) return std::nullopt;
  return absl::StrCat("/ethrec.v1.", service, "/", m.substr(cut + 1));
}

bool ParseRfc3339(const std::string& text, absl::Time* t) {
  std::string error;
  return absl::ParseTime(absl::RFC3339_full, text, t, &error);
}

// The filters of `audit`, from its options. Returns a usage message naming
// the option and value when one is wrong.
std::optional<std::string> AuditFilters(const CommandContext& c, v1::ListAuditEventsRequest* request) {
  request->set_agency(c.Opt("agency"));
  if (c.Has("child-id")) {
    int64_t id = 0;
    if (!absl::SimpleAtoi(c.Opt("child-id"), &id) || id < 1) {
      return absl::StrCat("--child-id \"", c.Opt("child-id"), "\" is not a child id (a whole number above 0)");
    }
    request->set_child_id(id);
  }
  if (c.Has("method")) {
    std::optional<std::string> method = FullMethodName(c.Opt("method"));
    if (!method) {
      return absl::StrCat("--method \"", absl::CHexEscape(c.Opt("method")),
                          "\" is not a method such as RecordsService.GetChild");
    }
    request->set_method(*method);
  }
  for (const char* key : {"since", "until"}) {
    if (!c.Has(key)) continue;
    absl::Time t;
    if (!ParseRfc3339(c.Opt(key), &t)) {
      return absl::StrCat("--", key, " \"", c.Opt(key), "\" is not an RFC 3339 time such as 2026-11-27T10:00:00Z");
    }
    api::ToProto(t, std::string(key) == "since" ? request->mutable_start_time() : request->mutable_end_time());
  }
  if (request->has_start_time() && request->has_end_time() &&
      api::FromProto(request->start_time()) >= api::FromProto(request->end_time())) {
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

int List(CommandContext& c) {
  v1::ListAuditEventsRequest request;
  if (std::optional<std::string> error = AuditFilters(c, &request)) return c.Usage(*error);
  if (absl::Status s = c.ConnectAudit(); !s.ok()) return c.Fail(s);
  absl::StatusOr<std::vector<AuditEvent>> all = c.audit().ListAll(request);
  if (!all.ok()) return c.Fail(all.status());
  c.out() << (c.Has("json") ? AuditEventsToJsonLines(*all) : AuditEventsToTable(*all));
  return kExitOk;
}

}  // namespace

CommandSection AuditCommands() {
  return {
      .heading = "Audit (needs --server and --role auditor; an --agency after the command filters):",
      .commands = {
          {.name = "audit",
           .options = {{"agency"}, {"child-id"}, {"method"}, {"since"}, {"until"}, {"page-size"},
                       {"json", OptionKind::kFlag}},
           .needs_server = "audit needs --server",
           .usage = "  audit [--agency A] [--child-id N] [--method M] [--since T] [--until T]\n"
                    "        [--page-size N] [--json]          every access to a child's data, oldest\n"
                    "                                             first, as a table, or one JSON line each\n"
                    "                                             with --json. N: ethrec's internal child id\n"
                    "                                             (as `child` prints it), not an agency's;\n"
                    "                                             M: RecordsService.GetChild or\n"
                    "                                             /ethrec.v1.RecordsService/GetChild;\n"
                    "                                             --since/--until bound the time (RFC 3339,\n"
                    "                                             until exclusive)\n",
           .run = List},
      }};
}

}  // namespace ethrec::tools
