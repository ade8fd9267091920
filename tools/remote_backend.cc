#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "ethrec/v1/taxonomy_service.grpc.pb.h"
#include "api/convert.h"
#include "tools/backend.h"
#include "tools/internal/grpc_client.h"

namespace ethrec::tools {
namespace {

constexpr int kBatchChunk = 500;  // well under the server's 1000-item limit

absl::Status FromGrpc(const grpc::Status& s) { return grpc_internal::StatusFromGrpc(s); }

class RemoteBackend final : public Backend {
 public:
  RemoteBackend(std::shared_ptr<grpc::Channel> channel, RemoteIdentity identity)
      : stub_(v1::TaxonomyService::NewStub(channel)), identity_(std::move(identity)) {}

  absl::Status LoadLabels() {
    v1::GetTaxonomyResponse taxonomy;
    grpc::Status s = stub_->GetTaxonomy(Context().get(), {}, &taxonomy);
    if (!s.ok()) return FromGrpc(s);
    for (const v1::CategoryInfo& c : taxonomy.categories()) {
      if (std::optional<Category> cat = api::FromProto(c.category())) {
        labels_[static_cast<int>(*cat)] = c.label_full();
      }
    }
    return absl::OkStatus();
  }

  const CategoryLabels& labels() const override { return labels_; }

  absl::StatusOr<Normalized> Normalize(const NormalizeRequest& request) override {
    v1::NormalizeRequest req = ToProto(request);
    v1::NormalizeResponse response;
    grpc::Status s = stub_->Normalize(Context().get(), req, &response);
    if (!s.ok()) return FromGrpc(s);
    return api::FromProto(response.value());
  }

  std::vector<absl::StatusOr<Normalized>> NormalizeMany(
      const std::vector<NormalizeRequest>& requests) override {
    std::vector<absl::StatusOr<Normalized>> out;
    out.reserve(requests.size());
    for (size_t start = 0; start < requests.size(); start += kBatchChunk) {
      const size_t end = std::min(requests.size(), start + kBatchChunk);
      v1::NormalizeBatchRequest batch;
      for (size_t i = start; i < end; ++i) {
        v1::NormalizeBatchItem* item = batch.add_items();
        item->set_id(std::to_string(i));
        *item->mutable_request() = ToProto(requests[i]);
      }
      v1::NormalizeBatchResponse response;
      grpc::Status s = stub_->NormalizeBatch(Context().get(), batch, &response);
      for (size_t i = start; i < end; ++i) {
        if (!s.ok()) {
          out.push_back(FromGrpc(s));
          continue;
        }
        const v1::NormalizeBatchResult& r = response.results(static_cast<int>(i - start));
        if (r.has_value()) {
          out.push_back(api::FromProto(r.value()));
        } else {
          out.push_back(absl::Status(static_cast<absl::StatusCode>(r.error().code()), r.error().message()));
        }
      }
    }
    return out;
  }

  absl::StatusOr<CodeSuggestion> Translate(absl::string_view from, absl::string_view code,
                                           absl::string_view to) override {
    v1::TranslateRequest req;
    req.set_from_system(std::string(from));
    req.set_code(std::string(code));
    req.set_to_system(std::string(to));
    v1::TranslateResponse response;
    grpc::Status s = stub_->Translate(Context().get(), req, &response);
    if (!s.ok()) return FromGrpc(s);
    return api::FromProto(response.result());
  }

  absl::StatusOr<CodeSuggestion> SuggestCode(const TaxonomyValue& value, absl::string_view system) override {
    v1::SuggestCodeRequest req;
    req.set_system(std::string(system));
    req.set_detail(value.detail);
    if (value.outcome == Outcome::kCategories) {
      req.set_category(api::ToProto(value.category));
    } else {
      req.set_non_answer(api::ToProto(value.outcome));
    }
    v1::SuggestCodeResponse response;
    grpc::Status s = stub_->SuggestCode(Context().get(), req, &response);
    if (!s.ok()) return FromGrpc(s);
    return api::FromProto(response.result());
  }

  absl::StatusOr<SystemsListing> ListSystems() override {
    v1::ListCodeSystemsResponse response;
    grpc::Status s = stub_->ListCodeSystems(Context().get(), {}, &response);
    if (!s.ok()) return FromGrpc(s);
    SystemsListing out{response.taxonomy_id(), response.taxonomy_version(), response.lexicon_version(), {}};
    for (const v1::CodeSystemInfo& c : response.code_systems()) {
      out.systems.push_back(SystemInfo{c.id(), c.version(), c.title(),
                                       c.basis() == v1::OBSERVED ? RecordingBasis::kObserved
                                                                 : RecordingBasis::kSelfDefined,
                                       c.code_count(), c.map_id(), c.map_version(), c.built_in()});
    }
    return out;
  }

 private:
  static v1::NormalizeRequest ToProto(const NormalizeRequest& r) {
    v1::NormalizeRequest out;
    out.set_system(std::string(r.system));
    out.set_code(std::string(r.code));
    out.set_text(std::string(r.text));
    return out;
  }

  std::unique_ptr<grpc::ClientContext> Context() const { return grpc_internal::CallContext(identity_, absl::Seconds(30)); }

  std::unique_ptr<v1::TaxonomyService::Stub> stub_;
  RemoteIdentity identity_;
  CategoryLabels labels_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Backend>> NewRemoteBackend(const std::string& address,
                                                         const RemoteIdentity& identity) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = grpc_internal::ConnectTo(address, identity);
  if (!channel.ok()) return channel.status();
  auto backend = std::make_unique<RemoteBackend>(*channel, identity);
  if (absl::Status s = backend->LoadLabels(); !s.ok()) return s;
  return backend;
}

}  // namespace ethrec::tools
