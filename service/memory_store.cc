#include "service/memory_store.h"

#include <algorithm>
#include <optional>
#include <tuple>

#include "service/internal/findings_queries.h"
#include "service/internal/store_audit.h"
#include "service/internal/store_checks.h"

namespace ethrec {

using store_internal::TruncateToMicros;

MemoryStore::MemoryStore(const StoreOptions& options) : options_(options) {}

void MemoryStore::Audit(const Access& access, Touched touched, const absl::Status& outcome) {
  AuditEvent e = store_internal::MakeAuditEvent(access, Now(), std::move(touched), outcome);
  e.id = next_audit_event_++;
  audit_.emplace(e.id, std::move(e));
}

template <typename Call>
auto MemoryStore::Audited(const Access& access, Call&& call) -> decltype(call(std::declval<Touched&>())) {
  absl::MutexLock lock(&mu_);
  if (closed_) return store_internal::ClosedError();
  Touched touched;
  auto result = call(touched);
  Audit(access, std::move(touched), result.status());
  return result;
}

absl::StatusOr<WriteResult> MemoryStore::Write(const std::vector<NormalizedObservation>& batch,
                                               const WriteOptions& options, const Access& access) {
  absl::MutexLock lock(&mu_);
  if (closed_) return store_internal::ClosedError();
  Touched touched{.validate_only = options.validate_only};
  const int64_t change_mark = next_change_;
  absl::StatusOr<WriteResult> out = WriteLocked(batch, options, touched);
  if (!out.ok()) touched.child_ids.clear();  // nothing was stored
  if (!out.ok() || options.validate_only) {
    changes_.erase(changes_.lower_bound(change_mark), changes_.end());
    next_change_ = change_mark;
  }
  Audit(access, std::move(touched), out.status());
  // The lock is this store's transaction: what it appended is committed.
  signal_.Notify(next_change_ - 1);
  return out;
}

absl::StatusOr<WriteResult> MemoryStore::WriteLocked(const std::vector<NormalizedObservation>& batch,
                                                     const WriteOptions& options, Touched& touched) {
  if (absl::Status s = store_internal::CheckBatch(batch); !s.ok()) return s;
  // Keys are unique within the batch, so every conflict is with data stored
  // before it: checking them all first makes the apply phase infallible,
  // which is what makes the batch all or nothing.
  for (size_t i = 0; i < batch.size(); ++i) {
    const Observation& o = batch[i].observation;
    auto record = records_.find(AgencyKey(o.agency, o.record_id));
    if (record == records_.end()) continue;
    auto version = record->second.versions.find(o.record_version);
    if (version == record->second.versions.end()) continue;
    std::vector<absl::string_view> diff =
        store_internal::ContentDiff(version->second.observation, o);
    if (!diff.empty()) return store_internal::ConflictError(i, o, diff);
  }
  std::optional<std::tuple<int64_t, std::map<int64_t, Child>, std::map<std::string, int64_t>,
                           std::map<AgencyKey, int64_t>, std::map<AgencyKey, Record>, int64_t,
                           std::map<int64_t, FindingRow>>>
      saved;
  if (options.validate_only) {
    saved.emplace(next_child_, children_, by_nhs_number_, by_agency_child_id_, records_, next_finding_, findings_);
  }
  const absl::Time received_at = Now();
  WriteResult out;
  out.outcomes.reserve(batch.size());
  const int64_t first_new_child = next_child_;
  for (const NormalizedObservation& item : batch) out.outcomes.push_back(Apply(item, received_at));
  for (size_t i = 0; i < batch.size(); ++i) {
    if (out.outcomes[i] == WriteOutcome::kDuplicate) continue;
    const Observation& o = batch[i].observation;
    AppendChange(ChangeEntry{.time = received_at,
                             .kind = ChangeKind::kRecordWritten,
                             .child_id = records_.at(AgencyKey(o.agency, o.record_id)).child,
                             .agency = o.agency,
                             .record_id = o.record_id,
                             .record_version = o.record_version,
                             .outcome = out.outcomes[i],
                             .normalized = batch[i].normalized});
  }
  // Children merge into the lowest id, so a record's child now is the child
  // it was written to, or what that merged into. A validate_only write names
  // only the children that existed before it: the others never will.
  for (const NormalizedObservation& item : batch) {
    const int64_t child = records_.at(AgencyKey(item.observation.agency, item.observation.record_id)).child;
    if (!options.validate_only || child < first_new_child) touched.child_ids.push_back(child);
  }
  if (options_.findings_normalizer) {
    std::set<int64_t> reconciled;
    std::vector<int64_t> item_child(batch.size(), 0);
    for (size_t i = 0; i < batch.size(); ++i) {
      const Observation& o = batch[i].observation;
      const int64_t child = records_.at(AgencyKey(o.agency, o.record_id)).child;
      reconciled.insert(child);
      if (out.outcomes[i] == WriteOutcome::kInserted) item_child[i] = child;
    }
    std::optional<FeedbackBuilder> feedback;
    if (options.feedback) feedback.emplace(batch, std::move(item_child));
    for (int64_t child : reconciled) Reconcile(child, received_at, feedback ? &*feedback : nullptr);
    if (feedback.has_value()) out.feedback = std::move(*feedback).Take();
  }
  if (options.feedback && out.feedback.empty()) out.feedback.resize(batch.size());
  if (saved.has_value()) {
    std::tie(next_child_, children_, by_nhs_number_, by_agency_child_id_, records_, next_finding_, findings_) =
        *std::move(saved);
    for (ItemFeedback& item : out.feedback) {
      for (FindingFeedback& f : item.findings) {
        if (f.action == FindingAction::kRaised) f.finding.id = 0;  // never stored
      }
    }
  }
  return out;
}

absl::Time MemoryStore::Now() const { return TruncateToMicros(options_.clock ? options_.clock() : absl::Now()); }

void MemoryStore::Reconcile(int64_t child, absl::Time now, FeedbackBuilder* feedback) {
  Child& c = children_.at(child);
  std::vector<RecordState> states;
  for (const AgencyKey& key : c.records) {
    const StoredObservation& current = records_.at(key).versions.rbegin()->second;
    states.push_back(RecordState{current.observation.agency, current.observation.record_id,
                                 current.observation.record_version, current.observation.supplied_by,
                                 current.observation.recorded_at, current.observation.system, current.normalized});
  }
  c.agencies = AgencySelfDefined(states);
  const std::vector<StoredFinding> computed = store_internal::ComputeFindings(states, options_);
  std::vector<ExistingFinding> existing;
  for (int64_t id : c.findings) {
    const FindingRow& row = findings_.at(id);
    existing.push_back({id, row.compared, row.finding.status, row.finding.kind, row.finding.agency,
                        row.finding.facts.other_agency, row.finding.severity});
  }
  const std::vector<FindingChange> changes = PlanFindingChanges(existing, computed);
  std::vector<int64_t> ids;
  ids.reserve(changes.size());
  for (const FindingChange& change : changes) {
    using Op = FindingChange::Op;
    FindingRow* row = nullptr;
    ids.push_back(change.op == Op::kInsert ? next_finding_ : change.id);
    if (change.op == Op::kInsert) {
      const int64_t id = next_finding_++;
      row = &findings_[id];
      row->finding.id = id;
      row->child = child;
      row->finding.first_raised_at = now;
      row->finding.last_raised_at = now;
      c.findings.insert(id);
    } else {
      row = &findings_.at(change.id);
    }
    StoredFinding& f = row->finding;
    if (change.computed != nullptr) {
      const StoredFinding& v = *change.computed;
      f.kind = v.kind;
      f.severity = v.severity;
      f.agency = v.agency;
      f.record_id = v.record_id;
      f.compared = v.compared;
      f.record_set = v.record_set;
      f.reference_set = v.reference_set;
      f.suggested_code = v.suggested_code;
      f.facts = v.facts;
      row->compared = EncodeRecordRefs(v.compared);
    }
    f.status = change.status;
    if (change.reopened) {
      ++f.reopen_count;
      f.last_raised_at = now;
    }
    f.history.push_back(FindingEvent{change.event, now, "", "", ""});
    AppendChange(ChangeEntry{.time = now,
                             .kind = ChangeKind::kFindingChanged,
                             .child_id = child,
                             .agency = f.agency,
                             .action = change.event,
                             .finding_id = f.id,
                             .finding_kind = f.kind,
                             .other_agency = f.facts.other_agency});
  }
  if (feedback != nullptr) feedback->AddChild(child, states, existing, changes, ids);
}

absl::StatusOr<FindingsPage> MemoryStore::ListFindings(const FindingQuery& query, const Access& access) {
  return Audited(access, [&](Touched& touched) { return ListFindingsLocked(query, access, touched); });
}

absl::StatusOr<FindingsPage> MemoryStore::ListFindingsLocked(const FindingQuery& query, const Access& access,
                                                              Touched& touched) {
  if (absl::Status s = store_internal::CheckAgencyScope(access, query.agency); !s.ok()) return s;
  if (absl::Status s = store_internal::CheckPageSize(query.limit); !s.ok()) return s;
  if (!options_.findings_normalizer) return store_internal::FindingsDisabledError();
  FindingsPage page;
  for (auto it = findings_.upper_bound(query.after_id); it != findings_.end(); ++it) {
    if (!store_internal::MatchesQuery(query, it->second.finding)) continue;
    if (page.findings.size() == static_cast<size_t>(query.limit)) {
      page.more = true;
      break;
    }
    page.findings.push_back(it->second.finding);
    touched.finding_ids.push_back(it->first);
    touched.child_ids.push_back(it->second.child);
  }
  return page;
}

absl::StatusOr<MemoryStore::FindingRow*> MemoryStore::FindFinding(int64_t id, const Access& access,
                                                                  Touched& touched) {
  if (!options_.findings_normalizer) return store_internal::FindingsDisabledError();
  auto it = findings_.find(id);
  if (it == findings_.end()) return store_internal::FindingNotFoundError(id);
  touched.finding_ids.push_back(id);
  touched.child_ids.push_back(it->second.child);
  // Another agency's finding answers as one that does not exist would.
  if (!access.all_agencies && !VisibleToAgency(it->second.finding, access.actor.agency)) {
    return store_internal::FindingNotFoundError(id);
  }
  return &it->second;
}

absl::StatusOr<StoredFinding> MemoryStore::GetFinding(int64_t id, const Access& access) {
  return Audited(access, [&](Touched& touched) -> absl::StatusOr<StoredFinding> {
    absl::StatusOr<FindingRow*> row = FindFinding(id, access, touched);
    if (!row.ok()) return row.status();
    return (*row)->finding;
  });
}

absl::StatusOr<FindingSummary> MemoryStore::SummarizeFindings(absl::string_view agency, const Access& access) {
  absl::MutexLock lock(&mu_);
  if (closed_) return store_internal::ClosedError();
  absl::StatusOr<FindingSummary> out = SummarizeLocked(agency, access);
  Audit(access, Touched(), out.status());
  return out;
}

absl::StatusOr<FindingSummary> MemoryStore::SummarizeLocked(absl::string_view agency, const Access& access) {
  if (absl::Status s = store_internal::CheckAgencyScope(access, agency); !s.ok()) return s;
  if (!options_.findings_normalizer) return store_internal::FindingsDisabledError();
  std::map<std::tuple<std::string, FindingKind, FindingStatus>, int64_t> counts;
  for (const auto& [id, row] : findings_) {
    const StoredFinding& f = row.finding;
    if (f.status == FindingStatus::kCleared) continue;
    if (!agency.empty() && !VisibleToAgency(f, agency)) continue;
    ++counts[{f.agency, f.kind, f.status}];
  }
  std::map<std::string, CompletenessRow> completeness;
  for (const auto& [id, c] : children_) {
    for (const auto& [a, self_defined] : c.agencies) {
      if (!agency.empty() && a != agency) continue;
      CompletenessRow& row = completeness[a];
      row.agency = a;
      ++row.children;
      if (self_defined) ++row.children_self_defined;
    }
  }
  FindingSummary out;
  for (const auto& [key, n] : counts) {
    out.counts.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), n});
  }
  for (auto& [a, row] : completeness) out.completeness.push_back(std::move(row));
  out.children = static_cast<int64_t>(children_.size());
  return out;
}

