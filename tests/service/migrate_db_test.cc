// MigrateSqliteToPostgres (service/migrate_db.h): an SQLite database with
// children (merged ones too), versions, findings under review and an audit
// trail, moved into an empty database on the throwaway PostgreSQL test
// server, reads back the same through PostgresStore.
#include "service/migrate_db.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/postgres_store.h"
#include "service/sqlite_store.h"
#include "service/store.h"
#include "tests/service/store_factories.h"
#include "tests/service/store_observations.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/store_access.h"

namespace ethrec {
namespace {

using ::ethrec::testing::Day;
using ::ethrec::testing::Nhs;
using ::ethrec::testing::Obs;
using ::ethrec::testing::Options;
using ::ethrec::testing::PostgresDbName;
using ::ethrec::testing::PostgresServer;
using ::ethrec::testing::RemoveDb;
using ::ethrec::testing::SharedPostgres;
using ::ethrec::testing::StatusIs;
using ::ethrec::testing::TestAccess;
using ::testing::HasSubstr;

class MigrateDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::ethrec::testing::TempDbPath("ethrec_migrate_");
    RemoveDb(path_);
    absl::StatusOr<PostgresServer*> server = SharedPostgres();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *server;
    ASSERT_TRUE(server_->CreateDatabase(PostgresDbName(path_ + "-pg")).ok());
    conninfo_ = server_->SocketConninfo(PostgresDbName(path_ + "-pg"));
  }
  void TearDown() override {
    RemoveDb(path_);
    EXPECT_TRUE(server_->DropDatabase(PostgresDbName(path_ + "-pg")).ok());
  }

  // Every finding (any status), by id.
  static std::vector<StoredFinding> Findings(Store& store) {
    FindingQuery q{.statuses = {FindingStatus::kOpen, FindingStatus::kAcknowledged, FindingStatus::kResolved,
                                FindingStatus::kCleared},
                   .limit = 1000};
    absl::StatusOr<FindingsPage> page = store.ListFindings(q, TestAccess());
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? page->findings : std::vector<StoredFinding>();
  }

  std::string path_;
  PostgresServer* server_ = nullptr;
  std::string conninfo_;
  absl::Time now_ = Day(100);
};

