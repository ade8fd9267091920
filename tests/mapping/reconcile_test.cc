#include "mapping/reconcile.h"
#include "tests/testing/builtin_data.h"

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ethrec {
namespace {

using ::ethrec::testing::BuiltinNormalizer;

using ::testing::HasSubstr;

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
  absl::StatusOr<Normalized> n = system.empty() ? BuiltinNormalizer().Normalize({.text = code_or_text})
                                                : BuiltinNormalizer().Normalize({.system = system, .code = code_or_text});
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
  std::vector<Finding> f = Reconcile(records, BuiltinNormalizer());
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
  EXPECT_EQ(Kinds(Reconcile(records, BuiltinNormalizer()), "police"), Kinds_({"NOT_SELF_DEFINED"}));
}

TEST(ReconcileTest, NotStatedNeverRaisesAnything) {
  std::vector<RecordState> records = {
      Record("school", SuppliedBy::kSelf, "dfe", "REFU", 1),
      Record("gp", SuppliedBy::kSelf, "nhs-ethnic-category", "Z", 2),
      Record("csc", SuppliedBy::kSelf, "", "Black African", 3),
  };
  std::vector<Finding> f = Reconcile(records, BuiltinNormalizer());
  EXPECT_TRUE(Kinds(f, "school").empty());
  EXPECT_TRUE(Kinds(f, "gp").empty());
  EXPECT_TRUE(f.empty());
}

TEST(ReconcileTest, NewerSelfStatementMakesOlderRecordsOutdated) {
  std::vector<RecordState> records = {
      Record("school", SuppliedBy::kSelf, "dfe", "WBRI", 1),
      Record("csc", SuppliedBy::kSelf, "", "Mixed White and Black Caribbean", 10),
  };
  std::vector<Finding> f = Reconcile(records, BuiltinNormalizer());
  EXPECT_EQ(Kinds(f, "school"), Kinds_({"OUTDATED"}));
}

TEST(ReconcileTest, LaterDisagreeingRecordIsASelfIdMismatch) {
  std::vector<RecordState> records = {
      Record("csc", SuppliedBy::kSelf, "dfe", "BAFR", 1),
      Record("gp", SuppliedBy::kPractitioner, "nhs-ethnic-category", "A", 5),
  };
  std::vector<Finding> f = Reconcile(records, BuiltinNormalizer());
  EXPECT_EQ(Kinds(f, "gp"), Kinds_({"NOT_SELF_DEFINED", "SELF_ID_MISMATCH"}));
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
  EXPECT_TRUE(Kinds(Reconcile(records, BuiltinNormalizer()), "school").empty());
  records[1].recorded_at = records[0].recorded_at - absl::Hours(24);
  EXPECT_EQ(Kinds(Reconcile(records, BuiltinNormalizer()), "gp"), Kinds_({"DETAIL_LOST"}));
}

TEST(ReconcileTest, NotKnownWhileTheReferenceIsKnownIsMissing) {
  std::vector<RecordState> records = {
      Record("csc", SuppliedBy::kSelf, "", "Indian", 1),
      Record("gp", SuppliedBy::kUnknown, "nhs-ethnic-category", "99", 2),
  };
  EXPECT_THAT(Kinds(Reconcile(records, BuiltinNormalizer()), "gp"), ::testing::Contains("MISSING"));
}

TEST(ReconcileTest, ARecordThatSaysNothingUsableIsMissing) {
  std::vector<RecordState> records = {
      Record("csc", SuppliedBy::kSelf, "", "Indian", 1),
      Record("camhs", SuppliedBy::kPractitioner, "", "see previous notes", 2),
  };
  ASSERT_EQ(records[1].normalized.outcome, Outcome::kUnrecognised);
  std::vector<Finding> f = Reconcile(records, BuiltinNormalizer());
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
  std::vector<Finding> f = Reconcile(records, BuiltinNormalizer());
  const Finding* mismatch = FindingOf(f, FindingKind::kSelfIdMismatch);
  ASSERT_NE(mismatch, nullptr);
  EXPECT_THAT(mismatch->reason, HasSubstr("the parent or carer says the child is"));
}

TEST(ReconcileTest, AgenciesDisagreeWithoutAReference) {
  std::vector<RecordState> records = {
      Record("gp", SuppliedBy::kPractitioner, "nhs-ethnic-category", "A", 1),
      Record("school", SuppliedBy::kPractitioner, "dfe", "BCRB", 2),
  };
  std::vector<Finding> f = Reconcile(records, BuiltinNormalizer());
  EXPECT_EQ(Kinds(f, "gp"), Kinds_({"AGENCY_DISAGREEMENT", "NOT_SELF_DEFINED"}));
}

TEST(ReconcileTest, TheFindingIsAboutTheRecordThatIsNotTheReference) {
  // The reference (the child's latest statement) sorts first by agency; the
  // finding is still the other agency's to fix.
  std::vector<RecordState> records = {
      Record("camhs", SuppliedBy::kSelf, "", "Mixed White and Asian", 10),
      Record("csc", SuppliedBy::kSelf, "dfe", "WBRI", 1),
  };
  std::vector<Finding> f = Reconcile(records, BuiltinNormalizer());
  EXPECT_EQ(Kinds(f, "camhs"), Kinds_({}));
  EXPECT_EQ(Kinds(f, "csc"), Kinds_({"OUTDATED"}));
  const Finding* d = FindingOf(f, FindingKind::kOutdated);
  ASSERT_NE(d, nullptr);
  EXPECT_THAT(d->compared, ::testing::ElementsAre("csc/csc-1", "camhs/camhs-10"));
}

TEST(ReconcileTest, WithoutAReferenceTheOlderRecordIsTheOneInDoubt) {
  std::vector<RecordState> records = {
      Record("gp", SuppliedBy::kPractitioner, "nhs-ethnic-category", "A", 9),
      Record("school", SuppliedBy::kPractitioner, "dfe", "BCRB", 2),
  };
  std::vector<Finding> f = Reconcile(records, BuiltinNormalizer());
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
  std::vector<Finding> f = Reconcile(records, BuiltinNormalizer());
  EXPECT_EQ(Kinds(f, "yjs"), Kinds_({"MISSING"}));
  EXPECT_EQ(Kinds(f, "police"), Kinds_({"NOT_SELF_DEFINED"}));
}

TEST(ReconcileTest, GroupAgreementDoesNotHideACategoryMismatch) {
  std::vector<RecordState> records = {
      Record("csc", SuppliedBy::kSelf, "", "Black African", 1),
      Record("school", SuppliedBy::kSelf, "dfe", "BCRB", 2),  // same group, other category
  };
  // The school's statement is the newer one: the children's services record is outdated.
  std::vector<Finding> f = Reconcile(records, BuiltinNormalizer());
  EXPECT_THAT(Kinds(f, "csc"), ::testing::ElementsAre("OUTDATED"));
  records[1].recorded_at = records[0].recorded_at - absl::Hours(1);
  EXPECT_THAT(Kinds(Reconcile(records, BuiltinNormalizer()), "school"), ::testing::Contains("OUTDATED"));
}

// A record whose reading names no ethnic group, as the free-text reader
// answers a nationality alone ('British', 'UK citizen').
RecordState NoGroup(const std::string& agency, SuppliedBy who, int day) {
  RecordState r;
  r.agency = agency;
  r.record_id = absl::StrCat(agency, "-", day);
  r.record_version = 1;
  r.supplied_by = who;
  r.recorded_at = absl::FromCivil(absl::CivilDay(2026, 1, day), absl::UTCTimeZone());
  r.normalized.outcome = Outcome::kUnrecognised;
  r.normalized.notes.push_back("a nationality, not an ethnic group");
  return r;
}

// Every finding's "agency:kind", sorted.
std::vector<std::string> All(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const Finding& f : findings) out.push_back(absl::StrCat(f.agency, ":", FindingKindName(f.kind)));
  std::sort(out.begin(), out.end());
  return out;
}