absl::StatusOr<StoredFinding> MemoryStore::ReviewFinding(int64_t id, ReviewAction action, absl::string_view note,
                                                         const Access& access) {
  return Audited(access, [&](Touched& touched) -> absl::StatusOr<StoredFinding> {
    absl::StatusOr<FindingRow*> row = FindFinding(id, access, touched);
    if (!row.ok()) return row.status();
    StoredFinding& f = (*row)->finding;
    absl::StatusOr<FindingStatus> to = ReviewTransition(f.status, action, note);
    if (!to.ok()) return to.status();
    f.status = *to;
    f.history.push_back(
        FindingEvent{ReviewEvent(action), Now(), access.actor.agency, access.actor.role, std::string(note)});
    AppendChange(ChangeEntry{.time = Now(),
                             .kind = ChangeKind::kFindingChanged,
                             .child_id = (*row)->child,
                             .agency = f.agency,
                             .action = ReviewEvent(action),
                             .finding_id = f.id,
                             .finding_kind = f.kind,
                             .other_agency = f.facts.other_agency});
    signal_.Notify(next_change_ - 1);
    return f;
  });
}

WriteOutcome MemoryStore::Apply(const NormalizedObservation& item, absl::Time received_at) {
  const Observation& o = item.observation;
  const AgencyKey record_key(o.agency, o.record_id);
  auto existing = records_.find(record_key);
  if (existing != records_.end() && existing->second.versions.contains(o.record_version)) {
    return WriteOutcome::kDuplicate;
  }
  const int64_t child = ResolveChild(o, existing == records_.end() ? nullptr : &existing->second);
  Child& c = children_[child];
  if (!o.nhs_number.empty()) {
    c.nhs_numbers.insert(o.nhs_number);
    by_nhs_number_[o.nhs_number] = child;
  }
  if (!o.agency_child_id.empty()) {
    const AgencyKey id(o.agency, o.agency_child_id);
    c.agency_child_ids.insert(id);
    by_agency_child_id_[id] = child;
  }
  c.records.insert(record_key);
  Record& record = records_[record_key];
  record.child = child;
  const bool current =
      record.versions.empty() || o.record_version > record.versions.rbegin()->first;
  StoredObservation& stored = record.versions[o.record_version];
  stored.observation = o;
  stored.observation.recorded_at = TruncateToMicros(o.recorded_at);
  stored.normalized = item.normalized;
  stored.received_at = received_at;
  return current ? WriteOutcome::kInserted : WriteOutcome::kHistorical;
}

