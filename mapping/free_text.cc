#include "mapping/free_text.h"

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

namespace ethrec {
namespace {

constexpr double kBaseConfidence = 0.95;

template <typename T>
using Small = absl::InlinedVector<T, 8>;

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

template <typename C, typename T>
bool Has(const C& c, const T& v) {
  return std::find(c.begin(), c.end(), v) != c.end();
}

// `at` and `last` are the positions of the term's first and last words.
void AddTerm(const Term* t, int at, int last, bool heading_only, Evidence& ev) {
  if (heading_only) {
    if (t->kind == TermKind::kGroup && !Has(ev.heading_groups, *t->group)) ev.heading_groups.push_back(*t->group);
    ev.heading_mixed |= t->kind == TermKind::kMixed;
    ev.heading_other |= t->kind == TermKind::kOther;
  }
  if (heading_only && t->kind == TermKind::kHeritage && !t->modifier) {
    ev.context.push_back(t);  // "Indian - Tamil": Indian ranks Tamil's candidates
    return;
  }
  if (heading_only && t->kind != TermKind::kGroup && t->kind != TermKind::kMixed &&
      t->kind != TermKind::kOther) {
    return;
  }
  ev.at.emplace_back(t, at);
  if (t->kind == TermKind::kConjunction) ev.conjunctions_at.push_back(last);
  if (t->kind == TermKind::kOther && !ev.conjunctions_at.empty() &&
      ev.conjunctions_at.back() == at - 1) {
    ev.others_after_conjunction_at.push_back(last);
    return;
  }
  if (t->kind != TermKind::kFiller && t->kind != TermKind::kConjunction) ev.recognised.push_back(t);
  switch (t->kind) {
    case TermKind::kGroup: {
      bool seen = false;
      for (const Term* g : ev.groups) seen |= g->group == t->group;
      if (!seen) ev.groups.push_back(t);
      break;
    }
    case TermKind::kHeritage:
      if (t->modifier) {
        ev.modifiers.push_back(t);
      } else if (!Has(ev.heritages, t)) {
        ev.heritages.push_back(t);
      }
      break;
    case TermKind::kMixed: ev.mixed = true; break;
    case TermKind::kOther: ev.other = true; break;
    case TermKind::kConjunction: ev.conjunction = true; break;
    case TermKind::kNotStated: ev.not_stated = true; break;
    case TermKind::kNotKnown: ev.not_known = true; break;
    case TermKind::kUmbrella:
      if (ev.umbrella == nullptr) ev.umbrella = t;  // its words are kept by Gather
      break;
    case TermKind::kNotMixed: ev.not_mixed = true; break;
    case TermKind::kFiller: break;
  }
}

// Matches the words of `folded` against the lexicon, longest phrase first,
// after correcting spelling slips, and adds what it finds to `ev`. Word
// positions start at `first_position`.
void Gather(const Lexicon& lexicon, absl::string_view folded, int first_position, bool heading_only,
            Evidence& ev) {
  if (folded.empty()) return;
  Small<absl::string_view> words;
  for (size_t start = 0; start < folded.size();) {
    size_t end = folded.find(' ', start);
    if (end == absl::string_view::npos) end = folded.size();
    if (end > start) words.push_back(folded.substr(start, end - start));
    start = end + 1;
  }
  std::string corrected;
  int corrections_here = 0;
  int plurals = 0;
  Small<Lexicon::Span> single(words.size());  // each word looked up alone
  for (size_t k = 0; k < words.size(); ++k) {
    absl::string_view& w = words[k];
    single[k] = lexicon.Look(w);
    if (single[k].term != nullptr || single[k].prefix || lexicon.IsKnownWord(w)) continue;
    if (w.size() > 4 && w.back() == 's') {
      // A people in the plural ("Palauans", "Finns"): read as one of them.
      const Lexicon::Span singular = lexicon.Look(w.substr(0, w.size() - 1));
      if (singular.term != nullptr || singular.prefix) {
        w.remove_suffix(1);
        single[k] = singular;
        ++plurals;
        continue;
      }
    }
    absl::string_view near = lexicon.FindNearWord(w);
    if (near.empty()) continue;
    ev.notes.push_back(absl::StrCat("read '", w, "' as '", near, "'"));
    w = near;  // a view into the lexicon, which outlives this call
    single[k] = lexicon.Look(w);
    ++corrections_here;
  }
  ev.corrections += corrections_here;
  // Phrases are matched on the words joined by single spaces.
  absl::string_view text = folded;
  if (corrections_here + plurals > 0) {
    corrected = absl::StrJoin(words, " ");
    text = corrected;
  }
  // Word start offsets in `text`, plus one past the end.
  Small<size_t> starts;
  if (corrections_here + plurals == 0) {
    for (absl::string_view w : words) starts.push_back(static_cast<size_t>(w.data() - text.data()));
  } else {
    starts.push_back(0);
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == ' ') starts.push_back(i + 1);
    }
  }
  const size_t n = starts.size();
  starts.push_back(text.size() + 1);
  for (size_t i = 0; i < n;) {
    // The longest phrase starting at word i: extend while the words so far
    // begin some longer phrase.
    const Term* found = nullptr;
    size_t len = 0;
    for (size_t l = 1; i + l <= n; ++l) {
      const Lexicon::Span span =
          l == 1 ? single[i] : lexicon.Look(text.substr(starts[i], starts[i + l] - 1 - starts[i]));
      if (span.term != nullptr) {
        found = span.term;
        len = l;
      }
      if (!span.prefix) break;
    }
    if (found != nullptr) {
      if (found->kind == TermKind::kUmbrella && ev.umbrella_text.empty()) {
        ev.umbrella_text = std::string(text.substr(starts[i], starts[i + len] - 1 - starts[i]));
      }
      AddTerm(found, first_position + static_cast<int>(i),
              first_position + static_cast<int>(i + len - 1), heading_only, ev);
      i += len;
    } else {
      if (!heading_only) ++ev.unknown_words;
      ++i;
    }
  }
}

