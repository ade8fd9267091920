// The audit contract of the Store (service/store.h "Audit"), run against
// every implementation: each call that touches a child's data appends
// exactly one event with who, when, what and the outcome; refused and
// failed calls are audited and store nothing else; the trail is listed,
// filtered and paged, and purged only after its retention. What only the
// SQLite store promises (a read fails when its event cannot be written; no
// UPDATE or DELETE of an event; the version-3 file migrates) is at the end.
#include <sqlite3.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
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
using ::ethrec::testing::Nhs;
using ::ethrec::testing::Obs;
using ::ethrec::testing::Options;
using ::ethrec::testing::ReviewerAccess;
using ::ethrec::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr char kRecord[] = "/ethrec.v1.RecordsService/RecordObservation";
constexpr char kGetChild[] = "/ethrec.v1.RecordsService/GetChild";
constexpr char kListFindings[] = "/ethrec.v1.FindingsService/ListFindings";
constexpr char kList[] = "/ethrec.v1.AuditService/ListAuditEvents";

Access Auditor() {
  return Access{.actor = {.agency = "county-ig",
                          .role = "auditor",
                          .identity = "spiffe://ethrec/agency/county-ig/role/auditor",
                          .peer = "ipv6:[::1]:41000",
                          .method = kList},
                .all_agencies = false};
}

Access Officer(const std::string& method) {
  Access a = ReviewerAccess("county-dq");
  a.actor.method = method;
  return a;
}

template <typename Factory>
class AuditStoreTest : public ::testing::Test {
 public:  // for Disagreement below
  void SetUp() override {
    path_ = ::ethrec::testing::TempDbPath("ethrec_audit_");
    ::ethrec::testing::RemoveDb(path_);
    StoreOptions options = Options([this] { return Now(); }, /*findings=*/true);
    options.audit_retention = absl::Hours(24 * 30);
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

  // Writes as a record system of the observations' agency.
  void Write(const std::vector<NormalizedObservation>& batch) {
    ASSERT_TRUE(store_->Write(batch, AgencyAccess(batch.front().observation.agency, kRecord)).ok());
  }
  int64_t ChildId(int child) {
    absl::StatusOr<ChildRecord> c = store_->GetChild(ChildKey::ForNhsNumber(Nhs(child)), Officer(kGetChild));
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? c->child_id : 0;
  }
  // Every event matching `query`, in one listing (itself one more event).
  std::vector<AuditEvent> Events(AuditQuery query = {}) {
    query.limit = 1000;
    absl::StatusOr<AuditPage> page = store_->ListAuditEvents(query, Auditor());
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) return {};
    EXPECT_FALSE(page->more);
    return std::move(page->events);
  }
  // The events after the first `skip`, without the listings' own.
  std::vector<AuditEvent> EventsSince(size_t skip) {
    std::vector<AuditEvent> out;
    std::vector<AuditEvent> all = Events();
    for (size_t i = skip; i < all.size(); ++i) {
      if (all[i].actor.method != kList) out.push_back(all[i]);
    }
    return out;
  }

  absl::Mutex mu_;
  absl::Time now_ = Day(10);
  std::string path_;
  std::unique_ptr<Store> store_;
};

TYPED_TEST_SUITE(AuditStoreTest, ::ethrec::testing::StoreImplementations, ::ethrec::testing::StoreFactoryNames);

// A school says who the child is, a GP records otherwise: a finding.
template <typename T>
int64_t Disagreement(T* test) {
  test->Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 1)});
  test->Write({Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 2)});
  absl::StatusOr<FindingsPage> gp = test->store_->ListFindings({.agency = "gp"}, AgencyAccess("gp", kListFindings));
  EXPECT_TRUE(gp.ok() && !gp->findings.empty());
  return gp.ok() && !gp->findings.empty() ? gp->findings.front().id : 0;
}