TEST_F(MigrateDbTest, KeepsChildrenHistoryFindingsReviewsAndTheAuditTrail) {
  const StoreOptions options = Options([this] { return now_; }, /*findings=*/true);
  std::vector<ChildRecord> children;
  std::vector<StoredFinding> findings;
  std::vector<AuditEvent> events;
  std::vector<ChangeEntry> changes;
  {
    absl::StatusOr<std::unique_ptr<Store>> sqlite = OpenSqliteStore({.path = path_, .store = options});
    ASSERT_TRUE(sqlite.ok()) << sqlite.status();
    Store& s = **sqlite;
    // Child 1: two agencies disagree, and a correction (version 2) keeps version 1 as history.
    ASSERT_TRUE(s.Write({Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A", SuppliedBy::kPractitioner, 1),
                         Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kPractitioner, 2),
                         Obs("school", "s1", 2, 1, "dfe", "BCRB", SuppliedBy::kPractitioner, 3)},
                        TestAccess())
                    .ok());
    // Child 2 known first only by a police id, then linked to child 3's NHS number: a merge.
    NormalizedObservation by_id = Obs("police", "p1", 1, 2, "dfe", "WBRI", SuppliedBy::kSelf, 1);
    by_id.observation.nhs_number.clear();
    by_id.observation.agency_child_id = "CUST-1";
    NormalizedObservation link = Obs("police", "p2", 1, 3, "dfe", "WBRI", SuppliedBy::kSelf, 2);
    link.observation.agency_child_id = "CUST-1";
    ASSERT_TRUE(s.Write({Obs("csc", "c1", 1, 3, "dfe", "WIRI", SuppliedBy::kSelf, 1)}, TestAccess()).ok());
    ASSERT_TRUE(s.Write({by_id}, TestAccess()).ok());
    ASSERT_TRUE(s.Write({link}, TestAccess()).ok());
    findings = Findings(s);
    ASSERT_FALSE(findings.empty());
    ASSERT_TRUE(s.ReviewFinding(findings[0].id, ReviewAction::kAcknowledge, "", TestAccess()).ok());
    findings = Findings(s);
    for (int child : {1, 3}) {
      absl::StatusOr<ChildRecord> c = s.GetChild(ChildKey::ForNhsNumber(Nhs(child)), TestAccess());
      ASSERT_TRUE(c.ok()) << c.status();
      children.push_back(*c);
    }
    absl::StatusOr<ChangePage> log = s.ReadChanges({.after = 0, .limit = 1000}, TestAccess());
    ASSERT_TRUE(log.ok()) << log.status();
    changes = log->entries;
    ASSERT_FALSE(changes.empty());
    absl::StatusOr<AuditPage> page = s.ListAuditEvents({.limit = 1000}, TestAccess());
    ASSERT_TRUE(page.ok()) << page.status();
    events = page->events;
    ASSERT_TRUE(s.Close().ok());
  }

  absl::StatusOr<std::vector<MigratedTable>> copied = MigrateSqliteToPostgres(path_, conninfo_);
  ASSERT_TRUE(copied.ok()) << copied.status();
  ASSERT_GE(copied->size(), 10u);
  EXPECT_EQ(copied->front().table, "children");
  EXPECT_EQ(copied->front().rows, 2);  // child 2 merged into child 3's

  absl::StatusOr<std::unique_ptr<Store>> pg =
      OpenPostgresStore({.conninfo = conninfo_, .pool_size = 2, .store = options});
  ASSERT_TRUE(pg.ok()) << pg.status();
  Store& p = **pg;
  // The audit trail first (the reads below add to it): the same events,
  // ids included, and the SQLite listing's own event after them.
  absl::StatusOr<AuditPage> page = p.ListAuditEvents({.limit = 1000}, TestAccess());
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->events.size(), events.size() + 1);
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(page->events[i], events[i]) << "event " << i;
  EXPECT_EQ(page->events.back().actor.method, ::ethrec::testing::kTestMethod);

  // The change log keeps its positions (a watcher's token still resumes).
  absl::StatusOr<ChangeLogState> state = p.GetChangeLogState();
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->latest, changes.back().position);
  absl::StatusOr<ChangePage> log = p.ReadChanges({.after = 0, .limit = 1000}, TestAccess());
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_EQ(log->entries.size(), changes.size());
  for (size_t i = 0; i < changes.size(); ++i) {
    EXPECT_EQ(log->entries[i].position, changes[i].position) << "entry " << i;
    EXPECT_EQ(log->entries[i].kind, changes[i].kind) << "entry " << i;
    EXPECT_EQ(log->entries[i].child_id, changes[i].child_id) << "entry " << i;
    EXPECT_EQ(log->entries[i].record_id, changes[i].record_id) << "entry " << i;
    EXPECT_EQ(log->entries[i].finding_id, changes[i].finding_id) << "entry " << i;
  }

  for (const ChildRecord& before : children) {
    absl::StatusOr<ChildRecord> after = p.GetChild(ChildKey::ForChildId(before.child_id), TestAccess());
    ASSERT_TRUE(after.ok()) << after.status();
    EXPECT_EQ(after->nhs_numbers, before.nhs_numbers);
    EXPECT_EQ(after->agency_child_ids, before.agency_child_ids);
    ASSERT_EQ(after->records.size(), before.records.size());
    for (size_t r = 0; r < before.records.size(); ++r) {
      ASSERT_EQ(after->records[r].versions.size(), before.records[r].versions.size());
      for (size_t v = 0; v < before.records[r].versions.size(); ++v) {
        EXPECT_EQ(after->records[r].versions[v].observation.record_version,
                  before.records[r].versions[v].observation.record_version);
        EXPECT_EQ(after->records[r].versions[v].received_at, before.records[r].versions[v].received_at);
        EXPECT_EQ(after->records[r].versions[v].normalized.code, before.records[r].versions[v].normalized.code);
      }
    }
  }
  const std::vector<StoredFinding> moved = Findings(p);
  ASSERT_EQ(moved.size(), findings.size());
  for (size_t i = 0; i < findings.size(); ++i) {
    EXPECT_EQ(moved[i].id, findings[i].id);
    EXPECT_EQ(moved[i].kind, findings[i].kind);
    EXPECT_EQ(moved[i].status, findings[i].status);
    EXPECT_EQ(moved[i].compared, findings[i].compared);
    ASSERT_EQ(moved[i].history.size(), findings[i].history.size());
    for (size_t h = 0; h < findings[i].history.size(); ++h) {
      EXPECT_EQ(moved[i].history[h].action, findings[i].history[h].action);
      EXPECT_EQ(moved[i].history[h].time, findings[i].history[h].time);
      EXPECT_EQ(moved[i].history[h].by_role, findings[i].history[h].by_role);
    }
  }
  EXPECT_EQ(moved[0].status, FindingStatus::kAcknowledged);

  // Writes go on after the copied ids.
  ASSERT_TRUE(p.Write({Obs("gp", "g9", 1, 9, "nhs-ethnic-category", "A", SuppliedBy::kSelf, 5)}, TestAccess()).ok());
  absl::StatusOr<ChildRecord> fresh = p.GetChild(ChildKey::ForNhsNumber(Nhs(9)), TestAccess());
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_GT(fresh->child_id, children[1].child_id);
  // ... and the change log after the copied positions (given just after the
  // commit by the sequencer).
  absl::StatusOr<int64_t> latest = p.WaitForChanges(changes.back().position, absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(latest.ok()) << latest.status();
  EXPECT_GT(*latest, changes.back().position);
  ASSERT_TRUE(p.Close().ok());

  // A second migration into the same, no longer empty, database is refused.
  EXPECT_THAT(MigrateSqliteToPostgres(path_, conninfo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("already holds children")));
}

TEST_F(MigrateDbTest, AMissingSqliteFileIsNotFoundAndCreatesNothing) {
  EXPECT_THAT(MigrateSqliteToPostgres(path_, conninfo_),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("--from: no SQLite database")));
  EXPECT_FALSE(std::ifstream(path_).good());
}

}  // namespace
}  // namespace ethrec