Small<int> PositionsOf(const Evidence& ev, const Term* t) {
  Small<int> out;
  for (const auto& [term, at] : ev.at) {
    if (term == t) out.push_back(at);
  }
  return out;
}

Component FromTerm(const Term* t, const Evidence& ev) {
  return Component{Small<Category>(t->categories.begin(), t->categories.end()), t->detail,
                   t->basis, false, PositionsOf(ev, t)};
}

// True when some occurrence of `a` and some of `b` have no "and" between them.
bool Adjoin(const Evidence& ev, const Small<int>& a, const Small<int>& b) {
  for (int x : a) {
    for (int y : b) {
      const int lo = std::min(x, y), hi = std::max(x, y);
      bool split = false;
      for (int c : ev.conjunctions_at) split |= c > lo && c < hi;
      if (!split) return true;
    }
  }
  return false;
}

using Components = absl::InlinedVector<Component, 4>;

template <typename Container>
Small<Category> Restrict(const Container& ranked, Group g) {
  Small<Category> out;
  for (Category c : ranked) {
    if (GroupOf(c) == g) out.push_back(c);
  }
  return out;
}

void AppendUnique(Small<Category>& out, Category c) {
  if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
}

// The Mixed categories for a person with all these heritages.
Small<Category> ComposeMixed(const Components& comps, bool* clear_first) {
  CategorySet black;
  std::array<bool, kNumGroups> seen{};
  for (const Component& c : comps) {
    seen[static_cast<int>(c.group())] = true;
    if (c.group() == Group::kBlack) {
      for (Category cat : Restrict(c.ranked, Group::kBlack)) black.Add(cat);
      if (c.group_only) black = black.Union(CategorySet::OfGroup(Group::kBlack));
    }
  }
  const int distinct_groups = static_cast<int>(std::count(seen.begin(), seen.end(), true));
  const bool white = seen[static_cast<int>(Group::kWhite)];
  const bool asian = seen[static_cast<int>(Group::kAsian)];
  *clear_first = true;
  if (distinct_groups == 2 && white && !black.empty()) {
    if (black == CategorySet::Of(Category::kBlackCaribbean)) return {Category::kMixedWhiteBlackCaribbean};
    if (black == CategorySet::Of(Category::kBlackAfrican)) return {Category::kMixedWhiteBlackAfrican};
    // The Black heritage is not named: ONS codes the write-in "Black and
    // White (unspecified)" (TS022) to Other Mixed, which comes first.
    *clear_first = false;
    return {Category::kMixedOther, Category::kMixedWhiteBlackCaribbean,
            Category::kMixedWhiteBlackAfrican};
  }
  if (distinct_groups == 2 && white && asian) return {Category::kMixedWhiteAsian};
  if (distinct_groups == 1 && !comps.empty() && comps.front().group() != Group::kMixed) {
    // Two heritages within one group ("Indian and Pakistani"): Other Mixed,
    // the group's "other", or either heritage, as the person chooses.
    Small<Category> out = {Category::kMixedOther, OtherCategoryOf(comps.front().group())};
    for (const Component& c : comps) AppendUnique(out, c.ranked.front());
    return out;
  }
  return {Category::kMixedOther};
}

