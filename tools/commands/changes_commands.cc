// watch: the change feed of the --server, one line per event.
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "tools/changes_client.h"
#include "tools/commands/command.h"

namespace ethrec::tools {
namespace {

// The token saved in `path`, or "" when there is no such file.
std::string ReadTokenFile(const std::string& path) {
  std::ifstream in(path);
  std::string token;
  if (in) std::getline(in, token);
  return std::string(absl::StripAsciiWhitespace(token));
}

// Saves `token` to `path` whole or not at all (a new file renamed over the
// old), so that a watch killed mid-write resumes from the token before.
bool WriteTokenFile(const std::string& path, const std::string& token) {
  const std::string tmp = absl::StrCat(path, ".tmp");
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << token << "\n";
    out.flush();
    if (!out) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

// One line of text for `e`: its token, then what changed.
std::string EventLine(const v1::ChangeEvent& e) {
  if (e.has_record_written()) {
    const v1::RecordWritten& r = e.record_written();
    return absl::StrCat(e.token(), " record ", r.agency(), "/", r.record_id(), " v", r.record_version(), " ",
                        v1::WriteOutcome_Name(r.outcome()), " child ", r.child_id(), " ",
                        v1::Outcome_Name(r.value().outcome()));
  }
  if (e.has_finding_changed()) {
    const v1::FindingChanged& f = e.finding_changed();
    return absl::StrCat(e.token(), " finding ", f.finding_id(), " ", v1::FindingEvent::Action_Name(f.action()), " ",
                        v1::FindingKind_Name(f.kind()), " ", f.agency(),
                        f.other_agency().empty() ? "" : absl::StrCat("/", f.other_agency()), " child ",
                        f.child_id());
  }
  return absl::StrCat(e.token(), " bookmark");
}

// The request from the options; a usage message when one is wrong.
std::optional<std::string> WatchRequest(const CommandContext& c, v1::WatchChangesRequest* request) {
  if (c.Has("since")) {
    request->set_since_token(c.Opt("since"));
  } else if (c.Has("token-file")) {
    request->set_since_token(ReadTokenFile(c.Opt("token-file")));
  }
  if (c.Has("kind")) {
    for (absl::string_view k : absl::StrSplit(c.Opt("kind"), ',')) {
      if (k == "record") {
        request->add_kinds(v1::RECORD_WRITTEN);
      } else if (k == "finding") {
        request->add_kinds(v1::FINDING_CHANGED);
      } else {
        return absl::StrCat("--kind \"", k, "\" is not a kind of change (record or finding)");
      }
    }
  }
  request->set_agency(c.Opt("for-agency"));
  return std::nullopt;
}

int Watch(CommandContext& c) {
  v1::WatchChangesRequest request;
  if (std::optional<std::string> error = WatchRequest(c, &request)) return c.Usage(*error);
  int64_t count = -1;
  if (c.Has("count") && (!absl::SimpleAtoi(c.Opt("count"), &count) || count < 1)) {
    return c.Usage(absl::StrCat("--count \"", c.Opt("count"), "\" must be a whole number above 0"));
  }
  absl::StatusOr<std::unique_ptr<ChangesClient>> client = ChangesClient::Connect(c.args().server, c.args().identity);
  if (!client.ok()) return c.Fail(client.status());
  const bool json = c.Has("json");
  const std::string token_file = c.Opt("token-file");
  int64_t changes = 0;
  bool saved = true;
  absl::Status ended = (*client)->Watch(request, [&](const v1::ChangeEvent& e) {
    if (json) {
      std::string line;
      google::protobuf::util::JsonPrintOptions options;
      options.preserve_proto_field_names = true;
      (void)google::protobuf::util::MessageToJsonString(e, &line, options);
      c.out() << line << "\n";
    } else {
      c.out() << EventLine(e) << "\n";
    }
    c.out().flush();
    // Saved after the line is printed: a restart may print an event again
    // (at least once), never skip one.
    if (!token_file.empty()) saved = WriteTokenFile(token_file, e.token()) && saved;
    if (!e.has_bookmark()) ++changes;
    return count < 0 || changes < count;
  });
  if (!saved) c.err() << "ethrec: watch: could not always save the token to " << token_file << "\n";
  if (!ended.ok()) return c.Fail(ended);
  return saved ? kExitOk : kExitError;
}

}  // namespace

CommandSection ChangesCommands() {
  return {
      .heading = "Change feed (needs --server):",
      .commands = {
          {.name = "watch",
           .options = {{"since"}, {"token-file"}, {"kind", OptionKind::kList}, {"for-agency"}, {"count"},
                       {"json", OptionKind::kFlag}},
           .needs_server = "watch needs --server",
           .usage = "  watch [--since TOKEN] [--token-file FILE] [--kind record|finding] [--for-agency A]\n"
                    "        [--count N] [--json]              every record and finding change as it\n"
                    "                                             commits, one line each with its token\n"
                    "                                             (JSON with --json); from TOKEN, or the\n"
                    "                                             token saved in FILE (saved again after\n"
                    "                                             each line, so a restart resumes), else\n"
                    "                                             from now; stops after N changes\n",
           .run = Watch},
      }};
}

}  // namespace ethrec::tools
