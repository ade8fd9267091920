// The audit trail as the CLI prints it. Events come from the server through
// api/ (mapping/audit_event.h); every text field is made safe for a terminal.
#ifndef ETHREC_TOOLS_AUDIT_OUTPUT_H_
#define ETHREC_TOOLS_AUDIT_OUTPUT_H_

#include <string>
#include <vector>

#include "mapping/audit_event.h"

namespace ethrec::tools {

// A header line, then one line per event: TIME (UTC, to the second),
// AGENCY, ROLE, METHOD ("RecordsService.GetChild"), CHILDREN and FINDINGS
// (ids, comma-separated; "-" for none), OUTCOME (with " validate_only" for
// a write that only checked), PEER and IDENTITY. "no audit events" when
// there are none.
std::string AuditEventsToTable(const std::vector<AuditEvent>& events);

// One JSON object per event: event_id, time (RFC 3339 UTC, to the
// microsecond), agency, role, identity, peer, method (the full name),
// child_ids, finding_ids, validate_only, outcome.
std::string AuditEventToJson(const AuditEvent& event);
// One line each.
std::string AuditEventsToJsonLines(const std::vector<AuditEvent>& events);

// "RecordsService.GetChild" for "/ethrec.v1.RecordsService/GetChild"; any
// other name as it is.
std::string ShortMethodName(const std::string& method);

}  // namespace ethrec::tools

#endif  // ETHREC_TOOLS_AUDIT_OUTPUT_H_
