// PostgresStore's reads: a child, the children with findings, findings, the
// summary, and reviews (postgres_store.h). The same reads as the SQLite
// store's (service/sqlite/reads.cc), each in a REPEATABLE READ transaction.
#include <algorithm>
#include <optional>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "service/internal/findings_queries.h"
#include "service/internal/store_audit.h"
#include "service/internal/store_checks.h"
#include "service/postgres/postgres_store.h"
#include "service/postgres/statement.h"
#include "service/sqlite/row_codec.h"
#include "service/sqlite/schema.h"

namespace ethrec {
namespace {

using postgres_internal::Connection;
using postgres_internal::Query;
using sqlite_internal::CorruptFinding;
using sqlite_internal::EventLine;
using sqlite_internal::kFindingChildColumn;
using sqlite_internal::kFindingColumns;
using sqlite_internal::ReadFindingRow;
using sqlite_internal::ReadObservationRow;
namespace pg = postgres_internal;

// ", $k, $k+1, ..." for `n` parameters after `*next`, counting them off.
std::string Params(int n, int* next) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(absl::StrCat("$", (*next)++));
  return absl::StrJoin(out, ", ");
}

}  // namespace

absl::StatusOr<ChildRecord> PostgresStore::GetChild(const ChildKey& key, const Access& access) {
  return Audited<ChildRecord>(access, Isolation::kRead, Undo::kOnError,
                              [&](Txn& txn, Touched& touched, int64_t) -> absl::StatusOr<ChildRecord> {
                                if (absl::Status s = key.Validate(); !s.ok()) return s;
                                absl::StatusOr<ChildRecord> child = ReadChild(txn.conn, key);
                                if (!child.ok()) return child.status();
                                touched.child_ids.push_back(child->child_id);
                                // A child the caller may not see answers as an unknown one would.
                                if (!MaySeeChild(*child, ViewerOf(access))) return ChildNotFound(key);
                                return child;
                              });
}

absl::StatusOr<ChildRecord> PostgresStore::ReadChild(Connection& c, const ChildKey& key) {
  int64_t child = 0;
  {
    Query q(c, key.is_child_id()     ? pg::kChildExists
               : key.is_nhs_number() ? pg::kChildByNhs
                                     : pg::kChildByAgencyId);
    if (key.is_child_id()) {
      q.Int(key.child_id());
    } else if (key.is_nhs_number()) {
      q.Text(key.nhs_number());
    } else {
      q.Text(key.agency()).Text(key.agency_child_id());
    }
    absl::StatusOr<bool> row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) return store_internal::ChildNotFoundError(key.is_nhs_number());
    child = q.ColumnInt(0);
  }
  ChildRecord out;
  {
    Query q(c, pg::kListNhs);
    q.Int(child);
    while (true) {
      absl::StatusOr<bool> row = q.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      out.nhs_numbers.push_back(q.ColumnText(0));
    }
  }
  {
    Query q(c, pg::kListAgencyIds);
    q.Int(child);
    while (true) {
      absl::StatusOr<bool> row = q.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      out.agency_child_ids.push_back({q.ColumnText(0), q.ColumnText(1)});
    }
  }
  {
    Query q(c, pg::kListObservations);
    q.Int(child);
    while (true) {
      absl::StatusOr<bool> row = q.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      absl::StatusOr<StoredObservation> stored = ReadObservationRow(q);
      if (!stored.ok()) return stored.status();
      if (out.records.empty() || out.records.back().agency != stored->observation.agency ||
          out.records.back().record_id != stored->observation.record_id) {
        RecordHistory& r = out.records.emplace_back();
        r.agency = stored->observation.agency;
        r.record_id = stored->observation.record_id;
      }
      out.records.back().versions.push_back(*std::move(stored));
    }
  }
  out.child_id = child;
  if (!options_.store.findings_normalizer) return out;
  Query q(c, pg::kChildOpenFindings);
  q.Int(child);
  while (true) {
    absl::StatusOr<bool> row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    absl::StatusOr<StoredFinding> f = ReadFindingRow(q);
    if (!f.ok()) return f.status();
    out.findings.push_back(*std::move(f));
  }
  return out;
}

