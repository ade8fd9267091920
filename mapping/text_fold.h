// Folding of free text before it is matched against the lexicon.
//
// FoldText() applies Unicode NFKC case folding (ICU), removes accents and
// other combining marks, transliterates the few Latin letters that have no
// decomposition (ø, ł, æ, ...), deletes apostrophes (so curly and straight
// quotes agree), turns '&' and '+' into the word "and", and turns every other
// character that is not a letter or digit into a single space. The result is
// lower-case words separated by single spaces, with no leading or trailing
// space. Text of ASCII, Latin-1, combining marks, General Punctuation and
// fullwidth ASCII takes a fast path that gives identical results.
//
// Example: "Mixed (White & Black Africán)" -> "mixed white and black african".
#ifndef ETHREC_MAPPING_TEXT_FOLD_H_
#define ETHREC_MAPPING_TEXT_FOLD_H_

#include <string>


#include "absl/strings/string_view.h"
#include "absl/status/statusor.h"

namespace ethrec {

// Folds `text`. Returns InvalidArgument naming the byte offset when `text`
// is not valid UTF-8.
absl::StatusOr<std::string> FoldText(absl::string_view text);

// True when every byte is below 0x80.
bool IsAscii(absl::string_view text);

// Like FoldText, but each label separator (a ':' or a dash with spaces on
// both sides, as in "Black or Black British - Caribbean") becomes the word
// "|", so the free-text reader can tell a form label's heading from its
// answer. Writes into `out`, reusing its capacity; on an error `out` is
// empty.
absl::Status FoldTextMarkingLabels(absl::string_view text, std::string* out);

// The ASCII fast path. Precondition: IsAscii(text); for other text it
// returns an empty string.
std::string FoldAscii(absl::string_view text, bool mark_labels = false);

// The ICU path, for any valid UTF-8 (also used by tests to check that the
// fast path agrees with it). Returns InvalidArgument on invalid UTF-8.
absl::StatusOr<std::string> FoldUnicode(absl::string_view text, bool mark_labels = false);

}  // namespace ethrec

#endif  // ETHREC_MAPPING_TEXT_FOLD_H_
