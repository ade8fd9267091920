// Renderings of the ethrec CLI's record, child and import results.
#ifndef ETHREC_TOOLS_RECORDS_OUTPUT_H_
#define ETHREC_TOOLS_RECORDS_OUTPUT_H_

#include <string>

#include "ethrec/v1/findings_service.pb.h"
#include "ethrec/v1/records_service.pb.h"
#include "tools/backend.h"
#include "tools/observation_import.h"

namespace ethrec::tools {

// {"outcome": "INSERTED"|"DUPLICATE"|"HISTORICAL", "value": {...},
//  "findings": [{"action", "finding"}], "reference": {"categories",
//  "detail", "stated_at", "supplied_by", "declined_later"}} where "value" is
// the normalised value as NormalizedToJson writes it, "finding" as
// FindingToJson writes it, and "reference" is absent when there is none.
std::string RecordResultToJson(const CategoryLabels& labels, const v1::RecordObservationResponse& r);

// {"nhs_numbers": [...], "agency_child_ids": [{"agency", "agency_child_id"}],
//  "observations": [{"agency", "record_id", "versions": [{"record_version",
//  "system", "code", "text", "supplied_by", "recorded_at", "received_at",
//  "value"}]}]}: times in RFC 3339 UTC ("2026-11-27T10:00:00Z"), "value" as
// NormalizedToJson writes it, versions current first.
// "reconciliation" is the child's sheet (GetChildReconciliation) in
// protobuf's JSON mapping with the proto field names.
std::string ChildToJson(const CategoryLabels& labels, const v1::GetChildResponse& child,
                        const v1::ChildReconciliation& sheet);

// A human-readable summary, one item a line: rows read, accepted (by
// outcome), rejected, then "line N: reason" per rejection, then why the
// import stopped, if it did.
std::string ImportSummaryToText(const ImportSummary& s);

// The same as one JSON object: rows_read, accepted, inserted, duplicate,
// historical, rejected, rejections [{line, code, field, reason}], and
// "stopped" {code, message, at_line, committed} when the import stopped.
std::string ImportSummaryToJson(const ImportSummary& s);

}  // namespace ethrec::tools

#endif  // ETHREC_TOOLS_RECORDS_OUTPUT_H_
