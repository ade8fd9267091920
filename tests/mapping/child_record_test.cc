// MaySeeChild and ViewOfChild: what one agency, and what an every-agency
// viewer, may see of a child other agencies also hold records about.
// Synthetic data only.
#include "mapping/child_record.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ethrec {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

StoredObservation Version(const std::string& nhs, int version) {
  StoredObservation v;
  v.observation.nhs_number = nhs;
  v.observation.record_version = version;
  return v;
}

StoredFinding FindingAbout(int64_t id, const std::string& agency, FindingKind kind, const std::string& other = "") {
  StoredFinding f;
  f.id = id;
  f.agency = agency;
  f.kind = kind;
  f.facts.other_agency = other;
  return f;
}

// The school and the GP hold records about the child, each with its own
// NHS number for it (they disagree) and its own child id; the GP's record
// has two versions and only the older one carried an NHS number.
ChildRecord Child() {
  ChildRecord c;
  c.child_id = 42;
  c.nhs_numbers = {SyntheticNhsNumber(1), SyntheticNhsNumber(2)};
  c.agency_child_ids = {{"gp-y", "G-7"}, {"school-x", "S-9"}};
  c.records.push_back({"gp-y", "g-1", {Version("", 2), Version(SyntheticNhsNumber(2), 1)}});
  c.records.push_back({"school-x", "s-1", {Version(SyntheticNhsNumber(1), 1)}});
  c.findings = {FindingAbout(5, "gp-y", FindingKind::kSelfIdMismatch),
                FindingAbout(6, "school-x", FindingKind::kAgencyDisagreement, "gp-y"),
                FindingAbout(7, "police-z", FindingKind::kOutdated)};
  return c;
}

TEST(MaySeeChildTest, EveryAgencyViewersSeeAnyChildOneAgencyOnlyAChildItHoldsARecordAbout) {
  const ChildRecord child = Child();
  EXPECT_TRUE(MaySeeChild(child, {.all_agencies = true, .agency = "ethrec-dq"}));
  EXPECT_TRUE(MaySeeChild(child, {.all_agencies = false, .agency = "school-x"}));
  EXPECT_TRUE(MaySeeChild(child, {.all_agencies = false, .agency = "gp-y"}));
  EXPECT_FALSE(MaySeeChild(child, {.all_agencies = false, .agency = "police-z"}));
  EXPECT_FALSE(MaySeeChild(ChildRecord{}, {.all_agencies = false, .agency = "school-x"}));
}

TEST(ViewOfChildTest, AnEveryAgencyViewerSeesEverything) {
  const ChildRecord seen = ViewOfChild(Child(), {.all_agencies = true, .agency = "ethrec-dq"});
  EXPECT_EQ(seen.child_id, 42);
  EXPECT_EQ(seen.nhs_numbers.size(), 2u);
  EXPECT_EQ(seen.agency_child_ids.size(), 2u);
  EXPECT_EQ(seen.records.size(), 2u);
  EXPECT_EQ(seen.findings.size(), 3u);
}

TEST(ViewOfChildTest, AnAgencySeesOnlyItsOwnRecordsIdsAndTheNhsNumbersItSent) {
  const ChildRecord seen = ViewOfChild(Child(), {.all_agencies = false, .agency = "school-x"});
  EXPECT_EQ(seen.child_id, 42);
  EXPECT_THAT(seen.nhs_numbers, ElementsAre(SyntheticNhsNumber(1)));
  EXPECT_THAT(seen.agency_child_ids, ElementsAre(AgencyChildId{"school-x", "S-9"}));
  ASSERT_EQ(seen.records.size(), 1u);
  EXPECT_EQ(seen.records[0].agency, "school-x");
}

TEST(ViewOfChildTest, AnNhsNumberCarriedByAnOlderVersionIsTheAgencysOwn) {
  const ChildRecord seen = ViewOfChild(Child(), {.all_agencies = false, .agency = "gp-y"});
  EXPECT_THAT(seen.nhs_numbers, ElementsAre(SyntheticNhsNumber(2)));
  ASSERT_EQ(seen.records.size(), 1u);
  EXPECT_EQ(seen.records[0].versions.size(), 2u);
}

TEST(ViewOfChildTest, AnAgencySeesItsFindingsAndDisagreementsNamingIt) {
  std::vector<int64_t> ids;
  for (const StoredFinding& f : ViewOfChild(Child(), {.all_agencies = false, .agency = "gp-y"}).findings) {
    ids.push_back(f.id);
  }
  EXPECT_THAT(ids, ElementsAre(5, 6));
}

TEST(ViewOfChildTest, AnAgencyWithNoRecordSeesNothing) {
  const ChildRecord seen = ViewOfChild(Child(), {.all_agencies = false, .agency = "police-z"});
  EXPECT_THAT(seen.records, IsEmpty());
  EXPECT_THAT(seen.nhs_numbers, IsEmpty());
  EXPECT_THAT(seen.agency_child_ids, IsEmpty());
}

}  // namespace
}  // namespace ethrec
