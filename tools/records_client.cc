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

constexpr absl::string_view kBatchItemPayloadUrl = "type.ethrec.dev/batch-item";
constexpr absl::string_view kBatchPrefix = "observations[";

// Splits "observations[3].child.nhs_number" (or a message starting
// "observations[3]: ...") into 3 and what follows the "]" and one separator.
std::optional<size_t> ParseItemPrefix(absl::string_view s, absl::string_view* rest) {
  if (!absl::ConsumePrefix(&s, kBatchPrefix)) return std::nullopt;
  const size_t close = s.find(']');
  size_t index = 0;
  if (close == absl::string_view::npos || !absl::SimpleAtoi(s.substr(0, close), &index)) return std::nullopt;
  s.remove_prefix(close + 1);
  if (!s.empty() && (s.front() == '.' || s.front() == ':')) s.remove_prefix(1);
  *rest = s;
  return index;
}

// The server's status, with the field and batch item it names.
absl::Status FromGrpc(const grpc::Status& s) {
  std::string violation;
  absl::Status out = grpc_internal::StatusFromGrpc(s, &violation);
  std::optional<size_t> item;
  if (!violation.empty()) {
    absl::string_view field = violation;
    absl::string_view rest;
    if ((item = ParseItemPrefix(field, &rest))) {
      field = rest;
    } else {
      absl::ConsumePrefix(&field, "observation.");
    }
    out = WithField(out, field);
  }
  absl::string_view unused;
  if (!item) item = ParseItemPrefix(s.error_message(), &unused);
  return item ? WithBatchItem(out, *item) : out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RecordsClient>> RecordsClient::Connect(const std::string& address,
                                                                      const RemoteIdentity& identity) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = grpc_internal::ConnectTo(address);
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

absl::Status WithBatchItem(absl::Status status, size_t index) {
  if (!status.ok()) status.SetPayload(kBatchItemPayloadUrl, absl::Cord(absl::StrCat(index)));
  return status;
}

std::optional<size_t> BatchItemOf(const absl::Status& status) {
  absl::optional<absl::Cord> item = status.GetPayload(kBatchItemPayloadUrl);
  size_t index = 0;
  if (!item.has_value() || !absl::SimpleAtoi(std::string(*item), &index)) return std::nullopt;
  return index;
}

}  // namespace ethrec::tools
