#include "mapping/finding.h"

#include <algorithm>
#include <cstdint>

#include <unicode/utf8.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "mapping/status_field.h"

namespace ethrec {
namespace {

template <typename E, int N>
std::optional<E> ParseByName(absl::string_view name, absl::string_view (*to_name)(E)) {
  for (int i = 0; i < N; ++i) {
    if (to_name(static_cast<E>(i)) == name) return static_cast<E>(i);
  }
  return std::nullopt;
}

}  // namespace

absl::string_view FindingStatusName(FindingStatus s) {
  switch (s) {
    case FindingStatus::kOpen: return "OPEN";
    case FindingStatus::kAcknowledged: return "ACKNOWLEDGED";
    case FindingStatus::kResolved: return "RESOLVED";
    case FindingStatus::kCleared: return "CLEARED";
  }
  return "OPEN";
}

absl::string_view FindingActionName(FindingAction a) {
  switch (a) {
    case FindingAction::kRaised: return "RAISED";
    case FindingAction::kUpdated: return "UPDATED";
    case FindingAction::kCleared: return "CLEARED";
    case FindingAction::kReopened: return "REOPENED";
    case FindingAction::kAcknowledged: return "ACKNOWLEDGED";
    case FindingAction::kResolved: return "RESOLVED";
  }
  return "RAISED";
}

absl::string_view ReviewActionName(ReviewAction a) {
  switch (a) {
    case ReviewAction::kAcknowledge: return "ACKNOWLEDGE";
    case ReviewAction::kResolve: return "RESOLVE";
    case ReviewAction::kReopen: return "REOPEN";
  }
  return "ACKNOWLEDGE";
}

std::optional<FindingStatus> ParseFindingStatus(absl::string_view name) {
  return ParseByName<FindingStatus, 4>(name, FindingStatusName);
}
std::optional<FindingAction> ParseFindingAction(absl::string_view name) {
  return ParseByName<FindingAction, 6>(name, FindingActionName);
}
std::optional<FindingKind> ParseFindingKind(absl::string_view name) {
  return ParseByName<FindingKind, 7>(name, FindingKindName);
}
std::optional<Severity> ParseSeverity(absl::string_view name) {
  return ParseByName<Severity, 4>(name, SeverityName);
}

bool VisibleToAgency(const StoredFinding& f, absl::string_view agency) {
  return f.agency == agency || (!f.facts.other_agency.empty() && f.facts.other_agency == agency);
}


namespace {

bool ValidUtf8(absl::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const int32_t n = static_cast<int32_t>(s.size());
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) return false;
  }
  return true;
}

// The Unicode code points in valid UTF-8 `s`.
size_t CodePoints(absl::string_view s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

}  // namespace

std::string EncodeRecordRefs(const std::vector<RecordRef>& refs) {
  return absl::StrJoin(refs, "\n", [](std::string* s, const RecordRef& r) {
    absl::StrAppend(s, r.agency, "\t", r.record_id, "\t", r.record_version);
  });
}

