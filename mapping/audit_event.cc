#include "mapping/audit_event.h"

#include <algorithm>

namespace ethrec {

std::string AuditOutcome(const absl::Status& status) {
  // Abseil's names are gRPC's canonical code names: "OK", "NOT_FOUND", ...
  return absl::StatusCodeToString(status.code());
}

std::vector<int64_t> SortedIds(std::vector<int64_t> ids) {
  ids.erase(std::remove_if(ids.begin(), ids.end(), [](int64_t id) { return id < 1; }), ids.end());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

}  // namespace ethrec
