// libFuzzer target: the loader of local code lists (mapping/registry.h
// Registry::LoadSources), which parses FHIR CodeSystem and ConceptMap JSON
// (and EthrecLexicon documents) from the files of --maps directories. The
// input is up to kMaxDocuments documents separated by a line "--", which
// cannot occur inside JSON: a code system and its map can meet. The
// built-in data is left out (loading it per input would be far too slow),
// so the taxonomy is always missing and every load fails: every reader runs
// all the same, and each problem must name a file and a JSON path.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "mapping/load_problem.h"
#include "mapping/registry.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

constexpr size_t kMaxDocuments = 4;
constexpr absl::string_view kSeparator = "\n--\n";

std::vector<ethrec::DataSource> SplitDocuments(absl::string_view input) {
  std::vector<ethrec::DataSource> docs;
  while (docs.size() + 1 < kMaxDocuments) {
    const size_t at = input.find(kSeparator);
    if (at == absl::string_view::npos) break;
    docs.push_back({absl::StrCat("fuzz-", docs.size(), ".json"), std::string(input.substr(0, at))});
    input.remove_prefix(at + kSeparator.size());
  }
  docs.push_back({absl::StrCat("fuzz-", docs.size(), ".json"), std::string(input)});
  return docs;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<ethrec::DataSource> docs =
      SplitDocuments(absl::string_view(reinterpret_cast<const char*>(data), size));
  std::vector<ethrec::LoadProblem> problems;
  std::unique_ptr<const ethrec::Registry> registry =
      ethrec::Registry::LoadSources(docs, /*include_builtin=*/false, &problems);
  ETHREC_FUZZ_CHECK(registry == nullptr);  // no taxonomy
  ETHREC_FUZZ_CHECK(!problems.empty());
  for (const ethrec::LoadProblem& p : problems) {
    ETHREC_FUZZ_CHECK(absl::StartsWith(p.json_path, "$"));
    ETHREC_FUZZ_CHECK(!p.reason.empty());
    ETHREC_FUZZ_CHECK(absl::StartsWith(p.file, "fuzz-") || p.file == "(built-in data)");
  }
  ETHREC_FUZZ_CHECK(ethrec::ProblemsToStatus(problems).code() == absl::StatusCode::kInvalidArgument);
  return 0;
}
