// The caller's identity, carried by the call, never by a request message.
// With mutual TLS it comes from the client certificate's SPIFFE ID
// (spiffe://TRUST_DOMAIN/agency/AGENCY/role/ROLE) and call metadata is
// ignored; without TLS (development and tests, plaintext on loopback) it
// comes from call metadata. What each role may call is access_policy.h's.
#ifndef ETHREC_SERVICE_CALLER_H_
#define ETHREC_SERVICE_CALLER_H_

#include <map>
#include <string>
#include <vector>

#include <grpcpp/server_context.h>
#include <grpcpp/support/string_ref.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ethrec::service {

inline constexpr char kAgencyMetadataKey[] = "x-ethrec-agency";
inline constexpr char kRoleMetadataKey[] = "x-ethrec-role";

// `identity` of a caller known from call metadata (no certificate).
inline constexpr char kMetadataIdentity[] = "metadata";

struct Caller {
  std::string agency;  // e.g. "camden-csc": 1-64 of a-z, 0-9, '-', '.'
  std::string role;    // e.g. "record-system": same alphabet
  // How the caller was known: its certificate's SPIFFE ID, or
  // kMetadataIdentity. Kept for the audit.
  std::string identity = kMetadataIdentity;
  std::string peer;    // gRPC's peer address, e.g. "ipv4:127.0.0.1:53412"
  std::string method;  // the full method called, e.g. "/ethrec.v1.RecordsService/GetChild"
};

// How the server learns who is calling.
struct IdentityOptions {
  // true (mutual TLS): from the client certificate's SPIFFE ID, ignoring
  // call metadata. false: from call metadata.
  bool from_certificate = false;
  // The SPIFFE trust domain certificates must name (--trust_domain).
  std::string trust_domain = "ethrec";
};

// Reads the caller from call metadata (kAgencyMetadataKey and
// kRoleMetadataKey). Unauthenticated, naming the missing or malformed
// metadata key, when either is absent or invalid.
absl::StatusOr<Caller> CallerFromMetadata(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata);

// Reads the caller from a SPIFFE ID "spiffe://TRUST_DOMAIN/agency/A/role/R".
// Unauthenticated, saying what is wrong, when it is not of that form, names
// another trust domain, or A or R is not a valid name.
absl::StatusOr<Caller> CallerFromSpiffeId(absl::string_view spiffe_id, absl::string_view trust_domain);

// The caller of the call `context` serves, by `options`, with its peer
// address (method is left empty). With from_certificate the peer's
// certificate must carry exactly one spiffe:// URI SAN.
absl::StatusOr<Caller> CallerFrom(const grpc::ServerContextBase& context, const IdentityOptions& options);

// What an HTTP request says about its caller: its verified client
// certificate's spiffe:// URI SANs (with mutual TLS), and the values of
// the headers named kAgencyMetadataKey and kRoleMetadataKey ("" when absent).
struct HttpPeer {
  std::vector<std::string> spiffe_ids;
  std::string agency_header;
  std::string role_header;
  bool has_agency_header = false;
  bool has_role_header = false;
  std::string address;  // "ipv4:127.0.0.1:53412"
};

// The caller of an HTTP request, by the same rules as CallerFrom: with
// from_certificate its certificate's one SPIFFE ID (headers ignored), else
// the two headers, which must be present and valid as the metadata must.
// The peer is `peer.address` prefixed "http:" so that the audit tells the
// two transports apart.
absl::StatusOr<Caller> CallerFromHttp(const HttpPeer& peer, const IdentityOptions& options);

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_CALLER_H_
