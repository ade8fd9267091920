#include "mapping/reconcile.h"

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ethrec {
namespace {

using ::testing::HasSubstr;

const Normalizer& Shared() {
  static const Normalizer* const n = Normalizer::Create(LoadOptions())->release();
  return *n;
}

// One current record: a code of `system`, or free text when system is "".
RecordState Record(const std::string& agency, SuppliedBy who, const std::string& system,
                   const std::string& code_or_text, int day) {
  RecordState r;
  r.agency = agency;
  r.record_id = absl::StrCat(agency, "-", day);
  r.record_version = 1;
  r.supplied_by = who;
  r.recorded_at = absl::FromCivil(absl::CivilDay(2026, 1, day), absl::UTCTimeZone());
  r.system = system;
  absl::StatusOr<Normalized> n = system.empty() ? Shared().Normalize({.text = code_or_text})
                                                : Shared().Normalize({.system = system, .code = code_or_text});
  EXPECT_TRUE(n.ok()) << n.status();
  r.normalized = *n;
  return r;
}

std::vector<std::string> Kinds(const std::vector<Finding>& findings, const std::string& agency) {
  std::vector<std::string> out;
  for (const Finding& f : findings) {
    if (f.agency == agency) out.emplace_back(FindingKindName(f.kind));
  }
  std::sort(out.begin(), out.end());
  return out;
}

using Kinds_ = std::vector<std::string>;

// The first finding of `kind`, or nullptr.
const Finding* FindingOf(const std::vector<Finding>& findings, FindingKind kind) {
  for (const Finding& f : findings) {
    if (f.kind == kind) return &f;
  }
  return nullptr;
}

TEST(ReferenceTest, LatestSelfStatementThenParentOrCarer) {
  std::vector<RecordState> records = {
      Record("school", SuppliedBy::kSelf, "dfe", "WBRI", 1),
      Record("csc", SuppliedBy::kSelf, "", "Black Caribbean", 9),
      Record("gp", SuppliedBy::kParentOrCarer, "nhs-ethnic-category", "N", 20),
      Record("police", SuppliedBy::kOfficerObserved, "police-ic", "IC1", 25),
  };
  std::optional<ReferenceIdentity> ref = FindReference(records);
  ASSERT_TRUE(ref.has_value());
  EXPECT_EQ(ref->record->agency, "csc");
  EXPECT_FALSE(ref->ascribed);

  records.erase(records.begin(), records.begin() + 2);
  ref = FindReference(records);
  ASSERT_TRUE(ref.has_value());
  EXPECT_EQ(ref->record->agency, "gp");
  EXPECT_TRUE(ref->ascribed);

  records.erase(records.begin());
  EXPECT_FALSE(FindReference(records).has_value());  // an officer's perception never defines it
}

TEST(ReconcileTest, NhsCAgainstSelfIdentifiedRomaIsAClassificationLimit) {
  std::vector<RecordState> records = {
      Record("gp", SuppliedBy::kSelf, "nhs-ethnic-category", "C", 1),
      Record("school", SuppliedBy::kSelf, "dfe", "WROR", 5),
  };
  std::vector<Finding> f = Reconcile(records, Shared());
  EXPECT_EQ(Kinds(f, "gp"), Kinds_({"CLASSIFICATION_LIMIT"}));
  const Finding* limit = FindingOf(f, FindingKind::kClassificationLimit);
  ASSERT_NE(limit, nullptr);
  EXPECT_EQ(limit->suggested_code, "C");
  EXPECT_EQ(limit->severity, Severity::kInfo);
}

TEST(ReconcileTest, PoliceIcNeverRaisesASelfIdMismatch) {
  std::vector<RecordState> records = {
      Record("csc", SuppliedBy::kSelf, "", "Black Caribbean", 3),
      Record("police", SuppliedBy::kOfficerObserved, "police-ic", "IC1", 5),
  };
  EXPECT_EQ(Kinds(Reconcile(records, Shared()), "police"), Kinds_({"NOT_SELF_DEFINED"}));
}

TEST(ReconcileTest, NotStatedNeverRaisesAnything) {
  std::vector<RecordState> records = {
      Record("school", SuppliedBy::kSelf, "dfe", "REFU", 1),
      Record("gp", SuppliedBy::kSelf, "nhs-ethnic-category", "Z", 2),
      Record("csc", SuppliedBy::kSelf, "", "Black African", 3),
  };
  std::vector<Finding> f = Reconcile(records, Shared());
  EXPECT_TRUE(Kinds(f, "school").empty());
  EXPECT_TRUE(Kinds(f, "gp").empty());
  EXPECT_TRUE(f.empty());
}

TEST(ReconcileTest, NewerSelfStatementMakesOlderRecordsOutdated) {
  std::vector<RecordState> records = {
      Record("school", SuppliedBy::kSelf, "dfe", "WBRI", 1),
      Record("csc", SuppliedBy::kSelf, "", "Mixed White and Black Caribbean", 10),
  };
  std::vector<Finding> f = Reconcile(records, Shared());
  EXPECT_EQ(Kinds(f, "school"), Kinds_({"AGENCY_DISAGREEMENT", "OUTDATED"}));
}

TEST(ReconcileTest, LaterDisagreeingRecordIsASelfIdMismatch) {
  std::vector<RecordState> records = {
      Record("csc", SuppliedBy::kSelf, "dfe", "BAFR", 1),
      Record("gp", SuppliedBy::kPractitioner, "nhs-ethnic-category", "A", 5),
  };
  std::vector<Finding> f = Reconcile(records, Shared());
  EXPECT_EQ(Kinds(f, "gp"), Kinds_({"AGENCY_DISAGREEMENT", "NOT_SELF_DEFINED", "SELF_ID_MISMATCH"}));
  EXPECT_EQ(Kinds(f, "csc"), Kinds_({}));
  const Finding* mismatch = FindingOf(f, FindingKind::kSelfIdMismatch);
  ASSERT_NE(mismatch, nullptr);
  EXPECT_EQ(mismatch->severity, Severity::kHigh);
  EXPECT_THAT(mismatch->reason, HasSubstr("the child identifies as"));
  EXPECT_THAT(mismatch->compared, ::testing::ElementsAre("gp/gp-5", "csc/csc-1"));
}

TEST(ReconcileTest, MissingDetailIsReported) {
  std::vector<RecordState> records = {
      Record("school", SuppliedBy::kSelf, "dfe", "BSOM", 1),
      Record("gp", SuppliedBy::kSelf, "nhs-ethnic-category", "N", 0 + 2),
  };
  // The GP's N is the latest SELF statement: it is the reference, and has no detail to lose.
  EXPECT_TRUE(Kinds(Reconcile(records, Shared()), "school").empty());
  records[1].recorded_at = records[0].recorded_at - absl::Hours(24);
  EXPECT_EQ(Kinds(Reconcile(records, Shared()), "gp"), Kinds_({"DETAIL_LOST"}));
}

TEST(ReconcileTest, NotKnownWhileTheReferenceIsKnownIsMissing) {
  std::vector<RecordState> records = {
      Record("csc", SuppliedBy::kSelf, "", "Indian", 1),
      Record("gp", SuppliedBy::kUnknown, "nhs-ethnic-category", "99", 2),
  };
  EXPECT_THAT(Kinds(Reconcile(records, Shared()), "gp"), ::testing::Contains("MISSING"));
}

TEST(ReconcileTest, ARecordThatSaysNothingUsableIsMissing) {
  std::vector<RecordState> records = {
      Record("csc", SuppliedBy::kSelf, "", "Indian", 1),
      Record("camhs", SuppliedBy::kPractitioner, "", "see previous notes", 2),
  };
  ASSERT_EQ(records[1].normalized.outcome, Outcome::kUnrecognised);
  std::vector<Finding> f = Reconcile(records, Shared());
  EXPECT_THAT(Kinds(f, "camhs"), ::testing::Contains("MISSING"));
  const Finding* missing = FindingOf(f, FindingKind::kMissing);
  ASSERT_NE(missing, nullptr);
  EXPECT_THAT(missing->reason, HasSubstr("name no ethnic group"));
}

TEST(ReconcileTest, ParentOrCarerReferenceIsMarkedAscribed) {
  std::vector<RecordState> records = {
      Record("csc", SuppliedBy::kParentOrCarer, "", "Pakistani", 1),
      Record("school", SuppliedBy::kPractitioner, "dfe", "AIND", 2),
  };
  std::vector<Finding> f = Reconcile(records, Shared());
  const Finding* mismatch = FindingOf(f, FindingKind::kSelfIdMismatch);
  ASSERT_NE(mismatch, nullptr);
  EXPECT_THAT(mismatch->reason, HasSubstr("the parent or carer says the child is"));
}

TEST(ReconcileTest, AgenciesDisagreeWithoutAReference) {
  std::vector<RecordState> records = {
      Record("gp", SuppliedBy::kPractitioner, "nhs-ethnic-category", "A", 1),
      Record("school", SuppliedBy::kPractitioner, "dfe", "BCRB", 2),
  };
  std::vector<Finding> f = Reconcile(records, Shared());
  EXPECT_EQ(Kinds(f, "gp"), Kinds_({"AGENCY_DISAGREEMENT", "NOT_SELF_DEFINED"}));
}

TEST(ReconcileTest, ADisagreementIsAboutTheRecordThatIsNotTheReference) {
  // The reference (the child's latest statement) sorts first by agency; the
  // disagreement is still the other agency's to fix.
  std::vector<RecordState> records = {
      Record("camhs", SuppliedBy::kSelf, "", "Mixed White and Asian", 10),
      Record("csc", SuppliedBy::kSelf, "dfe", "WBRI", 1),
  };
  std::vector<Finding> f = Reconcile(records, Shared());
  EXPECT_EQ(Kinds(f, "camhs"), Kinds_({}));
  EXPECT_EQ(Kinds(f, "csc"), Kinds_({"AGENCY_DISAGREEMENT", "OUTDATED"}));
  const Finding* d = FindingOf(f, FindingKind::kAgencyDisagreement);
  ASSERT_NE(d, nullptr);
  EXPECT_THAT(d->compared, ::testing::ElementsAre("csc/csc-1", "camhs/camhs-10"));
}

TEST(ReconcileTest, WithoutAReferenceTheOlderRecordIsTheOneInDoubt) {
  std::vector<RecordState> records = {
      Record("gp", SuppliedBy::kPractitioner, "nhs-ethnic-category", "A", 9),
      Record("school", SuppliedBy::kPractitioner, "dfe", "BCRB", 2),
  };
  std::vector<Finding> f = Reconcile(records, Shared());
  EXPECT_EQ(Kinds(f, "school"), Kinds_({"AGENCY_DISAGREEMENT", "NOT_SELF_DEFINED"}));
  EXPECT_EQ(Kinds(f, "gp"), Kinds_({"NOT_SELF_DEFINED"}));
}

TEST(ReconcileTest, AnUnknownSupplierIsNotCalledNotSelfDefined) {
  // Nobody knows who gave it: it may have been the child. Only records
  // observed or assumed by a practitioner are NOT_SELF_DEFINED.
  std::vector<RecordState> records = {
      Record("csc", SuppliedBy::kSelf, "", "Indian", 1),
      Record("yjs", SuppliedBy::kUnknown, "dfe", "NOBT", 2),
      Record("police", SuppliedBy::kOfficerObserved, "police-ic", "IC4", 3),
  };
  std::vector<Finding> f = Reconcile(records, Shared());
  EXPECT_EQ(Kinds(f, "yjs"), Kinds_({"MISSING"}));
  EXPECT_EQ(Kinds(f, "police"), Kinds_({"NOT_SELF_DEFINED"}));
}

TEST(ReconcileTest, GroupAgreementDoesNotHideACategoryMismatch) {
  std::vector<RecordState> records = {
      Record("csc", SuppliedBy::kSelf, "", "Black African", 1),
      Record("school", SuppliedBy::kSelf, "dfe", "BCRB", 2),  // same group, other category
  };
  // The school's statement is the newer one: the children's services record is outdated.
  std::vector<Finding> f = Reconcile(records, Shared());
  EXPECT_THAT(Kinds(f, "csc"), ::testing::ElementsAre("AGENCY_DISAGREEMENT", "OUTDATED"));
  records[1].recorded_at = records[0].recorded_at - absl::Hours(1);
  EXPECT_THAT(Kinds(Reconcile(records, Shared()), "school"), ::testing::Contains("OUTDATED"));
}

}  // namespace
}  // namespace ethrec
