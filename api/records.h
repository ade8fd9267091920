// The RecordsService messages and the domain: an observation as a record
// system sends it, the answer to a write, and a child's records as a viewer
// may see them (mapping/child_record.h ViewOfChild decides what that is).
#ifndef ETHREC_API_RECORDS_H_
#define ETHREC_API_RECORDS_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ethrec/v1/records_service.pb.h"
#include "mapping/child_record.h"
#include "mapping/finding.h"
#include "mapping/observation.h"
#include "mapping/taxonomy.h"

namespace ethrec::api {

// The observation `in` describes, recorded by `agency` (the caller's, never
// taken from the message). The NHS number is checked and made canonical;
// everything else is checked by NormalizeObservation. InvalidArgument
// naming the field ("child.nhs_number", "supplied_by") and never echoing an
// identifier.
absl::StatusOr<Observation> ObservationFromProto(const v1::ObservationInput& in, absl::string_view agency);

// One observation's answer: its outcome, its reading and, when `feedback`
// is given, the findings it raised and the child's reference identity.
void ToProto(const NormalizedObservation& item, WriteOutcome outcome, const ItemFeedback* feedback,
             const Taxonomy& taxonomy, v1::RecordObservationResponse* out);

// Every version of one record, current first.
void ToProto(const RecordHistory& record, v1::Observation* out);

// A child as ViewOfChild gave it to the caller: identifiers and records.
void ToProto(const ChildRecord& seen, v1::GetChildResponse* out);

}  // namespace ethrec::api

#endif  // ETHREC_API_RECORDS_H_
