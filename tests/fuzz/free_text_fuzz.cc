// libFuzzer target: the free-text reader on arbitrary bytes, invalid UTF-8
// and over-long text included. Normalizer::Normalize of text alone folds the
// text (mapping/text_fold.h) and classifies it (FreeTextClassifier, the path
// NormalizeRequest.text takes in the service); the answer must keep
// free_text.h's and normalizer.h's promises. ASCII text must also fold the
// same on the fast path as through ICU, as text_fold.h says.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mapping/normalizer.h"
#include "mapping/text_fold.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using ::ethrec::Normalized;
using ::ethrec::Normalizer;
using ::ethrec::Outcome;

// The built-in code lists and lexicon, loaded once.
const Normalizer& BuiltinNormalizer() {
  static const Normalizer* const normalizer = [] {
    absl::StatusOr<std::unique_ptr<Normalizer>> n = Normalizer::Create(ethrec::LoadOptions());
    ETHREC_FUZZ_CHECK(n.ok());
    return n->release();
  }();
  return *normalizer;
}

void CheckAnswer(absl::string_view text, const absl::StatusOr<Normalized>& n) {
  if (!n.ok()) {
    // Text alone fails only when it is not UTF-8 or too long.
    ETHREC_FUZZ_CHECK(n.status().code() == absl::StatusCode::kInvalidArgument);
    return;
  }
  ETHREC_FUZZ_CHECK(text.size() <= ethrec::kMaxFreeTextBytes);
  ETHREC_FUZZ_CHECK(!n->explanation.empty());
  if (n->outcome != Outcome::kCategories) {
    ETHREC_FUZZ_CHECK(n->categories.empty());
    ETHREC_FUZZ_CHECK(n->category_set.empty());
    return;
  }
  ETHREC_FUZZ_CHECK(!n->categories.empty());
  ethrec::CategorySet seen;
  for (const ethrec::RankedCategory& c : n->categories) {
    ETHREC_FUZZ_CHECK(c.confidence > 0 && c.confidence <= 1);
    ETHREC_FUZZ_CHECK(!seen.contains(c.category));  // each category once
    seen.Add(c.category);
  }
  ETHREC_FUZZ_CHECK(seen == n->category_set);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  CheckAnswer(text, BuiltinNormalizer().Normalize({.text = text}));
  if (size <= ethrec::kMaxFreeTextBytes) {
    // The fast path (ASCII, Latin-1, combining marks, General Punctuation,
    // fullwidth ASCII) and the ICU path agree on every text, and on which
    // text is not UTF-8.
    absl::StatusOr<std::string> fast = ethrec::FoldText(text);
    absl::StatusOr<std::string> icu = ethrec::FoldUnicode(text);
    ETHREC_FUZZ_CHECK(fast.ok() == icu.ok());
    if (fast.ok()) ETHREC_FUZZ_CHECK(*fast == *icu);
    std::string marked;
    absl::StatusOr<std::string> icu_marked = ethrec::FoldUnicode(text, /*mark_labels=*/true);
    ETHREC_FUZZ_CHECK(ethrec::FoldTextMarkingLabels(text, &marked).ok() == icu_marked.ok());
    if (icu_marked.ok()) ETHREC_FUZZ_CHECK(marked == *icu_marked);
  }
  if (size <= ethrec::kMaxFreeTextBytes && ethrec::IsAscii(text)) {
    absl::StatusOr<std::string> unicode = ethrec::FoldUnicode(text);
    ETHREC_FUZZ_CHECK(unicode.ok());
    ETHREC_FUZZ_CHECK(ethrec::FoldAscii(text) == *unicode);
    absl::StatusOr<std::string> unicode_labels = ethrec::FoldUnicode(text, /*mark_labels=*/true);
    ETHREC_FUZZ_CHECK(unicode_labels.ok());
    ETHREC_FUZZ_CHECK(ethrec::FoldAscii(text, /*mark_labels=*/true) == *unicode_labels);
  }
  return 0;
}