absl::StatusOr<ChildrenPage> PostgresStore::ListChildrenWithFindings(const ChildQuery& query, const Access& access) {
  return Audited<ChildrenPage>(
      access, Isolation::kRead, Undo::kOnError, [&](Txn& txn, Touched& touched, int64_t) -> absl::StatusOr<ChildrenPage> {
        if (absl::Status s = store_internal::CheckAllAgencies(access, "children across agencies"); !s.ok()) return s;
        if (absl::Status s = store_internal::CheckPageSize(query.limit); !s.ok()) return s;
        if (!options_.store.findings_normalizer) return store_internal::FindingsDisabledError();
        std::vector<int64_t> ids;
        {
          Query q(txn.conn, pg::kChildrenNeedingWork);
          q.Int(query.after_child_id).Int(query.limit + 1);
          while (true) {
            absl::StatusOr<bool> row = q.Step();
            if (!row.ok()) return row.status();
            if (!*row) break;
            ids.push_back(q.ColumnInt(0));
          }
        }
        ChildrenPage page;
        page.more = static_cast<int>(ids.size()) > query.limit;
        if (page.more) ids.pop_back();
        for (int64_t id : ids) {
          absl::StatusOr<ChildRecord> child = ReadChild(txn.conn, ChildKey::ForChildId(id));
          if (!child.ok()) return child.status();
          page.children.push_back(*std::move(child));
          touched.child_ids.push_back(id);
        }
        return page;
      });
}

absl::StatusOr<FindingsPage> PostgresStore::ListFindings(const FindingQuery& query, const Access& access) {
  return Audited<FindingsPage>(access, Isolation::kRead, Undo::kOnError,
                               [&](Txn& txn, Touched& touched, int64_t) -> absl::StatusOr<FindingsPage> {
                                 if (absl::Status s = store_internal::CheckAgencyScope(access, query.agency); !s.ok()) {
                                   return s;
                                 }
                                 return QueryFindings(txn.conn, query, touched);
                               });
}

absl::StatusOr<FindingsPage> PostgresStore::QueryFindings(Connection& c, const FindingQuery& query,
                                                          Touched& touched) {
  if (absl::Status s = store_internal::CheckPageSize(query.limit); !s.ok()) return s;
  if (!options_.store.findings_normalizer) return store_internal::FindingsDisabledError();
  // Filters vary per call, so the statement is built here; every value is
  // a parameter, never spliced into the SQL.
  int next = 1;
  std::string sql =
      absl::StrCat("SELECT ", kFindingColumns, ", child_id FROM findings WHERE finding_id > $", next++);
  if (!query.agency.empty()) {
    absl::StrAppend(&sql, " AND (agency = $", next, " OR other_agency = $", next + 1, ")");
    next += 2;
  }
  if (!query.kinds.empty()) absl::StrAppend(&sql, " AND kind IN (", Params(query.kinds.size(), &next), ")");
  if (query.min_severity.has_value()) absl::StrAppend(&sql, " AND severity_rank >= $", next++);
  std::vector<FindingStatus> statuses = query.statuses;
  if (statuses.empty()) statuses = {FindingStatus::kOpen, FindingStatus::kAcknowledged};
  absl::StrAppend(&sql, " AND status IN (", Params(statuses.size(), &next), ")");
  if (query.raised_after.has_value()) absl::StrAppend(&sql, " AND last_raised_at_us >= $", next++);
  if (query.raised_before.has_value()) absl::StrAppend(&sql, " AND last_raised_at_us < $", next++);
  absl::StrAppend(&sql, " ORDER BY finding_id LIMIT $", next++);
  Query q(c, std::move(sql));
  q.Int(query.after_id);
  if (!query.agency.empty()) q.Text(query.agency).Text(query.agency);
  for (FindingKind k : query.kinds) q.Text(FindingKindName(k));
  if (query.min_severity.has_value()) q.Int(static_cast<int64_t>(*query.min_severity));
  for (FindingStatus st : statuses) q.Text(FindingStatusName(st));
  if (query.raised_after.has_value()) q.Int(absl::ToUnixMicros(*query.raised_after));
  if (query.raised_before.has_value()) q.Int(absl::ToUnixMicros(*query.raised_before));
  q.Int(query.limit + 1);
  FindingsPage page;
  while (true) {
    absl::StatusOr<bool> row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (page.findings.size() == static_cast<size_t>(query.limit)) {
      page.more = true;
      break;
    }
    absl::StatusOr<StoredFinding> f = ReadFindingRow(q);
    if (!f.ok()) return f.status();
    touched.finding_ids.push_back(f->id);
    touched.child_ids.push_back(q.ColumnInt(kFindingChildColumn));
    page.findings.push_back(*std::move(f));
  }
  return page;
}

