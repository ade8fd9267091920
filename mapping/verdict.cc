#include "mapping/verdict.h"

#include <algorithm>

namespace ethrec {
namespace {

Verdict FromKind(FindingKind k) {
  switch (k) {
    case FindingKind::kSelfIdMismatch:
    case FindingKind::kAgencyDisagreement: return Verdict::kDiffers;
    case FindingKind::kOutdated: return Verdict::kOutdated;
    case FindingKind::kClassificationLimit: return Verdict::kCodeListLimit;
    case FindingKind::kDetailLost: return Verdict::kDetailLost;
    case FindingKind::kNotSelfDefined: return Verdict::kNotSelfDefined;
    case FindingKind::kMissing: return Verdict::kNotKnown;
  }
  return Verdict::kDiffers;
}

}  // namespace

absl::string_view VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kReference: return "REFERENCE";
    case Verdict::kAgrees: return "AGREES";
    case Verdict::kDiffers: return "DIFFERS";
    case Verdict::kOutdated: return "OUT_OF_DATE";
    case Verdict::kCodeListLimit: return "CODE_LIST_LIMIT";
    case Verdict::kDetailLost: return "DETAIL_LOST";
    case Verdict::kNotSelfDefined: return "NOT_SELF_DEFINED";
    case Verdict::kNotKnown: return "NOT_KNOWN";
    case Verdict::kDeclined: return "DECLINED";
    case Verdict::kUnconfirmed: return "UNCONFIRMED";
  }
  return "";
}

int VerdictRank(Verdict v) {
  switch (v) {
    case Verdict::kDiffers: return 9;
    case Verdict::kOutdated: return 8;
    case Verdict::kNotKnown: return 7;
    case Verdict::kDetailLost: return 6;
    case Verdict::kCodeListLimit: return 5;
    case Verdict::kNotSelfDefined: return 4;
    case Verdict::kUnconfirmed: return 3;
    case Verdict::kDeclined: return 2;
    case Verdict::kAgrees: return 1;
    case Verdict::kReference: return 0;
  }
  return 0;
}

Verdict VerdictOf(const RecordState& record, const std::optional<ReferenceIdentity>& reference,
                  absl::Span<const FindingKind> kinds) {
  if (!kinds.empty()) {
    Verdict worst = FromKind(kinds.front());
    for (FindingKind k : kinds) {
      if (VerdictRank(FromKind(k)) > VerdictRank(worst)) worst = FromKind(k);
    }
    return worst;
  }
  if (reference.has_value() && reference->record == &record) return Verdict::kReference;
  switch (record.normalized.outcome) {
    case Outcome::kNotStated: return Verdict::kDeclined;
    case Outcome::kNotKnown:
    case Outcome::kUnrecognised: return Verdict::kNotKnown;
    case Outcome::kCategories: break;
  }
  if (record.normalized.category_set.empty()) return Verdict::kNotKnown;
  return reference.has_value() ? Verdict::kAgrees : Verdict::kUnconfirmed;
}

}  // namespace ethrec
