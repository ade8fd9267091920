#include "service/taxonomy_service.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "mapping/status_field.h"
#include "service/internal/normalize_batch_request.h"
#include "service/serve_call.h"
#include "api/convert.h"

namespace ethrec::service {

using ::ethrec::api::FromProto;
using ::ethrec::api::ToBasicView;
using ::ethrec::api::ToProto;
namespace {

NormalizeRequest FromProto(const v1::NormalizeRequest& r) {
  return NormalizeRequest{.system = r.system(), .code = r.code(), .text = r.text()};
}

}  // namespace

TaxonomyApi::TaxonomyApi(const Options& options) : options_(options) {
  for (const CodeSystem* system : options_.normalizer->registry().systems()) {
    for (const Concept& c : system->concepts) {
      absl::StatusOr<Normalized> n = options_.normalizer->Normalize({.system = system->id, .code = c.code});
      if (!n.ok()) continue;  // cannot happen for a loaded code; such a code is simply not cached
      CodedAnswer& answer = coded_[&c];
      ToProto(*n, &answer.full);
      v1::NormalizedValue basic = answer.full;
      ToBasicView(&basic);
      answer.full_bytes = answer.full.SerializeAsString();
      answer.basic_bytes = basic.SerializeAsString();
    }
  }
}

const TaxonomyApi::CodedAnswer* TaxonomyApi::Cached(const v1::NormalizeRequest& request) const {
  if (!request.text().empty() || request.code().empty()) return nullptr;
  absl::StatusOr<Registry::CodeEntry> entry = options_.normalizer->registry().Lookup(request.system(), request.code());
  if (!entry.ok()) return nullptr;
  auto it = coded_.find(entry->concept_);
  return it == coded_.end() ? nullptr : &it->second;
}

absl::StatusOr<v1::ListCodeSystemsResponse> TaxonomyApi::ListCodeSystems(const v1::ListCodeSystemsRequest&) const {
  v1::ListCodeSystemsResponse response;
  const Registry& registry = options_.normalizer->registry();
  response.set_taxonomy_id(std::string(registry.taxonomy().id()));
  response.set_taxonomy_version(std::string(registry.taxonomy().version()));
  response.set_lexicon_version(registry.lexicon().versions());
  for (const auto& s : registry.systems()) {
    v1::CodeSystemInfo* info = response.add_code_systems();
    info->set_id(s->id);
    info->set_version(s->version);
    info->set_title(s->title);
    info->set_basis(ToProto(s->basis));
    info->set_code_count(static_cast<int>(s->concepts.size()));
    info->set_map_id(s->map_id);
    info->set_map_version(s->map_version);
    info->set_built_in(s->origin == "built-in");
  }
  return response;
}

absl::StatusOr<v1::GetTaxonomyResponse> TaxonomyApi::GetTaxonomy(const v1::GetTaxonomyRequest&) const {
  v1::GetTaxonomyResponse response;
  const Taxonomy& t = options_.normalizer->registry().taxonomy();
  response.set_id(std::string(t.id()));
  response.set_version(std::string(t.version()));
  for (int i = 0; i < kNumCategories; ++i) {
    const CategoryInfo& c = t.category(static_cast<Category>(i));
    v1::CategoryInfo* out = response.add_categories();
    out->set_category(ToProto(c.category));
    out->set_group(ToProto(GroupOf(c.category)));
    out->set_label(c.label);
    out->set_label_full(c.label_full);
  }
  for (int i = 0; i < kNumGroups; ++i) {
    v1::GroupInfo* out = response.add_groups();
    out->set_group(ToProto(static_cast<Group>(i)));
    out->set_label(t.group(static_cast<Group>(i)).label);
  }
  response.set_not_stated_label(t.non_answer_label(Outcome::kNotStated));
  response.set_not_known_label(t.non_answer_label(Outcome::kNotKnown));
  return response;
}

absl::StatusOr<v1::NormalizeResponse> TaxonomyApi::Normalize(const v1::NormalizeRequest& request) const {
  v1::NormalizeResponse response;
  if (const CodedAnswer* cached = Cached(request)) {
    *response.mutable_value() = cached->full;
    return response;
  }
  absl::StatusOr<Normalized> n = options_.normalizer->Normalize(FromProto(request));
  if (!n.ok()) return n.status();
  ToProto(*n, response.mutable_value());
  return response;
}

absl::StatusOr<std::string> TaxonomyApi::NormalizeBatch(const v1::NormalizeBatchRequest& request) const {
  if (request.items_size() > options_.max_batch_items) {
    return WithField(absl::ResourceExhaustedError(absl::StrCat("batch has ", request.items_size(),
                                                               " items; the limit is ", options_.max_batch_items)),
                     "items");
  }
  const bool basic = request.view() == v1::BASIC;
  // NormalizeBatchResponse is `repeated NormalizeBatchResult results = 1`;
  // a result is `id = 1` then `value = 2` or `error = 3`.
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    std::string scratch;
    auto write_result = [&coded](absl::string_view id, uint32_t tag, absl::string_view body) {
      const size_t id_size = 1 + google::protobuf::io::CodedOutputStream::VarintSize32(id.size()) + id.size();
      const size_t body_size = 1 + google::protobuf::io::CodedOutputStream::VarintSize32(body.size()) + body.size();
      coded.WriteTag((1 << 3) | 2);
      coded.WriteVarint32(static_cast<uint32_t>(id_size + body_size));
      coded.WriteTag((1 << 3) | 2);
      coded.WriteVarint32(static_cast<uint32_t>(id.size()));
      coded.WriteRaw(id.data(), static_cast<int>(id.size()));
      coded.WriteTag((tag << 3) | 2);
      coded.WriteVarint32(static_cast<uint32_t>(body.size()));
      coded.WriteRaw(body.data(), static_cast<int>(body.size()));
    };
    absl::flat_hash_set<absl::string_view> ids;
    ids.reserve(request.items_size());
    for (const v1::NormalizeBatchItem& item : request.items()) {
      absl::Status status;
      if (item.id().empty()) {
        status = WithField(absl::InvalidArgumentError("item id is empty"), "id");
      } else if (!ids.insert(item.id()).second) {
        status = WithField(
            absl::InvalidArgumentError(absl::StrCat("item id \"", item.id(), "\" is used twice in the batch")), "id");
      } else if (const CodedAnswer* cached = Cached(item.request())) {
        write_result(item.id(), 2, basic ? cached->basic_bytes : cached->full_bytes);
        continue;
      } else {
        absl::StatusOr<Normalized> n = options_.normalizer->Normalize(FromProto(item.request()));
        if (n.ok()) {
          v1::NormalizedValue value;
          ToProto(*n, &value);
          if (basic) ToBasicView(&value);
          scratch.clear();
          value.SerializeToString(&scratch);
          write_result(item.id(), 2, scratch);
          continue;
        }
        status = n.status();
      }
      v1::ItemError error;
      error.set_code(static_cast<int>(status.code()));
      error.set_message(std::string(status.message()));
      error.set_field(FieldOf(status));
      scratch.clear();
      error.SerializeToString(&scratch);
      write_result(item.id(), 3, scratch);
    }
    coded.Trim();
  }
  return out;
}

