#include "tools/audit_output.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "tools/internal/json_writer.h"
#include "tools/internal/text_table.h"

namespace ethrec::tools {
namespace {

using json_internal::Key;
using json_internal::KeyInt;
using json_internal::KeyStr;
using json_internal::Writer;
using text_internal::AlignedTable;
using text_internal::WithoutControls;

std::string Ids(const std::vector<int64_t>& ids) { return ids.empty() ? "-" : absl::StrJoin(ids, ","); }

void KeyIds(Writer& w, absl::string_view k, const std::vector<int64_t>& ids) {
  Key(w, k);
  w.StartArray();
  for (int64_t id : ids) w.Int64(id);
  w.EndArray();
}

}  // namespace

std::string ShortMethodName(const std::string& method) {
  absl::string_view m = method;
  if (!absl::ConsumePrefix(&m, "/ethrec.v1.")) return method;
  return absl::StrReplaceAll(m, {{"/", "."}});
}

std::string AuditEventsToTable(const std::vector<AuditEvent>& events) {
  if (events.empty()) return "no audit events\n";
  std::vector<std::vector<std::string>> rows = {
      {"TIME", "AGENCY", "ROLE", "METHOD", "CHILDREN", "FINDINGS", "OUTCOME", "PEER", "IDENTITY"}};
  for (const AuditEvent& e : events) {
    rows.push_back({absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", e.time, absl::UTCTimeZone()),
                    WithoutControls(e.actor.agency), WithoutControls(e.actor.role),
                    WithoutControls(ShortMethodName(e.actor.method)), Ids(e.child_ids), Ids(e.finding_ids),
                    WithoutControls(absl::StrCat(e.outcome, e.validate_only ? " validate_only" : "")),
                    WithoutControls(e.actor.peer), WithoutControls(e.actor.identity)});
  }
  return AlignedTable(rows);
}

std::string AuditEventToJson(const AuditEvent& e) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  KeyInt(w, "event_id", e.id);
  KeyStr(w, "time", absl::FormatTime("%Y-%m-%d%ET%H:%M:%E*SZ", e.time, absl::UTCTimeZone()));
  KeyStr(w, "agency", e.actor.agency);
  KeyStr(w, "role", e.actor.role);
  KeyStr(w, "identity", e.actor.identity);
  KeyStr(w, "peer", e.actor.peer);
  KeyStr(w, "method", e.actor.method);
  KeyIds(w, "child_ids", e.child_ids);
  KeyIds(w, "finding_ids", e.finding_ids);
  Key(w, "validate_only");
  w.Bool(e.validate_only);
  KeyStr(w, "outcome", e.outcome);
  w.EndObject();
  return buffer.GetString();
}

std::string AuditEventsToJsonLines(const std::vector<AuditEvent>& events) {
  std::string out;
  for (const AuditEvent& e : events) absl::StrAppend(&out, AuditEventToJson(e), "\n");
  return out;
}

}  // namespace ethrec::tools
