// The findings model (mapping/finding.h): names, the records a finding
// compares, what a recomputation changes, and officers' reviews.
#include "mapping/finding.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace ethrec {
namespace {

using ::ethrec::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(FindingNamesTest, EveryNameParsesBack) {
  for (FindingStatus s : {FindingStatus::kOpen, FindingStatus::kAcknowledged, FindingStatus::kResolved,
                          FindingStatus::kCleared}) {
    EXPECT_EQ(ParseFindingStatus(FindingStatusName(s)), s);
  }
  for (int a = 0; a <= static_cast<int>(FindingAction::kResolved); ++a) {
    EXPECT_EQ(ParseFindingAction(FindingActionName(static_cast<FindingAction>(a))), static_cast<FindingAction>(a));
  }
  for (int k = 0; k <= static_cast<int>(FindingKind::kMissing); ++k) {
    EXPECT_EQ(ParseFindingKind(FindingKindName(static_cast<FindingKind>(k))), static_cast<FindingKind>(k));
  }
  for (int s = 0; s <= static_cast<int>(Severity::kHigh); ++s) {
    EXPECT_EQ(ParseSeverity(SeverityName(static_cast<Severity>(s))), static_cast<Severity>(s));
  }
  EXPECT_EQ(ParseFindingStatus("open"), std::nullopt) << "names are exact";
  EXPECT_EQ(ParseFindingKind(""), std::nullopt);
}

TEST(RecordRefsTest, EncodeDecodeRoundTripsAndRefusesWhatEncodeCannotWrite) {
  const std::vector<RecordRef> refs = {{"gp", "g-1", 3}, {"school", "s 1", 1}};
  EXPECT_EQ(DecodeRecordRefs(EncodeRecordRefs(refs)), refs);
  EXPECT_EQ(DecodeRecordRefs(""), std::vector<RecordRef>{});
  EXPECT_EQ(DecodeRecordRefs("gp\tg-1"), std::nullopt);
  EXPECT_EQ(DecodeRecordRefs("gp\tg-1\tthree"), std::nullopt);
}

StoredFinding Computed(FindingKind kind, std::vector<RecordRef> compared) {
  StoredFinding f;
  f.kind = kind;
  f.agency = compared.front().agency;
  f.record_id = compared.front().record_id;
  f.compared = std::move(compared);
  return f;
}

ExistingFinding Stored(int64_t id, FindingStatus status, FindingKind kind, const std::vector<RecordRef>& compared) {
  return ExistingFinding{id, EncodeRecordRefs(compared), status, kind, compared.front().agency, "", Severity::kHigh};
}

// "OP id status event" per change.
std::vector<std::string> Plan(const std::vector<ExistingFinding>& existing, const std::vector<StoredFinding>& computed) {
  std::vector<std::string> out;
  for (const FindingChange& c : PlanFindingChanges(existing, computed)) {
    const char* op = c.op == FindingChange::Op::kInsert ? "insert" : c.op == FindingChange::Op::kUpdate ? "update" : "status";
    out.push_back(absl::StrCat(op, " ", c.id, " ", FindingStatusName(c.status), " ", FindingActionName(c.event),
                               c.reopened ? " reopened" : ""));
  }
  return out;
}

TEST(PlanFindingChangesTest, EachTransitionOfTheLifecycle) {
  const FindingKind m = FindingKind::kSelfIdMismatch;
  const std::vector<RecordRef> v1 = {{"gp", "g1", 1}, {"school", "s1", 1}};
  const std::vector<RecordRef> v2 = {{"gp", "g1", 2}, {"school", "s1", 1}};
  // First raised.
  EXPECT_THAT(Plan({}, {Computed(m, v1)}), ElementsAre("insert 0 OPEN RAISED"));
  // Still raised by the same versions: nothing to do.
  EXPECT_THAT(Plan({Stored(7, FindingStatus::kOpen, m, v1)}, {Computed(m, v1)}), IsEmpty());
  // Raised by newer versions: updated, status kept.
  EXPECT_THAT(Plan({Stored(7, FindingStatus::kAcknowledged, m, v1)}, {Computed(m, v2)}),
              ElementsAre("update 7 ACKNOWLEDGED UPDATED"));
  // Resolved, and newer data still raises it: reopened.
  EXPECT_THAT(Plan({Stored(7, FindingStatus::kResolved, m, v1)}, {Computed(m, v2)}),
              ElementsAre("update 7 OPEN REOPENED reopened"));
  // Resolved, same data: the officer's decision stands.
  EXPECT_THAT(Plan({Stored(7, FindingStatus::kResolved, m, v1)}, {Computed(m, v1)}), IsEmpty());
  // No longer raised: cleared; an already cleared one is left alone.
  EXPECT_THAT(Plan({Stored(7, FindingStatus::kOpen, m, v1)}, {}), ElementsAre("status 7 CLEARED CLEARED"));
  EXPECT_THAT(Plan({Stored(7, FindingStatus::kCleared, m, v1)}, {}), IsEmpty());
  // Cleared, then raised again: reopened.
  EXPECT_THAT(Plan({Stored(7, FindingStatus::kCleared, m, v1)}, {Computed(m, v1)}),
              ElementsAre("update 7 OPEN REOPENED reopened"));
  // Two stored with one identity (children merged): the lower id goes on.
  EXPECT_THAT(Plan({Stored(9, FindingStatus::kOpen, m, v1), Stored(4, FindingStatus::kOpen, m, v1)}, {Computed(m, v1)}),
              ElementsAre("status 9 CLEARED CLEARED"));
  // Raised twice by the rules: stored once.
  EXPECT_THAT(Plan({}, {Computed(m, v1), Computed(m, v1)}), ElementsAre("insert 0 OPEN RAISED"));
}

TEST(PlanFindingChangesTest, IdentityIsKindAgencyAndTheFirstTwoRecords) {
  const FindingKind m = FindingKind::kSelfIdMismatch;
  const std::vector<RecordRef> stated = {{"gp", "g1", 1}, {"school", "s1", 1}};
  // A later refusal listed third keeps the identity: updated, not replaced.
  const std::vector<RecordRef> declined = {{"gp", "g1", 1}, {"school", "s1", 1}, {"ooh", "o1", 1}};
  EXPECT_THAT(Plan({Stored(3, FindingStatus::kOpen, m, stated)}, {Computed(m, declined)}),
              ElementsAre("update 3 OPEN UPDATED"));
  // Compared with another reference record: a different finding.
  const std::vector<RecordRef> other = {{"gp", "g1", 1}, {"csc", "c1", 1}};
  EXPECT_THAT(Plan({Stored(3, FindingStatus::kOpen, m, stated)}, {Computed(m, other)}),
              ElementsAre("insert 0 OPEN RAISED", "status 3 CLEARED CLEARED"));
  // NOT_SELF_DEFINED is the agency's: the same finding whatever it lists.
  const FindingKind n = FindingKind::kNotSelfDefined;
  EXPECT_THAT(Plan({Stored(5, FindingStatus::kOpen, n, {{"gp", "g1", 1}})}, {Computed(n, {{"gp", "g2", 1}})}),
              ElementsAre("update 5 OPEN UPDATED"));
}

TEST(ReviewTransitionTest, WhatEachActionAllowsFromEachStatus) {
  struct Case {
    FindingStatus from;
    ReviewAction action;
    std::optional<FindingStatus> to;  // nullopt: refused
  };
  const Case cases[] = {
      {FindingStatus::kOpen, ReviewAction::kAcknowledge, FindingStatus::kAcknowledged},
      {FindingStatus::kOpen, ReviewAction::kResolve, FindingStatus::kResolved},
      {FindingStatus::kOpen, ReviewAction::kReopen, std::nullopt},
      {FindingStatus::kAcknowledged, ReviewAction::kAcknowledge, std::nullopt},
      {FindingStatus::kAcknowledged, ReviewAction::kResolve, FindingStatus::kResolved},
      {FindingStatus::kAcknowledged, ReviewAction::kReopen, FindingStatus::kOpen},
      {FindingStatus::kResolved, ReviewAction::kAcknowledge, std::nullopt},
      {FindingStatus::kResolved, ReviewAction::kResolve, std::nullopt},
      {FindingStatus::kResolved, ReviewAction::kReopen, FindingStatus::kOpen},
      {FindingStatus::kCleared, ReviewAction::kAcknowledge, std::nullopt},
      {FindingStatus::kCleared, ReviewAction::kResolve, std::nullopt},
      {FindingStatus::kCleared, ReviewAction::kReopen, std::nullopt},
  };
  for (const Case& c : cases) {
    absl::StatusOr<FindingStatus> to = ReviewTransition(c.from, c.action, "checked with the child");
    const std::string what = absl::StrCat(FindingStatusName(c.from), " ", ReviewActionName(c.action));
    if (c.to.has_value()) {
      ASSERT_TRUE(to.ok()) << what << ": " << to.status();
      EXPECT_EQ(*to, *c.to) << what;
    } else {
      EXPECT_THAT(to.status(), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr(FindingStatusName(c.from))))
          << what;
    }
  }
  EXPECT_THAT(ReviewTransition(FindingStatus::kCleared, ReviewAction::kReopen, "").status(),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("no longer raises it")));
  EXPECT_EQ(ReviewEvent(ReviewAction::kResolve), FindingAction::kResolved);
}

