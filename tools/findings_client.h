// FindingsClient: the ethrec CLI's client of an ethrecd FindingsService.
//
// Every call carries the caller's identity (agency, role) as call metadata,
// as RecordsClient does, and returns the server's gRPC status as an
// absl::Status with the same code and message. When the server names a
// request field (a google.rpc.BadRequest field violation such as "note"),
// the status carries that field as mapping/status_field.h describes.
//
// What the caller sees depends on its role (see findings_service.proto): a
// "data-quality-officer" sees every agency and may review; any other role
// sees only its own agency and gets PermissionDenied for another one.
//
// Example:
//   absl::StatusOr<std::unique_ptr<FindingsClient>> client = FindingsClient::Connect(
//       "127.0.0.1:50051", {.agency = "camden-csc", .role = "data-quality-officer"});
//   v1::ListFindingsRequest filters;
//   filters.set_min_severity(v1::HIGH);
//   absl::StatusOr<std::vector<v1::Finding>> all = (*client)->ListAll(filters);
#ifndef ETHREC_TOOLS_FINDINGS_CLIENT_H_
#define ETHREC_TOOLS_FINDINGS_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ethrec/v1/findings_service.grpc.pb.h"
#include "tools/backend.h"

namespace ethrec::tools {

// ListAll gives up after this many pages (10,000 pages of up to 1000
// findings), so that a server that keeps answering with a next_page_token
// cannot keep the CLI busy forever.
inline constexpr int kMaxFindingsPages = 10000;

class FindingsClient {
 public:
  // Connects to the ethrecd at `address` (host:port). Unavailable when it
  // does not answer within 5 seconds.
  static absl::StatusOr<std::unique_ptr<FindingsClient>> Connect(const std::string& address,
                                                                 const RemoteIdentity& identity);

  // ListFindings: one page. Errors: the server's (field attached when named),
  // e.g. InvalidArgument for a page token from other filters.
  absl::StatusOr<v1::ListFindingsResponse> List(const v1::ListFindingsRequest& request);

  // Every finding matching the filters of `request`, by finding_id: pages
  // through ListFindings from request.page_token (normally empty), following
  // next_page_token until it is empty. Errors: the first failing page's
  // error (nothing is returned then); ResourceExhausted when there are still
  // more pages after `max_pages`.
  absl::StatusOr<std::vector<v1::Finding>> ListAll(const v1::ListFindingsRequest& request,
                                                   int max_pages = kMaxFindingsPages);

  // GetFinding, with the whole history. Errors: NotFound for an unknown id;
  // the server's otherwise.
  absl::StatusOr<v1::Finding> Get(int64_t finding_id);

  // SummarizeFindings for `agency` ("" for every agency the caller may see).
  // Errors: PermissionDenied for an agency the caller may not see; the
  // server's otherwise.
  absl::StatusOr<v1::SummarizeFindingsResponse> Summarize(const std::string& agency);

  // ReviewFinding; returns the finding as it now is. Errors: NotFound for an
  // unknown id, FailedPrecondition when its status does not allow the
  // action, PermissionDenied for a caller who may not review; the server's
  // otherwise.
  absl::StatusOr<v1::Finding> Review(const v1::ReviewFindingRequest& request);

  // GetChildReconciliation: the child's sheet as the caller may see it.
  // Errors: NotFound for a child unknown (or not the caller's to see); the
  // server's otherwise.
  absl::StatusOr<v1::ChildReconciliation> Child(const v1::GetChildReconciliationRequest& request);

  // The pages of ListChildReconciliations (data-quality officers) until
  // `max_children` children (the first by child_id) or the last page.
  absl::StatusOr<std::vector<v1::ChildReconciliation>> AllChildren(int max_children);

 private:
  FindingsClient(std::unique_ptr<v1::FindingsService::Stub> stub, RemoteIdentity identity)
      : stub_(std::move(stub)), identity_(std::move(identity)) {}

  std::unique_ptr<grpc::ClientContext> Context() const;

  std::unique_ptr<v1::FindingsService::Stub> stub_;
  RemoteIdentity identity_;
};

}  // namespace ethrec::tools

#endif  // ETHREC_TOOLS_FINDINGS_CLIENT_H_
