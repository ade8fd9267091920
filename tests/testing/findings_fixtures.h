// Test-only synthetic findings for the CLI's findings output and report
// tests. Every agency, record id and reason is made up; nothing here is
// about a real child.
#ifndef ETHREC_TESTS_TESTING_FINDINGS_FIXTURES_H_
#define ETHREC_TESTS_TESTING_FINDINGS_FIXTURES_H_

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "ethrec/v1/findings_service.pb.h"
#include "mapping/taxonomy.h"
#include "tools/backend.h"

namespace ethrec::testing {

// A finding comparing `record_id` of `agency` with the child's own
// statement ("self/statement-<id>"), raised at 2026-11-27T10:00:00Z plus
// `id` minutes, with a RAISED event.
inline v1::Finding MakeFinding(int64_t id, v1::FindingKind kind, v1::Severity severity, v1::FindingStatus status,
                               const std::string& agency, const std::string& record_id,
                               const std::string& reason) {
  constexpr int64_t kBase = 1795773600;  // 2026-11-27T10:00:00Z
  v1::Finding f;
  f.set_finding_id(id);
  f.set_kind(kind);
  f.set_severity(severity);
  f.set_status(status);
  f.set_agency(agency);
  f.set_record_id(record_id);
  v1::RecordRef* own = f.add_compared();
  own->set_agency(agency);
  own->set_record_id(record_id);
  own->set_record_version(1);
  v1::RecordRef* reference = f.add_compared();
  reference->set_agency("self");
  reference->set_record_id("statement-" + std::to_string(id));
  reference->set_record_version(2);
  f.add_record_categories(v1::WHITE_OTHER);
  f.add_reference_categories(v1::WHITE_ROMA);
  f.set_reason(reason);
  f.mutable_first_raised_at()->set_seconds(kBase + id * 60);
  *f.mutable_last_raised_at() = f.first_raised_at();
  v1::FindingEvent* raised = f.add_history();
  raised->set_action(v1::FindingEvent::RAISED);
  *raised->mutable_time() = f.first_raised_at();
  return f;
}

// The summary SummarizeFindings would give for `findings` (counts by
// agency, kind and status, sorted) and `completeness` (agency ->
// {children, children_self_defined}), with `children` children in all.
inline v1::SummarizeFindingsResponse SummaryOf(
    const std::vector<v1::Finding>& findings,
    const std::map<std::string, std::pair<int64_t, int64_t>>& completeness, int64_t children) {
  std::map<std::tuple<std::string, int, int>, int64_t> counts;
  for (const v1::Finding& f : findings) ++counts[{f.agency(), f.kind(), f.status()}];
  v1::SummarizeFindingsResponse summary;
  for (const auto& [key, count] : counts) {
    v1::FindingCount* c = summary.add_counts();
    c->set_agency(std::get<0>(key));
    c->set_kind(static_cast<v1::FindingKind>(std::get<1>(key)));
    c->set_status(static_cast<v1::FindingStatus>(std::get<2>(key)));
    c->set_count(count);
  }
  for (const auto& [agency, numbers] : completeness) {
    v1::AgencyCompleteness* a = summary.add_completeness();
    a->set_agency(agency);
    a->set_children(numbers.first);
    a->set_children_self_defined(numbers.second);
    a->set_share(numbers.first > 0 ? static_cast<double>(numbers.second) / static_cast<double>(numbers.first) : 0);
  }
  summary.set_children(children);
  return summary;
}

// Labels for the categories MakeFinding uses (the others are left empty).
inline tools::CategoryLabels TestLabels() {
  tools::CategoryLabels labels;
  labels[static_cast<int>(Category::kWhiteOther)] = "White: Other White";
  labels[static_cast<int>(Category::kWhiteRoma)] = "White: Roma";
  labels[static_cast<int>(Category::kBlackAfrican)] = "Black, Black British, Caribbean or African: African";
  return labels;
}

}  // namespace ethrec::testing

#endif  // ETHREC_TESTS_TESTING_FINDINGS_FIXTURES_H_
