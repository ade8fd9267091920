// The change feed end to end: the real ethrecd with a SQLite database,
// called through real gRPC clients. 10,000 writes from 4 concurrent
// writers: a watcher started before them and one resumed mid-way both see
// every committed write exactly once, in commit order (each writer's
// acknowledged writes in the order it made them), and a record system only
// its own agency's; a SIGKILL of the server mid-stream, then a resume from
// the last token, sees every acknowledged write; a token past retention
// answers OUT_OF_RANGE. The logic is tested in process in
// changes_service_test.cc. Synthetic data only.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "ethrec/v1/changes_service.grpc.pb.h"
#include "ethrec/v1/records_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "mapping/observation.h"
#include "tests/service/server_process.h"

namespace ethrec {
namespace {

std::string TempDb(const std::string& name) {
  std::string path = ::testing::TempDir() + "/ethrec-changes-" + name + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  return path;
}

void As(grpc::ClientContext* context, const std::string& agency, const std::string& role, int seconds) {
  context->AddMetadata("x-ethrec-agency", agency);
  context->AddMetadata("x-ethrec-role", role);
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
}

// The position a token names (the test knows the format; clients must not).
int64_t PositionOf(const std::string& token) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw) || raw.size() != 9) return -1;
  int64_t p = 0;
  for (int i = 1; i < 9; ++i) p = (p << 8) | static_cast<unsigned char>(raw[i]);
  return p;
}

v1::RecordObservationRequest Obs(int child, const std::string& record_id) {
  v1::RecordObservationRequest request;
  v1::ObservationInput* o = request.mutable_observation();
  o->mutable_child()->set_nhs_number(SyntheticNhsNumber(child));
  o->set_record_id(record_id);
  o->set_record_version(1);
  o->set_system("dfe");
  o->set_code("WBRI");
  o->set_supplied_by(v1::SELF);
  o->mutable_recorded_at()->set_seconds(1764000000);
  return request;
}

// A record event's agency/record id.
std::string KeyOf(const v1::ChangeEvent& e) {
  return absl::StrCat(e.record_written().agency(), "/", e.record_written().record_id());
}

// A watch on a thread of its own, keeping every record event it receives.
class Watcher {
 public:
  Watcher(const std::string& address, const std::string& agency, const std::string& role, const std::string& since)
      : stub_(v1::ChangesService::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()))) {
    As(&context_, agency, role, 300);
    v1::WatchChangesRequest request;
    request.set_since_token(since);
    request.add_kinds(v1::RECORD_WRITTEN);
    thread_ = std::thread([this, request] {
      std::unique_ptr<grpc::ClientReader<v1::ChangeEvent>> reader = stub_->WatchChanges(&context_, request);
      v1::ChangeEvent e;
      while (reader->Read(&e)) {
        absl::MutexLock lock(&mu_);
        if (!started_) start_token_ = e.token();
        started_ = true;
        last_token_ = e.token();
        if (e.has_record_written()) events_.push_back(e);
      }
      reader->Finish();  // a wait that ends at done_ says what is missing
      absl::MutexLock lock(&mu_);
      done_ = true;
    });
  }
  ~Watcher() { Stop(); }
  void Stop() {
    context_.TryCancel();
    if (thread_.joinable()) thread_.join();
  }
  // Waits until `n` record events arrived, or the stream ended, or 120 s.
  bool WaitFor(size_t n) {
    absl::MutexLock lock(&mu_);
    auto ready = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return events_.size() >= n || done_; };
    mu_.AwaitWithTimeout(absl::Condition(&ready), absl::Seconds(120));
    return events_.size() >= n;
  }
  // Waits until the record event of `key` (agency/record id) arrived, or
  // the stream ended, or 120 s. One condition under the lock: a count read
  // apart from the check could already include the event awaited.
  bool WaitForKey(const std::string& key) {
    absl::MutexLock lock(&mu_);
    auto arrived = [this, &key]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      for (const v1::ChangeEvent& e : events_) {
        if (KeyOf(e) == key) return true;
      }
      return false;
    };
    auto ready = [this, &arrived]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return done_ || arrived(); };
    mu_.AwaitWithTimeout(absl::Condition(&ready), absl::Seconds(120));
    return arrived();
  }
  bool WaitStarted() {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&started_), absl::Seconds(20));
    return started_;
  }
  std::vector<v1::ChangeEvent> events() {
    absl::MutexLock lock(&mu_);
    return events_;
  }
  std::string last_token() {
    absl::MutexLock lock(&mu_);
    return last_token_;
  }

 private:
  std::unique_ptr<v1::ChangesService::Stub> stub_;
  grpc::ClientContext context_;
  absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  std::string start_token_ ABSL_GUARDED_BY(mu_);
  std::string last_token_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::ChangeEvent> events_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

