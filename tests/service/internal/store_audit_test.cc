// What the stores share about the audit: the event a call appends, the
// agency scope checks, the audit query's checks and filter, and the purge
// checks. Synthetic agencies and ids only.
#include "service/internal/store_audit.h"

#include <cstdint>
#include <optional>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapping/status_field.h"
#include "tests/testing/status_matchers.h"

namespace ethrec::store_internal {
namespace {

using ::ethrec::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const absl::Time kNoon = absl::FromUnixSeconds(1700000000);

Access AgencyAccess(const std::string& agency) { return Access{.actor = {.agency = agency, .role = "record-system"}}; }
Access AllAgencies() { return Access{.actor = {.agency = "dq-team", .role = "data-quality"}, .all_agencies = true}; }

TEST(MakeAuditEventTest, TakesTheActorAndSortsTheIds) {
  Access access = AgencyAccess("school-x");
  access.actor.method = "/ethrec.v1.RecordsService/RecordObservations";
  const AuditEvent e = MakeAuditEvent(access, kNoon + absl::Nanoseconds(1500),
                                      Touched{.child_ids = {9, 2, 9, 0}, .finding_ids = {5, 4}, .validate_only = true},
                                      absl::NotFoundError("no such child"));
  EXPECT_EQ(e.id, 0);  // the store gives it
  EXPECT_EQ(e.actor, access.actor);
  EXPECT_EQ(e.time, kNoon + absl::Microseconds(1));  // to the microsecond, toward the past
  EXPECT_THAT(e.child_ids, ElementsAre(2, 9));
  EXPECT_THAT(e.finding_ids, ElementsAre(4, 5));
  EXPECT_TRUE(e.validate_only);
  EXPECT_EQ(e.outcome, "NOT_FOUND");
}

TEST(MakeAuditEventTest, AnOkCallWithNothingTouched) {
  const AuditEvent e = MakeAuditEvent(AllAgencies(), kNoon, Touched{}, absl::OkStatus());
  EXPECT_THAT(e.child_ids, IsEmpty());
  EXPECT_THAT(e.finding_ids, IsEmpty());
  EXPECT_FALSE(e.validate_only);
  EXPECT_EQ(e.outcome, "OK");
}

TEST(CheckAgencyScopeTest, OwnAgencyOrEveryAgency) {
  EXPECT_TRUE(CheckAgencyScope(AgencyAccess("school-x"), "school-x").ok());
  EXPECT_TRUE(CheckAgencyScope(AllAgencies(), "school-x").ok());
  const absl::Status s = CheckAgencyScope(AgencyAccess("school-x"), "csc-y");
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("\"record-system\"")));
  EXPECT_EQ(FieldOf(s), "agency");
}

TEST(CheckAllAgenciesTest, OnlyARoleThatSeesEveryAgency) {
  EXPECT_TRUE(CheckAllAgencies(AllAgencies(), "children across agencies").ok());
  EXPECT_THAT(CheckAllAgencies(AgencyAccess("school-x"), "children across agencies"),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       ::testing::AllOf(HasSubstr("children across agencies"), HasSubstr("\"record-system\""))));
}

TEST(CheckAuditQueryTest, PageSizeAndTimeRange) {
  EXPECT_TRUE(CheckAuditQuery(AuditQuery{}).ok());
  EXPECT_TRUE(CheckAuditQuery(AuditQuery{.limit = 1}).ok());
  EXPECT_TRUE(CheckAuditQuery(AuditQuery{.limit = 1000}).ok());
  for (int limit : {0, 1001}) {
    const absl::Status s = CheckAuditQuery(AuditQuery{.limit = limit});
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("outside 1..1000"))) << limit;
    EXPECT_EQ(FieldOf(s), "page_size");
  }
  EXPECT_TRUE(CheckAuditQuery(AuditQuery{.start_time = kNoon, .end_time = kNoon + absl::Seconds(1)}).ok());
  EXPECT_TRUE(CheckAuditQuery(AuditQuery{.end_time = kNoon}).ok());  // open start
  for (absl::Time end : {kNoon, kNoon - absl::Seconds(1)}) {
    const absl::Status s = CheckAuditQuery(AuditQuery{.start_time = kNoon, .end_time = end});
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("after start_time")));
    EXPECT_EQ(FieldOf(s), "end_time");
  }
}

TEST(MatchesAuditQueryTest, EveryFilter) {
  const AuditEvent e{.id = 10,
                     .time = kNoon,
                     .actor = {.agency = "school-x", .method = "/ethrec.v1.RecordsService/GetChild"},
                     .child_ids = {3, 7}};
  const struct {
    const char* name;
    AuditQuery query;
    bool matches;
  } cases[] = {
      {"no filter", AuditQuery{}, true},
      {"up_to_id at it", AuditQuery{.up_to_id = 10}, true},
      {"up_to_id below it", AuditQuery{.up_to_id = 9}, false},
      {"its agency", AuditQuery{.agency = "school-x"}, true},
      {"another agency", AuditQuery{.agency = "csc-y"}, false},
      {"its method", AuditQuery{.method = "/ethrec.v1.RecordsService/GetChild"}, true},
      {"another method", AuditQuery{.method = "/ethrec.v1.FindingsService/GetFinding"}, false},
      {"start at its time", AuditQuery{.start_time = kNoon}, true},
      {"start after it", AuditQuery{.start_time = kNoon + absl::Microseconds(1)}, false},
      {"end after it", AuditQuery{.end_time = kNoon + absl::Microseconds(1)}, true},
      {"end at its time", AuditQuery{.end_time = kNoon}, false},
      {"a child it names", AuditQuery{.child_id = 7}, true},
      {"a child it does not name", AuditQuery{.child_id = 5}, false},
      // after_id and limit are the store's pagination, not filters.
      {"after_id past it", AuditQuery{.after_id = 20, .limit = 1}, true},
  };
  for (const auto& c : cases) EXPECT_EQ(MatchesAuditQuery(c.query, e), c.matches) << c.name;
}

TEST(CheckPurgeTest, RetentionPositiveAndBatchAtLeastOne) {
  EXPECT_TRUE(CheckPurge(absl::Hours(24), 1).ok());
  EXPECT_THAT(CheckPurge(absl::ZeroDuration(), 100),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("audit retention 0 is not positive")));
  EXPECT_THAT(CheckPurge(absl::Hours(24), 0), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("purge batch 0")));
}

}  // namespace
}  // namespace ethrec::store_internal
