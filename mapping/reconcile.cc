#include "mapping/reconcile.h"

#include <algorithm>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace ethrec {
namespace {

std::string Ref(const RecordState& r) { return absl::StrCat(r.agency, "/", r.record_id); }

// "Black Caribbean" for one category, "White: Other White or White: Roma"
// for several, with any detail: "Black African (Somali)".
std::string Describe(const Taxonomy& taxonomy, CategorySet set, absl::string_view detail) {
  std::string out;
  for (Category c : set.ToVector()) {
    if (!out.empty()) out.append(" or ");
    out.append(taxonomy.category(c).label_full);
  }
  if (!detail.empty()) absl::StrAppend(&out, " (", detail, ")");
  return out;
}

bool IsObserved(const RecordState& r) {
  return r.supplied_by == SuppliedBy::kOfficerObserved || r.normalized.basis == RecordingBasis::kObserved;
}

// Whether a reading names an ethnic group at all. NOT_STATED, NOT_KNOWN and
// UNRECOGNISED (words naming no group, such as a nationality alone) do not:
// they conflict with nothing.
bool NamesGroup(const Normalized& n) { return n.outcome == Outcome::kCategories && !n.category_set.empty(); }

// Fills `f`'s correction: the code SuggestCode would give in the record's own
// code system for the reference's category and detail. Nothing for free text
// alone, an observed system, or a reference that is not one category.
void SuggestCorrection(const RecordState& r, const Normalized& rv, const Normalizer& normalizer, Finding* f) {
  if (r.system.empty() || rv.categories.empty() || rv.ambiguous) return;
  const Normalizer::ClosestCode best = normalizer.Closest(rv.categories.front().category, r.system, rv.detail);
  if (best.code == nullptr) return;
  f->suggested_code = best.code->code;
  f->facts.suggested_display = best.code->display;
}

Finding MakeFinding(FindingKind kind, Severity severity, const RecordState& r, CategorySet record_set,
                    CategorySet reference_set, FindingFacts facts) {
  return Finding{kind, severity, r.agency, {}, {}, record_set, reference_set, "", "", std::move(facts)};
}

// The one finding (the most severe) that comparing `r` with the reference
// identity raises, or nullopt.
std::optional<Finding> JudgeAgainstReference(const RecordState& r, const ReferenceIdentity& reference,
                                             const Normalizer& normalizer) {
  const Normalized& v = r.normalized;
  const RecordState& ref = *reference.record;
  const Normalized& rv = ref.normalized;
  FindingFacts facts{.record_detail = v.detail,
                     .reference_detail = rv.detail,
                     .system = r.system,
                     .code = v.code,
                     .stated_at = ref.recorded_at,
                     .ascribed = reference.ascribed,
                     .declined_later = reference.declined != nullptr};
  if (v.outcome == Outcome::kNotStated) return std::nullopt;  // the person's choice
  // MISSING: the agency holds nothing usable: NOT_KNOWN, or words that name
  // no ethnic group.
  if (!NamesGroup(v)) {
    facts.unrecognised = v.outcome == Outcome::kUnrecognised || v.outcome == Outcome::kCategories;
    Finding f = MakeFinding(FindingKind::kMissing, Severity::kMedium, r, {}, rv.category_set, std::move(facts));
    SuggestCorrection(r, rv, normalizer, &f);
    return f;
  }
  // A perception is never compared as if it were the child's own words.
  if (IsObserved(r)) return std::nullopt;
  if (!v.category_set.Meets(rv.category_set)) {
    const bool older = r.recorded_at < ref.recorded_at;
    Finding f = MakeFinding(older ? FindingKind::kOutdated : FindingKind::kSelfIdMismatch,
                            older ? Severity::kMedium : Severity::kHigh, r, v.category_set, rv.category_set,
                            std::move(facts));
    SuggestCorrection(r, rv, normalizer, &f);
    return f;
  }
  // The record meets the identity: at most a limit of its code list, or a
  // lost detail; the more severe (DETAIL_LOST) when both apply.
  const Category want = rv.categories.front().category;
  if (!rv.detail.empty() && v.category_set.contains(want) &&
      !absl::StrContains(absl::AsciiStrToLower(v.detail), absl::AsciiStrToLower(rv.detail))) {
    Finding f = MakeFinding(FindingKind::kDetailLost, Severity::kLow, r, v.category_set, rv.category_set,
                            std::move(facts));
    SuggestCorrection(r, rv, normalizer, &f);
    return f;
  }
  const bool exact = v.category_set == CategorySet::Of(want);
  if (exact || r.system.empty()) return std::nullopt;
  const Normalizer::ClosestCode best = normalizer.Closest(want, r.system);
  if (best.code == nullptr || best.relationship == Relationship::kEquivalent) return std::nullopt;
  Finding f = MakeFinding(FindingKind::kClassificationLimit, Severity::kInfo, r, v.category_set, rv.category_set,
                          std::move(facts));
  SuggestCorrection(r, rv, normalizer, &f);
  if (f.suggested_code.empty()) {
    f.suggested_code = best.code->code;
    f.facts.suggested_display = best.code->display;
  }
  return f;
}

}  // namespace

