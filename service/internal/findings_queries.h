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
#include "absl/types/span.h"
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

// The completeness of FindingSummary is kept as counts per agency
// (agency_completeness), which each write moves by what it changed: the
// agencies of the children it touched as they were before it, and as they
// are after it (merges included). One agency's part in one child:
struct AgencyOfChild {
  std::string agency;
  bool self_defined = false;  // whether any of its current records is
};

// Per agency, what `after` adds to the counts and `before` takes away, both
// taken over the same children; sorted by agency (the order writers update
// the rows in), agencies whose counts do not move left out.
std::vector<CompletenessRow> CompletenessDeltas(absl::Span<const AgencyOfChild> before,
                                                absl::Span<const AgencyOfChild> after);

}  // namespace ethrec::store_internal

#endif  // ETHREC_SERVICE_INTERNAL_FINDINGS_QUERIES_H_
