// What a Write tells the writing agency (WriteOptions, store.h): the
// findings it raised, updated, reopened or cleared on that agency's own
// records, the child's reference identity without its source, and
// validate_only, which answers the same and stores nothing. Against every
// Store implementation.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapping/reconcile.h"
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

// "ACTION KIND agency/record_id" for each change fed back on one item.
std::vector<std::string> Changes(const ItemFeedback& item) {
  std::vector<std::string> out;
  for (const FindingFeedback& f : item.findings) {
    out.push_back(absl::StrCat(FindingActionName(f.action), " ", FindingKindName(f.finding.kind), " ",
                               f.finding.agency, "/", f.finding.record_id));
  }
  return out;
}

template <typename Factory>
class WriteFeedbackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::ethrec::testing::TempDbPath("ethrec_feedback_");
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

  // Writes `batch` asking for feedback; fails the test on an error.
  WriteResult Write(const std::vector<NormalizedObservation>& batch, bool validate_only = false) {
    absl::StatusOr<WriteResult> out = store_->Write(batch, {.validate_only = validate_only, .feedback = true}, TestAccess());
    EXPECT_TRUE(out.ok()) << out.status();
    if (!out.ok()) return {};
    EXPECT_EQ(out->feedback.size(), batch.size());
    out->feedback.resize(batch.size());
    return *std::move(out);
  }

  // Every finding not cleared, as "KIND agency/record_id".
  std::vector<std::string> Stored() {
    std::vector<std::string> out;
    absl::StatusOr<FindingsPage> page =
        store_->ListFindings({.statuses = {FindingStatus::kOpen, FindingStatus::kAcknowledged,
                                           FindingStatus::kResolved},
                              .limit = 1000}, TestAccess());
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) return out;
    for (const StoredFinding& f : page->findings) {
      out.push_back(absl::StrCat(FindingKindName(f.kind), " ", f.agency, "/", f.record_id));
    }
    return out;
  }

  std::string path_;
  std::unique_ptr<Store> store_;
};

TYPED_TEST_SUITE(WriteFeedbackTest, ::ethrec::testing::StoreImplementations, ::ethrec::testing::StoreFactoryNames);

TYPED_TEST(WriteFeedbackTest, AContradictingRecordHearsOfItsFindingAndTheFix) {
  // The child told the school they are Black Caribbean (Somali detail is not
  // in DfE's list, so no detail here).
  this->Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 10)});
  // The GP then codes White British, assumed by a practitioner.
  const WriteResult r = this->Write({Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 20)});
  ASSERT_EQ(r.outcomes, std::vector<WriteOutcome>{WriteOutcome::kInserted});
  const ItemFeedback& item = r.feedback[0];
  EXPECT_THAT(Changes(item), ElementsAre("RAISED NOT_SELF_DEFINED gp/g1", "RAISED SELF_ID_MISMATCH gp/g1"));
  ASSERT_EQ(item.findings.size(), 2u);
  const StoredFinding& mismatch = item.findings[1].finding;
  EXPECT_GT(mismatch.id, 0);
  EXPECT_EQ(mismatch.status, FindingStatus::kOpen);
  EXPECT_EQ(mismatch.severity, Severity::kHigh);
  EXPECT_EQ(mismatch.suggested_code, "M");  // the GP's own code for Black Caribbean
  EXPECT_EQ(mismatch.facts.suggested_display, "Black or Black British - Caribbean");
  // Only the GP's own record: never the school's ids.
  ASSERT_EQ(mismatch.compared.size(), 1u);
  EXPECT_EQ(mismatch.compared[0], (RecordRef{"gp", "g1", 1}));
  // The reference: what and when, not where.
  ASSERT_TRUE(item.reference.has_value());
  EXPECT_EQ(item.reference->categories, CategorySet::Of(Category::kBlackCaribbean));
  EXPECT_EQ(item.reference->stated_at, Day(10));
  EXPECT_FALSE(item.reference->ascribed);
  EXPECT_FALSE(item.reference->declined_later);
  // What was fed back is what is stored.
  EXPECT_THAT(this->Stored(), ElementsAre("NOT_SELF_DEFINED gp/g1", "SELF_ID_MISMATCH gp/g1"));
}

