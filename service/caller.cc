#include "service/caller.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace ethrec::service {
namespace {

bool ValidName(absl::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-' || c == '.';
  });
}

absl::StatusOr<std::string> Read(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata, const char* key) {
  auto it = metadata.find(key);
  if (it == metadata.end()) {
    return absl::UnauthenticatedError(absl::StrCat("call metadata \"", key, "\" is missing"));
  }
  absl::string_view value(it->second.data(), it->second.size());
  if (!ValidName(value)) {
    return absl::UnauthenticatedError(absl::StrCat(
        "call metadata \"", key, "\" must be 1-64 characters of a-z, 0-9, '-' and '.'"));
  }
  return std::string(value);
}

}  // namespace

absl::StatusOr<Caller> CallerFromMetadata(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
  absl::StatusOr<std::string> agency = Read(metadata, kAgencyMetadataKey);
  if (!agency.ok()) return agency.status();
  absl::StatusOr<std::string> role = Read(metadata, kRoleMetadataKey);
  if (!role.ok()) return role.status();
  return Caller{*std::move(agency), *std::move(role)};
}

absl::StatusOr<Caller> CallerFrom(const grpc::ServerContextBase& context) {
  return CallerFromMetadata(context.client_metadata());
}

}  // namespace ethrec::service
