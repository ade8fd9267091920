// Internal to service/http: the inputs of a FHIR operation ($translate,
// $lookup, $validate-code), from a GET query or a POSTed Parameters
// resource, and RapidJSON accessors for the resources they read.
#ifndef ETHREC_SERVICE_HTTP_INTERNAL_FHIR_PARAMS_H_
#define ETHREC_SERVICE_HTTP_INTERNAL_FHIR_PARAMS_H_

#include <initializer_list>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rapidjson/document.h"

namespace ethrec::service::http_internal {

// An operation's parameters by name; a name may repeat.
using Params = std::multimap<std::string, std::string>;

// The string member `key` of `v`, or "" (also when `v` is not an object).
absl::string_view Member(const rapidjson::Value& v, const char* key);

// The array member `key` of `v`, or nullptr.
const rapidjson::Value* Array(const rapidjson::Value& v, const char* key);

// The value of `name` in `params`, or "".
std::string Get(const Params& params, const std::string& name);

// The code and system of an operation: `coding` ("system|code") or
// `code` and `system`.
struct CodeInput {
  std::string system;
  std::string code;
};

// The code of `params`: from `coding` if given, else from `code` and
// `system` (either may be empty: the operation says which it requires).
// InvalidArgument naming coding for one without "|", or naming code or
// system when given beside a coding that says otherwise.
absl::StatusOr<CodeInput> CodeOf(const Params& params);

// The boolean parameter `name`: false when absent; InvalidArgument naming
// it for a value other than true or false.
absl::StatusOr<bool> BoolOf(const Params& params, const std::string& name);

// InvalidArgument naming the parameter for one the operation `op` does not
// take (not in `known`), or one given more than once.
absl::Status CheckParameters(const Params& params, absl::string_view op,
                             std::initializer_list<absl::string_view> known);

// InvalidArgument: the parameter `name` is required.
absl::Status Required(absl::string_view name);

// The parameters of a Parameters resource (a POSTed operation's inputs):
// each value as a string (a valueCoding as "system|code", a valueBoolean as
// true or false). InvalidArgument naming the field for a body that is not
// a Parameters resource, or a parameter without a name or a value of a
// supported type.
absl::StatusOr<Params> ParametersOf(const std::string& body);

}  // namespace ethrec::service::http_internal

#endif  // ETHREC_SERVICE_HTTP_INTERNAL_FHIR_PARAMS_H_
