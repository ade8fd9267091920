// Who may call what: the one table of roles and methods, and the gate every
// RPC passes through (ServeCall) before its logic runs. The README's
// "Roles" table shows this table; access_policy_test checks they agree.
//
// The table decides only whether a role may call a method at all. What a
// caller then sees is its scope: a record system sees only its own agency's
// part of a child (mapping/child_record.h ViewOfChild) and its own agency's
// findings (VisibleToAgency); SeesEveryAgency roles see all. Whether a
// caller may see a child or a finding at all is decided by the store, in
// the call's audited transaction (StoreAccess), so that a refusal is in the
// audit trail. A role not in the table, or a method not in it, is denied.
#ifndef ETHREC_SERVICE_ACCESS_POLICY_H_
#define ETHREC_SERVICE_ACCESS_POLICY_H_

#include <vector>

#include <grpcpp/server_context.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "service/caller.h"
#include "service/store.h"

namespace ethrec::service {

// The roles.
inline constexpr char kRecordSystemRole[] = "record-system";
// Sees every agency's data and reviews findings.
inline constexpr char kDataQualityRole[] = "data-quality-officer";
inline constexpr char kAuditorRole[] = "auditor";

// Every role, in the table's order.
absl::Span<const absl::string_view> Roles();

// One row of the table: a full method name and the roles that may call it.
struct MethodAccess {
  absl::string_view method;  // "/ethrec.v1.RecordsService/GetChild"
  std::vector<absl::string_view> roles;
};

// The table, one row per RPC the server serves.
absl::Span<const MethodAccess> AccessTable();

// OK when `role` may call `method`. PermissionDenied, naming the roles that
// may, when it may not; PermissionDenied naming the known roles for an
// unknown role, and for a method the table does not list.
absl::Status Authorize(absl::string_view role, absl::string_view method);

// Whether `role` sees every agency's data (officers), rather than only its
// own agency's.
bool SeesEveryAgency(absl::string_view role);

// What the store is told of `caller` for every access to a child's data:
// who it is, for the audit event, and its scope (SeesEveryAgency).
Access StoreAccess(const Caller& caller);

// The gate: who is calling (IdentityOptions) and whether they may call.
class CallGate {
 public:
  explicit CallGate(IdentityOptions identity) : identity_(std::move(identity)) {}

  // The caller of `method` on the call `context` serves, when the table
  // lets its role call it. Unauthenticated when the identity is missing or
  // malformed; PermissionDenied as Authorize.
  absl::StatusOr<Caller> Admit(const grpc::ServerContextBase& context, absl::string_view method) const;
  // The same for an HTTP request (CallerFromHttp), with `method` the full
  // gRPC method the request calls: the same table, the same errors.
  absl::StatusOr<Caller> AdmitHttp(const HttpPeer& peer, absl::string_view method) const;

  const IdentityOptions& identity() const { return identity_; }

 private:
  static absl::StatusOr<Caller> Authorized(absl::StatusOr<Caller> caller, absl::string_view method);

  IdentityOptions identity_;
};

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_ACCESS_POLICY_H_
