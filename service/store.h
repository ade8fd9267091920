// Store: durable, per-child storage of normalised observations. The server
// holds one Store (injected through its options) and calls it for every
// write and read; implementations are MemoryStore (tests) and SqliteStore
// (the embedded default). All implementations are thread-safe.
//
// Model:
// - A *record* is (agency, record_id). Its *versions* are never overwritten:
//   a correction arrives as a higher record_version. The *current* version
//   of a record is its highest stored version.
// - A *child* is found by an NHS number or by (agency, agency_child_id).
//   Every stored version links its identifiers to the child of its record:
//   an observation carrying both an NHS number and an agency child id links
//   them, and if they (or the record) belonged to different children those
//   children are merged, for good, into one. Links are never undone.
// - A version's *content* is every Observation field except agency,
//   record_id and record_version (the key): nhs_number, agency_child_id,
//   system, code, text, supplied_by and recorded_at. The Normalized result
//   is not content: it is what the map said when the version was received.
// - Times are kept to the microsecond (truncated toward the past): a
//   recorded_at that differs only below a microsecond is the same content.
//
// Example:
//   absl::StatusOr<std::unique_ptr<Store>> store =
//       OpenSqliteStore({.path = "/var/lib/ethrec/ethrec.db"});
//   absl::StatusOr<std::vector<WriteOutcome>> out = (*store)->Write(batch, access);
//   absl::StatusOr<ChildRecord> child = (*store)->GetChild(ChildKey::ForNhsNumber(nhs), access);
//   (*store)->Close();
//
// Audit: every call that reads or writes a child's records or findings
// takes an Access (who is calling, and what of a child they may see) and
// appends exactly one AuditEvent (mapping/audit_event.h) in the same
// transaction as its read or write, whatever its outcome: the children and
// findings it touched or attempted, and "OK" or the error's code name. If
// the event cannot be written the call fails with that error, and a write
// stores nothing. A write that fails or only checks (validate_only) stores
// nothing but its event. The one exception: a call that cannot start at all
// (a closed store, or a lock that cannot be taken: Unavailable) reads and
// writes nothing and appends nothing. Events are append-only: no method
// changes one, and only PurgeExpiredAuditEvents deletes them, after
// StoreOptions::audit_retention.
#ifndef ETHREC_SERVICE_STORE_H_
#define ETHREC_SERVICE_STORE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "mapping/audit_event.h"
#include "mapping/normalized.h"
#include "mapping/observation.h"
#include "mapping/child_record.h"
#include "mapping/finding.h"
#include "mapping/normalizer.h"
#include "mapping/reconcile.h"