// Mixed categories that include the heritage of `c` ("mixed asian").
Small<Category> MixedWith(const Component& c) {
  Small<Category> out;
  switch (c.group()) {
    case Group::kWhite:
      out = {Category::kMixedWhiteBlackCaribbean, Category::kMixedWhiteBlackAfrican,
             Category::kMixedWhiteAsian};
      break;
    case Group::kAsian: out = {Category::kMixedWhiteAsian}; break;
    case Group::kBlack:
      if (c.ranked == Small<Category>{Category::kBlackCaribbean}) {
        out = {Category::kMixedWhiteBlackCaribbean};
      } else if (c.ranked == Small<Category>{Category::kBlackAfrican}) {
        out = {Category::kMixedWhiteBlackAfrican};
      } else {
        out = {Category::kMixedWhiteBlackCaribbean, Category::kMixedWhiteBlackAfrican};
      }
      break;
    case Group::kMixed: return c.ranked;
    case Group::kOther: break;
  }
  // Only one heritage is named, so no specific Mixed category can be put
  // first: the word 'mixed' alone never invents the other heritage.
  out.insert(out.begin(), Category::kMixedOther);
  // NHS 'Mixed Asian' and 'Mixed Black' use the word for mixing within a group.
  if (c.group() != Group::kOther) AppendUnique(out, OtherCategoryOf(c.group()));
  return out;
}

std::string JoinDetails(const Components& comps, absl::string_view sep) {
  Small<absl::string_view> parts;
  for (const Component& c : comps) {
    if (!c.detail.empty() && std::find(parts.begin(), parts.end(), c.detail) == parts.end()) {
      parts.push_back(c.detail);
    }
  }
  return absl::StrJoin(parts, sep);
}

double BasisFactor(TermBasis b) {
  switch (b) {
    case TermBasis::kEthnicity: return 1.0;
    case TermBasis::kNationality: return 0.85;
    case TermBasis::kLanguage: return 0.7;
    case TermBasis::kReligion: return 0.6;
  }
  return 1.0;
}

// True when `original` joins two words by '/' ("White/Arab"); the list
// syntax "&/or", "and/or" joins alternatives and does not count.
bool JoinsBySlash(absl::string_view original) {
  for (size_t i = original.find('/'); i != absl::string_view::npos; i = original.find('/', i + 1)) {
    const absl::string_view before = original.substr(0, i);
    const bool and_or = (absl::EndsWith(before, "&") || absl::EndsWithIgnoreCase(before, "and")) &&
                        absl::StartsWithIgnoreCase(original.substr(i + 1), "or");
    if (!and_or) return true;
  }
  return false;
}

// True when the answer of `original` (after its last ':' or " - ") is one
// hyphenated compound ("Race: Afro-Caucasian", "Black-Arab"): two heritages
// joined, as '/' joins them.
bool IsHyphenCompound(absl::string_view original) {
  size_t start = 0;
  if (size_t colon = original.rfind(':'); colon != absl::string_view::npos) start = colon + 1;
  if (size_t dash = original.rfind(" - "); dash != absl::string_view::npos) start = std::max(start, dash + 3);
  const absl::string_view answer = absl::StripAsciiWhitespace(original.substr(start));
  const size_t hyphen = answer.find('-');
  return hyphen != absl::string_view::npos && hyphen > 0 && answer.find(' ') == absl::string_view::npos;
}

// The reading of the evidence.
struct Reading {
  Small<Category> ranked;
  bool clear_first = true;
  std::string detail;
  TermBasis basis = TermBasis::kEthnicity;  // the weakest basis relied on
  double factor = 1.0;                       // doubt from heuristics
  absl::string_view how;                     // one phrase for the explanation
};

