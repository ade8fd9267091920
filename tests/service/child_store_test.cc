// A child as the Store reads it for the reconciliation sheet: its
// pseudonymous child_id, its findings that are not cleared, lookup by
// child_id, and the paged list of children with findings needing work.
// Against every Store implementation.
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/store.h"
#include "tests/service/store_factories.h"
#include "tests/service/store_observations.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/store_access.h"

namespace ethrec {
namespace {

using ::ethrec::testing::TestAccess;
using ::ethrec::testing::Day;
using ::ethrec::testing::Nhs;
using ::ethrec::testing::Obs;
using ::ethrec::testing::Options;
using ::ethrec::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

template <typename Factory>
class ChildStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::ethrec::testing::TempDbPath("ethrec_child_");
    ::ethrec::testing::RemoveDb(path_);
    Open(true);
  }
  void TearDown() override {
    if (store_ != nullptr) EXPECT_TRUE(store_->Close().ok());
    store_.reset();
    ::ethrec::testing::RemoveDb(path_);
  }
  void Open(bool findings) {
    if (store_ != nullptr) ASSERT_TRUE(store_->Close().ok());
    store_.reset();
    absl::StatusOr<std::unique_ptr<Store>> store = Factory::Create(Options([] { return Day(100); }, findings), path_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  void Write(const std::vector<NormalizedObservation>& batch) {
    absl::StatusOr<std::vector<WriteOutcome>> out = store_->Write(batch, TestAccess());
    ASSERT_TRUE(out.ok()) << out.status();
  }
  ChildRecord Child(int n) {
    absl::StatusOr<ChildRecord> c = store_->GetChild(ChildKey::ForNhsNumber(Nhs(n)), TestAccess());
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? *std::move(c) : ChildRecord();
  }

  std::string path_;
  std::unique_ptr<Store> store_;
};

TYPED_TEST_SUITE(ChildStoreTest, ::ethrec::testing::StoreImplementations, ::ethrec::testing::StoreFactoryNames);

TYPED_TEST(ChildStoreTest, AChildCarriesItsIdAndItsFindingsThatAreNotCleared) {
  this->Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 10),
               Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kUnknown, 20)});
  ChildRecord c = this->Child(1);
  EXPECT_GT(c.child_id, 0);
  ASSERT_EQ(c.findings.size(), 1u);
  EXPECT_EQ(c.findings[0].kind, FindingKind::kSelfIdMismatch);
  // The same child by its id.
  absl::StatusOr<ChildRecord> by_id = this->store_->GetChild(ChildKey::ForChildId(c.child_id), TestAccess());
  ASSERT_TRUE(by_id.ok()) << by_id.status();
  EXPECT_EQ(by_id->nhs_numbers, c.nhs_numbers);
  EXPECT_EQ(by_id->records.size(), 2u);
  EXPECT_THAT(this->store_->GetChild(ChildKey::ForChildId(c.child_id + 1000), TestAccess()).status(),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
  EXPECT_THAT(this->store_->GetChild(ChildKey::ForChildId(-3), TestAccess()).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("child_id")));
  // Corrected: the cleared finding is no longer the child's.
  this->Write({Obs("gp", "g1", 2, 1, "nhs-ethnic-category", "M", SuppliedBy::kUnknown, 30)});
  EXPECT_THAT(this->Child(1).findings, IsEmpty());
}

TYPED_TEST(ChildStoreTest, ChildrenWithFindingsNeedingWorkComeAPageAtATime) {
  // Children 1, 3, 4 and 6 have a mismatch; 2 and 5 agree.
  for (int n = 1; n <= 6; ++n) {
    const bool wrong = n != 2 && n != 5;
    this->Write({Obs("school", "s" + std::to_string(n), 1, n, "dfe", "BCRB", SuppliedBy::kSelf, 10),
                 Obs("gp", "g" + std::to_string(n), 1, n, "nhs-ethnic-category", wrong ? "A" : "M",
                     SuppliedBy::kUnknown, 20)});
  }
  std::vector<std::string> seen;
  ChildQuery q{.after_child_id = 0, .limit = 3};
  for (int pages = 0; pages < 10; ++pages) {
    absl::StatusOr<ChildrenPage> page = this->store_->ListChildrenWithFindings(q, TestAccess());
    ASSERT_TRUE(page.ok()) << page.status();
    for (const ChildRecord& c : page->children) {
      seen.push_back(c.nhs_numbers.front());
      EXPECT_FALSE(c.findings.empty());
      EXPECT_GT(c.child_id, q.after_child_id);
    }
    if (!page->more) break;
    q.after_child_id = page->children.back().child_id;
  }
  EXPECT_THAT(seen, ElementsAre(Nhs(1), Nhs(3), Nhs(4), Nhs(6)));
  EXPECT_THAT(this->store_->ListChildrenWithFindings({.limit = 0}, TestAccess()).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("page size")));
  this->Open(false);
  EXPECT_THAT(this->store_->ListChildrenWithFindings({}, TestAccess()).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::_));
}

}  // namespace
}  // namespace ethrec