absl::StatusOr<v1::TranslateResponse> TaxonomyApi::Translate(const v1::TranslateRequest& request) const {
  v1::TranslateResponse response;
  absl::StatusOr<CodeSuggestion> s =
      options_.normalizer->Translate(request.from_system(), request.code(), request.to_system());
  if (!s.ok()) return s.status();
  ToProto(*s, response.mutable_result());
  return response;
}

absl::StatusOr<v1::SuggestCodeResponse> TaxonomyApi::SuggestCode(const v1::SuggestCodeRequest& request) const {
  v1::SuggestCodeResponse response;
  TaxonomyValue value;
  value.detail = request.detail();
  if (request.value_case() == v1::SuggestCodeRequest::kCategory) {
    std::optional<Category> c = api::FromProto(request.category());
    if (!c) {
      return WithField(
          absl::InvalidArgumentError(absl::StrCat("category ", request.category(), " is not one of the 19")),
          "category");
    }
    value.category = *c;
  } else if (request.non_answer() == v1::NOT_STATED || request.non_answer() == v1::NOT_KNOWN) {
    value.outcome = request.non_answer() == v1::NOT_STATED ? Outcome::kNotStated : Outcome::kNotKnown;
  } else {
    return WithField(absl::InvalidArgumentError("give a category, or a non_answer of NOT_STATED or NOT_KNOWN"),
                     request.value_case() == v1::SuggestCodeRequest::kNonAnswer ? "non_answer" : "category");
  }
  absl::StatusOr<CodeSuggestion> s = options_.normalizer->SuggestCode(value, request.system());
  if (!s.ok()) return s.status();
  ToProto(*s, response.mutable_result());
  return response;
}

grpc::Status TaxonomyServiceImpl::ListCodeSystems(grpc::ServerContext* context,
                                                  const v1::ListCodeSystemsRequest* request,
                                                  v1::ListCodeSystemsResponse* response) {
  return ServeCall(*context, gate_, "/ethrec.v1.TaxonomyService/ListCodeSystems", response, [&](const Caller&) { return api_.ListCodeSystems(*request); });
}

grpc::Status TaxonomyServiceImpl::GetTaxonomy(grpc::ServerContext* context, const v1::GetTaxonomyRequest* request,
                                              v1::GetTaxonomyResponse* response) {
  return ServeCall(*context, gate_, "/ethrec.v1.TaxonomyService/GetTaxonomy", response, [&](const Caller&) { return api_.GetTaxonomy(*request); });
}

