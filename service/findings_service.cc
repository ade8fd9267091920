#include "service/findings_service.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "mapping/observation.h"
#include "mapping/status_field.h"
#include "api/child_sheet.h"
#include "service/changes_service.h"
#include "service/internal/page_token.h"
#include "service/serve_call.h"
#include "api/convert.h"

namespace ethrec::service {
namespace {

// Overloads below would hide api/convert.h's.
using ::ethrec::api::FromProto;
using ::ethrec::api::ToProto;
using ::ethrec::service_internal::DecodeChildToken;
using ::ethrec::service_internal::DecodePageToken;
using ::ethrec::service_internal::EncodeChildToken;
using ::ethrec::service_internal::EncodePageToken;

bool IsOfficer(const Caller& caller) { return SeesEveryAgency(caller.role); }

// The agency the caller may see for a request naming `requested` ("" for
// all): anything for an officer, only its own agency for anyone else.
absl::StatusOr<std::string> VisibleAgency(const Caller& caller, const std::string& requested) {
  if (IsOfficer(caller)) return requested;
  if (!requested.empty() && requested != caller.agency) {
    return WithField(absl::PermissionDeniedError(absl::StrCat(
                         "role \"", caller.role, "\" sees only its own agency's findings; role \"",
                         kDataQualityRole, "\" sees every agency's")),
                     "agency");
  }
  return caller.agency;
}

uint64_t Fnv1a(absl::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// A fingerprint of everything that selects findings (not the page size).
uint64_t FilterFingerprint(const FindingQuery& q) {
  std::string s = absl::StrCat(q.agency, "\n");
  for (FindingKind k : q.kinds) absl::StrAppend(&s, static_cast<int>(k), ",");
  absl::StrAppend(&s, "\n", q.min_severity ? static_cast<int>(*q.min_severity) : -1, "\n");
  for (FindingStatus st : q.statuses) absl::StrAppend(&s, static_cast<int>(st), ",");
  absl::StrAppend(&s, "\n", q.raised_after ? absl::ToUnixMicros(*q.raised_after) : INT64_MIN, "\n",
                  q.raised_before ? absl::ToUnixMicros(*q.raised_before) : INT64_MIN);
  return Fnv1a(s);
}

absl::StatusOr<FindingQuery> QueryFrom(const v1::ListFindingsRequest& r, const Caller& caller, int default_size,
                                       int max_size) {
  FindingQuery q;
  absl::StatusOr<std::string> agency = VisibleAgency(caller, r.agency());
  if (!agency.ok()) return agency.status();
  q.agency = *agency;
  for (int i = 0; i < r.kinds_size(); ++i) {
    std::optional<FindingKind> k = FromProto(r.kinds(i));
    if (!k) {
      return WithField(absl::InvalidArgumentError(absl::StrCat("kinds[", i, "] ", r.kinds(i), " is not a finding kind")),
                       absl::StrCat("kinds[", i, "]"));
    }
    q.kinds.push_back(*k);
  }
  if (r.min_severity() != v1::SEVERITY_UNSPECIFIED) {
    std::optional<Severity> sev = FromProto(r.min_severity());
    if (!sev) {
      return WithField(absl::InvalidArgumentError(absl::StrCat("min_severity ", r.min_severity(), " is not a severity")),
                       "min_severity");
    }
    q.min_severity = *sev;
  }
  for (int i = 0; i < r.statuses_size(); ++i) {
    std::optional<FindingStatus> st = FromProto(r.statuses(i));
    if (!st) {
      return WithField(
          absl::InvalidArgumentError(absl::StrCat("statuses[", i, "] ", r.statuses(i), " is not a finding status")),
          absl::StrCat("statuses[", i, "]"));
    }
    q.statuses.push_back(*st);
  }
  // Filters are sets: their order must not change the token.
  std::sort(q.kinds.begin(), q.kinds.end());
  q.kinds.erase(std::unique(q.kinds.begin(), q.kinds.end()), q.kinds.end());
  std::sort(q.statuses.begin(), q.statuses.end());
  q.statuses.erase(std::unique(q.statuses.begin(), q.statuses.end()), q.statuses.end());
  if (r.has_raised_after()) q.raised_after = FromProto(r.raised_after());
  if (r.has_raised_before()) q.raised_before = FromProto(r.raised_before());
  if (r.page_size() < 0) {
    return WithField(absl::InvalidArgumentError(absl::StrCat("page_size ", r.page_size(), " is negative")),
                     "page_size");
  }
  q.limit = r.page_size() == 0 ? default_size : std::min(r.page_size(), max_size);
  if (!r.page_token().empty()) {
    absl::StatusOr<int64_t> after = DecodePageToken(r.page_token(), FilterFingerprint(q));
    if (!after.ok()) return after.status();
    q.after_id = *after;
  }
  return q;
}

// Who names a child how: an NHS number, the caller's own agency child id,
// or (officers) ethrec's child_id. Exactly one.
absl::StatusOr<ChildKey> ChildKeyFrom(const v1::GetChildReconciliationRequest& r, const Caller& caller) {
  const int given = (r.child().nhs_number().empty() ? 0 : 1) + (r.child().agency_child_id().empty() ? 0 : 1) +
                    (r.child_id() == 0 ? 0 : 1);
  if (given != 1) {
    return WithField(absl::InvalidArgumentError(
                         "name the child one way: child.nhs_number, child.agency_child_id or child_id"),
                     "child");
  }
  if (r.child_id() != 0) {
    if (!IsOfficer(caller)) {
      return WithField(absl::PermissionDeniedError(absl::StrCat("only role \"", kDataQualityRole,
                                                                "\" may name a child by child_id")),
                       "child_id");
    }
    if (r.child_id() < 0) {
      return WithField(absl::InvalidArgumentError(absl::StrCat("child_id ", r.child_id(), " is not a child id (>= 1)")),
                       "child_id");
    }
    return ChildKey::ForChildId(r.child_id());
  }
  if (!r.child().nhs_number().empty()) {
    if (absl::Status s = ValidateNhsNumber(r.child().nhs_number()); !s.ok()) return WithField(s, "child.nhs_number");
    return ChildKey::ForNhsNumber(CanonicalNhsNumber(r.child().nhs_number()));
  }
  return ChildKey::ForAgencyChildId(caller.agency, r.child().agency_child_id());
}

}  // namespace

absl::StatusOr<v1::ChildReconciliation> FindingsApi::GetChildReconciliation(
    const Caller& caller, const v1::GetChildReconciliationRequest& request) {
  absl::StatusOr<ChildKey> key = ChildKeyFrom(request, caller);
  if (!key.ok()) return key.status();
  // A child the caller's agency holds no record about answers as an
  // unknown one would (its existence is not the caller's business): the
  // store decides, and audits the attempt.
  const Access access = StoreAccess(caller);
  absl::StatusOr<ChildRecord> child = options_.store->GetChild(*key, access);
  if (!child.ok()) return child.status();
  v1::ChildReconciliation response;
  api::ToSheet(*child, ViewerOf(access), &response);
  return response;
}

absl::StatusOr<v1::ListChildReconciliationsResponse> FindingsApi::ListChildReconciliations(
    const Caller& caller, const v1::ListChildReconciliationsRequest& request) {
  if (request.page_size() < 0) {
    return WithField(absl::InvalidArgumentError("page_size must not be negative"), "page_size");
  }
  ChildQuery query;
  query.limit =
      request.page_size() == 0 ? options_.default_page_size : std::min(request.page_size(), options_.max_page_size);
  if (!request.page_token().empty()) {
    absl::StatusOr<int64_t> after = DecodeChildToken(request.page_token());
    if (!after.ok()) return after.status();
    query.after_child_id = *after;
  }
  const Access access = StoreAccess(caller);
  absl::StatusOr<ChildrenPage> page = options_.store->ListChildrenWithFindings(query, access);
  if (!page.ok()) return page.status();
  v1::ListChildReconciliationsResponse response;
  for (const ChildRecord& child : page->children) api::ToSheet(child, ViewerOf(access), response.add_children());
  if (page->more && !page->children.empty()) {
    response.set_next_page_token(EncodeChildToken(page->children.back().child_id));
  }
  return response;
}

absl::StatusOr<v1::ListFindingsResponse> FindingsApi::ListFindings(const Caller& caller,
                                                                   const v1::ListFindingsRequest& request) {
  absl::StatusOr<FindingQuery> query = QueryFrom(request, caller, options_.default_page_size, options_.max_page_size);
  if (!query.ok()) return query.status();
  // Before the read (SnapshotWatchToken): a watch from it misses nothing.
  absl::StatusOr<std::string> watch_token = SnapshotWatchToken(*options_.store);
  if (!watch_token.ok()) return watch_token.status();
  absl::StatusOr<FindingsPage> page = options_.store->ListFindings(*query, StoreAccess(caller));
  if (!page.ok()) return page.status();
  v1::ListFindingsResponse response;
  for (const StoredFinding& f : page->findings) ToProto(f, *options_.taxonomy, response.add_findings());
  if (page->more && !page->findings.empty()) {
    response.set_next_page_token(EncodePageToken(page->findings.back().id, FilterFingerprint(*query)));
  }
  response.set_watch_token(*std::move(watch_token));
  return response;
}

absl::StatusOr<v1::Finding> FindingsApi::GetFinding(const Caller& caller, const v1::GetFindingRequest& request) {
  if (request.finding_id() <= 0) {
    return WithField(absl::InvalidArgumentError("finding_id is required (a positive id)"), "finding_id");
  }
  // Another agency's finding answers as one that does not exist would: the
  // store decides, and audits the attempt.
  absl::StatusOr<StoredFinding> f = options_.store->GetFinding(request.finding_id(), StoreAccess(caller));
  if (!f.ok()) return f.status();
  v1::Finding response;
  ToProto(*f, *options_.taxonomy, &response);
  return response;
}

absl::StatusOr<v1::SummarizeFindingsResponse> FindingsApi::SummarizeFindings(
    const Caller& caller, const v1::SummarizeFindingsRequest& request) {
  absl::StatusOr<std::string> agency = VisibleAgency(caller, request.agency());
  if (!agency.ok()) return agency.status();
  absl::StatusOr<FindingSummary> summary = options_.store->SummarizeFindings(*agency, StoreAccess(caller));
  if (!summary.ok()) return summary.status();
  v1::SummarizeFindingsResponse response;
  for (const FindingCountRow& row : summary->counts) {
    v1::FindingCount* c = response.add_counts();
    c->set_agency(row.agency);
    c->set_kind(ToProto(row.kind));
    c->set_status(ToProto(row.status));
    c->set_count(row.count);
  }
  for (const CompletenessRow& row : summary->completeness) {
    v1::AgencyCompleteness* c = response.add_completeness();
    c->set_agency(row.agency);
    c->set_children(row.children);
    c->set_children_self_defined(row.children_self_defined);
    c->set_share(
        row.children == 0 ? 0.0 : static_cast<double>(row.children_self_defined) / static_cast<double>(row.children));
  }
  response.set_children(summary->children);
  return response;
}

absl::StatusOr<v1::Finding> FindingsApi::ReviewFinding(const Caller& caller, const v1::ReviewFindingRequest& request) {
  if (request.finding_id() <= 0) {
    return WithField(absl::InvalidArgumentError("finding_id is required (a positive id)"), "finding_id");
  }
  std::optional<ReviewAction> action = FromProto(request.action());
  if (!action) {
    return WithField(absl::InvalidArgumentError("action is required: ACKNOWLEDGE, RESOLVE or REOPEN"), "action");
  }
  absl::StatusOr<StoredFinding> f =
      options_.store->ReviewFinding(request.finding_id(), *action, request.note(), StoreAccess(caller));
  if (!f.ok()) return f.status();
  v1::Finding response;
  ToProto(*f, *options_.taxonomy, &response);
  return response;
}

grpc::Status FindingsServiceImpl::ListFindings(grpc::ServerContext* context, const v1::ListFindingsRequest* request,
                                               v1::ListFindingsResponse* response) {
  return ServeCall(*context, gate_, "/ethrec.v1.FindingsService/ListFindings", response, [&](const Caller& caller) { return api_.ListFindings(caller, *request); });
}

grpc::Status FindingsServiceImpl::GetFinding(grpc::ServerContext* context, const v1::GetFindingRequest* request,
                                             v1::Finding* response) {
  return ServeCall(*context, gate_, "/ethrec.v1.FindingsService/GetFinding", response, [&](const Caller& caller) { return api_.GetFinding(caller, *request); });
}

grpc::Status FindingsServiceImpl::SummarizeFindings(grpc::ServerContext* context,
                                                    const v1::SummarizeFindingsRequest* request,
                                                    v1::SummarizeFindingsResponse* response) {
  return ServeCall(*context, gate_, "/ethrec.v1.FindingsService/SummarizeFindings", response, [&](const Caller& caller) { return api_.SummarizeFindings(caller, *request); });
}

grpc::Status FindingsServiceImpl::ReviewFinding(grpc::ServerContext* context, const v1::ReviewFindingRequest* request,
                                                v1::Finding* response) {
  return ServeCall(*context, gate_, "/ethrec.v1.FindingsService/ReviewFinding", response, [&](const Caller& caller) { return api_.ReviewFinding(caller, *request); });
}

grpc::Status FindingsServiceImpl::GetChildReconciliation(grpc::ServerContext* context,
                                                         const v1::GetChildReconciliationRequest* request,
                                                         v1::ChildReconciliation* response) {
  return ServeCall(*context, gate_, "/ethrec.v1.FindingsService/GetChildReconciliation", response,
                   [&](const Caller& caller) { return api_.GetChildReconciliation(caller, *request); });
}

grpc::Status FindingsServiceImpl::ListChildReconciliations(grpc::ServerContext* context,
                                                           const v1::ListChildReconciliationsRequest* request,
                                                           v1::ListChildReconciliationsResponse* response) {
  return ServeCall(*context, gate_, "/ethrec.v1.FindingsService/ListChildReconciliations", response,
                   [&](const Caller& caller) { return api_.ListChildReconciliations(caller, *request); });
}

}  // namespace ethrec::service
