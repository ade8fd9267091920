// Findings in the Store (service/store.h "Findings"), against every
// implementation: recomputed in the write's transaction, kept across
// changes of the data, reviewed by officers, listed a page at a time and
// summarised. The rules themselves are tested in mapping/reconcile_test.
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapping/normalizer.h"
#include "mapping/reconcile.h"
#include "mapping/status_field.h"
#include "service/memory_store.h"
#include "service/sqlite_store.h"
#include "service/store.h"
#include "tests/service/store_factories.h"
#include "tests/service/store_observations.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/store_access.h"

namespace ethrec {
namespace {

using ::ethrec::testing::ReviewerAccess;
using ::ethrec::testing::TestAccess;
using ::ethrec::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

using ::ethrec::testing::Day;
using ::ethrec::testing::Nhs;
using ::ethrec::testing::Obs;
using ::ethrec::testing::Shared;

using ::ethrec::testing::MemoryStoreFactory;
using ::ethrec::testing::RemoveDb;
using ::ethrec::testing::SqliteStoreFactory;

std::string TempDbPath() { return ::ethrec::testing::TempDbPath("ethrec_findings_"); }

using ::ethrec::testing::Options;

template <typename Factory>
class FindingsStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = TempDbPath();
    RemoveDb(path_);
    Open(true);
  }
  void TearDown() override {
    if (store_ != nullptr) {
      EXPECT_TRUE(store_->Close().ok());
    }
    store_.reset();
    RemoveDb(path_);
  }
  void Open(bool findings) {
    if (store_ != nullptr) {
      ASSERT_TRUE(store_->Close().ok());
    }
    store_.reset();
    absl::StatusOr<std::unique_ptr<Store>> store =
        Factory::Create(Options([this] { return Now(); }, findings), path_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  absl::Time Now() {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void SetNow(absl::Time t) {
    absl::MutexLock lock(&mu_);
    now_ = t;
  }

  void Write(std::vector<NormalizedObservation> batch) {
    absl::StatusOr<std::vector<WriteOutcome>> out = store_->Write(batch, TestAccess());
    ASSERT_TRUE(out.ok()) << out.status();
  }

  // Every finding matching `q` (all pages, 2 at a time to exercise paging).
  std::vector<StoredFinding> All(FindingQuery q = {}) {
    std::vector<StoredFinding> out;
    q.limit = 2;
    for (int pages = 0; pages < 1000; ++pages) {
      absl::StatusOr<FindingsPage> page = store_->ListFindings(q, TestAccess());
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      for (StoredFinding& f : page->findings) out.push_back(std::move(f));
      if (!page->more) break;
      q.after_id = out.back().id;
    }
    return out;
  }

  // "KIND agency" for each finding matching `q`, sorted.
  std::vector<std::string> Kinds(FindingQuery q = {}) {
    std::vector<std::string> out;
    for (const StoredFinding& f : All(q)) out.push_back(absl::StrCat(FindingKindName(f.kind), " ", f.agency));
    std::sort(out.begin(), out.end());
    return out;
  }

  const StoredFinding* Find(const std::vector<StoredFinding>& findings, FindingKind kind, const std::string& agency) {
    for (const StoredFinding& f : findings) {
      if (f.kind == kind && f.agency == agency) return &f;
    }
    return nullptr;
  }

  std::vector<FindingAction> Actions(const StoredFinding& f) {
    std::vector<FindingAction> out;
    for (const FindingEvent& e : f.history) out.push_back(e.action);
    return out;
  }

  absl::Mutex mu_;
  absl::Time now_ = Day(100);
  std::string path_;
  std::unique_ptr<Store> store_;
};

TYPED_TEST_SUITE(FindingsStoreTest, ::ethrec::testing::StoreImplementations, ::ethrec::testing::StoreFactoryNames);

const std::vector<FindingStatus> kAllStatuses = {FindingStatus::kOpen, FindingStatus::kAcknowledged,
                                                 FindingStatus::kResolved, FindingStatus::kCleared};

TYPED_TEST(FindingsStoreTest, AWriteRaisesFindingsInTheSameCall) {
  // The child says Black Caribbean at school; the GP coded White British.
  this->Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 1)});
  EXPECT_THAT(this->Kinds(), IsEmpty());
  this->Write({Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 2)});
  const std::vector<StoredFinding> all = this->All();
  EXPECT_THAT(this->Kinds(), ElementsAre("NOT_SELF_DEFINED gp", "SELF_ID_MISMATCH gp"));
  const StoredFinding* m = this->Find(all, FindingKind::kSelfIdMismatch, "gp");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->severity, Severity::kHigh);
  EXPECT_EQ(m->suggested_code, "M");  // the GP's own code for Black Caribbean
  EXPECT_EQ(m->facts.suggested_display, "Black or Black British - Caribbean");
  EXPECT_EQ(m->status, FindingStatus::kOpen);
  EXPECT_EQ(m->record_id, "g1");
  EXPECT_THAT(m->compared, ElementsAre(RecordRef{"gp", "g1", 1}, RecordRef{"school", "s1", 1}));
  EXPECT_EQ(m->record_set, CategorySet::Of(Category::kWhiteBritish));
  EXPECT_EQ(m->reference_set, CategorySet::Of(Category::kBlackCaribbean));
  EXPECT_THAT(ExplainFinding(m->kind, m->agency, m->record_set, m->reference_set, m->suggested_code, m->facts,
                             Shared().registry().taxonomy()),
              HasSubstr("cannot both be right"));
  EXPECT_EQ(m->first_raised_at, Day(100));
  EXPECT_EQ(m->last_raised_at, Day(100));
  EXPECT_EQ(m->reopen_count, 0);
  ASSERT_EQ(m->history.size(), 1u);
  EXPECT_EQ(m->history[0].action, FindingAction::kRaised);
  EXPECT_EQ(m->history[0].time, Day(100));
  EXPECT_EQ(m->history[0].by_agency, "");
  absl::StatusOr<StoredFinding> got = this->store_->GetFinding(m->id, TestAccess());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->facts, m->facts);
  EXPECT_EQ(got->history.size(), 1u);
}

