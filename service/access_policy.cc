#include "service/access_policy.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ethrec::service {
namespace {

constexpr absl::string_view kRoles[] = {kRecordSystemRole, kDataQualityRole, kAuditorRole};

const std::vector<MethodAccess>& Table() {
  static const auto* const table = [] {
    const std::vector<absl::string_view> entry = {kRecordSystemRole, kDataQualityRole};
    const std::vector<absl::string_view> writer = {kRecordSystemRole};
    const std::vector<absl::string_view> officer = {kDataQualityRole};
    const std::vector<absl::string_view> auditor = {kAuditorRole};
    const std::vector<absl::string_view> everyone(std::begin(kRoles), std::end(kRoles));
    return new std::vector<MethodAccess>{
        {"/ethrec.v1.TaxonomyService/ListCodeSystems", entry},
        {"/ethrec.v1.TaxonomyService/GetTaxonomy", entry},
        {"/ethrec.v1.TaxonomyService/Normalize", entry},
        {"/ethrec.v1.TaxonomyService/NormalizeBatch", entry},
        {"/ethrec.v1.TaxonomyService/Translate", entry},
        {"/ethrec.v1.TaxonomyService/SuggestCode", entry},
        {"/ethrec.v1.DiagnosticsService/Echo", everyone},
        {"/ethrec.v1.RecordsService/RecordObservation", writer},
        {"/ethrec.v1.RecordsService/RecordObservations", writer},
        {"/ethrec.v1.RecordsService/GetChild", entry},
        {"/ethrec.v1.FindingsService/ListFindings", entry},
        {"/ethrec.v1.FindingsService/GetFinding", entry},
        {"/ethrec.v1.FindingsService/SummarizeFindings", entry},
        {"/ethrec.v1.FindingsService/GetChildReconciliation", entry},
        {"/ethrec.v1.FindingsService/ReviewFinding", officer},
        {"/ethrec.v1.FindingsService/ListChildReconciliations", officer},
        {"/ethrec.v1.AuditService/ListAuditEvents", auditor},
        {"/ethrec.v1.ChangesService/WatchChanges", entry},
        {"/ethrec.v1.ChangesService/ListChanges", entry},
    };
  }();
  return *table;
}

}  // namespace

absl::Span<const absl::string_view> Roles() { return kRoles; }

absl::Span<const MethodAccess> AccessTable() { return Table(); }

absl::Status Authorize(absl::string_view role, absl::string_view method) {
  if (std::find(std::begin(kRoles), std::end(kRoles), role) == std::end(kRoles)) {
    return absl::PermissionDeniedError(
        absl::StrCat("role \"", role, "\" is not a role of this server; the roles are ", absl::StrJoin(kRoles, ", ")));
  }
  const std::vector<MethodAccess>& table = Table();
  auto row = std::find_if(table.begin(), table.end(), [method](const MethodAccess& m) { return m.method == method; });
  if (row == table.end()) {
    return absl::PermissionDeniedError(absl::StrCat(method, " is in no role's access"));
  }
  if (std::find(row->roles.begin(), row->roles.end(), role) != row->roles.end()) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(method, " is for role ", absl::StrJoin(row->roles, " or "),
                                                  "; this caller's role is ", role));
}

bool SeesEveryAgency(absl::string_view role) { return role == kDataQualityRole; }

Access StoreAccess(const Caller& caller) {
  return Access{.actor = {.agency = caller.agency,
                          .role = caller.role,
                          .identity = caller.identity,
                          .peer = caller.peer,
                          .method = caller.method},
                .all_agencies = SeesEveryAgency(caller.role)};
}

absl::StatusOr<Caller> CallGate::Admit(const grpc::ServerContextBase& context, absl::string_view method) const {
  return Authorized(CallerFrom(context, identity_), method);
}

absl::StatusOr<Caller> CallGate::AdmitHttp(const HttpPeer& peer, absl::string_view method) const {
  return Authorized(CallerFromHttp(peer, identity_), method);
}

absl::StatusOr<Caller> CallGate::Authorized(absl::StatusOr<Caller> caller, absl::string_view method) {
  if (!caller.ok()) return caller.status();
  if (absl::Status allowed = Authorize(caller->role, method); !allowed.ok()) return allowed;
  caller->method = std::string(method);
  return caller;
}

}  // namespace ethrec::service
