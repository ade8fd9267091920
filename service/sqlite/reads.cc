// SqliteStore's reads: a child, the children with findings, findings, the
// summary, and reviews (sqlite_store.h).
#include "service/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/types/span.h"
#include "service/internal/findings_queries.h"
#include "service/internal/store_audit.h"
#include "service/internal/store_checks.h"
#include "service/sqlite/row_codec.h"
#include "service/sqlite/schema.h"
#include "service/sqlite/statement.h"

namespace ethrec {
namespace {

using sqlite_internal::BindCurrentState;
using sqlite_internal::BindObservation;
using sqlite_internal::CategorySetText;
using sqlite_internal::CorruptFinding;
using sqlite_internal::EncodedNormalized;
using sqlite_internal::EventLine;
using sqlite_internal::Exec;
using sqlite_internal::FactsText;
using sqlite_internal::Migrate;
using sqlite_internal::kFindingChildColumn;
using sqlite_internal::kFindingColumns;
using sqlite_internal::Query;
using sqlite_internal::QueryOnce;
using sqlite_internal::ReadFindingRow;
using sqlite_internal::ReadObservationRow;
using sqlite_internal::ReadRecordStateRow;
using sqlite_internal::SqliteError;
using sqlite_internal::Statements;
using store_internal::TruncateToMicros;

}  // namespace

absl::StatusOr<ChildRecord> SqliteStore::GetChild(const ChildKey& key, const Access& access) {
  // One transaction: the child is read from one snapshot, with its event.
  return Audited<ChildRecord>(access, Undo::kOnError, [&](Touched& touched, int64_t) -> absl::StatusOr<ChildRecord> {
    if (absl::Status s = key.Validate(); !s.ok()) return s;
    absl::StatusOr<ChildRecord> child = ReadChild(key);
    if (!child.ok()) return child.status();
    touched.child_ids.push_back(child->child_id);
    // A child the caller may not see answers as an unknown one would.
    if (!MaySeeChild(*child, ViewerOf(access))) return ChildNotFound(key);
    return child;
  });
}

absl::StatusOr<ChildRecord> SqliteStore::ReadChild(const ChildKey& key) {
  int64_t child = 0;
  {
    Query q = key.is_child_id()     ? stmts_->Use(Statements::kChildExists)
              : key.is_nhs_number() ? stmts_->Use(Statements::kChildByNhs)
                                    : stmts_->Use(Statements::kChildByAgencyId);
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
    Query q = stmts_->Use(Statements::kListNhs);
    q.Int(child);
    while (true) {
      absl::StatusOr<bool> row = q.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      out.nhs_numbers.push_back(q.ColumnText(0));
    }
  }
  {
    Query q = stmts_->Use(Statements::kListAgencyIds);
    q.Int(child);
    while (true) {
      absl::StatusOr<bool> row = q.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      out.agency_child_ids.push_back({q.ColumnText(0), q.ColumnText(1)});
    }
  }
  {
    Query q = stmts_->Use(Statements::kListObservations);
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
  Query q = stmts_->Use(Statements::kChildOpenFindings);
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

absl::StatusOr<ChildrenPage> SqliteStore::ListChildrenWithFindings(const ChildQuery& query, const Access& access) {
  // One transaction: every child of the page from one snapshot.
  return Audited<ChildrenPage>(access, Undo::kOnError, [&](Touched& touched, int64_t) -> absl::StatusOr<ChildrenPage> {
    if (absl::Status s = store_internal::CheckAllAgencies(access, "children across agencies"); !s.ok()) return s;
    if (absl::Status s = store_internal::CheckPageSize(query.limit); !s.ok()) return s;
    if (!options_.store.findings_normalizer) return store_internal::FindingsDisabledError();
    std::vector<int64_t> ids;
    {
      Query q = stmts_->Use(Statements::kChildrenNeedingWork);
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
      absl::StatusOr<ChildRecord> child = ReadChild(ChildKey::ForChildId(id));
      if (!child.ok()) return child.status();
      page.children.push_back(*std::move(child));
      touched.child_ids.push_back(id);
    }
    return page;
  });
}

absl::StatusOr<FindingsPage> SqliteStore::ListFindings(const FindingQuery& query, const Access& access) {
  return Audited<FindingsPage>(access, Undo::kOnError, [&](Touched& touched, int64_t) -> absl::StatusOr<FindingsPage> {
    if (absl::Status s = store_internal::CheckAgencyScope(access, query.agency); !s.ok()) return s;
    return QueryFindings(query, touched);
  });
}

absl::StatusOr<FindingsPage> SqliteStore::QueryFindings(const FindingQuery& query, Touched& touched) {
  if (absl::Status s = store_internal::CheckPageSize(query.limit); !s.ok()) return s;
  if (!options_.store.findings_normalizer) return store_internal::FindingsDisabledError();
  // Filters vary per call, so the statement is built and prepared here;
  // every value is bound, never spliced into the SQL.
  std::string sql = absl::StrCat("SELECT ", kFindingColumns, ", child_id FROM findings WHERE finding_id > ?");
  if (!query.agency.empty()) absl::StrAppend(&sql, " AND (agency = ? OR other_agency = ?)");
  auto in_list = [&sql](absl::string_view column, size_t n) {
    absl::StrAppend(&sql, " AND ", column, " IN (?", absl::StrJoin(std::vector<std::string>(n - 1, ", ?"), ""),
                    ")");
  };
  if (!query.kinds.empty()) in_list("kind", query.kinds.size());
  if (query.min_severity.has_value()) absl::StrAppend(&sql, " AND severity_rank >= ?");
  std::vector<FindingStatus> statuses = query.statuses;
  if (statuses.empty()) statuses = {FindingStatus::kOpen, FindingStatus::kAcknowledged};
  in_list("status", statuses.size());
  if (query.raised_after.has_value()) absl::StrAppend(&sql, " AND last_raised_at_us >= ?");
  if (query.raised_before.has_value()) absl::StrAppend(&sql, " AND last_raised_at_us < ?");
  absl::StrAppend(&sql, " ORDER BY finding_id LIMIT ?");
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &raw, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, "prepare ListFindings");
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
  FindingsPage page;
  Query q(db_, raw);
  q.Int(query.after_id);
  if (!query.agency.empty()) q.Text(query.agency).Text(query.agency);
  for (FindingKind k : query.kinds) q.Text(FindingKindName(k));
  if (query.min_severity.has_value()) q.Int(static_cast<int64_t>(*query.min_severity));
  for (FindingStatus st : statuses) q.Text(FindingStatusName(st));
  if (query.raised_after.has_value()) q.Int(absl::ToUnixMicros(*query.raised_after));
  if (query.raised_before.has_value()) q.Int(absl::ToUnixMicros(*query.raised_before));
  q.Int(query.limit + 1);
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

absl::StatusOr<StoredFinding> SqliteStore::GetFinding(int64_t id, const Access& access) {
  return Audited<StoredFinding>(access, Undo::kOnError, [&](Touched& touched, int64_t) {
    return FindFinding(id, access, touched);
  });
}

absl::StatusOr<StoredFinding> SqliteStore::FindFinding(int64_t id, const Access& access, Touched& touched) {
  if (!options_.store.findings_normalizer) return store_internal::FindingsDisabledError();
  int64_t child = 0;
  absl::StatusOr<StoredFinding> f = ReadFinding(id, &child);
  if (!f.ok()) return f.status();
  touched.finding_ids.push_back(id);
  touched.child_ids.push_back(child);
  // Another agency's finding answers as one that does not exist would.
  if (!access.all_agencies && !VisibleToAgency(*f, access.actor.agency)) {
    return store_internal::FindingNotFoundError(id);
  }
  return f;
}

absl::StatusOr<StoredFinding> SqliteStore::ReadFinding(int64_t id, int64_t* child) {
  Query q = stmts_->Use(Statements::kGetFinding);
  absl::StatusOr<bool> row = q.Int(id).Step();
  if (!row.ok()) return row.status();
  if (!*row) return store_internal::FindingNotFoundError(id);
  if (child != nullptr) *child = q.ColumnInt(kFindingChildColumn);
  return ReadFindingRow(q);
}

absl::StatusOr<FindingSummary> SqliteStore::SummarizeFindings(absl::string_view agency, const Access& access) {
  return Audited<FindingSummary>(access, Undo::kOnError, [&](Touched&, int64_t) -> absl::StatusOr<FindingSummary> {
    if (absl::Status s = store_internal::CheckAgencyScope(access, agency); !s.ok()) return s;
    return Summarize(agency);
  });
}

absl::StatusOr<FindingSummary> SqliteStore::Summarize(absl::string_view agency) {
  if (!options_.store.findings_normalizer) return store_internal::FindingsDisabledError();
  const std::string where = agency.empty() ? "" : " AND agency = ?";
  // Counts are kept up to date by every write and review (finding_counts).
  // An agency sees the disagreements naming it as the other agency too.
  const std::string counts_sql = absl::StrCat(
      "SELECT agency, kind, status, SUM(n) FROM finding_counts WHERE status <> 'CLEARED'",
      agency.empty() ? "" : " AND (agency = ? OR other_agency = ?)",
      " GROUP BY agency, kind, status HAVING SUM(n) <> 0");
  // Per agency, its children, and those with a self-defined current record,
  // kept up to date by every write (agency_completeness).
  const std::string completeness_sql =
      absl::StrCat("SELECT agency, children, self_defined FROM agency_completeness WHERE children <> 0", where,
                   " ORDER BY agency");
  FindingSummary out;
  for (const std::string* sql : {&counts_sql, &completeness_sql}) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v2(db_, sql->c_str(), -1, &raw, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db_, rc, "prepare SummarizeFindings");
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
    Query q(db_, raw);
    if (!agency.empty()) q.Text(agency);
    if (!agency.empty() && sql == &counts_sql) q.Text(agency);
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
    Query q = stmts_->Use(Statements::kCountChildren);
    absl::StatusOr<bool> row = q.Step();
    if (!row.ok()) return row.status();
    out.children = *row ? q.ColumnInt(0) : 0;
  }
  std::sort(out.counts.begin(), out.counts.end(), [](const FindingCountRow& a, const FindingCountRow& b) {
    return std::tie(a.agency, a.kind, a.status) < std::tie(b.agency, b.kind, b.status);
  });
  return out;
}

absl::StatusOr<StoredFinding> SqliteStore::ReviewFinding(int64_t id, ReviewAction action, absl::string_view note,
                                                         const Access& access) {
  int64_t last_change = 0;
  absl::StatusOr<StoredFinding> out =
      Audited<StoredFinding>(access, Undo::kOnError, [&](Touched& touched, int64_t now_us) {
        last_change_ = 0;
        absl::StatusOr<StoredFinding> f = Review(id, action, note, access, now_us, touched);
        last_change = last_change_;
        return f;
      });
  if (out.ok() && last_change > 0) signal_.Notify(last_change);  // committed
  return out;
}

absl::StatusOr<StoredFinding> SqliteStore::Review(int64_t id, ReviewAction action, absl::string_view note,
                                                  const Access& access, int64_t now_us, Touched& touched) {
  absl::StatusOr<StoredFinding> f = FindFinding(id, access, touched);
  if (!f.ok()) return f.status();
  absl::StatusOr<FindingStatus> to = ReviewTransition(f->status, action, note);
  if (!to.ok()) return to.status();
  count_deltas_.clear();
  CountFinding(f->agency, f->facts.other_agency, f->kind, f->status, -1);
  CountFinding(f->agency, f->facts.other_agency, f->kind, *to, +1);
  if (absl::Status s = FlushCounts(); !s.ok()) return s;
  const FindingAction event = ReviewEvent(action);
  const AuditActor& by = access.actor;
  if (absl::Status s = stmts_->Use(Statements::kSetFindingStatus)
                           .Text(FindingStatusName(*to))
                           .Text(EventLine(event, now_us, by.agency, by.role, note))
                           .Int(id)
                           .Run();
      !s.ok()) {
    return s;
  }
  f->status = *to;
  f->history.push_back(FindingEvent{event, absl::FromUnixMicros(now_us), by.agency, by.role, std::string(note)});
  if (absl::Status s = InsertChange(ChangeEntry{.time = absl::FromUnixMicros(now_us),
                                                .kind = ChangeKind::kFindingChanged,
                                                .child_id = touched.child_ids.back(),
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

absl::StatusOr<bool> SqliteStore::MatchStoredVersion(size_t index, const Observation& o) {
  Query q = stmts_->Use(Statements::kFindVersion);
  absl::StatusOr<bool> row = q.Text(o.agency).Text(o.record_id).Int(o.record_version).Step();
  if (!row.ok()) return row.status();
  if (!*row) return false;
  // The stored version read as every read does (kFindVersion selects
  // kObservationColumns), so a corrupt column fails the same way.
  absl::StatusOr<StoredObservation> found = ReadObservationRow(q);
  if (!found.ok()) return found.status();
  const Observation& stored = found->observation;
  std::vector<absl::string_view> diff = store_internal::ContentDiff(stored, o);
  if (!diff.empty()) return store_internal::ConflictError(index, o, diff);
  return true;
}

}  // namespace ethrec
