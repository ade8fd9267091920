#include "tools/audit_client.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "api/audit.h"
#include "mapping/status_field.h"
#include "tools/internal/grpc_client.h"

namespace ethrec::tools {

absl::StatusOr<std::unique_ptr<AuditClient>> AuditClient::Connect(const std::string& address,
                                                                  const RemoteIdentity& identity) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = grpc_internal::ConnectTo(address, identity);
  if (!channel.ok()) return channel.status();
  return std::unique_ptr<AuditClient>(new AuditClient(v1::AuditService::NewStub(*channel), identity));
}

absl::StatusOr<v1::ListAuditEventsResponse> AuditClient::List(const v1::ListAuditEventsRequest& request) {
  v1::ListAuditEventsResponse response;
  grpc::Status s =
      stub_->ListAuditEvents(grpc_internal::CallContext(identity_, absl::Seconds(60)).get(), request, &response);
  if (!s.ok()) {
    std::string field;
    absl::Status out = grpc_internal::StatusFromGrpc(s, &field);
    return field.empty() ? out : WithField(out, field);
  }
  return response;
}

absl::StatusOr<std::vector<AuditEvent>> AuditClient::ListAll(const v1::ListAuditEventsRequest& request,
                                                             int max_pages) {
  v1::ListAuditEventsRequest page_request = request;
  std::vector<AuditEvent> all;
  for (int pages = 0; pages < max_pages; ++pages) {
    absl::StatusOr<v1::ListAuditEventsResponse> page = List(page_request);
    if (!page.ok()) return page.status();
    for (const v1::AuditEvent& e : page->events()) all.push_back(api::FromProto(e));
    if (page->next_page_token().empty()) return all;
    page_request.set_page_token(page->next_page_token());
  }
  return absl::ResourceExhaustedError(
      absl::StrCat("the audit events run to more than ", max_pages, " pages; narrow the filters"));
}

}  // namespace ethrec::tools