TEST(ReconcileTest, WithAReferenceEveryRecordIsJudgedAgainstItAlone) {
  // The GP and the school disagree with each other, but only the GP's record
  // disagrees with the child: only the GP's record is pointed at.
  std::vector<RecordState> records = {
      Record("csc", SuppliedBy::kSelf, "dfe", "BAFR", 1),
      Record("gp", SuppliedBy::kUnknown, "nhs-ethnic-category", "A", 5),
      Record("school", SuppliedBy::kUnknown, "dfe", "BAFR", 6),
  };
  EXPECT_EQ(All(Reconcile(records, BuiltinNormalizer())), Kinds_({"gp:SELF_ID_MISMATCH"}));
}

TEST(ReconcileTest, RecordsThatAgreeWithTheChildGetNoDisagreementWhenAnotherAgencyIsWrong) {
  // The seed-like trap: five agencies agree with the child and one does not.
  // The wrong record gets its one finding; the agreeing ones get none (they
  // used to get an AGENCY_DISAGREEMENT each).
  std::vector<RecordState> records = {
      Record("school", SuppliedBy::kSelf, "dfe", "BCRB", 1),
      Record("csc", SuppliedBy::kParentOrCarer, "dfe", "BCRB", 2),
      Record("camhs", SuppliedBy::kUnknown, "", "Black Caribbean", 3),
      Record("yjs", SuppliedBy::kUnknown, "police-sde", "B1", 4),
      Record("police", SuppliedBy::kUnknown, "police-sde", "B1", 5),
      Record("gp", SuppliedBy::kUnknown, "nhs-ethnic-category", "A", 6),
  };
  std::vector<Finding> f = Reconcile(records, BuiltinNormalizer());
  EXPECT_EQ(All(f), Kinds_({"gp:SELF_ID_MISMATCH"}));
  EXPECT_EQ(FindingOf(f, FindingKind::kAgencyDisagreement), nullptr);
}

