#include "mapping/reconcile.h"

#include <algorithm>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

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

std::string ExplainFinding(FindingKind kind, absl::string_view agency, CategorySet record_set,
                           CategorySet reference_set, absl::string_view suggested_code, const FindingFacts& facts,
                           const Taxonomy& taxonomy) {
  const absl::string_view whose =
      facts.ascribed ? "the parent or carer says the child is" : "the child identifies as";
  const std::string recorded =
      facts.code.empty() ? std::string("free text") : absl::StrCat(facts.system, " code ", facts.code);
  switch (kind) {
    case FindingKind::kNotSelfDefined:
      return absl::StrCat(agency, " holds only ethnicity that was observed or assumed by a practitioner, "
                                  "not given by the child or a parent or carer: ask the child.");
    case FindingKind::kMissing:
      return absl::StrCat(agency,
                          facts.unrecognised ? " holds a record whose words name no ethnic group"
                                             : " records the child's ethnicity as not known",
                          ", but ", whose, " ", Describe(taxonomy, reference_set, facts.reference_detail), ".");
    case FindingKind::kOutdated:
      return absl::StrCat(agency, " recorded ", Describe(taxonomy, record_set, facts.record_detail), " (", recorded,
                          ") before the child's identity was last recorded; ", whose, " ",
                          Describe(taxonomy, reference_set, facts.reference_detail), " now. Update the record.");
    case FindingKind::kSelfIdMismatch:
      return absl::StrCat(agency, " records ", Describe(taxonomy, record_set, facts.record_detail), " (", recorded,
                          "), but ", whose, " ", Describe(taxonomy, reference_set, facts.reference_detail),
                          ". These cannot both be right.");
    case FindingKind::kClassificationLimit:
      return absl::StrCat(agency, "'s code list (", facts.system, ") has no code for ",
                          Describe(taxonomy, reference_set, facts.reference_detail), "; ", suggested_code, " '",
                          facts.suggested_display, "' is the closest. Note the child's own words in the record.");
    case FindingKind::kDetailLost:
      return absl::StrCat(agency, " records ", Describe(taxonomy, record_set, facts.record_detail), " but not '",
                          facts.reference_detail, "', which ", whose, ".");
    case FindingKind::kAgencyDisagreement:
      return absl::StrCat(agency, " records ", Describe(taxonomy, record_set, facts.record_detail), " and ",
                          facts.other_agency, " records ", Describe(taxonomy, reference_set, facts.reference_detail),
                          ": these cannot both be right.");
  }
  return "";
}

std::optional<ReferenceIdentity> FindReference(absl::Span<const RecordState> records) {
  for (SuppliedBy who : {SuppliedBy::kSelf, SuppliedBy::kParentOrCarer}) {
    const RecordState* latest = nullptr;
    for (const RecordState& r : records) {
      if (r.supplied_by != who) continue;
      if (r.normalized.outcome != Outcome::kCategories && r.normalized.outcome != Outcome::kNotStated) continue;
      if (latest == nullptr || r.recorded_at > latest->recorded_at) latest = &r;
    }
    if (latest != nullptr) return ReferenceIdentity{latest, who == SuppliedBy::kParentOrCarer};
  }
  return std::nullopt;
}

std::vector<Finding> Reconcile(absl::Span<const RecordState> records, const Normalizer& normalizer, bool explain) {
  std::vector<Finding> out;
  const std::optional<ReferenceIdentity> reference = FindReference(records);
  const RecordState* ref = reference ? reference->record : nullptr;
  const bool ref_known = ref != nullptr && ref->normalized.outcome == Outcome::kCategories;
  const bool ascribed = reference && reference->ascribed;
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

  for (const RecordState& r : records) {
    if (!ref_known || &r == ref) continue;
    const Normalized& v = r.normalized;
    const Normalized& rv = ref->normalized;
    const RecordState* const compared[] = {&r, ref};
    FindingFacts facts{.record_detail = v.detail,
                       .reference_detail = rv.detail,
                       .system = r.system,
                       .code = v.code,
                       .ascribed = ascribed};
    // MISSING: the agency holds nothing usable: NOT_KNOWN, or text that
    // names no ethnic group.
    if (v.outcome == Outcome::kNotKnown || v.outcome == Outcome::kUnrecognised) {
      facts.unrecognised = v.outcome == Outcome::kUnrecognised;
      add(Finding{FindingKind::kMissing, Severity::kMedium, r.agency, {}, {}, {}, rv.category_set, "", "",
                  std::move(facts)},
          compared);
      continue;
    }
    if (v.outcome != Outcome::kCategories) continue;  // NOT_STATED is the person's choice
    const bool older = r.recorded_at < ref->recorded_at;
    if (!v.category_set.Meets(rv.category_set)) {
      // A perception is never compared as if it were the child's own words.
      if (IsObserved(r)) continue;
      add(Finding{older ? FindingKind::kOutdated : FindingKind::kSelfIdMismatch,
                  older ? Severity::kMedium : Severity::kHigh, r.agency, {}, {}, v.category_set, rv.category_set,
                  "", "", std::move(facts)},
          compared);
      continue;
    }
    if (IsObserved(r)) continue;
    const Category want = rv.categories.front().category;
    const bool exact = v.category_set == CategorySet::Of(want);
    if (!exact && !r.system.empty()) {
      const Normalizer::ClosestCode best = normalizer.Closest(want, r.system);
      if (best.code != nullptr && best.relationship != Relationship::kEquivalent) {
        facts.suggested_display = best.code->display;
        add(Finding{FindingKind::kClassificationLimit, Severity::kInfo, r.agency, {}, {}, v.category_set,
                    rv.category_set, "", best.code->code, std::move(facts)},
            compared);
        continue;
      }
    }
    if (!rv.detail.empty() && v.category_set.contains(want) &&
        !absl::StrContains(absl::AsciiStrToLower(v.detail), absl::AsciiStrToLower(rv.detail))) {
      add(Finding{FindingKind::kDetailLost, Severity::kLow, r.agency, {}, {}, v.category_set, rv.category_set, "",
                  "", std::move(facts)},
          compared);
    }
  }

  // Agencies against each other: records (not observed ones) that cannot
  // both be right. The finding is about the record that is not the reference, or
  // failing that the older one (the likelier to be out of date).
  for (size_t i = 0; i < records.size(); ++i) {
    for (size_t j = i + 1; j < records.size(); ++j) {
      const RecordState* first = &records[i];
      const RecordState* second = &records[j];
      if (first == ref || (second != ref && second->recorded_at < first->recorded_at)) std::swap(first, second);
      const RecordState& a = *first;
      const RecordState& b = *second;
      if (a.agency == b.agency || IsObserved(a) || IsObserved(b)) continue;
      if (a.normalized.outcome != Outcome::kCategories || b.normalized.outcome != Outcome::kCategories) continue;
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