TYPED_TEST(FindingsStoreTest, ACorrectionClearsAndAReturnReopensTheSameFinding) {
  this->Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 1),
               Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 2)});
  std::vector<StoredFinding> all = this->All();
  const StoredFinding* m = this->Find(all, FindingKind::kSelfIdMismatch, "gp");
  ASSERT_NE(m, nullptr);
  const int64_t id = m->id;

  this->SetNow(Day(101));
  this->Write({Obs("gp", "g1", 2, 1, "nhs-ethnic-category", "M", SuppliedBy::kPractitioner, 3)});  // Black Caribbean
  EXPECT_THAT(this->Kinds(), ElementsAre("NOT_SELF_DEFINED gp"));
  absl::StatusOr<StoredFinding> cleared = this->store_->GetFinding(id, TestAccess());
  ASSERT_TRUE(cleared.ok());
  EXPECT_EQ(cleared->status, FindingStatus::kCleared);
  EXPECT_THAT(this->Actions(*cleared), ElementsAre(FindingAction::kRaised, FindingAction::kCleared));
  EXPECT_THAT(this->Kinds({.statuses = {FindingStatus::kCleared}}), ElementsAre("SELF_ID_MISMATCH gp"));

  this->SetNow(Day(102));
  this->Write({Obs("gp", "g1", 3, 1, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 4)});
  absl::StatusOr<StoredFinding> back = this->store_->GetFinding(id, TestAccess());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->status, FindingStatus::kOpen);
  EXPECT_EQ(back->reopen_count, 1);
  EXPECT_EQ(back->first_raised_at, Day(100));
  EXPECT_EQ(back->last_raised_at, Day(102));
  EXPECT_THAT(back->compared, ElementsAre(RecordRef{"gp", "g1", 3}, RecordRef{"school", "s1", 1}));
  EXPECT_THAT(this->Actions(*back),
              ElementsAre(FindingAction::kRaised, FindingAction::kCleared, FindingAction::kReopened));
}

TYPED_TEST(FindingsStoreTest, AResolvedFindingReopensOnlyWhenNewerDataStillRaisesIt) {
  this->Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 1),
               Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 2)});
  const StoredFinding* m = nullptr;
  std::vector<StoredFinding> all = this->All();
  m = this->Find(all, FindingKind::kSelfIdMismatch, "gp");
  ASSERT_NE(m, nullptr);
  const int64_t id = m->id;
  absl::StatusOr<StoredFinding> resolved =
      this->store_->ReviewFinding(id, ReviewAction::kResolve, "GP asked to update", ReviewerAccess("dq-team"));
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_EQ(resolved->status, FindingStatus::kResolved);

  // Another agency's unrelated record: the child is reconciled again, the
  // resolved finding is not reopened.
  this->Write({Obs("csc", "c1", 1, 1, "dfe", "BCRB", SuppliedBy::kPractitioner, 1)});
  EXPECT_EQ(this->store_->GetFinding(id, TestAccess())->status, FindingStatus::kResolved);

  // The GP sends a newer version that is still wrong: reopened.
  this->Write({Obs("gp", "g1", 2, 1, "nhs-ethnic-category", "B", SuppliedBy::kPractitioner, 3)});  // White Irish
  absl::StatusOr<StoredFinding> again = this->store_->GetFinding(id, TestAccess());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, FindingStatus::kOpen);
  EXPECT_EQ(again->reopen_count, 1);
  EXPECT_EQ(again->record_set, CategorySet::Of(Category::kWhiteIrish));
  EXPECT_THAT(this->Actions(*again),
              ElementsAre(FindingAction::kRaised, FindingAction::kResolved, FindingAction::kReopened));
}

