// Reconciliation rules: what a child's records say against the child's own
// self-identification, and against each other. Pure functions over one
// child's current records; no storage.
//
// The reference identity is the latest SELF statement; failing that the
// latest PARENT_OR_CARER statement (ascribed on the child's behalf).
// PRACTITIONER and OFFICER_OBSERVED records never define it. Findings compare
// the full 19 categories, never only the 5 groups. NOT_STATED is the
// person's choice: it is respected and never raises anything.
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
  std::string suggested_display;  // CLASSIFICATION_LIMIT: the suggested code's display
  bool ascribed = false;          // the reference is a parent's or carer's statement
  bool unrecognised = false;      // MISSING: text naming no ethnic group (else NOT_KNOWN)
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
  std::string suggested_code;  // CLASSIFICATION_LIMIT: the closest code to use
  FindingFacts facts;
};

// The reason for a finding, in words a practitioner understands: the same
// sentence Reconcile puts in Finding::reason. Categories are named by their
// official labels from `taxonomy`, in taxonomy order.
std::string ExplainFinding(FindingKind kind, absl::string_view agency, CategorySet record_set,
                           CategorySet reference_set, absl::string_view suggested_code, const FindingFacts& facts,
                           const Taxonomy& taxonomy);

// The reference identity among `records`, or nullopt when there is no SELF
// or PARENT_OR_CARER statement with an answer (categories or NOT_STATED).
struct ReferenceIdentity {
  const RecordState* record = nullptr;
  bool ascribed = false;  // PARENT_OR_CARER, not the child's own words
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
