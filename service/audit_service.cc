#include "service/audit_service.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "api/audit.h"
#include "api/convert.h"
#include "mapping/observation.h"
#include "mapping/status_field.h"
#include "service/serve_call.h"

namespace ethrec::service {
namespace {

absl::Status BadField(absl::string_view field, std::string message) {
  return WithField(absl::InvalidArgumentError(std::move(message)), field);
}

// A fingerprint of everything that selects events (not the page size).
uint64_t FilterFingerprint(const AuditQuery& q) {
  const std::string s = absl::StrCat(q.agency, "\n", q.child_id, "\n", q.method, "\n",
                                     q.start_time ? absl::ToUnixMicros(*q.start_time) : INT64_MIN, "\n",
                                     q.end_time ? absl::ToUnixMicros(*q.end_time) : INT64_MIN);
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// Where the next page starts, and the newest event the listing covers.
struct PagePosition {
  int64_t after_id = 0;
  int64_t up_to_id = 0;
};

std::string EncodePageToken(const PagePosition& at, uint64_t fingerprint) {
  return absl::WebSafeBase64Escape(absl::StrCat("a1:", at.after_id, ":", at.up_to_id, ":", fingerprint));
}

absl::StatusOr<PagePosition> DecodePageToken(absl::string_view token, uint64_t fingerprint) {
  std::string raw;
  const absl::Status not_ours = BadField("page_token", "page_token is not a page token of ListAuditEvents");
  if (!absl::WebSafeBase64Unescape(token, &raw)) return not_ours;
  std::vector<absl::string_view> parts = absl::StrSplit(raw, ':');
  PagePosition at;
  uint64_t fp = 0;
  if (parts.size() != 4 || parts[0] != "a1" || !absl::SimpleAtoi(parts[1], &at.after_id) ||
      !absl::SimpleAtoi(parts[2], &at.up_to_id) || !absl::SimpleAtoi(parts[3], &fp) || at.after_id < 0 ||
      at.up_to_id < 1) {
    return not_ours;
  }
  if (fp != fingerprint) {
    return BadField("page_token",
                    "page_token was issued for other filters: repeat the first request's filters, or start again "
                    "without a token");
  }
  return at;
}

// "/package.Service/Method": a leading slash, one more slash, no spaces.
bool IsFullMethodName(absl::string_view m) {
  if (!absl::StartsWith(m, "/") || m.size() > 256) return false;
  const size_t slash = m.find('/', 1);
  return slash != absl::string_view::npos && slash > 1 && slash + 1 < m.size() &&
         m.find('/', slash + 1) == absl::string_view::npos &&
         std::none_of(m.begin(), m.end(), [](char c) { return c <= ' ' || c > '~'; });
}

absl::StatusOr<AuditQuery> QueryFrom(const v1::ListAuditEventsRequest& r, int default_size, int max_size) {
  AuditQuery q;
  if (r.page_size() < 0) return BadField("page_size", absl::StrCat("page_size ", r.page_size(), " is negative"));
  q.limit = r.page_size() == 0 ? default_size : std::min(r.page_size(), max_size);
  if (!r.agency().empty()) {
    if (absl::Status s = ValidateId("agency", r.agency()); !s.ok()) return WithField(s, "agency");
    q.agency = r.agency();
  }
  if (r.child_id() < 0) {
    return BadField("child_id", absl::StrCat("child_id ", r.child_id(), " is not a child id (>= 1)"));
  }
  q.child_id = r.child_id();
  if (!r.method().empty()) {
    if (!IsFullMethodName(r.method())) {
      return BadField("method", absl::StrCat("method \"", absl::CHexEscape(r.method().substr(0, 256)),
                                             "\" is not a full method name such as "
                                             "/ethrec.v1.RecordsService/GetChild"));
    }
    q.method = r.method();
  }
  if (r.has_start_time()) q.start_time = api::FromProto(r.start_time());
  if (r.has_end_time()) q.end_time = api::FromProto(r.end_time());
  if (q.start_time.has_value() && q.end_time.has_value() && *q.end_time <= *q.start_time) {
    return BadField("end_time", "end_time must be after start_time");
  }
  if (!r.page_token().empty()) {
    absl::StatusOr<PagePosition> at = DecodePageToken(r.page_token(), FilterFingerprint(q));
    if (!at.ok()) return at.status();
    q.after_id = at->after_id;
    q.up_to_id = at->up_to_id;
  }
  return q;
}

}  // namespace

absl::StatusOr<v1::ListAuditEventsResponse> AuditApi::ListAuditEvents(const Caller& caller,
                                                                       const v1::ListAuditEventsRequest& request) {
  absl::StatusOr<AuditQuery> query = QueryFrom(request, options_.default_page_size, options_.max_page_size);
  if (!query.ok()) return query.status();
  absl::StatusOr<AuditPage> page = options_.store->ListAuditEvents(*query, StoreAccess(caller));
  if (!page.ok()) return page.status();
  v1::ListAuditEventsResponse response;
  for (const AuditEvent& e : page->events) api::ToProto(e, response.add_events());
  if (page->more && !page->events.empty()) {
    // Later pages keep to the events there were when the listing began.
    const int64_t up_to = query->up_to_id != 0 ? query->up_to_id : page->newest_id;
    response.set_next_page_token(EncodePageToken({page->events.back().id, up_to}, FilterFingerprint(*query)));
  }
  return response;
}

grpc::Status AuditServiceImpl::ListAuditEvents(grpc::ServerContext* context, const v1::ListAuditEventsRequest* request,
                                               v1::ListAuditEventsResponse* response) {
  return ServeCall(*context, gate_, "/ethrec.v1.AuditService/ListAuditEvents", response,
                   [&](const Caller& caller) { return api_.ListAuditEvents(caller, *request); });
}

}  // namespace ethrec::service