TYPED_TEST(FindingsStoreTest, AnAcknowledgedFindingStaysAcknowledgedWhenUpdated) {
  this->Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 1),
               Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 2)});
  std::vector<StoredFinding> all = this->All();
  const int64_t id = this->Find(all, FindingKind::kSelfIdMismatch, "gp")->id;
  ASSERT_TRUE(this->store_->ReviewFinding(id, ReviewAction::kAcknowledge, "", ReviewerAccess("dq")).ok());
  this->Write({Obs("gp", "g1", 2, 1, "nhs-ethnic-category", "B", SuppliedBy::kPractitioner, 3)});
  absl::StatusOr<StoredFinding> f = this->store_->GetFinding(id, TestAccess());
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->status, FindingStatus::kAcknowledged);
  EXPECT_THAT(this->Actions(*f),
              ElementsAre(FindingAction::kRaised, FindingAction::kAcknowledged, FindingAction::kUpdated));
}

TYPED_TEST(FindingsStoreTest, ReviewsFollowTheWorkflowAndKeepWhoAndWhen) {
  this->Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 1),
               Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 2)});
  std::vector<StoredFinding> all = this->All();
  const int64_t id = this->Find(all, FindingKind::kSelfIdMismatch, "gp")->id;
  const Access officer = ReviewerAccess("dq-team");
  Store& s = *this->store_;

  EXPECT_THAT(s.ReviewFinding(id, ReviewAction::kReopen, "", officer).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("cannot REOPEN a finding that is OPEN")));
  absl::Status no_note = s.ReviewFinding(id, ReviewAction::kResolve, "  ", officer).status();
  EXPECT_THAT(no_note, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("note is required")));
  EXPECT_EQ(FieldOf(no_note), "note");
  EXPECT_THAT(s.ReviewFinding(id, ReviewAction::kAcknowledge, std::string("\xff", 1), officer).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("UTF-8")));
  EXPECT_THAT(s.ReviewFinding(id, ReviewAction::kAcknowledge, std::string(2001, 'x'), officer).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("2000")));
  EXPECT_THAT(s.ReviewFinding(999999, ReviewAction::kAcknowledge, "", officer).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("999999")));
  EXPECT_EQ(s.GetFinding(id, TestAccess())->history.size(), 1u) << "refused reviews leave no trace";

  this->SetNow(Day(110));
  ASSERT_TRUE(s.ReviewFinding(id, ReviewAction::kAcknowledge, "seen", officer).ok());
  EXPECT_THAT(s.ReviewFinding(id, ReviewAction::kAcknowledge, "", officer).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::_));
  this->SetNow(Day(111));
  absl::StatusOr<StoredFinding> resolved = s.ReviewFinding(id, ReviewAction::kResolve, "GP updated, café ✓", officer);
  ASSERT_TRUE(resolved.ok());
  this->SetNow(Day(112));
  ASSERT_TRUE(s.ReviewFinding(id, ReviewAction::kReopen, "not done after all", officer).ok());
  absl::StatusOr<StoredFinding> f = s.GetFinding(id, TestAccess());
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->status, FindingStatus::kOpen);
  ASSERT_EQ(f->history.size(), 4u);
  EXPECT_EQ(f->history[2].action, FindingAction::kResolved);
  EXPECT_EQ(f->history[2].time, Day(111));
  EXPECT_EQ(f->history[2].by_agency, "dq-team");
  EXPECT_EQ(f->history[2].by_role, "data-quality-officer");
  EXPECT_EQ(f->history[2].note, "GP updated, café ✓");
  EXPECT_EQ(f->history[3].action, FindingAction::kReopened);

  // A cleared finding cannot be reviewed.
  this->Write({Obs("gp", "g1", 2, 1, "nhs-ethnic-category", "M", SuppliedBy::kPractitioner, 3)});
  EXPECT_THAT(s.ReviewFinding(id, ReviewAction::kResolve, "x", officer).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("no longer raises")));
}