namespace ethrec {

// The version of the storage schema this code reads and writes. SqliteStore
// migrates an older file forward to it at Open.
inline constexpr int kStoreSchemaVersion = 7;

// How long audit events are kept by default: 75 years (27,394 days). An
// audit trail is kept at least as long as the records it is about, ethrec
// never deletes a child's records, and the longest statutory retention of a
// child's care records in England runs to the 75th birthday (README "Audit").
inline constexpr int kDefaultAuditRetentionDays = 27394;

// The largest batch every Store writes in one transaction (see Store::Write).
inline constexpr size_t kMaxAtomicBatchItems = 16;

// Events PurgeExpiredAuditEvents deletes per transaction, unless told otherwise.
inline constexpr int kAuditPurgeBatch = 10000;

// How long the change feed's log is kept by default: 7 days (issue 13).
inline constexpr absl::Duration kDefaultChangesRetention = absl::Hours(168);

// Options common to every Store implementation.
struct StoreOptions {
  // Gives the receipt time of each write. Default (empty): absl::Now.
  // Tests set a fixed clock.
  std::function<absl::Time()> clock;
  // The Normalizer the findings rules (mapping/reconcile.h Reconcile) name
  // categories and suggest codes with; not owned, outlives the store. When
  // set, every Write recomputes the findings of each child it touches inside
  // its own transaction, so findings are never stale. When null, findings
  // are disabled: writes do not touch them and the findings methods answer
  // FailedPrecondition. (The SQLite store remembers that writes went by
  // without findings and recomputes every child at the next Open that has
  // them.)
  const Normalizer* findings_normalizer = nullptr;
  // How long an audit event is kept: PurgeExpiredAuditEvents deletes the
  // events older than now (the clock) minus this. Must be positive.
  absl::Duration audit_retention = absl::Hours(24) * kDefaultAuditRetentionDays;
  // How long an entry of the change log is kept: PurgeExpiredChanges
  // deletes the entries older than now minus this. Must be positive.
  absl::Duration changes_retention = kDefaultChangesRetention;
};

// Who is touching a child's data, and what of it they may see. Every Store
// call that reads or writes a child's records or findings takes one (the
// service builds it from the caller: service/access_policy.h StoreAccess)
// and records `actor` in its audit event.
struct Access {
  AuditActor actor;
  // Every agency's part of a child (data-quality officers), or only
  // actor.agency's: then a child the agency holds no record about, and a
  // finding not VisibleToAgency, answer NotFound as an unknown one would.
  bool all_agencies = false;
};

// What `access` may see of a child (mapping/child_record.h); valid while
// `access` is.
inline ChildViewer ViewerOf(const Access& access) {
  return ChildViewer{.all_agencies = access.all_agencies, .agency = access.actor.agency};
}


// How a caller names a child: an NHS number, or an agency's own id for it.
class ChildKey {
 public:
  // `nhs_number` in canonical form (10 digits; see CanonicalNhsNumber).
  static ChildKey ForNhsNumber(absl::string_view nhs_number);
  static ChildKey ForAgencyChildId(absl::string_view agency, absl::string_view agency_child_id);
  // ethrec's own internal id for the child (ChildRecord::child_id).
  static ChildKey ForChildId(int64_t child_id);

  bool is_child_id() const { return child_id_ > 0; }
  int64_t child_id() const { return child_id_; }  // 0 unless is_child_id()
  bool is_nhs_number() const { return !nhs_number_.empty(); }
  const std::string& nhs_number() const { return nhs_number_; }  // "" unless is_nhs_number()
  const std::string& agency() const { return agency_; }          // "" if is_nhs_number()
  const std::string& agency_child_id() const { return agency_child_id_; }

  // OK, or InvalidArgument naming the field when the NHS number is not
  // canonical and valid or the agency or its child id is not a valid id
  // (see ValidateObservation). Never echoes an identifier.
  absl::Status Validate() const;