int64_t MemoryStore::ResolveChild(const Observation& o, const Record* record) {
  std::vector<int64_t> found;
  if (record != nullptr) found.push_back(record->child);
  if (!o.nhs_number.empty()) {
    auto it = by_nhs_number_.find(o.nhs_number);
    if (it != by_nhs_number_.end()) found.push_back(it->second);
  }
  if (!o.agency_child_id.empty()) {
    auto it = by_agency_child_id_.find(AgencyKey(o.agency, o.agency_child_id));
    if (it != by_agency_child_id_.end()) found.push_back(it->second);
  }
  if (found.empty()) {
    const int64_t child = next_child_++;
    children_[child];
    return child;
  }
  // The lowest id survives a merge, as in SqliteStore; ids are internal.
  const int64_t into = *std::min_element(found.begin(), found.end());
  for (int64_t from : found) {
    if (from != into && children_.contains(from)) Merge(from, into);
  }
  return into;
}

void MemoryStore::Merge(int64_t from, int64_t into) {
  auto node = children_.extract(from);
  Child& source = node.mapped();
  Child& target = children_[into];
  for (const std::string& nhs : source.nhs_numbers) by_nhs_number_[nhs] = into;
  for (const AgencyKey& id : source.agency_child_ids) by_agency_child_id_[id] = into;
  for (const AgencyKey& r : source.records) records_[r].child = into;
  for (int64_t f : source.findings) findings_.at(f).child = into;
  target.nhs_numbers.merge(source.nhs_numbers);
  target.agency_child_ids.merge(source.agency_child_ids);
  target.records.merge(source.records);
  target.findings.merge(source.findings);
  // The target's completeness is recomputed after the write.
}

