// Checks and helpers shared by the Store implementations. Not part of the
// public interface: only service/*_store.cc include this.
#ifndef ETHREC_SERVICE_INTERNAL_STORE_CHECKS_H_
#define ETHREC_SERVICE_INTERNAL_STORE_CHECKS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "mapping/observation.h"

namespace ethrec::store_internal {

// Validates every item of a batch (InvalidArgument "item I: ...") and
// refuses two items with the same agency, record_id and record_version
// (InvalidArgument naming both indexes).
absl::Status CheckBatch(const std::vector<NormalizedObservation>& batch);

// `t` truncated toward the past to a whole microsecond: the precision
// every Store keeps.
inline absl::Time TruncateToMicros(absl::Time t) {
  return absl::FromUnixMicros(absl::ToUnixMicros(t));
}

// The names of the content fields (see store.h) in which `a` and `b`
// differ, in declaration order; empty when the content is identical.
std::vector<absl::string_view> ContentDiff(const Observation& a, const Observation& b);

// FailedPrecondition for item `index` whose key is already stored with
// different content in `fields`. Names record_id and version, never values.
absl::Status ConflictError(size_t index, const Observation& o,
                           const std::vector<absl::string_view>& fields);

// `cause` for a batch whose first `stored` items were committed before it
// stopped (a write stored in pieces, service/store.h Write): the same code
// and payloads (item, field), the message saying which items were stored
// and that writing the batch again is safe. `cause` itself when stored is 0.
absl::Status PartlyStoredError(const absl::Status& cause, size_t stored);

// NotFound for a key that names no child, without the identifier.
absl::Status ChildNotFoundError(bool by_nhs_number);

// FailedPrecondition for a call after Close().
absl::Status ClosedError();

}  // namespace ethrec::store_internal

#endif  // ETHREC_SERVICE_INTERNAL_STORE_CHECKS_H_
