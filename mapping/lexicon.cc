#include "mapping/lexicon.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "mapping/internal/json_reader.h"
#include "mapping/text_fold.h"
#include "mapping/world_names.h"

namespace ethrec {
namespace {

using mapping_internal::Child;
using mapping_internal::Index;
using mapping_internal::OptionalArray;
using mapping_internal::OptionalBool;
using mapping_internal::OptionalString;
using mapping_internal::ProblemSink;
using mapping_internal::RequiredString;

std::optional<TermKind> ParseKind(absl::string_view s) {
  if (s == "group") return TermKind::kGroup;
  if (s == "heritage") return TermKind::kHeritage;
  if (s == "mixed") return TermKind::kMixed;
  if (s == "other") return TermKind::kOther;
  if (s == "conjunction") return TermKind::kConjunction;
  if (s == "not_stated") return TermKind::kNotStated;
  if (s == "not_known") return TermKind::kNotKnown;
  if (s == "filler") return TermKind::kFiller;
  if (s == "umbrella") return TermKind::kUmbrella;
  if (s == "not_mixed") return TermKind::kNotMixed;
  return std::nullopt;
}

std::optional<TermBasis> ParseBasis(absl::string_view s) {
  if (s == "ethnicity") return TermBasis::kEthnicity;
  if (s == "nationality") return TermBasis::kNationality;
  if (s == "language") return TermBasis::kLanguage;
  if (s == "religion") return TermBasis::kReligion;
  return std::nullopt;
}

// Bits set in `x`. Written out because the build targets baseline x86-64
// (no POPCNT), where __builtin_popcount is an out-of-line libgcc call in the
// spelling-slip loops.
inline int Popcount32(uint32_t x) {
  x = x - ((x >> 1) & 0x55555555u);
  x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
  x = (x + (x >> 4)) & 0x0f0f0f0fu;
  return static_cast<int>((x * 0x01010101u) >> 24);
}

// True when at most two bits of `x` are set: the one-edit filter, cheaper
// than counting them all.
inline bool AtMostTwoBits(uint32_t x) {
  const uint32_t rest = x & (x - 1);  // x without its lowest bit
  return (rest & (rest - 1)) == 0;
}

// Bit i set when letter 'a' + i occurs (other bytes share bit 26).
uint32_t LetterSet(absl::string_view w) {
  uint32_t bits = 0;
  for (char c : w) bits |= c >= 'a' && c <= 'z' ? uint32_t{1} << (c - 'a') : uint32_t{1} << 26;
  return bits;
}

absl::string_view KindLabel(TermKind k) {
  switch (k) {
    case TermKind::kGroup: return "group";
    case TermKind::kHeritage: return "heritage";
    case TermKind::kMixed: return "mixed";
    case TermKind::kOther: return "other";
    case TermKind::kConjunction: return "and";
    case TermKind::kNotStated: return "not stated";
    case TermKind::kNotKnown: return "not known";
    case TermKind::kFiller: return "filler";
    case TermKind::kUmbrella: return "umbrella term";
    case TermKind::kNotMixed: return "not mixed";
  }
  return "";
}


}  // namespace

absl::string_view TermBasisName(TermBasis b) {
  switch (b) {
    case TermBasis::kEthnicity: return "ethnicity";
    case TermBasis::kNationality: return "nationality";
    case TermBasis::kLanguage: return "language";
    case TermBasis::kReligion: return "religion";
  }
  return "ethnicity";
}

void Lexicon::AddDocument(const rapidjson::Value& doc, const std::string& file,
                          std::vector<LoadProblem>* problems) {
  ProblemSink sink(file, problems);
  const std::string root = "$";
  auto id = RequiredString(doc, root, "id", sink);
  auto version = RequiredString(doc, root, "version", sink);
  const rapidjson::Value* terms = mapping_internal::RequiredArray(doc, root, "terms", sink);
  if (!id || !version || terms == nullptr) return;
  absl::StrAppend(&versions_, versions_.empty() ? "" : ", ", *id, " ", *version);

  for (rapidjson::SizeType i = 0; i < terms->Size(); ++i) {
    const std::string path = Index(Child(root, "terms"), i);
    const rapidjson::Value& t = (*terms)[i];
    if (!t.IsObject()) {
      sink.Add(path, "must be an object");
      continue;
    }
    const size_t before = sink.count();
    Term term;
    term.lexicon_id = *id;
    auto phrase = RequiredString(t, path, "phrase", sink);
    auto kind_name = RequiredString(t, path, "kind", sink);
    if (!phrase || !kind_name) continue;
    auto kind = ParseKind(*kind_name);
    if (!kind) {
      sink.Add(Child(path, "kind"), absl::StrCat("unknown kind \"", *kind_name,
                                                 "\" (expected group, heritage, mixed, other, "
                                                 "conjunction, not_stated, not_known, filler, "
                                                 "umbrella or not_mixed)"));
      continue;
    }
    term.kind = *kind;
    if (auto basis = OptionalString(t, path, "basis", sink)) {
      auto b = ParseBasis(*basis);
      if (!b) {
        sink.Add(Child(path, "basis"),
                 absl::StrCat("unknown basis \"", *basis,
                              "\" (expected ethnicity, nationality, language or religion)"));
      } else {
        term.basis = *b;
      }
    }
    if (const rapidjson::Value* cats = OptionalArray(t, path, "categories", sink)) {
      for (rapidjson::SizeType j = 0; j < cats->Size(); ++j) {
        const rapidjson::Value& c = (*cats)[j];
        auto cat = c.IsString() ? ParseCategory(c.GetString()) : std::nullopt;
        if (!cat) {
          sink.Add(Index(Child(path, "categories"), j),
                   absl::StrCat("not a taxonomy category: ",
                                c.IsString() ? absl::StrCat("\"", c.GetString(), "\"") : "non-string"));
        } else if (std::find(term.categories.begin(), term.categories.end(), *cat) !=
                   term.categories.end()) {
          sink.Add(Index(Child(path, "categories"), j),
                   absl::StrCat("category ", c.GetString(), " is listed twice"));
        } else {
          term.categories.push_back(*cat);
        }
      }
    }
    if (term.kind == TermKind::kGroup) {
      auto g = OptionalString(t, path, "group", sink);
      term.group = g ? ParseGroup(*g) : std::nullopt;
      if (!term.group) {
        sink.Add(path, "a group term needs \"group\": one of ASIAN, BLACK, MIXED, WHITE, OTHER");
      } else {
        for (Category c : term.categories) {
          if (GroupOf(c) != *term.group) {
            sink.Add(Child(path, "categories"),
                     absl::StrCat(CategoryName(c), " is not in group ", GroupName(*term.group)));
          }
        }
      }
    }
    if (term.kind == TermKind::kHeritage && term.categories.empty()) {
      sink.Add(path, "a heritage term needs at least one category in \"categories\"");
    }
    term.detail = OptionalString(t, path, "detail", sink).value_or("");
    OptionalString(t, path, "note", sink);  // for people reading the data; checked, not kept
    term.modifier = OptionalBool(t, path, "modifier", false, sink);
    term.fuzzy = OptionalBool(t, path, "fuzzy", true, sink);
    term.ambiguous = OptionalBool(t, path, "ambiguous", false, sink);

    std::vector<std::pair<std::string, std::string>> spellings;  // folded, json path
    spellings.emplace_back(*phrase, Child(path, "phrase"));
    if (const rapidjson::Value* variants = OptionalArray(t, path, "variants", sink)) {
      for (rapidjson::SizeType j = 0; j < variants->Size(); ++j) {
        const std::string vpath = Index(Child(path, "variants"), j);
        if (!(*variants)[j].IsString()) {
          sink.Add(vpath, "must be a string");
          continue;
        }
        spellings.emplace_back((*variants)[j].GetString(), vpath);
      }
    }
    std::vector<std::string> keys;
    for (auto& [raw, spath] : spellings) {
      absl::StatusOr<std::string> folded = FoldText(raw);
      if (!folded.ok()) {
        sink.Add(spath, std::string(folded.status().message()));
        continue;
      }
      if (folded->empty()) {
        sink.Add(spath, absl::StrCat("\"", raw, "\" has no letters or digits"));
        continue;
      }
      if (const Term* taken = Find(*folded)) {
        sink.Add(spath, absl::StrCat("phrase \"", *folded, "\" is already defined by term \"",
                                     taken->phrase, "\" of lexicon ", taken->lexicon_id));
        continue;
      }
      if (std::find(keys.begin(), keys.end(), *folded) != keys.end()) {
        sink.Add(spath, absl::StrCat("phrase \"", *folded, "\" is repeated in this term"));
        continue;
      }
      keys.push_back(*std::move(folded));
    }
    if (sink.count() != before || keys.empty()) continue;
    term.phrase = keys.front();
    term.label = absl::StrCat("'", term.phrase, "' (", KindLabel(term.kind), ")");
    const int index = static_cast<int>(terms_.size());
    const bool fuzzy_target = term.fuzzy && term.kind != TermKind::kFiller &&
                              term.kind != TermKind::kConjunction &&
                              term.kind != TermKind::kUmbrella && term.kind != TermKind::kNotMixed;
    for (const std::string& key : keys) {
      spans_[key].term = index;
      for (size_t sp = key.find(' '); sp != std::string::npos; sp = key.find(' ', sp + 1)) {
        spans_[key.substr(0, sp)].prefix = true;
      }
      const bool single_word = key.find(' ') == std::string::npos;
      for (absl::string_view word : absl::StrSplit(key, ' ')) {
        WordInfo& info = words_[word];
        spans_[word].known_word = true;
        info.in_fuzzy_term |= fuzzy_target;
        // A term that refuses slips ("roma") protects its own word everywhere.
        info.protected_word |= single_word && !term.fuzzy;
      }
    }
    terms_.push_back(std::move(term));
  }
}

void Lexicon::AddWorldNames() {
  absl::StrAppend(&versions_, versions_.empty() ? "" : ", ", "world ", WorldNamesSource());
  auto taken = [&](const std::string& phrase) {
    auto it = spans_.find(phrase);
    return it != spans_.end() && it->second.term >= 0;
  };
  // A place the lexicon names ("somalia") is the lexicon's: none of its
  // generated names ("somalian") stands in the way of the lexicon's spelling
  // corrections.
  absl::flat_hash_set<std::string> lexicon_places;
  for (const WorldName& n : WorldNames()) {
    if (!n.language && taken(n.phrase)) lexicon_places.insert(n.region);
  }
  for (const WorldName& n : WorldNames()) {
    if (taken(n.phrase)) {
      // The lexicon's own word for the place keeps its reading and learns
      // its world region ("filipino": South-eastern Asia).
      Term& t = terms_[spans_.find(n.phrase)->second.term];
      if (t.kind == TermKind::kHeritage && t.subregion.empty()) t.subregion = n.subregion;
      continue;
    }
    if (!n.language && lexicon_places.contains(n.region)) continue;
    Term term;
    term.phrase = n.phrase;
    term.kind = TermKind::kHeritage;
    term.basis = n.language ? TermBasis::kLanguage : TermBasis::kNationality;
    term.categories = n.categories;
    term.detail = n.detail;
    term.subregion = n.subregion;
    term.ambiguous = n.ambiguous;
    term.fuzzy = false;  // generated words are never the target of a correction
    term.lexicon_id = "world";
    term.label = absl::StrCat("'", n.phrase, "' (", n.language ? "language: " : "place: ", n.detail, ")");
    const int index = static_cast<int>(terms_.size());
    spans_[n.phrase].term = index;
    for (size_t sp = n.phrase.find(' '); sp != std::string::npos; sp = n.phrase.find(' ', sp + 1)) {
      spans_[n.phrase.substr(0, sp)].prefix = true;
    }
    for (absl::string_view word : absl::StrSplit(n.phrase, ' ')) {
      words_[word];
      spans_[word].known_word = true;
    }
    if (n.language && n.phrase.size() >= 6 && n.phrase.find(' ') == std::string::npos) {
      people_by_first_[static_cast<unsigned char>(n.phrase[0])].words.push_back(n.phrase);
    }
    terms_.push_back(std::move(term));
  }
  for (FuzzyBucket& bucket : people_by_first_) bucket.Sort();
}

void Lexicon::FuzzyBucket::Sort() {
  std::sort(words.begin(), words.end(), [](const std::string& a, const std::string& b) {
    return std::make_pair(a.size(), absl::string_view(a)) < std::make_pair(b.size(), absl::string_view(b));
  });
  keys.clear();
  for (const std::string& w : words) keys.push_back(uint64_t{w.size()} << 32 | LetterSet(w));
}

namespace {

// The first index of a bucket's `keys` whose word is at least `length` long.
size_t FirstOfLength(const std::vector<uint64_t>& keys, size_t length) {
  return static_cast<size_t>(std::lower_bound(keys.begin(), keys.end(), uint64_t{length} << 32) - keys.begin());
}

size_t KeyLength(uint64_t key) { return static_cast<size_t>(key >> 32); }
uint32_t KeyLetters(uint64_t key) { return static_cast<uint32_t>(key); }

}  // namespace

absl::string_view Lexicon::FindNearPeople(absl::string_view word) const {
  if (word.size() < 6) return {};
  const uint32_t letters = LetterSet(word);
  const FuzzyBucket& bucket = people_by_first_[static_cast<unsigned char>(word[0])];
  absl::string_view found;
  for (size_t i = FirstOfLength(bucket.keys, word.size() - 1);
       i < bucket.keys.size() && KeyLength(bucket.keys[i]) <= word.size() + 1; ++i) {
    if (!AtMostTwoBits(letters ^ KeyLetters(bucket.keys[i]))) continue;
    if (EditDistance(word, bucket.words[i], 1) != 1) continue;
    if (!found.empty()) return {};  // two peoples as near: no guess
    found = bucket.words[i];
  }
  return found;
}

int EditDistance(absl::string_view a, absl::string_view b, int limit) {
  // Slips are mostly inside a word: shared ends cost nothing, so drop them.
  while (!a.empty() && !b.empty() && a.front() == b.front()) {
    a.remove_prefix(1);
    b.remove_prefix(1);
  }
  while (!a.empty() && !b.empty() && a.back() == b.back()) {
    a.remove_suffix(1);
    b.remove_suffix(1);
  }
  constexpr int kMax = 64;
  const int n = static_cast<int>(a.size());
  const int m = static_cast<int>(b.size());
  if (std::abs(n - m) > limit || n >= kMax || m >= kMax) return limit + 1;
  // Only cells within `limit` of the diagonal can stay within the limit.
  const int kFar = limit + 1;
  int rows[3][kMax + 1];
  int* prev2 = rows[0];
  int* prev = rows[1];
  int* cur = rows[2];
  for (int j = 0; j <= m; ++j) prev[j] = prev2[j] = cur[j] = j <= limit ? j : kFar;
  for (int i = 1; i <= n; ++i) {
    const int lo = std::max(1, i - limit), hi = std::min(m, i + limit);
    cur[0] = i <= limit ? i : kFar;
    if (lo > 1) cur[lo - 1] = kFar;
    int row_min = cur[0];
    for (int j = lo; j <= hi; ++j) {
      int v = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      v = std::min(v, prev[j] + 1);
      v = std::min(v, cur[j - 1] + 1);
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) v = std::min(v, prev2[j - 2] + 1);
      cur[j] = std::min(v, kFar);
      row_min = std::min(row_min, cur[j]);
    }
    if (hi < m) cur[hi + 1] = kFar;
    if (row_min > limit) return kFar;
    int* spare = prev2;
    prev2 = prev;
    prev = cur;
    cur = spare;
  }
  return std::min(prev[m], kFar);
}

