// AuditEvent: one access to a child's data (a read or a write of a child's
// records or findings), as the audit trail keeps it. Pure domain: the
// stores append events in the same transaction as the access they record
// (service/store.h Access), api/ converts them, and the audit service lists
// them. An event names the internal child ids and finding ids it touched,
// never an NHS number or an agency's own id for a child.
//
// Example:
//   AuditEvent e{.time = now, .actor = {.agency = "camden-csc", .role = "record-system",
//                                       .identity = "metadata", .peer = "ipv4:127.0.0.1:50000",
//                                       .method = "/ethrec.v1.RecordsService/GetChild"},
//                .child_ids = {12}, .outcome = AuditOutcome(absl::NotFoundError("..."))};
//   // e.outcome == "NOT_FOUND"
#ifndef ETHREC_MAPPING_AUDIT_EVENT_H_
#define ETHREC_MAPPING_AUDIT_EVENT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace ethrec {

// Who made an access, as the server knew them when the call arrived.
struct AuditActor {
  std::string agency;    // e.g. "camden-csc"
  std::string role;      // e.g. "record-system"
  // How the caller was known: its certificate's SPIFFE ID, or "metadata".
  std::string identity;
  std::string peer;      // gRPC's peer address, e.g. "ipv4:127.0.0.1:53412"
  std::string method;    // the full method, e.g. "/ethrec.v1.RecordsService/GetChild"
  friend bool operator==(const AuditActor&, const AuditActor&) = default;
};

struct AuditEvent {
  // Given by the store: ascending in the order events were written.
  int64_t id = 0;
  // The store's clock when the access ran, to the microsecond.
  absl::Time time;
  AuditActor actor;
  // ethrec's internal ids (ChildRecord::child_id, StoredFinding::id) of what
  // the access touched or attempted, ascending, each once. Empty when it
  // named nothing that exists (an unknown NHS number, a refused batch).
  std::vector<int64_t> child_ids;
  std::vector<int64_t> finding_ids;
  // A write that only checked (validate_only): it stored nothing.
  bool validate_only = false;
  // "OK", or the canonical name of the error's code ("NOT_FOUND",
  // "INVALID_ARGUMENT", ...), as AuditOutcome gives it.
  std::string outcome;
  friend bool operator==(const AuditEvent&, const AuditEvent&) = default;
};

// "OK" for an OK status, else the canonical name of its code in upper
// case with underscores, as gRPC names it ("NOT_FOUND").
std::string AuditOutcome(const absl::Status& status);

// `ids` sorted ascending with duplicates and ids below 1 removed.
std::vector<int64_t> SortedIds(std::vector<int64_t> ids);

}  // namespace ethrec

#endif  // ETHREC_MAPPING_AUDIT_EVENT_H_