TYPED_TEST(WriteFeedbackTest, CorrectingTheRecordClearsItsFinding) {
  // The GP's record does not say who gave it (UNKNOWN): judged against the
  // child's statement to the school.
  this->Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 10),
               Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kUnknown, 20)});
  // Version 2 records the suggested code.
  const WriteResult r = this->Write({Obs("gp", "g1", 2, 1, "nhs-ethnic-category", "M", SuppliedBy::kUnknown, 30)});
  ASSERT_EQ(r.feedback[0].findings.size(), 1u);
  const FindingFeedback& cleared = r.feedback[0].findings[0];
  EXPECT_EQ(cleared.action, FindingAction::kCleared);
  EXPECT_EQ(cleared.finding.kind, FindingKind::kSelfIdMismatch);
  EXPECT_EQ(cleared.finding.status, FindingStatus::kCleared);
  EXPECT_EQ(cleared.finding.severity, Severity::kHigh);
  EXPECT_EQ(cleared.finding.record_id, "g1");
  EXPECT_GT(cleared.finding.id, 0);
  ASSERT_TRUE(r.feedback[0].reference.has_value());
  EXPECT_EQ(r.feedback[0].reference->stated_at, Day(10));
  EXPECT_THAT(this->Stored(), IsEmpty());
}

TYPED_TEST(WriteFeedbackTest, ANewVersionThatIsStillWrongIsUpdated) {
  this->Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 10),
               Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kUnknown, 20)});
  const WriteResult r = this->Write({Obs("gp", "g1", 2, 1, "nhs-ethnic-category", "B", SuppliedBy::kUnknown, 21)});
  EXPECT_THAT(Changes(r.feedback[0]), ElementsAre("UPDATED SELF_ID_MISMATCH gp/g1"));
  EXPECT_EQ(r.feedback[0].findings[0].finding.compared, (std::vector<RecordRef>{{"gp", "g1", 2}}));
}

TYPED_TEST(WriteFeedbackTest, ValidateOnlyAnswersAsTheWriteWouldAndStoresNothing) {
  this->Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 10)});
  const std::vector<NormalizedObservation> gp = {
      Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 20),
      Obs("gp", "g9", 1, 9, "nhs-ethnic-category", "A", SuppliedBy::kSelf, 20)};
  const WriteResult dry = this->Write(gp, /*validate_only=*/true);
  // Nothing stored: no findings, no new child, no record.
  EXPECT_THAT(this->Stored(), IsEmpty());
  EXPECT_THAT(this->store_->GetChild(ChildKey::ForNhsNumber(Nhs(9)), TestAccess()).status(),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
  absl::StatusOr<ChildRecord> child = this->store_->GetChild(ChildKey::ForNhsNumber(Nhs(1)), TestAccess());
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_EQ(child->records.size(), 1u);

  const WriteResult real = this->Write(gp);
  EXPECT_EQ(dry.outcomes, real.outcomes);
  ASSERT_EQ(dry.feedback.size(), real.feedback.size());
  for (size_t i = 0; i < dry.feedback.size(); ++i) {
    EXPECT_EQ(Changes(dry.feedback[i]), Changes(real.feedback[i])) << i;
    EXPECT_EQ(dry.feedback[i].reference, real.feedback[i].reference) << i;
    for (size_t k = 0; k < dry.feedback[i].findings.size() && k < real.feedback[i].findings.size(); ++k) {
      const StoredFinding& d = dry.feedback[i].findings[k].finding;
      const StoredFinding& w = real.feedback[i].findings[k].finding;
      EXPECT_EQ(d.id, 0) << "a finding never stored has no id";
      EXPECT_GT(w.id, 0);
      EXPECT_EQ(d.suggested_code, w.suggested_code);
      EXPECT_EQ(d.facts, w.facts);
      EXPECT_EQ(d.compared, w.compared);
    }
  }
  EXPECT_THAT(Changes(real.feedback[0]),
              ElementsAre("RAISED NOT_SELF_DEFINED gp/g1", "RAISED SELF_ID_MISMATCH gp/g1"));
  EXPECT_THAT(Changes(real.feedback[1]), IsEmpty());
  EXPECT_FALSE(real.feedback[1].reference.has_value() && real.feedback[1].reference->ascribed);
}

TYPED_TEST(WriteFeedbackTest, ValidateOnlyRefusesWhatTheWriteWouldRefuse) {
  this->Write({Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kSelf, 20)});
  // Same key, different content: a conflict either way.
  const std::vector<NormalizedObservation> conflict = {
      Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "B", SuppliedBy::kSelf, 20)};
  for (bool validate_only : {true, false}) {
    EXPECT_THAT(this->store_->Write(conflict, {.validate_only = validate_only, .feedback = true}, TestAccess()).status(),
                StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::HasSubstr("already stored with different content")))
        << validate_only;
  }
}

