#include "service/caller.h"

#include <algorithm>
#include <vector>

#include <grpc/grpc_security_constants.h>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace ethrec::service {
namespace {

constexpr absl::string_view kSpiffeScheme = "spiffe://";

bool ValidName(absl::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-' || c == '.';
  });
}

// The value of metadata (or header) `key`, when present and a valid name.
absl::StatusOr<std::string> ReadValue(bool present, absl::string_view value, const char* key) {
  if (!present) {
    return absl::UnauthenticatedError(absl::StrCat("call metadata \"", key, "\" is missing"));
  }
  if (!ValidName(value)) {
    return absl::UnauthenticatedError(absl::StrCat(
        "call metadata \"", key, "\" must be 1-64 characters of a-z, 0-9, '-' and '.'"));
  }
  return std::string(value);
}

absl::StatusOr<std::string> Read(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata, const char* key) {
  auto it = metadata.find(key);
  if (it == metadata.end()) return ReadValue(false, "", key);
  return ReadValue(true, absl::string_view(it->second.data(), it->second.size()), key);
}

// The caller named by a certificate's spiffe:// URI SANs: there must be one.
absl::StatusOr<Caller> CallerFromSpiffeIds(const std::vector<std::string>& ids, absl::string_view trust_domain) {
  if (ids.size() != 1) {
    return absl::UnauthenticatedError(absl::StrCat("the client certificate must carry exactly one spiffe:// URI "
                                                   "SAN naming the caller; it carries ",
                                                   ids.size()));
  }
  return CallerFromSpiffeId(ids.front(), trust_domain);
}

// The peer certificate's spiffe:// URI SANs.
std::vector<std::string> SpiffeIds(const grpc::AuthContext& auth) {
  std::vector<std::string> ids;
  for (const char* property : {GRPC_PEER_URI_PROPERTY_NAME, GRPC_X509_SAN_PROPERTY_NAME}) {
    for (const grpc::string_ref& value : auth.FindPropertyValues(property)) {
      std::string id(value.data(), value.size());
      if (absl::StartsWith(id, kSpiffeScheme) && std::find(ids.begin(), ids.end(), id) == ids.end()) {
        ids.push_back(std::move(id));
      }
    }
  }
  return ids;
}

}  // namespace

absl::StatusOr<Caller> CallerFromMetadata(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
  absl::StatusOr<std::string> agency = Read(metadata, kAgencyMetadataKey);
  if (!agency.ok()) return agency.status();
  absl::StatusOr<std::string> role = Read(metadata, kRoleMetadataKey);
  if (!role.ok()) return role.status();
  return Caller{.agency = *std::move(agency), .role = *std::move(role)};
}

absl::StatusOr<Caller> CallerFromSpiffeId(absl::string_view spiffe_id, absl::string_view trust_domain) {
  const auto bad = [](absl::string_view why) {
    return absl::UnauthenticatedError(absl::StrCat(
        "the client certificate's SPIFFE ID ", why, "; it must be spiffe://TRUST_DOMAIN/agency/AGENCY/role/ROLE"));
  };
  if (!absl::StartsWith(spiffe_id, kSpiffeScheme)) return bad("is not a spiffe:// URI");
  const std::vector<absl::string_view> parts = absl::StrSplit(spiffe_id.substr(kSpiffeScheme.size()), '/');
  if (parts.size() != 5 || parts[1] != "agency" || parts[3] != "role") return bad("has the wrong path");
  if (parts[0] != trust_domain) {
    return bad(absl::StrCat("names trust domain \"", parts[0], "\", not this server's \"", trust_domain, "\""));
  }
  if (!ValidName(parts[2]) || !ValidName(parts[4])) {
    return bad("has an agency or role that is not 1-64 characters of a-z, 0-9, '-' and '.'");
  }
  return Caller{.agency = std::string(parts[2]), .role = std::string(parts[4]), .identity = std::string(spiffe_id)};
}

absl::StatusOr<Caller> CallerFrom(const grpc::ServerContextBase& context, const IdentityOptions& options) {
  absl::StatusOr<Caller> caller;
  if (options.from_certificate) {
    const std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
    caller = CallerFromSpiffeIds(auth == nullptr ? std::vector<std::string>{} : SpiffeIds(*auth),
                                 options.trust_domain);
  } else {
    caller = CallerFromMetadata(context.client_metadata());
  }
  if (caller.ok()) caller->peer = context.peer();
  return caller;
}

absl::StatusOr<Caller> CallerFromHttp(const HttpPeer& peer, const IdentityOptions& options) {
  absl::StatusOr<Caller> caller;
  if (options.from_certificate) {
    caller = CallerFromSpiffeIds(peer.spiffe_ids, options.trust_domain);
  } else {
    absl::StatusOr<std::string> agency = ReadValue(peer.has_agency_header, peer.agency_header, kAgencyMetadataKey);
    if (!agency.ok()) return agency.status();
    absl::StatusOr<std::string> role = ReadValue(peer.has_role_header, peer.role_header, kRoleMetadataKey);
    if (!role.ok()) return role.status();
    caller = Caller{.agency = *std::move(agency), .role = *std::move(role)};
  }
  if (caller.ok()) caller->peer = absl::StrCat("http:", peer.address);
  return caller;
}

}  // namespace ethrec::service