absl::StatusOr<StoredFinding> PostgresStore::GetFinding(int64_t id, const Access& access) {
  return Audited<StoredFinding>(access, Isolation::kRead, Undo::kOnError,
                                [&](Txn& txn, Touched& touched, int64_t) {
                                  return FindFinding(txn.conn, id, access, touched);
                                });
}

absl::StatusOr<StoredFinding> PostgresStore::FindFinding(Connection& c, int64_t id, const Access& access,
                                                         Touched& touched, int64_t* child_out) {
  if (!options_.store.findings_normalizer) return store_internal::FindingsDisabledError();
  int64_t child = 0;
  absl::StatusOr<StoredFinding> f = ReadFinding(c, id, &child);
  if (!f.ok()) return f.status();
  touched.finding_ids.push_back(id);
  touched.child_ids.push_back(child);
  if (child_out != nullptr) *child_out = child;
  // Another agency's finding answers as one that does not exist would.
  if (!access.all_agencies && !VisibleToAgency(*f, access.actor.agency)) {
    return store_internal::FindingNotFoundError(id);
  }
  return f;
}

absl::StatusOr<StoredFinding> PostgresStore::ReadFinding(Connection& c, int64_t id, int64_t* child) {
  Query q(c, pg::kGetFinding);
  absl::StatusOr<bool> row = q.Int(id).Step();
  if (!row.ok()) return row.status();
  if (!*row) return store_internal::FindingNotFoundError(id);
  if (child != nullptr) *child = q.ColumnInt(kFindingChildColumn);
  return ReadFindingRow(q);
}

absl::StatusOr<FindingSummary> PostgresStore::SummarizeFindings(absl::string_view agency, const Access& access) {
  return Audited<FindingSummary>(access, Isolation::kRead, Undo::kOnError,
                                 [&](Txn& txn, Touched&, int64_t) -> absl::StatusOr<FindingSummary> {
                                   if (absl::Status s = store_internal::CheckAgencyScope(access, agency); !s.ok()) {
                                     return s;
                                   }
                                   return Summarize(txn.conn, agency);
                                 });
}

absl::StatusOr<FindingSummary> PostgresStore::Summarize(Connection& c, absl::string_view agency) {
  if (!options_.store.findings_normalizer) return store_internal::FindingsDisabledError();
  // Counts are kept up to date by every write and review (finding_counts).
  // An agency sees the disagreements naming it as the other agency too.
  const std::string counts_sql = absl::StrCat(
      "SELECT agency, kind, status, SUM(n) FROM finding_counts WHERE status <> 'CLEARED'",
      agency.empty() ? "" : " AND (agency = $1 OR other_agency = $1)",
      " GROUP BY agency, kind, status HAVING SUM(n) <> 0");
  // Per agency, its children, and those with a self-defined current record,
  // kept up to date by every write (agency_completeness).
  const std::string completeness_sql =
      absl::StrCat("SELECT agency, children, self_defined FROM agency_completeness WHERE children <> 0",
                   agency.empty() ? "" : " AND agency = $1", " ORDER BY agency");
  FindingSummary out;
  for (const std::string* sql : {&counts_sql, &completeness_sql}) {
    Query q(c, *sql);
    if (!agency.empty()) q.Text(agency);
    while (true) {
      absl::StatusOr<bool> row = q.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      if (sql == &counts_sql) {
        std::optional<FindingKind> kind = ParseFindingKind(q.ColumnText(1));
        std::optional<FindingStatus> status = ParseFindingStatus(q.ColumnText(2));
        if (!kind.has_value()) return CorruptFinding("kind");
        if (!status.has_value()) return CorruptFinding("status");
        out.counts.push_back({q.ColumnText(0), *kind, *status, q.ColumnInt(3)});
      } else {
        out.completeness.push_back({q.ColumnText(0), q.ColumnInt(1), q.ColumnInt(2)});
      }
    }
  }
  {
    Query q(c, pg::kCountChildren);
    absl::StatusOr<bool> row = q.Step();
    if (!row.ok()) return row.status();
    out.children = *row ? q.ColumnInt(0) : 0;
  }
  std::sort(out.counts.begin(), out.counts.end(), [](const FindingCountRow& a, const FindingCountRow& b) {
    return std::tie(a.agency, a.kind, a.status) < std::tie(b.agency, b.kind, b.status);
  });
  return out;
}