TYPED_TEST(AuditStoreTest, EveryCallAppendsExactlyOneEventSayingWhoWhenWhatAndHow) {
  this->Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 1)});
  this->SetNow(Day(11));
  this->Write({Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 2)});
  Store& s = *this->store_;
  const Access gp = AgencyAccess("gp", kGetChild);
  absl::StatusOr<ChildRecord> child = s.GetChild(ChildKey::ForNhsNumber(Nhs(1)), gp);
  ASSERT_TRUE(child.ok()) << child.status();
  const int64_t c = child->child_id;
  absl::StatusOr<FindingsPage> findings = s.ListFindings({.agency = "gp"}, AgencyAccess("gp", kListFindings));
  ASSERT_TRUE(findings.ok()) << findings.status();
  std::vector<int64_t> gp_findings;
  for (const StoredFinding& f : findings->findings) gp_findings.push_back(f.id);
  ASSERT_FALSE(gp_findings.empty());
  const int64_t f = gp_findings.front();
  ASSERT_TRUE(s.GetFinding(f, gp).ok());
  ASSERT_TRUE(s.SummarizeFindings("gp", gp).ok());
  ASSERT_TRUE(s.ReviewFinding(f, ReviewAction::kAcknowledge, "seen", Officer("/review")).ok());
  ASSERT_TRUE(s.ListChildrenWithFindings({}, Officer("/children")).ok());

  const std::vector<AuditEvent> events = this->Events();
  ASSERT_THAT(events, SizeIs(8));
  for (size_t i = 1; i < events.size(); ++i) EXPECT_GT(events[i].id, events[i - 1].id);
  EXPECT_EQ(events[0].time, Day(10));
  for (size_t i = 1; i < events.size(); ++i) EXPECT_EQ(events[i].time, Day(11)) << i;
  for (const AuditEvent& e : events) {
    EXPECT_EQ(e.outcome, "OK") << e.actor.method;
    EXPECT_FALSE(e.validate_only);
  }
  EXPECT_EQ(events[0].actor, AgencyAccess("school", kRecord).actor);
  EXPECT_THAT(events[0].child_ids, ElementsAre(c));
  EXPECT_THAT(events[1].child_ids, ElementsAre(c));
  EXPECT_EQ(events[2].actor, gp.actor);
  EXPECT_THAT(events[2].child_ids, ElementsAre(c));
  EXPECT_THAT(events[2].finding_ids, IsEmpty());
  EXPECT_EQ(events[3].actor.method, kListFindings);
  EXPECT_EQ(events[3].finding_ids, gp_findings);
  EXPECT_THAT(events[3].child_ids, ElementsAre(c));
  EXPECT_THAT(events[4].finding_ids, ElementsAre(f));
  EXPECT_THAT(events[4].child_ids, ElementsAre(c));
  EXPECT_THAT(events[5].finding_ids, IsEmpty());  // a summary touches no one finding
  EXPECT_THAT(events[5].child_ids, IsEmpty());
  EXPECT_EQ(events[6].actor, Officer("/review").actor);
  EXPECT_THAT(events[6].finding_ids, ElementsAre(f));
  EXPECT_THAT(events[7].child_ids, ElementsAre(c));

  // The listing is audited too, after its page: it never lists itself.
  const std::vector<AuditEvent> again = this->Events();
  ASSERT_THAT(again, SizeIs(9));
  EXPECT_EQ(again[8].actor, Auditor().actor);
  EXPECT_EQ(again[8].outcome, "OK");
  EXPECT_THAT(again[8].child_ids, IsEmpty());
}

