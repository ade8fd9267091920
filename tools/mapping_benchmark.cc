// Benchmarks of the mapping library, each against a baseline measured in the
// same run, with the ratios printed at the end:
//   coded lookup        Registry::LookupCode  vs  a bare absl::flat_hash_map
//                       lookup of the same (system, code) keys   target <= 2x
//   free text           Normalizer::Normalize(text)  vs  ICU NFKC_Casefold
//                       alone on the same strings                target <= 3x
//   ASCII fast path     FoldAscii  vs  FoldUnicode (the ICU path) on ASCII text
//
// Run: build/tools/mapping_benchmark [--benchmark_repetitions=N ...]
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "benchmark/benchmark.h"
#include "mapping/normalizer.h"
#include "mapping/text_fold.h"

namespace ethrec {
namespace {

const Normalizer& Shared() {
  static const Normalizer* const n = [] {
    auto created = Normalizer::Create(LoadOptions());
    if (!created.ok()) {
      std::cerr << created.status() << "\n";
      std::abort();
    }
    return created->release();
  }();
  return *n;
}

// Every (system, code) of every built-in system, in a shuffled but fixed order.
const std::vector<std::pair<std::string, std::string>>& CodedKeys() {
  static const auto* const keys = [] {
    auto* out = new std::vector<std::pair<std::string, std::string>>();
    for (const auto& s : Shared().registry().systems()) {
      for (const Concept& c : s->concepts) out->emplace_back(s->id, c.code);
    }
    for (size_t i = 0; i < out->size(); ++i) std::swap((*out)[i], (*out)[(i * 7919) % out->size()]);
    return out;
  }();
  return *keys;
}

// Free text as practitioners type it: mostly ASCII, some accents and
// typographic characters, some misspellings and rubbish.
const std::vector<std::string>& Texts() {
  static const auto* const texts = new std::vector<std::string>{
      "White British", "black british - caribbean", "Mixed (white & black african)",
      "british pakistani", "Pakistani British", "Any other White background", "Polish",
      "Nigeria", "Somali", "Kurdish", "Roma", "Gypsy/Roma", "Irish Traveller", "Bangladeshi",
      "Indian", "Chinese", "Other Asian - Nepali", "Black African", "Caribbean", "not stated",
      "Refused", "not known", "n/k", "White and Asian", "Mixed other", "Arab", "Syrian",
      "Afghan", "Filipino", "Vietnamese", "carribean", "pakistanii", "W/B Caribbean",
      "Asian or Asian British - Indian", "Black or Black British - African",
      "Mixed/multiple ethnic groups: White and Black Caribbean", "Other ethnic group: Arab",
      "half Jamaican half English", "Eritrean", "Lithuanian", "asdfgh", "BAME",
      "Qu\xC3\xA9" "b\xC3\xA9" "cois", "Rom\xC3\xA1", "Black \xE2\x80\x93 Caribbean",
      "O\xE2\x80\x99" "Brien family (Irish)", "\xEF\xBC\xB7\xEF\xBC\xA8\xEF\xBC\xA9\xEF\xBC\xB4\xEF\xBC\xA5 British",
      "Ku\xCC\x88rdish", "Portugu\xC3\xAA" "s", "T\xC3\xBCrk",
  };
  return *texts;
}

void BM_CodedLookup(benchmark::State& state) {
  const Registry& registry = Shared().registry();
  const auto& keys = CodedKeys();
  size_t i = 0;
  for (auto _ : state) {
    const auto& [system, code] = keys[i++ % keys.size()];
    absl::StatusOr<const Concept*> c = registry.LookupCode(system, code);
    benchmark::DoNotOptimize(c);
  }
}
BENCHMARK(BM_CodedLookup);

void BM_BareFlatHashMapLookup(benchmark::State& state) {
  const auto& keys = CodedKeys();
  // The same keys as one map of system + '\0' + code -> value.
  absl::flat_hash_map<std::string, int> map;
  std::vector<std::string> joined;
  for (const auto& [system, code] : keys) {
    joined.push_back(system + '\0' + code);
    map.emplace(joined.back(), static_cast<int>(joined.size()));
  }
  size_t i = 0;
  for (auto _ : state) {
    auto it = map.find(joined[i++ % joined.size()]);
    benchmark::DoNotOptimize(it);
  }
}
BENCHMARK(BM_BareFlatHashMapLookup);

void BM_NormalizeCode(benchmark::State& state) {
  const auto& keys = CodedKeys();
  size_t i = 0;
  for (auto _ : state) {
    const auto& [system, code] = keys[i++ % keys.size()];
    absl::StatusOr<Normalized> n = Shared().Normalize({.system = system, .code = code});
    benchmark::DoNotOptimize(n);
  }
}
BENCHMARK(BM_NormalizeCode);

void BM_NormalizeFreeText(benchmark::State& state) {
  const auto& texts = Texts();
  size_t i = 0;
  for (auto _ : state) {
    absl::StatusOr<Normalized> n = Shared().Normalize({.text = texts[i++ % texts.size()]});
    benchmark::DoNotOptimize(n);
  }
}
BENCHMARK(BM_NormalizeFreeText);

void BM_IcuNfkcCasefoldOnly(benchmark::State& state) {
  const auto& texts = Texts();
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* casefold = icu::Normalizer2::getNFKCCasefoldInstance(status);
  size_t i = 0;
  std::string out;
  for (auto _ : state) {
    const std::string& t = texts[i++ % texts.size()];
    UErrorCode s = U_ZERO_ERROR;
    icu::UnicodeString folded = casefold->normalize(
        icu::UnicodeString::fromUTF8(icu::StringPiece(t.data(), static_cast<int32_t>(t.size()))), s);
    out.clear();
    folded.toUTF8String(out);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_IcuNfkcCasefoldOnly);

void BM_FoldAsciiFastPath(benchmark::State& state) {
  std::vector<std::string> ascii;
  for (const std::string& t : Texts()) {
    if (IsAscii(t)) ascii.push_back(t);
  }
  size_t i = 0;
  for (auto _ : state) {
    std::string folded = FoldAscii(ascii[i++ % ascii.size()]);
    benchmark::DoNotOptimize(folded);
  }
}
BENCHMARK(BM_FoldAsciiFastPath);

void BM_FoldIcuPathOnAscii(benchmark::State& state) {
  std::vector<std::string> ascii;
  for (const std::string& t : Texts()) {
    if (IsAscii(t)) ascii.push_back(t);
  }
  size_t i = 0;
  for (auto _ : state) {
    absl::StatusOr<std::string> folded = FoldUnicode(ascii[i++ % ascii.size()]);
    benchmark::DoNotOptimize(folded);
  }
}
BENCHMARK(BM_FoldIcuPathOnAscii);

// Keeps each benchmark's time per iteration to print the ratios at the end.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.run_type == Run::RT_Iteration || r.aggregate_name == "median") {
        ns_[r.run_name.function_name] = r.GetAdjustedRealTime();
      }
    }
  }
  void PrintRatios() const {
    auto ratio = [&](const char* what, const char* a, const char* b, const char* target) {
      auto ia = ns_.find(a), ib = ns_.find(b);
      if (ia == ns_.end() || ib == ns_.end()) return;
      std::printf("%-58s %7.2fx  (%s)\n", what, ia->second / ib->second, target);
    };
    std::printf("\nRatios (same run):\n");
    ratio("coded lookup / bare flat_hash_map lookup", "BM_CodedLookup", "BM_BareFlatHashMapLookup", "target <= 2");
    ratio("free-text normalisation / ICU NFKC_Casefold alone", "BM_NormalizeFreeText",
          "BM_IcuNfkcCasefoldOnly", "target <= 3");
    ratio("ASCII fast path / ICU path (ASCII input)", "BM_FoldAsciiFastPath", "BM_FoldIcuPathOnAscii",
          "below 1 means the fast path is faster");
    ratio("full Normalize(code) / bare flat_hash_map lookup", "BM_NormalizeCode", "BM_BareFlatHashMapLookup",
          "information: includes copying the answer");
  }

 private:
  std::map<std::string, double> ns_;
};

}  // namespace
}  // namespace ethrec

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  ethrec::Shared();  // load outside the timed loops
  ethrec::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintRatios();
  benchmark::Shutdown();
  return 0;
}