absl::StatusOr<ChildRecord> MemoryStore::GetChild(const ChildKey& key, const Access& access) {
  return Audited(access, [&](Touched& touched) { return GetChildLocked(key, access, touched); });
}

absl::StatusOr<ChildRecord> MemoryStore::GetChildLocked(const ChildKey& key, const Access& access,
                                                        Touched& touched) {
  if (absl::Status s = key.Validate(); !s.ok()) return s;
  int64_t child = 0;
  if (key.is_child_id()) {
    if (!children_.contains(key.child_id())) return store_internal::ChildNotFoundError(false);
    child = key.child_id();
  } else if (key.is_nhs_number()) {
    auto it = by_nhs_number_.find(key.nhs_number());
    if (it == by_nhs_number_.end()) return store_internal::ChildNotFoundError(true);
    child = it->second;
  } else {
    auto it = by_agency_child_id_.find(AgencyKey(key.agency(), key.agency_child_id()));
    if (it == by_agency_child_id_.end()) return store_internal::ChildNotFoundError(false);
    child = it->second;
  }
  touched.child_ids.push_back(child);
  ChildRecord out = ReadChild(child);
  // A child the caller may not see answers as an unknown one would.
  if (!MaySeeChild(out, ViewerOf(access))) return ChildNotFound(key);
  return out;
}

