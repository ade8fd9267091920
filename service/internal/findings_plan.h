// Findings bookkeeping shared by the Store implementations: turning a
// child's current records into findings to store, and deciding what a
// recomputation changes (see "Findings" in store.h). Pure functions; not
// part of the public interface: only service/*_store.cc include this.
#ifndef ETHREC_SERVICE_INTERNAL_FINDINGS_PLAN_H_
#define ETHREC_SERVICE_INTERNAL_FINDINGS_PLAN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mapping/reconcile.h"
#include "service/store.h"

namespace ethrec::store_internal {

// Records as "agency<TAB>record_id<TAB>version" lines: ids are printable
// ASCII, so neither tab nor newline occurs in them. Decode returns nullopt
// for text Encode cannot have written.
std::string EncodeRecordRefs(const std::vector<RecordRef>& refs);
std::optional<std::vector<RecordRef>> DecodeRecordRefs(absl::string_view text);

// Runs `reconcile` over one child's current records: the findings ready to
// store, with kind, severity, agency, record_id, compared, sets,
// suggested_code and facts (id, status, times and history are the store's).
//
// A finding's identity across recomputations is its kind, its agency and the
// first two records it compares (the agency's record and what it is compared
// with) without their versions (NOT_SELF_DEFINED: kind and agency alone).
// When the records compared or their versions change (e.g. a later
// NOT_STATED is listed third), newer data still raises it.
std::vector<StoredFinding> ComputeFindings(absl::Span<const RecordState> records,
                                             const StoreOptions& options);

// What a store holds about one of the child's findings.
struct ExistingFinding {
  int64_t id = 0;
  std::string compared;  // the records compared, as EncodeRecordRefs wrote them
  FindingStatus status = FindingStatus::kOpen;
  FindingKind kind = FindingKind::kSelfIdMismatch;
  std::string agency;
  std::string other_agency;  // FindingFacts::other_agency: kept for the counts
  Severity severity = Severity::kInfo;
};

struct FindingChange {
  enum class Op : uint8_t {
    kInsert,     // a new finding: `computed`, status OPEN, event RAISED
    kUpdate,     // finding `id` takes `computed`'s content, `status` and `event`
    kSetStatus,  // finding `id` takes `status` and `event` only (CLEARED)
  };
  Op op = Op::kInsert;
  int64_t id = 0;
  const StoredFinding* computed = nullptr;
  FindingStatus status = FindingStatus::kOpen;
  FindingAction event = FindingAction::kRaised;
  // Raised again: reopen_count + 1 and last_raised_at = now.
  bool reopened = false;
};

// The changes that bring `existing` (the child's stored findings) to
// `computed`. Unchanged findings get no change.
std::vector<FindingChange> PlanFindingChanges(absl::Span<const ExistingFinding> existing,
                                              const std::vector<StoredFinding>& computed);

// Builds a write's per-item feedback (WriteOptions::feedback, store.h) as
// the store reconciles each child the write touched.
class FeedbackBuilder {
 public:
  // `item_child[i]`: the child item i of `batch` now belongs to (after any
  // merge), or 0 when the item changed nothing. `batch` outlives the builder.
  FeedbackBuilder(const std::vector<NormalizedObservation>& batch, std::vector<int64_t> item_child);

  // One reconciled child: its current records, its findings as stored
  // before, the changes applied (PlanFindingChanges of `computed`) and the
  // id of each change's finding (the new id for an insert; 0 when not
  // stored, under validate_only).
  void AddChild(int64_t child, absl::Span<const RecordState> states, absl::Span<const ExistingFinding> existing,
                absl::Span<const FindingChange> changes, absl::Span<const int64_t> ids);

  std::vector<ItemFeedback> Take() && { return std::move(feedback_); }

 private:
  const std::vector<NormalizedObservation>& batch_;
  // (child, item index) for every item that changed something, sorted.
  std::vector<std::pair<int64_t, size_t>> by_child_;
  std::vector<ItemFeedback> feedback_;
};

// Whether a record is a usable self-defined one: supplied by SELF or
// PARENT_OR_CARER, giving categories or NOT_STATED, from a system that does
// not record observed ethnicity.
bool SelfDefined(SuppliedBy supplied_by, const Normalized& normalized);

// Each agency among `records` (sorted by agency) and whether it holds a
// usable self-defined record (SelfDefined).
std::vector<std::pair<std::string, bool>> AgencySelfDefined(absl::Span<const RecordState> records);

// The status a review moves a finding in `from` to. FailedPrecondition
// naming both when the action is not allowed from there; InvalidArgument
// (field "note") for a missing note on RESOLVE or a note that is too long
// (over kMaxReviewNoteChars) or not valid UTF-8.
inline constexpr size_t kMaxReviewNoteChars = 2000;
absl::StatusOr<FindingStatus> ReviewTransition(FindingStatus from, ReviewAction action, absl::string_view note);

// The event a review action records.
FindingAction ReviewEvent(ReviewAction action);

// InvalidArgument for a limit outside 1..1000.
absl::Status CheckFindingQuery(const FindingQuery& query);
absl::Status CheckChildQuery(const ChildQuery& query);

// Whether `f` matches every filter of `query` except after_id and limit
// (query.agency as VisibleToAgency).
bool MatchesQuery(const FindingQuery& query, const StoredFinding& f);

// FailedPrecondition for a findings call on a store without StoreOptions::reconcile.
absl::Status FindingsDisabledError();

// NotFound for finding `id`.
absl::Status FindingNotFoundError(int64_t id);

}  // namespace ethrec::store_internal

#endif  // ETHREC_SERVICE_INTERNAL_FINDINGS_PLAN_H_