TEST(ReconcileTest, AgencyDisagreementIsRaisedOncePerConflictingPairOnlyWithoutAReference) {
  std::vector<RecordState> records = {
      Record("gp", SuppliedBy::kUnknown, "nhs-ethnic-category", "A", 1),
      Record("school", SuppliedBy::kUnknown, "dfe", "BCRB", 2),
      Record("csc", SuppliedBy::kUnknown, "dfe", "BCRB", 3),
  };
  std::vector<Finding> f = Reconcile(records, BuiltinNormalizer());
  // Two conflicting pairs (gp-school, gp-csc), one finding each, about the
  // older record, naming the other agency so that it sees the finding too.
  ASSERT_EQ(All(f), Kinds_({"gp:AGENCY_DISAGREEMENT", "gp:AGENCY_DISAGREEMENT"}));
  std::vector<std::string> others = {f[0].facts.other_agency, f[1].facts.other_agency};
  std::sort(others.begin(), others.end());
  EXPECT_EQ(others, Kinds_({"csc", "school"}));
  EXPECT_THAT(f[0].reason, HasSubstr("Ask the child"));

  // Once the child speaks, the child's words are the only yardstick.
  records.push_back(Record("camhs", SuppliedBy::kSelf, "", "Black Caribbean", 4));
  EXPECT_EQ(All(Reconcile(records, BuiltinNormalizer())), Kinds_({"gp:OUTDATED"}));
}

TEST(ReconcileTest, QuickStartGpRecordGetsOneFindingFromTheComparisonAndSocialCareNone) {
  // The README quick start: children's social care records the child's own
  // Roma; a GP practitioner codes White British.
  std::vector<RecordState> records = {
      Record("demo-csc", SuppliedBy::kSelf, "dfe", "WROM", 1),
      Record("demo-gp", SuppliedBy::kPractitioner, "nhs-ethnic-category", "A", 2),
  };
  EXPECT_EQ(All(Reconcile(records, BuiltinNormalizer())), Kinds_({"demo-gp:NOT_SELF_DEFINED", "demo-gp:SELF_ID_MISMATCH"}));
}

