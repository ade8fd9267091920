// Helpers that read a RapidJSON value while recording, for every problem,
// the file and the JSON path. Internal to mapping/.
#ifndef ETHREC_MAPPING_INTERNAL_JSON_READER_H_
#define ETHREC_MAPPING_INTERNAL_JSON_READER_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/strings/str_cat.h"
#include "mapping/load_problem.h"
#include "rapidjson/document.h"

namespace ethrec::mapping_internal {

// Collects problems for one file.
class ProblemSink {
 public:
  ProblemSink(std::string file, std::vector<LoadProblem>* problems)
      : file_(std::move(file)), problems_(problems) {}
  void Add(absl::string_view path, std::string reason) {
    problems_->push_back(LoadProblem{file_, std::string(path), std::move(reason)});
  }
  const std::string& file() const { return file_; }
  size_t count() const { return problems_->size(); }

 private:
  std::string file_;
  std::vector<LoadProblem>* problems_;
};

inline std::string Child(absl::string_view path, absl::string_view key) {
  return absl::StrCat(path, ".", key);
}
inline std::string Index(absl::string_view path, size_t i) { return absl::StrCat(path, "[", i, "]"); }

// The string member `key` of `v`: nullopt when `v` is not an object (a JSON
// array element may be anything), or the member is absent or not a string.
inline std::optional<absl::string_view> StringMember(const rapidjson::Value& v, const char* key) {
  if (!v.IsObject()) return std::nullopt;
  auto it = v.FindMember(key);
  if (it == v.MemberEnd() || !it->value.IsString()) return std::nullopt;
  return absl::string_view(it->value.GetString(), it->value.GetStringLength());
}

// A required non-empty string member; records a problem and returns nullopt otherwise.
inline std::optional<std::string> RequiredString(const rapidjson::Value& obj, absl::string_view path,
                                                 const char* key, ProblemSink& sink) {
  if (!obj.IsObject()) {
    sink.Add(path, "must be an object");
    return std::nullopt;
  }
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd()) {
    sink.Add(path, absl::StrCat("missing required \"", key, "\""));
    return std::nullopt;
  }
  if (!it->value.IsString() || it->value.GetStringLength() == 0) {
    sink.Add(Child(path, key), "must be a non-empty string");
    return std::nullopt;
  }
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

// An optional string member: nullopt when absent; a problem when not a string.
inline std::optional<std::string> OptionalString(const rapidjson::Value& obj,
                                                 absl::string_view path, const char* key,
                                                 ProblemSink& sink) {
  if (!obj.IsObject()) return std::nullopt;  // reported by the caller
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || it->value.IsNull()) return std::nullopt;
  if (!it->value.IsString()) {
    sink.Add(Child(path, key), "must be a string");
    return std::nullopt;
  }
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

// An optional boolean member with a default.
inline bool OptionalBool(const rapidjson::Value& obj, absl::string_view path, const char* key,
                         bool fallback, ProblemSink& sink) {
  if (!obj.IsObject()) return fallback;  // reported by the caller
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd()) return fallback;
  if (!it->value.IsBool()) {
    sink.Add(Child(path, key), "must be true or false");
    return fallback;
  }
  return it->value.GetBool();
}

// An optional array member: nullptr when absent; a problem when not an array.
inline const rapidjson::Value* OptionalArray(const rapidjson::Value& obj, absl::string_view path,
                                             const char* key, ProblemSink& sink) {
  if (!obj.IsObject()) return nullptr;  // reported by the caller
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd()) return nullptr;
  if (!it->value.IsArray()) {
    sink.Add(Child(path, key), "must be an array");
    return nullptr;
  }
  return &it->value;
}

// A required non-empty array member.
inline const rapidjson::Value* RequiredArray(const rapidjson::Value& obj, absl::string_view path,
                                             const char* key, ProblemSink& sink) {
  if (!obj.IsObject()) {
    sink.Add(path, "must be an object");
    return nullptr;
  }
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd()) {
    sink.Add(path, absl::StrCat("missing required \"", key, "\""));
    return nullptr;
  }
  if (!it->value.IsArray() || it->value.Empty()) {
    sink.Add(Child(path, key), "must be a non-empty array");
    return nullptr;
  }
  return &it->value;
}

// The integer or string value of a FHIR concept property, as text.
inline std::optional<std::string> PropertyValue(const rapidjson::Value& prop) {
  for (const char* key : {"valueCode", "valueString"}) {
    if (std::optional<absl::string_view> v = StringMember(prop, key)) return std::string(*v);
  }
  return std::nullopt;
}

// The integer value of a FHIR concept property.
inline std::optional<int> PropertyInt(const rapidjson::Value& prop) {
  if (!prop.IsObject()) return std::nullopt;
  auto it = prop.FindMember("valueInteger");
  if (it != prop.MemberEnd() && it->value.IsInt()) return it->value.GetInt();
  return std::nullopt;
}

// The boolean value of a FHIR concept property.
inline std::optional<bool> PropertyBool(const rapidjson::Value& prop) {
  if (!prop.IsObject()) return std::nullopt;
  auto it = prop.FindMember("valueBoolean");
  if (it != prop.MemberEnd() && it->value.IsBool()) return it->value.GetBool();
  return std::nullopt;
}

}  // namespace ethrec::mapping_internal

#endif  // ETHREC_MAPPING_INTERNAL_JSON_READER_H_