TYPED_TEST(WriteFeedbackTest, TheReferenceSaysWhoseItIsAndALaterRefusalButNotWhere) {
  this->Write({Obs("csc", "c1", 1, 1, "dfe", "APKN", SuppliedBy::kParentOrCarer, 5)});
  WriteResult r = this->Write({Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "J", SuppliedBy::kSelf, 6)});
  ASSERT_TRUE(r.feedback[0].reference.has_value());
  // The GP's own SELF statement is now the reference (child's own words
  // before a parent's).
  EXPECT_FALSE(r.feedback[0].reference->ascribed);
  EXPECT_EQ(r.feedback[0].reference->categories, CategorySet::Of(Category::kAsianPakistani));
  // The child later prefers not to say, to the school.
  r = this->Write({Obs("school", "s1", 1, 1, "dfe", "REFU", SuppliedBy::kSelf, 7)});
  ASSERT_TRUE(r.feedback[0].reference.has_value());
  EXPECT_TRUE(r.feedback[0].reference->declined_later);
  EXPECT_EQ(r.feedback[0].reference->stated_at, Day(6));
  // A child with only a parent's statement: ascribed.
  r = this->Write({Obs("csc", "c2", 1, 2, "dfe", "APKN", SuppliedBy::kParentOrCarer, 5)});
  ASSERT_TRUE(r.feedback[0].reference.has_value());
  EXPECT_TRUE(r.feedback[0].reference->ascribed);
  // No statement at all: no reference.
  r = this->Write({Obs("police", "p1", 1, 3, "police-ic", "IC3", SuppliedBy::kOfficerObserved, 5)});
  EXPECT_FALSE(r.feedback[0].reference.has_value());
}

TYPED_TEST(WriteFeedbackTest, ARetryChangesNothingAndSaysNothing) {
  const std::vector<NormalizedObservation> batch = {
      Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 10),
      Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 20)};
  this->Write(batch);
  const WriteResult r = this->Write(batch);
  EXPECT_EQ(r.outcomes, (std::vector<WriteOutcome>{WriteOutcome::kDuplicate, WriteOutcome::kDuplicate}));
  for (const ItemFeedback& item : r.feedback) {
    EXPECT_THAT(item.findings, IsEmpty());
    EXPECT_FALSE(item.reference.has_value());
  }
}

TYPED_TEST(WriteFeedbackTest, EachChangeIsFedBackOnceOnTheItemThatWroteItsRecord) {
  // One batch, two GP records about one child (a practitioner's, then the
  // child's own), and the school's statement.
  const WriteResult r = this->Write({Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 20),
                                     Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 10),
                                     Obs("gp", "g2", 1, 1, "nhs-ethnic-category", "M", SuppliedBy::kSelf, 5)});
  EXPECT_THAT(Changes(r.feedback[0]), ElementsAre("RAISED SELF_ID_MISMATCH gp/g1"));
  EXPECT_THAT(Changes(r.feedback[1]), IsEmpty());
  EXPECT_THAT(Changes(r.feedback[2]), IsEmpty());
  for (const ItemFeedback& item : r.feedback) ASSERT_TRUE(item.reference.has_value());
}

TYPED_TEST(WriteFeedbackTest, BothAgenciesOfADisagreementHearOfItWithoutTheOthersIds) {
  this->Write({Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 1)});
  // The school's later record conflicts with the GP's: the finding is about
  // the GP's (older) record, and the school, which caused it, hears of it.
  const WriteResult r = this->Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kPractitioner, 2)});
  std::vector<std::string> kinds;
  for (const FindingFeedback& f : r.feedback[0].findings) {
    kinds.push_back(absl::StrCat(FindingActionName(f.action), " ", FindingKindName(f.finding.kind)));
    if (f.finding.kind != FindingKind::kAgencyDisagreement) continue;
    EXPECT_EQ(f.finding.agency, "gp");
    EXPECT_EQ(f.finding.record_id, "") << "the GP's record id is not the school's to know";
    EXPECT_EQ(f.finding.compared, (std::vector<RecordRef>{{"school", "s1", 1}}));
  }
  EXPECT_THAT(kinds, ElementsAre("RAISED NOT_SELF_DEFINED", "RAISED AGENCY_DISAGREEMENT"));
  EXPECT_FALSE(r.feedback[0].reference.has_value());
}

TYPED_TEST(WriteFeedbackTest, WithFindingsDisabledEveryItemGetsEmptyFeedback) {
  this->Open(false);
  const WriteResult r = this->Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 10),
                                     Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kSelf, 20)});
  for (const ItemFeedback& item : r.feedback) {
    EXPECT_THAT(item.findings, IsEmpty());
    EXPECT_FALSE(item.reference.has_value());
  }
}

}  // namespace
}  // namespace ethrec
