// Code systems and their maps into the taxonomy, as loaded from FHIR R4
// CodeSystem and ConceptMap resources. Immutable once loaded; owned by a
// Registry.
#ifndef ETHREC_MAPPING_CODE_SYSTEM_H_
#define ETHREC_MAPPING_CODE_SYSTEM_H_

#include <string>

#include <vector>

#include "absl/strings/string_view.h"
#include "absl/container/flat_hash_map.h"
#include "mapping/taxonomy.h"

namespace ethrec {

// What one source code stands for in the taxonomy: one map element.
struct MapEntry {
  Outcome outcome = Outcome::kCategories;  // kCategories, kNotStated or kNotKnown
  std::vector<Category> ranked;            // most likely first; empty for non-answers
  CategorySet set;                         // the same categories as a set
  // Source relative to the set: a single target's relationship, or the least
  // exact of several (an element with several targets is broader).
  Relationship relationship = Relationship::kEquivalent;
  std::string detail;  // finer detail the code carries ("Somali"), may be empty
  std::string reason;  // why it maps so, from the map's comment
};

struct Concept {
  std::string code;     // canonical spelling, as in the CodeSystem
  std::string display;  // official display text
  std::string parent;   // parent code (main code of an extended code), or empty
  std::string status;   // "" (active), "retired", "derived", ...
  // The canonical URL of the code system that defines this code, when that is
  // not the CodeSystem's own url: e.g. UK Core's ethnic category England for
  // the letters of ethrec's nhs-ethnic-category list. Empty otherwise. The
  // map must place the code in a group whose source is this URL.
  std::string system;
  bool selectable = true;  // false: never suggested for data entry
  std::vector<std::string> aliases;  // other spellings accepted on input ("01" for O1)
  MapEntry mapping;
};

struct CodeSystem {
  std::string id;       // "nhs-ethnic-category"
  std::string url;      // canonical URL: "http://snomed.info/sct", "urn:ethrec:codesystem:dfe"
  // Former URLs of this system (e.g. "urn:ethrec:codesystem:snomed-ct"), from
  // the CodeSystem's identifiers of system urn:ietf:rfc:3986. They name it as
  // its url does.
  std::vector<std::string> url_aliases;
  std::string version;  // "2001.1"
  std::string title;
  RecordingBasis basis = RecordingBasis::kSelfDefined;
  bool case_sensitive = true;
  std::string origin;  // "built-in" or the file it came from

  // The map into the taxonomy.
  std::string map_id;
  std::string map_version;

  std::vector<Concept> concepts;  // in file order

  // Canonical key (trimmed; upper-cased unless case_sensitive) of every code
  // and alias -> index into concepts.
  absl::flat_hash_map<std::string, int> index;

  // The canonical lookup key of `code` for this system.
  std::string CanonicalKey(absl::string_view code) const;
  // The concept for `code` (exact, then canonicalised), or nullptr.
  const Concept* Find(absl::string_view code) const;
};

}  // namespace ethrec

#endif  // ETHREC_MAPPING_CODE_SYSTEM_H_