Reading Combine(const Evidence& ev) {
  Reading r;
  // The commonest text is one heritage word and nothing else ("Polish").
  if (ev.heritages.size() == 1 && ev.modifiers.empty() && ev.groups.empty() && !ev.mixed &&
      !ev.other && ev.others_after_conjunction_at.empty()) {
    const Term* t = ev.heritages.front();
    r.ranked.assign(t->categories.begin(), t->categories.end());
    r.detail = t->detail;
    r.basis = t->basis;
    r.clear_first = !t->ambiguous;
    r.how = "single heritage";
    return r;
  }
  bool mixing = !ev.not_mixed && (ev.mixed || ev.conjunction || ev.groups.size() >= 2);
  std::optional<Category> implicit_other;  // set when only word order suggests mixing
  // A qualifier ("british") gives way to any heritage, and to a group word of
  // another group ("black british"); one that names a nation joins a mixed
  // heritage ("half Jamaican half English", "Caribbean and English").
  Small<const Term*> heritages = ev.heritages;
  bool dropped_modifier = false;
  // Only an ethnicity or nationality outranks a qualifier: in "English -
  // speaks Urdu", the language does not.
  bool strong_heritage = false;
  for (const Term* h : ev.heritages) {
    strong_heritage |= h->basis == TermBasis::kEthnicity || h->basis == TermBasis::kNationality;
  }
  for (const Term* m : ev.modifiers) {
    const Group mg = GroupOf(m->categories.front());
    bool group_clash = false;
    for (const Term* g : ev.groups) group_clash |= *g->group != mg;
    const bool joins_mixed =
        (ev.mixed || ev.conjunction) && !m->detail.empty() && !ev.heritages.empty();
    if (joins_mixed || (!strong_heritage && !group_clash)) {
      if (std::find(heritages.begin(), heritages.end(), m) == heritages.end()) heritages.push_back(m);
    } else {
      dropped_modifier = true;
    }
  }
  // In "any other Black, Black British or Caribbean background" the
  // category words list the group's categories: the answer is its "other".
  // One category word right after its group word is an answer ("other
  // Black African").
  auto is_category_word = [](const Term* h) {
    return h->detail.empty() && h->basis == TermBasis::kEthnicity && !h->modifier;
  };
  auto lists_group = [&](const Term* h) {
    if (!ev.other || !is_category_word(h)) return false;
    for (const Term* g : ev.groups) {
      if (Restrict(h->categories, *g->group).empty()) continue;
      int in_group = 0;
      for (const Term* other : heritages) {
        in_group += is_category_word(other) && !Restrict(other->categories, *g->group).empty();
      }
      if (in_group >= 2) return true;
      bool right_after = false;
      for (int gi : PositionsOf(ev, g)) {
        for (int hi : PositionsOf(ev, h)) right_after |= hi == gi + 1;
      }
      return !right_after;
    }
    return false;
  };
  Components comps;
  for (const Term* h : heritages) {
    if (lists_group(h)) continue;
    Component c = FromTerm(h, ev);
    // "White British": a qualifier with its own group's word is the ethnic group.
    if (h->modifier && !ev.groups.empty()) c.basis = TermBasis::kEthnicity;
    comps.push_back(std::move(c));
  }
  for (int at : ev.others_after_conjunction_at) {
    // "Chinese and any other ethnic group": the other heritage is unnamed
    // (unless a group word follows: "White and any other Asian background").
    bool group_follows = false;
    for (const Term* g : ev.groups) {
      for (int gi : PositionsOf(ev, g)) group_follows |= gi == at + 1;
    }
    if (group_follows) continue;
    comps.push_back(Component{{Category::kOtherAny}, "", TermBasis::kEthnicity, false, {}});
    mixing = true;
    break;
  }
  // Modifiers of one category say the same thing once ("english british").
  comps.erase(std::unique(comps.begin(), comps.end(),
                          [](const Component& a, const Component& b) {
                            return a.ranked == b.ranked && a.detail.empty() == b.detail.empty();
                          }),
              comps.end());

  // A group word narrows the heritages that can belong to its group.
  for (const Term* g : ev.groups) {
    bool merged = false;
    for (Component& c : comps) {
      if (c.group_only || !Adjoin(ev, PositionsOf(ev, g), c.at)) continue;
      Small<Category> in_group = Restrict(c.ranked, *g->group);
      if (!in_group.empty()) {
        c.ranked = std::move(in_group);
        merged = true;
      }
    }
    if (merged) continue;
    if (ev.other && ev.groups.size() == 1 && !ev.mixed && comps.empty()) {
      comps.push_back(Component{{OtherCategoryOf(*g->group)}, "", TermBasis::kEthnicity, false, {}});
      r.how = "any other background of the group";
      continue;
    }
    bool only_nationalities = !comps.empty();
    for (const Component& c : comps) only_nationalities &= c.basis != TermBasis::kEthnicity;
    if (!mixing && only_nationalities) {
      // "white south african", "black french": the group is the person's;
      // the nationality is detail within the group's "other" category.
      absl::string_view detail;
      for (const Component& c : comps) {
        if (detail.empty()) detail = c.detail;
      }
      comps.clear();
      comps.push_back(
          Component{{OtherCategoryOf(*g->group)}, detail, TermBasis::kEthnicity, false, {}});
      r.how = "group word with a nationality of another group";
      continue;
    }
    // A group word beside an ethnicity of another group ("white/arab"): two
    // heritages, though "Caribbean Asian" may also be Asian of Caribbean birth.
    if (!comps.empty() && !mixing) {
      mixing = true;
      implicit_other = OtherCategoryOf(*g->group);
    }
    Small<Category> ranked(g->categories.begin(), g->categories.end());
    if (ranked.empty()) {
      for (Category c : CategorySet::OfGroup(*g->group).ToVector()) ranked.push_back(c);
    }
    Component c{ranked, "", TermBasis::kEthnicity, true, PositionsOf(ev, g)};
    if (dropped_modifier && ev.groups.size() == 1) {
      // "Black British", "Asian Welsh": the group's own 'other' answer first.
      Small<Category> boosted = {OtherCategoryOf(*g->group)};
      for (Category cat : ranked) AppendUnique(boosted, cat);
      c.ranked = boosted;
      c.group_only = false;
    }
    comps.push_back(std::move(c));
  }

  if (comps.empty()) {
    if (ev.mixed) {
      if (ev.other) return Reading{{Category::kMixedOther}, true, "", TermBasis::kEthnicity, 1.0, "other mixed"};
      return Reading{{Category::kMixedOther, Category::kMixedWhiteBlackCaribbean,
                      Category::kMixedWhiteBlackAfrican, Category::kMixedWhiteAsian},
                     false, "", TermBasis::kEthnicity, 1.0, "mixed, heritages not named"};
    }
    return Reading{{Category::kOtherAny}, true, "", TermBasis::kEthnicity, 1.0, "any other ethnic group"};
  }

  for (const Component& c : comps) {
    if (BasisFactor(c.basis) < BasisFactor(r.basis)) r.basis = c.basis;
  }
  if (comps.size() == 1) {
    const Component& c = comps.front();
    if (ev.mixed && c.group() != Group::kMixed) {
      r.ranked = MixedWith(c);
      r.clear_first = false;
      r.how = "mixed, one heritage named";
      // ("Other ethnic, mixed White origin" names a mixed person, one of
      // whose heritages is White: Other Mixed stays first.)
      if (c.group_only && c.group() != Group::kOther && !ev.other) {
        // "Mixed White", "Mixed Asian", "Mixed Black" name one group only:
        // mixing within it, as the NHS 2001 extended codes and TS022 ("White:
        // Mixed White", "Asian: Mixed South Asian") code them, comes first.
        Small<Category> ranked = {OtherCategoryOf(c.group())};
        for (Category cat : r.ranked) AppendUnique(ranked, cat);
        r.ranked = std::move(ranked);
        r.how = "mixed, one group named: mixing within the group";
      }
    } else {
      r.ranked = c.ranked;
      r.clear_first = !c.group_only;
      if (r.how.empty()) r.how = c.group_only ? "group named, category not" : "single heritage";
    }
    r.detail = std::string(c.detail);
    return r;
  }

  // Several heritages.
  if (mixing) {
    r.ranked = ComposeMixed(comps, &r.clear_first);
    r.detail = JoinDetails(comps, " and ");
    r.how = "mixed heritage";
    // Looked for only here: most texts never get this far.
    if (implicit_other && ev.not_mixed) {
      r.ranked = {*implicit_other};
      r.clear_first = true;
      r.how = "a group word beside a heritage of another group, not of mixed origin: the group";
    } else if (implicit_other && (JoinsBySlash(ev.original) || IsHyphenCompound(ev.original))) {
      AppendUnique(r.ranked, *implicit_other);
      r.factor = 0.8;
      r.how = "a group word and a heritage of another group joined by '/' or '-', read as mixed";
    } else if (implicit_other) {
      // "Black Arab", "Caribbean Asian": the group word names the person's
      // group and the heritage its origin, as clinical terms use them (a
      // mixed heritage says "mixed", "and" or '/'); mixed stays a candidate.
      Small<Category> ranked = {*implicit_other};
      for (Category c : r.ranked) AppendUnique(ranked, c);
      r.ranked = std::move(ranked);
      r.clear_first = true;
      r.factor = 0.8;
      r.how = "a group word beside a heritage of another group: the group, of that origin";
    }
    return r;
  }
  if (ev.not_mixed) {
    // A list of alternatives, none mixed ("N African Arab/Iranian (NMO)"):
    // within one group, any of them is the group's "other" category.
    // Alternatives that agree ("Caribbean I. &/or W.I.") are their answer.
    bool one_group = true, agree = true;
    for (const Component& c : comps) {
      one_group &= c.group() == comps.front().group();
      agree &= c.ranked.front() == comps.front().ranked.front();
    }
    if (one_group && !agree) r.ranked.push_back(OtherCategoryOf(comps.front().group()));
    for (const Component& c : comps) AppendUnique(r.ranked, c.ranked.front());
    r.clear_first = one_group;
    r.detail = JoinDetails(comps, ", ");
    r.how = !one_group ? "alternatives, not of mixed origin"
            : agree    ? "alternatives that agree, not of mixed origin"
                       : "alternatives within one group, not of mixed origin: the group's other";
    return r;
  }
  // An ethnicity outranks nationalities, languages and religions beside it
  // ("Kurdish Iraqi", "Indian Kenyan").
  std::vector<const Component*> ethnic;
  for (const Component& c : comps) {
    if (c.basis == TermBasis::kEthnicity) ethnic.push_back(&c);
  }
  if (ethnic.size() == 1) {
    r.ranked = ethnic.front()->ranked;
    r.basis = TermBasis::kEthnicity;
    Components ordered;
    ordered.push_back(*ethnic.front());
    for (const Component& c : comps) {
      if (&c != ethnic.front()) ordered.push_back(c);
    }
    r.detail = JoinDetails(ordered, ", ");
    r.how = "ethnicity beside a nationality, language or religion";
    r.factor = 0.9;
    return r;
  }
  // Heritages of one group: what they share, or either of them ("Gypsy Roma").
  bool one_group = true;
  for (const Component& c : comps) one_group &= c.group() == comps.front().group();
  if (one_group) {
    Small<Category> shared = comps.front().ranked;
    for (size_t i = 1; i < comps.size(); ++i) {
      Small<Category> next;
      for (Category c : shared) {
        if (std::find(comps[i].ranked.begin(), comps[i].ranked.end(), c) != comps[i].ranked.end()) {
          next.push_back(c);
        }
      }
      shared = std::move(next);
    }
    if (!shared.empty()) {
      r.ranked = shared;
      r.how = "heritages that agree";
    } else {
      for (const Component& c : comps) AppendUnique(r.ranked, c.ranked.front());
      r.clear_first = false;
      r.how = "either of several heritages";
    }
    r.detail = JoinDetails(comps, ", ");
    return r;
  }
  // Heritages of different groups with nothing to say how they combine: most
  // likely a mixed heritage, but each heritage alone stays a candidate.
  r.ranked = ComposeMixed(comps, &r.clear_first);
  for (const Component& c : comps) AppendUnique(r.ranked, c.ranked.front());
  r.detail = JoinDetails(comps, " and ");
  r.factor = 0.7;
  r.how = "heritages of different groups, read as mixed";
  return r;
}

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

