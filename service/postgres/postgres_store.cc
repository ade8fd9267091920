#include "service/postgres/postgres_store.h"

#include <unistd.h>

#include <algorithm>
#include <optional>
#include <tuple>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "service/internal/findings_queries.h"
#include "service/internal/store_checks.h"
#include "service/postgres/schema.h"
#include "service/postgres/statement.h"
#include "service/sqlite/row_codec.h"

namespace ethrec {
namespace {

using postgres_internal::Connection;
using postgres_internal::Lease;
using postgres_internal::Migrate;
using postgres_internal::Query;
using sqlite_internal::BindCurrentState;
using sqlite_internal::BindObservation;
using sqlite_internal::CategorySetText;
using sqlite_internal::Corrupt;
using sqlite_internal::EncodedNormalized;
using sqlite_internal::EventLine;
using sqlite_internal::FactsText;
using sqlite_internal::ReadExistingFindingRow;
using sqlite_internal::ReadRecordStateRow;
namespace pg = postgres_internal;

// The advisory lock key of an identifier: FNV-1a of its kind and parts,
// with the top bit set so that it never equals a child's key (the child
// id, positive). Fixed, not std::hash: replicas of different builds must
// agree on it.
int64_t IdentifierKey(char kind, absl::string_view a, absl::string_view b = "") {
  uint64_t h = 14695981039346656037ull;
  auto add = [&h](char c) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  };
  add(kind);
  for (char c : a) add(c);
  add('\0');
  for (char c : b) add(c);
  return static_cast<int64_t>(h | (uint64_t{1} << 63));
}

void SortUnique(std::vector<int64_t>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace

bool IsPostgresUri(absl::string_view db) {
  return absl::StartsWith(db, "postgresql://") || absl::StartsWith(db, "postgres://");
}

absl::StatusOr<std::unique_ptr<Store>> OpenPostgresStore(const PostgresStoreOptions& options) {
  absl::StatusOr<std::unique_ptr<PostgresStore>> store = PostgresStore::Open(options);
  if (!store.ok()) return store.status();
  return std::unique_ptr<Store>(*std::move(store));
}

absl::StatusOr<std::unique_ptr<PostgresStore>> PostgresStore::Open(const PostgresStoreOptions& options) {
  if (options.conninfo.empty()) return absl::InvalidArgumentError("postgres: conninfo is required");
  if (options.pool_size < 1) {
    return absl::InvalidArgumentError(absl::StrCat("postgres: pool_size ", options.pool_size, " is below 1"));
  }
  absl::StatusOr<std::unique_ptr<Connection>> c = Connection::Open(options.conninfo);
  if (!c.ok()) return c.status();
  const int64_t now_us = absl::ToUnixMicros(options.store.clock ? options.store.clock() : absl::Now());
  absl::StatusOr<int> version = Migrate(**c, now_us);
  if (!version.ok()) return version.status();
  auto store = std::unique_ptr<PostgresStore>(new PostgresStore(options, *version));
  if (options.store.findings_normalizer) {
    if (absl::Status s = store->Backfill(**c, now_us); !s.ok()) return s;
  }
  store->pool_.Give(*std::move(c));
  if (absl::Status s = store->StartSequencer(); !s.ok()) return s;
  return store;
}

PostgresStore::PostgresStore(const PostgresStoreOptions& options, int schema_version)
    : options_(options),
      schema_version_(schema_version),
      pool_(options.conninfo, options.pool_size, options.acquire_timeout) {}

PostgresStore::~PostgresStore() {
  Close().IgnoreError();
  if (sequencer_wake_ >= 0) close(sequencer_wake_);
}

absl::Status PostgresStore::Close() {
  StopSequencer();
  pool_.Close();
  return absl::OkStatus();
}

int64_t PostgresStore::NowMicros() const {
  return absl::ToUnixMicros(options_.store.clock ? options_.store.clock() : absl::Now());
}

namespace postgres_internal {

absl::StatusOr<std::unique_ptr<Connection>> Pool::Take() {
  {
    absl::MutexLock lock(&mu_);
    auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return closed_ || !idle_.empty() || open_ < size_;
    };
    if (!mu_.AwaitWithTimeout(absl::Condition(&ready), acquire_timeout_)) {
      return absl::UnavailableError(absl::StrCat("postgres: all ", size_, " connections stayed busy for ",
                                                 absl::FormatDuration(acquire_timeout_)));
    }
    if (closed_) return store_internal::ClosedError();
    if (!idle_.empty()) {
      std::unique_ptr<Connection> c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
    ++open_;
  }
  // Connect without the lock: other calls go on meanwhile.
  absl::StatusOr<std::unique_ptr<Connection>> c = Connection::Open(conninfo_);
  if (!c.ok()) {
    absl::MutexLock lock(&mu_);
    --open_;
  }
  return c;
}

void Pool::Give(std::unique_ptr<Connection> c) {
  if (c == nullptr) return;
  absl::MutexLock lock(&mu_);
  if (closed_ || c->broken()) {
    --open_;
    return;  // closes it
  }
  idle_.push_back(std::move(c));
}

void Pool::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  open_ -= static_cast<int>(idle_.size());
  idle_.clear();
}

}  // namespace postgres_internal

absl::StatusOr<WriteResult> PostgresStore::Write(const std::vector<NormalizedObservation>& batch,
                                                 const WriteOptions& options, const Access& access) {
  const absl::Status checked = store_internal::CheckBatch(batch);  // no storage: outside the transaction
  return Audited<WriteResult>(access, Isolation::kWrite, options.validate_only ? Undo::kAlways : Undo::kOnError,
                              [&](Txn& txn, Touched& touched, int64_t now_us) -> absl::StatusOr<WriteResult> {
                                touched.validate_only = options.validate_only;
                                if (!checked.ok()) return checked;
                                if (batch.empty()) return WriteResult{};
                                if (absl::Status s = LockBatch(txn, batch); !s.ok()) return s;
                                absl::StatusOr<WriteResult> out = WriteBatch(txn, batch, options, now_us, touched);
                                if (!out.ok()) touched.child_ids.clear();  // nothing was stored
                                return out;
                              });
}

absl::Status PostgresStore::LockBatch(Txn& txn, const std::vector<NormalizedObservation>& batch) {
  // Two writers that might touch one child must meet at a lock: one naming
  // the same record or identifier (the identifier's key), or one reaching
  // the same child by other identifiers (the child's key). Whoever links,
  // moves or merges a child holds its key, so once the keys are held the
  // children found stay what they are.
  absl::StatusOr<std::vector<int64_t>> before = ChildrenOf(txn.conn, batch);
  if (!before.ok()) return before.status();
  std::vector<int64_t> children = *before;
  children.insert(children.end(), txn.lock_children.begin(), txn.lock_children.end());
  SortUnique(children);
  std::vector<int64_t> keys = children;
  for (const NormalizedObservation& item : batch) {
    const Observation& o = item.observation;
    keys.push_back(IdentifierKey('r', o.agency, o.record_id));
    if (!o.nhs_number.empty()) keys.push_back(IdentifierKey('n', o.nhs_number));
    if (!o.agency_child_id.empty()) keys.push_back(IdentifierKey('a', o.agency, o.agency_child_id));
  }
  SortUnique(keys);
  if (absl::Status s = LockKeys(txn.conn, keys); !s.ok()) return s;
  absl::StatusOr<std::vector<int64_t>> after = ChildrenOf(txn.conn, batch);
  if (!after.ok()) return after.status();
  if (std::includes(children.begin(), children.end(), after->begin(), after->end())) {
    txn.locked_children = std::move(children);
    return absl::OkStatus();
  }
  txn.lock_children = children;
  txn.lock_children.insert(txn.lock_children.end(), after->begin(), after->end());
  SortUnique(txn.lock_children);
  txn.relock = true;
  return absl::AbortedError("postgres: a child changed before it was locked; trying again");
}

absl::StatusOr<std::vector<int64_t>> PostgresStore::ChildrenOf(Connection& c,
                                                               const std::vector<NormalizedObservation>& batch) {
  std::vector<absl::string_view> agencies, record_ids, nhs_numbers, id_agencies, child_ids;
  for (const NormalizedObservation& item : batch) {
    const Observation& o = item.observation;
    agencies.push_back(o.agency);
    record_ids.push_back(o.record_id);
    if (!o.nhs_number.empty()) nhs_numbers.push_back(o.nhs_number);
    if (!o.agency_child_id.empty()) {
      id_agencies.push_back(o.agency);
      child_ids.push_back(o.agency_child_id);
    }
  }
  // One primary-key probe per key, written as a scalar subquery per array
  // element so that the plan cannot depend on the tables' statistics: as
  // a join, a plan made while autovacuum had not yet analysed a table
  // loaded since (a fresh database under a bulk load) hashed the whole
  // of `records` for each batch, 53 ms a call at 100,000 rows and growing.
  Query q(c, std::string(
                 "SELECT child_id FROM ("
                 "SELECT (SELECT r.child_id FROM records r WHERE r.agency = k.agency AND r.record_id = k.record_id)"
                 " AS child_id FROM unnest($1::text[], $2::text[]) AS k (agency, record_id)"
                 " UNION SELECT (SELECT n.child_id FROM child_nhs_numbers n WHERE n.nhs_number = k.nhs_number)"
                 " FROM unnest($3::text[]) AS k (nhs_number)"
                 " UNION SELECT (SELECT a.child_id FROM child_agency_ids a"
                 " WHERE a.agency = k.agency AND a.agency_child_id = k.agency_child_id)"
                 " FROM unnest($4::text[], $5::text[]) AS k (agency, agency_child_id)"
                 ") AS found WHERE child_id IS NOT NULL"));
  q.TextArray(agencies).TextArray(record_ids).TextArray(nhs_numbers).TextArray(id_agencies).TextArray(child_ids);
  std::vector<int64_t> out;
  while (true) {
    absl::StatusOr<bool> row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(q.ColumnInt(0));
  }
  SortUnique(out);
  return out;
}

absl::Status PostgresStore::LockKeys(Connection& c, const std::vector<int64_t>& keys) {
  if (keys.empty()) return absl::OkStatus();
  return Query(c, pg::kLockKeys).IntArray(keys).Run();
}

absl::StatusOr<WriteResult> PostgresStore::WriteBatch(Txn& txn, const std::vector<NormalizedObservation>& batch,
                                                      const WriteOptions& options, int64_t received_us,
                                                      Touched& touched) {
  WriteResult out;
  out.outcomes.reserve(batch.size());
  absl::StatusOr<std::vector<store_internal::AgencyOfChild>> agencies_before = AgenciesOf(txn.conn, txn.locked_children);
  if (!agencies_before.ok()) return agencies_before.status();
  // The child each item was written to; merges say where merged ones went.
  // Only a new current version changes what a child's records say; a merge
  // changes the child it merged into.
  std::vector<int64_t> changed(batch.size(), 0);
  for (size_t i = 0; i < batch.size(); ++i) {
    int64_t child = 0;
    absl::StatusOr<WriteOutcome> outcome = WriteItem(txn, i, batch[i], received_us, &child);
    if (!outcome.ok()) return outcome.status();
    touched.child_ids.push_back(child);
    if (*outcome == WriteOutcome::kInserted) changed[i] = child;
    out.outcomes.push_back(*outcome);
  }
  // One statement for the batch's new records, then one for its
  // observations, instead of one per item.
  if (absl::Status s = InsertNewRecords(txn); !s.ok()) return s;
  if (absl::Status s = pg::InsertRows(txn.conn, pg::kInsertObservations, txn.observations); !s.ok()) return s;
  // The audit names the children as they now are; a validate_only write
  // only those that existed before it (the others never will).
  for (int64_t& child : touched.child_ids) child = AfterMerges(txn, child);
  for (size_t i = 0; i < batch.size(); ++i) {  // the change log: each version stored
    if (out.outcomes[i] == WriteOutcome::kDuplicate) continue;
    const Observation& o = batch[i].observation;
    absl::Status s = InsertChange(txn, ChangeEntry{.time = absl::FromUnixMicros(received_us),
                                                   .kind = ChangeKind::kRecordWritten,
                                                   .child_id = touched.child_ids[i],
                                                   .agency = o.agency,
                                                   .record_id = o.record_id,
                                                   .record_version = o.record_version,
                                                   .outcome = out.outcomes[i]});
    if (!s.ok()) return s;
  }
  if (options.validate_only) {
    std::erase_if(touched.child_ids, [&txn](int64_t child) {
      return std::find(txn.created_children.begin(), txn.created_children.end(), child) != txn.created_children.end();
    });
  }
  std::optional<FeedbackBuilder> feedback;
  if (options.feedback && options_.store.findings_normalizer) {
    std::vector<int64_t> item_child = changed;
    for (int64_t& child : item_child) child = AfterMerges(txn, child);
    feedback.emplace(batch, std::move(item_child));
  }
  txn.feedback = feedback ? &*feedback : nullptr;
  absl::Status s = UpdateFindings(txn, std::move(changed), received_us);
  txn.feedback = nullptr;
  if (!s.ok()) return s;
  if (s = CountCompleteness(txn, *agencies_before); !s.ok()) return s;
  if (feedback.has_value()) out.feedback = std::move(*feedback).Take();
  if (options.feedback) out.feedback.resize(batch.size());
  if (options.validate_only) {
    for (ItemFeedback& item : out.feedback) {
      for (FindingFeedback& f : item.findings) {
        if (f.action == FindingAction::kRaised) f.finding.id = 0;  // rolled back
      }
    }
  }
  return out;
}

absl::StatusOr<WriteOutcome> PostgresStore::WriteItem(Txn& txn, size_t index, const NormalizedObservation& item,
                                                      int64_t received_us, int64_t* child_out) {
  const Observation& o = item.observation;
  std::optional<int64_t> record_child;
  int64_t current_version = 0;
  // A record an earlier item of this batch created: not in the table yet.
  Txn::NewRecord* new_record = nullptr;
  if (auto it = txn.new_record_at.find({o.agency, o.record_id}); it != txn.new_record_at.end()) {
    new_record = &txn.new_records[it->second];
    record_child = AfterMerges(txn, new_record->child);
    current_version = new_record->current->observation.record_version;
  } else {
    Query q(txn.conn, pg::kFindRecord);
    absl::StatusOr<bool> row = q.Text(o.agency).Text(o.record_id).Step();
    if (!row.ok()) return row.status();
    if (*row) {
      record_child = q.ColumnInt(0);
      current_version = q.ColumnInt(1);
    }
  }
  // A new record's versions are all in this batch, which names none twice
  // (CheckBatch): none is stored.
  if (record_child.has_value() && new_record == nullptr) {
    // Observations go in at the end of the batch (after the item loop);
    // CheckBatch refused a batch naming one version twice, so no item
    // looks for an earlier one's.
    Query q(txn.conn, pg::kFindVersion);
    absl::StatusOr<bool> row = q.Text(o.agency).Text(o.record_id).Int(o.record_version).Step();
    if (!row.ok()) return row.status();
    if (*row) {
      Observation stored;
      stored.nhs_number = q.ColumnText(0);
      stored.agency_child_id = q.ColumnText(1);
      stored.system = q.ColumnText(2);
      stored.code = q.ColumnText(3);
      stored.text = q.ColumnText(4);
      std::optional<SuppliedBy> supplied_by = ParseSuppliedBy(q.ColumnText(5));
      if (!supplied_by.has_value()) return Corrupt("supplied_by");
      stored.supplied_by = *supplied_by;
      stored.recorded_at = absl::FromUnixMicros(q.ColumnInt(6));
      std::vector<absl::string_view> diff = store_internal::ContentDiff(stored, o);
      if (!diff.empty()) return store_internal::ConflictError(index, o, diff);
      *child_out = *record_child;
      return WriteOutcome::kDuplicate;
    }
  }

  absl::StatusOr<ChildLinks> links = ResolveChild(txn, o, record_child, received_us);
  if (!links.ok()) return links.status();
  const int64_t child = links->child;
  *child_out = child;
  if (!o.nhs_number.empty() && !links->nhs_number_linked) {
    if (absl::Status s = Query(txn.conn, pg::kLinkNhs).Text(o.nhs_number).Int(child).Run(); !s.ok()) return s;
  }
  if (!o.agency_child_id.empty() && !links->agency_child_id_linked) {
    absl::Status s = Query(txn.conn, pg::kLinkAgencyId).Text(o.agency).Text(o.agency_child_id).Int(child).Run();
    if (!s.ok()) return s;
  }

  const Normalized& n = item.normalized;
  const EncodedNormalized encoded(n);
  WriteOutcome outcome = WriteOutcome::kInserted;
  if (!record_child.has_value()) {
    txn.new_record_at.emplace(std::make_pair(absl::string_view(o.agency), absl::string_view(o.record_id)),
                              txn.new_records.size());
    txn.new_records.push_back({&item, child});
  } else if (o.record_version <= current_version) {
    outcome = WriteOutcome::kHistorical;
  } else if (new_record != nullptr) {
    new_record->current = &item;  // inserted with this state (InsertNewRecords)
  } else {
    Query q(txn.conn, pg::kUpdateCurrent);
    q.Int(o.record_version);
    if (absl::Status s = BindCurrentState(q, o, n, encoded).Text(o.agency).Text(o.record_id).Run(); !s.ok()) {
      return s;
    }
  }
  BindObservation(txn.observations, o, n, encoded, received_us).EndRow();
  return outcome;
}

absl::Status PostgresStore::InsertNewRecords(Txn& txn) {
  pg::RowArrays rows;
  for (const Txn::NewRecord& r : txn.new_records) {
    const Observation& o = r.current->observation;
    const Normalized& n = r.current->normalized;
    rows.Text(o.agency).Text(o.record_id).Int(AfterMerges(txn, r.child)).Int(o.record_version);
    BindCurrentState(rows, o, n, EncodedNormalized(n)).EndRow();
  }
  txn.new_records.clear();
  txn.new_record_at.clear();
  return pg::InsertRows(txn.conn, pg::kInsertRecords, rows);
}

absl::Status PostgresStore::UpdateFindings(Txn& txn, std::vector<int64_t> children, int64_t now_us) {
  if (!options_.store.findings_normalizer) return Query(txn.conn, pg::kMarkStale).Run();
  txn.count_deltas.clear();
  for (const auto& merge : txn.merges) children.push_back(merge.second);
  for (int64_t& child : children) child = AfterMerges(txn, child);
  SortUnique(children);
  if (!children.empty() && children.front() == 0) children.erase(children.begin());  // 0: nothing changed
  if (absl::Status s = ReconcileChildren(txn, children, now_us); !s.ok()) return s;
  return FlushCounts(txn);
}

absl::Status PostgresStore::ReconcileChildren(Txn& txn, const std::vector<int64_t>& children, int64_t now_us) {
  // As the SQLite store: one range read serves a run of nearby ids when it
  // is dense enough (at most twice as many ids as children in it).
  constexpr size_t kMaxRun = 1000;
  for (size_t first = 0; first < children.size();) {
    size_t last = first;
    while (last + 1 < children.size() && last + 1 - first < kMaxRun &&
           children[last + 1] - children[first] + 1 <= 2 * static_cast<int64_t>(last + 2 - first)) {
      ++last;
    }
    absl::Span<const int64_t> run(children.data() + first, last + 1 - first);
    if (absl::Status s = ReconcileRun(txn, run, now_us); !s.ok()) return s;
    first = last + 1;
  }
  return absl::OkStatus();
}

absl::Status PostgresStore::ReconcileRun(Txn& txn, absl::Span<const int64_t> children, int64_t now_us) {
  const int64_t lo = children.front();
  const int64_t hi = children.back();
  // Only the run's own children: the others in its range are not locked
  // by this write and may be changing.
  auto wanted = [children](int64_t child) { return std::binary_search(children.begin(), children.end(), child); };
  std::vector<int64_t> finding_child;
  std::vector<ExistingFinding> existing;
  {
    Query q(txn.conn, pg::kChildFindings);
    q.Int(lo).Int(hi);
    while (true) {
      absl::StatusOr<bool> row = q.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      int64_t child = 0;
      absl::StatusOr<ExistingFinding> finding = ReadExistingFindingRow(q, &child);
      if (!finding.ok()) return finding.status();
      if (!wanted(child)) continue;
      finding_child.push_back(child);
      existing.push_back(*std::move(finding));
    }
  }
  std::vector<RecordState> records;
  size_t used = 0;
  int64_t current = 0;
  auto reconcile = [&]() -> absl::Status {
    if (used == 0) return absl::OkStatus();
    const auto first = std::lower_bound(finding_child.begin(), finding_child.end(), current);
    const auto last = std::upper_bound(first, finding_child.end(), current);
    return ApplyFindings(txn, current, absl::MakeConstSpan(records.data(), used),
                         absl::MakeConstSpan(existing.data() + (first - finding_child.begin()), last - first), now_us);
  };
  Query q(txn.conn, pg::kCurrentRecords);
  q.Int(lo).Int(hi);
  while (true) {
    absl::StatusOr<bool> row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const int64_t child = q.ColumnInt(12);
    if (!wanted(child)) continue;
    if (child != current) {
      if (absl::Status s = reconcile(); !s.ok()) return s;
      current = child;
      used = 0;
    }
    if (used == records.size()) records.emplace_back();
    if (absl::Status s = ReadRecordStateRow(q, records[used++]); !s.ok()) return s;
  }
  return reconcile();
}

absl::Status PostgresStore::ApplyFindings(Txn& txn, int64_t child, absl::Span<const RecordState> states,
                                          absl::Span<const ExistingFinding> existing, int64_t now_us) {
  const std::vector<StoredFinding> computed = store_internal::ComputeFindings(states, options_.store);
  const std::vector<FindingChange> changes = PlanFindingChanges(existing, computed);
  std::vector<int64_t> ids;
  if (txn.feedback != nullptr) ids.reserve(changes.size());
  for (const FindingChange& change : changes) {
    using Op = FindingChange::Op;
    // An insert's event (RAISED) is implied by its first_raised_at_us.
    const std::string event = change.op == Op::kInsert ? std::string() : EventLine(change.event, now_us);
    if (change.op == Op::kInsert) {
      CountFinding(txn, change.computed->agency, change.computed->facts.other_agency, change.computed->kind,
                   change.status, +1);
    } else {
      for (const ExistingFinding& e : existing) {
        if (e.id != change.id || e.status == change.status) continue;
        CountFinding(txn, e.agency, e.other_agency, e.kind, e.status, -1);
        CountFinding(txn, e.agency, e.other_agency, e.kind, change.status, +1);
      }
    }
    if (change.op == Op::kSetStatus) {
      absl::Status s =
          Query(txn.conn, pg::kSetFindingStatus).Text(FindingStatusName(change.status)).Text(event).Int(change.id).Run();
      if (!s.ok()) return s;
      if (txn.feedback != nullptr) ids.push_back(change.id);
      for (const ExistingFinding& e : existing) {
        if (e.id != change.id) continue;
        s = InsertChange(txn, ChangeEntry{.time = absl::FromUnixMicros(now_us), .kind = ChangeKind::kFindingChanged,
                                          .child_id = child, .agency = e.agency, .action = change.event,
                                          .finding_id = e.id, .finding_kind = e.kind, .other_agency = e.other_agency});
        if (!s.ok()) return s;
      }
      continue;
    }
    const StoredFinding& v = *change.computed;
    const std::string record_set = CategorySetText(v.record_set);
    const std::string reference_set = CategorySetText(v.reference_set);
    const std::string facts = FactsText(v.facts);
    const std::string compared = EncodeRecordRefs(v.compared);
    Query q(txn.conn, change.op == Op::kInsert ? pg::kInsertFinding : pg::kUpdateFinding);
    if (change.op == Op::kInsert) q.Int(child);
    q.Text(compared)
        .Text(FindingKindName(v.kind))
        .Text(SeverityName(v.severity))
        .Int(static_cast<int64_t>(v.severity))
        .Text(FindingStatusName(change.status))
        .Text(v.agency)
        .Text(v.facts.other_agency)
        .Text(record_set)
        .Text(reference_set)
        .Text(facts)
        .Text(v.suggested_code);
    if (change.op == Op::kInsert) {
      q.Int(now_us).Int(now_us).Text("");  // RAISED is implied by first_raised_at_us
    } else {
      q.Int(change.reopened ? 1 : 0).Int(change.reopened ? 1 : 0).Int(now_us).Text(event).Int(change.id);
    }
    absl::StatusOr<bool> row = q.Step();  // an insert returns its id
    if (!row.ok()) return row.status();
    const int64_t id = change.op == Op::kInsert ? q.ColumnInt(0) : change.id;
    if (txn.feedback != nullptr) ids.push_back(id);
    if (absl::Status s = InsertChange(txn, ChangeEntry{.time = absl::FromUnixMicros(now_us),
                                                       .kind = ChangeKind::kFindingChanged, .child_id = child,
                                                       .agency = v.agency, .action = change.event, .finding_id = id,
                                                       .finding_kind = v.kind, .other_agency = v.facts.other_agency});
        !s.ok()) {
      return s;
    }
  }
  if (txn.feedback != nullptr) txn.feedback->AddChild(child, states, existing, changes, ids);
  return absl::OkStatus();
}

void PostgresStore::CountFinding(Txn& txn, absl::string_view agency, absl::string_view other_agency,
                                 FindingKind kind, FindingStatus status, int64_t delta) {
  for (CountDelta& d : txn.count_deltas) {
    if (d.kind == kind && d.status == status && d.agency == agency && d.other_agency == other_agency) {
      d.delta += delta;
      return;
    }
  }
  txn.count_deltas.push_back({std::string(agency), std::string(other_agency), kind, status, delta});
}

absl::Status PostgresStore::FlushCounts(Txn& txn) {
  std::sort(txn.count_deltas.begin(), txn.count_deltas.end(), [](const CountDelta& a, const CountDelta& b) {
    return std::tie(a.agency, a.other_agency, a.kind, a.status) < std::tie(b.agency, b.other_agency, b.kind, b.status);
  });
  for (const CountDelta& d : txn.count_deltas) {
    if (d.delta == 0) continue;
    absl::Status s = Query(txn.conn, pg::kAddFindingCount)
                         .Text(d.agency)
                         .Text(d.other_agency)
                         .Text(FindingKindName(d.kind))
                         .Text(FindingStatusName(d.status))
                         .Int(d.delta)
                         .Run();
    if (!s.ok()) return s;
  }
  txn.count_deltas.clear();
  return absl::OkStatus();
}

absl::Status PostgresStore::Backfill(Connection& c, int64_t now_us) {
  std::string stale;
  {
    Query q(c, pg::kReadStale);
    absl::StatusOr<bool> row = q.Step();
    if (!row.ok()) return row.status();
    if (*row) stale = q.ColumnText(0);
  }
  if (stale != "1") return absl::OkStatus();
  auto fail = [&c](absl::Status s) {
    c.Exec("ROLLBACK").IgnoreError();
    return s;
  };
  // Every writer inserts observations: this lock waits for those under way
  // and holds off the rest (and other replicas' backfills) until it commits.
  if (absl::Status s = c.Exec("BEGIN; LOCK TABLE observations IN SHARE ROW EXCLUSIVE MODE"); !s.ok()) return fail(s);
  {
    Query q(c, pg::kReadStale);
    absl::StatusOr<bool> row = q.Step();
    if (!row.ok()) return fail(row.status());
    if (!*row || q.ColumnView(0) != "1") return fail(absl::OkStatus());  // another replica did it
  }
  std::vector<int64_t> children;
  {
    Query q(c, pg::kAllChildren);
    while (true) {
      absl::StatusOr<bool> row = q.Step();
      if (!row.ok()) return fail(row.status());
      if (!*row) break;
      children.push_back(q.ColumnInt(0));
    }
  }
  std::vector<int64_t> unused;
  Txn txn{.conn = c, .lock_children = unused};
  if (absl::Status s = ReconcileChildren(txn, children, now_us); !s.ok()) return fail(s);
  if (absl::Status s = FlushCounts(txn); !s.ok()) return fail(s);
  if (absl::Status s = InsertChanges(txn); !s.ok()) return fail(s);
  if (absl::Status s = Query(c, pg::kClearStale).Run(); !s.ok()) return fail(s);
  if (absl::Status s = c.Exec("COMMIT"); !s.ok()) return fail(s);
  if (txn.changes_pending) PokeSequencer();
  return absl::OkStatus();
}

}  // namespace ethrec
