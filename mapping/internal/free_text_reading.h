// The free-text reader's working parts (mapping/free_text.cc): what the
// matched terms of a text say (Evidence), the reading made of them
// (Reading), and the steps Classify takes. Internal to mapping/: split only
// so that each file stays readable; the hot loop (Gather) and Combine share
// one file so that the compiler can inline across them.
#ifndef ETHREC_MAPPING_INTERNAL_FREE_TEXT_READING_H_
#define ETHREC_MAPPING_INTERNAL_FREE_TEXT_READING_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/string_view.h"
#include "mapping/lexicon.h"
#include "mapping/taxonomy.h"

namespace ethrec::free_text_internal {

constexpr double kBaseConfidence = 0.95;

template <typename T>
using Small = absl::InlinedVector<T, 8>;

// Calls `f` with each word of folded text (words split by ' '), by hand:
// words are short, and a library search per word costs more than the scan.
template <typename F>
void ForEachWord(absl::string_view folded, F&& f) {
  for (size_t start = 0, i = 0; i <= folded.size(); ++i) {
    if (i < folded.size() && folded[i] != ' ') continue;
    if (i > start) f(folded.substr(start, i - start));
    start = i + 1;
  }
}

// One candidate reading of part of the text: a heritage, a group, or both.
struct Component {
  Small<Category> ranked;
  absl::string_view detail;  // owned by the lexicon
  TermBasis basis = TermBasis::kEthnicity;
  bool group_only = false;  // built from a group word alone ("white")
  Small<int> at;            // word positions it came from
  Group group() const { return GroupOf(ranked.front()); }
};

// What the matched terms of a text say, before they are combined.
struct Evidence {
  Small<const Term*> heritages;  // non-modifier heritage terms
  Small<const Term*> modifiers;  // "british", "english", ...
  Small<const Term*> groups;     // group terms, distinct groups
  Small<const Term*> context;    // heritages named in a label's heading
  // What a form label's heading names: its groups, "mixed", "other". A
  // census label's heading is its section ("Mixed or Multiple ethnic groups").
  Small<Group> heading_groups;
  bool heading_mixed = false;
  bool heading_other = false;
  // Word positions of each term, and of the conjunctions: a group word and a
  // heritage combine only when no "and" stands between them.
  Small<std::pair<const Term*, int>> at;
  Small<int> conjunctions_at;
  Small<int> others_after_conjunction_at;  // "white and any other ethnic group"
  bool mixed = false;
  bool other = false;
  bool conjunction = false;
  bool not_stated = false;
  bool not_known = false;
  bool not_mixed = false;  // "non-mixed", "(NMO)": lists are alternatives
  // The heading is a census section ("Mixed or Multiple ethnic groups:
  // ...", "Asian/Asian Brit: ..."), not a plain group word ("Black -
  // other, mixed"): set by Classify, see IsCensusHeading.
  bool census_heading = false;
  bool said_or = false;  // "or", "and/or" in the answer
  absl::string_view original;  // the text as given, before folding
  const Term* umbrella = nullptr;
  std::string umbrella_text;  // the words that matched it, for the explanation
  int unknown_words = 0;
  int corrections = 0;
  Small<const Term*> recognised;  // in order, for the explanation
  std::vector<std::string> notes;