// Removes, in place, each run of classification words around "census" (or
// the clinical terms' "cens") or "classification" in folded text, within its
// label segment (never across a '|'). "asian | bangladeshi | england and
// wales 2011 census" becomes "asian | bangladeshi |". Returns the census
// year the removed words name (2001, 2011, ...), or 0.
int StripClassificationQualifiers(std::string* folded) {
  // One pass over the text's 'c's: this runs on every text, and few name a
  // census.
  bool named = false;
  for (size_t c = folded->find('c'); c != std::string::npos && !named; c = folded->find('c', c + 1)) {
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
  // One pass over the text's 'x's (few texts have any), as for "census".
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

// Capitalises each word of a folded phrase: "sri lankan" -> "Sri Lankan".
std::string TitleCase(absl::string_view folded) {
  std::string out(folded);
  for (size_t i = 0; i < out.size(); ++i) {
    if (i == 0 || out[i - 1] == ' ') out[i] = absl::ascii_toupper(static_cast<unsigned char>(out[i]));
  }
  return out;
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

// True when a word of `segment` is a group word, "mixed" or "other": a form
// label's heading ("Black or Black British"), not part of the answer.
bool NamesGroupOrMarker(const Lexicon& lexicon, absl::string_view segment) {
  for (absl::string_view word : absl::StrSplit(segment, ' ')) {
    const Term* t = lexicon.Find(word);
    if (t != nullptr &&
        (t->kind == TermKind::kGroup || t->kind == TermKind::kMixed || t->kind == TermKind::kOther)) {
      return true;
    }
  }
  return false;
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

}  // namespace

absl::StatusOr<Normalized> FreeTextClassifier::Classify(absl::string_view text) const {
  // Every return returns `result`, so the compiler builds it in the
  // caller's slot (Normalized is large to move).
  absl::StatusOr<Normalized> result(absl::in_place);
  if (text.size() > kMaxFreeTextBytes) {
    result = absl::InvalidArgumentError(absl::StrCat("text is ", text.size(), " bytes long; the limit is ",
                                                     kMaxFreeTextBytes));
    return result;
  }
  // The folded text lives in a per-thread buffer: this is a hot path.
  thread_local std::string folded_buffer;
  if (absl::Status s = FoldTextMarkingLabels(text, &folded_buffer); !s.ok()) {
    result = std::move(s);
    return result;
  }
  const int census_year = StripClassificationQualifiers(&folded_buffer);
  thread_local std::string excluded;
  SplitExclusion(&folded_buffer, &excluded);
  const std::string* const folded = &folded_buffer;

  // A form label reads "heading | answer": peel answers from the right until
  // one has ethnic meaning ("- 2011 census" has none); the heading before it
  // adds only its group, "mixed" and "other" words. Heading positions come
  // before every answer position.
  Small<absl::string_view> segments;
  {
    absl::string_view rest = *folded;
    for (size_t bar; (bar = rest.find('|')) != absl::string_view::npos; rest.remove_prefix(bar + 1)) {
      segments.push_back(absl::StripAsciiWhitespace(rest.substr(0, bar)));
    }
    segments.push_back(absl::StripAsciiWhitespace(rest));
  }
  Evidence ev;
  ev.original = text;
  size_t answer = segments.size() - 1;
  int dropped_unknown = 0;
  bool dropped_not_stated = false, dropped_not_known = false;
  Small<const Term*> dropped_terms;  // non-answers in dropped segments, for the explanation
  for (; answer > 0; --answer) {
    Gather(*lexicon_, segments[answer], 0, /*heading_only=*/false, ev);
    if (ev.HasEthnicContent()) break;
    dropped_unknown += ev.unknown_words;
    dropped_not_stated |= ev.not_stated;  // "Ethnicity: Not stated"
    dropped_not_known |= ev.not_known;
    for (const Term* t : ev.recognised) {
      if (t->kind == TermKind::kNotStated || t->kind == TermKind::kNotKnown) dropped_terms.push_back(t);
    }
    ev = Evidence();
    ev.original = text;
  }
  // It is a heading only if it names a group, "mixed" or "other"
  // ("Black or Black British - Caribbean"); otherwise ("Traveller - Irish")
  // every segment is part of the answer.
  if (answer > 0) {
    bool heading = false;
    for (size_t h = 0; h < answer && !heading; ++h) heading = NamesGroupOrMarker(*lexicon_, segments[h]);
    for (size_t h = 0; h < answer; ++h) {
      Gather(*lexicon_, segments[h], -100000 + 1000 * static_cast<int>(h), /*heading_only=*/heading, ev);
    }
  } else {
    Gather(*lexicon_, segments[0], 0, /*heading_only=*/false, ev);
  }
  ev.unknown_words += dropped_unknown;
  ev.not_stated |= dropped_not_stated;
  ev.not_known |= dropped_not_known;
  ev.recognised.insert(ev.recognised.end(), dropped_terms.begin(), dropped_terms.end());

  Normalized& out = *result;
  out.basis = RecordingBasis::kUnspecified;
  out.decided_by_text = true;
  out.notes = std::move(ev.notes);
  out.explanation.reserve(224);
  out.explanation.append("free text (lexicon ").append(lexicon_->versions()).append("): ");

  if (!ev.HasEthnicContent()) {
    if (ev.not_stated || ev.not_known) {
      out.outcome = ev.not_stated ? Outcome::kNotStated : Outcome::kNotKnown;
      out.relationship = Relationship::kEquivalent;
      out.explanation.append("recognised ");
      AppendRecognised(ev, &out.explanation);
      absl::StrAppend(&out.explanation, ": a non-answer, ", OutcomeName(out.outcome));
      return result;
    }
    out.outcome = Outcome::kUnrecognised;
    out.relationship = Relationship::kNotRelatedTo;
    if (folded->find_first_not_of(" |") == std::string::npos) {
      out.explanation.append("the text has no letters or digits");
    } else if (ev.umbrella != nullptr) {
      absl::StrAppend(&out.explanation, "'", ev.umbrella_text, "' names no ethnic group; not guessed");
    } else {
      out.explanation.append("no ethnic group recognised; not guessed");
    }
    return result;
  }
  // A nationality alone ("British", "UK citizen") names no ethnic group:
  // people of every group hold it.
  const bool nationality_only = ev.recognised.size() == 1 && ev.modifiers.size() == 1 &&
                                ev.modifiers.front()->basis == TermBasis::kNationality &&
                                ev.others_after_conjunction_at.empty();
  if (nationality_only) {
    out.outcome = Outcome::kUnrecognised;
    out.relationship = Relationship::kNotRelatedTo;
    out.explanation.append("recognised ");
    AppendRecognised(ev, &out.explanation);
    out.explanation.append(": a nationality, which names no ethnic group; not guessed");
    return result;
  }
  if (ev.not_stated || ev.not_known) {
    out.notes.push_back("the text also contains a non-answer; the ethnic group it names was used");
  }

  Reading reading = Combine(ev);
  const std::optional<Group> section = SectionOf(ev);
  if (section) ApplySection(*section, ev, reading);
  if (!excluded.empty()) ApplyExclusion(*lexicon_, excluded, reading);
  if (census_year == 2001 && !section) Apply2001Classification(ev, reading);
  // A section has already ranked its category first; otherwise the heading's
  // heritages rank the answer's candidates ("Indian - Tamil").
  if (!section && !ev.context.empty() && reading.ranked.size() > 1) {
    std::stable_partition(reading.ranked.begin(), reading.ranked.end(), [&](Category c) {
      for (const Term* t : ev.context) {
        if (std::find(t->categories.begin(), t->categories.end(), c) != t->categories.end()) return true;
      }
      return false;
    });
    reading.clear_first = true;
  }
  double base = kBaseConfidence * BasisFactor(reading.basis) * reading.factor;
  for (int i = 0; i < ev.corrections; ++i) base *= 0.85;
  if (ev.unknown_words > 0) {
    base *= 0.8;
    out.notes.push_back(absl::StrCat(ev.unknown_words, " word(s) not recognised"));
  }
  const size_t n = reading.ranked.size();
  for (size_t i = 0; i < n; ++i) {
    double confidence;
    if (n == 1) {
      confidence = base;
    } else if (!reading.clear_first) {
      confidence = base / static_cast<double>(n);
    } else {
      confidence = i == 0 ? base * 0.6 : base * 0.4 / static_cast<double>(n - 1);
    }
    out.categories.push_back(RankedCategory{reading.ranked[i], confidence});
    out.category_set.Add(reading.ranked[i]);
  }
  out.outcome = Outcome::kCategories;
  out.ambiguous = n > 1 && !reading.clear_first;
  out.detail = reading.detail;
  if (n > 1) {
    out.relationship = Relationship::kSourceIsBroaderThanTarget;
  } else if (reading.basis != TermBasis::kEthnicity) {
    out.relationship = Relationship::kRelatedTo;
  } else if (!out.detail.empty()) {
    out.relationship = Relationship::kSourceIsNarrowerThanTarget;
  } else {
    out.relationship = Relationship::kEquivalent;
  }
  out.explanation.append("recognised ");
  AppendRecognised(ev, &out.explanation);
  out.explanation.append("; read as ").append(reading.how.data(), reading.how.size());
  if (reading.basis != TermBasis::kEthnicity) {
    const absl::string_view basis = TermBasisName(reading.basis);
    out.explanation.append(" (a ").append(basis.data(), basis.size()).append(", not an ethnic group)");
  }
  return result;
}

}  // namespace ethrec
