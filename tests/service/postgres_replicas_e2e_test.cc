// Integration tests of several ethrecd replicas on one PostgreSQL database:
// the real binary, a throwaway PostgreSQL server of the test's own
// (tests/testing/postgres_server.h, fsync on), real gRPC clients. Three
// replicas with concurrent writers on overlapping children; a replica
// killed with SIGKILL mid-load; the database restarted mid-load.
// Synthetic data only.
#include <grpcpp/grpcpp.h>
#include <libpq-fe.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ethrec/v1/records_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "mapping/normalizer.h"
#include "mapping/observation.h"
#include "service/postgres_store.h"
#include "tests/service/grpc_test_util.h"
#include "tests/service/server_process.h"
#include "tests/testing/postgres_server.h"

namespace ethrec {
namespace {

using testing::PostgresServer;
using testing::ServerProcess;

constexpr int kChildren = 12;
const char* const kAgencies[] = {"agency-a", "agency-b", "agency-c"};
const char* const kCodes[] = {"WBRI", "WIRI", "ABAN", "WROM", "MWBC"};

// Rows of one query, each row's fields joined by '|', sorted.
std::vector<std::string> Rows(const PostgresServer& server, const std::string& db, const std::string& sql) {
  PGconn* c = PQconnectdb(server.SocketConninfo(db).c_str());
  std::vector<std::string> out;
  if (PQstatus(c) == CONNECTION_OK) {
    PGresult* r = PQexec(c, sql.c_str());
    EXPECT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << sql << ": " << PQresultErrorMessage(r);
    for (int i = 0; i < PQntuples(r); ++i) {
      std::vector<std::string> fields;
      for (int j = 0; j < PQnfields(r); ++j) fields.push_back(PQgetvalue(r, i, j));
      out.push_back(absl::StrJoin(fields, "|"));
    }
    PQclear(r);
  } else {
    ADD_FAILURE() << PQerrorMessage(c);
  }
  PQfinish(c);
  std::sort(out.begin(), out.end());
  return out;
}

// A write and whether the server acknowledged it.
struct Sent {
  std::string agency;
  std::string record_id;
  int version;
  grpc::StatusCode code;
};

class PostgresReplicasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<PostgresServer>> server = PostgresServer::Start(/*fsync=*/true);
    ASSERT_TRUE(server.ok()) << server.status();  // fails, never skips
    server_ = *std::move(server);
    ASSERT_TRUE(server_->CreateDatabase("ethrec").ok());
  }

  void StartReplicas(int n) {
    for (int i = 0; i < n; ++i) {
      replicas_.push_back(std::make_unique<ServerProcess>(
          std::vector<std::string>{"--db=" + server_->Uri("ethrec"), "--db_pool_size=4"}));
      ASSERT_FALSE(replicas_.back()->address().empty()) << "replica " << i << " did not start";
      stubs_.push_back(v1::RecordsService::NewStub(
          grpc::CreateChannel(replicas_.back()->address(), grpc::InsecureChannelCredentials())));
    }
  }

  // Writer `t`'s write `i`: about one of kChildren children, by NHS number,
  // by an agency's own id, or by both (which links them, merging children
  // that were apart), with codes that agree or disagree across agencies.
  // Each writer has its own records, each write a new version of one.
  Sent Write(int t, int i, int replica) {
    const int child = (t * 7 + i * 5) % kChildren;
    const std::string agency = kAgencies[(t + i) % 3];
    v1::RecordObservationRequest request;
    v1::ObservationInput& o = *request.mutable_observation();
    if (i % 5 != 0) o.mutable_child()->set_nhs_number(SyntheticNhsNumber(1000 + child));
    if (i % 5 <= 1) o.mutable_child()->set_agency_child_id(absl::StrCat("ac-", child));
    o.set_record_id(absl::StrCat("w", t, "-c", child));
    o.set_record_version(i + 1);
    o.set_system("dfe");
    o.set_code(kCodes[(t + child + i / 7) % 5]);
    o.set_supplied_by(i % 3 == 0 ? v1::PARENT_OR_CARER : v1::SELF);
    o.mutable_recorded_at()->set_seconds(1764000000 + i);
    v1::RecordObservationResponse response;
    auto context = testing::CallerContext(agency);
    const grpc::Status status = stubs_[replica]->RecordObservation(context.get(), request, &response);
    return {agency, o.record_id(), i + 1, status.error_code()};
  }

