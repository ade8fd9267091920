// Test-only helpers for calling ethrecd through a real gRPC client.
#ifndef ETHREC_TESTS_SERVICE_GRPC_TEST_UTIL_H_
#define ETHREC_TESTS_SERVICE_GRPC_TEST_UTIL_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace ethrec::testing {

// A context carrying the caller's identity, as agency systems send it, with
// a 10-second deadline.
inline std::unique_ptr<grpc::ClientContext> CallerContext(const std::string& agency = "test-agency") {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("x-ethrec-agency", agency);
  context->AddMetadata("x-ethrec-role", "record-system");
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return context;
}

// The fields named by the BadRequest in a status's google.rpc details.
inline std::vector<std::string> FieldViolations(const grpc::Status& status) {
  google::rpc::Status details;
  std::vector<std::string> fields;
  if (!details.ParseFromString(status.error_details())) return fields;
  for (const auto& any : details.details()) {
    google::rpc::BadRequest bad;
    if (any.UnpackTo(&bad)) {
      for (const auto& v : bad.field_violations()) fields.push_back(v.field());
    }
  }
  return fields;
}

}  // namespace ethrec::testing

#endif  // ETHREC_TESTS_SERVICE_GRPC_TEST_UTIL_H_