TEST(ReconcileTest, ARecordGetsOnlyTheMostSevereFindingFromTheComparison) {
  // NHS C for a Romanian Roma child is both a classification limit (INFO)
  // and a lost detail (LOW): only the lost detail is raised.
  RecordState child = Record("school", SuppliedBy::kSelf, "dfe", "WROR", 1);
  child.normalized.detail = "Romanian";
  std::vector<RecordState> records = {child, Record("gp", SuppliedBy::kUnknown, "nhs-ethnic-category", "C", 2)};
  std::vector<Finding> f = Reconcile(records, BuiltinNormalizer());
  EXPECT_EQ(All(f), Kinds_({"gp:DETAIL_LOST"}));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::kLow);
}

TEST(ReconcileTest, AnAgencyGetsOneNotSelfDefinedPerChild) {
  std::vector<RecordState> records = {
      Record("police", SuppliedBy::kOfficerObserved, "police-ic", "IC3", 1),
      Record("police", SuppliedBy::kPractitioner, "police-sde", "B1", 2),
  };
  records[1].record_id = "police-other";
  std::vector<Finding> f = Reconcile(records, BuiltinNormalizer());
  EXPECT_EQ(All(f), Kinds_({"police:NOT_SELF_DEFINED"}));
  EXPECT_THAT(f[0].compared, ::testing::ElementsAre("police/police-1", "police/police-other"));
}

TEST(ReferenceTest, ALaterNotStatedIsNotedAndDoesNotEraseTheIdentity) {
  std::vector<RecordState> records = {
      Record("csc", SuppliedBy::kSelf, "", "Black African", 1),
      Record("school", SuppliedBy::kSelf, "dfe", "REFU", 10),
  };
  std::optional<ReferenceIdentity> ref = FindReference(records);
  ASSERT_TRUE(ref.has_value());
  EXPECT_EQ(ref->record, &records[0]);
  EXPECT_EQ(ref->declined, &records[1]);

  // An earlier refusal is not a later one; a refusal alone is no identity.
  records[1].recorded_at = records[0].recorded_at - absl::Hours(1);
  ref = FindReference(records);
  ASSERT_TRUE(ref.has_value());
  EXPECT_EQ(ref->declined, nullptr);
  records.erase(records.begin());
  EXPECT_FALSE(FindReference(records).has_value());
}

TEST(ReconcileTest, ALaterNotStatedToAThirdAgencyStillCatchesAContradictingRecord) {
  // The trap: the child said Black African to social care, a GP practitioner
  // coded White British, then the child said 'prefer not to say' at school.
  std::vector<RecordState> records = {
      Record("csc", SuppliedBy::kSelf, "", "Black African", 1),
      Record("gp", SuppliedBy::kPractitioner, "nhs-ethnic-category", "A", 5),
      Record("school", SuppliedBy::kSelf, "dfe", "REFU", 10),
  };
  std::vector<Finding> f = Reconcile(records, BuiltinNormalizer());
  EXPECT_EQ(All(f), Kinds_({"gp:NOT_SELF_DEFINED", "gp:SELF_ID_MISMATCH"}));
  const Finding* mismatch = FindingOf(f, FindingKind::kSelfIdMismatch);
  ASSERT_NE(mismatch, nullptr);
  EXPECT_TRUE(mismatch->facts.declined_later);
  EXPECT_EQ(mismatch->facts.stated_at, records[0].recorded_at);
  EXPECT_THAT(mismatch->reason, HasSubstr("the child stated this on 2026-01-01 and later declined to say"));
  // The refusal is listed after what the record was compared with.
  EXPECT_THAT(mismatch->compared, ::testing::ElementsAre("gp/gp-5", "csc/csc-1", "school/school-10"));
}

