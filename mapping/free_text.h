// Reads a free-text ethnicity description ("black british - caribbean",
// "Mixed (white & black african)", "british pakistani", "Nigeria") into
// ranked candidate categories, using the lexicon.
//
// The text is folded (text_fold.h), split into words, spelling slips are
// corrected against the lexicon's words, and the longest phrases are matched.
// The matched terms are then combined: a group word narrows a heritage word
// ("white kurdish" -> WHITE_OTHER), two heritages joined by "and" or marked
// "mixed" make a Mixed category, a qualifier such as "british" gives way to
// the heritage it qualifies, and an ethnicity outranks a nationality
// ("kurdish iraqi"). Where a word belongs to several categories all are
// returned, ranked; text with no recognised ethnic meaning is UNRECOGNISED.
// Text shaped like a form label ("Black or Black British - Caribbean",
// "White: Irish") is read as heading and answer: the answer after the last
// ':' or ' - ' decides, and the heading adds only its group and its "mixed" or
// "other" words.
#ifndef ETHREC_MAPPING_FREE_TEXT_H_
#define ETHREC_MAPPING_FREE_TEXT_H_



#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/status/statusor.h"
#include "mapping/internal/text_hash.h"
#include "mapping/lexicon.h"
#include "mapping/normalized.h"

namespace ethrec {

// Longest text accepted, in bytes.
inline constexpr size_t kMaxFreeTextBytes = 1024;

// Texts whose reading an authority has fixed: the key (KnownTermKey) of a
// code's description in a loaded code system ("Other European in New
// Zealand", "Caribbean or Black: Caribbean, Caribbean Scottish or Caribbean
// British - Scotland ethnic category 2011 census"), and the answer that
// code's expert-made map gives. The Normalizer builds it.
using KnownTerms =
    absl::flat_hash_map<std::string, Normalized, mapping_internal::TextHash, mapping_internal::TextEq>;

// The key of `text` in KnownTerms: folded as Classify folds it (label
// separators marked), a SNOMED CT semantic tag ("(ethnic group)") removed.
// InvalidArgument when `text` is not valid UTF-8.
absl::StatusOr<std::string> KnownTermKey(absl::string_view text);

class FreeTextClassifier {
 public:
  // `lexicon`, complete, and `known_terms` when given, must outlive the
  // classifier.
  explicit FreeTextClassifier(const Lexicon* lexicon, const KnownTerms* known_terms = nullptr);

  // Classifies `text`: a known term (the whole text, folded) of several
  // words answers as its code's map does, one of a single word only when
  // the reader does not know the word; any other text is read word by word. The result's
  // outcome is kCategories, kNotStated, kNotKnown or kUnrecognised; its
  // basis is kUnspecified. Returns InvalidArgument when `text` is not valid
  // UTF-8 or longer than kMaxFreeTextBytes.
  absl::StatusOr<Normalized> Classify(absl::string_view text) const;

 private:
  // Classify without its last step, the known terms of one word.
  absl::StatusOr<Normalized> Read(absl::string_view text) const;

  const Lexicon* lexicon_;
  const KnownTerms* known_terms_;
  std::string explanation_prefix_;  // "free text (lexicon core 1.0.0, ...): "
};

}  // namespace ethrec

#endif  // ETHREC_MAPPING_FREE_TEXT_H_
