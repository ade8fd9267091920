// Observation: what one agency recorded about one child's ethnicity, as the
// agency sent it, and the checks it must pass before it is normalised and
// stored. Pure domain: no storage, no RPC.
//
// An observation is identified by (agency, record_id, record_version). The
// child is identified by an NHS number, by the agency's own id for the child
// (scoped to that agency), or by both, which links the two.
//
// Identifiers (NHS numbers, agency child ids) never appear in the messages of
// the errors returned here, because those messages may be logged.
//
// Example:
//   Observation o;
//   o.agency = caller_agency;  // from the caller's identity, never the message
//   o.nhs_number = CanonicalNhsNumber(request_nhs_number);
//   ...
//   absl::StatusOr<NormalizedObservation> n = NormalizeObservation(normalizer, std::move(o));
//   if (!n.ok()) return n.status();  // InvalidArgument naming the field, or as Normalize
#ifndef ETHREC_MAPPING_OBSERVATION_H_
#define ETHREC_MAPPING_OBSERVATION_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "mapping/normalized.h"
#include "mapping/normalizer.h"

namespace ethrec {

// Who supplied the ethnicity that was recorded.
enum class SuppliedBy : uint8_t {
  kUnknown = 0,
  kSelf,             // the child's own self-identification
  kParentOrCarer,    // ascribed on the child's behalf
  kPractitioner,     // assumed or assigned by a practitioner
  kOfficerObserved,  // a police officer's perception of appearance
};
inline constexpr int kNumSuppliedBy = 5;

// API names: "UNKNOWN", "SELF", "PARENT_OR_CARER", "PRACTITIONER",
// "OFFICER_OBSERVED". A value outside the enum gives "UNKNOWN".
absl::string_view SuppliedByName(SuppliedBy s);
// Parses the API names above (exact, upper case); nullopt for anything else.
std::optional<SuppliedBy> ParseSuppliedBy(absl::string_view name);

// Limits on the fields of an Observation.
inline constexpr size_t kMaxIdBytes = 128;     // agency, agency_child_id, record_id
inline constexpr size_t kMaxTextBytes = 1024;  // text

// A synthetic NHS number for tests, demos and load generators, never a real
// person's: 10 digits in the 9xx test ranges ("999" first) whose last six
// digits before the check digit are n modulo 10^6, with a valid modulus 11
// check digit. Distinct n below 10^6 give distinct numbers.
std::string SyntheticNhsNumber(int64_t n);

// Checks an NHS number: exactly 10 ASCII digits, either run together
// ("9434765919") or spaced 3-3-4 by single spaces ("943 476 5919"), whose
// tenth digit is the modulus 11 check digit of the first nine (weights 10 to
// 2; check = 11 - sum % 11; 11 means 0; 10 means no number is valid).
// Returns OK, or InvalidArgument saying what is wrong ("NHS number must be
// 10 digits ...", "NHS number check digit is wrong"). The message never
// contains the number or any part of it.
absl::Status ValidateNhsNumber(absl::string_view nhs_number);

// The canonical form of a valid NHS number: its 10 digits, no spaces.
// Returns "" when ValidateNhsNumber(nhs_number) is not OK.
std::string CanonicalNhsNumber(absl::string_view nhs_number);

struct Observation {
  // The recording agency. Set from the caller's authenticated identity,
  // never from the content of a request. Required (an id, see below).
  std::string agency;
  // The child's NHS number in canonical form (see CanonicalNhsNumber), or "".
  std::string nhs_number;
  // The agency's own id for the child, or "". Scoped to `agency`.
  // At least one of nhs_number and agency_child_id is required.
  std::string agency_child_id;
  // The agency's id for this ethnicity record. Required.
  std::string record_id;
  // The version of the record, >= 1. A correction is a new version.
  int64_t record_version = 0;
  // What was recorded, as supplied: a code of a code system and/or free
  // text. Their rules are the Normalizer's (see NormalizeRequest); only the
  // length of `text` is checked here.
  std::string system;
  std::string code;
  std::string text;
  SuppliedBy supplied_by = SuppliedBy::kUnknown;
  // When the agency recorded it. Required: between kEarliestRecordedAt and
  // kLatestRecordedAt.
  absl::Time recorded_at = absl::InfinitePast();
};

// The range of Observation::recorded_at: 1900-01-01T00:00:00Z inclusive to
// 10000-01-01T00:00:00Z exclusive.
absl::Time EarliestRecordedAt();
absl::Time LatestRecordedAt();

// Checks an id field: 1 to kMaxIdBytes bytes of printable ASCII (0x20-0x7E)
// with no leading or trailing space. Returns OK or InvalidArgument naming
// `field` (e.g. "record_id must be 1-128 bytes ..."), never echoing the id.
absl::Status ValidateId(absl::string_view field, absl::string_view id);

// Checks that `nhs_number` is valid (ValidateNhsNumber) and canonical (no
// spaces). Returns OK or InvalidArgument "nhs_number: ..." / "nhs_number
// must be in canonical form ...", never echoing the number, with field
// "child.nhs_number" attached (WithField, mapping/status_field.h).
absl::Status ValidateCanonicalNhsNumber(absl::string_view nhs_number);

// Checks every field of `o` except system and code (the Normalizer's). The ids
// (agency, agency_child_id, record_id) as ValidateId; nhs_number as
// ValidateCanonicalNhsNumber.
// Returns OK or InvalidArgument naming the field and the problem, e.g.
// "record_version must be >= 1, got 0". The message never contains the NHS
// number or the agency child id. Except for `agency` (which comes from the
// caller, not the request) the status carries the request field path as
// ethrec.v1 names it (WithField, mapping/status_field.h): "child" (neither
// identifier given), "child.nhs_number", "child.agency_child_id",
// "record_id", "record_version", "text", "supplied_by", "recorded_at".
absl::Status ValidateObservation(const Observation& o);

// What a store did with one observation it was given to record.
enum class WriteOutcome : uint8_t {
  // Stored, and now the record's current version: a new record, or a
  // version higher than the current one (the older versions stay as history).
  kInserted = 0,
  // The same agency, record_id and record_version was already stored with
  // identical content: an idempotent retry. Nothing written.
  kDuplicate,
  // A version lower than the current one, not seen before: stored as
  // history; the current version is unchanged. Replays never reorder.
  kHistorical,
};

// API names: "INSERTED", "DUPLICATE", "HISTORICAL".
absl::string_view WriteOutcomeName(WriteOutcome o);

// An observation with what the Normalizer made of it: the unit of storage.
struct NormalizedObservation {
  Observation observation;
  Normalized normalized;
};

// Validates `o` (ValidateObservation) and normalises its system, code and
// text. A system given by a URL (Registry::FindSystem) comes back as its id.
// Errors: ValidateObservation's, then Normalizer::Normalize's.
absl::StatusOr<NormalizedObservation> NormalizeObservation(const Normalizer& normalizer,
                                                           Observation o);

}  // namespace ethrec

#endif  // ETHREC_MAPPING_OBSERVATION_H_