// Writes `count` records as `agency` (record ids "r0"...), one call each,
// keeping the ids acknowledged in order; stops at the first failure.
void WriteRecords(const std::string& address, const std::string& agency, int first_child, int count,
                  std::vector<std::string>* acknowledged, std::atomic<int>* progress) {
  auto stub = v1::RecordsService::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  for (int i = 0; i < count; ++i) {
    grpc::ClientContext context;
    As(&context, agency, "record-system", 30);
    v1::RecordObservationResponse response;
    const std::string id = absl::StrCat("r", i);
    if (!stub->RecordObservation(&context, Obs(first_child + i, id), &response).ok()) return;
    acknowledged->push_back(absl::StrCat(agency, "/", id));
    if (progress != nullptr) ++*progress;
  }
}

TEST(ChangesE2eTest, WatchersBeforeAndResumedMidwaySeeEveryWriteOnceInCommitOrder) {
  const std::string db = TempDb("order");
  testing::ServerProcess server({"--db=" + db});
  ASSERT_FALSE(server.address().empty());
  constexpr int kWriters = 4;
  constexpr int kEach = 2500;
  Watcher before(server.address(), "county-dq", "data-quality-officer", "");
  Watcher own(server.address(), "agency-1", "record-system", "");
  ASSERT_TRUE(before.WaitStarted());
  ASSERT_TRUE(own.WaitStarted());
  std::vector<std::vector<std::string>> acknowledged(kWriters);
  std::atomic<int> progress{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back(WriteRecords, server.address(), absl::StrCat("agency-", w), 100000 * (w + 1), kEach,
                         &acknowledged[w], &progress);
  }
  // Mid-way: a second watcher resumes from the token of what the first has seen.
  while (progress.load() < kWriters * kEach / 2) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const std::string resume = before.last_token();
  Watcher resumed(server.address(), "county-dq", "data-quality-officer", resume);
  for (std::thread& t : writers) t.join();
  size_t total = 0;
  for (const auto& a : acknowledged) total += a.size();
  ASSERT_EQ(total, static_cast<size_t>(kWriters * kEach));

  ASSERT_TRUE(before.WaitFor(total));
  const std::vector<v1::ChangeEvent> all = before.events();
  ASSERT_EQ(all.size(), total);
  std::map<std::string, size_t> index;  // the place of each write in the feed
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_TRUE(index.emplace(KeyOf(all[i]), i).second) << "twice: " << KeyOf(all[i]);
    if (i > 0) {
      EXPECT_LT(PositionOf(all[i - 1].token()), PositionOf(all[i].token()));
    }
  }
  // Commit order: each writer's writes, acknowledged one after another,
  // appear in the order it made them.
  for (const std::vector<std::string>& ids : acknowledged) {
    for (size_t i = 0; i < ids.size(); ++i) {
      ASSERT_TRUE(index.contains(ids[i])) << ids[i];
      if (i > 0) {
        EXPECT_LT(index[ids[i - 1]], index[ids[i]]) << ids[i];
      }
    }
  }
  // The resumed watcher sees exactly what came after its token.
  const int64_t from = PositionOf(resume);
  std::vector<std::string> expected;
  for (const v1::ChangeEvent& e : all) {
    if (PositionOf(e.token()) > from) expected.push_back(e.token());
  }
  ASSERT_TRUE(resumed.WaitFor(expected.size()));
  std::vector<std::string> got;
  for (const v1::ChangeEvent& e : resumed.events()) got.push_back(e.token());
  EXPECT_EQ(got, expected);
  // A record system sees its own agency's writes, all of them, and nothing else.
  ASSERT_TRUE(own.WaitFor(kEach));
  const std::vector<v1::ChangeEvent> mine = own.events();
  EXPECT_EQ(mine.size(), static_cast<size_t>(kEach));
  for (const v1::ChangeEvent& e : mine) EXPECT_EQ(e.record_written().agency(), "agency-1");
}

