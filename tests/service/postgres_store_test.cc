// What only the PostgreSQL store does (the Store contract is tested on
// every store in store_test.cc and the other *_store_test.cc files): its
// options, migrations when replicas start together, a database newer than
// the build refused, connections the server dropped replaced, plans that
// do not depend on statistics, and the change log of a findings backfill.
// Synthetic data only.
#include "service/postgres_store.h"

#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "mapping/observation.h"
#include "service/postgres/statement.h"
#include "tests/service/store_factories.h"
#include "tests/service/store_items.h"
#include "tests/service/store_observations.h"
#include "tests/testing/builtin_data.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/store_access.h"

namespace ethrec {
namespace {

using ::ethrec::testing::PostgresServer;
using ::ethrec::store_items::Item;
using ::ethrec::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<PostgresServer*> server = ::ethrec::testing::SharedPostgres();
    ASSERT_TRUE(server.ok()) << server.status();  // fails, never skips
    server_ = *server;
    path_ = ::ethrec::testing::TempDbPath("ethrec_pg_");
    db_ = ::ethrec::testing::PostgresDbName(path_);
    ASSERT_TRUE(server_->CreateDatabase(db_).ok());
  }
  void TearDown() override { EXPECT_TRUE(server_->DropDatabase(db_).ok()); }

  PostgresStoreOptions Options() const { return {.conninfo = server_->SocketConninfo(db_), .pool_size = 2}; }

  PostgresServer* server_ = nullptr;
  std::string path_;
  std::string db_;
};

TEST(PostgresUriTest, OnlyPostgresUrisNamePostgres) {
  EXPECT_TRUE(IsPostgresUri("postgresql://ethrec@db.example:5432/ethrec"));
  EXPECT_TRUE(IsPostgresUri("postgres://localhost/ethrec"));
  EXPECT_FALSE(IsPostgresUri("ethrec.db"));
  EXPECT_FALSE(IsPostgresUri("/var/lib/ethrec/postgresql.db"));
  EXPECT_FALSE(IsPostgresUri(""));
}

TEST_F(PostgresStoreTest, OptionsAreChecked) {
  EXPECT_THAT(OpenPostgresStore({.conninfo = ""}), StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  PostgresStoreOptions options = Options();
  options.pool_size = 0;
  EXPECT_THAT(OpenPostgresStore(options), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("pool_size")));
}

TEST_F(PostgresStoreTest, AServerNobodyListensOnIsUnavailable) {
  // Port 1 on loopback: nothing listens there.
  EXPECT_THAT(OpenPostgresStore({.conninfo = "postgresql://postgres@127.0.0.1:1/ethrec"}),
              StatusIs(absl::StatusCode::kUnavailable, ::testing::_));
}

TEST_F(PostgresStoreTest, AMissingDatabaseIsRefused) {
  PostgresStoreOptions options = Options();
  options.conninfo = server_->SocketConninfo("no_such_database");
  EXPECT_THAT(OpenPostgresStore(options), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("no_such_database")));
}

TEST_F(PostgresStoreTest, ReplicasStartingTogetherMigrateOnce) {
  constexpr int kReplicas = 6;
  std::vector<absl::StatusOr<std::unique_ptr<Store>>> stores(kReplicas);
  std::vector<std::thread> threads;
  for (int i = 0; i < kReplicas; ++i) {
    threads.emplace_back([&, i] { stores[i] = OpenPostgresStore(Options()); });
  }
  for (std::thread& t : threads) t.join();
  for (auto& store : stores) {
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_EQ((*store)->schema_version(), kStoreSchemaVersion);
  }
  ASSERT_TRUE(server_->Sql(absl::StrCat("DO $$ BEGIN IF (SELECT COUNT(*) FROM schema_migrations) <> ",
                                        kStoreSchemaVersion,
                                        " THEN RAISE EXCEPTION 'migrated more than once'; END IF; END $$"),
                           db_)
                  .ok());
}