TEST(ReviewTransitionTest, TheNoteIsRequiredToResolveAndBounded) {
  EXPECT_THAT(ReviewTransition(FindingStatus::kOpen, ReviewAction::kResolve, " \n").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("note is required")));
  EXPECT_THAT(ReviewTransition(FindingStatus::kOpen, ReviewAction::kAcknowledge, std::string(kMaxReviewNoteChars + 1, 'x'))
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("longer than")));
  // The limit is in characters, not bytes.
  std::string accents;
  for (size_t i = 0; i < kMaxReviewNoteChars; ++i) accents += "\xC3\xA9";
  EXPECT_TRUE(ReviewTransition(FindingStatus::kOpen, ReviewAction::kAcknowledge, accents).ok());
  EXPECT_THAT(ReviewTransition(FindingStatus::kOpen, ReviewAction::kAcknowledge, "\xC3").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("UTF-8")));
}

TEST(VisibleToAgencyTest, AFindingIsItsAgencysAndADisagreementBothAgencies) {
  StoredFinding f = Computed(FindingKind::kAgencyDisagreement, {{"gp", "g1", 1}, {"school", "s1", 1}});
  f.facts.other_agency = "school";
  EXPECT_TRUE(VisibleToAgency(f, "gp"));
  EXPECT_TRUE(VisibleToAgency(f, "school"));
  EXPECT_FALSE(VisibleToAgency(f, "police"));
  StoredFinding m = Computed(FindingKind::kSelfIdMismatch, {{"gp", "g1", 1}, {"school", "s1", 1}});
  EXPECT_FALSE(VisibleToAgency(m, "school")) << "the reference's agency does not see the GP's finding";
}

}  // namespace
}  // namespace ethrec