void Lexicon::Finalize() {
  for (FuzzyBucket& bucket : fuzzy_by_first_) bucket.words.clear();
  for (const auto& [word, info] : words_) {
    if (info.in_fuzzy_term && !info.protected_word && word.size() >= 4) {
      fuzzy_by_first_[static_cast<unsigned char>(word[0])].words.push_back(word);
    }
  }
  for (FuzzyBucket& bucket : fuzzy_by_first_) bucket.Sort();
}

absl::string_view Lexicon::FindNearWord(absl::string_view word) const {
  if (word.size() < 4) return {};
  const int limit = word.size() >= 9 ? 2 : 1;
  int best = limit + 1;
  absl::string_view found;
  bool tied = false;
  const uint32_t letters = LetterSet(word);
  // Buckets are sorted by length: visit only lengths within reach. A known
  // word of 9+ letters allows `limit` edits, a shorter one 1, so the lengths
  // in reach are one range: from n - 2 (n - 1 when that would be under 9)
  // to n + limit.
  const FuzzyBucket& bucket = fuzzy_by_first_[static_cast<unsigned char>(word[0])];
  const size_t n = word.size();
  const size_t shortest = limit == 2 && n - 2 >= 9 ? n - 2 : n - 1;
  const size_t longest = n + static_cast<size_t>(limit);
  for (size_t i = FirstOfLength(bucket.keys, shortest);
       i < bucket.keys.size() && KeyLength(bucket.keys[i]) <= longest; ++i) {
    const size_t known_size = KeyLength(bucket.keys[i]);
    const int allowed = known_size >= 9 ? limit : 1;
    // Each edit changes the set of letters used by at most two letters.
    const uint32_t changed = letters ^ KeyLetters(bucket.keys[i]);
    if (allowed == 1 ? !AtMostTwoBits(changed) : Popcount32(changed) > 4) continue;
    const std::string& known = bucket.words[i];
    // Nothing further than the best so far can win: the search stops there.
    const int d = EditDistance(word, known, std::min(allowed, best));
    if (d > allowed || d > best) continue;
    // In 4-letter words only a swap of two letters counts: one letter more or
    // less turns too many ordinary words into lexicon words ("back", "black").
    if (word.size() == 4 || known.size() == 4) {
      if (word.size() != known.size() || d != 1) continue;
      int diffs = 0;
      for (size_t j = 0; j < word.size(); ++j) diffs += word[j] != known[j];
      if (diffs != 2) continue;
    }
    if (d < best) {
      best = d;
      found = known;
      tied = false;
    } else if (known != found && (Find(known) == nullptr || Find(known) != Find(found))) {
      // Two spellings of one term ("indian", "indan") are no real tie.
      tied = true;
    }
  }
  return tied ? absl::string_view() : found;
}

}  // namespace ethrec