 private:
  std::string nhs_number_;
  std::string agency_;
  std::string agency_child_id_;
  int64_t child_id_ = 0;
};

// The NotFound a Store answers for `key` when no child has it, never
// echoing the identifier. The service gives the same answer for a child the
// caller may not see, so that its existence is not revealed.
absl::Status ChildNotFound(const ChildKey& key);

// Write errors about one item of a batch carry that item's index
// (mapping/status_field.h WithBatchItem, BatchItemOf) and the item's field
// (WithField: "record_version", "child.nhs_number"), so the server reports
// "observations[3].record_version" without parsing messages.

// --- Findings (the model: mapping/finding.h; the rules: mapping/reconcile.h) ---

// Which findings ListFindings returns. Empty fields match everything.
struct FindingQuery {
  // Findings about this agency, and AGENCY_DISAGREEMENTs naming it as the
  // other agency (FindingFacts::other_agency): both agencies of a
  // disagreement see it.
  std::string agency;
  std::vector<FindingKind> kinds;
  std::optional<Severity> min_severity;
  // Empty: OPEN and ACKNOWLEDGED.
  std::vector<FindingStatus> statuses;
  std::optional<absl::Time> raised_after;   // last_raised_at >= raised_after
  std::optional<absl::Time> raised_before;  // last_raised_at < raised_before
  // Keyset pagination: only findings with id > after_id, by id ascending.
  int64_t after_id = 0;
  int limit = 100;  // 1..1000
};

struct FindingsPage {
  std::vector<StoredFinding> findings;  // by id ascending, at most limit
  bool more = false;                    // more match after the last one
};

struct FindingCountRow {
  std::string agency;
  FindingKind kind;
  FindingStatus status;
  int64_t count = 0;
};

struct CompletenessRow {
  std::string agency;
  int64_t children = 0;               // children the agency holds a record about
  int64_t children_self_defined = 0;  // ... of which a usable SELF/PARENT_OR_CARER one
};

struct FindingSummary {
  // Not CLEARED; non-zero; sorted by agency, kind, status.
  std::vector<FindingCountRow> counts;
  std::vector<CompletenessRow> completeness;  // sorted by agency
  int64_t children = 0;
};

// Which children ListChildrenWithFindings returns: those with a finding
// OPEN or ACKNOWLEDGED, by child_id ascending, after `after_child_id`.
struct ChildQuery {
  int64_t after_child_id = 0;
  int limit = 100;  // 1..1000
};

struct ChildrenPage {
  std::vector<ChildRecord> children;  // by child_id ascending, at most limit
  bool more = false;
};

// Which audit events ListAuditEvents returns, oldest first (by id). Empty
// fields match everything.
struct AuditQuery {
  std::string agency;    // the actor's agency
  int64_t child_id = 0;  // events that name this child (0: any)
  std::string method;    // the full method, "/ethrec.v1.RecordsService/GetChild"
  std::optional<absl::Time> start_time;  // time >= start_time
  std::optional<absl::Time> end_time;    // time < end_time
  // Keyset pagination: only events with id > after_id, by id ascending,
  // and (when not 0) id <= up_to_id: a listing that pages on keeps to the
  // events there were when it began (AuditPage::newest_id), so its own
  // events, one per page, never keep it going.
  int64_t after_id = 0;
  int64_t up_to_id = 0;
  int limit = 100;  // 1..1000
};

struct AuditPage {
  std::vector<AuditEvent> events;  // by id ascending, at most limit
  bool more = false;               // more match after the last one
  // The highest id of any event when the page was read (0: none), this
  // listing's own event not included.
  int64_t newest_id = 0;
};

// --- The change feed (issue 13) ---
//
// Every committed change to a record or a finding appends one ChangeEntry
// to the change log in the same transaction as the change: an entry is in
// the log if and only if its change committed. Entries have positions,
// ascending in commit order (no entry ever appears before a lower
// position), never reused, also after a purge.

enum class ChangeKind : uint8_t { kRecordWritten = 1, kFindingChanged = 2 };

struct ChangeEntry {
  int64_t position = 0;
  absl::Time time;  // the change's (the store's clock), to the microsecond
  ChangeKind kind = ChangeKind::kRecordWritten;
  int64_t child_id = 0;  // the child as it was once the change committed
  // The record's agency; a finding's agency (StoredFinding::agency).
  std::string agency;
  // kRecordWritten: the version stored (kInserted or kHistorical; a
  // duplicate changes nothing) and its normalised value.
  std::string record_id;
  int64_t record_version = 0;
  WriteOutcome outcome = WriteOutcome::kInserted;
  Normalized normalized;
  // kFindingChanged.
  FindingAction action = FindingAction::kRaised;
  int64_t finding_id = 0;
  FindingKind finding_kind = FindingKind::kSelfIdMismatch;
  std::string other_agency;  // an AGENCY_DISAGREEMENT's other agency, else ""
};

// Which entries ReadChanges returns.
struct ChangeQuery {
  int64_t after = 0;               // entries with position > after
  std::vector<ChangeKind> kinds;   // empty: all
  std::string agency;              // empty: every agency `access` may see
  int limit = 100;                 // entries examined, 1..1000
};

struct ChangePage {
  // The entries that match and `access` may see, by position ascending.
  std::vector<ChangeEntry> entries;
  // The highest position examined (>= query.after): the next query's
  // `after`. Entries filtered out move it on too.
  int64_t last_position = 0;
  bool more = false;  // entries after last_position existed at the read
};

struct ChangeLogState {
  int64_t latest = 0;          // the highest position committed (0: none ever)
  int64_t purged_through = 0;  // the highest position ever purged (0: none)
};

// How one Write runs.
struct WriteOptions {
  // Check the batch and answer exactly as the write would now, storing
  // nothing (AIP-163 validate_only): same outcomes, same feedback, same
  // errors. A finding the write would raise has id 0.
  bool validate_only = false;
  // Fill WriteResult::feedback. Costs a little per item; record systems
  // ask for it at data entry, bulk loads do not.
  bool feedback = false;
};

struct WriteResult {
  std::vector<WriteOutcome> outcomes;  // one per item, in order
  // One per item when WriteOptions::feedback, else empty.
  std::vector<ItemFeedback> feedback;
};

// The storage interface. Implementations are thread-safe. After Close()
// every method but Close() and schema_version() returns FailedPrecondition.
class Store {
 public:
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  virtual ~Store() = default;

