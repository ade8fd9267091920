// The audit trail end to end: the real ethrecd with a temporary SQLite
// database, called through real gRPC clients. A record system asking for a
// child its agency holds nothing about gets NOT_FOUND and the auditor sees
// the attempt; under a bounded concurrent load every child read and write
// has its event; the start-up purge keeps the retention. The calls' logic is
// tested in process in audit_service_test.cc. Synthetic data only.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ethrec/v1/audit_service.grpc.pb.h"
#include "ethrec/v1/findings_service.grpc.pb.h"
#include "ethrec/v1/records_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapping/observation.h"
#include "service/sqlite_store.h"
#include "tests/service/grpc_test_util.h"
#include "tests/service/server_process.h"

namespace ethrec {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr char kGetChild[] = "/ethrec.v1.RecordsService/GetChild";
constexpr char kRecord[] = "/ethrec.v1.RecordsService/RecordObservation";
constexpr char kListFindings[] = "/ethrec.v1.FindingsService/ListFindings";

std::string TempDb(const std::string& name) {
  std::string path = ::testing::TempDir() + "/ethrec-audit-" + name + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  return path;
}

std::unique_ptr<grpc::ClientContext> As(const std::string& agency, const std::string& role) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("x-ethrec-agency", agency);
  context->AddMetadata("x-ethrec-role", role);
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return context;
}

v1::RecordObservationRequest Obs(const std::string& nhs, const std::string& record_id, const std::string& system,
                                 const std::string& code, v1::SuppliedBy by) {
  v1::RecordObservationRequest request;
  v1::ObservationInput* o = request.mutable_observation();
  o->mutable_child()->set_nhs_number(nhs);
  o->set_record_id(record_id);
  o->set_record_version(1);
  o->set_system(system);
  o->set_code(code);
  o->set_supplied_by(by);
  o->mutable_recorded_at()->set_seconds(1764000000);
  return request;
}

class AuditE2eTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> args) {
    server_ = std::make_unique<testing::ServerProcess>(std::move(args));
    ASSERT_FALSE(server_->address().empty());
    auto channel = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    records_ = v1::RecordsService::NewStub(channel);
    findings_ = v1::FindingsService::NewStub(channel);
    audit_ = v1::AuditService::NewStub(channel);
  }
  void SetUp() override { Start({}); }

  // Every event matching `request`, as the auditor, following page tokens.
  std::vector<v1::AuditEvent> Events(v1::ListAuditEventsRequest request) {
    std::vector<v1::AuditEvent> all;
    for (int pages = 0; pages < 1000; ++pages) {
      v1::ListAuditEventsResponse page;
      grpc::Status s = audit_->ListAuditEvents(As("county-ig", "auditor").get(), request, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      all.insert(all.end(), page.events().begin(), page.events().end());
      if (page.next_page_token().empty()) break;
      request.set_page_token(page.next_page_token());
    }
    return all;
  }
  std::vector<v1::AuditEvent> EventsOf(const std::string& method) {
    v1::ListAuditEventsRequest request;
    request.set_method(method);
    request.set_page_size(1000);
    return Events(request);
  }

  std::unique_ptr<testing::ServerProcess> server_;
  std::unique_ptr<v1::RecordsService::Stub> records_;
  std::unique_ptr<v1::FindingsService::Stub> findings_;
  std::unique_ptr<v1::AuditService::Stub> audit_;
};

TEST_F(AuditE2eTest, ACrossAgencyReadIsNotFoundAndTheAuditShowsTheAttempt) {
  const std::string nhs = SyntheticNhsNumber(7001);
  v1::RecordObservationResponse written;
  ASSERT_TRUE(records_->RecordObservation(As("camden-csc", "record-system").get(),
                                          Obs(nhs, "eth-1", "dfe", "BCRB", v1::SELF), &written)
                  .ok());
  v1::GetChildRequest get;
  get.mutable_child()->set_nhs_number(nhs);
  v1::GetChildResponse child;
  const grpc::Status refused = records_->GetChild(As("barnet-gp", "record-system").get(), get, &child);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::NOT_FOUND);
  // Only the auditor may read the trail.
  v1::ListAuditEventsResponse denied;
  EXPECT_EQ(audit_->ListAuditEvents(As("camden-csc", "data-quality-officer").get(), {}, &denied).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  const std::vector<v1::AuditEvent> reads = EventsOf(kGetChild);
  ASSERT_THAT(reads, SizeIs(1));
  const v1::AuditEvent& e = reads[0];
  EXPECT_EQ(e.agency(), "barnet-gp");
  EXPECT_EQ(e.role(), "record-system");
  EXPECT_EQ(e.identity(), "metadata");
  EXPECT_TRUE(absl::StartsWith(e.peer(), "ipv4:127.0.0.1:")) << e.peer();
  EXPECT_EQ(e.outcome(), "NOT_FOUND");
  ASSERT_THAT(e.child_ids(), SizeIs(1));
  const std::vector<v1::AuditEvent> writes = EventsOf(kRecord);
  ASSERT_THAT(writes, SizeIs(1));
  EXPECT_THAT(writes[0].child_ids(), ElementsAre(e.child_ids(0)));  // the same child, by its internal id
  v1::ListAuditEventsRequest about;
  about.set_child_id(e.child_ids(0));
  EXPECT_THAT(Events(about), SizeIs(2));
  // No event holds the NHS number, in any field.
  for (const v1::AuditEvent& any : Events({})) {
    EXPECT_FALSE(absl::StrContains(any.SerializeAsString(), nhs)) << any.DebugString();
    EXPECT_FALSE(absl::StrContains(any.DebugString(), nhs)) << any.DebugString();
  }
}

