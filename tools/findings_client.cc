#include "tools/findings_client.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "mapping/status_field.h"
#include "tools/internal/grpc_client.h"

namespace ethrec::tools {
namespace {

// The server's status, with the field its first BadRequest field violation
// names.
absl::Status FromGrpc(const grpc::Status& s) {
  std::string field;
  absl::Status out = grpc_internal::StatusFromGrpc(s, &field);
  return field.empty() ? out : WithField(out, field);
}

}  // namespace

absl::StatusOr<std::unique_ptr<FindingsClient>> FindingsClient::Connect(const std::string& address,
                                                                        const RemoteIdentity& identity) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = grpc_internal::ConnectTo(address, identity);
  if (!channel.ok()) return channel.status();
  return std::unique_ptr<FindingsClient>(new FindingsClient(v1::FindingsService::NewStub(*channel), identity));
}

std::unique_ptr<grpc::ClientContext> FindingsClient::Context() const {
  return grpc_internal::CallContext(identity_, absl::Seconds(60));
}

absl::StatusOr<v1::ListFindingsResponse> FindingsClient::List(const v1::ListFindingsRequest& request) {
  v1::ListFindingsResponse response;
  grpc::Status s = stub_->ListFindings(Context().get(), request, &response);
  if (!s.ok()) return FromGrpc(s);
  return response;
}

absl::StatusOr<std::vector<v1::Finding>> FindingsClient::ListAll(const v1::ListFindingsRequest& request,
                                                                 int max_pages) {
  v1::ListFindingsRequest page_request = request;
  std::vector<v1::Finding> all;
  for (int pages = 0; pages < max_pages; ++pages) {
    absl::StatusOr<v1::ListFindingsResponse> page = List(page_request);
    if (!page.ok()) return page.status();
    for (v1::Finding& f : *page->mutable_findings()) all.push_back(std::move(f));
    if (page->next_page_token().empty()) return all;
    page_request.set_page_token(page->next_page_token());
  }
  return absl::ResourceExhaustedError(
      absl::StrCat("the findings run to more than ", max_pages, " pages; narrow the filters"));
}

absl::StatusOr<v1::Finding> FindingsClient::Get(int64_t finding_id) {
  v1::GetFindingRequest request;
  request.set_finding_id(finding_id);
  v1::Finding response;
  grpc::Status s = stub_->GetFinding(Context().get(), request, &response);
  if (!s.ok()) return FromGrpc(s);
  return response;
}

absl::StatusOr<v1::SummarizeFindingsResponse> FindingsClient::Summarize(const std::string& agency) {
  v1::SummarizeFindingsRequest request;
  request.set_agency(agency);
  v1::SummarizeFindingsResponse response;
  grpc::Status s = stub_->SummarizeFindings(Context().get(), request, &response);
  if (!s.ok()) return FromGrpc(s);
  return response;
}

absl::StatusOr<v1::Finding> FindingsClient::Review(const v1::ReviewFindingRequest& request) {
  v1::Finding response;
  grpc::Status s = stub_->ReviewFinding(Context().get(), request, &response);
  if (!s.ok()) return FromGrpc(s);
  return response;
}

absl::StatusOr<v1::ChildReconciliation> FindingsClient::Child(const v1::GetChildReconciliationRequest& request) {
  v1::ChildReconciliation response;
  grpc::Status s = stub_->GetChildReconciliation(Context().get(), request, &response);
  if (!s.ok()) return FromGrpc(s);
  return response;
}

absl::StatusOr<std::vector<v1::ChildReconciliation>> FindingsClient::AllChildren(int max_children) {
  std::vector<v1::ChildReconciliation> out;
  v1::ListChildReconciliationsRequest request;
  request.set_page_size(1000);
  while (true) {
    v1::ListChildReconciliationsResponse page;
    grpc::Status s = stub_->ListChildReconciliations(Context().get(), request, &page);
    if (!s.ok()) return FromGrpc(s);
    for (v1::ChildReconciliation& c : *page.mutable_children()) {
      if (static_cast<int>(out.size()) == max_children) return out;
      out.push_back(std::move(c));
    }
    if (page.next_page_token().empty()) return out;
    request.set_page_token(page.next_page_token());
  }
}

}  // namespace ethrec::tools