absl::StatusOr<StoredFinding> PostgresStore::ReviewFinding(int64_t id, ReviewAction action, absl::string_view note,
                                                           const Access& access) {
  // A review changes a finding that a write about its child may be
  // recomputing: it takes the child's lock, as writes do.
  return Audited<StoredFinding>(access, Isolation::kWrite, Undo::kOnError,
                                [&](Txn& txn, Touched& touched, int64_t now_us) {
                                  return Review(txn, id, action, note, access, now_us, touched);
                                });
}

absl::StatusOr<StoredFinding> PostgresStore::Review(Txn& txn, int64_t id, ReviewAction action,
                                                    absl::string_view note, const Access& access, int64_t now_us,
                                                    Touched& touched) {
  if (options_.store.findings_normalizer) {
    Query q(txn.conn, pg::kFindingChild);
    absl::StatusOr<bool> row = q.Int(id).Step();
    if (!row.ok()) return row.status();
    if (*row) txn.lock_children.push_back(q.ColumnInt(0));
  }
  std::sort(txn.lock_children.begin(), txn.lock_children.end());
  txn.lock_children.erase(std::unique(txn.lock_children.begin(), txn.lock_children.end()), txn.lock_children.end());
  if (absl::Status s = LockKeys(txn.conn, txn.lock_children); !s.ok()) return s;
  int64_t child = 0;
  absl::StatusOr<StoredFinding> f = FindFinding(txn.conn, id, access, touched, &child);
  if (!f.ok()) return f.status();
  if (!std::binary_search(txn.lock_children.begin(), txn.lock_children.end(), child)) {
    // A merge moved the finding to another child meanwhile: lock that one.
    txn.lock_children.push_back(child);
    txn.relock = true;
    return absl::AbortedError("postgres: a finding's child changed before it was locked; trying again");
  }
  absl::StatusOr<FindingStatus> to = ReviewTransition(f->status, action, note);
  if (!to.ok()) return to.status();
  txn.count_deltas.clear();
  CountFinding(txn, f->agency, f->facts.other_agency, f->kind, f->status, -1);
  CountFinding(txn, f->agency, f->facts.other_agency, f->kind, *to, +1);
  if (absl::Status s = FlushCounts(txn); !s.ok()) return s;
  const FindingAction event = ReviewEvent(action);
  const AuditActor& by = access.actor;
  if (absl::Status s = Query(txn.conn, pg::kSetFindingStatus)
                           .Text(FindingStatusName(*to))
                           .Text(EventLine(event, now_us, by.agency, by.role, note))
                           .Int(id)
                           .Run();
      !s.ok()) {
    return s;
  }
  f->status = *to;
  f->history.push_back(FindingEvent{event, absl::FromUnixMicros(now_us), by.agency, by.role, std::string(note)});
  if (absl::Status s = InsertChange(txn, ChangeEntry{.time = absl::FromUnixMicros(now_us),
                                                     .kind = ChangeKind::kFindingChanged,
                                                     .child_id = child,
                                                     .agency = f->agency,
                                                     .action = event,
                                                     .finding_id = id,
                                                     .finding_kind = f->kind,
                                                     .other_agency = f->facts.other_agency});
      !s.ok()) {
    return s;
  }
  return f;
}

}  // namespace ethrec
