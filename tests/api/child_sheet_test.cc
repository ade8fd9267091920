// ToSheet over a child the store holds: what an officer and
// what an agency see of the same child. The verdicts themselves are tested
// in mapping/verdict_test. Synthetic data only.
#include "api/child_sheet.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapping/observation.h"
#include "service/records_service.h"
#include "tests/service/api_fixtures.h"
#include "tests/testing/store_access.h"

namespace ethrec::api {
namespace {

using ::ethrec::testing::TestAccess;
using ::ethrec::testing::Input;
using ::ethrec::testing::RecordSystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// One child: the school heard from the child (Caribbean); the GP's
// practitioner recorded White British, which raises findings on the GP's
// record with the correction "M".
class ChildSheetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    service::RecordsApi records({.normalizer = &::ethrec::testing::BuiltinNormalizer(), .store = store_.get()});
    v1::RecordObservationRequest request;
    *request.mutable_observation() = Input(nhs_, "s-1", 1, "dfe", "BCRB", v1::SELF);
    ASSERT_TRUE(records.RecordObservation(RecordSystem("school-x"), request).ok());
    *request.mutable_observation() = Input(nhs_, "g-1", 2, "nhs-ethnic-category", "A", v1::PRACTITIONER);
    ASSERT_TRUE(records.RecordObservation(RecordSystem("gp-y"), request).ok());
    absl::StatusOr<ChildRecord> child = store_->GetChild(ChildKey::ForNhsNumber(nhs_), TestAccess());
    ASSERT_TRUE(child.ok()) << child.status();
    child_ = *std::move(child);
  }

  v1::ChildReconciliation Sheet(const ChildViewer& viewer) {
    v1::ChildReconciliation sheet;
    ToSheet(child_, viewer, &sheet);
    return sheet;
  }

  const std::string nhs_ = SyntheticNhsNumber(5);
  std::unique_ptr<MemoryStore> store_ = ::ethrec::testing::StoreWithFindings();
  ChildRecord child_;
};

TEST_F(ChildSheetTest, AnOfficerSeesEveryAgencyAndWhereTheReferenceComesFrom) {
  const v1::ChildReconciliation sheet = Sheet({.all_agencies = true, .agency = "ethrec-dq"});
  EXPECT_EQ(sheet.child_id(), child_.child_id);
  ASSERT_EQ(sheet.agencies_size(), 2);
  EXPECT_EQ(sheet.reference().categories(0), v1::BLACK_CARIBBEAN);
  EXPECT_EQ(sheet.reference_record().agency(), "school-x");
  EXPECT_EQ(sheet.reference_record().record_id(), "s-1");
  EXPECT_EQ(sheet.open_findings(), static_cast<int>(child_.findings.size()));
  for (const v1::AgencyVerdicts& agency : sheet.agencies()) {
    ASSERT_EQ(agency.records_size(), 1) << agency.agency();
    const v1::RecordVerdict& r = agency.records(0);
    EXPECT_EQ(agency.verdict(), r.verdict()) << "one record: the agency's verdict is its own";
    if (agency.agency() == "gp-y") {
      EXPECT_EQ(r.code(), "A");
      EXPECT_EQ(r.supplied_by(), v1::PRACTITIONER);
      EXPECT_EQ(r.finding_ids_size(), static_cast<int>(child_.findings.size()));
      EXPECT_EQ(r.suggested_code(), "M");
      EXPECT_EQ(r.suggested_display(), "Black or Black British - Caribbean");
    } else {
      EXPECT_EQ(agency.agency(), "school-x");
      EXPECT_THAT(r.finding_ids(), IsEmpty());
      EXPECT_TRUE(r.suggested_code().empty());
    }
  }
}

TEST_F(ChildSheetTest, AnAgencySeesItsOwnRecordsAndTheReferenceWithoutItsSource) {
  const v1::ChildReconciliation school = Sheet({.all_agencies = false, .agency = "school-x"});
  ASSERT_EQ(school.agencies_size(), 1);
  EXPECT_EQ(school.agencies(0).agency(), "school-x");
  EXPECT_EQ(school.reference().categories(0), v1::BLACK_CARIBBEAN);
  EXPECT_FALSE(school.has_reference_record());
  EXPECT_EQ(school.open_findings(), 0) << "the findings are the GP's";
  EXPECT_THAT(school.DebugString(), Not(HasSubstr("gp-y")));

  const v1::ChildReconciliation gp = Sheet({.all_agencies = false, .agency = "gp-y"});
  ASSERT_EQ(gp.agencies_size(), 1);
  EXPECT_EQ(gp.agencies(0).agency(), "gp-y");
  EXPECT_EQ(gp.open_findings(), static_cast<int>(child_.findings.size()));
  EXPECT_FALSE(gp.has_reference_record());
  EXPECT_THAT(gp.DebugString(), Not(HasSubstr("s-1")));
}

}  // namespace
}  // namespace ethrec::api