TEST_F(PostgresStoreTest, ADatabaseNewerThanTheBuildIsRefused) {
  ASSERT_TRUE(OpenPostgresStore(Options()).ok());
  ASSERT_TRUE(server_->Sql("INSERT INTO schema_migrations VALUES (99, 'from the future', 0)", db_).ok());
  EXPECT_THAT(OpenPostgresStore(Options()),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("newer than this build")));
}

TEST_F(PostgresStoreTest, ConnectionsTheServerDroppedAreReplaced) {
  absl::StatusOr<std::unique_ptr<Store>> store = OpenPostgresStore(Options());
  ASSERT_TRUE(store.ok()) << store.status();
  const Access& access = ::ethrec::testing::TestAccess();
  const std::string nhs = SyntheticNhsNumber(7);
  ASSERT_TRUE((*store)->WriteOne(Item("camden-csc", "r1", 1, nhs, ""), access).ok());
  // Every connection of the store is ended by the server, as a restart would.
  ASSERT_TRUE(server_->Sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db_ +
                           "' AND pid <> pg_backend_pid()")
                  .ok());
  // The stale connections fail before the call does anything, and the
  // call goes on with a new one.
  EXPECT_TRUE((*store)->WriteOne(Item("camden-csc", "r1", 2, nhs, ""), access).ok());
  absl::StatusOr<ChildRecord> child = (*store)->GetChild(ChildKey::ForNhsNumber(nhs), access);
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_EQ(child->records.size(), 1u);
  EXPECT_EQ(child->records[0].versions.size(), 2u);
}

// The plans of `sql` (run after `setup`, both on one connection), joined.
std::string Plan(const std::string& conninfo, const std::string& setup, const std::string& sql) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  std::string plan;
  if (PQstatus(conn) == CONNECTION_OK) {
    PQclear(PQexec(conn, setup.c_str()));
    PGresult* r = PQexec(conn, sql.c_str());
    if (PQresultStatus(r) == PGRES_TUPLES_OK) {
      for (int i = 0; i < PQntuples(r); ++i) absl::StrAppend(&plan, PQgetvalue(r, i, 0), "\n");
    } else {
      plan = absl::StrCat("error: ", PQresultErrorMessage(r));
    }
    PQclear(r);
  } else {
    plan = absl::StrCat("error: ", PQerrorMessage(conn));
  }
  PQfinish(conn);
  return plan;
}

// A record's key lookups (the store's own and the foreign-key checks of its
// versions) go by the primary key even when the statistics were taken while
// only another agency's records were there, as after a first agency's bulk
// load: then this agency looks rare, and with an index that leads with
// agency alone the planner read every row of the agency per lookup.
TEST_F(PostgresStoreTest, RecordKeyLookupsUseThePrimaryKeyWhateverTheStatistics) {
  absl::StatusOr<std::unique_ptr<Store>> store = OpenPostgresStore(Options());
  ASSERT_TRUE(store.ok()) << store.status();
  const Access& access = ::ethrec::testing::TestAccess();
  std::vector<NormalizedObservation> school;
  for (int i = 0; i < 1000; ++i) {
    school.push_back(Item("school", absl::StrCat("s", i), 1, SyntheticNhsNumber(100 + i), ""));
  }
  ASSERT_TRUE((*store)->Write(school, {}, access).ok());
  ASSERT_TRUE(server_->Sql("ANALYZE", db_).ok());
  std::vector<NormalizedObservation> gp;
  for (int i = 0; i < 1000; ++i) gp.push_back(Item("gp", absl::StrCat("g", i), 1, SyntheticNhsNumber(100 + i), ""));
  ASSERT_TRUE((*store)->Write(gp, {}, access).ok());
  const std::string conninfo = server_->SocketConninfo(db_);
  const std::string lookup = "SELECT child_id, current_version FROM records WHERE agency = $1 AND record_id = $2";
  for (const char* mode : {"force_custom_plan", "force_generic_plan"}) {
    const std::string plan =
        Plan(conninfo, absl::StrCat("SET plan_cache_mode = ", mode, "; PREPARE lookup (text, text) AS ", lookup),
             "EXPLAIN EXECUTE lookup ('gp', 'g7')");
    EXPECT_THAT(plan, HasSubstr("records_pkey")) << mode;
  }
}