TYPED_TEST(FindingsStoreTest, ListsPageByPageWithFilters) {
  // 7 children: each with a school SELF record and a mismatching GP record.
  for (int c = 1; c <= 7; ++c) {
    this->SetNow(Day(100 + c));
    this->Write({Obs("school", absl::StrCat("s", c), 1, c, "dfe", "BCRB", SuppliedBy::kSelf, 1),
                 Obs("gp", absl::StrCat("g", c), 1, c, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 2)});
  }
  // Per child: SELF_ID_MISMATCH and NOT_SELF_DEFINED, both gp.
  std::vector<StoredFinding> all = this->All();
  ASSERT_EQ(all.size(), 14u);
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].id, all[i].id);

  EXPECT_EQ(this->All({.agency = "school"}).size(), 0u);
  EXPECT_EQ(this->All({.agency = "gp"}).size(), 14u);
  EXPECT_EQ(this->All({.kinds = {FindingKind::kSelfIdMismatch}}).size(), 7u);
  EXPECT_EQ(this->All({.kinds = {FindingKind::kSelfIdMismatch, FindingKind::kNotSelfDefined}}).size(), 14u);
  EXPECT_EQ(this->All({.min_severity = Severity::kHigh}).size(), 7u);
  EXPECT_EQ(this->All({.raised_after = Day(103), .raised_before = Day(105)}).size(), 4u);
  EXPECT_EQ(this->All({.statuses = {FindingStatus::kResolved}}).size(), 0u);

  absl::StatusOr<FindingsPage> page = this->store_->ListFindings({.limit = 14}, TestAccess());
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->findings.size(), 14u);
  EXPECT_FALSE(page->more);
  page = this->store_->ListFindings({.limit = 13}, TestAccess());
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->more);
  EXPECT_THAT(this->store_->ListFindings({.limit = 0}, TestAccess()).status(), StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  EXPECT_THAT(this->store_->ListFindings({.limit = 1001}, TestAccess()).status(), StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
}

TYPED_TEST(FindingsStoreTest, SummarisesCountsAndCompleteness) {
  this->Write({
      // Child 1: school self-defined, GP practitioner-assumed and wrong, police observed.
      Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 1),
      Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 2),
      Obs("police", "p1", 1, 1, "police-ic", "IC3", SuppliedBy::kOfficerObserved, 3),
      // Child 2: school says not stated (a choice); GP self-defined.
      Obs("school", "s2", 1, 2, "dfe", "REFU", SuppliedBy::kSelf, 1),
      Obs("gp", "g2", 1, 2, "nhs-ethnic-category", "A", SuppliedBy::kSelf, 2),
  });
  absl::StatusOr<FindingSummary> s = this->store_->SummarizeFindings("", TestAccess());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->children, 2);
  std::vector<std::string> counts;
  for (const FindingCountRow& r : s->counts) {
    counts.push_back(absl::StrCat(r.agency, " ", FindingKindName(r.kind), " ", FindingStatusName(r.status), " ",
                                  r.count));
  }
  EXPECT_THAT(counts, ElementsAre("gp SELF_ID_MISMATCH OPEN 1", "gp NOT_SELF_DEFINED OPEN 1",
                                  "police NOT_SELF_DEFINED OPEN 1"));
  std::vector<std::string> completeness;
  for (const CompletenessRow& r : s->completeness) {
    completeness.push_back(absl::StrCat(r.agency, " ", r.children_self_defined, "/", r.children));
  }
  EXPECT_THAT(completeness, ElementsAre("gp 1/2", "police 0/1", "school 2/2"));

  absl::StatusOr<FindingSummary> police = this->store_->SummarizeFindings("police", TestAccess());
  ASSERT_TRUE(police.ok());
  ASSERT_EQ(police->counts.size(), 1u);
  ASSERT_EQ(police->completeness.size(), 1u);
  EXPECT_EQ(police->completeness[0].agency, "police");
}

TYPED_TEST(FindingsStoreTest, SummaryCountsFollowEveryChangeOfStatus) {
  // Raise, review, clear, reopen and merge; after each step the summary's
  // counts are exactly what ListFindings lists.
  auto expect_counts_match = [this](const std::string& step) {
    std::map<std::string, int64_t> listed;
    for (const StoredFinding& f : this->All({.statuses = {FindingStatus::kOpen, FindingStatus::kAcknowledged,
                                                          FindingStatus::kResolved}})) {
      ++listed[absl::StrCat(f.agency, " ", FindingKindName(f.kind), " ", FindingStatusName(f.status))];
    }
    absl::StatusOr<FindingSummary> s = this->store_->SummarizeFindings("", TestAccess());
    ASSERT_TRUE(s.ok()) << s.status();
    std::map<std::string, int64_t> counted;
    for (const FindingCountRow& r : s->counts) {
      counted[absl::StrCat(r.agency, " ", FindingKindName(r.kind), " ", FindingStatusName(r.status))] = r.count;
    }
    EXPECT_EQ(counted, listed) << step;
  };
  this->Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 1),
               Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 2),
               Obs("school", "s2", 1, 2, "dfe", "WBRI", SuppliedBy::kSelf, 1),
               Obs("police", "p2", 1, 2, "police-ic", "IC3", SuppliedBy::kOfficerObserved, 2)});
  expect_counts_match("raised");
  std::vector<StoredFinding> all = this->All();
  const Access officer = ReviewerAccess("dq");
  ASSERT_TRUE(this->store_->ReviewFinding(all[0].id, ReviewAction::kAcknowledge, "", officer).ok());
  ASSERT_TRUE(this->store_->ReviewFinding(all[1].id, ReviewAction::kResolve, "done", officer).ok());
  expect_counts_match("reviewed");
  this->Write({Obs("gp", "g1", 2, 1, "nhs-ethnic-category", "M", SuppliedBy::kSelf, 3)});
  expect_counts_match("cleared");
  this->Write({Obs("gp", "g1", 3, 1, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 4)});
  expect_counts_match("reopened");
  this->Write({Obs("police", "p2", 2, 1, "police-ic", "IC3", SuppliedBy::kOfficerObserved, 5)});  // merges 2 into 1
  expect_counts_match("merged");
  // A refused batch changes no count.
  EXPECT_FALSE(this->store_->Write({Obs("csc", "c1", 1, 1, "dfe", "WBRI", SuppliedBy::kSelf, 6),
                                    Obs("school", "s1", 1, 1, "dfe", "WIRI", SuppliedBy::kSelf, 1)}, TestAccess())
                   .ok());
  expect_counts_match("refused");
}