TYPED_TEST(AuditStoreTest, AChildOfAnotherAgencyIsNotFoundAndTheAttemptIsAuditedWithTheChild) {
  this->Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 1)});
  const int64_t c = this->ChildId(1);
  const size_t before = this->Events().size();
  Store& s = *this->store_;
  const Access police = AgencyAccess("police", kGetChild);
  const absl::Status refused = s.GetChild(ChildKey::ForNhsNumber(Nhs(1)), police).status();
  const absl::Status unknown = s.GetChild(ChildKey::ForNhsNumber(Nhs(2)), police).status();
  // The same answer: whether the child exists is not the caller's business.
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kNotFound, std::string(unknown.message())));
  EXPECT_THAT(unknown, StatusIs(absl::StatusCode::kNotFound, HasSubstr("no child has that NHS number")));
  EXPECT_THAT(s.GetChild(ChildKey::ForChildId(c), police).status(), StatusIs(absl::StatusCode::kNotFound, ::testing::_));
  EXPECT_THAT(s.GetChild(ChildKey::ForNhsNumber("123"), police).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));

  const std::vector<AuditEvent> events = this->EventsSince(before);
  ASSERT_THAT(events, SizeIs(4));
  EXPECT_EQ(events[0].actor, police.actor);
  EXPECT_THAT(events[0].child_ids, ElementsAre(c));
  EXPECT_EQ(events[0].outcome, "NOT_FOUND");
  EXPECT_THAT(events[1].child_ids, IsEmpty());  // names no child: nothing to name
  EXPECT_EQ(events[1].outcome, "NOT_FOUND");
  EXPECT_THAT(events[2].child_ids, ElementsAre(c));
  EXPECT_EQ(events[2].outcome, "NOT_FOUND");
  EXPECT_EQ(events[3].outcome, "INVALID_ARGUMENT");
  // The auditor finds the attempt by the child.
  std::vector<AuditEvent> about = this->Events({.agency = "police", .child_id = c});
  ASSERT_THAT(about, SizeIs(2));
  EXPECT_EQ(about[0].id, events[0].id);
}

TYPED_TEST(AuditStoreTest, AnotherAgencysFindingsAreRefusedAndTheAttemptsAudited) {
  const int64_t f = Disagreement(this);
  const int64_t c = this->ChildId(1);
  const size_t before = this->Events().size();
  Store& s = *this->store_;
  const Access police = AgencyAccess("police", "/x");
  EXPECT_THAT(s.GetFinding(f, police).status(),
              StatusIs(absl::StatusCode::kNotFound, absl::StrCat("no finding has id ", f)));
  EXPECT_THAT(s.ReviewFinding(f, ReviewAction::kAcknowledge, "", police).status(),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
  EXPECT_THAT(s.ListFindings({.agency = "gp"}, police).status(), StatusIs(absl::StatusCode::kPermissionDenied, ::testing::_));
  EXPECT_THAT(s.SummarizeFindings("", police).status(), StatusIs(absl::StatusCode::kPermissionDenied, ::testing::_));
  EXPECT_THAT(s.ListChildrenWithFindings({}, police).status(), StatusIs(absl::StatusCode::kPermissionDenied, ::testing::_));
  EXPECT_THAT(s.GetFinding(f + 1000, police).status(), StatusIs(absl::StatusCode::kNotFound, ::testing::_));

  const std::vector<AuditEvent> events = this->EventsSince(before);
  ASSERT_THAT(events, SizeIs(6));
  for (int i : {0, 1}) {
    EXPECT_THAT(events[i].finding_ids, ElementsAre(f)) << i;
    EXPECT_THAT(events[i].child_ids, ElementsAre(c)) << i;
    EXPECT_EQ(events[i].outcome, "NOT_FOUND") << i;
  }
  for (int i : {2, 3, 4}) EXPECT_EQ(events[i].outcome, "PERMISSION_DENIED") << i;
  EXPECT_THAT(events[5].finding_ids, IsEmpty());
  EXPECT_EQ(events[5].outcome, "NOT_FOUND");
  // Refused reviews changed nothing.
  EXPECT_EQ(s.GetFinding(f, Officer("/x"))->status, FindingStatus::kOpen);
}

TYPED_TEST(AuditStoreTest, AFailedWriteIsAuditedAndStoresNothingElse) {
  this->Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 1)});
  const size_t before = this->Events().size();
  Store& s = *this->store_;
  const Access school = AgencyAccess("school", kRecord);
  // A conflict: the same version with other content, in a batch with a new child.
  EXPECT_THAT(s.Write({Obs("school", "s2", 1, 2, "dfe", "WBRI", SuppliedBy::kSelf, 1),
                       Obs("school", "s1", 1, 1, "dfe", "WBRI", SuppliedBy::kSelf, 1)},
                      school)
                  .status(),
              StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::_));
  NormalizedObservation bad = Obs("school", "s3", 1, 3, "dfe", "BCRB", SuppliedBy::kSelf, 1);
  bad.observation.record_version = 0;
  EXPECT_THAT(s.Write({bad}, school).status(), StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));

  const std::vector<AuditEvent> events = this->EventsSince(before);
  ASSERT_THAT(events, SizeIs(2));
  EXPECT_EQ(events[0].outcome, "FAILED_PRECONDITION");
  EXPECT_EQ(events[1].outcome, "INVALID_ARGUMENT");
  for (const AuditEvent& e : events) {
    EXPECT_THAT(e.child_ids, IsEmpty()) << "nothing was stored";
    EXPECT_EQ(e.actor, school.actor);
  }
  EXPECT_THAT(s.GetChild(ChildKey::ForNhsNumber(Nhs(2)), Officer("/x")).status(),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
  absl::StatusOr<ChildRecord> one = s.GetChild(ChildKey::ForNhsNumber(Nhs(1)), Officer("/x"));
  ASSERT_TRUE(one.ok());
  ASSERT_THAT(one->records, SizeIs(1));
  EXPECT_EQ(one->records[0].current().observation.code, "BCRB");
}

