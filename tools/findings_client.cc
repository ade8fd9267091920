#include "tools/findings_client.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "mapping/status_field.h"

namespace ethrec::tools {
namespace {

// The server's status, with the field its first BadRequest field violation
// names.
absl::Status FromGrpc(const grpc::Status& s) {
  absl::Status out(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
  google::rpc::Status details;
  if (s.error_details().empty() || !details.ParseFromString(s.error_details())) return out;
  for (const google::protobuf::Any& any : details.details()) {
    google::rpc::BadRequest bad;
    if (any.UnpackTo(&bad) && bad.field_violations_size() > 0) {
      return WithField(out, bad.field_violations(0).field());
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<FindingsClient>> FindingsClient::Connect(const std::string& address,
                                                                        const RemoteIdentity& identity) {
  std::shared_ptr<grpc::Channel> channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(5))) {
    return absl::UnavailableError(absl::StrCat("no ethrecd answers at ", address));
  }
  return std::unique_ptr<FindingsClient>(new FindingsClient(v1::FindingsService::NewStub(channel), identity));
}

std::unique_ptr<grpc::ClientContext> FindingsClient::Context() const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("x-ethrec-agency", identity_.agency);
  context->AddMetadata("x-ethrec-role", identity_.role);
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  return context;
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

}  // namespace ethrec::tools
