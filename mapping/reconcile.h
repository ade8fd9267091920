// Reconciliation rules: what a child's records say against the child's own
// self-identification, and against each other. Pure functions over one
// child's current records; no storage.
//
// The reference identity is the latest SELF statement that names
// categories; failing that the latest PARENT_OR_CARER one (ascribed on the
// child's behalf). PRACTITIONER and OFFICER_OBSERVED records never define it.
// Findings compare the full 19 categories, never only the 5 groups.
//
// The rules point at the record that is wrong:
// - With a reference identity, every other record is judged against it
//   alone, and gets at most one finding from that comparison (the most
//   severe). A record that meets it never gets SELF_ID_MISMATCH, OUTDATED or
//   AGENCY_DISAGREEMENT.
// - AGENCY_DISAGREEMENT is raised only for children without a reference
//   identity, once per conflicting pair of records, about the older record,
//   naming the other agency (both agencies may see it).
// - An agency gets at most one NOT_SELF_DEFINED per child.
// - NOT_STATED is the person's choice: it raises nothing. A NOT_STATED given
//   after the identity does not erase it: other records are still judged
//   against it, and the reason says when it was stated and that it was
//   declined later.
// - A record whose reading names no ethnic group (NOT_KNOWN, or UNRECOGNISED:
//   e.g. a nationality alone, 'British') conflicts with none; while the
//   identity is known it is MISSING.
// - SELF_ID_MISMATCH, OUTDATED, MISSING, CLASSIFICATION_LIMIT and DETAIL_LOST
//   carry a correction: the code to record in the agency's own code system
//   for the identity's category and detail (as Normalizer::SuggestCode
//   chooses it), when the record has a self-defined code system.
#ifndef ETHREC_MAPPING_RECONCILE_H_
#define ETHREC_MAPPING_RECONCILE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "mapping/normalized.h"
#include "mapping/normalizer.h"
#include "mapping/observation.h"

namespace ethrec {

// The current version of one agency record about the child.
struct RecordState {
  std::string agency;
  std::string record_id;
  int64_t record_version = 0;
  SuppliedBy supplied_by = SuppliedBy::kUnknown;
  absl::Time recorded_at;
  std::string system;  // code system id, "" for text only
  Normalized normalized;
};

enum class FindingKind : uint8_t {
  kSelfIdMismatch,       // the record's categories do not meet the reference's
  kAgencyDisagreement,   // two agencies' records cannot both be right
  kClassificationLimit,  // compatible, but the agency's list cannot say it exactly
  kDetailLost,           // same category, a known detail is missing
  kOutdated,             // the reference changed after the agency recorded
  kNotSelfDefined,       // the agency has only observed or practitioner-assumed records
  kMissing,              // the agency holds NOT_KNOWN while the reference is known
};

enum class Severity : uint8_t { kInfo, kLow, kMedium, kHigh };

absl::string_view FindingKindName(FindingKind k);  // "SELF_ID_MISMATCH", ...
absl::string_view SeverityName(Severity s);        // "INFO", "LOW", "MEDIUM", "HIGH"

// What a finding's reason is made of, besides its kind, agency, sets and
// suggested code. Stores keep these rather than the sentence, so the words
// are written when a finding is read (ExplainFinding) and can be improved
// without touching stored data.
struct FindingFacts {
  std::string record_detail;      // the agency record's finer detail ("Somali"), if any
  std::string reference_detail;   // the detail of what it was compared with
  std::string system;             // the agency record's code system ("" for free text)
  std::string code;               // and its code
  std::string other_agency;       // AGENCY_DISAGREEMENT: the other agency
  std::string suggested_display;  // the suggested code's display (with Finding::suggested_code)
  // When the reference identity was stated (recorded_at of the reference
  // record); InfinitePast for findings that compare no reference.
  absl::Time stated_at = absl::InfinitePast();
  bool ascribed = false;          // the reference is a parent's or carer's statement
  bool unrecognised = false;      // MISSING: text naming no ethnic group (else NOT_KNOWN)
  bool declined_later = false;    // NOT_STATED was given after the reference identity
  friend bool operator==(const FindingFacts&, const FindingFacts&) = default;
};

struct Finding {
  FindingKind kind;
  Severity severity;
  std::string agency;  // the agency whose record the finding is about
  // The records compared: "agency/record_id", the agency's record first
  // (left empty when Reconcile is called with explain false).
  std::vector<std::string> compared;
  // The same records, as indexes into the records Reconcile was given.
  absl::InlinedVector<size_t, 4> compared_records;
  CategorySet record_set;     // what the agency's record stands for
  CategorySet reference_set;  // what it was compared with
  std::string reason;         // in words a practitioner understands (ExplainFinding)
  // The correction, for SELF_ID_MISMATCH, OUTDATED, MISSING,
  // CLASSIFICATION_LIMIT and DETAIL_LOST: the code to record in the
  // agency's own code system (facts.system) for the reference identity, its
  // display in facts.suggested_display. Empty when the record has no
  // self-defined code system (free text alone) or the system has no code.
  std::string suggested_code;
  FindingFacts facts;
};

// The reason for a finding, in words a practitioner understands: the same
// sentence Reconcile puts in Finding::reason. Categories are named by their
// official labels from `taxonomy`, in taxonomy order.
std::string ExplainFinding(FindingKind kind, absl::string_view agency, CategorySet record_set,
                           CategorySet reference_set, absl::string_view suggested_code, const FindingFacts& facts,
                           const Taxonomy& taxonomy);

// The reference identity among `records`: the latest SELF record naming
// categories, failing that the latest PARENT_OR_CARER one. nullopt when
// there is neither (a NOT_STATED alone defines no identity; it raises
// nothing).
struct ReferenceIdentity {
  const RecordState* record = nullptr;  // never null
  bool ascribed = false;                // PARENT_OR_CARER, not the child's own words
  // The latest NOT_STATED given after the identity, by the child (or, for an
  // ascribed identity, by a parent or carer); nullptr when none. It is
  // respected: it raises nothing, and does not replace the identity.
  const RecordState* declined = nullptr;
};
std::optional<ReferenceIdentity> FindReference(absl::Span<const RecordState> records);

// Every finding for one child. `normalizer` names categories and suggests
// the closest code for classification limits. With `explain` false,
// Finding::reason and Finding::compared are left empty (for callers that
// keep the facts and compared_records and explain later, like the stores).
std::vector<Finding> Reconcile(absl::Span<const RecordState> records, const Normalizer& normalizer,
                               bool explain = true);

}  // namespace ethrec

#endif  // ETHREC_MAPPING_RECONCILE_H_
