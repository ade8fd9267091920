// ChangesApi in process, against MemoryStore: a watch starts with a
// bookmark, delivers each change once in order with a token that resumes
// after it, bookmarks while idle, keeps a record system to its agency, and
// refuses bad tokens, expired tokens and watches over the agency's limit
// with their own codes; ListChanges pages; the watch_token of a snapshot
// read (GetChild, ListFindings) misses no later change. Synthetic data only.
#include "service/changes_service.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/change_token.h"
#include "service/findings_service.h"
#include "service/memory_store.h"
#include "service/records_service.h"
#include "tests/service/api_fixtures.h"
#include "tests/testing/status_matchers.h"

namespace ethrec::service {
namespace {

using ::ethrec::testing::Input;
using ::ethrec::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kRecord[] = "/ethrec.v1.RecordsService/RecordObservation";
constexpr char kWatch[] = "/ethrec.v1.ChangesService/WatchChanges";

Caller As(const std::string& agency, const std::string& role) {
  return Caller{.agency = agency, .role = role, .identity = "metadata", .peer = "ipv4:127.0.0.1:1", .method = kWatch};
}

std::string Nhs(int n) { return SyntheticNhsNumber(n); }

class ChangesApiTest : public ::testing::Test {
 protected:
  void Record(const std::string& agency, int child, const std::string& record_id) {
    v1::RecordObservationRequest request;
    *request.mutable_observation() = Input(Nhs(child), record_id, 1, "dfe", "BCRB");
    Caller writer = As(agency, kRecordSystemRole);
    writer.method = kRecord;
    absl::StatusOr<v1::RecordObservationResponse> r = records_.RecordObservation(writer, request);
    ASSERT_TRUE(r.ok()) << r.status();
  }
  // Runs a watch on a thread of its own until Stop(); events land in events_.
  void Start(const Caller& caller, v1::WatchChangesRequest request) {
    watcher_ = std::thread([this, caller, request] {
      status_ = api_.Watch(
          caller, request,
          [this](const v1::ChangeEvent& e) {
            absl::MutexLock lock(&mu_);
            events_.push_back(e);
            return true;
          },
          [this] { return stop_.load(); });
    });
  }
  void Stop() {
    stop_ = true;
    if (watcher_.joinable()) watcher_.join();
  }
  // Waits until `n` events that are not bookmarks have arrived (10 s at most).
  std::vector<v1::ChangeEvent> Changes(size_t n) {
    const absl::Time give_up = absl::Now() + absl::Seconds(10);
    while (true) {
      std::vector<v1::ChangeEvent> out;
      {
        absl::MutexLock lock(&mu_);
        for (const v1::ChangeEvent& e : events_) {
          if (!e.has_bookmark()) out.push_back(e);
        }
      }
      if (out.size() >= n || absl::Now() > give_up) return out;
      absl::SleepFor(absl::Milliseconds(10));
    }
  }
  void TearDown() override { Stop(); }

  std::unique_ptr<MemoryStore> store_ = ::ethrec::testing::StoreWithFindings();
  RecordsApi records_{{.normalizer = &::ethrec::testing::BuiltinNormalizer(), .store = store_.get()}};
  ChangesApi api_{{.store = store_.get(), .bookmark_interval = absl::Milliseconds(100), .max_watchers_per_agency = 2}};
  absl::Mutex mu_;
  std::vector<v1::ChangeEvent> events_;
  std::atomic<bool> stop_{false};
  absl::Status status_;
  std::thread watcher_;
};

TEST_F(ChangesApiTest, AWatchFromNowDeliversEachNewChangeInOrder) {
  Record("school", 1, "old");
  Start(As("school", kRecordSystemRole), {});
  absl::SleepFor(absl::Milliseconds(50));
  Record("school", 2, "s2");
  Record("school", 3, "s3");
  std::vector<v1::ChangeEvent> changes = Changes(2);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].record_written().record_id(), "s2");
  EXPECT_EQ(changes[1].record_written().record_id(), "s3");
  EXPECT_EQ(changes[0].record_written().agency(), "school");
  EXPECT_EQ(changes[0].record_written().outcome(), v1::INSERTED);
  EXPECT_GT(changes[0].record_written().child_id(), 0);
  EXPECT_EQ(changes[0].record_written().value().outcome(), v1::CATEGORIES);
  Stop();
  EXPECT_THAT(status_, StatusIs(absl::StatusCode::kCancelled, HasSubstr("cancelled")));
  absl::MutexLock lock(&mu_);
  ASSERT_FALSE(events_.empty());
  EXPECT_TRUE(events_.front().has_bookmark());  // where the watch starts
}