  // Writes `batch` and returns one outcome per item, in order. Items are
  // applied in order, so a batch holding versions 2 then 1 of a new record
  // answers {kInserted, kHistorical}. Each item's `observation.agency` must
  // already be the caller's; `normalized` is stored as given. An empty batch
  // returns an empty vector.
  // Every item is checked before any is written (the checks below up to
  // the conflict), so a batch that fails a check stores nothing.
  // Transactions: a batch of at most kMaxAtomicBatchItems items, and any
  // validate_only one, is written in one transaction: all of it or none.
  // A larger batch may be committed in pieces, in order, each in its own
  // transaction with its own audit event (SqliteStore does, so that data
  // entry can go between them; PostgresStore and MemoryStore never do).
  // Such a batch ends part-stored only when a storage error stops it, or
  // when another call stored one of its keys with other content while it
  // was being written (the conflict); the error then says how many items,
  // from the first, were stored (store_internal::PartlyStoredError), and
  // the others were not. Writing the whole batch again is always safe:
  // writes are idempotent per agency, record_id and record_version, so a
  // stored item answers kDuplicate and changes nothing, and the rest are
  // written as the first time would have.
  // Audit: one event (per piece) naming the children the items belong to
  // once written (after merges); with validate_only, those that existed
  // before (validate_only set); after an error, none (nothing of that piece
  // was stored).
  // Errors (nothing, or nothing after the stored pieces, is stored after any
  // of them):
  // - InvalidArgument "item I: ..." when an item fails ValidateObservation
  //   (item I, ValidateObservation's field);
  // - InvalidArgument naming both indexes when two items have the same
  //   agency, record_id and record_version (item: the later one; field
  //   "record_version");
  // - FailedPrecondition naming the item index, record_id and version and
  //   the differing fields (never their values) when a stored version has
  //   the same key and different content: a conflict (item I; field
  //   "record_version");
  // - Unavailable when the storage is busy or locked (retry later); other
  //   codes for storage failures (ResourceExhausted: disk full; DataLoss:
  //   corruption; Internal: anything else), the audit event's included.
  // With options.validate_only the same checks and answer, nothing stored.
  virtual absl::StatusOr<WriteResult> Write(const std::vector<NormalizedObservation>& batch,
                                            const WriteOptions& options, const Access& access) = 0;

  // Write(batch, {}, access), returning the outcomes.
  absl::StatusOr<std::vector<WriteOutcome>> Write(const std::vector<NormalizedObservation>& batch,
                                                  const Access& access);

  // Write({item}, access), returning the one outcome. Errors as Write.
  absl::StatusOr<WriteOutcome> WriteOne(const NormalizedObservation& item, const Access& access);

  // Everything stored about the child named by `key`, when `access` may see
  // it (see Access::all_agencies). Audit: one event naming the child (also
  // when `access` may not see it); none for a key that names no child.
  // Errors: InvalidArgument when !key.Validate().ok(); NotFound when no
  // child has that identifier or `access` may not see it (the same message,
  // never containing the identifier); storage errors as Write.
  virtual absl::StatusOr<ChildRecord> GetChild(const ChildKey& key, const Access& access) = 0;

  // ChildKey::ForChildId names the child by ChildRecord::child_id.

  // The children with findings needing work (see ChildQuery), each as
  // GetChild reads it. Audit: the children of the page. Errors:
  // PermissionDenied unless access.all_agencies; InvalidArgument for a limit
  // outside 1..1000; FailedPrecondition when findings are disabled; storage
  // errors as Write.
  virtual absl::StatusOr<ChildrenPage> ListChildrenWithFindings(const ChildQuery& query, const Access& access) = 0;

