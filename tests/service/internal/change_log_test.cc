// What the stores share about the change log: the query checks, which
// entries a caller sees, the purge checks, and the signal that wakes
// watchers. Synthetic agencies only.
#include "service/internal/change_log.h"

#include <cstdint>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapping/status_field.h"
#include "tests/testing/status_matchers.h"

namespace ethrec::store_internal {
namespace {

using ::ethrec::testing::IsOkAndHolds;
using ::ethrec::testing::StatusIs;
using ::testing::HasSubstr;

Access AgencyAccess(const std::string& agency) { return Access{.actor = {.agency = agency, .role = "record-system"}}; }
Access AllAgencies() { return Access{.actor = {.agency = "dq-team", .role = "data-quality"}, .all_agencies = true}; }

ChangeEntry Record(const std::string& agency) {
  return ChangeEntry{.kind = ChangeKind::kRecordWritten, .agency = agency};
}
ChangeEntry Finding(const std::string& agency, const std::string& other_agency) {
  return ChangeEntry{.kind = ChangeKind::kFindingChanged, .agency = agency, .other_agency = other_agency};
}

TEST(CheckChangeQueryTest, AnAgencyCallerMayAskOnlyForItsOwnAgency) {
  EXPECT_TRUE(CheckChangeQuery(ChangeQuery{}, AgencyAccess("school-x")).ok());
  EXPECT_TRUE(CheckChangeQuery(ChangeQuery{.agency = "school-x"}, AgencyAccess("school-x")).ok());
  const absl::Status other = CheckChangeQuery(ChangeQuery{.agency = "csc-y"}, AgencyAccess("school-x"));
  EXPECT_THAT(other, StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("record-system")));
  EXPECT_EQ(FieldOf(other), "agency");
  EXPECT_TRUE(CheckChangeQuery(ChangeQuery{.agency = "csc-y"}, AllAgencies()).ok());
}

TEST(CheckChangeQueryTest, PageSizeIsOneToAThousand) {
  for (int limit : {1, 1000}) {
    EXPECT_TRUE(CheckChangeQuery(ChangeQuery{.limit = limit}, AllAgencies()).ok()) << limit;
  }
  for (int limit : {0, -1, 1001}) {
    const absl::Status s = CheckChangeQuery(ChangeQuery{.limit = limit}, AllAgencies());
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(absl::StrCat(limit)))) << limit;
    EXPECT_EQ(FieldOf(s), "page_size") << limit;
  }
}

TEST(CheckNotPurgedTest, OnlyAPositionBeforeThePurgeIsOutOfRange) {
  EXPECT_TRUE(CheckNotPurged(10, 10).ok());
  EXPECT_TRUE(CheckNotPurged(11, 10).ok());
  EXPECT_TRUE(CheckNotPurged(0, 0).ok());
  EXPECT_THAT(CheckNotPurged(9, 10),
              StatusIs(absl::StatusCode::kOutOfRange, ::testing::AllOf(HasSubstr("after position 9"),
                                                                       HasSubstr("up to 10"), HasSubstr("resync"))));
}

TEST(MatchesChangeTest, AnAgencySeesItsOwnEntriesAndDisagreementsNamingIt) {
  const struct {
    ChangeEntry entry;
    bool seen;
  } cases[] = {
      {Record("school-x"), true},
      {Record("csc-y"), false},
      {Finding("school-x", ""), true},
      {Finding("csc-y", "school-x"), true},  // a disagreement naming school-x
      {Finding("csc-y", "gp-z"), false},
      // other_agency counts only for findings.
      {ChangeEntry{.kind = ChangeKind::kRecordWritten, .agency = "csc-y", .other_agency = "school-x"}, false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(MatchesChange(ChangeQuery{}, AgencyAccess("school-x"), c.entry), c.seen)
        << c.entry.agency << "/" << c.entry.other_agency;
    EXPECT_TRUE(MatchesChange(ChangeQuery{}, AllAgencies(), c.entry));
  }
}

TEST(MatchesChangeTest, FiltersByKindAndAgency) {
  const ChangeQuery findings_only{.kinds = {ChangeKind::kFindingChanged}};
  EXPECT_FALSE(MatchesChange(findings_only, AllAgencies(), Record("school-x")));
  EXPECT_TRUE(MatchesChange(findings_only, AllAgencies(), Finding("school-x", "")));

  const ChangeQuery csc{.agency = "csc-y"};
  EXPECT_TRUE(MatchesChange(csc, AllAgencies(), Record("csc-y")));
  EXPECT_FALSE(MatchesChange(csc, AllAgencies(), Record("school-x")));
  EXPECT_TRUE(MatchesChange(csc, AllAgencies(), Finding("school-x", "csc-y")));
}

TEST(CheckChangesPurgeTest, RetentionPositiveAndBatchAtLeastOne) {
  EXPECT_TRUE(CheckChangesPurge(absl::Seconds(1), 1).ok());
  EXPECT_THAT(CheckChangesPurge(absl::ZeroDuration(), 10),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("changes_retention 0")));
  EXPECT_THAT(CheckChangesPurge(-absl::Hours(1), 10),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("changes_retention -1h")));
  EXPECT_THAT(CheckChangesPurge(absl::Hours(1), 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("purge batch 0")));
}

TEST(ChangeSignalTest, NotifyKeepsTheHighestPosition) {
  ChangeSignal signal(5);
  EXPECT_EQ(signal.latest(), 5);
  signal.Notify(8);
  signal.Notify(6);  // a late, lower notification
  EXPECT_EQ(signal.latest(), 8);
}

TEST(ChangeSignalTest, WaitAnswersAtOnceWhenAlreadyPast) {
  ChangeSignal signal(3);
  const absl::Time start = absl::Now();
  EXPECT_THAT(signal.Wait(2, absl::Now() + absl::Seconds(30)), IsOkAndHolds(3));
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
}

TEST(ChangeSignalTest, WaitUntilTheDeadlineAnswersTheLatestPosition) {
  ChangeSignal signal(3);
  const absl::Time start = absl::Now();
  EXPECT_THAT(signal.Wait(3, absl::Now() + absl::Milliseconds(50)), IsOkAndHolds(3));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(50));
}

TEST(ChangeSignalTest, NotifyWakesAWaiter) {
  ChangeSignal signal(3);
  absl::StatusOr<int64_t> woken;
  std::thread waiter([&] { woken = signal.Wait(3, absl::Now() + absl::Seconds(30)); });
  absl::SleepFor(absl::Milliseconds(20));
  signal.Notify(4);
  waiter.join();
  EXPECT_THAT(woken, IsOkAndHolds(4));
}

TEST(ChangeSignalTest, CloseWakesEveryWaiterForGood) {
  ChangeSignal signal(3);
  absl::StatusOr<int64_t> woken;
  std::thread waiter([&] { woken = signal.Wait(3, absl::Now() + absl::Seconds(30)); });
  absl::SleepFor(absl::Milliseconds(20));
  signal.Close();
  waiter.join();
  EXPECT_THAT(woken, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("closed")));
  // Even a wait that would answer at once.
  EXPECT_THAT(signal.Wait(0, absl::Now() + absl::Seconds(30)), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("closed")));
}

}  // namespace
}  // namespace ethrec::store_internal
