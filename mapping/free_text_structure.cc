// The free-text reader's handling of a label's structure: census and
// classification suffixes, exclusions, the 2001 classification, and the
// section of a "Section: write-in" census label, which decides.
#include "mapping/internal/free_text_reading.h"

#include <algorithm>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "mapping/text_fold.h"

namespace ethrec::free_text_internal {
namespace {

// Words that, next to "census" or "classification", name which census or
// classification a code list follows rather than anyone's heritage: "ethnic
// category 2001 census", "England and Wales 2011 census", "Scotland 2011
// census", "Eng+Wales eth cat 2011 census". The countries here are those of
// the classifications; a person's own "English" or "Scottish" is never in it.
bool IsClassificationWord(absl::string_view w) {
  static constexpr absl::string_view kWords[] = {
      "census", "classification", "england", "wales", "scotland", "northern", "ireland", "ni", "uk",
      "gb", "eng", "and", "ethnic", "ethnicity", "eth", "cat", "category", "categories", "group",
      "groups", "grouping", "1991", "2001", "2011", "2021", "2022", "ons", "nhs", "of", "the", "for"};
  for (absl::string_view k : kWords) {
    if (w == k) return true;
  }
  return false;
}






// Capitalises each word of a folded phrase: "sri lankan" -> "Sri Lankan".
std::string TitleCase(absl::string_view folded) {
  std::string out(folded);
  for (size_t i = 0; i < out.size(); ++i) {
    if (i == 0 || out[i - 1] == ' ') out[i] = absl::ascii_toupper(static_cast<unsigned char>(out[i]));
  }
  return out;
}

}  // namespace

// `text` without a trailing SNOMED CT semantic tag: "Kashmiri (ethnic
// group)", "African origin (finding)", "Caucasian (racial group)". The tag
// names the concept's hierarchy, never a heritage.
absl::string_view StripSemanticTag(absl::string_view text) {
  static constexpr absl::string_view kTags[] = {
      "(finding)", "(ethnic group)", "(racial group)", "(person)", "(living organism)", "(qualifier value)",
      "(observable entity)", "(social concept)", "(religion/philosophy)"};
  // Most texts end in a letter: that is decided without trimming.
  if (text.empty() || (text.back() != ')' && !absl::ascii_isspace(static_cast<unsigned char>(text.back())))) {
    return text;
  }
  const absl::string_view trimmed = absl::StripTrailingAsciiWhitespace(text);
  if (trimmed.empty() || trimmed.back() != ')') return text;
  for (absl::string_view tag : kTags) {
    if (trimmed.size() > tag.size() && absl::EndsWithIgnoreCase(trimmed, tag)) {
      return absl::StripTrailingAsciiWhitespace(trimmed.substr(0, trimmed.size() - tag.size()));
    }
  }
  return text;
}

// Removes, in place, each run of classification words around "census" (or
// the clinical terms' "cens") or "classification" in folded text, within its
// label segment (never across a '|'). "asian | bangladeshi | england and
// wales 2011 census" becomes "asian | bangladeshi |". Returns the census
// year the removed words name (2001, 2011, ...), or 0.
int StripClassificationQualifiers(std::string* folded) {
  // One pass over the text's 'c's, by hand: this runs on every text, few
  // name a census, and many have several 'c's.
  bool named = false;
  for (size_t c = 0; c < folded->size() && !named; ++c) {
    if ((*folded)[c] != 'c') continue;
    const absl::string_view rest = absl::string_view(*folded).substr(c);
    named = absl::StartsWith(rest, "cens") || absl::StartsWith(rest, "classification");
  }
  if (!named) return 0;
  Small<absl::string_view> words = absl::StrSplit(*folded, ' ', absl::SkipEmpty());
  Small<bool> drop(words.size(), false);
  bool any = false;
  int year = 0;
  for (size_t i = 0; i < words.size(); ++i) {
    if (words[i] != "census" && words[i] != "cens" && words[i] != "classification") continue;
    any = true;
    drop[i] = true;
    for (size_t j = i; j-- > 0 && IsClassificationWord(words[j]);) drop[j] = true;
    for (size_t j = i + 1; j < words.size() && IsClassificationWord(words[j]); ++j) drop[j] = true;
  }
  if (!any) return 0;
  for (size_t i = 0; i < words.size(); ++i) {
    if (drop[i] && words[i].size() == 4 && absl::SimpleAtoi(words[i], &year)) break;
  }
  std::string out;
  out.reserve(folded->size());
  for (size_t i = 0; i < words.size(); ++i) {
    if (drop[i]) continue;
    if (!out.empty()) out.push_back(' ');
    out.append(words[i].data(), words[i].size());
  }
  *folded = std::move(out);
  return year;
}

// Moves what follows "excl", "excluding" or "except" in folded text, to the
// end of its label segment, into `excluded`: "mid east excl israeli iranian
// and arab | ..." keeps "mid east | ...". Empty when nothing is excluded.
void SplitExclusion(std::string* folded, std::string* excluded) {
  excluded->clear();
  // One pass over the text's 'x's: few texts have any.
  size_t at = std::string::npos;
  for (size_t x = folded->find('x'); x != std::string::npos; x = folded->find('x', x + 1)) {
    if (x < 2 || (*folded)[x - 1] != 'e' || (*folded)[x - 2] != ' ') continue;
    const size_t end = std::min(folded->find(' ', x), folded->size());
    const absl::string_view word = absl::string_view(*folded).substr(x - 1, end - x + 1);
    if (word == "excl" || word == "excluding" || word == "except" || word == "exc") {
      at = x - 2;
      break;
    }
  }
  if (at == std::string::npos) return;
  const size_t end = std::min(folded->find('|', at), folded->size());
  excluded->assign(*folded, at + 1, end - at - 1);
  folded->erase(at, end - at);
}

// Drops from `r` each category that an excluded term is the name of ("Middle
// Eastern, excluding Arab" is not OTHER_ARAB), keeping at least one. An
// excluded write-in people ("excluding Iranian") leaves its category, which
// holds other peoples too.
void ApplyExclusion(const Lexicon& lexicon, absl::string_view excluded, Reading& r) {
  Evidence ex;
  Gather(lexicon, excluded, 0, /*heading_only=*/false, ex);
  for (const Term* t : ex.heritages) {
    if (t->categories.size() != 1 || !t->detail.empty() || r.ranked.size() < 2) continue;
    auto it = std::find(r.ranked.begin(), r.ranked.end(), t->categories.front());
    if (it != r.ranked.end()) r.ranked.erase(it);
  }
}

// The 2001 census classification's Asian section was for South Asia, and
// Chinese stood with 'Other ethnic group': a people of East or South-East
// Asia other than Chinese was coded to 'Other ethnic group' (the NHS 2001
// extended codes list Vietnamese, Japanese, Filipino and Malaysian under S,
// 'Any other ethnic group'), and White with Chinese or another East Asian
// heritage to 'Any other Mixed background', not 'White and Asian'. A label
// of that classification ("Filipino - ethnic category 2001 census") reads so.
void Apply2001Classification(const Evidence& ev, Reading& r) {
  if (r.ranked.empty() || ev.heritages.empty()) return;
  const Category first = r.ranked.front();
  if (first != Category::kAsianOther && first != Category::kMixedWhiteAsian) return;
  for (const Term* t : ev.heritages) {
    const bool east = t->subregion == "030" || t->subregion == "035";
    // In a Mixed answer the White heritage is a group word; every named
    // heritage must be East Asian.
    if (!east) return;
  }
  Small<Category> ranked = {first == Category::kAsianOther ? Category::kOtherAny : Category::kMixedOther};
  for (Category c : r.ranked) AppendUnique(ranked, c);
  r.ranked = std::move(ranked);
  r.clear_first = true;
  r.how = "a 2001 census label: East and South-East Asian peoples were 'Other ethnic group' (or Other Mixed)";
}

// The section of a census-style label ("Mixed or Multiple ethnic groups:
// Italian"): the one group its heading names, Mixed when the heading says
// "mixed", Other for "Other ethnic group". None for other headings.
std::optional<Group> SectionOf(const Evidence& ev) {
  if (ev.heading_mixed) return Group::kMixed;
  if (ev.heading_groups.size() == 1) return ev.heading_groups.front();
  if (ev.heading_groups.empty() && ev.heading_other) return Group::kOther;
  return std::nullopt;
}

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
void ApplySection(Group section, const Evidence& ev, Reading& r) {
  // A tick-box answer names its category in its own words: a heritage that
  // is an ethnicity standing for that one category ("Gypsy", "Chinese, born
  // Hong Kong") or naming it without finer detail ("Indian"), or a British
  // identity ("Welsh", "British": the White British box). "Somali" (African
  // or any other) and "Polish" (a nationality) are write-ins, even where the
  // section narrows them to one category.
  bool tick_box = false;
  if (r.basis == TermBasis::kEthnicity && r.clear_first && r.ranked.size() == 1) {
    const Category c = r.ranked.front();
    for (const Term* t : ev.heritages) {
      tick_box |= t->basis == TermBasis::kEthnicity && Has(t->categories, c) &&
                  (t->categories.size() == 1 || t->detail.empty());
    }
    for (const Term* t : ev.modifiers) tick_box |= t->categories.size() == 1 && t->categories.front() == c;
  }
  if (section == Group::kMixed) {
    // Under Mixed, two named heritages that make one Mixed category are that
    // category ("Mixed - Jamaican dad, English mum"); one heritage alone is a
    // write-in ("Mixed or Multiple ethnic groups: Italian").
    tick_box = r.clear_first && r.ranked.size() == 1 && GroupOf(r.ranked.front()) == Group::kMixed;
    // Under a census section only the tick-boxes' own words are a tick-box
    // ("White and Black Caribbean", "White and Asian"): group words, and
    // Black's "Black Caribbean" and "Black African". Any named heritage is a
    // write-in under "Any other Mixed", which ONS derives as Other Mixed
    // (TS022 "Mixed or Multiple ethnic groups: White and East Asian",
    // "European and Black African", "Chinese and White", "White Caribbean").
    if (tick_box && ev.census_heading) {
      bool black_word = false;
      for (const Term* g : ev.groups) black_word |= *g->group == Group::kBlack;
      for (const Term* t : ev.heritages) {
        tick_box &= black_word && t->detail.empty() && t->basis == TermBasis::kEthnicity &&
                    t->categories.size() == 1 && GroupOf(t->categories.front()) == Group::kBlack;
      }
      for (const Term* t : ev.modifiers) tick_box &= t->detail.empty();  // "White British and Asian"
    }
  }
  Small<Category> in = Restrict(r.ranked, section);
  bool heading_african = false, heading_caribbean = false;
  for (const Term* t : ev.context) {
    heading_african |= Has(t->categories, Category::kBlackAfrican);
    heading_caribbean |= Has(t->categories, Category::kBlackCaribbean);
  }
  Category first = OtherCategoryOf(section);
  if (section == Group::kBlack && heading_african && !heading_caribbean) {
    first = Category::kBlackAfrican;
  } else if (!in.empty() && tick_box) {
    first = in.front();
  } else if (section == Group::kOther && tick_box && r.ranked.front() == Category::kAsianChinese) {
    first = r.ranked.front();  // 2001-era lists' "Other: Chinese" tick-box
  } else if (section == Group::kBlack && !heading_caribbean && Has(in, Category::kBlackAfrican)) {
    first = Category::kBlackAfrican;
  } else if (section != Group::kBlack && ev.heritages.empty()) {
    // The answer adds only a nationality or birthplace ("Asian Bangladeshi -
    // born in UK"): the heritage the heading names is the answer. (Black
    // headings name TS022's background subgroups, handled above.)
    for (const Term* t : ev.context) {
      if (t->categories.size() == 1 && GroupOf(t->categories.front()) == section) first = t->categories.front();
    }
  }
  if (r.detail.empty() && first == OtherCategoryOf(section)) {
    // "Asian: Arab": the answer is the detail.
    const Term* named = !ev.heritages.empty() ? ev.heritages.front()
                                              : (!ev.modifiers.empty() ? ev.modifiers.front() : nullptr);
    if (named != nullptr) r.detail = named->detail.empty() ? TitleCase(named->phrase) : named->detail;
  }
  Small<Category> ranked = {first};
  for (Category c : in) AppendUnique(ranked, c);
  r.ranked = std::move(ranked);
  r.clear_first = true;
  r.basis = TermBasis::kEthnicity;  // the section states the group
  r.factor = 1.0;
  r.how = "census label: the section decides, the answer is the detail";
}

// True when a label's heading is a census or classification section rather
// than a plain group word: the label is "Section: answer" (a ':'), or the
// heading lists its section's names ("Asian or Asian British", "Mixed/
// multiple ethnic groups", "... background"). `heading` is folded.
bool IsCensusHeading(absl::string_view original, absl::string_view heading) {
  if (original.find(':') != absl::string_view::npos) return true;
  bool census = false;
  ForEachWord(heading, [&](absl::string_view word) {
    census |= word == "or" || word == "background" || word == "ethnic" || word == "multiple" ||
              word == "groups" || word == "group" || word == "british";
  });
  return census;
}

// True when a word of `segment` is a group word, "mixed" or "other": a form
// label's heading ("Black or Black British"), not part of the answer.
bool NamesGroupOrMarker(const Lexicon& lexicon, absl::string_view segment) {
  bool names = false;
  ForEachWord(segment, [&](absl::string_view word) {
    const Term* t = names ? nullptr : lexicon.Find(word);
    names |= t != nullptr &&
             (t->kind == TermKind::kGroup || t->kind == TermKind::kMixed || t->kind == TermKind::kOther);
  });
  return names;
}

// "free text (lexicon core 1.0.0, places 1.0.0): recognised 'black' (group), ..."
void AppendRecognised(const Evidence& ev, std::string* out) {
  if (ev.recognised.empty()) {
    out->append("nothing");
    return;
  }
  for (size_t i = 0; i < ev.recognised.size(); ++i) {
    if (i) out->append(", ");
    out->append(ev.recognised[i]->label);
  }
}

}  // namespace ethrec::free_text_internal
