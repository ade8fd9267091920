// TaxonomyService: the calls' logic in TaxonomyApi, callable without a
// server, and TaxonomyServiceImpl, its thin gRPC adapter.
#ifndef ETHREC_SERVICE_TAXONOMY_SERVICE_H_
#define ETHREC_SERVICE_TAXONOMY_SERVICE_H_

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/server_builder.h>
#include <grpcpp/support/byte_buffer.h>

#include "absl/status/statusor.h"
#include "ethrec/v1/taxonomy_service.grpc.pb.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "mapping/normalizer.h"
#include "service/access_policy.h"

namespace ethrec::service {

// The TaxonomyService calls over mapping::Normalizer, callable without a
// server. Their answers are the same for every caller, so they take none
// (the adapter still refuses a call without one). Errors are the
// Normalizer's, naming the field (see mapping/status_field.h).
class TaxonomyApi {
 public:
  struct Options {
    // Not owned; must outlive the api. Required.
    const Normalizer* normalizer = nullptr;
    // Most items in one NormalizeBatch call. Default 1000.
    int max_batch_items = 1000;
  };

  // Precomputes the answer for every code of every loaded system.
  explicit TaxonomyApi(const Options& options);

  absl::StatusOr<v1::ListCodeSystemsResponse> ListCodeSystems(const v1::ListCodeSystemsRequest& request) const;
  absl::StatusOr<v1::GetTaxonomyResponse> GetTaxonomy(const v1::GetTaxonomyRequest& request) const;
  absl::StatusOr<v1::NormalizeResponse> Normalize(const v1::NormalizeRequest& request) const;
  // The serialised NormalizeBatchResponse, written by hand (each known
  // code's answer is serialised once, at start-up) so that a batch costs
  // little more than reading it. A bad item gets its own error in the
  // response; the call fails only when the batch is over max_batch_items
  // (ResourceExhausted naming "items").
  absl::StatusOr<std::string> NormalizeBatch(const v1::NormalizeBatchRequest& request) const;
  absl::StatusOr<v1::TranslateResponse> Translate(const v1::TranslateRequest& request) const;
  // InvalidArgument naming "category" or "non_answer" unless the request
  // gives a category or a non_answer of NOT_STATED or NOT_KNOWN.
  absl::StatusOr<v1::SuggestCodeResponse> SuggestCode(const v1::SuggestCodeRequest& request) const;

 private:
  // The answer for a code alone never changes while the server runs, so it
  // is built once: full and BASIC views, by concept.
  struct CodedAnswer {
    v1::NormalizedValue full;  // for Normalize
    std::string full_bytes;    // for NormalizeBatch: the full and BASIC views, serialised
    std::string basic_bytes;
  };
  // The cached answer when `request` is a known code without text, else nullptr.
  const CodedAnswer* Cached(const v1::NormalizeRequest& request) const;

  Options options_;
  absl::flat_hash_map<const Concept*, CodedAnswer> coded_;
};

// NormalizeBatch is served raw and asynchronously: the handler parses the
// request itself and answers with TaxonomyApi::NormalizeBatch's bytes (the
// wire format is exactly NormalizeBatchResponse's), on threads of its own
// that wait on a completion queue of the server's. The handler runs on the
// thread that takes the call, with no hand-over to a sync server thread.
// Not a callback method: one callback method makes gRPC 1.51 (epoll1, no
// background poller) start polling threads of its own that wake only every
// 100 ms when idle, and under a bulk load a data-entry call's request
// waited for one of them (issue 12, item 5).
//
// Use: Register with the builder (not ServerBuilder::RegisterService),
// BuildAndStart, then StartNormalizeBatch. The destructor, after the
// server's shutdown, ends the threads.
class TaxonomyServiceImpl final
    : public v1::TaxonomyService::WithRawMethod_NormalizeBatch<v1::TaxonomyService::Service> {
 public:
  using Options = TaxonomyApi::Options;

  // `gate` (not owned) admits every call.
  TaxonomyServiceImpl(const Options& options, const CallGate& gate) : api_(options), gate_(gate) {}
  ~TaxonomyServiceImpl() override;

  // Registers the service with `builder` and adds NormalizeBatch's queue.
  void Register(grpc::ServerBuilder& builder);
  // Once the server is built: `threads` threads serve NormalizeBatch.
  void StartNormalizeBatch(int threads);

  // The calls' logic, shared with the HTTP API (it precomputes every code's answer once).
  const TaxonomyApi& api() const { return api_; }

  grpc::Status ListCodeSystems(grpc::ServerContext* context, const v1::ListCodeSystemsRequest* request,
                               v1::ListCodeSystemsResponse* response) override;
  grpc::Status GetTaxonomy(grpc::ServerContext* context, const v1::GetTaxonomyRequest* request,
                           v1::GetTaxonomyResponse* response) override;
  grpc::Status Normalize(grpc::ServerContext* context, const v1::NormalizeRequest* request,
                         v1::NormalizeResponse* response) override;
  grpc::Status Translate(grpc::ServerContext* context, const v1::TranslateRequest* request,
                         v1::TranslateResponse* response) override;
  grpc::Status SuggestCode(grpc::ServerContext* context, const v1::SuggestCodeRequest* request,
                           v1::SuggestCodeResponse* response) override;

 private:
  class BatchCall;

  // Asks the queue for the next NormalizeBatch call, unless it is closing.
  void AwaitNormalizeBatch();
  // One thread's loop: takes calls (and their answers' completions) off the queue.
  void ServeNormalizeBatch();

  // The NormalizeBatch call: the caller checked, the request parsed, the
  // response's bytes or an error for the call.
  absl::StatusOr<std::string> NormalizeBatchBytes(const grpc::ServerContext& context,
                                                  const grpc::ByteBuffer& request) const;

  TaxonomyApi api_;
  const CallGate& gate_;
  std::unique_ptr<grpc::ServerCompletionQueue> batch_queue_;
  // Shared to ask for a call; exclusive to close the queue, so that no call
  // is asked for on a queue that is shut down.
  absl::Mutex batch_queue_mu_;
  bool batch_queue_closed_ ABSL_GUARDED_BY(batch_queue_mu_) = false;
  std::vector<std::thread> batch_threads_;
};

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_TAXONOMY_SERVICE_H_