std::optional<std::vector<RecordRef>> DecodeRecordRefs(absl::string_view text) {
  std::vector<RecordRef> out;
  if (text.empty()) return out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::vector<absl::string_view> parts = absl::StrSplit(line, '\t');
    RecordRef r;
    if (parts.size() != 3 || !absl::SimpleAtoi(parts[2], &r.record_version)) return std::nullopt;
    r.agency = std::string(parts[0]);
    r.record_id = std::string(parts[1]);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<StoredFinding> ToStoredFindings(std::vector<Finding> findings, absl::Span<const RecordState> records) {
  std::vector<StoredFinding> out;
  out.reserve(findings.size());
  for (Finding& f : findings) {
    StoredFinding& v = out.emplace_back();
    v.kind = f.kind;
    v.severity = f.severity;
    v.agency = std::move(f.agency);
    v.compared.reserve(f.compared_records.size());
    for (size_t i : f.compared_records) {
      const RecordState& r = records[i];
      v.compared.push_back(RecordRef{r.agency, r.record_id, r.record_version});
    }
    if (!v.compared.empty()) v.record_id = v.compared.front().record_id;
    v.record_set = f.record_set;
    v.reference_set = f.reference_set;
    v.suggested_code = std::move(f.suggested_code);
    v.facts = std::move(f.facts);
  }
  return out;
}

namespace {

// The records of a finding that make its identity (see ComputeFindings).
constexpr size_t kIdentityRecords = 2;

// Whether `encoded` (EncodeRecordRefs) names the records `refs`, in order,
// with the same versions too when `versions`; only the first `limit` of each
// when given. Walks the text: no copies.
bool SameRecords(absl::string_view encoded, absl::Span<const RecordRef> refs, bool versions,
                 size_t limit = SIZE_MAX) {
  refs = refs.subspan(0, std::min(limit, refs.size()));
  size_t i = 0;
  while (!encoded.empty() && i < limit) {
    if (i == refs.size()) return false;
    const size_t end = std::min(encoded.find('\n'), encoded.size());
    const absl::string_view line = encoded.substr(0, end);
    encoded.remove_prefix(std::min(end + 1, encoded.size()));
    const size_t tab1 = line.find('\t');
    const size_t tab2 = line.rfind('\t');
    if (tab1 == absl::string_view::npos || tab2 == tab1) return false;
    const RecordRef& r = refs[i++];
    if (line.substr(0, tab1) != r.agency || line.substr(tab1 + 1, tab2 - tab1 - 1) != r.record_id) return false;
    int64_t version = 0;
    if (versions && (!absl::SimpleAtoi(line.substr(tab2 + 1), &version) || version != r.record_version)) {
      return false;
    }
  }
  return i == refs.size();
}

bool SameIdentity(const StoredFinding& c, const ExistingFinding& e) {
  if (c.kind != e.kind || c.agency != e.agency) return false;
  return c.kind == FindingKind::kNotSelfDefined ||
         SameRecords(e.compared, c.compared, /*versions=*/false, kIdentityRecords);
}

bool SameIdentity(const StoredFinding& a, const StoredFinding& b) {
  if (a.kind != b.kind || a.agency != b.agency) return false;
  if (a.kind == FindingKind::kNotSelfDefined) return true;
  const size_t n = std::min(a.compared.size(), kIdentityRecords);
  if (n != std::min(b.compared.size(), kIdentityRecords)) return false;
  for (size_t i = 0; i < n; ++i) {
    if (a.compared[i].agency != b.compared[i].agency || a.compared[i].record_id != b.compared[i].record_id) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::vector<FindingChange> PlanFindingChanges(absl::Span<const ExistingFinding> existing,
                                              const std::vector<StoredFinding>& computed) {
  // A child has a handful of findings: scans beat maps here.
  // Two stored findings with one identity come from merged children: the
  // older (lowest id) goes on, the other is cleared.
  auto stored = [&existing](const auto& f) -> const ExistingFinding* {
    const ExistingFinding* best = nullptr;
    for (const ExistingFinding& e : existing) {
      if ((best == nullptr || e.id < best->id) && SameIdentity(f, e)) best = &e;
    }
    return best;
  };
  std::vector<FindingChange> out;
  for (size_t i = 0; i < computed.size(); ++i) {
    const StoredFinding& c = computed[i];
    bool twice = false;  // the rules raised it twice
    for (size_t j = 0; j < i && !twice; ++j) twice = SameIdentity(computed[j], c);
    if (twice) continue;
    const ExistingFinding* e = stored(c);
    if (e == nullptr) {
      out.push_back({FindingChange::Op::kInsert, 0, &c, FindingStatus::kOpen, FindingAction::kRaised, false});
      continue;
    }
    const bool newer_data = !SameRecords(e->compared, c.compared, /*versions=*/true);
    if (e->status == FindingStatus::kCleared || (e->status == FindingStatus::kResolved && newer_data)) {
      out.push_back({FindingChange::Op::kUpdate, e->id, &c, FindingStatus::kOpen, FindingAction::kReopened, true});
    } else if (newer_data) {
      out.push_back({FindingChange::Op::kUpdate, e->id, &c, e->status, FindingAction::kUpdated, false});
    }
  }
  for (const ExistingFinding& e : existing) {
    if (e.status == FindingStatus::kCleared) continue;
    // Still raised, and the one of its identity that goes on (lowest id)?
    const StoredFinding* match = nullptr;
    for (const StoredFinding& c : computed) {
      if (SameIdentity(c, e)) {
        match = &c;
        break;
      }
    }
    if (match != nullptr && stored(*match) == &e) continue;
    out.push_back({FindingChange::Op::kSetStatus, e.id, nullptr, FindingStatus::kCleared, FindingAction::kCleared,
                   false});
  }
  return out;
}

FeedbackBuilder::FeedbackBuilder(const std::vector<NormalizedObservation>& batch, std::vector<int64_t> item_child)
    : batch_(batch), feedback_(batch.size()) {
  by_child_.reserve(batch.size());
  for (size_t i = 0; i < item_child.size(); ++i) {
    if (item_child[i] != 0) by_child_.emplace_back(item_child[i], i);
  }
  std::sort(by_child_.begin(), by_child_.end());
}

void FeedbackBuilder::AddChild(int64_t child, absl::Span<const RecordState> states,
                               absl::Span<const ExistingFinding> existing, absl::Span<const FindingChange> changes,
                               absl::Span<const int64_t> ids) {
  std::optional<ReferenceView> reference;
  if (std::optional<ReferenceIdentity> r = FindReference(states); r.has_value()) {
    reference = ReferenceView{r->record->normalized.category_set, r->record->normalized.detail,
                              r->record->recorded_at, r->ascribed, r->declined != nullptr};
  }
  // The item a change on (agency, record_id) is reported on: the last item
  // that wrote that record, else the last item about the child from the
  // agency; -1 when no item of the agency touched the child.
  // The child's items, in batch order.
  const auto first = std::lower_bound(by_child_.begin(), by_child_.end(), std::pair<int64_t, size_t>(child, 0));
  auto last = first;
  while (last != by_child_.end() && last->first == child) ++last;
  auto item_for = [&](absl::string_view agency, absl::string_view record_id) {
    ptrdiff_t by_agency = -1;
    for (auto it = last; it != first;) {
      const size_t i = (--it)->second;
      const Observation& o = batch_[i].observation;
      if (o.agency != agency) continue;
      if (o.record_id == record_id) return static_cast<ptrdiff_t>(i);
      if (by_agency < 0) by_agency = static_cast<ptrdiff_t>(i);
    }
    return by_agency;
  };
  for (auto it = first; it != last; ++it) feedback_[it->second].reference = reference;
  for (size_t k = 0; k < changes.size(); ++k) {
    const FindingChange& change = changes[k];
    FindingFeedback out;
    out.action = change.event;
    StoredFinding& f = out.finding;
    if (change.computed != nullptr) {
      f = *change.computed;
    } else {
      const auto e = std::find_if(existing.begin(), existing.end(),
                                  [&change](const ExistingFinding& x) { return x.id == change.id; });
      if (e == existing.end()) continue;  // PlanFindingChanges clears only stored findings
      f.kind = e->kind;
      f.severity = e->severity;
      f.agency = e->agency;
      f.facts.other_agency = e->other_agency;
      f.compared = DecodeRecordRefs(e->compared).value_or(std::vector<RecordRef>{});
      if (!f.compared.empty()) f.record_id = f.compared.front().record_id;
    }
    f.id = ids[k];
    f.status = change.status;
    // The writing agency's: a finding about its record, or a disagreement
    // naming it as the other agency (both agencies of one see it).
    std::string agency = f.agency;
    ptrdiff_t item = item_for(agency, f.record_id);
    if (item < 0 && f.kind == FindingKind::kAgencyDisagreement) {
      agency = f.facts.other_agency;
      const auto theirs = std::find_if(f.compared.begin(), f.compared.end(),
                                       [&agency](const RecordRef& r) { return r.agency == agency; });
      item = item_for(agency, theirs == f.compared.end() ? "" : absl::string_view(theirs->record_id));
    }
    if (item < 0) continue;  // not about the writing agency's records
    // Only the agency's own records: never another agency's ids.
    std::erase_if(f.compared, [&agency](const RecordRef& r) { return r.agency != agency; });
    if (f.agency != agency) f.record_id.clear();
    feedback_[item].findings.push_back(std::move(out));
  }
}

bool SelfDefined(SuppliedBy supplied_by, const Normalized& n) {
  return (supplied_by == SuppliedBy::kSelf || supplied_by == SuppliedBy::kParentOrCarer) &&
         n.basis != RecordingBasis::kObserved &&
         (n.outcome == Outcome::kCategories || n.outcome == Outcome::kNotStated);
}

std::vector<std::pair<std::string, bool>> AgencySelfDefined(absl::Span<const RecordState> records) {
  std::vector<std::pair<std::string, bool>> out;
  for (const RecordState& r : records) {
    const bool usable = SelfDefined(r.supplied_by, r.normalized);
    auto it = std::find_if(out.begin(), out.end(), [&r](const auto& p) { return p.first == r.agency; });
    if (it == out.end()) {
      out.emplace_back(r.agency, usable);
    } else {
      it->second = it->second || usable;
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

absl::StatusOr<FindingStatus> ReviewTransition(FindingStatus from, ReviewAction action, absl::string_view note) {
  if (!ValidUtf8(note)) return WithField(absl::InvalidArgumentError("note is not valid UTF-8"), "note");
  if (CodePoints(note) > kMaxReviewNoteChars) {
    return WithField(absl::InvalidArgumentError(absl::StrCat("note is longer than ", kMaxReviewNoteChars,
                                                             " characters (the limit)")),
                     "note");
  }
  if (action == ReviewAction::kResolve && note.find_first_not_of(" \t\r\n") == absl::string_view::npos) {
    return WithField(absl::InvalidArgumentError("note is required to resolve a finding: say what was done"),
                     "note");
  }
  bool allowed = false;
  FindingStatus to = from;
  switch (action) {
    case ReviewAction::kAcknowledge:
      allowed = from == FindingStatus::kOpen;
      to = FindingStatus::kAcknowledged;
      break;
    case ReviewAction::kResolve:
      allowed = from == FindingStatus::kOpen || from == FindingStatus::kAcknowledged;
      to = FindingStatus::kResolved;
      break;
    case ReviewAction::kReopen:
      allowed = from == FindingStatus::kAcknowledged || from == FindingStatus::kResolved;
      to = FindingStatus::kOpen;
      break;
  }
  if (!allowed) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot ", ReviewActionName(action), " a finding that is ", FindingStatusName(from),
                     from == FindingStatus::kCleared ? " (the current data no longer raises it)" : ""));
  }
  return to;
}

FindingAction ReviewEvent(ReviewAction action) {
  switch (action) {
    case ReviewAction::kAcknowledge: return FindingAction::kAcknowledged;
    case ReviewAction::kResolve: return FindingAction::kResolved;
    case ReviewAction::kReopen: return FindingAction::kReopened;
  }
  return FindingAction::kReopened;
}

}  // namespace ethrec