TEST(ChangesE2eTest, AfterASigkillMidStreamAResumeSeesEveryAcknowledgedWrite) {
  const std::string db = TempDb("kill");
  auto server = std::make_unique<testing::ServerProcess>(std::vector<std::string>{"--db=" + db});
  ASSERT_FALSE(server->address().empty());
  auto watcher = std::make_unique<Watcher>(server->address(), "county-dq", "data-quality-officer", "");
  ASSERT_TRUE(watcher->WaitStarted());
  std::vector<std::string> acknowledged;
  std::atomic<int> progress{0};
  std::thread writer(WriteRecords, server->address(), "agency-k", 300000, 3000, &acknowledged, &progress);
  while (progress.load() < 500) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  kill(server->pid(), SIGKILL);
  writer.join();  // ends at its first failed write
  watcher->Stop();
  std::set<std::string> seen;
  for (const v1::ChangeEvent& e : watcher->events()) seen.insert(e.token() + " " + KeyOf(e));
  const std::string resume = watcher->last_token();
  ASSERT_FALSE(resume.empty());
  server.reset();
  server = std::make_unique<testing::ServerProcess>(std::vector<std::string>{"--db=" + db});
  ASSERT_FALSE(server->address().empty());
  std::vector<std::string> more;
  WriteRecords(server->address(), "agency-m", 400000, 200, &more, nullptr);
  ASSERT_EQ(more.size(), 200u);
  Watcher resumed(server->address(), "county-dq", "data-quality-officer", resume);
  std::set<std::string> keys;
  for (const std::string& s : seen) keys.insert(s.substr(s.find(' ') + 1));
  // Until the last write arrives: the feed is in commit order, so every
  // earlier one has then arrived too. (A count would do only if no write
  // committed unacknowledged before the kill: such a write is among `keys`
  // but not `acknowledged`, and a count short by it ends the wait early.)
  ASSERT_TRUE(resumed.WaitForKey(more.back())) << "lost: " << more.back();
  for (const v1::ChangeEvent& e : resumed.events()) {
    // At least once: an event seen again is the same event, with the same token.
    const bool repeat = keys.contains(KeyOf(e));
    if (repeat) {
      EXPECT_TRUE(seen.contains(e.token() + " " + KeyOf(e))) << KeyOf(e);
    }
    keys.insert(KeyOf(e));
  }
  for (const std::string& id : acknowledged) EXPECT_TRUE(keys.contains(id)) << "lost: " << id;
  for (const std::string& id : more) EXPECT_TRUE(keys.contains(id)) << "lost: " << id;
}

TEST(ChangesE2eTest, ATokenPastRetentionIsOutOfRange) {
  testing::ServerProcess server({"--changes_retention=1s", "--changes_purge_interval=1s"});
  ASSERT_FALSE(server.address().empty());
  std::vector<std::string> ids;
  WriteRecords(server.address(), "agency-e", 500000, 2, &ids, nullptr);
  ASSERT_EQ(ids.size(), 2u);
  auto changes = v1::ChangesService::NewStub(grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
  v1::ListChangesResponse page;
  {
    grpc::ClientContext context;
    As(&context, "agency-e", "record-system", 30);
    ASSERT_TRUE(changes->ListChanges(&context, {}, &page).ok());
  }
  ASSERT_GE(page.events_size(), 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));  // past retention and a purge
  v1::WatchChangesRequest request;
  request.set_since_token(page.events(0).token());
  grpc::ClientContext context;
  As(&context, "agency-e", "record-system", 30);
  std::unique_ptr<grpc::ClientReader<v1::ChangeEvent>> reader = changes->WatchChanges(&context, request);
  v1::ChangeEvent e;
  while (reader->Read(&e)) {
  }
  const grpc::Status s = reader->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::OUT_OF_RANGE) << s.error_message();
  EXPECT_NE(s.error_message().find("resync"), std::string::npos) << s.error_message();
}

}  // namespace
}  // namespace ethrec
