// What the Store implementations share about findings beyond the model
// (mapping/finding.h): computing a child's findings with the store's
// normalizer, checking and matching queries, and the errors they answer.
// Not part of the public interface: only service/*_store.cc include this.
#ifndef ETHREC_SERVICE_INTERNAL_FINDINGS_QUERIES_H_
#define ETHREC_SERVICE_INTERNAL_FINDINGS_QUERIES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mapping/finding.h"
#include "mapping/reconcile.h"
#include "service/store.h"

namespace ethrec::store_internal {

// The findings of one child's current records as a store keeps them
// (ToStoredFindings of mapping/reconcile.h Reconcile); none when findings
// are disabled.
std::vector<StoredFinding> ComputeFindings(absl::Span<const RecordState> records,
                                             const StoreOptions& options);

// InvalidArgument (field "page_size") for a limit outside 1..1000.
absl::Status CheckPageSize(int limit);

// Whether `f` matches every filter of `query` except after_id and limit
// (query.agency as VisibleToAgency).
bool MatchesQuery(const FindingQuery& query, const StoredFinding& f);

// FailedPrecondition for a findings call on a store without
// StoreOptions::findings_normalizer.
absl::Status FindingsDisabledError();

// NotFound for finding `id`.
absl::Status FindingNotFoundError(int64_t id);

}  // namespace ethrec::store_internal

#endif  // ETHREC_SERVICE_INTERNAL_FINDINGS_QUERIES_H_