TYPED_TEST(FindingsStoreTest, CompletenessFollowsEveryWrite) {
  // The stores keep completeness as counts per agency that each write
  // moves: after each step they must say what the records say.
  auto completeness = [this]() {
    std::vector<std::string> out;
    absl::StatusOr<FindingSummary> s = this->store_->SummarizeFindings("", TestAccess());
    EXPECT_TRUE(s.ok()) << s.status();
    if (!s.ok()) return out;
    out.push_back(absl::StrCat("children ", s->children));
    for (const CompletenessRow& r : s->completeness) {
      out.push_back(absl::StrCat(r.agency, " ", r.children_self_defined, "/", r.children));
    }
    return out;
  };
  this->Write({Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 1),
               Obs("school", "s1", 1, 1, "dfe", "WBRI", SuppliedBy::kSelf, 1),
               Obs("police", "p2", 1, 2, "police-ic", "IC1", SuppliedBy::kOfficerObserved, 1)});
  EXPECT_THAT(completeness(), ElementsAre("children 2", "gp 0/1", "police 0/1", "school 1/1"));
  this->Write({Obs("gp", "g1", 2, 1, "nhs-ethnic-category", "A", SuppliedBy::kSelf, 2)});  // now self-defined
  EXPECT_THAT(completeness(), ElementsAre("children 2", "gp 1/1", "police 0/1", "school 1/1"));
  this->Write({Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 1)});  // a duplicate
  this->Write({Obs("gp", "g2", 1, 2, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 2)});
  EXPECT_THAT(completeness(), ElementsAre("children 2", "gp 1/2", "police 0/1", "school 1/1"));
  // Child 2 turns out to be child 1: the gp now holds two records about
  // one child, one of them self-defined.
  this->Write({Obs("police", "p2", 2, 1, "police-ic", "IC1", SuppliedBy::kOfficerObserved, 3)});
  EXPECT_THAT(completeness(), ElementsAre("children 1", "gp 1/1", "police 0/1", "school 1/1"));
  this->Write({Obs("gp", "g1", 3, 1, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 4)});
  EXPECT_THAT(completeness(), ElementsAre("children 1", "gp 0/1", "police 0/1", "school 1/1"));
  // One batch that makes a child, adds to it and merges it into child 1.
  this->Write({Obs("csc", "c5", 1, 5, "dfe", "WBRI", SuppliedBy::kSelf, 5),
               Obs("csc", "c6", 1, 5, "dfe", "WBRI", SuppliedBy::kPractitioner, 5),
               Obs("csc", "c5", 2, 1, "dfe", "WBRI", SuppliedBy::kSelf, 6)});
  EXPECT_THAT(completeness(), ElementsAre("children 1", "csc 1/1", "gp 0/1", "police 0/1", "school 1/1"));
  // Neither a refused batch nor a validate_only one moves a count.
  EXPECT_FALSE(this->store_->Write({Obs("youth", "y1", 1, 7, "dfe", "WBRI", SuppliedBy::kSelf, 7),
                                    Obs("school", "s1", 1, 1, "dfe", "WIRI", SuppliedBy::kSelf, 1)}, TestAccess())
                   .ok());
  ASSERT_TRUE(this->store_->Write({Obs("youth", "y1", 1, 7, "dfe", "WBRI", SuppliedBy::kSelf, 7)},
                                  WriteOptions{.validate_only = true}, TestAccess())
                  .ok());
  EXPECT_THAT(completeness(), ElementsAre("children 1", "csc 1/1", "gp 0/1", "police 0/1", "school 1/1"));
}

