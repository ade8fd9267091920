#include <string>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "service/http/internal/fhir_writer.h"

namespace ethrec::service::http_internal {

std::string CapabilityStatementJson(absl::string_view software_version) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  const auto operation = [&w](absl::string_view name, absl::string_view definition) {
    w.StartObject();
    Key(w, "name");
    Str(w, name);
    Key(w, "definition");
    Str(w, definition);
    w.EndObject();
  };
  const auto search_params = [&w](std::initializer_list<absl::string_view> names) {
    Key(w, "searchParam");
    w.StartArray();
    for (absl::string_view name : names) {
      w.StartObject();
      Key(w, "name");
      Str(w, name);
      Key(w, "type");
      Str(w, name == "url" || absl::EndsWith(name, "-uri") ? "uri" : name == "_id" ? "token" : "string");
      w.EndObject();
    }
    w.EndArray();
  };
  w.StartObject();
  Key(w, "resourceType");
  Str(w, "CapabilityStatement");
  Key(w, "status");
  Str(w, "active");
  Key(w, "date");
  Str(w, absl::FormatTime("%Y-%m-%d", absl::Now(), absl::UTCTimeZone()));
  Key(w, "kind");
  Str(w, "instance");
  Key(w, "software");
  w.StartObject();
  Key(w, "name");
  Str(w, "ethrecd");
  Key(w, "version");
  Str(w, software_version);
  w.EndObject();
  Key(w, "implementation");
  w.StartObject();
  Key(w, "description");
  Str(w, "ethrec terminology: agencies' ethnicity code lists and their maps to the ONS 2021 ethnic groups");
  w.EndObject();
  Key(w, "fhirVersion");
  Str(w, "4.0.1");
  Key(w, "format");
  w.StartArray();
  Str(w, "application/fhir+json");
  Str(w, "json");
  w.EndArray();
  Key(w, "rest");
  w.StartArray();
  w.StartObject();
  Key(w, "mode");
  Str(w, "server");
  Key(w, "resource");
  w.StartArray();
  for (absl::string_view type : {"CodeSystem", "ConceptMap"}) {
    w.StartObject();
    Key(w, "type");
    Str(w, type);
    Key(w, "interaction");
    w.StartArray();
    for (absl::string_view code : {"read", "search-type"}) {
      w.StartObject();
      Key(w, "code");
      Str(w, code);
      w.EndObject();
    }
    w.EndArray();
    if (type == "CodeSystem") {
      search_params({"_id", "url", "name", "version", "status"});
      Key(w, "operation");
      w.StartArray();
      operation("lookup", "http://hl7.org/fhir/OperationDefinition/CodeSystem-lookup");
      operation("validate-code", "http://hl7.org/fhir/OperationDefinition/CodeSystem-validate-code");
      w.EndArray();
    } else {
      search_params({"_id", "url", "name", "version", "status", "source-uri", "target-uri"});
      Key(w, "operation");
      w.StartArray();
      operation("translate", "http://hl7.org/fhir/OperationDefinition/ConceptMap-translate");
      w.EndArray();
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  w.EndArray();
  w.EndObject();
  return buffer.GetString();
}

}  // namespace ethrec::service::http_internal
