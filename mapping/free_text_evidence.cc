// The free-text reader's evidence: the lexicon's terms found in a text
// (Gather), and the reading made of them (Combine).
#include "mapping/internal/free_text_reading.h"

#include <algorithm>
#include <cstring>

#include "absl/container/fixed_array.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/types/span.h"
#include "mapping/text_fold.h"

namespace ethrec::free_text_internal {
namespace {

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
  if (distinct_groups == 1 && white) {
    // Heritages within White ("Mixed Irish and other White", "English and
    // Polish"): TS022 codes them under White ("White: Mixed Irish", "White:
    // European Mixed"), and no Mixed category but Other Mixed could hold
    // them.
    *clear_first = false;
    Small<Category> out = {Category::kWhiteOther, Category::kMixedOther};
    for (const Component& c : comps) AppendUnique(out, c.ranked.front());
    return out;
  }
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

}  // namespace

// Matches the words of `folded` against the lexicon, longest phrase first,
// after correcting spelling slips, and adds what it finds to `ev`. Word
// positions start at `first_position`.
// The heritage term for a people's noun, singular or plural, whose adjective
// is the noun plus "-ish" ("finn", "finns" -> "finnish"; "danes" ->
// "danish"), or nullptr.
const Term* PeopleAdjective(const Lexicon& lexicon, absl::string_view word) {
  if (word.size() > 4 && word.back() == 's') word.remove_suffix(1);
  if (word.size() < 4) return nullptr;
  // Built in a stack buffer: this runs for every word the lexicon lacks.
  char buf[64];
  if (word.size() + 3 > sizeof(buf)) return nullptr;
  for (const size_t stem : {word.size(), word.back() == 'e' ? word.size() - 1 : size_t{0}}) {
    if (stem == 0) continue;
    std::memcpy(buf, word.data(), stem);
    std::memcpy(buf + stem, "ish", 3);
    const absl::string_view form(buf, stem + 3);
    const Term* t = lexicon.Look(form).term;
    if (t != nullptr && t->kind == TermKind::kHeritage && t->phrase == form) return t;
  }
  return nullptr;
}

void Gather(const Lexicon& lexicon, absl::string_view folded, int first_position, bool heading_only,
            Evidence& ev) {
  if (folded.empty()) return;
  // Fixed arrays, not vectors: growing one a word at a time costs more than
  // the words' lookups. Words are separated by spaces, so there are at most
  // (size + 1) / 2 of them.
  const size_t most = (folded.size() + 1) / 2;
  absl::FixedArray<absl::string_view, 16> word_array(most);
  size_t count = 0;
  ForEachWord(folded, [&](absl::string_view w) { word_array[count++] = w; });
  const absl::Span<absl::string_view> words(word_array.data(), count);
  std::string corrected;
  int corrections_here = 0;
  int plurals = 0;
  absl::FixedArray<Lexicon::Span, 16> single(count);  // each word looked up alone
  for (size_t k = 0; k < words.size(); ++k) {
    absl::string_view& w = words[k];
    single[k] = lexicon.Look(w);
    if (single[k].term != nullptr || single[k].prefix || single[k].known_word) continue;
    if (w.size() > 4 && w.back() == 's') {
      // A people in the plural ("Palauans", "Cook Islanders"): read as one
      // of them. The singular may end a phrase begun by the word before.
      const absl::string_view form = w.substr(0, w.size() - 1);
      const Lexicon::Span singular = lexicon.Look(form);
      if (singular.term != nullptr || singular.prefix ||
          (k > 0 && lexicon.Look(absl::StrCat(words[k - 1], " ", form)).term != nullptr)) {
        w = form;
        single[k] = singular;
        ++plurals;
        continue;
      }
    }
    // A people's noun whose adjective ends in "-ish" ("Finn", "Danes",
    // "Turks", "Kurd"): regular English derives the adjective from the noun,
    // and the lexicon knows the adjective.
    if (const Term* adjective = PeopleAdjective(lexicon, w)) {
      w = adjective->phrase;  // a view into the lexicon, which outlives this call
      single[k] = lexicon.Look(w);
      ++plurals;
      continue;
    }
    absl::string_view near = lexicon.FindNearWord(w);
    if (near.empty()) near = lexicon.FindNearPeople(w);
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
  absl::FixedArray<size_t, 17> starts(count + 1);
  if (corrections_here + plurals == 0) {
    for (size_t k = 0; k < count; ++k) starts[k] = static_cast<size_t>(words[k].data() - text.data());
  } else {
    // The corrected text joins the words by single spaces.
    for (size_t k = 0, at = 0; k < count; at += words[k].size() + 1, ++k) starts[k] = at;
  }
  const size_t n = count;
  starts[n] = text.size() + 1;
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
      if (found->kind == TermKind::kFiller && !heading_only) {
        // "or", "and/or" join alternatives in an answer ("Mauritian or
        // Seychellois", "South Asian and/or Australian aborigine"); in a
        // heading ("Black or Black British") they list the section's names.
        const absl::string_view said = text.substr(starts[i], starts[i + len] - 1 - starts[i]);
        if (said == "or" || said == "and or") ev.said_or = true;
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
      // "other African country", "other African countries (NMO)": "other"
      // right before a category word names the rest of that category.
      // The "other" term may be of several words ("any other"): the category
      // word is the next term after it, within three words.
      for (const auto& [term, at] : ev.at) {
        if (term->kind != TermKind::kOther) continue;
        for (int hi : PositionsOf(ev, h)) {
          bool between = false;
          for (const auto& [t2, at2] : ev.at) between |= at2 > at && at2 < hi;
          right_after |= hi > at && hi <= at + 3 && !between;
        }
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

  // Every return returns `r`, so that it is built in the caller's slot.
  if (comps.empty()) {
    if (ev.mixed && ev.other) {
      r = Reading{{Category::kMixedOther}, true, "", TermBasis::kEthnicity, 1.0, "other mixed"};
    } else if (ev.mixed) {
      r = Reading{{Category::kMixedOther, Category::kMixedWhiteBlackCaribbean, Category::kMixedWhiteBlackAfrican,
                   Category::kMixedWhiteAsian},
                  false, "", TermBasis::kEthnicity, 1.0, "mixed, heritages not named"};
    } else {
      r = Reading{{Category::kOtherAny}, true, "", TermBasis::kEthnicity, 1.0, "any other ethnic group"};
    }
    return r;
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
      r.said_mixed = true;
      // ("Other ethnic, mixed White origin" names a mixed person, one of
      // whose heritages is White: Other Mixed stays first.)
      if (c.group_only && c.group() == Group::kWhite && !ev.other) {
        // "Mixed White" names White heritages only: mixing within White, as
        // TS022 ("White: Mixed White", "White: Mixed Irish") and the NHS 2001
        // extended codes (C, "Other mixed White") code it, comes first. Every
        // other Mixed category needs a heritage outside White, so "Mixed
        // White" has no other reading within White. "Mixed Asian" and "Mixed
        // Black" stay Other Mixed first: expert coders of GP terms (the
        // OpenSAFELY and Read v2 lists) code them so, and a heritage of
        // another group may be meant; mixing within the group follows.
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
    r.said_mixed = !implicit_other;
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

double BasisFactor(TermBasis b) {
  switch (b) {
    case TermBasis::kEthnicity: return 1.0;
    case TermBasis::kNationality: return 0.85;
    case TermBasis::kLanguage: return 0.7;
    case TermBasis::kReligion: return 0.6;
  }
  return 1.0;
}

}  // namespace ethrec::free_text_internal
