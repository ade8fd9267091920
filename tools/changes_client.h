// ChangesClient: the ethrec CLI's client of an ethrecd ChangesService (the
// change feed). Carries the caller's identity as the other clients do and
// returns the server's status with its code, message and field.
//
// Example:
//   absl::StatusOr<std::unique_ptr<ChangesClient>> client =
//       ChangesClient::Connect("127.0.0.1:50051", {.agency = "camden-csc", .role = "record-system"});
//   v1::WatchChangesRequest request;
//   request.set_since_token(saved);
//   absl::Status ended = (*client)->Watch(request, [](const v1::ChangeEvent& e) { ...; return true; });
#ifndef ETHREC_TOOLS_CHANGES_CLIENT_H_
#define ETHREC_TOOLS_CHANGES_CLIENT_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ethrec/v1/changes_service.grpc.pb.h"
#include "tools/backend.h"

namespace ethrec::tools {

class ChangesClient {
 public:
  // Connects to the ethrecd at `address` (host:port). Unavailable when it
  // does not answer within 5 seconds.
  static absl::StatusOr<std::unique_ptr<ChangesClient>> Connect(const std::string& address,
                                                                const RemoteIdentity& identity);

  // WatchChanges: calls `on_event` with each event as it arrives until it
  // returns false (then the watch is cancelled and this returns OK) or the
  // stream ends (the server's status: OutOfRange for an expired token,
  // Unavailable when the server went away...).
  absl::Status Watch(const v1::WatchChangesRequest& request,
                     const std::function<bool(const v1::ChangeEvent&)>& on_event);

 private:
  ChangesClient(std::unique_ptr<v1::ChangesService::Stub> stub, RemoteIdentity identity)
      : stub_(std::move(stub)), identity_(std::move(identity)) {}

  std::unique_ptr<v1::ChangesService::Stub> stub_;
  RemoteIdentity identity_;
};

}  // namespace ethrec::tools

#endif  // ETHREC_TOOLS_CHANGES_CLIENT_H_
