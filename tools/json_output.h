// JSON renderings of mapping results, shared by the command-line tools.
#ifndef ETHREC_TOOLS_JSON_OUTPUT_H_
#define ETHREC_TOOLS_JSON_OUTPUT_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "mapping/normalized.h"
#include "mapping/normalizer.h"
#include "mapping/registry.h"
#include "tools/backend.h"

namespace ethrec::tools {

// One JSON object for a normalised value: outcome, categories (names, most
// likely first), labels, confidence, relationship, ambiguous, detail (when
// known), basis, system, version, code, display, map, decided_by, explanation,
// notes. `row` is added first when given.
std::string NormalizedToJson(const CategoryLabels& labels, const Normalized& n,
                             std::optional<int> row = std::nullopt);

// The gRPC name of a status code: "NOT_FOUND", "INVALID_ARGUMENT", ...
std::string StatusCodeName(absl::StatusCode code);

// {"row": N, "error": {"code": "NOT_FOUND", "message": "..."}} ("row" only when given).
std::string ErrorToJson(const absl::Status& status, std::optional<int> row = std::nullopt);

// A suggested or translated code.
std::string SuggestionToJson(const CodeSuggestion& s);

// The loaded code systems.
std::string SystemsToJson(const SystemsListing& listing);

}  // namespace ethrec::tools

#endif  // ETHREC_TOOLS_JSON_OUTPUT_H_
