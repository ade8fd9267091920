// The caller's identity, carried in the call context. Until client
// certificates are in place it comes from call metadata; it is never taken
// from a request message.
#ifndef ETHREC_SERVICE_CALLER_H_
#define ETHREC_SERVICE_CALLER_H_

#include <map>
#include <string>

#include <grpcpp/server_context.h>
#include <grpcpp/support/string_ref.h>

#include "absl/status/statusor.h"

namespace ethrec::service {

// The role that sees every agency's data and reviews findings; every other
// role sees only its own agency's.
inline constexpr char kDataQualityRole[] = "data-quality-officer";

inline constexpr char kAgencyMetadataKey[] = "x-ethrec-agency";
inline constexpr char kRoleMetadataKey[] = "x-ethrec-role";

struct Caller {
  std::string agency;  // e.g. "camden-csc": 1-64 of a-z, 0-9, '-', '.'
  std::string role;    // e.g. "record-system": same alphabet
};

// Reads the caller from call metadata (kAgencyMetadataKey and
// kRoleMetadataKey). Unauthenticated, naming the missing or malformed
// metadata key, when either is absent or invalid.
absl::StatusOr<Caller> CallerFromMetadata(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata);

// CallerFromMetadata of `context`'s client metadata.
absl::StatusOr<Caller> CallerFrom(const grpc::ServerContextBase& context);

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_CALLER_H_
