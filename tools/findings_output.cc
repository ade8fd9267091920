#include "tools/findings_output.h"

#include <algorithm>
#include <array>
#include <vector>

#include "api/convert.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "tools/internal/json_writer.h"
#include "tools/internal/text_table.h"
#include "tools/records_client.h"

namespace ethrec::tools {
namespace {

using text_internal::AlignedTable;
using text_internal::IsContinuationByte;
using text_internal::Width;
using text_internal::WithoutControls;
using json_internal::Key;
using json_internal::KeyInt;
using json_internal::KeyStr;
using json_internal::Str;
using json_internal::Writer;

constexpr size_t kMaxIdWidth = 24;
constexpr size_t kMaxReasonWidth = 72;
constexpr absl::string_view kEllipsis = "...";

// The name `name(value)` gives, or the number when it gives none.
template <typename Enum, typename NameFn>
std::string NameOr(Enum value, NameFn name) {
  const std::string& n = name(value);
  return n.empty() ? absl::StrCat(static_cast<int>(value)) : n;
}

// `s` made safe for a terminal and cut to at most `max` characters: at the
// last space in the final third when there is one, then "...".
std::string Cell(absl::string_view s, size_t max) {
  std::string text = WithoutControls(s);
  if (Width(text) <= max) return text;
  const size_t keep = max - kEllipsis.size();
  size_t end = 0;
  for (size_t chars = 0; end < text.size(); ++end) {
    if (!IsContinuationByte(text[end]) && chars++ == keep) break;
  }
  const size_t space = text.rfind(' ', end);
  if (space != std::string::npos && space > 0 && Width(absl::string_view(text).substr(0, space)) >= keep * 2 / 3) {
    end = space;
  }
  while (end > 0 && text[end - 1] == ' ') --end;
  text.resize(end);
  return absl::StrCat(text, kEllipsis);
}

// "BLACK_AFRICAN|BLACK_OTHER": the categories' API names.
std::string CategoryNames(const google::protobuf::RepeatedField<int>& categories) {
  std::string out;
  for (int c : categories) {
    absl::StrAppend(&out, out.empty() ? "" : "|",
                    NameOr(static_cast<v1::Category>(c), [](v1::Category v) { return v1::Category_Name(v); }));
  }
  return out;
}

void KeyTime(Writer& w, absl::string_view k, const google::protobuf::Timestamp& t) {
  KeyStr(w, k, FormatTimestampUtc(t));
}

void KeyCategories(Writer& w, absl::string_view k, const google::protobuf::RepeatedField<int>& categories) {
  Key(w, k);
  w.StartArray();
  for (int c : categories) {
    Str(w, NameOr(static_cast<v1::Category>(c), [](v1::Category v) { return v1::Category_Name(v); }));
  }
  w.EndArray();
}

void WriteFinding(Writer& w, const v1::Finding& f) {
  w.StartObject();
  KeyInt(w, "finding_id", f.finding_id());
  KeyStr(w, "kind", EnumName(f.kind()));
  KeyStr(w, "severity", EnumName(f.severity()));
  KeyStr(w, "status", EnumName(f.status()));
  KeyStr(w, "agency", f.agency());
  KeyStr(w, "record_id", f.record_id());
  Key(w, "compared");
  w.StartArray();
  for (const v1::RecordRef& r : f.compared()) {
    w.StartObject();
    KeyStr(w, "agency", r.agency());
    KeyStr(w, "record_id", r.record_id());
    KeyInt(w, "record_version", r.record_version());
    w.EndObject();
  }
  w.EndArray();
  KeyCategories(w, "record_categories", f.record_categories());
  KeyCategories(w, "reference_categories", f.reference_categories());
  KeyStr(w, "reason", f.reason());
  KeyStr(w, "suggested_code", f.suggested_code());
  KeyStr(w, "suggested_display", f.suggested_display());
  KeyTime(w, "first_raised_at", f.first_raised_at());
  KeyTime(w, "last_raised_at", f.last_raised_at());
  KeyInt(w, "reopen_count", f.reopen_count());
  Key(w, "history");
  w.StartArray();
  for (const v1::FindingEvent& e : f.history()) {
    w.StartObject();
    KeyStr(w, "action",
           NameOr(e.action(), [](v1::FindingEvent::Action a) { return v1::FindingEvent::Action_Name(a); }));
    KeyTime(w, "time", e.time());
    KeyStr(w, "by_agency", e.by_agency());
    KeyStr(w, "by_role", e.by_role());
    KeyStr(w, "note", e.note());
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

}  // namespace

std::string EnumName(v1::FindingKind kind) {
  return NameOr(kind, [](v1::FindingKind v) { return v1::FindingKind_Name(v); });
}
std::string EnumName(v1::Severity severity) {
  return NameOr(severity, [](v1::Severity v) { return v1::Severity_Name(v); });
}
std::string EnumName(v1::FindingStatus status) {
  return NameOr(status, [](v1::FindingStatus v) { return v1::FindingStatus_Name(v); });
}

std::string FormatTimestampUtc(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%E*SZ", api::FromProto(t), absl::UTCTimeZone());
}

std::string FindingsToTable(const std::vector<v1::Finding>& findings) {
  if (findings.empty()) return "no findings\n";
  std::vector<std::vector<std::string>> rows;
  rows.reserve(findings.size() + 1);
  rows.push_back({"ID", "STATUS", "SEVERITY", "KIND", "AGENCY", "RECORD", "REASON"});
  for (const v1::Finding& f : findings) {
    rows.push_back({absl::StrCat(f.finding_id()), EnumName(f.status()), EnumName(f.severity()),
                    EnumName(f.kind()), Cell(f.agency(), kMaxIdWidth),
                    Cell(f.record_id(), kMaxIdWidth), Cell(f.reason(), kMaxReasonWidth)});
  }
  return AlignedTable(rows);
}

std::string ChildSheetToTable(const v1::ChildReconciliation& sheet) {
  std::string out = absl::StrCat("child ", sheet.child_id(), "\n");
  if (!sheet.has_reference()) {
    absl::StrAppend(&out, "reference: none (no statement by the child or a parent or carer names a group)\n");
  } else {
    const v1::ReferenceIdentity& r = sheet.reference();
    absl::StrAppend(&out, "reference: ", CategoryNames(r.categories()),
                    r.detail().empty() ? "" : absl::StrCat(" (", Cell(r.detail(), kMaxIdWidth), ")"), ", ",
                    r.supplied_by() == v1::PARENT_OR_CARER ? "said by a parent or carer" : "said by the child",
                    " on ", FormatTimestampUtc(r.stated_at()).substr(0, 10),
                    r.declined_later() ? "; later declined to say" : "");
    if (sheet.has_reference_record()) {
      absl::StrAppend(&out, " [", Cell(sheet.reference_record().agency(), kMaxIdWidth), "/",
                      Cell(sheet.reference_record().record_id(), kMaxIdWidth), "]");
    }
    out.append("\n");
  }
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"AGENCY", "RECORD", "VERSION", "SUPPLIED_BY", "RECORDED", "READS AS", "VERDICT", "FINDINGS",
                  "RECORD INSTEAD"});
  for (const v1::AgencyVerdicts& agency : sheet.agencies()) {
    for (const v1::RecordVerdict& r : agency.records()) {
      const v1::NormalizedValue& v = r.value();
      google::protobuf::RepeatedField<int> categories;
      for (const v1::RankedCategory& c : v.categories()) categories.Add(c.category());
      std::string reads = v.outcome() == v1::CATEGORIES ? CategoryNames(categories) : v1::Outcome_Name(v.outcome());
      if (!v.detail().empty()) absl::StrAppend(&reads, " (", Cell(v.detail(), kMaxIdWidth), ")");
      std::string ids;
      for (int64_t id : r.finding_ids()) absl::StrAppend(&ids, ids.empty() ? "" : ",", id);
      rows.push_back({Cell(agency.agency(), kMaxIdWidth), Cell(r.record().record_id(), kMaxIdWidth),
                      absl::StrCat(r.record().record_version()), v1::SuppliedBy_Name(r.supplied_by()),
                      FormatTimestampUtc(r.recorded_at()).substr(0, 10), reads,
                      std::string(absl::StripPrefix(
                          NameOr(r.verdict(), [](v1::Verdict x) { return v1::Verdict_Name(x); }), "VERDICT_")),
                      ids,
                      r.suggested_code().empty()
                          ? ""
                          : Cell(absl::StrCat(r.suggested_code(), " '", r.suggested_display(), "'"), kMaxReasonWidth)});
    }
  }
  if (rows.size() == 1) return absl::StrCat(out, "no records\n");
  return out + AlignedTable(rows);
}

std::string FindingToJson(const v1::Finding& finding) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  WriteFinding(w, finding);
  return buf.GetString();
}

std::string FindingsToJsonLines(const std::vector<v1::Finding>& findings) {
  std::string out;
  for (const v1::Finding& f : findings) absl::StrAppend(&out, FindingToJson(f), "\n");
  return out;
}

std::string SummaryToJson(const v1::SummarizeFindingsResponse& summary) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  KeyInt(w, "children", summary.children());
  Key(w, "counts");
  w.StartArray();
  for (const v1::FindingCount& c : summary.counts()) {
    w.StartObject();
    KeyStr(w, "agency", c.agency());
    KeyStr(w, "kind", EnumName(c.kind()));
    KeyStr(w, "status", EnumName(c.status()));
    KeyInt(w, "count", c.count());
    w.EndObject();
  }
  w.EndArray();
  Key(w, "completeness");
  w.StartArray();
  for (const v1::AgencyCompleteness& a : summary.completeness()) {
    w.StartObject();
    KeyStr(w, "agency", a.agency());
    KeyInt(w, "children", a.children());
    KeyInt(w, "children_self_defined", a.children_self_defined());
    Key(w, "share");
    w.Double(a.share());
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return buf.GetString();
}

}  // namespace ethrec::tools
