#include "service/taxonomy_service.h"

#include <google/protobuf/io/coded_stream.h>
#include <grpcpp/support/proto_buffer_reader.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "mapping/status_field.h"
#include "service/caller.h"
#include "service/grpc_status.h"
#include "service/parse_errors.h"
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

TaxonomyServiceImpl::TaxonomyServiceImpl(const Options& options) : options_(options) {
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

const TaxonomyServiceImpl::CodedAnswer* TaxonomyServiceImpl::Cached(const v1::NormalizeRequest& request) const {
  if (!request.text().empty() || request.code().empty()) return nullptr;
  absl::StatusOr<Registry::CodeEntry> entry = options_.normalizer->registry().Lookup(request.system(), request.code());
  if (!entry.ok()) return nullptr;
  auto it = coded_.find(entry->concept_);
  return it == coded_.end() ? nullptr : &it->second;
}

grpc::Status TaxonomyServiceImpl::ListCodeSystems(grpc::ServerContext* context,
                                                  const v1::ListCodeSystemsRequest*,
                                                  v1::ListCodeSystemsResponse* response) {
  if (absl::StatusOr<Caller> caller = CallerFrom(*context); !caller.ok()) return ToGrpcStatus(caller.status());
  const Registry& registry = options_.normalizer->registry();
  response->set_taxonomy_id(std::string(registry.taxonomy().id()));
  response->set_taxonomy_version(std::string(registry.taxonomy().version()));
  response->set_lexicon_version(registry.lexicon().versions());
  for (const auto& s : registry.systems()) {
    v1::CodeSystemInfo* info = response->add_code_systems();
    info->set_id(s->id);
    info->set_version(s->version);
    info->set_title(s->title);
    info->set_basis(ToProto(s->basis));
    info->set_code_count(static_cast<int>(s->concepts.size()));
    info->set_map_id(s->map_id);
    info->set_map_version(s->map_version);
    info->set_built_in(s->origin == "built-in");
  }
  return grpc::Status::OK;
}

grpc::Status TaxonomyServiceImpl::GetTaxonomy(grpc::ServerContext* context, const v1::GetTaxonomyRequest*,
                                              v1::GetTaxonomyResponse* response) {
  if (absl::StatusOr<Caller> caller = CallerFrom(*context); !caller.ok()) return ToGrpcStatus(caller.status());
  const Taxonomy& t = options_.normalizer->registry().taxonomy();
  response->set_id(std::string(t.id()));
  response->set_version(std::string(t.version()));
  for (int i = 0; i < kNumCategories; ++i) {
    const CategoryInfo& c = t.category(static_cast<Category>(i));
    v1::CategoryInfo* out = response->add_categories();
    out->set_category(ToProto(c.category));
    out->set_group(ToProto(GroupOf(c.category)));
    out->set_label(c.label);
    out->set_label_full(c.label_full);
  }
  for (int i = 0; i < kNumGroups; ++i) {
    v1::GroupInfo* out = response->add_groups();
    out->set_group(ToProto(static_cast<Group>(i)));
    out->set_label(t.group(static_cast<Group>(i)).label);
  }
  response->set_not_stated_label(t.non_answer_label(Outcome::kNotStated));
  response->set_not_known_label(t.non_answer_label(Outcome::kNotKnown));
  return grpc::Status::OK;
}

grpc::Status TaxonomyServiceImpl::Normalize(grpc::ServerContext* context, const v1::NormalizeRequest* request,
                                            v1::NormalizeResponse* response) {
  if (absl::StatusOr<Caller> caller = CallerFrom(*context); !caller.ok()) return ToGrpcStatus(caller.status());
  if (const CodedAnswer* cached = Cached(*request)) {
    *response->mutable_value() = cached->full;
    return grpc::Status::OK;
  }
  absl::StatusOr<Normalized> n = options_.normalizer->Normalize(FromProto(*request));
  if (!n.ok()) return ToGrpcStatus(n.status());
  ToProto(*n, response->mutable_value());
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* TaxonomyServiceImpl::NormalizeBatch(grpc::CallbackServerContext* context,
                                                               const grpc::ByteBuffer* request,
                                                               grpc::ByteBuffer* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::string bytes;
  if (absl::Status s = NormalizeBatchBytes(*context, *request, &bytes); !s.ok()) {
    reactor->Finish(ToGrpcStatus(s));
    return reactor;
  }
  grpc::Slice slice(std::move(bytes));
  *response = grpc::ByteBuffer(&slice, 1);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

absl::Status TaxonomyServiceImpl::NormalizeBatchBytes(const grpc::CallbackServerContext& context,
                                                      const grpc::ByteBuffer& request, std::string* out) const {
  if (absl::StatusOr<Caller> caller = CallerFrom(context); !caller.ok()) return caller.status();
  v1::NormalizeBatchRequest parsed;
  {
    // Parsed straight from gRPC's slices (the copy of the buffer shares them).
    grpc::ByteBuffer shared(request);
    grpc::ProtoBufferReader reader(&shared);
    if (!reader.status().ok()) return absl::InternalError("could not read the NormalizeBatch request");
    if (!parsed.ParseFromZeroCopyStream(&reader)) {
      return UnparsableRequestError("/ethrec.v1.TaxonomyService/NormalizeBatch");
    }
  }
  if (parsed.items_size() > options_.max_batch_items) {
    return WithField(absl::ResourceExhaustedError(absl::StrCat("batch has ", parsed.items_size(),
                                                               " items; the limit is ", options_.max_batch_items)),
                     "items");
  }
  const bool basic = parsed.view() == v1::BASIC;
  // NormalizeBatchResponse is `repeated NormalizeBatchResult results = 1`;
  // a result is `id = 1` then `value = 2` or `error = 3`.
  google::protobuf::io::StringOutputStream stream(out);
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
  ids.reserve(parsed.items_size());
  for (const v1::NormalizeBatchItem& item : parsed.items()) {
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
  return absl::OkStatus();
}

grpc::Status TaxonomyServiceImpl::Translate(grpc::ServerContext* context, const v1::TranslateRequest* request,
                                            v1::TranslateResponse* response) {
  if (absl::StatusOr<Caller> caller = CallerFrom(*context); !caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<CodeSuggestion> s =
      options_.normalizer->Translate(request->from_system(), request->code(), request->to_system());
  if (!s.ok()) return ToGrpcStatus(s.status());
  ToProto(*s, response->mutable_result());
  return grpc::Status::OK;
}

grpc::Status TaxonomyServiceImpl::SuggestCode(grpc::ServerContext* context, const v1::SuggestCodeRequest* request,
                                              v1::SuggestCodeResponse* response) {
  if (absl::StatusOr<Caller> caller = CallerFrom(*context); !caller.ok()) return ToGrpcStatus(caller.status());
  TaxonomyValue value;
  value.detail = request->detail();
  if (request->value_case() == v1::SuggestCodeRequest::kCategory) {
    std::optional<Category> c = api::FromProto(request->category());
    if (!c) {
      return ToGrpcStatus(WithField(absl::InvalidArgumentError(absl::StrCat(
                                        "category ", request->category(), " is not one of the 19")),
                                    "category"));
    }
    value.category = *c;
  } else if (request->non_answer() == v1::NOT_STATED || request->non_answer() == v1::NOT_KNOWN) {
    value.outcome = request->non_answer() == v1::NOT_STATED ? Outcome::kNotStated : Outcome::kNotKnown;
  } else {
    return ToGrpcStatus(WithField(
        absl::InvalidArgumentError("give a category, or a non_answer of NOT_STATED or NOT_KNOWN"),
        request->value_case() == v1::SuggestCodeRequest::kNonAnswer ? "non_answer" : "category"));
  }
  absl::StatusOr<CodeSuggestion> s = options_.normalizer->SuggestCode(value, request->system());
  if (!s.ok()) return ToGrpcStatus(s.status());
  ToProto(*s, response->mutable_result());
  return grpc::Status::OK;
}

}  // namespace ethrec::service
