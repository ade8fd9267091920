// What the stores share about findings: computing a child's findings with
// the store's normalizer, the page-size check, which findings a query
// matches, and the errors. Synthetic records only.
#include "service/internal/findings_queries.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapping/status_field.h"
#include "tests/testing/builtin_data.h"
#include "tests/testing/status_matchers.h"

namespace ethrec::store_internal {
namespace {

using ::ethrec::testing::BuiltinNormalizer;
using ::ethrec::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const absl::Time kNoon = absl::FromUnixSeconds(1700000000);

// One current record of `agency`, self-identified, coded in `system`.
RecordState Record(const std::string& agency, const std::string& system, const std::string& code, int day) {
  RecordState r;
  r.agency = agency;
  r.record_id = absl::StrCat(agency, "-", day);
  r.record_version = 1;
  r.supplied_by = SuppliedBy::kSelf;
  r.recorded_at = absl::FromCivil(absl::CivilDay(2026, 1, day), absl::UTCTimeZone());
  r.system = system;
  absl::StatusOr<Normalized> n = BuiltinNormalizer().Normalize({.system = system, .code = code});
  EXPECT_TRUE(n.ok()) << n.status();
  if (n.ok()) r.normalized = *n;
  return r;
}

// A school saying White British, then the child telling the GP Black Caribbean.
std::vector<RecordState> Disagreeing() {
  return {Record("school-x", "dfe", "WBRI", 1), Record("gp-z", "nhs-ethnic-category", "M", 9)};
}

TEST(ComputeFindingsTest, NoneWhenFindingsAreDisabled) {
  EXPECT_THAT(ComputeFindings(Disagreeing(), StoreOptions{}), IsEmpty());
}

TEST(ComputeFindingsTest, TheReconciledFindingsAsAStoreKeepsThem) {
  const std::vector<RecordState> records = Disagreeing();
  const std::vector<StoredFinding> findings =
      ComputeFindings(records, StoreOptions{.findings_normalizer = &BuiltinNormalizer()});
  ASSERT_THAT(findings, Not(IsEmpty()));
  std::vector<FindingKind> kinds;
  for (const StoredFinding& f : findings) {
    kinds.push_back(f.kind);
    // The store gives ids, status and times.
    EXPECT_EQ(f.id, 0);
    EXPECT_EQ(f.status, FindingStatus::kOpen);
    ASSERT_THAT(f.compared, Not(IsEmpty()));
    EXPECT_EQ(f.record_id, f.compared.front().record_id);
    EXPECT_EQ(f.agency, f.compared.front().agency);
  }
  // The GP's later self-statement is the reference: the school's older
  // record is outdated (mapping/reconcile.h).
  EXPECT_THAT(kinds, ElementsAre(FindingKind::kOutdated));
  EXPECT_EQ(findings.front().agency, "school-x");
  // The same records in agreement raise nothing.
  EXPECT_THAT(ComputeFindings({Record("school-x", "dfe", "WBRI", 1), Record("gp-z", "nhs-ethnic-category", "A", 9)},
                              StoreOptions{.findings_normalizer = &BuiltinNormalizer()}),
              IsEmpty());
}

TEST(CheckPageSizeTest, OneToAThousand) {
  for (int limit : {1, 100, 1000}) EXPECT_TRUE(CheckPageSize(limit).ok()) << limit;
  for (int limit : {0, -5, 1001}) {
    const absl::Status s = CheckPageSize(limit);
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(absl::StrCat("page size ", limit))));
    EXPECT_EQ(FieldOf(s), "page_size");
  }
}

