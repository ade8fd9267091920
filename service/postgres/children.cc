// PostgresStore: how a write finds and merges the child of an item, and
// keeps completeness per agency (agency_completeness) as it changes them.
#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "service/internal/findings_queries.h"
#include "service/postgres/postgres_store.h"
#include "service/postgres/statement.h"

namespace ethrec {

using postgres_internal::Query;
using store_internal::AgencyOfChild;
namespace pg = postgres_internal;

absl::StatusOr<PostgresStore::ChildLinks> PostgresStore::ResolveChild(Txn& txn, const Observation& o,
                                                                      std::optional<int64_t> record_child,
                                                                      int64_t received_us) {
  ChildLinks links;
  std::vector<int64_t> found;
  if (record_child.has_value()) found.push_back(*record_child);
  if (!o.nhs_number.empty()) {
    Query q(txn.conn, pg::kChildByNhs);
    absl::StatusOr<bool> row = q.Text(o.nhs_number).Step();
    if (!row.ok()) return row.status();
    if (*row) found.push_back(q.ColumnInt(0));
    links.nhs_number_linked = *row;
  }
  if (!o.agency_child_id.empty()) {
    Query q(txn.conn, pg::kChildByAgencyId);
    absl::StatusOr<bool> row = q.Text(o.agency).Text(o.agency_child_id).Step();
    if (!row.ok()) return row.status();
    if (*row) found.push_back(q.ColumnInt(0));
    links.agency_child_id_linked = *row;
  }
  if (found.empty()) {
    // A new child: nobody else can know its id before this commits, and
    // the identifiers that lead to it are locked.
    Query q(txn.conn, pg::kInsertChild);
    absl::StatusOr<bool> row = q.Int(received_us).Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::InternalError("postgres: inserting a child returned no id");
    links.child = q.ColumnInt(0);
    txn.created_children.push_back(links.child);
    return links;
  }
  // The lowest id survives a merge (ids are internal, never shown);
  // MergeChild moves every link and stored record to it (records made
  // earlier in this batch follow txn.merges when they are inserted).
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  for (size_t i = 1; i < found.size(); ++i) {
    if (absl::Status s = MergeChild(txn, found[i], found[0]); !s.ok()) return s;
  }
  links.child = found[0];
  return links;
}

absl::Status PostgresStore::MergeChild(Txn& txn, int64_t from, int64_t into) {
  for (pg::StatementId id : {pg::kMoveNhs, pg::kMoveAgencyIds, pg::kMoveRecords, pg::kMoveFindings}) {
    if (absl::Status s = Query(txn.conn, id).Int(into).Int(from).Run(); !s.ok()) return s;
  }
  txn.merges.emplace_back(from, into);
  return Query(txn.conn, pg::kDeleteChild).Int(from).Run();
}

int64_t PostgresStore::AfterMerges(const Txn& txn, int64_t child) {
  // Merges only go to a lower id, so following them in order ends.
  for (const auto& [from, into] : txn.merges) {
    if (child == from) child = into;
  }
  return child;
}

absl::StatusOr<std::vector<AgencyOfChild>> PostgresStore::AgenciesOf(Connection& c,
                                                                     const std::vector<int64_t>& children) {
  std::vector<AgencyOfChild> out;
  if (children.empty()) return out;
  Query q(c, pg::kAgenciesOfChildren);
  q.IntArray(children);
  while (true) {
    absl::StatusOr<bool> row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({q.ColumnText(0), q.ColumnInt(1) != 0});
  }
  return out;
}

absl::Status PostgresStore::CountCompleteness(Txn& txn, const std::vector<AgencyOfChild>& before) {
  // The same children as `before`, as they are now: where the merged ones
  // went, and the new ones.
  std::vector<int64_t> children;
  for (const std::vector<int64_t>* from : {&txn.locked_children, &txn.created_children}) {
    for (int64_t child : *from) children.push_back(AfterMerges(txn, child));
  }
  std::sort(children.begin(), children.end());
  children.erase(std::unique(children.begin(), children.end()), children.end());
  absl::StatusOr<std::vector<AgencyOfChild>> after = AgenciesOf(txn.conn, children);
  if (!after.ok()) return after.status();
  for (const CompletenessRow& d : store_internal::CompletenessDeltas(before, *after)) {
    absl::Status s =
        Query(txn.conn, pg::kAddCompleteness).Text(d.agency).Int(d.children).Int(d.children_self_defined).Run();
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace ethrec
