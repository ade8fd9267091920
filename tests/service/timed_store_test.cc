// TimedStore over MemoryStore: every call is the wrapped store's (answers
// and errors unchanged) and is timed once under its operation's name; the
// wait for changes is not a transaction and is not timed. Synthetic
// children only.
#include "service/timed_store.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/memory_store.h"
#include "tests/service/store_observations.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/store_access.h"

namespace ethrec::service {
namespace {

using ::ethrec::testing::AgencyAccess;
using ::ethrec::testing::Day;
using ::ethrec::testing::IsOkAndHolds;
using ::ethrec::testing::Nhs;
using ::ethrec::testing::Obs;
using ::ethrec::testing::StatusIs;
using ::ethrec::testing::TestAccess;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// The line of `operation`'s transaction count in `metrics`.
std::string CountLine(const std::string& operation, int count) {
  return absl::StrCat("ethrec_store_transaction_duration_seconds_count{operation=\"", operation, "\"} ", count, "\n");
}

TEST(TimedStoreTest, ForwardsEveryCallAndTimesEachOnce) {
  MemoryStore memory(ethrec::testing::Options([] { return Day(30); }, /*findings=*/true));
  Metrics metrics("test");
  TimedStore store(&memory, &metrics);

  // A school and a GP disagree about child 1: one write each, findings raised.
  const Access school = AgencyAccess("school-x");
  ASSERT_THAT(store.Write({Obs("school-x", "s-1", 1, 1, "dfe", "WBRI", SuppliedBy::kSelf, 1)}, WriteOptions{}, school),
              IsOkAndHolds(::testing::Field(&WriteResult::outcomes, ElementsAre(WriteOutcome::kInserted))));
  ASSERT_TRUE(store.Write({Obs("gp-z", "g-1", 1, 1, "nhs-ethnic-category", "M", SuppliedBy::kSelf, 9)},
                          AgencyAccess("gp-z"))
                  .ok());

  absl::StatusOr<ChildRecord> child = store.GetChild(ChildKey::ForNhsNumber(Nhs(1)), TestAccess());
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_EQ(child->child_id, memory.GetChild(ChildKey::ForNhsNumber(Nhs(1)), TestAccess())->child_id);
  // The wrapped store's errors, unchanged.
  EXPECT_THAT(store.GetChild(ChildKey::ForNhsNumber(Nhs(2)), TestAccess()),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("child")));

  absl::StatusOr<FindingsPage> findings = store.ListFindings(FindingQuery{}, TestAccess());
  ASSERT_TRUE(findings.ok()) << findings.status();
  ASSERT_THAT(findings->findings, Not(::testing::IsEmpty()));
  const int64_t id = findings->findings.front().id;
  EXPECT_THAT(store.GetFinding(id, TestAccess()), IsOkAndHolds(::testing::Field(&StoredFinding::id, id)));
  EXPECT_THAT(store.ReviewFinding(id, ReviewAction::kAcknowledge, "seen", TestAccess()),
              IsOkAndHolds(::testing::Field(&StoredFinding::status, FindingStatus::kAcknowledged)));
  EXPECT_THAT(store.GetFinding(id + 1000, TestAccess()), StatusIs(absl::StatusCode::kNotFound, HasSubstr("finding")));

  absl::StatusOr<ChildrenPage> children = store.ListChildrenWithFindings(ChildQuery{}, TestAccess());
  ASSERT_TRUE(children.ok()) << children.status();
  EXPECT_EQ(children->children.size(), 1u);
  EXPECT_TRUE(store.SummarizeFindings("school-x", TestAccess()).ok());
  EXPECT_THAT(store.SummarizeFindings("gp-z", school), StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("own")));

  absl::StatusOr<AuditPage> audit = store.ListAuditEvents(AuditQuery{}, TestAccess());
  ASSERT_TRUE(audit.ok()) << audit.status();
  EXPECT_THAT(audit->events, Not(::testing::IsEmpty()));  // the calls above, audited by the wrapped store
  EXPECT_THAT(store.PurgeExpiredAuditEvents(100), IsOkAndHolds(0));

  absl::StatusOr<ChangeLogState> state = store.GetChangeLogState();
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_GT(state->latest, 0);
  absl::StatusOr<ChangePage> changes = store.ReadChanges(ChangeQuery{}, TestAccess());
  ASSERT_TRUE(changes.ok()) << changes.status();
  EXPECT_EQ(changes->last_position, state->latest);
  EXPECT_THAT(store.PurgeExpiredChanges(100), IsOkAndHolds(0));
  EXPECT_THAT(store.PurgeExpiredChanges(0), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("batch")));

  EXPECT_THAT(store.WaitForChanges(0, absl::Now()), IsOkAndHolds(state->latest));
  EXPECT_EQ(store.schema_version(), memory.schema_version());

  const std::string text = metrics.Render();
  EXPECT_THAT(text, ::testing::AllOf(HasSubstr(CountLine("Write", 2)), HasSubstr(CountLine("GetChild", 2)),
                                     HasSubstr(CountLine("ListFindings", 1)), HasSubstr(CountLine("GetFinding", 2)),
                                     HasSubstr(CountLine("ReviewFinding", 1)),
                                     HasSubstr(CountLine("ListChildrenWithFindings", 1)),
                                     HasSubstr(CountLine("SummarizeFindings", 2)),
                                     HasSubstr(CountLine("ListAuditEvents", 1)),
                                     HasSubstr(CountLine("PurgeExpiredAuditEvents", 1)),
                                     HasSubstr(CountLine("GetChangeLogState", 1)), HasSubstr(CountLine("ReadChanges", 1)),
                                     HasSubstr(CountLine("PurgeExpiredChanges", 2))));
  EXPECT_THAT(text, Not(HasSubstr("WaitForChanges")));
  EXPECT_TRUE(store.Close().ok());
}

TEST(TimedStoreTest, RecordsTheTimeTheWrappedCallTook) {
  // The store reads its clock at least once per write: a slow clock makes a
  // slow write.
  MemoryStore memory(ethrec::testing::Options(
      [] {
        absl::SleepFor(absl::Milliseconds(60));
        return Day(30);
      },
      /*findings=*/false));
  Metrics metrics("test");
  TimedStore store(&memory, &metrics);
  ASSERT_TRUE(store.Write({Obs("school-x", "s-1", 1, 1, "dfe", "WBRI", SuppliedBy::kSelf, 1)}, AgencyAccess("school-x")).ok());
  const std::string text = metrics.Render();
  EXPECT_THAT(text, HasSubstr(CountLine("Write", 1)));
  EXPECT_THAT(text, HasSubstr("ethrec_store_transaction_duration_seconds_bucket{operation=\"Write\",le=\"0.05\"} 0\n"));
}

}  // namespace
}  // namespace ethrec::service
