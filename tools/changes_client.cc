#include "tools/changes_client.h"

#include <grpcpp/grpcpp.h>

#include "mapping/status_field.h"
#include "tools/internal/grpc_client.h"

namespace ethrec::tools {

absl::StatusOr<std::unique_ptr<ChangesClient>> ChangesClient::Connect(const std::string& address,
                                                                      const RemoteIdentity& identity) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = grpc_internal::ConnectTo(address, identity);
  if (!channel.ok()) return channel.status();
  return std::unique_ptr<ChangesClient>(new ChangesClient(v1::ChangesService::NewStub(*channel), identity));
}

absl::Status ChangesClient::Watch(const v1::WatchChangesRequest& request,
                                  const std::function<bool(const v1::ChangeEvent&)>& on_event) {
  // A watch has no natural end: a deadline a year away.
  std::unique_ptr<grpc::ClientContext> context = grpc_internal::CallContext(identity_, absl::Hours(24 * 365));
  std::unique_ptr<grpc::ClientReader<v1::ChangeEvent>> reader = stub_->WatchChanges(context.get(), request);
  v1::ChangeEvent event;
  bool stopped = false;
  while (reader->Read(&event)) {
    if (!on_event(event)) {
      stopped = true;
      context->TryCancel();
      break;
    }
  }
  const grpc::Status s = reader->Finish();
  if (stopped || s.ok()) return absl::OkStatus();
  std::string field;
  absl::Status out = grpc_internal::StatusFromGrpc(s, &field);
  return field.empty() ? out : WithField(out, field);
}

}  // namespace ethrec::tools