TYPED_TEST(AuditStoreTest, AValidateOnlyWriteIsAuditedAndStoresNothing) {
  this->Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 1)});
  const int64_t c = this->ChildId(1);
  const size_t before = this->Events().size();
  Store& s = *this->store_;
  const Access gp = AgencyAccess("gp", kRecord);
  const WriteOptions check{.validate_only = true, .feedback = true};
  ASSERT_TRUE(s.Write({Obs("gp", "g2", 1, 2, "nhs-ethnic-category", "A", SuppliedBy::kSelf, 2)}, check, gp).ok());
  ASSERT_TRUE(s.Write({Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kSelf, 2)}, check, gp).ok());

  const std::vector<AuditEvent> events = this->EventsSince(before);
  ASSERT_THAT(events, SizeIs(2));
  for (const AuditEvent& e : events) {
    EXPECT_TRUE(e.validate_only);
    EXPECT_EQ(e.outcome, "OK");
  }
  EXPECT_THAT(events[0].child_ids, IsEmpty()) << "a child the write would have created never existed";
  EXPECT_THAT(events[1].child_ids, ElementsAre(c)) << "its answer told the GP about an existing child";
  EXPECT_THAT(s.GetChild(ChildKey::ForNhsNumber(Nhs(2)), Officer("/x")).status(),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
  EXPECT_THAT(s.GetChild(ChildKey::ForNhsNumber(Nhs(1)), Officer("/x"))->records, SizeIs(1));
}

TYPED_TEST(AuditStoreTest, AWriteNamesTheChildrenAsTheyAreAfterAMerge) {
  this->Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 1)});
  this->Write({Obs("school", "s2", 1, 2, "dfe", "BCRB", SuppliedBy::kSelf, 1)});
  const int64_t c1 = this->ChildId(1);
  const size_t before = this->Events().size();
  // Version 2 of record s1 names child 2's NHS number: the children merge.
  this->Write({Obs("school", "s1", 2, 2, "dfe", "BCRB", SuppliedBy::kSelf, 2)});
  const std::vector<AuditEvent> events = this->EventsSince(before);
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_THAT(events[0].child_ids, ElementsAre(c1));
  EXPECT_EQ(this->ChildId(2), c1);
}