// Four clients at once, each a bounded mix of reads and writes (capped in
// count and time, loopback only): afterwards the trail holds exactly one
// event per call that reached the store, per method.
TEST_F(AuditE2eTest, UnderLoadEveryChildReadAndWriteHasItsEvent) {
  constexpr int kThreads = 4;
  constexpr int kCallsPerThread = 60;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::map<std::string, std::atomic<int>> made;
  for (const char* m : {kGetChild, kRecord, kListFindings}) made[m] = 0;
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string agency = absl::StrCat("agency-", t);
      for (int i = 0; i < kCallsPerThread && std::chrono::steady_clock::now() < deadline; ++i) {
        const std::string nhs = SyntheticNhsNumber(8000 + t * 100 + i / 3);
        grpc::Status s;
        const char* method = nullptr;
        switch (i % 3) {
          case 0: {
            v1::RecordObservationResponse r;
            method = kRecord;
            s = records_->RecordObservation(As(agency, "record-system").get(),
                                            Obs(nhs, absl::StrCat("r-", i), "dfe", "BCRB", v1::SELF), &r);
            break;
          }
          case 1: {
            v1::GetChildRequest q;
            q.mutable_child()->set_nhs_number(nhs);
            v1::GetChildResponse r;
            method = kGetChild;
            s = records_->GetChild(As(agency, "record-system").get(), q, &r);
            break;
          }
          default: {
            v1::ListFindingsResponse r;
            method = kListFindings;
            s = findings_->ListFindings(As(agency, "record-system").get(), {}, &r);
          }
        }
        made[method]++;
        if (!s.ok()) failed++;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  int total = 0;
  for (const auto& [method, calls] : made) {
    EXPECT_THAT(EventsOf(method), SizeIs(calls.load())) << method;
    total += calls.load();
  }
  EXPECT_GT(total, 0);
}

// Events older than --audit_retention_days are gone once the server starts.
TEST(AuditRetentionE2eTest, TheServerPurgesExpiredEventsAtStartUp) {
  const std::string path = TempDb("retention");
  {
    // Two events written by the store itself: one 3 days ago, one now.
    absl::Time now = absl::Now() - absl::Hours(72);
    absl::StatusOr<std::unique_ptr<Store>> store =
        OpenSqliteStore({.path = path, .store = {.clock = [&now] { return now; }}});
    ASSERT_TRUE(store.ok()) << store.status();
    const Access who{.actor = {.agency = "camden-csc", .role = "record-system", .method = kGetChild}};
    (*store)->GetChild(ChildKey::ForNhsNumber(SyntheticNhsNumber(1)), who).status().IgnoreError();
    now = absl::Now();
    (*store)->GetChild(ChildKey::ForNhsNumber(SyntheticNhsNumber(2)), who).status().IgnoreError();
    ASSERT_TRUE((*store)->Close().ok());
  }
  testing::ServerProcess server({"--db=" + path, "--audit_retention_days=2"});
  ASSERT_FALSE(server.address().empty());
  v1::ListAuditEventsResponse page;
  {
    auto audit =
        v1::AuditService::NewStub(grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
    ASSERT_TRUE(audit->ListAuditEvents(As("county-ig", "auditor").get(), {}, &page).ok());
  }
  ASSERT_THAT(page.events(), SizeIs(1));
  EXPECT_GT(page.events(0).time().seconds(), absl::ToUnixSeconds(absl::Now() - absl::Hours(1)));
  EXPECT_EQ(server.Stop(SIGTERM), 0);
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
}

TEST(AuditRetentionE2eTest, ARetentionBelowOneDayIsRefused) {
  testing::ServerProcess server({"--audit_retention_days=0"});
  EXPECT_TRUE(server.address().empty());
}

}  // namespace
}  // namespace ethrec
