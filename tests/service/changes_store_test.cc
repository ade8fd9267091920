// The change feed's contract of the Store (service/store.h "The change
// feed"), run against every implementation: each committed record write
// and finding change appends one entry, in commit order, and nothing else
// does; reads are scoped like the other reads, filtered, paged and audited;
// waiters wake on commit; the purge keeps the log a contiguous run and an
// older position answers OUT_OF_RANGE.
#include <algorithm>
#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/store.h"
#include "tests/service/store_factories.h"
#include "tests/service/store_observations.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/store_access.h"

namespace ethrec {
namespace {

using ::ethrec::testing::AgencyAccess;
using ::ethrec::testing::Day;
using ::ethrec::testing::Obs;
using ::ethrec::testing::Options;
using ::ethrec::testing::ReviewerAccess;
using ::ethrec::testing::StatusIs;
using ::testing::HasSubstr;

template <typename Factory>
class ChangesStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::ethrec::testing::TempDbPath("ethrec_changes_");
    ::ethrec::testing::RemoveDb(path_);
    StoreOptions options = Options([this] { return Now(); }, /*findings=*/true);
    options.changes_retention = absl::Hours(24);
    absl::StatusOr<std::unique_ptr<Store>> store = Factory::Create(options, path_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  void TearDown() override {
    if (store_ != nullptr) {
      EXPECT_TRUE(store_->Close().ok());
    }
    store_.reset();
    ::ethrec::testing::RemoveDb(path_);
  }
  absl::Time Now() {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void SetNow(absl::Time t) {
    absl::MutexLock lock(&mu_);
    now_ = t;
  }
  void Write(const std::vector<NormalizedObservation>& batch) {
    const int64_t before = Latest();
    absl::StatusOr<std::vector<WriteOutcome>> out = store_->Write(batch, AgencyAccess(batch.front().observation.agency));
    ASSERT_TRUE(out.ok()) << out.status();
    Settle(before);
  }
  // PostgreSQL gives a committed entry its position just after the commit
  // (its sequencer; Memory and SQLite within it): wait until entries after
  // `before` have positions, or a second when the call added none.
  void Settle(int64_t before) {
    ASSERT_TRUE(store_->WaitForChanges(before, absl::Now() + absl::Seconds(1)).ok());
  }
  // Every entry after `after` that `access` sees, read in pages of `limit`.
  std::vector<ChangeEntry> All(const Access& access, ChangeQuery query = {}, int limit = 1000) {
    std::vector<ChangeEntry> out;
    query.limit = limit;
    while (true) {
      absl::StatusOr<ChangePage> page = store_->ReadChanges(query, access);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) return out;
      EXPECT_GE(page->last_position, query.after);
      for (ChangeEntry& e : page->entries) out.push_back(std::move(e));
      query.after = page->last_position;
      if (!page->more) return out;
    }
  }
  int64_t Latest() {
    absl::StatusOr<ChangeLogState> state = store_->GetChangeLogState();
    EXPECT_TRUE(state.ok()) << state.status();
    return state.ok() ? state->latest : -1;
  }

  absl::Mutex mu_;
  absl::Time now_ = Day(10);
  std::string path_;
  std::unique_ptr<Store> store_;
};

TYPED_TEST_SUITE(ChangesStoreTest, ::ethrec::testing::StoreImplementations, ::ethrec::testing::StoreFactoryNames);

const Access kOfficer = ReviewerAccess("county-dq");

TYPED_TEST(ChangesStoreTest, EachWriteAndFindingIsOneEntryInCommitOrder) {
  EXPECT_EQ(this->Latest(), 0);
  this->Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 1)});
  this->Write({Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 2)});
  const std::vector<ChangeEntry> all = this->All(kOfficer);
  ASSERT_GE(all.size(), 3u);
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].position, all[i].position);
  EXPECT_EQ(all.back().position, this->Latest());
  const ChangeEntry& first = all[0];
  EXPECT_EQ(first.kind, ChangeKind::kRecordWritten);
  EXPECT_EQ(first.agency, "school");
  EXPECT_EQ(first.record_id, "s1");
  EXPECT_EQ(first.record_version, 1);
  EXPECT_EQ(first.outcome, WriteOutcome::kInserted);
  EXPECT_GT(first.child_id, 0);
  EXPECT_EQ(first.time, Day(10));
  EXPECT_EQ(first.normalized.outcome, Outcome::kCategories);
  EXPECT_EQ(all[1].kind, ChangeKind::kRecordWritten);
  EXPECT_EQ(all[1].agency, "gp");
  // The GP's record contradicts what the child said: a finding is raised,
  // after the record that raised it.
  auto raised = std::find_if(all.begin() + 2, all.end(), [](const ChangeEntry& e) {
    return e.kind == ChangeKind::kFindingChanged && e.action == FindingAction::kRaised;
  });
  ASSERT_NE(raised, all.end());
  EXPECT_GT(raised->finding_id, 0);
  EXPECT_EQ(raised->child_id, first.child_id);
}