TYPED_TEST(AuditStoreTest, TheTrailIsFilteredByAgencyChildMethodAndTimeAndPaged) {
  Disagreement(this);  // day 10: school writes, gp writes, gp lists findings
  const int64_t c1 = this->ChildId(1);
  this->SetNow(Day(12));
  this->Write({Obs("school", "s2", 1, 2, "dfe", "BCRB", SuppliedBy::kSelf, 1)});
  const int64_t c2 = this->ChildId(2);
  auto methods = [](const std::vector<AuditEvent>& events) {
    std::vector<std::string> out;
    for (const AuditEvent& e : events) out.push_back(absl::StrCat(e.actor.agency, " ", e.actor.method));
    return out;
  };
  EXPECT_THAT(methods(this->Events({.agency = "gp"})),
              ElementsAre(absl::StrCat("gp ", kRecord), absl::StrCat("gp ", kListFindings)));
  EXPECT_THAT(methods(this->Events({.child_id = c2})),
              ElementsAre(absl::StrCat("school ", kRecord), absl::StrCat("county-dq ", kGetChild)));
  EXPECT_THAT(this->Events({.child_id = c1, .method = kRecord}), SizeIs(2));
  EXPECT_THAT(methods(this->Events({.method = kGetChild, .start_time = Day(11), .end_time = Day(13)})),
              ElementsAre(absl::StrCat("county-dq ", kGetChild)));
  EXPECT_THAT(this->Events({.start_time = Day(9), .end_time = Day(10)}), IsEmpty());
  EXPECT_THAT(this->Events({.child_id = 999}), IsEmpty());
  // Pages follow ids; a page says when more follow.
  absl::StatusOr<AuditPage> first = this->store_->ListAuditEvents({.agency = "school", .limit = 1}, Auditor());
  ASSERT_TRUE(first.ok());
  ASSERT_THAT(first->events, SizeIs(1));
  EXPECT_TRUE(first->more);
  absl::StatusOr<AuditPage> rest =
      this->store_->ListAuditEvents({.agency = "school", .after_id = first->events[0].id, .limit = 10}, Auditor());
  ASSERT_TRUE(rest.ok());
  EXPECT_THAT(rest->events, SizeIs(1));
  EXPECT_FALSE(rest->more);
  EXPECT_THAT(this->store_->ListAuditEvents({.limit = 0}, Auditor()).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page size")));
  EXPECT_THAT(this->store_->ListAuditEvents({.start_time = Day(2), .end_time = Day(2)}, Auditor()).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("end_time")));
}

TYPED_TEST(AuditStoreTest, OnlyEventsOlderThanTheRetentionArePurged) {
  // Retention 30 days (SetUp).
  this->SetNow(Day(1));
  this->Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 1)});
  this->Write({Obs("school", "s2", 1, 2, "dfe", "BCRB", SuppliedBy::kSelf, 1)});
  this->SetNow(Day(2));
  this->Write({Obs("school", "s3", 1, 3, "dfe", "BCRB", SuppliedBy::kSelf, 1)});
  this->SetNow(Day(20));
  this->Write({Obs("school", "s4", 1, 4, "dfe", "BCRB", SuppliedBy::kSelf, 1)});
  Store& s = *this->store_;
  EXPECT_THAT(s.PurgeExpiredAuditEvents(kAuditPurgeBatch), ::ethrec::testing::IsOkAndHolds(0));
  this->SetNow(Day(32));  // cutoff: day 2
  EXPECT_THAT(s.PurgeExpiredAuditEvents(1), ::ethrec::testing::IsOkAndHolds(2));
  this->SetNow(Day(50));  // cutoff: day 20
  EXPECT_THAT(s.PurgeExpiredAuditEvents(1), ::ethrec::testing::IsOkAndHolds(1));
  std::vector<AuditEvent> left = this->Events({.method = kRecord});
  ASSERT_THAT(left, SizeIs(1));
  EXPECT_EQ(left[0].time, Day(20));
  EXPECT_THAT(s.PurgeExpiredAuditEvents(0), StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
}