absl::string_view FindingKindName(FindingKind k) {
  switch (k) {
    case FindingKind::kSelfIdMismatch: return "SELF_ID_MISMATCH";
    case FindingKind::kAgencyDisagreement: return "AGENCY_DISAGREEMENT";
    case FindingKind::kClassificationLimit: return "CLASSIFICATION_LIMIT";
    case FindingKind::kDetailLost: return "DETAIL_LOST";
    case FindingKind::kOutdated: return "OUTDATED";
    case FindingKind::kNotSelfDefined: return "NOT_SELF_DEFINED";
    case FindingKind::kMissing: return "MISSING";
  }
  return "";
}

absl::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo: return "INFO";
    case Severity::kLow: return "LOW";
    case Severity::kMedium: return "MEDIUM";
    case Severity::kHigh: return "HIGH";
  }
  return "";
}

namespace {

// " (the child stated this on 2026-03-01 and later declined to say)", or "".
std::string DeclinedNote(const FindingFacts& facts) {
  if (!facts.declined_later) return "";
  return absl::StrCat(" (", facts.ascribed ? "the parent or carer said so" : "the child stated this", " on ",
                      absl::FormatTime("%Y-%m-%d", facts.stated_at, absl::UTCTimeZone()),
                      " and later declined to say; that choice is respected, and the identity still stands)");
}

// " Record dfe code BSOM 'Black - Somali'.", or "" without a suggestion.
std::string Correction(absl::string_view suggested_code, const FindingFacts& facts) {
  if (suggested_code.empty()) return "";
  return absl::StrCat(" Record ", facts.system, " code ", suggested_code, " '", facts.suggested_display, "'.");
}

}  // namespace

std::string ExplainFinding(FindingKind kind, absl::string_view agency, CategorySet record_set,
                           CategorySet reference_set, absl::string_view suggested_code, const FindingFacts& facts,
                           const Taxonomy& taxonomy) {
  const absl::string_view whose =
      facts.ascribed ? "the parent or carer says the child is" : "the child identifies as";
  const std::string recorded =
      facts.code.empty() ? std::string("free text") : absl::StrCat(facts.system, " code ", facts.code);
  const std::string reference =
      absl::StrCat(Describe(taxonomy, reference_set, facts.reference_detail), DeclinedNote(facts));
  const std::string fix = Correction(suggested_code, facts);
  switch (kind) {
    case FindingKind::kNotSelfDefined:
      return absl::StrCat(agency, " holds only ethnicity that was observed or assumed by a practitioner, "
                                  "not given by the child or a parent or carer: ask the child.");
    case FindingKind::kMissing:
      return absl::StrCat(agency,
                          facts.unrecognised ? " holds a record whose words name no ethnic group"
                                             : " records the child's ethnicity as not known",
                          ", but ", whose, " ", reference, ".", fix);
    case FindingKind::kOutdated:
      return absl::StrCat(agency, " recorded ", Describe(taxonomy, record_set, facts.record_detail), " (", recorded,
                          ") before the child's identity was last recorded; ", whose, " ", reference,
                          " now. Update the record.", fix);
    case FindingKind::kSelfIdMismatch:
      return absl::StrCat(agency, " records ", Describe(taxonomy, record_set, facts.record_detail), " (", recorded,
                          "), but ", whose, " ", reference, ". These cannot both be right.", fix);
    case FindingKind::kClassificationLimit:
      return absl::StrCat(agency, "'s code list (", facts.system, ") has no code for ", reference, "; ",
                          suggested_code, " '", facts.suggested_display,
                          "' is the closest. Note the child's own words in the record.");
    case FindingKind::kDetailLost:
      return absl::StrCat(agency, " records ", Describe(taxonomy, record_set, facts.record_detail), " but not '",
                          facts.reference_detail, "', which ", whose, DeclinedNote(facts), ".", fix);
    case FindingKind::kAgencyDisagreement:
      return absl::StrCat(agency, " records ", Describe(taxonomy, record_set, facts.record_detail), " and ",
                          facts.other_agency, " records ", Describe(taxonomy, reference_set, facts.reference_detail),
                          ": these cannot both be right. Ask the child.");
  }
  return "";
}