TYPED_TEST(ChangesStoreTest, DuplicatesValidateOnlyAndFailedWritesAddNothing) {
  const NormalizedObservation s1 = Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 1);
  this->Write({s1});
  const int64_t latest = this->Latest();
  this->Write({s1});  // a duplicate stores nothing
  EXPECT_TRUE(this->store_
                  ->Write({Obs("school", "s2", 1, 2, "dfe", "WBRI", SuppliedBy::kSelf, 1)},
                          WriteOptions{.validate_only = true}, AgencyAccess("school"))
                  .ok());
  EXPECT_FALSE(this->store_->Write({Obs("school", "s1", 1, 1, "dfe", "WBRI", SuppliedBy::kSelf, 1)},
                                   AgencyAccess("school"))
                   .ok());  // a conflict
  EXPECT_EQ(this->Latest(), latest);
  EXPECT_TRUE(this->All(kOfficer, {.after = latest}).empty());
  // A position rolled back is not reused for a different change.
  this->Write({Obs("school", "s3", 1, 3, "dfe", "WBRI", SuppliedBy::kSelf, 1)});
  const std::vector<ChangeEntry> next = this->All(kOfficer, {.after = latest});
  ASSERT_FALSE(next.empty());
  EXPECT_EQ(next.front().record_id, "s3");
}

TYPED_TEST(ChangesStoreTest, ARecordSystemSeesOnlyItsOwnAgency) {
  this->Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 1)});
  this->Write({Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 2)});
  this->Write({Obs("police", "p1", 1, 2, "police-ic", "IC1", SuppliedBy::kPractitioner, 2)});
  for (const ChangeEntry& e : this->All(AgencyAccess("gp"))) {
    EXPECT_TRUE(e.agency == "gp" || e.other_agency == "gp") << e.agency;
  }
  std::vector<ChangeEntry> school = this->All(AgencyAccess("school"));
  ASSERT_FALSE(school.empty());
  for (const ChangeEntry& e : school) EXPECT_TRUE(e.agency == "school" || e.other_agency == "school");
  EXPECT_THAT(this->store_->ReadChanges({.agency = "gp"}, AgencyAccess("school")),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("agency")));
  // An officer may ask for one agency.
  std::vector<ChangeEntry> police = this->All(kOfficer, {.kinds = {ChangeKind::kRecordWritten}, .agency = "police"});
  ASSERT_EQ(police.size(), 1u);
  EXPECT_EQ(police[0].record_id, "p1");
}

TYPED_TEST(ChangesStoreTest, FiltersAndPagesMoveOnPastWhatTheyLeaveOut) {
  this->Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 1)});
  this->Write({Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 2)});
  const int64_t latest = this->Latest();
  absl::StatusOr<ChangePage> records =
      this->store_->ReadChanges({.kinds = {ChangeKind::kFindingChanged}, .limit = 1000}, kOfficer);
  ASSERT_TRUE(records.ok()) << records.status();
  for (const ChangeEntry& e : records->entries) EXPECT_EQ(e.kind, ChangeKind::kFindingChanged);
  EXPECT_FALSE(records->entries.empty());
  EXPECT_EQ(records->last_position, latest);
  absl::StatusOr<ChangePage> one = this->store_->ReadChanges({.limit = 1}, kOfficer);
  ASSERT_TRUE(one.ok());
  EXPECT_TRUE(one->more);
  ASSERT_EQ(one->entries.size(), 1u);
  EXPECT_EQ(one->last_position, one->entries[0].position);
  EXPECT_EQ(this->All(kOfficer, {}, 1).size(), this->All(kOfficer).size());
  EXPECT_THAT(this->store_->ReadChanges({.limit = 0}, kOfficer), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page size")));
}

TYPED_TEST(ChangesStoreTest, AReviewIsAFindingChange) {
  this->Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 1)});
  this->Write({Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 2)});
  absl::StatusOr<FindingsPage> findings = this->store_->ListFindings({.agency = "gp"}, kOfficer);
  ASSERT_TRUE(findings.ok() && !findings->findings.empty());
  const int64_t latest = this->Latest();
  ASSERT_TRUE(this->store_->ReviewFinding(findings->findings[0].id, ReviewAction::kAcknowledge, "", kOfficer).ok());
  this->Settle(latest);
  const std::vector<ChangeEntry> after = this->All(kOfficer, {.after = latest});
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].action, FindingAction::kAcknowledged);
  EXPECT_EQ(after[0].finding_id, findings->findings[0].id);
  EXPECT_EQ(after[0].agency, "gp");
}