ChildRecord MemoryStore::ReadChild(int64_t child) const {
  const Child& c = children_.at(child);
  ChildRecord out;
  out.child_id = child;
  out.nhs_numbers.assign(c.nhs_numbers.begin(), c.nhs_numbers.end());
  for (const AgencyKey& id : c.agency_child_ids) {
    out.agency_child_ids.push_back({.agency = id.first, .agency_child_id = id.second});
  }
  for (const AgencyKey& r : c.records) {
    RecordHistory& history = out.records.emplace_back();
    history.agency = r.first;
    history.record_id = r.second;
    const Record& record = records_.at(r);
    for (auto it = record.versions.rbegin(); it != record.versions.rend(); ++it) {
      history.versions.push_back(it->second);
    }
  }
  for (int64_t id : c.findings) {
    const StoredFinding& f = findings_.at(id).finding;
    if (f.status != FindingStatus::kCleared) out.findings.push_back(f);
  }
  return out;
}

absl::StatusOr<ChildrenPage> MemoryStore::ListChildrenWithFindings(const ChildQuery& query, const Access& access) {
  return Audited(access, [&](Touched& touched) { return ListChildrenLocked(query, access, touched); });
}

absl::StatusOr<ChildrenPage> MemoryStore::ListChildrenLocked(const ChildQuery& query, const Access& access,
                                                             Touched& touched) {
  if (absl::Status s = store_internal::CheckAllAgencies(access, "children across agencies"); !s.ok()) return s;
  if (absl::Status s = store_internal::CheckPageSize(query.limit); !s.ok()) return s;
  if (!options_.findings_normalizer) return store_internal::FindingsDisabledError();
  ChildrenPage page;
  for (auto it = children_.upper_bound(query.after_child_id); it != children_.end(); ++it) {
    const bool needs_work = std::any_of(it->second.findings.begin(), it->second.findings.end(), [this](int64_t id) {
      const FindingStatus s = findings_.at(id).finding.status;
      return s == FindingStatus::kOpen || s == FindingStatus::kAcknowledged;
    });
    if (!needs_work) continue;
    if (static_cast<int>(page.children.size()) == query.limit) {
      page.more = true;
      break;
    }
    page.children.push_back(ReadChild(it->first));
    touched.child_ids.push_back(it->first);
  }
  return page;
}

