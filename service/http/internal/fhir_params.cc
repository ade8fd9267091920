#include "service/http/internal/fhir_params.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "mapping/status_field.h"

namespace ethrec::service::http_internal {

absl::string_view Member(const rapidjson::Value& v, const char* key) {
  if (!v.IsObject()) return "";
  auto it = v.FindMember(key);
  if (it == v.MemberEnd() || !it->value.IsString()) return "";
  return absl::string_view(it->value.GetString(), it->value.GetStringLength());
}

const rapidjson::Value* Array(const rapidjson::Value& v, const char* key) {
  if (!v.IsObject()) return nullptr;
  auto it = v.FindMember(key);
  return it == v.MemberEnd() || !it->value.IsArray() ? nullptr : &it->value;
}

std::string Get(const Params& params, const std::string& name) {
  auto it = params.find(name);
  return it == params.end() ? "" : it->second;
}

absl::StatusOr<CodeInput> CodeOf(const Params& params) {
  CodeInput given{.system = Get(params, "system"), .code = Get(params, "code")};
  std::string coding = Get(params, "coding");
  if (coding.empty()) return given;
  const size_t bar = coding.find('|');
  if (bar == std::string::npos) {
    return WithField(absl::InvalidArgumentError("coding must be SYSTEM|CODE (a Coding, in a POST)"), "coding");
  }
  CodeInput input{.system = coding.substr(0, bar), .code = coding.substr(bar + 1)};
  // Both forms may be given only if they agree: else one would be ignored.
  const auto differ = [](const char* name) {
    return WithField(
        absl::InvalidArgumentError(absl::StrCat("coding and ", name, " are both given and differ; give one of them")),
        name);
  };
  if (!given.system.empty() && given.system != input.system) return differ("system");
  if (!given.code.empty() && given.code != input.code) return differ("code");
  return input;
}

absl::StatusOr<bool> BoolOf(const Params& params, const std::string& name) {
  const std::string value = Get(params, name);
  if (value.empty() || value == "false") return false;
  if (value == "true") return true;
  return WithField(absl::InvalidArgumentError(absl::StrCat("parameter ", name, " is \"", value,
                                                           "\"; it must be true or false")),
                   name);
}

// Refused rather than ignored: FHIR terminology servers refuse what they do
// not support, and a client that sends, say, a version or a dependency
// expects it to change the answer, so ignoring it would answer another
// question. A repeated one would have all but its first ignored.
absl::Status CheckParameters(const Params& params, absl::string_view op,
                             std::initializer_list<absl::string_view> known) {
  for (auto it = params.begin(); it != params.end(); it = params.upper_bound(it->first)) {
    const std::string& name = it->first;
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return WithField(absl::InvalidArgumentError(absl::StrCat("parameter ", name, " is not supported by ", op,
                                                               "; it takes ", absl::StrJoin(known, ", "))),
                       name);
    }
    if (const size_t n = params.count(name); n > 1) {
      return WithField(absl::InvalidArgumentError(absl::StrCat("parameter ", name, " is given ", n, " times; ",
                                                               op, " takes it once")),
                       name);
    }
  }
  return absl::OkStatus();
}

absl::Status Required(absl::string_view name) {
  return WithField(absl::InvalidArgumentError(absl::StrCat("parameter ", name, " is required")), name);
}

absl::StatusOr<Params> ParametersOf(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    return WithField(absl::InvalidArgumentError("the body is not a JSON object"), "body");
  }
  if (Member(doc, "resourceType") != "Parameters") {
    return WithField(absl::InvalidArgumentError("the body must be a Parameters resource"), "resourceType");
  }
  Params params;
  const rapidjson::Value* list = Array(doc, "parameter");
  if (list == nullptr) return params;
  for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
    const rapidjson::Value& p = (*list)[i];
    const std::string field = absl::StrCat("parameter[", i, "]");
    const std::string name(Member(p, "name"));
    if (name.empty()) return WithField(absl::InvalidArgumentError(absl::StrCat(field, " has no name")), field);
    std::optional<std::string> value;
    for (const char* type : {"valueUri", "valueCode", "valueString", "valueCanonical", "valueUrl"}) {
      if (p.HasMember(type) && p[type].IsString()) value = std::string(Member(p, type));
    }
    if (p.HasMember("valueBoolean") && p["valueBoolean"].IsBool()) {
      value = p["valueBoolean"].GetBool() ? "true" : "false";
    }
    if (p.HasMember("valueCoding") && p["valueCoding"].IsObject()) {
      value = absl::StrCat(Member(p["valueCoding"], "system"), "|", Member(p["valueCoding"], "code"));
    }
    if (!value) {
      return WithField(absl::InvalidArgumentError(absl::StrCat(
                           field, " (", name,
                           ") has no value of a supported type (valueUri, valueCode, valueString, valueCanonical, "
                           "valueBoolean, valueCoding)")),
                       field);
    }
    params.emplace(name, *std::move(value));
  }
  return params;
}

}  // namespace ethrec::service::http_internal
