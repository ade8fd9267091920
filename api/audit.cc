#include "api/audit.h"

#include "api/convert.h"

namespace ethrec::api {

void ToProto(const AuditEvent& e, v1::AuditEvent* out) {
  out->set_event_id(e.id);
  ToProto(e.time, out->mutable_time());
  out->set_agency(e.actor.agency);
  out->set_role(e.actor.role);
  out->set_identity(e.actor.identity);
  out->set_peer(e.actor.peer);
  out->set_method(e.actor.method);
  for (int64_t id : e.child_ids) out->add_child_ids(id);
  for (int64_t id : e.finding_ids) out->add_finding_ids(id);
  out->set_validate_only(e.validate_only);
  out->set_outcome(e.outcome);
}

AuditEvent FromProto(const v1::AuditEvent& e) {
  AuditEvent out;
  out.id = e.event_id();
  out.time = FromProto(e.time());
  out.actor = {e.agency(), e.role(), e.identity(), e.peer(), e.method()};
  out.child_ids.assign(e.child_ids().begin(), e.child_ids().end());
  out.finding_ids.assign(e.finding_ids().begin(), e.finding_ids().end());
  out.validate_only = e.validate_only();
  out.outcome = e.outcome();
  return out;
}

}  // namespace ethrec::api
