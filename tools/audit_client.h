// AuditClient: the ethrec CLI's client of an ethrecd AuditService.
//
// Every call carries the caller's identity (agency, role) as call metadata,
// as the other clients do, and returns the server's gRPC status as an
// absl::Status with the same code and message (and the field it names,
// mapping/status_field.h). Only role "auditor" may list the audit trail; any
// other role gets PermissionDenied.
//
// Example:
//   absl::StatusOr<std::unique_ptr<AuditClient>> client =
//       AuditClient::Connect("127.0.0.1:50051", {.agency = "county-ig", .role = "auditor"});
//   v1::ListAuditEventsRequest filters;
//   filters.set_child_id(12);
//   absl::StatusOr<std::vector<AuditEvent>> events = (*client)->ListAll(filters);
#ifndef ETHREC_TOOLS_AUDIT_CLIENT_H_
#define ETHREC_TOOLS_AUDIT_CLIENT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ethrec/v1/audit_service.grpc.pb.h"
#include "mapping/audit_event.h"
#include "tools/backend.h"

namespace ethrec::tools {

// ListAll gives up after this many pages (100,000 pages of up to 1000
// events), so that a server that keeps answering with a next_page_token
// cannot keep the CLI busy forever.
inline constexpr int kMaxAuditPages = 100000;

class AuditClient {
 public:
  // Connects to the ethrecd at `address` (host:port). Unavailable when it
  // does not answer within 5 seconds.
  static absl::StatusOr<std::unique_ptr<AuditClient>> Connect(const std::string& address,
                                                              const RemoteIdentity& identity);

  // ListAuditEvents: one page. Errors: the server's (field attached when named).
  absl::StatusOr<v1::ListAuditEventsResponse> List(const v1::ListAuditEventsRequest& request);

  // Every event matching the filters of `request`, oldest first: pages
  // through ListAuditEvents from request.page_token (normally empty) until
  // next_page_token is empty. Errors: the first failing page's error
  // (nothing is returned then); ResourceExhausted when there are still more
  // pages after `max_pages`.
  absl::StatusOr<std::vector<AuditEvent>> ListAll(const v1::ListAuditEventsRequest& request,
                                                  int max_pages = kMaxAuditPages);

 private:
  AuditClient(std::unique_ptr<v1::AuditService::Stub> stub, RemoteIdentity identity)
      : stub_(std::move(stub)), identity_(std::move(identity)) {}

  std::unique_ptr<v1::AuditService::Stub> stub_;
  RemoteIdentity identity_;
};

}  // namespace ethrec::tools

#endif  // ETHREC_TOOLS_AUDIT_CLIENT_H_
