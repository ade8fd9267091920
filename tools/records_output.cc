#include "tools/records_output.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "tools/internal/json_writer.h"
#include "api/convert.h"
#include "tools/findings_output.h"
#include "tools/json_output.h"
#include "tools/records_client.h"

namespace ethrec::tools {
namespace {

using json_internal::Key;
using json_internal::KeyStr;
using json_internal::Str;
using json_internal::Writer;
using json_internal::KeyInt;

// The normalised value, exactly as `ethrec normalize` prints it.
void KeyValue(Writer& w, const CategoryLabels& labels, const v1::NormalizedValue& v) {
  Key(w, "value");
  const std::string json = NormalizedToJson(labels, api::FromProto(v));
  w.RawValue(json.data(), json.size(), rapidjson::kObjectType);
}

void KeyTime(Writer& w, absl::string_view k, const google::protobuf::Timestamp& t) {
  KeyStr(w, k, absl::FormatTime("%Y-%m-%d%ET%H:%M:%E*SZ", api::FromProto(t), absl::UTCTimeZone()));
}

}  // namespace

std::string RecordResultToJson(const CategoryLabels& labels, const v1::RecordObservationResponse& r) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  KeyStr(w, "outcome", v1::WriteOutcome_Name(r.outcome()));
  KeyValue(w, labels, r.value());
  Key(w, "findings");
  w.StartArray();
  for (const v1::FindingFeedback& f : r.findings()) {
    w.StartObject();
    KeyStr(w, "action", v1::FindingEvent::Action_Name(f.action()));
    Key(w, "finding");
    const std::string finding = FindingToJson(f.finding());
    w.RawValue(finding.data(), finding.size(), rapidjson::kObjectType);
    w.EndObject();
  }
  w.EndArray();
  if (r.has_reference()) {
    Key(w, "reference");
    w.StartObject();
    Key(w, "categories");
    w.StartArray();
    for (int c : r.reference().categories()) Str(w, v1::Category_Name(static_cast<v1::Category>(c)));
    w.EndArray();
    KeyStr(w, "detail", r.reference().detail());
    KeyTime(w, "stated_at", r.reference().stated_at());
    KeyStr(w, "supplied_by", v1::SuppliedBy_Name(r.reference().supplied_by()));
    w.Key("declined_later");
    w.Bool(r.reference().declined_later());
    w.EndObject();
  }
  w.EndObject();
  return buf.GetString();
}

std::string ChildToJson(const CategoryLabels& labels, const v1::GetChildResponse& child,
                        const v1::ChildReconciliation& sheet) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Key(w, "nhs_numbers");
  w.StartArray();
  for (const std::string& n : child.nhs_numbers()) Str(w, n);
  w.EndArray();
  Key(w, "agency_child_ids");
  w.StartArray();
  for (const v1::AgencyChildId& id : child.agency_child_ids()) {
    w.StartObject();
    KeyStr(w, "agency", id.agency());
    KeyStr(w, "agency_child_id", id.agency_child_id());
    w.EndObject();
  }
  w.EndArray();
  Key(w, "observations");
  w.StartArray();
  for (const v1::Observation& o : child.observations()) {
    w.StartObject();
    KeyStr(w, "agency", o.agency());
    KeyStr(w, "record_id", o.record_id());
    Key(w, "versions");
    w.StartArray();
    for (const v1::ObservationVersion& v : o.versions()) {
      w.StartObject();
      KeyInt(w, "record_version", v.record_version());
      KeyStr(w, "system", v.system());
      KeyStr(w, "code", v.code());
      KeyStr(w, "text", v.text());
      KeyStr(w, "supplied_by", v1::SuppliedBy_Name(v.supplied_by()));
      KeyTime(w, "recorded_at", v.recorded_at());
      KeyTime(w, "received_at", v.received_at());
      KeyValue(w, labels, v.value());
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  Key(w, "reconciliation");
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(sheet, &json, options).ok()) json = "{}";
  w.RawValue(json.data(), json.size(), rapidjson::kObjectType);
  w.EndObject();
  return buf.GetString();
}

std::string ImportSummaryToText(const ImportSummary& s) {
  std::string out = absl::StrCat("rows read: ", s.rows_read, "\n",                                   //
                                 "accepted: ", s.accepted(), " (inserted ", s.inserted, ", duplicate ",  //
                                 s.duplicate, ", historical ", s.historical, ")\n",                  //
                                 "rejected: ", s.rejections.size(), "\n");
  for (const ImportRejection& r : s.rejections) absl::StrAppend(&out, "line ", r.line, ": ", r.reason, "\n");
  if (!s.stopped.ok()) {
    absl::StrAppend(&out, "stopped at line ", s.stopped_at_line, ": ", StatusCodeName(s.stopped.code()), ": ",
                    s.stopped.message(), "\n", s.accepted(), " row(s) committed; no row from line ",
                    s.stopped_at_line,
                    " on was imported. Importing the file again is safe: stored rows come back as duplicate.\n");
  }
  return out;
}

std::string ImportSummaryToJson(const ImportSummary& s) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  KeyInt(w, "rows_read", s.rows_read);
  KeyInt(w, "accepted", s.accepted());
  KeyInt(w, "inserted", s.inserted);
  KeyInt(w, "duplicate", s.duplicate);
  KeyInt(w, "historical", s.historical);
  KeyInt(w, "rejected", static_cast<int64_t>(s.rejections.size()));
  Key(w, "rejections");
  w.StartArray();
  for (const ImportRejection& r : s.rejections) {
    w.StartObject();
    KeyInt(w, "line", r.line);
    KeyStr(w, "code", StatusCodeName(r.code));
    KeyStr(w, "field", r.field);
    KeyStr(w, "reason", r.reason);
    w.EndObject();
  }
  w.EndArray();
  if (!s.stopped.ok()) {
    Key(w, "stopped");
    w.StartObject();
    KeyStr(w, "code", StatusCodeName(s.stopped.code()));
    KeyStr(w, "message", s.stopped.message());
    KeyInt(w, "at_line", s.stopped_at_line);
    KeyInt(w, "committed", s.accepted());
    w.EndObject();
  }
  w.EndObject();
  return buf.GetString();
}

}  // namespace ethrec::tools
