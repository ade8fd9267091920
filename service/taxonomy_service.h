// TaxonomyServiceImpl: thin gRPC adapter over mapping::Normalizer.
#ifndef ETHREC_SERVICE_TAXONOMY_SERVICE_H_
#define ETHREC_SERVICE_TAXONOMY_SERVICE_H_

#include "ethrec/v1/taxonomy_service.grpc.pb.h"
#include "mapping/normalizer.h"

namespace ethrec::service {

class TaxonomyServiceImpl final : public v1::TaxonomyService::Service {
 public:
  struct Options {
    // Not owned; must outlive the service. Required.
    const Normalizer* normalizer = nullptr;
    // Most items in one NormalizeBatch call. Default 1000.
    int max_batch_items = 1000;
  };

  explicit TaxonomyServiceImpl(const Options& options) : options_(options) {}

  grpc::Status ListCodeSystems(grpc::ServerContext* context, const v1::ListCodeSystemsRequest* request,
                               v1::ListCodeSystemsResponse* response) override;
  grpc::Status GetTaxonomy(grpc::ServerContext* context, const v1::GetTaxonomyRequest* request,
                           v1::GetTaxonomyResponse* response) override;
  grpc::Status Normalize(grpc::ServerContext* context, const v1::NormalizeRequest* request,
                         v1::NormalizeResponse* response) override;
  grpc::Status NormalizeBatch(grpc::ServerContext* context, const v1::NormalizeBatchRequest* request,
                              v1::NormalizeBatchResponse* response) override;
  grpc::Status Translate(grpc::ServerContext* context, const v1::TranslateRequest* request,
                         v1::TranslateResponse* response) override;
  grpc::Status SuggestCode(grpc::ServerContext* context, const v1::SuggestCodeRequest* request,
                           v1::SuggestCodeResponse* response) override;

 private:
  Options options_;
};

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_TAXONOMY_SERVICE_H_