  // Runs `writers` threads of `per_writer` writes each over the replicas
  // (round robin), calling `during(i)` from the first thread before its
  // write i (to kill or restart something mid-load).
  std::vector<Sent> Load(int writers, int per_writer, const std::function<void(int)>& during = nullptr) {
    std::vector<Sent> sent;
    std::mutex mu;
    std::vector<std::thread> threads;
    for (int t = 0; t < writers; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < per_writer; ++i) {
          if (t == 0 && during) during(i);
          Sent s = Write(t, i, (t + i) % static_cast<int>(stubs_.size()));
          std::lock_guard<std::mutex> lock(mu);
          sent.push_back(std::move(s));
        }
      });
    }
    for (std::thread& th : threads) th.join();
    return sent;
  }

  // Every acknowledged write is stored.
  void ExpectAcknowledgedStored(const std::vector<Sent>& sent) {
    const std::vector<std::string> stored =
        Rows(*server_, "ethrec", "SELECT agency, record_id, record_version FROM observations");
    const std::set<std::string> keys(stored.begin(), stored.end());
    int acknowledged = 0;
    for (const Sent& s : sent) {
      if (s.code != grpc::StatusCode::OK) continue;
      ++acknowledged;
      EXPECT_TRUE(keys.count(absl::StrCat(s.agency, "|", s.record_id, "|", s.version)))
          << "acknowledged write lost: " << s.record_id << " v" << s.version;
    }
    EXPECT_GT(acknowledged, 0);
  }

  // Every child's findings are what a recomputation from scratch gives: a
  // copy of the database with its findings deleted, opened with findings
  // on (which recomputes every child), holds the same ones; and the counts
  // the summary reads equal the findings there are.
  void ExpectFindingsAsRecomputed() {
    for (auto& replica : replicas_) replica->Stop(SIGTERM);  // a template database must be idle
    ASSERT_TRUE(server_->Sql("CREATE DATABASE recomputed TEMPLATE ethrec").ok());
    ASSERT_TRUE(server_->Sql("DELETE FROM findings; DELETE FROM finding_counts;"
                             " UPDATE store_state SET value = '1' WHERE name = 'findings_stale'",
                             "recomputed")
                    .ok());
    absl::StatusOr<std::unique_ptr<Normalizer>> normalizer = Normalizer::Create(LoadOptions{});
    ASSERT_TRUE(normalizer.ok()) << normalizer.status();
    {
      absl::StatusOr<std::unique_ptr<Store>> store = OpenPostgresStore(
          {.conninfo = server_->SocketConninfo("recomputed"), .store = {.findings_normalizer = normalizer->get()}});
      ASSERT_TRUE(store.ok()) << store.status();
      ASSERT_TRUE((*store)->Close().ok());
    }
    const std::string findings =
        "SELECT child_id, kind, agency, other_agency, severity, compared, record_set, reference_set, facts,"
        " suggested_code FROM findings WHERE status <> 'CLEARED'";
    const std::vector<std::string> live = Rows(*server_, "ethrec", findings);
    EXPECT_FALSE(live.empty()) << "the load raised no findings: the check would prove nothing";
    EXPECT_EQ(live, Rows(*server_, "recomputed", findings));
    for (const char* db : {"ethrec", "recomputed"}) {
      EXPECT_EQ(Rows(*server_, db,
                     "SELECT agency, other_agency, kind, status, SUM(n) FROM finding_counts"
                     " GROUP BY agency, other_agency, kind, status HAVING SUM(n) <> 0"),
                Rows(*server_, db,
                     "SELECT agency, other_agency, kind, status, COUNT(*) FROM findings"
                     " GROUP BY agency, other_agency, kind, status"))
          << db;
    }
    // Completeness, kept per agency by each write, is what the records say.
    EXPECT_EQ(Rows(*server_, "ethrec",
                   "SELECT agency, children, self_defined FROM agency_completeness WHERE children <> 0 ORDER BY agency"),
              Rows(*server_, "ethrec",
                   "SELECT agency, COUNT(*), SUM(self_defined) FROM (SELECT agency, child_id,"
                   " MAX(self_defined) AS self_defined FROM records GROUP BY agency, child_id) AS per_child"
                   " GROUP BY agency ORDER BY agency"));
  }

  std::unique_ptr<PostgresServer> server_;
  std::vector<std::unique_ptr<ServerProcess>> replicas_;
  std::vector<std::unique_ptr<v1::RecordsService::Stub>> stubs_;
};

TEST_F(PostgresReplicasTest, ConcurrentWritersOnOverlappingChildrenThroughThreeReplicas) {
  StartReplicas(3);
  const std::vector<Sent> sent = Load(/*writers=*/6, /*per_writer=*/40);
  for (const Sent& s : sent) EXPECT_EQ(s.code, grpc::StatusCode::OK) << s.record_id << " v" << s.version;
  ExpectAcknowledgedStored(sent);
  // Merges happened: children named by an agency id alone were linked later.
  EXPECT_LE(Rows(*server_, "ethrec", "SELECT child_id FROM children").size(), static_cast<size_t>(kChildren));
  ExpectFindingsAsRecomputed();
}

TEST_F(PostgresReplicasTest, SigkillOfAReplicaMidLoadLosesNoAcknowledgedWrite) {
  StartReplicas(3);
  const std::vector<Sent> sent = Load(/*writers=*/6, /*per_writer=*/40, [this](int i) {
    if (i == 15) replicas_[1]->Stop(SIGKILL);
  });
  int failed = 0;
  for (const Sent& s : sent) failed += s.code != grpc::StatusCode::OK;
  EXPECT_GT(failed, 0) << "the killed replica answered every call";
  ExpectAcknowledgedStored(sent);
  replicas_.erase(replicas_.begin() + 1);
  ExpectFindingsAsRecomputed();
}

TEST_F(PostgresReplicasTest, DatabaseRestartMidLoadAnswersUnavailableThenRecovers) {
  StartReplicas(2);
  std::atomic<bool> down{false};
  std::vector<Sent> sent = Load(/*writers=*/4, /*per_writer=*/60, [&](int i) {
    if (i == 15) {
      ASSERT_TRUE(server_->Down(/*fast=*/false).ok());  // immediate: as a crash
      down = true;
    }
    if (i == 30) {
      ASSERT_TRUE(server_->Up().ok());
      down = false;
    }
  });
  std::set<grpc::StatusCode> failures;
  for (const Sent& s : sent) {
    if (s.code != grpc::StatusCode::OK) failures.insert(s.code);
  }
  EXPECT_EQ(failures, std::set<grpc::StatusCode>{grpc::StatusCode::UNAVAILABLE});
  // After the restart every replica serves again.
  for (int replica = 0; replica < 2; ++replica) {
    Sent after = Write(9, 100 + replica, replica);
    EXPECT_EQ(after.code, grpc::StatusCode::OK) << "replica " << replica;
    sent.push_back(after);
  }
  ExpectAcknowledgedStored(sent);
  ExpectFindingsAsRecomputed();
}

}  // namespace
}  // namespace ethrec