absl::StatusOr<AuditPage> MemoryStore::ListAuditEvents(const AuditQuery& query, const Access& access) {
  absl::MutexLock lock(&mu_);
  if (closed_) return store_internal::ClosedError();
  absl::StatusOr<AuditPage> page = [&]() -> absl::StatusOr<AuditPage> {
    if (absl::Status s = store_internal::CheckAuditQuery(query); !s.ok()) return s;
    AuditPage out;
    out.newest_id = audit_.empty() ? 0 : audit_.rbegin()->first;
    for (auto it = audit_.upper_bound(query.after_id); it != audit_.end(); ++it) {
      if (!store_internal::MatchesAuditQuery(query, it->second)) continue;
      if (static_cast<int>(out.events.size()) == query.limit) {
        out.more = true;
        break;
      }
      out.events.push_back(it->second);
    }
    return out;
  }();
  Audit(access, Touched(), page.status());
  return page;
}

absl::StatusOr<int64_t> MemoryStore::PurgeExpiredAuditEvents(int batch) {
  if (absl::Status s = store_internal::CheckPurge(options_.audit_retention, batch); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  if (closed_) return store_internal::ClosedError();
  const absl::Time cutoff = Now() - options_.audit_retention;
  int64_t purged = 0;
  for (auto it = audit_.begin(); it != audit_.end();) {
    if (it->second.time < cutoff) {
      it = audit_.erase(it);
      ++purged;
    } else {
      ++it;
    }
  }
  return purged;
}

void MemoryStore::AppendChange(ChangeEntry e) {
  e.position = next_change_++;
  changes_.emplace(e.position, std::move(e));
}

absl::StatusOr<ChangeLogState> MemoryStore::GetChangeLogState() {
  absl::MutexLock lock(&mu_);
  if (closed_) return store_internal::ClosedError();
  return ChangeLogState{.latest = next_change_ - 1, .purged_through = changes_purged_through_};
}

absl::StatusOr<ChangePage> MemoryStore::ReadChanges(const ChangeQuery& query, const Access& access) {
  return Audited(access, [&](Touched& touched) -> absl::StatusOr<ChangePage> {
    if (absl::Status s = store_internal::CheckChangeQuery(query, access); !s.ok()) return s;
    if (absl::Status s = store_internal::CheckNotPurged(query.after, changes_purged_through_); !s.ok()) return s;
    ChangePage page{.last_position = query.after};
    int examined = 0;
    for (auto it = changes_.upper_bound(query.after); it != changes_.end(); ++it) {
      if (examined == query.limit) {
        page.more = true;
        break;
      }
      ++examined;
      page.last_position = it->first;
      if (!store_internal::MatchesChange(query, access, it->second)) continue;
      page.entries.push_back(it->second);
      touched.child_ids.push_back(it->second.child_id);
    }
    // Positions are never reused, so the caller may skip to the latest
    // even when the log has none after `after` any more.
    if (!page.more) page.last_position = std::max(page.last_position, next_change_ - 1);
    return page;
  });
}

absl::StatusOr<int64_t> MemoryStore::WaitForChanges(int64_t after, absl::Time deadline) {
  return signal_.Wait(after, deadline);
}

absl::StatusOr<int64_t> MemoryStore::PurgeExpiredChanges(int batch) {
  if (absl::Status s = store_internal::CheckChangesPurge(options_.changes_retention, batch); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  if (closed_) return store_internal::ClosedError();
  const absl::Time cutoff = Now() - options_.changes_retention;
  int64_t purged = 0;
  while (!changes_.empty() && changes_.begin()->second.time < cutoff) {
    changes_purged_through_ = changes_.begin()->first;
    changes_.erase(changes_.begin());
    ++purged;
  }
  return purged;
}

absl::Status MemoryStore::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  signal_.Close();
  return absl::OkStatus();
}

}  // namespace ethrec