grpc::Status TaxonomyServiceImpl::Normalize(grpc::ServerContext* context, const v1::NormalizeRequest* request,
                                            v1::NormalizeResponse* response) {
  return ServeCall(*context, gate_, "/ethrec.v1.TaxonomyService/Normalize", response, [&](const Caller&) { return api_.Normalize(*request); });
}

// One NormalizeBatch call, from being asked for to its answer's completion.
class TaxonomyServiceImpl::BatchCall {
 public:
  explicit BatchCall(TaxonomyServiceImpl& service) : service_(service), responder_(&context_) {}

  // Asks the queue for a call, with this as its tag.
  void Await() {
    service_.RequestNormalizeBatch(&context_, &request_, &responder_, service_.batch_queue_.get(),
                                   service_.batch_queue_.get(), this);
  }

  // This tag came off the queue: a call arrived (answer it), its answer was
  // sent, or the server is shutting down (`ok` false). Deletes itself when
  // the call is over.
  void Proceed(bool ok) {
    if (answered_ || !ok) {
      delete this;
      return;
    }
    service_.AwaitNormalizeBatch();  // the next call, while this one runs
    answered_ = true;
    absl::StatusOr<std::string> bytes = service_.NormalizeBatchBytes(context_, request_);
    if (!bytes.ok()) {
      responder_.FinishWithError(ToGrpcStatus(bytes.status()), this);
      return;
    }
    grpc::Slice slice(*std::move(bytes));
    responder_.Finish(grpc::ByteBuffer(&slice, 1), grpc::Status::OK, this);
  }

 private:
  TaxonomyServiceImpl& service_;
  grpc::ServerContext context_;
  grpc::ByteBuffer request_;
  grpc::ServerAsyncResponseWriter<grpc::ByteBuffer> responder_;
  bool answered_ = false;
};

void TaxonomyServiceImpl::Register(grpc::ServerBuilder& builder) {
  builder.RegisterService(this);
  batch_queue_ = builder.AddCompletionQueue();
}

void TaxonomyServiceImpl::StartNormalizeBatch(int threads) {
  // Every thread takes calls; one waiting call per thread keeps a thread
  // free to take the next while others answer.
  for (int i = 0; i < threads; ++i) AwaitNormalizeBatch();
  for (int i = 0; i < threads; ++i) batch_threads_.emplace_back([this] { ServeNormalizeBatch(); });
}

void TaxonomyServiceImpl::AwaitNormalizeBatch() {
  absl::ReaderMutexLock lock(&batch_queue_mu_);
  if (batch_queue_closed_) return;
  (new BatchCall(*this))->Await();
}

void TaxonomyServiceImpl::ServeNormalizeBatch() {
  void* tag = nullptr;
  bool ok = false;
  while (batch_queue_->Next(&tag, &ok)) static_cast<BatchCall*>(tag)->Proceed(ok);
}

TaxonomyServiceImpl::~TaxonomyServiceImpl() {
  if (batch_queue_ == nullptr) return;
  {
    absl::MutexLock lock(&batch_queue_mu_);
    batch_queue_closed_ = true;
  }
  // The server has shut down: the calls asked for come back not ok, and the
  // threads end when the queue is drained.
  batch_queue_->Shutdown();
  for (std::thread& t : batch_threads_) t.join();
  if (batch_threads_.empty()) ServeNormalizeBatch();  // never started: drain here
}

absl::StatusOr<std::string> TaxonomyServiceImpl::NormalizeBatchBytes(const grpc::ServerContext& context,
                                                                     const grpc::ByteBuffer& request) const {
  if (absl::StatusOr<Caller> caller = gate_.Admit(context, "/ethrec.v1.TaxonomyService/NormalizeBatch"); !caller.ok()) {
    return caller.status();
  }
  absl::StatusOr<v1::NormalizeBatchRequest> parsed = service_internal::ParseNormalizeBatchRequest(request);
  if (!parsed.ok()) return parsed.status();
  return api_.NormalizeBatch(*parsed);
}

grpc::Status TaxonomyServiceImpl::Translate(grpc::ServerContext* context, const v1::TranslateRequest* request,
                                            v1::TranslateResponse* response) {
  return ServeCall(*context, gate_, "/ethrec.v1.TaxonomyService/Translate", response, [&](const Caller&) { return api_.Translate(*request); });
}

grpc::Status TaxonomyServiceImpl::SuggestCode(grpc::ServerContext* context, const v1::SuggestCodeRequest* request,
                                              v1::SuggestCodeResponse* response) {
  return ServeCall(*context, gate_, "/ethrec.v1.TaxonomyService/SuggestCode", response, [&](const Caller&) { return api_.SuggestCode(*request); });
}

}  // namespace ethrec::service
