#include "absl/strings/string_view.h"
#include "mapping/lexicon.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "mapping/internal/json_reader.h"
#include "mapping/text_fold.h"

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
  return std::nullopt;
}

std::optional<TermBasis> ParseBasis(absl::string_view s) {
  if (s == "ethnicity") return TermBasis::kEthnicity;
  if (s == "nationality") return TermBasis::kNationality;
  if (s == "language") return TermBasis::kLanguage;
  if (s == "religion") return TermBasis::kReligion;
  return std::nullopt;
}

int CountWords(absl::string_view folded) {
  return static_cast<int>(std::count(folded.begin(), folded.end(), ' ')) + 1;
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
                                                 "conjunction, not_stated, not_known, filler or "
                                                 "umbrella)"));
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
    term.note = OptionalString(t, path, "note", sink).value_or("");
    term.modifier = OptionalBool(t, path, "modifier", false, sink);
    term.fuzzy = OptionalBool(t, path, "fuzzy", true, sink);

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
      if (auto it = phrases_.find(*folded); it != phrases_.end()) {
        sink.Add(spath, absl::StrCat("phrase \"", *folded, "\" is already defined by term \"",
                                     terms_[it->second].phrase, "\" of lexicon ",
                                     terms_[it->second].lexicon_id));
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
    const int index = static_cast<int>(terms_.size());
    const bool fuzzy_target = term.fuzzy && term.kind != TermKind::kFiller &&
                              term.kind != TermKind::kConjunction &&
                              term.kind != TermKind::kUmbrella;
    for (const std::string& key : keys) {
      max_phrase_words_ = std::max(max_phrase_words_, CountWords(key));
      phrases_.emplace(key, index);
      for (absl::string_view word : absl::StrSplit(key, ' ')) {
        auto [it, inserted] = words_.emplace(word, fuzzy_target);
        if (!inserted) it->second = it->second && fuzzy_target;
      }
    }
    terms_.push_back(std::move(term));
  }
}

int EditDistance(absl::string_view a, absl::string_view b, int limit) {
  const int n = static_cast<int>(a.size());
  const int m = static_cast<int>(b.size());
  if (std::abs(n - m) > limit) return limit + 1;
  std::vector<int> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (int j = 0; j <= m; ++j) prev[j] = j;
  for (int i = 1; i <= n; ++i) {
    cur[0] = i;
    int row_min = cur[0];
    for (int j = 1; j <= m; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      }
      row_min = std::min(row_min, cur[j]);
    }
    if (row_min > limit) return limit + 1;
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return std::min(prev[m], limit + 1);
}

absl::string_view Lexicon::FindNearWord(absl::string_view word) const {
  if (word.size() < 4) return {};
  const int limit = word.size() >= 9 ? 2 : 1;
  int best = limit + 1;
  absl::string_view found;
  bool tied = false;
  for (const auto& [known, fuzzy_target] : words_) {
    if (!fuzzy_target || known.size() < 4 || known[0] != word[0]) continue;
    const int allowed = known.size() >= 9 ? limit : 1;
    const int d = EditDistance(word, known, allowed);
    if (d > allowed || d > best) continue;
    // In 4-letter words only a swap of two letters counts: one letter more or
    // less turns too many ordinary words into lexicon words ("back", "black").
    if (word.size() == 4 || known.size() == 4) {
      if (word.size() != known.size() || d != 1) continue;
      int diffs = 0;
      for (size_t i = 0; i < word.size(); ++i) diffs += word[i] != known[i];
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