std::optional<ReferenceIdentity> FindReference(absl::Span<const RecordState> records) {
  for (SuppliedBy who : {SuppliedBy::kSelf, SuppliedBy::kParentOrCarer}) {
    const RecordState* latest = nullptr;
    for (const RecordState& r : records) {
      if (r.supplied_by != who || !NamesGroup(r.normalized)) continue;
      if (latest == nullptr || r.recorded_at > latest->recorded_at) latest = &r;
    }
    if (latest == nullptr) continue;
    ReferenceIdentity ref{latest, who == SuppliedBy::kParentOrCarer, nullptr};
    for (const RecordState& r : records) {
      const bool by_whom = r.supplied_by == SuppliedBy::kSelf || (ref.ascribed && r.supplied_by == who);
      if (!by_whom || r.normalized.outcome != Outcome::kNotStated || r.recorded_at <= latest->recorded_at) continue;
      if (ref.declined == nullptr || r.recorded_at > ref.declined->recorded_at) ref.declined = &r;
    }
    return ref;
  }
  return std::nullopt;
}

std::vector<Finding> Reconcile(absl::Span<const RecordState> records, const Normalizer& normalizer, bool explain) {
  std::vector<Finding> out;
  const std::optional<ReferenceIdentity> reference = FindReference(records);
  const Taxonomy& taxonomy = normalizer.registry().taxonomy();
  // Adds `f`, comparing the records `refs` (the agency's first).
  auto add = [&out, &taxonomy, explain, records](Finding f, absl::Span<const RecordState* const> refs) {
    for (const RecordState* r : refs) {
      f.compared_records.push_back(static_cast<size_t>(r - records.data()));
      if (explain) f.compared.push_back(Ref(*r));
    }
    if (explain) {
      f.reason = ExplainFinding(f.kind, f.agency, f.record_set, f.reference_set, f.suggested_code, f.facts, taxonomy);
    }
    out.push_back(std::move(f));
  };

  // Per agency: is every record observed or assumed by a practitioner? (A
  // record whose supplier is UNKNOWN may have been self-defined: not counted.)
  // A child has a handful of records: a scan beats a map.
  absl::InlinedVector<std::pair<absl::string_view, bool>, 8> only_others;
  for (const RecordState& r : records) {
    const bool other = r.supplied_by == SuppliedBy::kPractitioner || IsObserved(r);
    auto it = std::find_if(only_others.begin(), only_others.end(),
                           [&r](const auto& p) { return p.first == r.agency; });
    if (it == only_others.end()) {
      only_others.emplace_back(r.agency, other);
    } else {
      it->second = it->second && other;
    }
  }
  for (const auto& [agency, only] : only_others) {
    if (!only) continue;
    absl::InlinedVector<const RecordState*, 4> refs;
    for (const RecordState& r : records) {
      if (r.agency == agency) refs.push_back(&r);
    }
    add(Finding{FindingKind::kNotSelfDefined, Severity::kLow, std::string(agency), {}, {}, {}, {}, "", "", {}},
        refs);
  }

  if (reference.has_value()) {
    for (const RecordState& r : records) {
      if (&r == reference->record) continue;
      std::optional<Finding> f = JudgeAgainstReference(r, *reference, normalizer);
      if (!f.has_value()) continue;
      absl::InlinedVector<const RecordState*, 3> compared = {&r, reference->record};
      if (reference->declined != nullptr && reference->declined != &r) compared.push_back(reference->declined);
      add(*std::move(f), compared);
    }
    return out;
  }

  // No reference identity: agencies against each other. Records (neither
  // observed nor naming no group) that cannot both be right; one finding per
  // pair, about the older record (the likelier to be out of date).
  for (size_t i = 0; i < records.size(); ++i) {
    for (size_t j = i + 1; j < records.size(); ++j) {
      const RecordState* first = &records[i];
      const RecordState* second = &records[j];
      if (second->recorded_at < first->recorded_at) std::swap(first, second);
      const RecordState& a = *first;
      const RecordState& b = *second;
      if (a.agency == b.agency || IsObserved(a) || IsObserved(b)) continue;
      if (!NamesGroup(a.normalized) || !NamesGroup(b.normalized)) continue;
      if (a.normalized.category_set.Meets(b.normalized.category_set)) continue;
      const RecordState* const pair[] = {&a, &b};
      add(Finding{FindingKind::kAgencyDisagreement, Severity::kMedium, a.agency, {}, {},
                  a.normalized.category_set, b.normalized.category_set, "", "",
                  FindingFacts{.record_detail = a.normalized.detail,
                               .reference_detail = b.normalized.detail,
                               .system = a.system,
                               .code = a.normalized.code,
                               .other_agency = b.agency}},
          pair);
    }
  }
  return out;
}

}  // namespace ethrec