TEST_F(ChangesApiTest, CommitsComingFasterThanTheReadIntervalGatherIntoOneLaterRead) {
  // Every read of the log is an audited transaction: a watch woken within
  // min_read_interval of its last read waits, then reads what gathered.
  ChangesApi slow{{.store = store_.get(), .min_read_interval = absl::Seconds(1)}};
  std::atomic<bool> stop{false};
  absl::Mutex mu;
  std::vector<std::pair<absl::Time, v1::ChangeEvent>> seen;
  std::thread watcher([&] {
    slow.Watch(
        As("school", kRecordSystemRole), {},
        [&](const v1::ChangeEvent& e) {
          absl::MutexLock lock(&mu);
          seen.emplace_back(absl::Now(), e);
          return true;
        },
        [&] { return stop.load(); })
        .IgnoreError();
  });
  auto count = [&] {
    absl::MutexLock lock(&mu);
    return seen.size();
  };
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (count() == 0 && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(5));
  ASSERT_EQ(count(), 1u);  // the first bookmark, just before the first read
  const absl::Time first_read = absl::Now();
  absl::SleepFor(absl::Milliseconds(200));
  Record("school", 2, "s2");
  Record("school", 3, "s3");
  absl::SleepFor(first_read + absl::Milliseconds(700) - absl::Now());
  EXPECT_EQ(count(), 1u) << "a change was read before the interval since the first read had passed";
  while (count() < 3 && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(5));
  stop = true;
  watcher.join();
  absl::MutexLock lock(&mu);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[1].second.record_written().record_id(), "s2");
  EXPECT_EQ(seen[2].second.record_written().record_id(), "s3");
  EXPECT_GE(seen[1].first - first_read, absl::Milliseconds(900));
}

TEST_F(ChangesApiTest, ATokenResumesAfterItsEventAndBookmarksComeWhileIdle) {
  Record("school", 1, "s1");
  Record("school", 2, "s2");
  v1::ListChangesRequest list;
  absl::StatusOr<v1::ListChangesResponse> all = api_.ListChanges(As("school", kRecordSystemRole), list);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->events_size(), 2);
  v1::WatchChangesRequest request;
  request.set_since_token(all->events(0).token());
  Start(As("school", kRecordSystemRole), request);
  std::vector<v1::ChangeEvent> changes = Changes(1);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].record_written().record_id(), "s2");
  EXPECT_EQ(changes[0].token(), all->events(1).token());
  absl::SleepFor(absl::Milliseconds(350));
  Stop();
  absl::MutexLock lock(&mu_);
  int bookmarks = 0;
  for (const v1::ChangeEvent& e : events_) bookmarks += e.has_bookmark() ? 1 : 0;
  EXPECT_GE(bookmarks, 3);  // the first, then one per 100 ms idle
  EXPECT_EQ(events_.back().token(), all->events(1).token());
}

TEST_F(ChangesApiTest, ARecordSystemSeesOnlyItsOwnAgency) {
  Start(As("gp", kRecordSystemRole), {});
  absl::SleepFor(absl::Milliseconds(50));
  Record("school", 1, "s1");
  Record("gp", 2, "g1");
  std::vector<v1::ChangeEvent> changes = Changes(1);
  absl::SleepFor(absl::Milliseconds(100));
  changes = Changes(1);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].record_written().agency(), "gp");
  v1::WatchChangesRequest other;
  other.set_agency("school");
  EXPECT_THAT(api_.Watch(As("gp", kRecordSystemRole), other, [](const v1::ChangeEvent&) { return true; },
                         [] { return true; }),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("own agency")));
}

