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



#include "absl/strings/string_view.h"
#include "absl/status/statusor.h"
#include "mapping/lexicon.h"
#include "mapping/normalized.h"

namespace ethrec {

// Longest text accepted, in bytes.
inline constexpr size_t kMaxFreeTextBytes = 1024;

class FreeTextClassifier {
 public:
  // `lexicon` must outlive the classifier.
  explicit FreeTextClassifier(const Lexicon* lexicon) : lexicon_(lexicon) {}

  // Classifies `text`. The result's outcome is kCategories, kNotStated,
  // kNotKnown or kUnrecognised; its basis is kUnspecified. Returns
  // InvalidArgument when `text` is not valid UTF-8 or longer than
  // kMaxFreeTextBytes.
  absl::StatusOr<Normalized> Classify(absl::string_view text) const;

 private:
  const Lexicon* lexicon_;
};

}  // namespace ethrec

#endif  // ETHREC_MAPPING_FREE_TEXT_H_