TYPED_TEST(AuditStoreTest, NoEventHoldsAnNhsNumberOrAnAgencysOwnIdForAChild) {
  NormalizedObservation with_id = Obs("school", "s0", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 1);
  with_id.observation.agency_child_id = "PUPIL-7731";
  this->Write({with_id});
  Disagreement(this);
  Store& s = *this->store_;
  s.GetChild(ChildKey::ForNhsNumber(Nhs(1)), AgencyAccess("police")).status().IgnoreError();
  s.GetChild(ChildKey::ForNhsNumber(Nhs(5)), AgencyAccess("police")).status().IgnoreError();
  s.GetChild(ChildKey::ForAgencyChildId("school", "PUPIL-7731"), AgencyAccess("school")).status().IgnoreError();
  s.Write({Obs("school", "s1", 1, 1, "dfe", "WBRI", SuppliedBy::kSelf, 1)}, AgencyAccess("school"))
      .status()
      .IgnoreError();
  const std::vector<AuditEvent> events = this->Events();
  ASSERT_GE(events.size(), 8u);
  for (const AuditEvent& e : events) {
    const std::string text = absl::StrCat(e.actor.agency, e.actor.role, e.actor.identity, e.actor.peer,
                                          e.actor.method, e.outcome);
    for (int n = 1; n <= 5; ++n) EXPECT_FALSE(absl::StrContains(text, Nhs(n))) << text;
    EXPECT_FALSE(absl::StrContains(text, "PUPIL")) << text;
  }
}

// Calls from many threads at once (the SQLite store commits them in groups):
// every call answered, and exactly one event each.
TYPED_TEST(AuditStoreTest, ConcurrentCallsEachHaveTheirOwnEvent) {
  constexpr int kThreads = 8;
  constexpr int kCalls = 40;
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string agency = absl::StrCat("agency-", t);
      for (int i = 0; i < kCalls; ++i) {
        const int child = 100 + t * kCalls + i / 2;
        absl::Status s =
            i % 2 == 0
                ? this->store_->Write({Obs(agency, absl::StrCat("r", i), 1, child, "dfe", "BCRB", SuppliedBy::kSelf, 1)},
                                      AgencyAccess(agency, kRecord))
                      .status()
                : this->store_->GetChild(ChildKey::ForNhsNumber(Nhs(child)), AgencyAccess(agency, kGetChild)).status();
        if (!s.ok()) failed++;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_THAT(this->Events({.method = kRecord}), SizeIs(kThreads * kCalls / 2));
  const std::vector<AuditEvent> reads = this->Events({.method = kGetChild});
  ASSERT_THAT(reads, SizeIs(kThreads * kCalls / 2));
  for (const AuditEvent& e : reads) {
    EXPECT_EQ(e.outcome, "OK");
    EXPECT_THAT(e.child_ids, SizeIs(1));
  }
}

// --- What only the SQLite store promises ---------------------------------------

class SqliteAuditTest : public AuditStoreTest<::ethrec::testing::SqliteStoreFactory> {
 protected:
  // Runs `sql` on a second connection to the store's file; the error, if any.
  std::string Exec(const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    char* error = nullptr;
    sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    std::string out = error == nullptr ? "" : error;
    sqlite3_free(error);
    sqlite3_close(db);
    return out;
  }
};

TEST_F(SqliteAuditTest, WhenTheEventCannotBeWrittenTheReadFailsAndTheWriteStoresNothing) {
  Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 1)});
  ASSERT_EQ(Exec("CREATE TRIGGER no_room BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'no room'); END"),
            "");
  Store& s = *store_;
  const Access school = AgencyAccess("school", kRecord);
  EXPECT_THAT(s.GetChild(ChildKey::ForNhsNumber(Nhs(1)), school).status(),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("no room")));
  EXPECT_THAT(s.GetChild(ChildKey::ForNhsNumber(Nhs(9)), school).status(),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("no room")));
  EXPECT_THAT(s.Write({Obs("school", "s2", 1, 2, "dfe", "BCRB", SuppliedBy::kSelf, 1),
                       Obs("school", "s1", 2, 1, "dfe", "WBRI", SuppliedBy::kSelf, 2)},
                      school)
                  .status(),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("no room")));
  EXPECT_THAT(s.ListFindings({.agency = "school"}, school).status(), StatusIs(absl::StatusCode::kInternal, ::testing::_));
  ASSERT_EQ(Exec("DROP TRIGGER no_room"), "");
  EXPECT_THAT(s.GetChild(ChildKey::ForNhsNumber(Nhs(2)), school).status(), StatusIs(absl::StatusCode::kNotFound, ::testing::_));
  absl::StatusOr<ChildRecord> one = s.GetChild(ChildKey::ForNhsNumber(Nhs(1)), school);
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_THAT(one->records[0].versions, SizeIs(1));
  // Only the calls whose events were written are in the trail.
  EXPECT_THAT(Events(), SizeIs(3));
}

