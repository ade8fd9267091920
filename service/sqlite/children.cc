// SqliteStore: how a write finds and merges the child of an item, and
// keeps completeness per agency (agency_completeness) as it changes them.
#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "service/internal/findings_queries.h"
#include "service/sqlite/statement.h"
#include "service/sqlite/sqlite_store.h"

namespace ethrec {

using sqlite_internal::Query;
using sqlite_internal::Statements;
using store_internal::AgencyOfChild;

namespace {

// Appends the agency parts of `child` to `out`.
absl::Status AppendAgenciesOf(Statements& stmts, int64_t child, std::vector<AgencyOfChild>& out) {
  Query q = stmts.Use(Statements::kAgenciesOfChild);
  q.Int(child);
  while (true) {
    absl::StatusOr<bool> row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::OkStatus();
    out.push_back({q.ColumnText(0), q.ColumnInt(1) != 0});
  }
}

}  // namespace

absl::StatusOr<SqliteStore::ChildLinks> SqliteStore::ResolveChild(
    const Observation& o, std::optional<int64_t> record_child, int64_t received_us) {
  ChildLinks links;
  std::vector<int64_t> found;
  if (record_child.has_value()) found.push_back(*record_child);
  if (!o.nhs_number.empty()) {
    Query q = stmts_->Use(Statements::kChildByNhs);
    absl::StatusOr<bool> row = q.Text(o.nhs_number).Step();
    if (!row.ok()) return row.status();
    if (*row) found.push_back(q.ColumnInt(0));
    links.nhs_number_linked = *row;
  }
  if (!o.agency_child_id.empty()) {
    Query q = stmts_->Use(Statements::kChildByAgencyId);
    absl::StatusOr<bool> row = q.Text(o.agency).Text(o.agency_child_id).Step();
    if (!row.ok()) return row.status();
    if (*row) found.push_back(q.ColumnInt(0));
    links.agency_child_id_linked = *row;
  }
  if (found.empty()) {
    Query q = stmts_->Use(Statements::kInsertChild);
    absl::StatusOr<bool> row = q.Int(received_us).Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::InternalError("sqlite: inserting a child returned no id");
    links.child = q.ColumnInt(0);
    if (absl::Status s = q.Run(); !s.ok()) return s;
    created_children_.push_back(links.child);
    return links;
  }
  // The lowest id survives a merge (ids are internal, never shown);
  // MergeChild moves every link and record to it.
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  for (size_t i = 1; i < found.size(); ++i) {
    if (absl::Status s = MergeChild(found[i], found[0]); !s.ok()) return s;
  }
  links.child = found[0];
  return links;
}

absl::Status SqliteStore::MergeChild(int64_t from, int64_t into) {
  for (int64_t child : {from, into}) {
    if (absl::Status s = NoteAgenciesBefore(child); !s.ok()) return s;
  }
  for (Statements::Id id : {Statements::kMoveNhs, Statements::kMoveAgencyIds, Statements::kMoveRecords,
                            Statements::kMoveFindings}) {
    if (absl::Status s = stmts_->Use(id).Int(into).Int(from).Run(); !s.ok()) return s;
  }
  merges_.emplace_back(from, into);
  return stmts_->Use(Statements::kDeleteChild).Int(from).Run();
}

int64_t SqliteStore::AfterMerges(int64_t child) const {
  // Merges only go to a lower id, so following them in order ends.
  for (const auto& [from, into] : merges_) {
    if (child == from) child = into;
  }
  return child;
}

absl::Status SqliteStore::NoteAgenciesBefore(int64_t child) {
  if (std::find(noted_children_.begin(), noted_children_.end(), child) != noted_children_.end()) {
    return absl::OkStatus();
  }
  noted_children_.push_back(child);
  return AppendAgenciesOf(*stmts_, child, agencies_before_);
}

absl::Status SqliteStore::CountCompleteness() {
  // The noted children as they are now: where the merged ones went.
  std::vector<int64_t> children;
  for (int64_t child : noted_children_) children.push_back(AfterMerges(child));
  std::sort(children.begin(), children.end());
  children.erase(std::unique(children.begin(), children.end()), children.end());
  std::vector<AgencyOfChild> after;
  for (int64_t child : children) {
    if (absl::Status s = AppendAgenciesOf(*stmts_, child, after); !s.ok()) return s;
  }
  for (const CompletenessRow& d : store_internal::CompletenessDeltas(agencies_before_, after)) {
    absl::Status s = stmts_->Use(Statements::kAddCompleteness)
                         .Text(d.agency)
                         .Int(d.children)
                         .Int(d.children_self_defined)
                         .Run();
    if (!s.ok()) return s;
  }
  noted_children_.clear();
  agencies_before_.clear();
  return absl::OkStatus();
}

}  // namespace ethrec
