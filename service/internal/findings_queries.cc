#include "service/internal/findings_queries.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "mapping/status_field.h"

namespace ethrec::store_internal {

std::vector<StoredFinding> ComputeFindings(absl::Span<const RecordState> records, const StoreOptions& options) {
  if (options.findings_normalizer == nullptr) return {};
  // The reasons are written when a finding is read (ExplainFinding), not here.
  return ToStoredFindings(Reconcile(records, *options.findings_normalizer, /*explain=*/false), records);
}

absl::Status CheckPageSize(int limit) {
  if (limit < 1 || limit > 1000) {
    return WithField(absl::InvalidArgumentError(absl::StrCat("page size ", limit, " is outside 1..1000")), "page_size");
  }
  return absl::OkStatus();
}

bool MatchesQuery(const FindingQuery& q, const StoredFinding& f) {
  if (!q.agency.empty() && !VisibleToAgency(f, q.agency)) return false;
  if (!q.kinds.empty() && std::find(q.kinds.begin(), q.kinds.end(), f.kind) == q.kinds.end()) return false;
  if (q.min_severity.has_value() && f.severity < *q.min_severity) return false;
  if (q.statuses.empty()) {
    if (f.status != FindingStatus::kOpen && f.status != FindingStatus::kAcknowledged) return false;
  } else if (std::find(q.statuses.begin(), q.statuses.end(), f.status) == q.statuses.end()) {
    return false;
  }
  if (q.raised_after.has_value() && f.last_raised_at < *q.raised_after) return false;
  if (q.raised_before.has_value() && f.last_raised_at >= *q.raised_before) return false;
  return true;
}

absl::Status FindingsDisabledError() {
  return absl::FailedPreconditionError("findings are disabled on this server (started with --findings=false)");
}

absl::Status FindingNotFoundError(int64_t id) {
  return absl::NotFoundError(absl::StrCat("no finding has id ", id));
}

std::vector<CompletenessRow> CompletenessDeltas(absl::Span<const AgencyOfChild> before,
                                                absl::Span<const AgencyOfChild> after) {
  std::map<std::string, CompletenessRow, std::less<>> by_agency;
  auto add = [&by_agency](absl::Span<const AgencyOfChild> parts, int64_t sign) {
    for (const AgencyOfChild& part : parts) {
      CompletenessRow& row = by_agency[part.agency];
      row.children += sign;
      if (part.self_defined) row.children_self_defined += sign;
    }
  };
  add(before, -1);
  add(after, +1);
  std::vector<CompletenessRow> out;
  for (auto& [agency, row] : by_agency) {
    if (row.children == 0 && row.children_self_defined == 0) continue;
    row.agency = agency;
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace ethrec::store_internal
