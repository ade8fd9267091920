// Renderings of the ethrec CLI's findings results: a plain-text table for a
// terminal, JSON lines, and the summary as JSON. Findings carry agencies'
// own record ids, never an NHS number, and nothing here adds one.
#ifndef ETHREC_TOOLS_FINDINGS_OUTPUT_H_
#define ETHREC_TOOLS_FINDINGS_OUTPUT_H_

#include <string>
#include <vector>

#include "ethrec/v1/findings_service.pb.h"

namespace ethrec::tools {

// An aligned table, one line per finding, with the columns ID, STATUS,
// SEVERITY, KIND, AGENCY, RECORD and REASON. Agency and record ids longer
// than 24 characters, and reasons longer than 72, are cut (at a word where
// one is near) and end in "...". Control characters in the data (which could
// move a terminal's cursor or recolour it) are shown as spaces. No findings
// give the single line "no findings".
std::string FindingsToTable(const std::vector<v1::Finding>& findings);

// A child's reconciliation sheet for a terminal: the child's pseudonymous
// id, the reference identity (categories, detail, who said it and when,
// whether they later declined; its source only when the server gave it),
// then one line per agency record with AGENCY, RECORD, VERSION,
// SUPPLIED_BY, RECORDED (date), READS AS, VERDICT, FINDINGS (ids) and
// RECORD INSTEAD (the suggested code and display). Never an NHS number.
std::string ChildSheetToTable(const v1::ChildReconciliation& sheet);

// One JSON object on one line (no newline): finding_id, kind, severity,
// status, agency, record_id, compared [{agency, record_id, record_version}],
// record_categories and reference_categories (taxonomy names such as
// "WHITE_ROMA"), reason, suggested_code, first_raised_at and last_raised_at
// (RFC 3339 UTC), reopen_count, history [{action, time, by_agency, by_role,
// note}], oldest first. Enum values use their API names; a value this
// version does not know is written as its number, e.g. "9".
std::string FindingToJson(const v1::Finding& finding);

// FindingToJson of each finding, one a line, each ending in "\n".
std::string FindingsToJsonLines(const std::vector<v1::Finding>& findings);

// {"children": N, "counts": [{agency, kind, status, count}],
//  "completeness": [{agency, children, children_self_defined, share}]},
// in the server's order, on one line.
std::string SummaryToJson(const v1::SummarizeFindingsResponse& summary);

// `t` in RFC 3339 UTC, with fractional seconds only when there are any:
// "2026-11-27T10:00:00Z", "2026-11-27T10:00:00.25Z".
std::string FormatTimestampUtc(const google::protobuf::Timestamp& t);

// The API name of a proto enum value, or its number when this version does
// not know it.
std::string EnumName(v1::FindingKind kind);
std::string EnumName(v1::Severity severity);
std::string EnumName(v1::FindingStatus status);

}  // namespace ethrec::tools

#endif  // ETHREC_TOOLS_FINDINGS_OUTPUT_H_
