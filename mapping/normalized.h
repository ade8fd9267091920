// The answer of normalisation: what a recorded code or free text stands for
// in the taxonomy, how exactly, and why.
#ifndef ETHREC_MAPPING_NORMALIZED_H_
#define ETHREC_MAPPING_NORMALIZED_H_

#include <string>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "mapping/taxonomy.h"

namespace ethrec {

struct RankedCategory {
  Category category;
  double confidence = 0;  // 0..1; 1 for a code that stands for one category
};

struct Normalized {
  // User-provided, so that value-initialisation (StatusOr's in-place
  // construction) does not first zero the whole struct: every member has its
  // own initialiser. This is on the free-text hot path.
  Normalized() noexcept {}

  Outcome outcome = Outcome::kUnrecognised;
  // Most likely first. Empty unless outcome == kCategories.
  absl::InlinedVector<RankedCategory, 5> categories;
  CategorySet category_set;  // the same categories, as a set
  // The source relative to the set (see MapEntry::relationship).
  Relationship relationship = Relationship::kRelatedTo;
  // True when no single category can be ranked first (e.g. "White" alone).
  bool ambiguous = false;
  std::string detail;  // finer detail carried by the source ("Somali"), may be empty
  RecordingBasis basis = RecordingBasis::kUnspecified;

  // Provenance. For a code: the system, its version, the canonical code and
  // its display, and the map entry used. For free text: the lexicon versions.
  std::string system;
  std::string system_version;
  std::string code;
  std::string display;
  std::string map_id;
  std::string map_version;
  bool decided_by_text = false;  // the free text, not a code, gave the answer
  std::string explanation;       // in words, naming the map entry or terms used
  std::vector<std::string> notes;  // warnings: code not found, text disagrees, ...
};

}  // namespace ethrec

#endif  // ETHREC_MAPPING_NORMALIZED_H_