  // Findings matching `query` (see FindingQuery). Audit: the findings of the
  // page and their children. Errors: PermissionDenied (field "agency") when
  // !access.all_agencies and query.agency is not access.actor.agency;
  // InvalidArgument for a limit outside 1..1000; FailedPrecondition when
  // findings are disabled; storage errors as Write.
  virtual absl::StatusOr<FindingsPage> ListFindings(const FindingQuery& query, const Access& access) = 0;

  // One finding with its history. Audit: the finding and its child, also
  // when `access` may not see it. NotFound when there is none, or `access`
  // may not see it (!all_agencies and not VisibleToAgency): the same message.
  virtual absl::StatusOr<StoredFinding> GetFinding(int64_t id, const Access& access) = 0;

  // Counts and completeness, for one agency or ("") all of them. The counts
  // of one agency include the AGENCY_DISAGREEMENTs naming it as the other
  // agency, under the agency they are about (as ListFindings shows them).
  // Audit: no ids. PermissionDenied (field "agency") as ListFindings.
  virtual absl::StatusOr<FindingSummary> SummarizeFindings(absl::string_view agency, const Access& access) = 0;

  // Records a review by access.actor (its agency and role; StoreOptions::clock
  // gives its time) and returns the finding as it now is. Audit: as
  // GetFinding. Errors: NotFound as GetFinding; FailedPrecondition naming
  // the status when it does not allow the action; InvalidArgument (field
  // "note") when resolving without a note.
  virtual absl::StatusOr<StoredFinding> ReviewFinding(int64_t id, ReviewAction action, absl::string_view note,
                                                      const Access& access) = 0;

  // The audit events matching `query` (see AuditQuery), oldest first. This
  // read is audited too (no ids), after the page is read: the page never
  // holds its own event. Errors: InvalidArgument for a limit outside
  // 1..1000; storage errors as Write.
  virtual absl::StatusOr<AuditPage> ListAuditEvents(const AuditQuery& query, const Access& access) = 0;

  // Deletes the audit events older than the clock's now minus
  // StoreOptions::audit_retention, oldest first, in transactions of at most
  // `batch` events so that other calls are not held up; returns how many.
  // The only way any event is ever deleted. Errors: InvalidArgument when
  // audit_retention is not positive or batch < 1; storage errors as Write
  // (the events deleted before the error stay deleted).
  virtual absl::StatusOr<int64_t> PurgeExpiredAuditEvents(int batch) = 0;

  // --- The change feed (see ChangeEntry) ---

  // The log's latest and purged positions. Not audited (names no child).
  // Errors: storage errors as Write.
  virtual absl::StatusOr<ChangeLogState> GetChangeLogState() = 0;

  // The entries after query.after that match `query` and `access` may see:
  // !access.all_agencies sees the entries of access.actor.agency, and the
  // findings naming it as the other agency. At most query.limit entries
  // are examined. Audit: the children of the entries returned. Errors:
  // OutOfRange when entries after query.after have been purged
  // (query.after < ChangeLogState::purged_through: the caller must resync);
  // PermissionDenied (field "agency") as ListFindings; InvalidArgument
  // for a limit outside 1..1000; storage errors as Write.
  virtual absl::StatusOr<ChangePage> ReadChanges(const ChangeQuery& query, const Access& access) = 0;

  // Blocks until an entry after `after` has committed (returns the latest
  // position, > after), or until `deadline` (returns the latest known, which
  // may be <= after), or the store closes (FailedPrecondition). Woken by
  // commits, not by polling, where the store can (see each store).
  virtual absl::StatusOr<int64_t> WaitForChanges(int64_t after, absl::Time deadline) = 0;

  // Deletes the entries older than now minus StoreOptions::changes_retention,
  // at most `batch` per transaction; returns how many. Errors: InvalidArgument
  // when the retention is not positive or batch < 1; storage errors as Write.
  virtual absl::StatusOr<int64_t> PurgeExpiredChanges(int batch) = 0;

  // Releases the storage (for SQLite: closes the file after a checkpoint).
  // Call after in-flight calls have finished. Idempotent: a second call
  // returns OK. Errors: a storage error closing the file.
  virtual absl::Status Close() = 0;

  // The schema version of the data this store holds (kStoreSchemaVersion
  // once Open has migrated it).
  virtual int schema_version() const = 0;
};

}  // namespace ethrec

#endif  // ETHREC_SERVICE_STORE_H_