  bool HasEthnicContent() const {
    return !heritages.empty() || !modifiers.empty() || !groups.empty() || mixed || other ||
           !others_after_conjunction_at.empty();
  }
};

// The reading of the evidence.
struct Reading {
  Small<Category> ranked;
  bool clear_first = true;
  std::string detail;
  TermBasis basis = TermBasis::kEthnicity;  // the weakest basis relied on
  double factor = 1.0;                       // doubt from heuristics
  absl::string_view how;                     // one phrase for the explanation
  // The answer's own words say the person is of mixed origin ("mixed",
  // "Black/White", "Asian and Chinese"), not only word order.
  bool said_mixed = false;
};

template <typename C, typename T>
inline bool Has(const C& c, const T& v) {
  return std::find(c.begin(), c.end(), v) != c.end();
}

template <typename Container>
inline Small<Category> Restrict(const Container& ranked, Group g) {
  Small<Category> out;
  for (Category c : ranked) {
    if (GroupOf(c) == g) out.push_back(c);
  }
  return out;
}

inline void AppendUnique(Small<Category>& out, Category c) {
  if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
}

// --- The steps (free_text_evidence.cc) ---

// Matches the words of `folded` against the lexicon, longest phrase first,
// after correcting spelling slips, and adds what it finds to `ev`. Word
// positions start at `first_position`.
void Gather(const Lexicon& lexicon, absl::string_view folded, int first_position, bool heading_only,
            Evidence& ev);

Reading Combine(const Evidence& ev);

double BasisFactor(TermBasis b);

// --- A label's structure (free_text_structure.cc) ---

// `text` without a trailing SNOMED CT semantic tag ("Kashmiri (ethnic
// group)", "African origin (finding)"): it names the concept's hierarchy,
// never a heritage.
absl::string_view StripSemanticTag(absl::string_view text);

// Removes, in place, each run of classification words around "census" (or
// the clinical terms' "cens") or "classification" in folded text, within its
// label segment (never across a '|'). "asian | bangladeshi | england and
// wales 2011 census" becomes "asian | bangladeshi |". Returns the census
// year the removed words name (2001, 2011, ...), or 0.
int StripClassificationQualifiers(std::string* folded);

// Moves what follows "excl", "excluding" or "except" in folded text, to the
// end of its label segment, into `excluded`: "mid east excl israeli iranian
// and arab | ..." keeps "mid east | ...". Empty when nothing is excluded.
void SplitExclusion(std::string* folded, std::string* excluded);

// Drops from `r` each category that an excluded term is the name of ("Middle
// Eastern, excluding Arab" is not OTHER_ARAB), keeping at least one. An
// excluded write-in people ("excluding Iranian") leaves its category, which
// holds other peoples too.
void ApplyExclusion(const Lexicon& lexicon, absl::string_view excluded, Reading& r);

// The 2001 census classification's Asian section was for South Asia, and
// Chinese stood with 'Other ethnic group': a people of East or South-East
// Asia other than Chinese was coded to 'Other ethnic group' (the NHS 2001
// extended codes list Vietnamese, Japanese, Filipino and Malaysian under S,
// 'Any other ethnic group'), and White with Chinese or another East Asian
// heritage to 'Any other Mixed background', not 'White and Asian'. A label
// of that classification ("Filipino - ethnic category 2001 census") reads so.
void Apply2001Classification(const Evidence& ev, Reading& r);

// The section of a census-style label ("Mixed or Multiple ethnic groups:
// Italian"): the one group its heading names, Mixed when the heading says
// "mixed", Other for "Other ethnic group". None for other headings.
std::optional<Group> SectionOf(const Evidence& ev);

// ONS's derivation of the 19 categories from a census label: the section
// (tick-box heading) decides. A tick-box answer (one category, in its own
// words) keeps its category; any write-in is the section's "any other"
// category, with the write-in as the detail. The Black section follows
// TS022: everything written under "... of African background" is African;
// under a heading that names no background, an African heritage is African
// too (the 2021 African box took a write-in). Chinese under "Other" stays
// Chinese: 2001-era lists (NHS R, police O1) put that tick-box there
// ("Other Ethnic Groups - Chinese"). The reader's other
// candidates within the section follow, for the record.
void ApplySection(Group section, const Evidence& ev, Reading& r);

// True when a label's heading is a census or classification section rather
// than a plain group word: the label is "Section: answer" (a ':'), or the
// heading lists its section's names ("Asian or Asian British", "Mixed/
// multiple ethnic groups", "... background"). `heading` is folded.
bool IsCensusHeading(absl::string_view original, absl::string_view heading);

// True when a word of `segment` is a group word, "mixed" or "other": a form
// label's heading ("Black or Black British"), not part of the answer.
bool NamesGroupOrMarker(const Lexicon& lexicon, absl::string_view segment);

// "free text (lexicon core 1.0.0, places 1.0.0): recognised 'black' (group), ..."
void AppendRecognised(const Evidence& ev, std::string* out);

}  // namespace ethrec::free_text_internal

#endif  // ETHREC_MAPPING_INTERNAL_FREE_TEXT_READING_H_
