// RecordsClient: the ethrec CLI's client of an ethrecd RecordsService.
//
// Every call carries the caller's identity (agency, role) as call metadata,
// as the remote backend does (tools/backend.h), and returns the server's
// gRPC status as an absl::Status with the same code and message. When the
// server names a request field (a google.rpc.BadRequest field violation such
// as "observations[3].child.nhs_number"), the status carries that field
// (without "observation." or "observations[3].") as mapping/status_field.h
// describes, and for a batch the item's index (mapping/status_field.h BatchItemOf).
//
// Example:
//   absl::StatusOr<std::unique_ptr<RecordsClient>> client =
//       RecordsClient::Connect("127.0.0.1:50051", {.agency = "camden-csc"});
//   absl::StatusOr<v1::RecordObservationsResponse> r = (*client)->RecordBatch(request);
//   if (!r.ok() && BatchItemOf(r.status())) { ... that item was refused ... }
#ifndef ETHREC_TOOLS_RECORDS_CLIENT_H_
#define ETHREC_TOOLS_RECORDS_CLIENT_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ethrec/v1/records_service.grpc.pb.h"
#include "mapping/status_field.h"
#include "tools/backend.h"

namespace ethrec::tools {

class RecordsClient {
 public:
  // Connects to the ethrecd at `address` (host:port). Unavailable when it
  // does not answer within 5 seconds.
  static absl::StatusOr<std::unique_ptr<RecordsClient>> Connect(const std::string& address,
                                                                const RemoteIdentity& identity);

  // RecordObservation. Errors: the server's (field attached when named).
  // With `validate_only`, the server checks and answers but stores nothing.
  absl::StatusOr<v1::RecordObservationResponse> Record(const v1::ObservationInput& observation,
                                                       bool validate_only = false);

  // RecordObservations: all or nothing. An error about one item carries its
  // index (BatchItemOf) and field; any other error (Unavailable, a storage
  // failure, a batch over the server's limits) carries no index.
  absl::StatusOr<v1::RecordObservationsResponse> RecordBatch(const v1::RecordObservationsRequest& request);

  // GetChild. Errors: NotFound for an unknown child; the server's otherwise.
  absl::StatusOr<v1::GetChildResponse> GetChild(const v1::ChildRef& child);

 private:
  RecordsClient(std::unique_ptr<v1::RecordsService::Stub> stub, RemoteIdentity identity)
      : stub_(std::move(stub)), identity_(std::move(identity)) {}

  std::unique_ptr<grpc::ClientContext> Context() const;

  std::unique_ptr<v1::RecordsService::Stub> stub_;
  RemoteIdentity identity_;
};


}  // namespace ethrec::tools

#endif  // ETHREC_TOOLS_RECORDS_CLIENT_H_
