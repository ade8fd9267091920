// Countries, nationalities and peoples of the world, read from ICU's English
// display names (CLDR data) rather than from a hand-kept word list, each with
// the ONS 2021 categories that a person of that place or people is coded to.
//
// The names are every territory's display name (with CLDR's short and variant
// names: "Burma", "Ivory Coast"), the nationality words derived from them by
// the regular English suffixes ("Tokelau" -> "Tokelauan", "Sudan" ->
// "Sudanese", "Marshall Islands" -> "Marshall Islander"), the names of world
// subregions ("Melanesia"), and the display name of every language that has a
// likely territory (a people: "Ewe", "Mapuche", "Hawaiian"). A name's
// categories come from its territory's CLDR containment (UN M49 subregion),
// by the rules in CategoriesForRegion(). The free-text lexicon adds these
// names after its own terms, so a hand-written lexicon term always wins.
//
// Example:
//   for (const WorldName& n : WorldNames()) {
//     if (n.phrase == "tokelauan") ...  // region "TK", {OTHER_ANY}
//   }
#ifndef ETHREC_MAPPING_WORLD_NAMES_H_
#define ETHREC_MAPPING_WORLD_NAMES_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "mapping/taxonomy.h"

namespace ethrec {

// The ONS 2021 candidates for a person from a place.
struct RegionCategories {
  std::vector<Category> ranked;  // empty: the place names no ethnic group
  bool ambiguous = false;        // no candidate comes first
};

// The candidates for CLDR region `region`: a territory ("NG", "TK") or a
// subregion ("061"). Empty for the United Kingdom and its Crown
// Dependencies and Ireland (the lexicon reads these), for uninhabited
// territories, and for codes ICU does not know.
RegionCategories CategoriesForRegion(absl::string_view region);

// One name of a place or people.
struct WorldName {
  std::string phrase;   // folded (FoldText): "marshall islander"
  std::string detail;   // ICU's English display name: "Marshall Islands"
  std::string region;   // CLDR region code: "MH"
  std::string subregion;  // its UN M49 subregion: "057" (the region itself for a subregion)
  std::vector<Category> categories;  // ranked
  bool ambiguous = false;            // no candidate comes first
  bool language = false;  // a language's name (a people), not a place's
};

// Every name, built from ICU once, on first use (thread-safe). A phrase
// occurs once: where two places give the same word ("dominican": Dominica,
// Dominican Republic) with different candidates, it has the union of their
// candidates and is ambiguous. Never fails: missing ICU data gives fewer
// names.
const std::vector<WorldName>& WorldNames();

// "ICU 72.1, Glottolog 5.1": what the names were read from, for explanations.
const std::string& WorldNamesSource();

}  // namespace ethrec

#endif  // ETHREC_MAPPING_WORLD_NAMES_H_
