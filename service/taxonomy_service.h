// TaxonomyServiceImpl: thin gRPC adapter over mapping::Normalizer.
#ifndef ETHREC_SERVICE_TAXONOMY_SERVICE_H_
#define ETHREC_SERVICE_TAXONOMY_SERVICE_H_

#include <string>

#include "absl/status/status.h"
#include "ethrec/v1/taxonomy_service.grpc.pb.h"
#include "absl/container/flat_hash_map.h"
#include "mapping/normalizer.h"

namespace ethrec::service {

// NormalizeBatch is served as a raw callback method: the handler parses the
// request itself and writes the response's bytes, each known code's answer
// pre-serialised at start-up, so a batch costs little more than reading it.
// The wire format is exactly NormalizeBatchResponse's.
class TaxonomyServiceImpl final
    : public v1::TaxonomyService::WithRawCallbackMethod_NormalizeBatch<v1::TaxonomyService::Service> {
 public:
  struct Options {
    // Not owned; must outlive the service. Required.
    const Normalizer* normalizer = nullptr;
    // Most items in one NormalizeBatch call. Default 1000.
    int max_batch_items = 1000;
  };

  // Precomputes the answer for every code of every loaded system.
  explicit TaxonomyServiceImpl(const Options& options);

  grpc::Status ListCodeSystems(grpc::ServerContext* context, const v1::ListCodeSystemsRequest* request,
                               v1::ListCodeSystemsResponse* response) override;
  grpc::Status GetTaxonomy(grpc::ServerContext* context, const v1::GetTaxonomyRequest* request,
                           v1::GetTaxonomyResponse* response) override;
  grpc::Status Normalize(grpc::ServerContext* context, const v1::NormalizeRequest* request,
                         v1::NormalizeResponse* response) override;
  grpc::ServerUnaryReactor* NormalizeBatch(grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
                                           grpc::ByteBuffer* response) override;
  grpc::Status Translate(grpc::ServerContext* context, const v1::TranslateRequest* request,
                         v1::TranslateResponse* response) override;
  grpc::Status SuggestCode(grpc::ServerContext* context, const v1::SuggestCodeRequest* request,
                           v1::SuggestCodeResponse* response) override;

 private:
  // The answer for a code alone never changes while the server runs, so it
  // is built once: full and BASIC views, by concept.
  struct CodedAnswer {
    v1::NormalizedValue full;  // for Normalize
    std::string full_bytes;    // for NormalizeBatch: the full and BASIC views, serialised
    std::string basic_bytes;
  };
  // The NormalizeBatch work: the response's bytes, or an error for the call.
  absl::Status NormalizeBatchBytes(const grpc::CallbackServerContext& context, const grpc::ByteBuffer& request,
                                   std::string* out) const;
  // The cached answer when `request` is a known code without text, else nullptr.
  const CodedAnswer* Cached(const v1::NormalizeRequest& request) const;

  Options options_;
  absl::flat_hash_map<const Concept*, CodedAnswer> coded_;
};

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_TAXONOMY_SERVICE_H_