TEST_F(SqliteAuditTest, NoStatementChangesOrDeletesAnEventButTheRetentionPurge) {
  Write({Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 1)});
  EXPECT_THAT(Exec("UPDATE audit_events SET outcome = 'NOT_FOUND'"), HasSubstr("append-only"));
  EXPECT_THAT(Exec("DELETE FROM audit_events"), HasSubstr("append-only"));
  EXPECT_THAT(Exec("UPDATE audit_event_children SET child_id = 99"), HasSubstr("append-only"));
  EXPECT_THAT(Exec("DELETE FROM audit_event_children"), HasSubstr("append-only"));
  std::vector<AuditEvent> events = Events();
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(events[0].outcome, "OK");
  EXPECT_THAT(events[0].child_ids, SizeIs(1));
  SetNow(Day(100));
  EXPECT_THAT(store_->PurgeExpiredAuditEvents(kAuditPurgeBatch), ::ethrec::testing::IsOkAndHolds(2));
  EXPECT_THAT(Events(), IsEmpty());
  // The purge's cutoff is gone with its transaction: the new listing's event is kept.
  EXPECT_THAT(Exec("DELETE FROM audit_events"), HasSubstr("append-only"));
  EXPECT_THAT(Events(), SizeIs(1));
}

// A file written by the released version-3 schema (tests/testdata/
// schema_v3.sql) migrates to version 4: its children and findings read as
// before, and from now on every access to them is audited.
TEST(SqliteAuditMigrationTest, AVersionThreeFileMigratesKeepingItsDataAndGainsTheAuditTrail) {
  const std::string path = ::ethrec::testing::TempDbPath("ethrec_audit_v3_");
  ::ethrec::testing::RemoveDb(path);
  ASSERT_NO_FATAL_FAILURE(::ethrec::testing::LoadFixture(path, "schema_v3.sql"));
  absl::StatusOr<std::unique_ptr<Store>> store =
      OpenSqliteStore({.path = path, .store = Options([] { return Day(400); }, true)});
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->schema_version(), kStoreSchemaVersion);
  absl::StatusOr<ChildRecord> child = (*store)->GetChild(ChildKey::ForNhsNumber("9990002010"), Officer(kGetChild));
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_THAT(child->records, SizeIs(2));
  EXPECT_THAT(child->agency_child_ids, ElementsAre(AgencyChildId{"school", "PUPIL-1"}));
  ASSERT_THAT(child->findings, SizeIs(2));
  EXPECT_EQ(child->findings[0].status, FindingStatus::kAcknowledged);
  EXPECT_EQ(child->findings[1].kind, FindingKind::kSelfIdMismatch);
  absl::StatusOr<AuditPage> trail = (*store)->ListAuditEvents({}, Auditor());
  ASSERT_TRUE(trail.ok()) << trail.status();
  ASSERT_THAT(trail->events, SizeIs(1));
  EXPECT_THAT(trail->events[0].child_ids, ElementsAre(child->child_id));
  EXPECT_EQ(trail->events[0].time, Day(400));
  ASSERT_TRUE((*store)->Close().ok());
  ::ethrec::testing::RemoveDb(path);
}

}  // namespace
}  // namespace ethrec