// A record made and corrected within one batch: its newest version is the
// stored current state that reconciliation reads, then and at the next
// write about the child.
TYPED_TEST(FindingsStoreTest, ARecordCorrectedWithinItsFirstBatchIsReconciledAsCorrected) {
  // The child says Black Caribbean at school; the GP's new record is coded
  // White British, then corrected to Black Caribbean, all in one call.
  this->Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 1),
               Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 2),
               Obs("gp", "g1", 2, 1, "nhs-ethnic-category", "M", SuppliedBy::kPractitioner, 3)});
  EXPECT_THAT(this->Kinds(), ElementsAre("NOT_SELF_DEFINED gp"));
  this->Write({Obs("school", "s1", 2, 1, "dfe", "BCRB", SuppliedBy::kSelf, 4)});
  EXPECT_THAT(this->Kinds(), ElementsAre("NOT_SELF_DEFINED gp"));
  // Written the other way round, the older version is history only.
  this->Write({Obs("gp", "g2", 2, 1, "nhs-ethnic-category", "M", SuppliedBy::kPractitioner, 5),
               Obs("gp", "g2", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 5)});
  EXPECT_THAT(this->Kinds(), ElementsAre("NOT_SELF_DEFINED gp"));
}

TYPED_TEST(FindingsStoreTest, MergedChildrenAreReconciledAsOne) {
  // Two children as far as anyone knows: police saw child 1 and child 2.
  this->Write({Obs("police", "p1", 1, 1, "police-ic", "IC3", SuppliedBy::kOfficerObserved, 1),
               Obs("school", "s2", 1, 2, "dfe", "WBRI", SuppliedBy::kSelf, 1),
               Obs("police", "p2", 1, 2, "police-ic", "IC1", SuppliedBy::kOfficerObserved, 1)});
  EXPECT_THAT(this->Kinds(), ElementsAre("NOT_SELF_DEFINED police", "NOT_SELF_DEFINED police"));
  // The school's record turns out to be about child 1 too: a version
  // carrying child 1's NHS number links (merges) them.
  NormalizedObservation link = Obs("school", "s2", 2, 1, "dfe", "WBRI", SuppliedBy::kSelf, 2);
  this->Write({link});
  absl::StatusOr<ChildRecord> child = this->store_->GetChild(ChildKey::ForNhsNumber(Nhs(1)), TestAccess());
  ASSERT_TRUE(child.ok());
  EXPECT_EQ(child->nhs_numbers.size(), 2u);
  // One child now: police's two records give one NOT_SELF_DEFINED (the
  // other is cleared, not lost); the school is complete.
  EXPECT_THAT(this->Kinds(), ElementsAre("NOT_SELF_DEFINED police"));
  EXPECT_THAT(this->Kinds({.statuses = {FindingStatus::kCleared}}), ElementsAre("NOT_SELF_DEFINED police"));
  absl::StatusOr<FindingSummary> s = this->store_->SummarizeFindings("", TestAccess());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->children, 1);
  ASSERT_EQ(s->completeness.size(), 2u);
  EXPECT_EQ(s->completeness[0].children, 1);  // police
  EXPECT_EQ(s->completeness[1].children, 1);  // school
  EXPECT_EQ(s->completeness[1].children_self_defined, 1);
}

TYPED_TEST(FindingsStoreTest, BothAgenciesOfADisagreementSeeItAndCountIt) {
  // No reference identity: two practitioner-assumed records disagree. The
  // finding is about the GP's (older) record and names the school.
  this->Write({Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 1),
               Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kPractitioner, 2),
               Obs("csc", "c1", 1, 2, "dfe", "WBRI", SuppliedBy::kSelf, 1)});
  const std::vector<StoredFinding> all = this->All({.kinds = {FindingKind::kAgencyDisagreement}});
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].agency, "gp");
  EXPECT_EQ(all[0].facts.other_agency, "school");
  EXPECT_TRUE(VisibleToAgency(all[0], "school"));
  EXPECT_FALSE(VisibleToAgency(all[0], "csc"));
  EXPECT_THAT(this->Kinds({.agency = "school"}),
              ElementsAre("AGENCY_DISAGREEMENT gp", "NOT_SELF_DEFINED school"));
  EXPECT_THAT(this->Kinds({.agency = "gp"}), ElementsAre("AGENCY_DISAGREEMENT gp", "NOT_SELF_DEFINED gp"));
  EXPECT_THAT(this->Kinds({.agency = "csc"}), IsEmpty());

  auto counts = [this](const std::string& agency) {
    std::vector<std::string> out;
    absl::StatusOr<FindingSummary> s = this->store_->SummarizeFindings(agency, TestAccess());
    EXPECT_TRUE(s.ok()) << s.status();
    if (!s.ok()) return out;
    for (const FindingCountRow& r : s->counts) {
      out.push_back(absl::StrCat(r.agency, " ", FindingKindName(r.kind), " ", FindingStatusName(r.status), " ",
                                 r.count));
    }
    return out;
  };
  EXPECT_THAT(counts("school"), ElementsAre("gp AGENCY_DISAGREEMENT OPEN 1", "school NOT_SELF_DEFINED OPEN 1"));
  EXPECT_THAT(counts(""), ElementsAre("gp AGENCY_DISAGREEMENT OPEN 1", "gp NOT_SELF_DEFINED OPEN 1",
                                      "school NOT_SELF_DEFINED OPEN 1"));
  // A review moves the shared count too.
  ASSERT_TRUE(this->store_->ReviewFinding(all[0].id, ReviewAction::kAcknowledge, "", ReviewerAccess("dq"))
                  .ok());
  EXPECT_THAT(counts("school"),
              ElementsAre("gp AGENCY_DISAGREEMENT ACKNOWLEDGED 1", "school NOT_SELF_DEFINED OPEN 1"));
}

