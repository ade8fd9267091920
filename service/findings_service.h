// FindingsService (see proto/ethrec/v1/findings_service.proto for the
// contract): the calls' logic in FindingsApi, callable without a server, and
// FindingsServiceImpl, its thin gRPC adapter.
//
// Access: role kDataQualityRole sees every agency's findings and may review
// them; any other role sees its own agency's findings only and may not
// review. Page tokens are opaque to callers: they carry the last finding id
// of the page and a fingerprint of the filters (and of the caller's agency
// restriction), so a token cannot be replayed with other filters.
#ifndef ETHREC_SERVICE_FINDINGS_SERVICE_H_
#define ETHREC_SERVICE_FINDINGS_SERVICE_H_

#include "ethrec/v1/findings_service.grpc.pb.h"
#include "absl/status/statusor.h"
#include "mapping/taxonomy.h"
#include "service/access_policy.h"
#include "service/caller.h"
#include "service/store.h"

namespace ethrec::service {


// The FindingsService calls over the Store's findings, callable without a
// server. PermissionDenied, naming the role that may, when the caller's role
// may not; InvalidArgument naming the field for a bad request (a page token
// issued for other filters included); NotFound for a finding or child the
// caller may not see, as for one that does not exist.
class FindingsApi {
 public:
  struct Options {
    Store* store = nullptr;  // not owned; required
    // Not owned; required: names categories in findings' reasons.
    const Taxonomy* taxonomy = nullptr;
    int default_page_size = 100;
    int max_page_size = 1000;
  };

  explicit FindingsApi(const Options& options) : options_(options) {}

  absl::StatusOr<v1::ListFindingsResponse> ListFindings(const Caller& caller, const v1::ListFindingsRequest& request);
  absl::StatusOr<v1::Finding> GetFinding(const Caller& caller, const v1::GetFindingRequest& request);
  absl::StatusOr<v1::SummarizeFindingsResponse> SummarizeFindings(const Caller& caller,
                                                                  const v1::SummarizeFindingsRequest& request);
  // Officers only.
  absl::StatusOr<v1::Finding> ReviewFinding(const Caller& caller, const v1::ReviewFindingRequest& request);
  // child_id only for officers.
  absl::StatusOr<v1::ChildReconciliation> GetChildReconciliation(const Caller& caller,
                                                                 const v1::GetChildReconciliationRequest& request);
  // Officers only.
  absl::StatusOr<v1::ListChildReconciliationsResponse> ListChildReconciliations(
      const Caller& caller, const v1::ListChildReconciliationsRequest& request);

 private:
  Options options_;
};

class FindingsServiceImpl final : public v1::FindingsService::Service {
 public:
  using Options = FindingsApi::Options;

  // `gate` (not owned) admits every call.
  FindingsServiceImpl(const Options& options, const CallGate& gate) : api_(options), gate_(gate) {}

  grpc::Status ListFindings(grpc::ServerContext* context, const v1::ListFindingsRequest* request,
                            v1::ListFindingsResponse* response) override;
  grpc::Status GetFinding(grpc::ServerContext* context, const v1::GetFindingRequest* request,
                          v1::Finding* response) override;
  grpc::Status SummarizeFindings(grpc::ServerContext* context, const v1::SummarizeFindingsRequest* request,
                                 v1::SummarizeFindingsResponse* response) override;
  grpc::Status ReviewFinding(grpc::ServerContext* context, const v1::ReviewFindingRequest* request,
                             v1::Finding* response) override;
  grpc::Status GetChildReconciliation(grpc::ServerContext* context, const v1::GetChildReconciliationRequest* request,
                                      v1::ChildReconciliation* response) override;
  grpc::Status ListChildReconciliations(grpc::ServerContext* context,
                                        const v1::ListChildReconciliationsRequest* request,
                                        v1::ListChildReconciliationsResponse* response) override;

 private:
  FindingsApi api_;
  const CallGate& gate_;
};

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_FINDINGS_SERVICE_H_