TEST(MatchesQueryTest, EveryFilter) {
  StoredFinding f;
  f.kind = FindingKind::kAgencyDisagreement;
  f.severity = Severity::kMedium;
  f.status = FindingStatus::kOpen;
  f.agency = "school-x";
  f.facts.other_agency = "gp-z";
  f.last_raised_at = kNoon;
  const struct {
    const char* name;
    FindingQuery query;
    bool matches;
  } cases[] = {
      {"no filter", FindingQuery{}, true},
      {"its agency", FindingQuery{.agency = "school-x"}, true},
      {"the other agency of a disagreement", FindingQuery{.agency = "gp-z"}, true},
      {"an agency it does not name", FindingQuery{.agency = "csc-y"}, false},
      {"its kind", FindingQuery{.kinds = {FindingKind::kOutdated, FindingKind::kAgencyDisagreement}}, true},
      {"another kind", FindingQuery{.kinds = {FindingKind::kOutdated}}, false},
      {"its severity", FindingQuery{.min_severity = Severity::kMedium}, true},
      {"a higher severity", FindingQuery{.min_severity = Severity::kHigh}, false},
      {"its status", FindingQuery{.statuses = {FindingStatus::kOpen}}, true},
      {"other statuses", FindingQuery{.statuses = {FindingStatus::kResolved, FindingStatus::kCleared}}, false},
      {"raised_after its time", FindingQuery{.raised_after = kNoon}, true},
      {"raised_after later", FindingQuery{.raised_after = kNoon + absl::Seconds(1)}, false},
      {"raised_before later", FindingQuery{.raised_before = kNoon + absl::Seconds(1)}, true},
      {"raised_before its time", FindingQuery{.raised_before = kNoon}, false},
      // Pagination is the store's, not a filter.
      {"after_id", FindingQuery{.after_id = 1000, .limit = 1}, true},
  };
  for (const auto& c : cases) EXPECT_EQ(MatchesQuery(c.query, f), c.matches) << c.name;
}

TEST(MatchesQueryTest, NoStatusFilterMeansOpenAndAcknowledged) {
  const struct {
    FindingStatus status;
    bool matches;
  } cases[] = {{FindingStatus::kOpen, true},
               {FindingStatus::kAcknowledged, true},
               {FindingStatus::kResolved, false},
               {FindingStatus::kCleared, false}};
  for (const auto& c : cases) {
    StoredFinding f;
    f.status = c.status;
    EXPECT_EQ(MatchesQuery(FindingQuery{}, f), c.matches) << FindingStatusName(c.status);
    EXPECT_TRUE(MatchesQuery(FindingQuery{.statuses = {c.status}}, f)) << FindingStatusName(c.status);
  }
}

TEST(FindingsErrorsTest, CodesAndMessages) {
  EXPECT_THAT(FindingsDisabledError(), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("--findings=false")));
  EXPECT_THAT(FindingNotFoundError(42), StatusIs(absl::StatusCode::kNotFound, HasSubstr("no finding has id 42")));
}

// A write that added a school record to one child, merged two children
// both known to the gp (one of them self-defined there) and changed
// nothing at the police: the school gains a child, the gp loses one but
// keeps its self-defined one, the police does not move.
TEST(CompletenessDeltasTest, CountsWhatTheWriteChangedPerAgency) {
  const std::vector<AgencyOfChild> before = {
      {"gp", true}, {"police", false},  // child 1
      {"gp", false},                    // child 2, merged into 1
  };
  const std::vector<AgencyOfChild> after = {{"gp", true}, {"police", false}, {"school", true}};
  std::vector<std::string> deltas;
  for (const CompletenessRow& r : CompletenessDeltas(before, after)) {
    deltas.push_back(absl::StrCat(r.agency, " ", r.children, " ", r.children_self_defined));
  }
  EXPECT_THAT(deltas, ElementsAre("gp -1 0", "school 1 1"));
}

// A record that became self-defined moves only that count; nothing
// changed, nothing to write.
TEST(CompletenessDeltasTest, ASelfDefinedChangeAloneAndNoChange) {
  const std::vector<AgencyOfChild> before = {{"csc", false}};
  const std::vector<AgencyOfChild> after = {{"csc", true}};
  const std::vector<CompletenessRow> deltas = CompletenessDeltas(before, after);
  ASSERT_EQ(deltas.size(), 1u);
  EXPECT_EQ(deltas[0].agency, "csc");
  EXPECT_EQ(deltas[0].children, 0);
  EXPECT_EQ(deltas[0].children_self_defined, 1);
  EXPECT_THAT(CompletenessDeltas(after, after), IsEmpty());
  EXPECT_THAT(CompletenessDeltas({}, {}), IsEmpty());
}

}  // namespace
}  // namespace ethrec::store_internal
