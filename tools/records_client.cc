#include "tools/records_client.h"

#include "tools/internal/grpc_client.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "mapping/status_field.h"

namespace ethrec::tools {
namespace {

// The server's status, with the field and batch item it names.
absl::Status FromGrpc(const grpc::Status& s) {
  std::string violation;
  absl::Status out = grpc_internal::StatusFromGrpc(s, &violation);
  if (violation.empty()) return out;
  if (std::optional<std::pair<size_t, std::string>> item = ParseBatchFieldPath("observations", violation)) {
    return WithBatchItem(WithField(out, item->second), item->first);
  }
  absl::string_view field = violation;
  absl::ConsumePrefix(&field, "observation.");
  return WithField(out, field);
}

}  // namespace

absl::StatusOr<std::unique_ptr<RecordsClient>> RecordsClient::Connect(const std::string& address,
                                                                      const RemoteIdentity& identity) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = grpc_internal::ConnectTo(address, identity);
  if (!channel.ok()) return channel.status();
  return std::unique_ptr<RecordsClient>(new RecordsClient(v1::RecordsService::NewStub(*channel), identity));
}

std::unique_ptr<grpc::ClientContext> RecordsClient::Context() const {
  return grpc_internal::CallContext(identity_, absl::Seconds(60));
}

absl::StatusOr<v1::RecordObservationResponse> RecordsClient::Record(const v1::ObservationInput& observation,
                                                                    bool validate_only) {
  v1::RecordObservationRequest request;
  *request.mutable_observation() = observation;
  request.set_validate_only(validate_only);
  v1::RecordObservationResponse response;
  grpc::Status s = stub_->RecordObservation(Context().get(), request, &response);
  if (!s.ok()) return FromGrpc(s);
  return response;
}

absl::StatusOr<v1::RecordObservationsResponse> RecordsClient::RecordBatch(
    const v1::RecordObservationsRequest& request) {
  v1::RecordObservationsResponse response;
  grpc::Status s = stub_->RecordObservations(Context().get(), request, &response);
  if (!s.ok()) return FromGrpc(s);
  return response;
}

absl::StatusOr<v1::GetChildResponse> RecordsClient::GetChild(const v1::ChildRef& child) {
  v1::GetChildRequest request;
  *request.mutable_child() = child;
  v1::GetChildResponse response;
  grpc::Status s = stub_->GetChild(Context().get(), request, &response);
  if (!s.ok()) return FromGrpc(s);
  return response;
}

}  // namespace ethrec::tools
