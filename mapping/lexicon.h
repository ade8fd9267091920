// The phrase and synonym table used to read free text, kept as data
// (mapping/data/lexicon-*.json, resourceType "EthrecLexicon").
//
// Each term has a canonical phrase and variants (spellings, misspellings,
// abbreviations), all folded with FoldText() at load. A term's kind says how
// the classifier uses it:
//   group       "white", "black": a high-level group; `categories` ranks the
//               group's categories for text that names only the group.
//   heritage    "caribbean", "somali", "polish": ranked candidate categories
//               and a detail; `basis` says whether the word is an ethnicity,
//               nationality, language or religion; `modifier` marks words such
//               as "british" that qualify another term ("british pakistani").
//   mixed       "mixed", "dual heritage": the person has more than one heritage.
//   other       "other", "any other".
//   conjunction "and", "with", "half": joins heritages of a mixed person.
//   not_stated / not_known: non-answers.
//   filler      "background", "ethnic", "origin": ignored.
//   umbrella    "bame": recognised, but names no ethnic group; never guessed.
//   not_mixed   "non-mixed", "(NMO)": the person is not of mixed origin, so
//               words joined by '/', "and" or "&/or" are alternatives.
#ifndef ETHREC_MAPPING_LEXICON_H_
#define ETHREC_MAPPING_LEXICON_H_

#include <array>
#include <optional>
#include <string>

#include <vector>

#include "absl/strings/string_view.h"
#include "absl/container/flat_hash_map.h"
#include "mapping/internal/text_hash.h"
#include "mapping/load_problem.h"
#include "mapping/taxonomy.h"
#include "rapidjson/document.h"

namespace ethrec {

enum class TermKind : uint8_t {
  kGroup,
  kHeritage,
  kMixed,
  kOther,
  kConjunction,
  kNotStated,
  kNotKnown,
  kFiller,
  kUmbrella,
  kNotMixed,
};

enum class TermBasis : uint8_t { kEthnicity, kNationality, kLanguage, kReligion };

absl::string_view TermBasisName(TermBasis b);

struct Term {
  std::string phrase;  // canonical, folded
  TermKind kind = TermKind::kFiller;
  TermBasis basis = TermBasis::kEthnicity;
  std::optional<Group> group;         // kGroup only
  std::vector<Category> categories;   // ranked; kHeritage and kGroup
  std::string detail;                 // kHeritage, may be empty
  std::string subregion;              // kHeritage naming a place or people: CLDR
                                      // subregion ("035"), from world_names.h
  bool modifier = false;              // kHeritage: qualifies other terms
  bool fuzzy = true;                  // may be matched with a spelling slip
  bool ambiguous = false;             // kHeritage: no candidate comes first
  std::string lexicon_id;
  std::string label;  // "'caribbean' (heritage)", for explanations
};

class Lexicon {
 public:
  // Adds the terms of one parsed EthrecLexicon document. Problems (unknown
  // kind or category, a phrase that is already taken, ...) go to `problems`
  // with `file` and the JSON path; a term with a problem is not added.
  void AddDocument(const rapidjson::Value& doc, const std::string& file,
                   std::vector<LoadProblem>* problems);

  // Adds the names of the world's places and peoples (world_names.h) whose
  // phrases no term has taken, so a lexicon term always wins. They never
  // receive spelling corrections. Call after the last AddDocument().
  void AddWorldNames();

  // What a run of folded words is: the term it spells (or nullptr), whether
  // it begins some longer phrase (so a longer match may follow), and, for
  // one word, whether it occurs in some phrase (IsKnownWord, in the same
  // lookup).
  struct Span {
    const Term* term = nullptr;
    bool prefix = false;
    bool known_word = false;
  };
  Span Look(absl::string_view words) const {
    auto it = spans_.find(words);
    if (it == spans_.end()) return Span();
    return Span{it->second.term < 0 ? nullptr : &terms_[it->second.term], it->second.prefix,
                it->second.known_word};
  }

  // The term whose phrase or variant is exactly `folded`, or nullptr.
  const Term* Find(absl::string_view folded) const { return Look(folded).term; }

  // True when `word` occurs in some phrase or variant.
  bool IsKnownWord(absl::string_view word) const { return Look(word).known_word; }

  // The known word nearest to `word` when `word` looks like a spelling slip
  // of it: edit distance 1 for words of 5+ letters (a swap of two letters
  // for 4-letter words), 2 for 9+ letters, first letter equal, and a unique
  // nearest word. Words of terms marked "fuzzy": false are never targets.
  // Returns an empty view when there is no such word.
  absl::string_view FindNearWord(absl::string_view word) const;

  // The one people's name (a language's name from WorldNames(), one word of
  // 6+ letters) at edit distance 1 from `word`, first letter equal: the
  // spellings of exonyms vary by a letter ("navaho", "navajo"; "shoshone",
  // "shoshoni"). Empty when there is none or more than one, or `word` is
  // shorter than 6 letters. Call only for a word FindNearWord() left alone.
  absl::string_view FindNearPeople(absl::string_view word) const;

  // Builds the spelling-slip index. Call once after the last AddDocument().
  void Finalize();

  size_t size() const { return terms_.size(); }
  // "core 1.0.0, places 1.0.0" (and ", world ICU 72.1" after AddWorldNames)
  const std::string& versions() const { return versions_; }

 private:
  std::vector<Term> terms_;
  struct SpanInfo {
    int term = -1;            // index into terms_, or -1
    bool prefix = false;      // begins a longer phrase
    bool known_word = false;  // a key of words_
  };
  absl::flat_hash_map<std::string, SpanInfo, mapping_internal::TextHash, mapping_internal::TextEq> spans_;
  // Every word of every phrase, and whether spelling slips may land on it.
  struct WordInfo {
    bool in_fuzzy_term = false;   // occurs in a term that accepts slips
    bool protected_word = false;  // is itself a term that refuses slips
  };
  absl::flat_hash_map<std::string, WordInfo, mapping_internal::TextHash, mapping_internal::TextEq> words_;
  // Words a search for a spelling slip may land on, sorted by length, then
  // text. `keys` packs each word's length (high 32 bits) and the set of
  // letters it uses (bit i: letter 'a' + i), so that the search's filters
  // scan 8 bytes a word and read only the words that pass.
  struct FuzzyBucket {
    std::vector<std::string> words;
    std::vector<uint64_t> keys;
    void Sort();
  };
  // Words that spelling slips may land on, by first byte, for FindNearWord.
  std::array<FuzzyBucket, 256> fuzzy_by_first_;
  // Peoples' names FindNearPeople() may land on, by first byte.
  std::array<FuzzyBucket, 256> people_by_first_;
  std::string versions_;
};

// Damerau-Levenshtein (optimal string alignment) distance, or limit + 1 when
// it exceeds `limit` (or either string is longer than 63 bytes).
int EditDistance(absl::string_view a, absl::string_view b, int limit);

}  // namespace ethrec

#endif  // ETHREC_MAPPING_LEXICON_H_
