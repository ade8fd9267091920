#include "tools/internal/grpc_client.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace ethrec::tools::grpc_internal {

absl::StatusOr<std::shared_ptr<grpc::Channel>> ConnectTo(const std::string& address) {
  std::shared_ptr<grpc::Channel> channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(5))) {
    return absl::UnavailableError(absl::StrCat("no ethrecd answers at ", address));
  }
  return channel;
}

std::unique_ptr<grpc::ClientContext> CallContext(const RemoteIdentity& identity, absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("x-ethrec-agency", identity.agency);
  context->AddMetadata("x-ethrec-role", identity.role);
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return context;
}

absl::Status StatusFromGrpc(const grpc::Status& s, std::string* field) {
  if (field != nullptr) field->clear();
  absl::Status out(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
  google::rpc::Status details;
  if (field == nullptr || s.error_details().empty() || !details.ParseFromString(s.error_details())) return out;
  for (const google::protobuf::Any& any : details.details()) {
    google::rpc::BadRequest bad;
    if (any.UnpackTo(&bad) && bad.field_violations_size() > 0) {
      *field = bad.field_violations(0).field();
      break;
    }
  }
  return out;
}

}  // namespace ethrec::tools::grpc_internal
