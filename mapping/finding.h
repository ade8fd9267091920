// Findings as ethrec keeps them: a finding's status and history, what a
// recomputation of a child's findings changes, officers' reviews, and what
// a write tells the agency that made it. Pure code: the stores
// (service/*_store.cc) keep these; the rules that raise findings are in
// mapping/reconcile.h.
//
// A stored finding is identified by its kind, its agency and the first two
// records it compares (agency and record_id, not versions; NOT_SELF_DEFINED
// by kind and agency alone), so it keeps its id, status and history while the data
// behind it changes. Recomputing a child's findings:
// - a finding raised for the first time is OPEN (event RAISED);
// - one still raised by newer record versions is UPDATED; if it was
//   RESOLVED it is reopened (OPEN, event REOPENED, reopen_count + 1): the
//   new data did not fix it;
// - one the data no longer raises becomes CLEARED (event CLEARED);
// - a CLEARED one raised again is reopened (OPEN, REOPENED).
// An officer's review moves it between OPEN, ACKNOWLEDGED and RESOLVED.

#ifndef ETHREC_MAPPING_FINDING_H_
#define ETHREC_MAPPING_FINDING_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "mapping/observation.h"
#include "mapping/reconcile.h"

namespace ethrec {

enum class FindingStatus : uint8_t { kOpen, kAcknowledged, kResolved, kCleared };
enum class FindingAction : uint8_t { kRaised, kUpdated, kCleared, kReopened, kAcknowledged, kResolved };
enum class ReviewAction : uint8_t { kAcknowledge, kResolve, kReopen };

// API names: "OPEN", ...; "RAISED", ...; "ACKNOWLEDGE", ....
absl::string_view FindingStatusName(FindingStatus s);
absl::string_view FindingActionName(FindingAction a);
absl::string_view ReviewActionName(ReviewAction a);
std::optional<FindingStatus> ParseFindingStatus(absl::string_view name);
std::optional<FindingAction> ParseFindingAction(absl::string_view name);
std::optional<FindingKind> ParseFindingKind(absl::string_view name);
std::optional<Severity> ParseSeverity(absl::string_view name);

// A record a finding compares, by the agency's own ids.
struct RecordRef {
  std::string agency;
  std::string record_id;
  int64_t record_version = 0;
  friend bool operator==(const RecordRef&, const RecordRef&) = default;
};

struct FindingEvent {
  FindingAction action = FindingAction::kRaised;
  absl::Time time;
  std::string by_agency;  // the officer; empty for what the data did
  std::string by_role;
  std::string note;
};

struct StoredFinding {
  int64_t id = 0;
  FindingKind kind = FindingKind::kSelfIdMismatch;
  Severity severity = Severity::kInfo;
  FindingStatus status = FindingStatus::kOpen;
  std::string agency;     // the agency the finding is about
  std::string record_id;  // its record: compared.front().record_id
  std::vector<RecordRef> compared;
  CategorySet record_set;
  CategorySet reference_set;
  std::string suggested_code;
  // What the reason is made of; ExplainFinding (mapping/reconcile.h) writes
  // the sentence when the finding is shown.
  FindingFacts facts;
  absl::Time first_raised_at;
  absl::Time last_raised_at;  // raised or reopened
  int reopen_count = 0;
  std::vector<FindingEvent> history;  // oldest first
};

// Whether a caller of `agency` that is not a data-quality officer may see
// `f`: it is about `agency`, or it is an AGENCY_DISAGREEMENT naming `agency`
// as the other agency (FindingFacts::other_agency).
bool VisibleToAgency(const StoredFinding& f, absl::string_view agency);

// Records as "agency<TAB>record_id<TAB>version" lines: ids are printable
// ASCII, so neither tab nor newline occurs in them. Decode returns nullopt
// for text Encode cannot have written.
std::string EncodeRecordRefs(const std::vector<RecordRef>& refs);
std::optional<std::vector<RecordRef>> DecodeRecordRefs(absl::string_view text);

// The findings `findings` (Reconcile of `records`, the child's current
// records) as a store keeps them: kind, severity, agency, record_id,
// compared (from compared_records), sets, suggested_code and facts (id,
// status, times and history are the store's).
//
// A finding's identity across recomputations is its kind, its agency and the
// first two records it compares (the agency's record and what it is compared
// with) without their versions (NOT_SELF_DEFINED: kind and agency alone).
// When the records compared or their versions change (e.g. a later
// NOT_STATED is listed third), newer data still raises it.
std::vector<StoredFinding> ToStoredFindings(std::vector<Finding> findings, absl::Span<const RecordState> records);

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

// A change a write made to a finding about a record of the item's agency.
struct FindingFeedback {
  // kRaised, kUpdated (still raised by the new version), kReopened or kCleared.
  FindingAction action = FindingAction::kRaised;
  // The finding as the write left it: id, kind, severity, status, agency,
  // record_id, sets, suggested code and facts. `compared` lists only the
  // records of the item's agency: another agency's record ids are never
  // fed back. Times, reopen_count and history are not filled (GetFinding
  // has them). A kCleared finding carries its id, kind, severity, agency,
  // record_id and compared only.
  StoredFinding finding;
};

// The child's reference identity (mapping/reconcile.h FindReference), as
// a record system may learn it: what and when, never which agency or
// record holds it.
struct ReferenceView {
  CategorySet categories;
  std::string detail;
  absl::Time stated_at;
  bool ascribed = false;        // a parent's or carer's statement, not the child's own
  bool declined_later = false;  // a NOT_STATED was given after it (it is respected)
  friend bool operator==(const ReferenceView&, const ReferenceView&) = default;
};

// What a write means for one item's child, seen from the item's agency.
struct ItemFeedback {
  // The findings this write raised, updated, reopened or cleared on the
  // agency's own records about the child. Each change is reported once: on
  // the item that wrote the finding's record, else on the last item of the
  // batch about that child from that agency.
  std::vector<FindingFeedback> findings;
  // The child's reference identity after the write; nullopt when there is
  // none. Empty feedback (and no reference) for an item that changed
  // nothing (kDuplicate, kHistorical), and when findings are disabled.
  std::optional<ReferenceView> reference;
};

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

}  // namespace ethrec

#endif  // ETHREC_MAPPING_FINDING_H_
