#include "tools/json_output.h"

#include "absl/strings/string_view.h"
#include "absl/strings/str_cat.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "tools/internal/json_writer.h"

namespace ethrec::tools {
namespace {

using json_internal::Key;
using json_internal::KeyStr;
using json_internal::Str;
using json_internal::Writer;

}  // namespace

std::string StatusCodeName(absl::StatusCode code) {
  std::string name = absl::StatusCodeToString(code);
  for (char& c : name) c = c == ' ' ? '_' : static_cast<char>(std::toupper(c));
  return name;
}

std::string NormalizedToJson(const CategoryLabels& labels, const Normalized& n, std::optional<int> row) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  if (row) {
    Key(w, "row");
    w.Int(*row);
  }
  KeyStr(w, "outcome", OutcomeName(n.outcome));
  Key(w, "categories");
  w.StartArray();
  for (const RankedCategory& c : n.categories) Str(w, CategoryName(c.category));
  w.EndArray();
  Key(w, "labels");
  w.StartArray();
  for (const RankedCategory& c : n.categories) Str(w, labels[static_cast<int>(c.category)]);
  w.EndArray();
  Key(w, "confidence");
  w.StartArray();
  for (const RankedCategory& c : n.categories) w.Double(static_cast<double>(static_cast<int>(c.confidence * 1000 + 0.5)) / 1000);
  w.EndArray();
  KeyStr(w, "relationship", RelationshipName(n.relationship));
  Key(w, "ambiguous");
  w.Bool(n.ambiguous);
  if (!n.detail.empty()) KeyStr(w, "detail", n.detail);
  KeyStr(w, "basis", RecordingBasisName(n.basis));
  if (!n.system.empty()) {
    KeyStr(w, "system", n.system);
    KeyStr(w, "system_version", n.system_version);
  }
  if (!n.code.empty()) {
    KeyStr(w, "code", n.code);
    KeyStr(w, "display", n.display);
  }
  if (!n.map_id.empty()) {
    Key(w, "map");
    w.StartObject();
    KeyStr(w, "id", n.map_id);
    KeyStr(w, "version", n.map_version);
    w.EndObject();
  }
  KeyStr(w, "decided_by", n.decided_by_text ? "text" : "code");
  KeyStr(w, "explanation", n.explanation);
  Key(w, "notes");
  w.StartArray();
  for (const std::string& note : n.notes) Str(w, note);
  w.EndArray();
  w.EndObject();
  return buf.GetString();
}

std::string ErrorToJson(const absl::Status& status, std::optional<int> row) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  if (row) {
    Key(w, "row");
    w.Int(*row);
  }
  Key(w, "error");
  w.StartObject();
  KeyStr(w, "code", StatusCodeName(status.code()));
  KeyStr(w, "message", status.message());
  w.EndObject();
  w.EndObject();
  return buf.GetString();
}

std::string SuggestionToJson(const CodeSuggestion& s) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  KeyStr(w, "system", s.system);
  KeyStr(w, "system_version", s.system_version);
  KeyStr(w, "code", s.code);
  KeyStr(w, "display", s.display);
  KeyStr(w, "relationship", RelationshipName(s.relationship));
  Key(w, "categories");
  w.StartArray();
  for (Category c : s.category_set.ToVector()) Str(w, CategoryName(c));
  w.EndArray();
  KeyStr(w, "explanation", s.explanation);
  w.EndObject();
  return buf.GetString();
}

std::string SystemsToJson(const SystemsListing& listing) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Key(w, "taxonomy");
  w.StartObject();
  KeyStr(w, "id", listing.taxonomy_id);
  KeyStr(w, "version", listing.taxonomy_version);
  w.EndObject();
  KeyStr(w, "lexicon", listing.lexicon_version);
  Key(w, "systems");
  w.StartArray();
  for (const SystemInfo& s : listing.systems) {
    w.StartObject();
    KeyStr(w, "id", s.id);
    KeyStr(w, "version", s.version);
    KeyStr(w, "title", s.title);
    KeyStr(w, "basis", RecordingBasisName(s.basis));
    Key(w, "codes");
    w.Int(s.codes);
    KeyStr(w, "map_id", s.map_id);
    KeyStr(w, "map_version", s.map_version);
    Key(w, "built_in");
    w.Bool(s.built_in);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return buf.GetString();
}

}  // namespace ethrec::tools
