// Verdicts: what a child's reconciliation sheet says of each agency record,
// from the child's findings (mapping/reconcile.h). Pure functions.
#ifndef ETHREC_MAPPING_VERDICT_H_
#define ETHREC_MAPPING_VERDICT_H_

#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "mapping/reconcile.h"

namespace ethrec {

enum class Verdict : uint8_t {
  kReference,       // the child's (or parent's) statement that is the reference
  kAgrees,          // meets the reference: no finding
  kDiffers,         // SELF_ID_MISMATCH, or AGENCY_DISAGREEMENT (either record of the pair)
  kOutdated,        // OUTDATED
  kCodeListLimit,   // CLASSIFICATION_LIMIT
  kDetailLost,      // DETAIL_LOST
  kNotSelfDefined,  // NOT_SELF_DEFINED and nothing more serious
  kNotKnown,        // names no ethnic group (MISSING, or no group and no reference)
  kDeclined,        // NOT_STATED: the person's choice, respected
  kUnconfirmed,     // no reference to compare with, and no agency disagrees
};

// Names: "REFERENCE", "AGREES", "DIFFERS", "OUT_OF_DATE", "CODE_LIST_LIMIT",
// "DETAIL_LOST", "NOT_SELF_DEFINED", "NOT_KNOWN", "DECLINED", "UNCONFIRMED"
// (the API's enum values carry the prefix "VERDICT_").
absl::string_view VerdictName(Verdict v);

// How much a verdict asks of the agency, for one summary per agency: the
// most serious of its records'. DIFFERS highest, REFERENCE lowest.
int VerdictRank(Verdict v);

// The verdict on `record`, one of the child's current records, given the
// child's reference identity (FindReference of those records) and the kinds
// of the child's findings that name the record: as the record a finding is
// about, as the other record of an AGENCY_DISAGREEMENT, or as one of the
// agency's records in a NOT_SELF_DEFINED.
Verdict VerdictOf(const RecordState& record, const std::optional<ReferenceIdentity>& reference,
                  absl::Span<const FindingKind> kinds);

}  // namespace ethrec

#endif  // ETHREC_MAPPING_VERDICT_H_