TYPED_TEST(FindingsStoreTest, ALaterNotStatedUpdatesTheFindingItDoesNotClearIt) {
  this->Write({Obs("csc", "c1", 1, 1, "", "Black African", SuppliedBy::kSelf, 1),
               Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 5)});
  const StoredFinding* m = nullptr;
  std::vector<StoredFinding> before = this->All({.kinds = {FindingKind::kSelfIdMismatch}});
  ASSERT_EQ(before.size(), 1u);
  EXPECT_FALSE(before[0].facts.declined_later);
  // The child says 'prefer not to say' at school: the same finding goes on,
  // now listing the refusal and saying so.
  this->Write({Obs("school", "s1", 1, 1, "dfe", "REFU", SuppliedBy::kSelf, 10)});
  std::vector<StoredFinding> after = this->All({.kinds = {FindingKind::kSelfIdMismatch}});
  ASSERT_EQ(after.size(), 1u);
  m = &after[0];
  EXPECT_EQ(m->id, before[0].id);
  EXPECT_TRUE(m->facts.declined_later);
  EXPECT_EQ(m->facts.stated_at, Day(1));
  EXPECT_THAT(m->compared, ElementsAre(RecordRef{"gp", "g1", 1}, RecordRef{"csc", "c1", 1},
                                       RecordRef{"school", "s1", 1}));
  EXPECT_THAT(this->Actions(*m), ElementsAre(FindingAction::kRaised, FindingAction::kUpdated));
  absl::StatusOr<StoredFinding> got = this->store_->GetFinding(m->id, TestAccess());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->facts, m->facts);
}

TYPED_TEST(FindingsStoreTest, ARefusedBatchLeavesNoFindings) {
  this->Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 1)});
  // Item 1 conflicts with the stored s1 v1: the whole batch is refused.
  std::vector<NormalizedObservation> batch = {Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 2),
                                              Obs("school", "s1", 1, 1, "dfe", "WBRI", SuppliedBy::kSelf, 1)};
  EXPECT_THAT(this->store_->Write(batch, TestAccess()).status(), StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::_));
  EXPECT_THAT(this->Kinds({.statuses = kAllStatuses}), IsEmpty());
  absl::StatusOr<FindingSummary> s = this->store_->SummarizeFindings("", TestAccess());
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->completeness.size(), 1u);
  EXPECT_EQ(s->completeness[0].agency, "school");
}

TYPED_TEST(FindingsStoreTest, WithoutAReconcilerFindingsAreDisabled) {
  this->Open(false);
  this->Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 1)});
  EXPECT_THAT(this->store_->ListFindings({}, TestAccess()).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("disabled")));
  EXPECT_THAT(this->store_->SummarizeFindings("", TestAccess()).status(), StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::_));
  EXPECT_THAT(this->store_->GetFinding(1, TestAccess()).status(), StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::_));
  EXPECT_THAT(this->store_->ReviewFinding(1, ReviewAction::kAcknowledge, "", ReviewerAccess("a")).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::_));
}

// SqliteStore only: writes made with findings disabled are caught up at the
// next Open that has them.
TEST(SqliteFindingsTest, OpenWithFindingsCatchesUpOnWritesMadeWithout) {
  const std::string path = TempDbPath();
  RemoveDb(path);
  {
    absl::StatusOr<std::unique_ptr<Store>> store =
        OpenSqliteStore({.path = path, .store = Options([] { return Day(100); }, false)});
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)
                    ->Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 1),
                             Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 2)}, TestAccess())
                    .ok());
    ASSERT_TRUE((*store)->Close().ok());
  }
  absl::StatusOr<std::unique_ptr<Store>> store =
      OpenSqliteStore({.path = path, .store = Options([] { return Day(200); }, true)});
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<FindingsPage> page = (*store)->ListFindings({}, TestAccess());
  ASSERT_TRUE(page.ok()) << page.status();
  std::vector<std::string> kinds;
  for (const StoredFinding& f : page->findings) kinds.emplace_back(FindingKindName(f.kind));
  EXPECT_THAT(kinds, UnorderedElementsAre("SELF_ID_MISMATCH", "NOT_SELF_DEFINED"));
  EXPECT_EQ(page->findings[0].first_raised_at, Day(200));
  absl::StatusOr<FindingSummary> s = (*store)->SummarizeFindings("", TestAccess());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->completeness.size(), 2u);
  ASSERT_TRUE((*store)->Close().ok());
  RemoveDb(path);
}

using ::ethrec::testing::LoadFixture;