TEST_F(ChangesApiTest, BadAndExpiredTokensAndTooManyWatchesAreRefused) {
  const Caller gp = As("gp", kRecordSystemRole);
  auto watch = [&](const std::string& token) {
    v1::WatchChangesRequest r;
    r.set_since_token(token);
    return api_.Watch(gp, r, [](const v1::ChangeEvent&) { return false; }, [] { return true; });
  };
  EXPECT_THAT(watch("not a token!"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("since_token")));
  EXPECT_THAT(watch(EncodeChangeToken(99)), StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("resync")));
  EXPECT_TRUE(watch(EncodeChangeToken(0)).ok());  // the client went at the first event
  Start(gp, {});
  absl::SleepFor(absl::Milliseconds(50));
  std::thread second([&] {
    EXPECT_THAT(api_.Watch(gp, {}, [](const v1::ChangeEvent&) { return true; },
                           [this] { return stop_.load(); }),
                StatusIs(absl::StatusCode::kCancelled, HasSubstr("cancelled")));
  });
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_THAT(watch(""), StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("max_watchers_per_agency")));
  // Another agency has slots of its own.
  EXPECT_TRUE(api_.Watch(As("school", kRecordSystemRole), {}, [](const v1::ChangeEvent&) { return false; },
                         [] { return true; })
                  .ok());
  Stop();
  second.join();
}

TEST_F(ChangesApiTest, ListChangesPagesThroughEveryChange) {
  for (int i = 1; i <= 5; ++i) Record("school", i, absl::StrCat("s", i));
  v1::ListChangesRequest request;
  request.set_page_size(2);
  request.add_kinds(v1::RECORD_WRITTEN);
  std::vector<std::string> ids;
  for (int pages = 0; pages < 10; ++pages) {
    absl::StatusOr<v1::ListChangesResponse> page = api_.ListChanges(::ethrec::testing::Officer(), request);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const v1::ChangeEvent& e : page->events()) ids.push_back(e.record_written().record_id());
    if (page->next_page_token().empty()) {
      EXPECT_FALSE(page->watch_token().empty());
      break;
    }
    request.set_page_token(page->next_page_token());
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"s1", "s2", "s3", "s4", "s5"}));
  request.set_page_token("AQ");
  EXPECT_THAT(api_.ListChanges(::ethrec::testing::Officer(), request),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
}

// A snapshot read's watch_token is taken before the read: a watch from it
// delivers every change made after the snapshot, and (on a store where
// nothing commits between the two) nothing the snapshot already showed.
TEST_F(ChangesApiTest, WatchingFromASnapshotsTokenDeliversTheChangesAfterTheSnapshot) {
  Record("school", 1, "s1");
  v1::GetChildRequest get;
  get.mutable_child()->set_nhs_number(Nhs(1));
  absl::StatusOr<v1::GetChildResponse> child = records_.GetChild(::ethrec::testing::Officer(), get);
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_EQ(child->observations_size(), 1);
  ASSERT_FALSE(child->watch_token().empty());
  FindingsApi findings({.store = store_.get(), .taxonomy = &::ethrec::testing::BuiltinNormalizer().registry().taxonomy()});
  absl::StatusOr<v1::ListFindingsResponse> listed = findings.ListFindings(::ethrec::testing::Officer(), {});
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->findings_size(), 0);
  ASSERT_FALSE(listed->watch_token().empty());

  // After both snapshots: the GP records the child differently, which
  // raises a finding.
  v1::RecordObservationRequest request;
  *request.mutable_observation() = Input(Nhs(1), "g1", 2, "nhs-ethnic-category", "A", v1::PRACTITIONER);
  Caller gp = As("gp", kRecordSystemRole);
  gp.method = kRecord;
  ASSERT_TRUE(records_.RecordObservation(gp, request).ok());

  for (const std::string& token : {child->watch_token(), listed->watch_token()}) {
    SCOPED_TRACE(token == child->watch_token() ? "GetChild's token" : "ListFindings' token");
    {
      absl::MutexLock lock(&mu_);
      events_.clear();
    }
    stop_ = false;
    v1::WatchChangesRequest watch;
    watch.set_since_token(token);
    Start(As("ethrec-dq", kDataQualityRole), watch);
    std::vector<v1::ChangeEvent> changes = Changes(2);
    Stop();
    ASSERT_GE(changes.size(), 2u);  // the record, then the finding(s) it raised
    EXPECT_EQ(changes[0].record_written().record_id(), "g1");
    EXPECT_EQ(changes[1].finding_changed().action(), v1::FindingEvent::RAISED);
    EXPECT_EQ(changes[1].finding_changed().agency(), "gp");
    EXPECT_TRUE(status_.ok() || status_.code() == absl::StatusCode::kCancelled) << status_;
  }
}

}  // namespace
}  // namespace ethrec::service