TYPED_TEST(ChangesStoreTest, EveryReadIsAuditedWithItsChildren) {
  this->Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 1)});
  Access reader = AgencyAccess("school", "/ethrec.v1.ChangesService/WatchChanges");
  absl::StatusOr<ChangePage> page = this->store_->ReadChanges({.limit = 10}, reader);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->entries.size(), 1u);
  const Access auditor{.actor = {.agency = "ig", .role = "auditor", .method = "/ethrec.v1.AuditService/ListAuditEvents"}};
  absl::StatusOr<AuditPage> events =
      this->store_->ListAuditEvents({.method = "/ethrec.v1.ChangesService/WatchChanges"}, auditor);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->events.size(), 1u);
  EXPECT_EQ(events->events[0].child_ids, std::vector<int64_t>{page->entries[0].child_id});
}

TYPED_TEST(ChangesStoreTest, AWaiterWakesWhenAChangeCommits) {
  const int64_t latest = this->Latest();
  // Nothing new: the wait ends at its deadline.
  absl::StatusOr<int64_t> idle = this->store_->WaitForChanges(latest, absl::Now() + absl::Milliseconds(50));
  ASSERT_TRUE(idle.ok());
  EXPECT_EQ(*idle, latest);
  std::atomic<int64_t> woke{-1};
  std::thread waiter([&] {
    absl::StatusOr<int64_t> w = this->store_->WaitForChanges(latest, absl::Now() + absl::Seconds(20));
    woke = w.ok() ? *w : -2;
  });
  absl::SleepFor(absl::Milliseconds(50));
  const absl::Time start = absl::Now();
  this->Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 1)});
  waiter.join();
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_GT(woke.load(), latest);
}

TYPED_TEST(ChangesStoreTest, PurgedEntriesAnswerOutOfRange) {
  this->Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 1)});
  const int64_t old = this->Latest();
  this->SetNow(Day(12));  // past the day's retention
  this->Write({Obs("school", "s2", 1, 2, "dfe", "WBRI", SuppliedBy::kSelf, 1)});
  absl::StatusOr<int64_t> purged = this->store_->PurgeExpiredChanges(1000);
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_GE(*purged, 1);
  absl::StatusOr<ChangeLogState> state = this->store_->GetChangeLogState();
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->purged_through, old);
  EXPECT_THAT(this->store_->ReadChanges({.after = 0}, kOfficer),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("resync")));
  const std::vector<ChangeEntry> kept = this->All(kOfficer, {.after = old});
  ASSERT_FALSE(kept.empty());
  EXPECT_EQ(kept.front().record_id, "s2");
  // Positions go on after a purge.
  this->Write({Obs("school", "s3", 1, 3, "dfe", "WBRI", SuppliedBy::kSelf, 1)});
  EXPECT_GT(this->Latest(), kept.back().position);
}

// Concurrent writers, one reader following the log as it grows: every
// committed write is read exactly once, in position order.
TYPED_TEST(ChangesStoreTest, AFollowerSeesEveryConcurrentWriteOnce) {
  constexpr int kWriters = 4;
  constexpr int kEach = 60;
  std::atomic<int> done{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([this, w, &done] {
      for (int i = 0; i < kEach; ++i) {
        const std::string agency = absl::StrCat("agency-", w);
        EXPECT_TRUE(this->store_
                        ->Write({Obs(agency, absl::StrCat("r", i), 1, 1000 * (w + 1) + i, "dfe", "WBRI",
                                     SuppliedBy::kSelf, 1)},
                                AgencyAccess(agency))
                        .ok());
      }
      ++done;
    });
  }
  std::set<std::string> seen;
  int64_t after = 0;
  const absl::Time give_up = absl::Now() + absl::Seconds(60);
  while (absl::Now() < give_up) {
    absl::StatusOr<ChangePage> page = this->store_->ReadChanges({.after = after, .kinds = {ChangeKind::kRecordWritten},
                                                                 .limit = 50},
                                                                kOfficer);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const ChangeEntry& e : page->entries) {
      EXPECT_GT(e.position, after);
      EXPECT_TRUE(seen.insert(absl::StrCat(e.agency, "/", e.record_id)).second) << "twice: " << e.position;
    }
    after = page->last_position;
    if (page->more) continue;
    if (done.load() == kWriters && seen.size() == kWriters * kEach) break;
    ASSERT_TRUE(this->store_->WaitForChanges(after, absl::Now() + absl::Milliseconds(100)).ok());
  }
  for (std::thread& t : writers) t.join();
  EXPECT_EQ(seen.size(), static_cast<size_t>(kWriters * kEach));
}

}  // namespace
}  // namespace ethrec
