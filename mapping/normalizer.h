// Normalizer: the entry point of the mapping library. Turns a recorded code
// and/or free text into the taxonomy, suggests the code to record for a
// taxonomy value, and translates codes between systems through the taxonomy.
// Thread-safe: all methods are const over an immutable Registry.
//
// Example:
//   absl::StatusOr<std::unique_ptr<Normalizer>> n = Normalizer::Create(LoadOptions());
//   absl::StatusOr<Normalized> r = (*n)->Normalize({.system = "dfe", .code = "BSOM"});
//   // r->categories[0].category == Category::kBlackAfrican, r->detail == "Somali"
#ifndef ETHREC_MAPPING_NORMALIZER_H_
#define ETHREC_MAPPING_NORMALIZER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/status/statusor.h"
#include "mapping/free_text.h"
#include "mapping/normalized.h"
#include "mapping/registry.h"

namespace ethrec {

struct NormalizeRequest {
  absl::string_view system;  // code system id; required with a code
  absl::string_view code;    // may be empty when text is given
  absl::string_view text;    // free text or the code's display text; may be empty
};

// A taxonomy value: one category with optional detail, or a non-answer.
struct TaxonomyValue {
  Outcome outcome = Outcome::kCategories;  // kCategories, kNotStated or kNotKnown
  Category category = Category::kOtherAny;  // used when outcome == kCategories
  std::string detail;                       // e.g. "Somali"; may be empty
};

// A code of a target system and how it relates to what it was derived from.
struct CodeSuggestion {
  std::string system;
  std::string system_version;
  std::string code;
  std::string display;
  // SuggestCode: the suggested code (as the source, the way its map reads)
  // relative to the value: NHS C for WHITE_ROMA is
  // source-is-broader-than-target. Translate: the source code relative to
  // the suggested code, as FHIR $translate reads.
  Relationship relationship = Relationship::kEquivalent;
  CategorySet category_set;  // what the suggested code stands for
  std::string explanation;
};

struct NormalizerOptions {
  // Free text that is exactly the description of a code of one of these
  // systems ("North African Arab (NMO)", CTV3 XM1SB) reads as that code's
  // map gives it. Their maps carry outside expert coding (the OpenSAFELY and
  // PRIMIS groupings; mapping/data/sources), which outranks the reader's.
  // (Not the ONS 2021 detailed list: its labels' sections are 2021's, and
  // the same words in a 2001 label mean another thing: "Other ethnic group -
  // Chinese" was the 2001 Chinese tick-box.) A one-word description does so only where the
  // reader knows no such word (FreeTextClassifier::Classify), and a
  // description that two codes map apart is left to the reader. Empty: the
  // reader alone (to measure it).
  std::vector<std::string> code_description_systems = {"snomed-ct", "ctv3"};
};

class Normalizer {
 public:
  // Loads the built-in data and any local directories. Errors as Registry::Load.
  static absl::StatusOr<std::unique_ptr<Normalizer>> Create(const LoadOptions& options,
                                                            const NormalizerOptions& normalizer_options = {});
  // Wraps an already loaded registry.
  explicit Normalizer(std::unique_ptr<const Registry> registry, const NormalizerOptions& options = {});
  // The classifier points into the Normalizer: it stays where it was made.
  Normalizer(const Normalizer&) = delete;
  Normalizer& operator=(const Normalizer&) = delete;

  const Registry& registry() const { return *registry_; }

  // Normalises a code, free text, or both.
  // - code only: the map entry for the code.
  // - text only: the free-text reading (the system, if given, sets the basis).
  // - code and text: the code decides; when the code is not in the system's
  //   list the text decides and the answer says so in `notes`; when the text
  //   contradicts the code, or cannot be read, a note says so. For a system
  //   of observed ethnicity, text never reads as more than related-to.
  // Errors: InvalidArgument when neither code nor text is given, a code comes
  // without a system, or text alone is invalid UTF-8 or too long; NotFound
  // for an unknown system (listing the known ones), or an unknown code whose
  // text is missing or names no ethnic group (naming system and code). The
  // status names the request field at fault (mapping/status_field.h).
  absl::StatusOr<Normalized> Normalize(const NormalizeRequest& request) const;

  // The code to record in `system` for `value`: among the codes whose set
  // contains the category, one whose detail matches a given detail, else a
  // main (top-level) code, else the smallest set, else the most exact
  // relationship, else the first listed. Codes that assert a detail are used
  // only for that detail; codes marked notSelectable are never suggested.
  // Errors: NotFound for an unknown system, or when no code fits;
  // FailedPrecondition for a system of observed (perceived) ethnicity.
  absl::StatusOr<CodeSuggestion> SuggestCode(const TaxonomyValue& value,
                                             absl::string_view system) const;

  // The code SuggestCode would give for `category` with `detail` (may be
  // empty) in a self-defined `system`, and how it relates, without building
  // the answer's words: for hot paths (reconciliation). nullptr code when the
  // system is unknown, records observed ethnicity or has no such code. The
  // code lives as long as the Normalizer.
  struct ClosestCode {
    const Concept* code = nullptr;
    Relationship relationship = Relationship::kEquivalent;
  };
  ClosestCode Closest(Category category, absl::string_view system, absl::string_view detail = "") const;

  // Translates `code` of system `from` into system `to` through the
  // taxonomy: the code of `to` that best covers what the source code stands
  // for (every category if one code can, else the source's first-ranked
  // category), with the relationship of source to target worked out from the
  // two sets. Errors as Normalize and SuggestCode; FailedPrecondition when
  // either system records observed ethnicity.
  absl::StatusOr<CodeSuggestion> Translate(absl::string_view from, absl::string_view code,
                                           absl::string_view to) const;

 private:
  Normalized FromConcept(const CodeSystem& system, const Concept& concept_) const;
  // Fills known_terms_ from the descriptions of `systems`' codes (NormalizerOptions).
  void AddCodeDescriptions(const std::vector<std::string>& systems);
  // Free text only (the system, if any, sets the basis).
  absl::StatusOr<Normalized> NormalizeText(const NormalizeRequest& request) const;
  // Adds a note to `out` when the text given with a code cannot be read or
  // contradicts the code.
  void NoteTextAgainstCode(absl::string_view text, Normalized* out) const;

  std::unique_ptr<const Registry> registry_;
  // The descriptions of codes, for the classifier (NormalizerOptions).
  KnownTerms known_terms_;
  FreeTextClassifier classifier_;
  // Codes a practitioner may type as free text ("BSOM", "IC3"): every
  // code of 3 to 8 letters and digits that belongs to exactly one loaded
  // system, by its upper-case form.
  struct TypedCode {
    const CodeSystem* system = nullptr;  // null: the code is in several systems
    const Concept* code = nullptr;
  };
  absl::flat_hash_map<std::string, TypedCode> typed_codes_;
};

}  // namespace ethrec

#endif  // ETHREC_MAPPING_NORMALIZER_H_
