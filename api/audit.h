// Audit events (mapping/audit_event.h) to and from the ethrec.v1 message,
// for the audit service and the CLI alike.
#ifndef ETHREC_API_AUDIT_H_
#define ETHREC_API_AUDIT_H_

#include "ethrec/v1/audit_service.pb.h"
#include "mapping/audit_event.h"

namespace ethrec::api {

void ToProto(const AuditEvent& e, v1::AuditEvent* out);
// The reverse: ToProto then FromProto gives back an equal event.
AuditEvent FromProto(const v1::AuditEvent& e);

}  // namespace ethrec::api

#endif  // ETHREC_API_AUDIT_H_
