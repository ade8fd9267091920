#include "mapping/normalizer.h"

#include <algorithm>
#include <tuple>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "mapping/status_field.h"

namespace ethrec {
namespace {

// How `a` (with detail a_detail) relates to `b` (with b_detail), a as source.
Relationship CompareSets(CategorySet a, absl::string_view a_detail, CategorySet b,
                         absl::string_view b_detail) {
  if (a == b) {
    if (absl::EqualsIgnoreCase(a_detail, b_detail)) return Relationship::kEquivalent;
    if (b_detail.empty()) return Relationship::kSourceIsNarrowerThanTarget;
    if (a_detail.empty()) return Relationship::kSourceIsBroaderThanTarget;
    return Relationship::kRelatedTo;
  }
  if (a.IsSubsetOf(b)) return Relationship::kSourceIsNarrowerThanTarget;
  if (b.IsSubsetOf(a)) return Relationship::kSourceIsBroaderThanTarget;
  return Relationship::kRelatedTo;
}

// Codes that may be offered for data entry.
bool Offerable(const Concept& c) {
  return c.selectable && c.status != "retired" && c.status != "derived";
}

// Sort key for choosing among codes: lower is better.
auto ChoiceKey(const Concept& c, absl::string_view wanted_detail, int order) {
  const bool detail_match =
      !wanted_detail.empty() && absl::EqualsIgnoreCase(c.mapping.detail, wanted_detail);
  return std::make_tuple(detail_match ? 0 : 1, c.parent.empty() ? 0 : 1, c.mapping.set.size(),
                         RelationshipRank(c.mapping.relationship), order);
}

// The best offerable concept of `system` whose set contains `needed` and
// whose detail, if any, is `detail`; nullptr when none.
const Concept* ChooseCode(const CodeSystem& system, Outcome outcome, CategorySet needed,
                          absl::string_view detail) {
  const Concept* best = nullptr;
  decltype(ChoiceKey(system.concepts.front(), "", 0)) best_key;
  for (size_t i = 0; i < system.concepts.size(); ++i) {
    const Concept& c = system.concepts[i];
    if (!Offerable(c) || c.mapping.outcome != outcome) continue;
    if (outcome == Outcome::kCategories) {
      if (!needed.IsSubsetOf(c.mapping.set)) continue;
      // A code that asserts a detail is right only for that detail.
      if (!c.mapping.detail.empty() && !absl::EqualsIgnoreCase(c.mapping.detail, detail)) continue;
    }
    auto key = ChoiceKey(c, detail, static_cast<int>(i));
    if (best == nullptr || key < best_key) {
      best = &c;
      best_key = key;
    }
  }
  return best;
}

CodeSuggestion MakeSuggestion(const CodeSystem& system, const Concept& c) {
  CodeSuggestion s;
  s.system = system.id;
  s.system_version = system.version;
  s.code = c.code;
  s.display = c.display;
  s.category_set = c.mapping.set;
  return s;
}

std::string DescribeValue(const Taxonomy& taxonomy, const TaxonomyValue& v) {
  if (v.outcome != Outcome::kCategories) return std::string(OutcomeName(v.outcome));
  return absl::StrCat(CategoryName(v.category), v.detail.empty() ? "" : absl::StrCat(" (", v.detail, ")"));
}

absl::Status RequireSelfDefined(const CodeSystem& system, absl::string_view role) {
  if (system.basis != RecordingBasis::kObserved) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "code system ", system.id, " records an observer's perception of appearance, not how a "
      "person defines their ethnicity; it cannot be the ", role, " of a translation"));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Normalizer>> Normalizer::Create(const LoadOptions& options,
                                                               const NormalizerOptions& normalizer_options) {
  absl::StatusOr<std::unique_ptr<const Registry>> registry = Registry::Load(options);
  if (!registry.ok()) return registry.status();
  return std::make_unique<Normalizer>(*std::move(registry), normalizer_options);
}

Normalizer::Normalizer(std::unique_ptr<const Registry> registry, const NormalizerOptions& options)
    : registry_(std::move(registry)), classifier_(&registry_->lexicon(), &known_terms_) {
  AddCodeDescriptions(options.code_description_systems);
  for (const CodeSystem* system : registry_->systems()) {
    for (const Concept& c : system->concepts) {
      if (c.code.size() < 3 || c.code.size() > 8 || !std::all_of(c.code.begin(), c.code.end(), absl::ascii_isalnum)) {
        continue;
      }
      auto [it, inserted] = typed_codes_.try_emplace(absl::AsciiStrToUpper(c.code), TypedCode{system, &c});
      if (!inserted && it->second.system != system) it->second = TypedCode{};  // in several systems: ambiguous
    }
  }
}

void Normalizer::AddCodeDescriptions(const std::vector<std::string>& systems) {
  // Two answers are the same when their maps agree on everything a caller reads.
  auto same = [](const Normalized& a, const Normalized& b) {
    return a.outcome == b.outcome && a.category_set == b.category_set && a.relationship == b.relationship &&
           a.detail == b.detail && a.categories.size() == b.categories.size() &&
           std::equal(a.categories.begin(), a.categories.end(), b.categories.begin(),
                      [](const RankedCategory& x, const RankedCategory& y) { return x.category == y.category; });
  };
  absl::flat_hash_set<std::string> conflicting;
  for (const CodeSystem* system : registry_->systems()) {
    // An observer's code says how someone looked, not what the words mean.
    if (system->basis == RecordingBasis::kObserved ||
        std::find(systems.begin(), systems.end(), system->id) == systems.end()) {
      continue;
    }
    for (const Concept& c : system->concepts) {
      if (c.display.empty() || c.mapping.outcome == Outcome::kUnrecognised) continue;
      absl::StatusOr<std::string> key = KnownTermKey(c.display);
      if (!key.ok() || key->empty() || conflicting.contains(*key)) continue;
      Normalized answer = FromConcept(*system, c);
      answer.decided_by_text = true;
      answer.explanation = absl::StrCat("free text that is the description of ", answer.explanation);
      answer.notes.push_back(absl::StrCat("the text is the description of ", system->id, " code ", c.code,
                                          "; read as that code's map reads it"));
      // The answer is the text's, not a code's: the request's code fields stay empty.
      answer.basis = RecordingBasis::kUnspecified;
      answer.system.clear();
      answer.system_version.clear();
      answer.code.clear();
      answer.display.clear();
      auto [it, inserted] = known_terms_.try_emplace(*key, std::move(answer));
      if (!inserted && !same(it->second, answer)) {
        known_terms_.erase(it);  // mapped apart by two codes: the reader decides
        conflicting.insert(*key);
      }
    }
  }
}

Normalized Normalizer::FromConcept(const CodeSystem& system, const Concept& c) const {
  const MapEntry& m = c.mapping;
  Normalized out;
  out.outcome = m.outcome;
  out.category_set = m.set;
  out.relationship = m.relationship;
  out.detail = m.detail;
  out.basis = system.basis;
  out.system = system.id;
  out.system_version = system.version;
  out.code = c.code;
  out.display = c.display;
  out.map_id = system.map_id;
  out.map_version = system.map_version;
  const size_t n = m.ranked.size();
  const double scale = m.relationship == Relationship::kRelatedTo ? 0.5 : 1.0;
  for (size_t i = 0; i < n; ++i) {
    const double confidence = n == 1 ? 1.0 : (i == 0 ? 0.6 : 0.4 / static_cast<double>(n - 1));
    out.categories.push_back(RankedCategory{m.ranked[i], confidence * scale});
  }
  out.explanation = absl::StrCat(system.id, " code ", c.code, " '", c.display, "' (version ",
                                 system.version, ") via map ", system.map_id, " version ",
                                 system.map_version, ": ", m.reason);
  return out;
}

absl::StatusOr<Normalized> Normalizer::Normalize(const NormalizeRequest& request) const {
  // Most free-text requests have no code at all: that is decided without a scan.
  const bool has_code = !request.code.empty() && !absl::StripAsciiWhitespace(request.code).empty();
  const bool has_text = !request.text.empty();
  if (!has_code && !has_text) {
    return WithField(absl::InvalidArgumentError("give a code (with its system), a text, or both"),
                     "code");
  }
  if (has_code && request.system.empty()) {
    return WithField(absl::InvalidArgumentError(absl::StrCat(
                         "code \"", request.code, "\" was given without its code system")),
                     "system");
  }
  if (!has_code) return NormalizeText(request);

  absl::StatusOr<Registry::CodeEntry> entry = registry_->Lookup(request.system, request.code);
  if (entry.ok()) {
    Normalized out = FromConcept(*entry->system, *entry->concept_);
    if (has_text) NoteTextAgainstCode(request.text, &out);
    return out;
  }
  // An unknown system is an error whatever the text; an unknown code lets
  // the text decide, and the answer says so.
  if (FieldOf(entry.status()) != "code" || !has_text) return entry.status();
  absl::StatusOr<Normalized> read = NormalizeText(request);
  if (!read.ok()) return read.status();
  if (read->outcome == Outcome::kUnrecognised) {
    return WithField(absl::NotFoundError(absl::StrCat(entry.status().message(),
                                                      ", and the text names no ethnic group")),
                     "code");
  }
  read->notes.insert(read->notes.begin(), absl::StrCat(entry.status().message(), "; the text decided"));
  return read;
}

absl::StatusOr<Normalized> Normalizer::NormalizeText(const NormalizeRequest& request) const {
  // One named result returned everywhere, so it is built in place (the
  // answer is large to move).
  absl::StatusOr<Normalized> read = classifier_.Classify(request.text);
  if (!read.ok()) {
    read = WithField(read.status(), "text");
  } else if (read->outcome == Outcome::kUnrecognised && request.system.empty()) {
    // No words were recognised: is the text a code typed as text ("BCRB")?
    const absl::string_view token = absl::StripAsciiWhitespace(request.text);
    if (token.size() >= 3 && token.size() <= 8) {
      auto it = typed_codes_.find(absl::AsciiStrToUpper(token));
      if (it != typed_codes_.end() && it->second.system != nullptr) {
        const CodeSystem& system = *it->second.system;
        const Concept& c = *it->second.code;
        read = FromConcept(system, c);
        read->decided_by_text = true;
        read->explanation = absl::StrCat("free text that is ", system.id, " code ", c.code, ": ", read->explanation);
        read->notes.push_back(absl::StrCat("the text is a code of ", system.id, ", not words; read as that code"));
      }
    }
  } else if (!request.system.empty()) {
    absl::StatusOr<const CodeSystem*> system = registry_->FindSystem(request.system);
    if (!system.ok()) {
      read = WithField(system.status(), "system");
    } else {
      read->basis = (*system)->basis;
      read->system = (*system)->id;
      read->system_version = (*system)->version;
      if ((*system)->basis == RecordingBasis::kObserved && read->outcome == Outcome::kCategories) {
        // What an observer wrote is a perception: never more than related.
        read->relationship = Relationship::kRelatedTo;
      }
    }
  }
  return read;
}

void Normalizer::NoteTextAgainstCode(absl::string_view text, Normalized* out) const {
  absl::StatusOr<Normalized> read = classifier_.Classify(text);
  if (!read.ok()) {
    out->notes.push_back(absl::StrCat("the text given with the code was not read (",
                                      read.status().message(), "); the code was used"));
  } else if (read->outcome == Outcome::kCategories && out->outcome == Outcome::kCategories &&
             !read->category_set.Meets(out->category_set)) {
    out->notes.push_back(absl::StrCat("the text given with the code reads as ",
                                      CategoryName(read->categories[0].category),
                                      ", which the code does not include; the code was used"));
  }
}

absl::StatusOr<CodeSuggestion> Normalizer::SuggestCode(const TaxonomyValue& value,
                                                       absl::string_view system_id) const {
  absl::StatusOr<const CodeSystem*> found = registry_->FindSystem(system_id);
  if (!found.ok()) return WithField(found.status(), "system");
  const CodeSystem& system = **found;
  if (absl::Status s = RequireSelfDefined(system, "target"); !s.ok()) return WithField(s, "system");
  if (value.outcome == Outcome::kUnrecognised) {
    return WithField(absl::InvalidArgumentError("an unrecognised value has no code"), "category");
  }
  const CategorySet needed =
      value.outcome == Outcome::kCategories ? CategorySet::Of(value.category) : CategorySet();
  const Concept* c = ChooseCode(system, value.outcome, needed, value.detail);
  if (c == nullptr) {
    return WithField(absl::NotFoundError(absl::StrCat("code system ", system.id, " has no code for ",
                                                      DescribeValue(registry_->taxonomy(), value))),
                     "category");
  }
  CodeSuggestion s = MakeSuggestion(system, *c);
  s.relationship = value.outcome == Outcome::kCategories
                       ? CompareSets(c->mapping.set, c->mapping.detail, needed, value.detail)
                       : Relationship::kEquivalent;
  s.explanation = absl::StrCat("the most specific ", system.id, " code whose categories include ",
                               DescribeValue(registry_->taxonomy(), value), ": ", c->code, " '",
                               c->display, "' (", c->mapping.reason, ")");
  return s;
}

Normalizer::ClosestCode Normalizer::Closest(Category category, absl::string_view system_id,
                                            absl::string_view detail) const {
  absl::StatusOr<const CodeSystem*> found = registry_->FindSystem(system_id);
  if (!found.ok() || (*found)->basis == RecordingBasis::kObserved) return {};
  const CategorySet needed = CategorySet::Of(category);
  const Concept* c = ChooseCode(**found, Outcome::kCategories, needed, detail);
  if (c == nullptr) return {};
  return {c, CompareSets(c->mapping.set, c->mapping.detail, needed, detail)};
}

absl::StatusOr<CodeSuggestion> Normalizer::Translate(absl::string_view from, absl::string_view code,
                                                     absl::string_view to) const {
  absl::StatusOr<const CodeSystem*> source = registry_->FindSystem(from);
  if (!source.ok()) return WithField(source.status(), "from_system");
  absl::StatusOr<const CodeSystem*> target = registry_->FindSystem(to);
  if (!target.ok()) return WithField(target.status(), "to_system");
  if (absl::Status s = RequireSelfDefined(**source, "source"); !s.ok()) {
    return WithField(s, "from_system");
  }
  if (absl::Status s = RequireSelfDefined(**target, "target"); !s.ok()) return WithField(s, "to_system");
  absl::StatusOr<Normalized> n = Normalize({.system = from, .code = code, .text = ""});
  if (!n.ok()) return WithField(n.status(), "code");
  if (n->outcome != Outcome::kCategories) {
    absl::StatusOr<CodeSuggestion> s = SuggestCode(TaxonomyValue{n->outcome, {}, ""}, to);
    if (s.ok()) s->explanation = absl::StrCat(from, " ", n->code, " is ", OutcomeName(n->outcome), "; ", s->explanation);
    return s;
  }
  const Concept* c = ChooseCode(**target, Outcome::kCategories, n->category_set, n->detail);
  if (c == nullptr) c = ChooseCode(**target, Outcome::kCategories, n->category_set, "");
  std::string how = "covers every category of the source";
  if (c == nullptr) {
    const Category first = n->categories.front().category;
    c = ChooseCode(**target, Outcome::kCategories, CategorySet::Of(first), n->detail);
    if (c == nullptr) c = ChooseCode(**target, Outcome::kCategories, CategorySet::Of(first), "");
    how = absl::StrCat("no ", to, " code covers every category of the source; this one covers its "
                       "most likely category, ", CategoryName(first), ", so ask the person");
  }
  if (c == nullptr) {
    return WithField(
        absl::NotFoundError(absl::StrCat("code system ", to, " has no code for ", from, " ", code)),
        "to_system");
  }
  CodeSuggestion s = MakeSuggestion(**target, *c);
  s.relationship = CompareSets(n->category_set, n->detail, c->mapping.set, c->mapping.detail);
  s.explanation = absl::StrCat(from, " ", n->code, " '", n->display, "' -> ", to, " ", c->code, " '",
                               c->display, "': ", how);
  return s;
}

}  // namespace ethrec