TEST(ReconcileTest, ANationalityAloneConflictsWithNoGroup) {
  // The trap: a parent's free text 'British' for a British Pakistani child.
  // The reader answers that it names no group; it is no SELF_ID_MISMATCH.
  std::vector<RecordState> records = {
      Record("school", SuppliedBy::kSelf, "dfe", "APKN", 1),
      NoGroup("gp", SuppliedBy::kParentOrCarer, 5),
  };
  std::vector<Finding> f = Reconcile(records, BuiltinNormalizer());
  EXPECT_EQ(All(f), Kinds_({"gp:MISSING"}));
  EXPECT_THAT(f[0].reason, HasSubstr("name no ethnic group"));

  // It never defines the identity, and without one it disagrees with nobody.
  records[0].supplied_by = SuppliedBy::kPractitioner;
  EXPECT_FALSE(FindReference(records).has_value());
  EXPECT_EQ(All(Reconcile(records, BuiltinNormalizer())), Kinds_({"school:NOT_SELF_DEFINED"}));
}

TEST(ReconcileTest, CorrectionsCarryTheCodeOfTheAgencysOwnSystemAsSuggestCodeChoosesIt) {
  struct Case {
    const char* name;
    RecordState child;
    RecordState record;
    FindingKind kind;
  } cases[] = {
      {"mismatch", Record("school", SuppliedBy::kSelf, "dfe", "BSOM", 1),
       Record("gp", SuppliedBy::kUnknown, "nhs-ethnic-category", "A", 5), FindingKind::kSelfIdMismatch},
      {"outdated", Record("csc", SuppliedBy::kSelf, "", "Indian", 10), Record("school", SuppliedBy::kUnknown, "dfe", "WBRI", 1),
       FindingKind::kOutdated},
      {"missing", Record("csc", SuppliedBy::kSelf, "", "Indian", 1), Record("yjs", SuppliedBy::kUnknown, "dfe", "NOBT", 2),
       FindingKind::kMissing},
      {"limit", Record("school", SuppliedBy::kSelf, "dfe", "WROR", 5),
       Record("gp", SuppliedBy::kUnknown, "nhs-ethnic-category", "C", 1), FindingKind::kClassificationLimit},
      {"detail", Record("school", SuppliedBy::kSelf, "dfe", "BSOM", 1), Record("csc", SuppliedBy::kUnknown, "dfe", "BAFR", 2),
       FindingKind::kDetailLost},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<RecordState> records = {c.child, c.record};
    std::vector<Finding> f = Reconcile(records, BuiltinNormalizer());
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].kind, c.kind);
    const Normalized& ref = c.child.normalized;
    absl::StatusOr<CodeSuggestion> want = BuiltinNormalizer().SuggestCode(
        TaxonomyValue{Outcome::kCategories, ref.categories.front().category, ref.detail}, c.record.system);
    ASSERT_TRUE(want.ok()) << want.status();
    EXPECT_EQ(f[0].suggested_code, want->code);
    EXPECT_EQ(f[0].facts.suggested_display, want->display);
    EXPECT_EQ(f[0].facts.system, c.record.system);
  }
}

TEST(ReconcileTest, CorrectionsForASomaliChildKeepTheDetail) {
  std::vector<RecordState> records = {
      Record("school", SuppliedBy::kSelf, "dfe", "BSOM", 1),
      Record("csc", SuppliedBy::kUnknown, "dfe", "BAFR", 2),
  };
  std::vector<Finding> f = Reconcile(records, BuiltinNormalizer());
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].suggested_code, "BSOM");
  EXPECT_THAT(f[0].reason, HasSubstr("Record dfe code BSOM"));
}

TEST(ReconcileTest, AFreeTextRecordGetsNoSuggestedCode) {
  std::vector<RecordState> records = {
      Record("school", SuppliedBy::kSelf, "dfe", "AIND", 1),
      Record("camhs", SuppliedBy::kUnknown, "", "White British", 2),
  };
  std::vector<Finding> f = Reconcile(records, BuiltinNormalizer());
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, FindingKind::kSelfIdMismatch);
  EXPECT_EQ(f[0].suggested_code, "");
  EXPECT_EQ(f[0].facts.suggested_display, "");
}

}  // namespace
}  // namespace ethrec