// Writes made with findings off are reconciled at the next Open with them
// on (Backfill, outside any call): the findings it raises reach the change
// log as a call's do (a call's entries are inserted when its body ends;
// the backfill inserts its own).
TEST_F(PostgresStoreTest, ABackfillLogsTheFindingsItRaises) {
  {
    absl::StatusOr<std::unique_ptr<Store>> store = OpenPostgresStore(Options());  // findings off
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)
                    ->Write({::ethrec::testing::Obs("school", "s1", 1, 1, "dfe", "BCRB", SuppliedBy::kSelf, 1),
                             ::ethrec::testing::Obs("gp", "g1", 1, 1, "nhs-ethnic-category", "A",
                                                    SuppliedBy::kPractitioner, 2)},
                            ::ethrec::testing::TestAccess())
                    .ok());
    ASSERT_TRUE((*store)->Close().ok());
  }
  PostgresStoreOptions options = Options();
  options.store.findings_normalizer = &::ethrec::testing::BuiltinNormalizer();
  absl::StatusOr<std::unique_ptr<Store>> store = OpenPostgresStore(options);
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<FindingsPage> findings = (*store)->ListFindings({}, ::ethrec::testing::TestAccess());
  ASSERT_TRUE(findings.ok()) << findings.status();
  ASSERT_FALSE(findings->findings.empty());
  // Positions come from the sequencer thread, just after the commit.
  std::vector<int64_t> logged;
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (logged.size() < findings->findings.size() && absl::Now() < deadline) {
    ASSERT_TRUE((*store)->WaitForChanges(0, absl::Now() + absl::Milliseconds(200)).ok());
    absl::StatusOr<ChangePage> page = (*store)->ReadChanges({.limit = 100}, ::ethrec::testing::TestAccess());
    ASSERT_TRUE(page.ok()) << page.status();
    logged.clear();
    for (const ChangeEntry& e : page->entries) {
      if (e.kind == ChangeKind::kFindingChanged && e.action == FindingAction::kRaised) logged.push_back(e.finding_id);
    }
  }
  std::vector<int64_t> raised;
  for (const StoredFinding& f : findings->findings) raised.push_back(f.id);
  std::sort(logged.begin(), logged.end());
  std::sort(raised.begin(), raised.end());
  EXPECT_EQ(logged, raised);
  ASSERT_TRUE((*store)->Close().ok());
}

// A connection keeps the plan it made of a prepared statement. The agency
// parts of a write's children (completeness) must be read through an index
// even when that plan was made on the empty tables of a fresh database and
// the tables have grown since (checked: `child_id = ANY($1)` scanned every
// record here).
TEST_F(PostgresStoreTest, AgencyPartsAreProbedByIndexWhateverTheTablesHeldWhenPrepared) {
  absl::StatusOr<std::unique_ptr<Store>> store = OpenPostgresStore(Options());
  ASSERT_TRUE(store.ok()) << store.status();
  const std::string& sql = postgres_internal::StatementSql()[postgres_internal::kAgenciesOfChildren];
  const std::string plan = Plan(
      server_->SocketConninfo(db_),
      absl::StrCat("SET plan_cache_mode = force_generic_plan; PREPARE parts (bigint[]) AS ", sql,
                   "; EXECUTE parts ('{1}');"
                   " INSERT INTO children (child_id, created_at_us) SELECT g, 0 FROM generate_series(1, 20000) g;"
                   " INSERT INTO records (agency, record_id, child_id, current_version)"
                   " SELECT 'gp', 'r' || g, g, 1 FROM generate_series(1, 20000) g;"),
      "EXPLAIN EXECUTE parts ('{5, 6}')");
  EXPECT_THAT(plan, HasSubstr("Index")) << plan;
  EXPECT_THAT(plan, Not(HasSubstr("Seq Scan on records"))) << plan;
  ASSERT_TRUE((*store)->Close().ok());
}

}  // namespace
}  // namespace ethrec