// A file written by the version-1 schema (tests/testdata/schema_v1.sql)
// migrates forward at Open: its records read as before, and with findings on
// the child is reconciled before the store serves.
TEST(SqliteFindingsTest, AVersionOneFileMigratesAndIsReconciled) {
  const std::string path = TempDbPath();
  RemoveDb(path);
  ASSERT_NO_FATAL_FAILURE(LoadFixture(path, "schema_v1.sql"));
  absl::StatusOr<std::unique_ptr<Store>> store =
      OpenSqliteStore({.path = path, .store = Options([] { return Day(200); }, true)});
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->schema_version(), kStoreSchemaVersion);
  absl::StatusOr<ChildRecord> child = (*store)->GetChild(ChildKey::ForNhsNumber("9990001030"), TestAccess());
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_EQ(child->records.size(), 2u);
  EXPECT_EQ(child->records[0].agency, "gp");
  EXPECT_EQ(child->records[0].versions.size(), 2u);
  absl::StatusOr<FindingsPage> page = (*store)->ListFindings({}, TestAccess());
  ASSERT_TRUE(page.ok()) << page.status();
  std::vector<std::string> kinds;
  for (const StoredFinding& f : page->findings) {
    kinds.push_back(absl::StrCat(FindingKindName(f.kind), " ", f.agency, " ", f.record_id));
    EXPECT_EQ(f.first_raised_at, Day(200));
  }
  EXPECT_THAT(kinds, UnorderedElementsAre("SELF_ID_MISMATCH gp g103", "NOT_SELF_DEFINED gp g103"));
  // The current version (2) is what was compared; completeness came over too.
  for (const StoredFinding& f : page->findings) {
    EXPECT_EQ(f.compared[0].record_version, 2);
  }
  absl::StatusOr<FindingSummary> s = (*store)->SummarizeFindings("", TestAccess());
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->completeness.size(), 2u);
  EXPECT_EQ(s->completeness[0].agency, "gp");
  EXPECT_EQ(s->completeness[0].children_self_defined, 0);
  EXPECT_EQ(s->completeness[1].agency, "school");
  EXPECT_EQ(s->completeness[1].children_self_defined, 1);
  ASSERT_TRUE((*store)->Close().ok());
  RemoveDb(path);
}

// A file written by the released version-2 schema (tests/testdata/
// schema_v2.sql) migrates to version 3 keeping its findings: the same ids,
// the disagreement now seen and counted by both agencies, facts that still
// read (flags kept), and counts that equal the listed findings once every
// child is reconciled under the new rules.
TEST(SqliteFindingsTest, AVersionTwoFileMigratesKeepingItsFindings) {
  const std::string path = TempDbPath();
  RemoveDb(path);
  ASSERT_NO_FATAL_FAILURE(LoadFixture(path, "schema_v2.sql"));
  absl::StatusOr<std::unique_ptr<Store>> store =
      OpenSqliteStore({.path = path, .store = Options([] { return Day(300); }, true)});
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->schema_version(), kStoreSchemaVersion);
  absl::StatusOr<FindingsPage> page = (*store)->ListFindings({}, TestAccess());
  ASSERT_TRUE(page.ok()) << page.status();
  std::vector<std::string> listed;
  for (const StoredFinding& f : page->findings) {
    listed.push_back(absl::StrCat(f.id, " ", FindingKindName(f.kind), " ", f.agency, " ", f.facts.other_agency));
    if (f.kind == FindingKind::kMissing) {
      EXPECT_TRUE(f.facts.ascribed);
      EXPECT_TRUE(f.facts.unrecognised);
    }
  }
  EXPECT_THAT(listed, UnorderedElementsAre("1 NOT_SELF_DEFINED gp ", "2 NOT_SELF_DEFINED school ",
                                           "3 AGENCY_DISAGREEMENT gp school", "4 MISSING gp "));
  absl::StatusOr<FindingsPage> school = (*store)->ListFindings({.agency = "school"}, TestAccess());
  ASSERT_TRUE(school.ok()) << school.status();
  std::vector<int64_t> school_ids;
  for (const StoredFinding& f : school->findings) school_ids.push_back(f.id);
  EXPECT_THAT(school_ids, UnorderedElementsAre(2, 3));
  absl::StatusOr<FindingSummary> s = (*store)->SummarizeFindings("school", TestAccess());
  ASSERT_TRUE(s.ok()) << s.status();
  std::vector<std::string> counts;
  for (const FindingCountRow& r : s->counts) {
    counts.push_back(absl::StrCat(r.agency, " ", FindingKindName(r.kind), " ", FindingStatusName(r.status), " ",
                                  r.count));
  }
  EXPECT_THAT(counts, ElementsAre("gp AGENCY_DISAGREEMENT OPEN 1", "school NOT_SELF_DEFINED OPEN 1"));
  ASSERT_TRUE((*store)->Close().ok());
  RemoveDb(path);
}

}  // namespace
}  // namespace ethrec
