// FindingsServiceImpl: thin gRPC adapter over the Store's findings (see
// proto/ethrec/v1/findings_service.proto for the contract).
//
// Access: role kDataQualityRole sees every agency's findings and may review
// them; any other role sees its own agency's findings only and may not
// review. Page tokens are opaque to callers: they carry the last finding id
// of the page and a fingerprint of the filters (and of the caller's agency
// restriction), so a token cannot be replayed with other filters.
#ifndef ETHREC_SERVICE_FINDINGS_SERVICE_H_
#define ETHREC_SERVICE_FINDINGS_SERVICE_H_

#include "ethrec/v1/findings_service.grpc.pb.h"
#include "mapping/taxonomy.h"
#include "service/store.h"

namespace ethrec::service {

inline constexpr char kDataQualityRole[] = "data-quality-officer";

class FindingsServiceImpl final : public v1::FindingsService::Service {
 public:
  struct Options {
    Store* store = nullptr;  // not owned; required
    // Not owned; required: names categories in findings' reasons.
    const Taxonomy* taxonomy = nullptr;
    int default_page_size = 100;
    int max_page_size = 1000;
  };

  explicit FindingsServiceImpl(const Options& options) : options_(options) {}

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
  Options options_;
};

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_FINDINGS_SERVICE_H_
