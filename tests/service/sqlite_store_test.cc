// What only the SQLite store promises: durability across crashes and
// reopening, the schema and its migrations, WAL, and the names it stores.
#include "service/store.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <memory>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapping/status_field.h"
#include "service/memory_store.h"
#include "service/sqlite_store.h"
#include "tests/service/store_factories.h"
#include "tests/service/store_items.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/store_access.h"

namespace ethrec {
namespace {

using ::ethrec::testing::TestAccess;
using ::ethrec::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

using ::ethrec::store_items::ExpectSameNormalized;
using ::ethrec::store_items::ExpectSameObservation;
using ::ethrec::store_items::Item;
using ::ethrec::store_items::kNow;
using ::ethrec::store_items::kRecorded;
using ::ethrec::store_items::NhsA;
using ::ethrec::store_items::NhsB;
using ::ethrec::store_items::NhsC;
using ::ethrec::store_items::RecordIds;
using ::ethrec::store_items::Versions;

using ::ethrec::testing::RemoveDb;

std::string TempDbPath() { return ::ethrec::testing::TempDbPath("ethrec_sqlite_store_"); }

// --- SqliteStore only ----------------------------------------------------------

// A second, raw connection to the same file, to look at what was stored.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawDb() { sqlite3_close(db_); }
  sqlite3* get() { return db_; }

  // The first column of the first row of `sql` as text ("" if none).
  std::string One(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db_);
    std::string out;
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return out;
  }
  void Exec(const std::string& sql) {
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db_);
  }

 private:
  sqlite3* db_ = nullptr;
};

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = TempDbPath();
    RemoveDb(path_);
  }
  void TearDown() override { RemoveDb(path_); }

  std::unique_ptr<Store> OpenOk() {
    absl::StatusOr<std::unique_ptr<Store>> store = OpenSqliteStore({.path = path_});
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }

  std::string path_;
};

TEST_F(SqliteStoreTest, ReopenedFileKeepsEveryWrite) {
  {
    std::unique_ptr<Store> store = OpenOk();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store
                    ->Write({Item("school-b", "R-1", 1, NhsA(), "PUPIL-1"),
                             Item("school-b", "R-1", 2, NhsA(), "PUPIL-1")}, TestAccess())
                    .ok());
    ASSERT_TRUE(store->Close().ok());
  }
  std::unique_ptr<Store> store = OpenOk();
  ASSERT_NE(store, nullptr);
  absl::StatusOr<ChildRecord> child =
      store->GetChild(ChildKey::ForAgencyChildId("school-b", "PUPIL-1"), TestAccess());
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_EQ(child->records.size(), 1u);
  EXPECT_THAT(Versions(child->records[0]), ElementsAre(2, 1));
  EXPECT_EQ(store->WriteOne(Item("school-b", "R-1", 1, NhsA(), "PUPIL-1"), TestAccess())
                .value_or(WriteOutcome::kInserted),
            WriteOutcome::kDuplicate);
}

TEST_F(SqliteStoreTest, DestructorWithoutCloseKeepsData) {
  {
    std::unique_ptr<Store> store = OpenOk();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->WriteOne(Item("school-b", "R-1", 1, NhsA(), ""), TestAccess()).ok());
  }
  std::unique_ptr<Store> store = OpenOk();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->GetChild(ChildKey::ForNhsNumber(NhsA()), TestAccess()).ok());
}

TEST_F(SqliteStoreTest, SchemaVersionIsRecorded) {
  std::unique_ptr<Store> store = OpenOk();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->schema_version(), kStoreSchemaVersion);
  RawDb raw(path_);
  EXPECT_EQ(raw.One("SELECT MAX(version) FROM schema_migrations"),
            absl::StrCat(kStoreSchemaVersion));
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM schema_migrations"), absl::StrCat(kStoreSchemaVersion));
  EXPECT_NE(raw.One("SELECT description FROM schema_migrations WHERE version = 1"), "");
  // Reopening runs no migration twice.
  ASSERT_TRUE(store->Close().ok());
  store = OpenOk();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM schema_migrations"), absl::StrCat(kStoreSchemaVersion));
}

TEST_F(SqliteStoreTest, FutureSchemaVersionIsRefused) {
  ASSERT_NE(OpenOk(), nullptr);
  {
    RawDb raw(path_);
    raw.Exec(
        absl::StrCat("INSERT INTO schema_migrations (version, description, applied_at_us) "
                     "VALUES (",
                     kStoreSchemaVersion + 1, ", 'from the future', 0)"));
  }
  absl::StatusOr<std::unique_ptr<Store>> store = OpenSqliteStore({.path = path_});
  EXPECT_THAT(store,
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr(absl::StrCat("database schema version ", kStoreSchemaVersion + 1,
                                              " is newer than this build knows"))));
}

TEST_F(SqliteStoreTest, JournalModeIsWal) {
  std::unique_ptr<Store> store = OpenOk();
  ASSERT_NE(store, nullptr);
  RawDb raw(path_);
  EXPECT_EQ(raw.One("PRAGMA journal_mode"), "wal");
}

TEST_F(SqliteStoreTest, ValuesAreStoredByTheirNames) {
  std::unique_ptr<Store> store = OpenOk();
  ASSERT_NE(store, nullptr);
  NormalizedObservation item = Item("school-b", "R-1", 1, NhsA(), "");
  item.observation.supplied_by = SuppliedBy::kParentOrCarer;
  item.normalized.categories = {{Category::kWhiteRoma, 0.6}, {Category::kWhiteOther, 0.4}};
  item.normalized.category_set =
      CategorySet::Of(Category::kWhiteRoma).Union(CategorySet::Of(Category::kWhiteOther));
  ASSERT_TRUE(store->WriteOne(item, TestAccess()).ok());
  RawDb raw(path_);
  EXPECT_EQ(raw.One("SELECT norm_categories FROM observations"), "WHITE_ROMA|WHITE_OTHER");
  EXPECT_EQ(raw.One("SELECT norm_confidences FROM observations"), "0.6|0.4");
  EXPECT_EQ(raw.One("SELECT norm_category_set FROM observations"), "WHITE_ROMA|WHITE_OTHER");
  EXPECT_EQ(raw.One("SELECT supplied_by FROM observations"), "PARENT_OR_CARER");
  EXPECT_EQ(raw.One("SELECT norm_outcome FROM observations"), "CATEGORIES");
  EXPECT_EQ(raw.One("SELECT norm_relationship FROM observations"),
            "source-is-narrower-than-target");
  EXPECT_EQ(raw.One("SELECT recorded_at_us FROM observations"),
            absl::StrCat(absl::ToUnixMicros(kRecorded)));
}

TEST_F(SqliteStoreTest, FailedBatchLeavesNoRowsAnywhere) {
  std::unique_ptr<Store> store = OpenOk();
  ASSERT_NE(store, nullptr);
  NormalizedObservation original = Item("school-b", "R-1", 1, NhsA(), "");
  ASSERT_TRUE(store->WriteOne(original, TestAccess()).ok());
  NormalizedObservation changed = original;
  changed.observation.supplied_by = SuppliedBy::kPractitioner;
  // New children, links and a merge before the conflict: all rolled back.
  EXPECT_THAT(store->Write({Item("police-c", "P-1", 1, NhsB(), "CUST-1"),
                            Item("police-c", "P-2", 1, NhsA(), "CUST-1"), changed}, TestAccess()),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("(supplied_by)")));
  RawDb raw(path_);
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM children"), "1");
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM child_nhs_numbers"), "1");
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM child_agency_ids"), "0");
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM records"), "1");
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM observations"), "1");
  // And the store is still usable.
  EXPECT_TRUE(store->WriteOne(Item("police-c", "P-1", 1, NhsB(), "CUST-1"), TestAccess()).ok());
}

TEST_F(SqliteStoreTest, LockedDatabaseIsUnavailable) {
  absl::StatusOr<std::unique_ptr<Store>> store =
      OpenSqliteStore({.path = path_, .busy_timeout = absl::Milliseconds(50)});
  ASSERT_TRUE(store.ok()) << store.status();
  RawDb raw(path_);
  raw.Exec("BEGIN IMMEDIATE");
  EXPECT_THAT((*store)->WriteOne(Item("school-b", "R-1", 1, NhsA(), ""), TestAccess()),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("locked")));
  raw.Exec("ROLLBACK");
  EXPECT_TRUE((*store)->WriteOne(Item("school-b", "R-1", 1, NhsA(), ""), TestAccess()).ok());
}

TEST_F(SqliteStoreTest, BadPathsAreRefused) {
  EXPECT_THAT(OpenSqliteStore({.path = ""}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("path is required")));
  EXPECT_THAT(OpenSqliteStore({.path = absl::StrCat(::testing::TempDir(), "no/such/dir/x.db")}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("no/such/dir")));
}

TEST_F(SqliteStoreTest, NotADatabaseIsDataLoss) {
  {
    std::ofstream f(path_);
    f << "this is not an SQLite database, just some synthetic text padded out to a page. "
      << std::string(4096, 'x');
  }
  ASSERT_EQ(chmod(path_.c_str(), 0600), 0);
  EXPECT_THAT(OpenSqliteStore({.path = path_}),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("not a database")));
}

TEST_F(SqliteStoreTest, TheFileIsTheOwnersAloneAndAnyoneElsesIsRefused) {
  {
    std::unique_ptr<Store> store = OpenOk();
    ASSERT_TRUE(store->WriteOne(Item("school", "r1", 1, NhsA(), ""), TestAccess()).ok());
    for (const std::string& file : {path_, path_ + "-wal"}) {
      struct stat st {};
      ASSERT_EQ(stat(file.c_str(), &st), 0) << file;
      EXPECT_EQ(st.st_mode & 0777, 0600u) << file;
    }
    ASSERT_TRUE(store->Close().ok());
  }
  ASSERT_EQ(chmod(path_.c_str(), 0644), 0);
  EXPECT_THAT(OpenSqliteStore({.path = path_}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("readable or writable by anyone (mode 0644)")));
  // Nothing was changed: made private again, it opens with its data.
  ASSERT_EQ(chmod(path_.c_str(), 0600), 0);
  std::unique_ptr<Store> store = OpenOk();
  EXPECT_TRUE(store->GetChild(ChildKey::ForNhsNumber(NhsA()), TestAccess()).ok());
}

TEST_F(SqliteStoreTest, KilledWriterLosesNoAcknowledgedBatch) {
  constexpr int kBatchSize = 20;
  int acks[2];
  ASSERT_EQ(pipe(acks), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The writer: batch after batch until killed, acknowledging each OK.
    close(acks[0]);
    absl::StatusOr<std::unique_ptr<Store>> store = OpenSqliteStore({.path = path_});
    if (!store.ok()) _exit(1);
    for (int b = 0;; ++b) {
      std::vector<NormalizedObservation> batch;
      for (int i = 0; i < kBatchSize; ++i) {
        batch.push_back(Item("school-b", absl::StrCat("B", b, "-", i), 1, NhsA(), ""));
      }
      if (!(*store)->Write(batch, TestAccess()).ok()) _exit(2);
      if (write(acks[1], &b, sizeof(b)) != sizeof(b)) _exit(3);
    }
  }
  close(acks[1]);
  int last_ack = -1;
  for (int b; last_ack < 30 && read(acks[0], &b, sizeof(b)) == sizeof(b);) last_ack = b;
  kill(pid, SIGKILL);
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  close(acks[0]);
  ASSERT_TRUE(WIFSIGNALED(wstatus)) << "writer exited early with " << WEXITSTATUS(wstatus);
  ASSERT_GE(last_ack, 30);

  std::unique_ptr<Store> store = OpenOk();
  ASSERT_NE(store, nullptr);
  absl::StatusOr<ChildRecord> child = store->GetChild(ChildKey::ForNhsNumber(NhsA()), TestAccess());
  ASSERT_TRUE(child.ok()) << child.status();
  const size_t stored = child->records.size();
  EXPECT_EQ(stored % kBatchSize, 0u) << "a batch was half written";
  EXPECT_GE(stored, static_cast<size_t>((last_ack + 1) * kBatchSize))
      << "an acknowledged batch is missing";
}

// `n` items, each a new child's school record, from child `first` on.
std::vector<NormalizedObservation> NewChildren(int64_t first, int n) {
  std::vector<NormalizedObservation> batch;
  for (int64_t i = first; i < first + n; ++i) {
    batch.push_back(Item("school-b", absl::StrCat("N-", i), 1, "", absl::StrCat("PUPIL-", i)));
  }
  return batch;
}

// The audit events of `agency`'s calls, oldest first.
std::vector<AuditEvent> EventsOf(Store& store, const std::string& agency) {
  std::vector<AuditEvent> events;
  AuditQuery query{.agency = agency, .limit = 1000};
  while (true) {
    absl::StatusOr<AuditPage> page = store.ListAuditEvents(query, TestAccess());
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) return events;
    events.insert(events.end(), page->events.begin(), page->events.end());
    if (!page->more) return events;
    query.after_id = page->events.back().id;
    query.up_to_id = page->newest_id;
  }
}

TEST_F(SqliteStoreTest, ABulkWriteNobodyWaitsForIsOneTransactionWithOneEvent) {
  std::unique_ptr<Store> store = OpenOk();
  ASSERT_NE(store, nullptr);
  const Access bulk = ::ethrec::testing::ReviewerAccess("bulk-dq");
  absl::StatusOr<std::vector<WriteOutcome>> out = store->Write(NewChildren(0, 500), bulk);
  ASSERT_TRUE(out.ok()) << out.status();
  const std::vector<AuditEvent> events = EventsOf(*store, "bulk-dq");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].child_ids.size(), 500u);
  EXPECT_EQ(events[0].outcome, "OK");
}

// Data entry goes between the pieces of a bulk write (sqlite_store.h): the
// bulk write ends in several pieces, each with its event, that together
// name every child it wrote, and every call succeeds.
TEST_F(SqliteStoreTest, ABulkWriteStepsAsideForWaitingDataEntry) {
  std::unique_ptr<Store> store = OpenOk();
  ASSERT_NE(store, nullptr);
  constexpr int kBulkItems = 3000;
  const Access bulk = ::ethrec::testing::ReviewerAccess("bulk-dq");
  std::atomic<bool> done{false};
  absl::StatusOr<std::vector<WriteOutcome>> out;
  std::thread loader([&] {
    out = store->Write(NewChildren(0, kBulkItems), bulk);
    done = true;
  });
  int singles = 0;
  for (int i = 0; !done && i < 100000; ++i, ++singles) {
    absl::StatusOr<WriteOutcome> one =
        store->WriteOne(Item("gp-a", absl::StrCat("G-", i), 1, "", absl::StrCat("GP-", i)), TestAccess());
    ASSERT_TRUE(one.ok()) << one.status();
    EXPECT_EQ(*one, WriteOutcome::kInserted);
  }
  loader.join();
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), static_cast<size_t>(kBulkItems));
  for (WriteOutcome o : *out) EXPECT_EQ(o, WriteOutcome::kInserted);
  EXPECT_GT(singles, 0);

  const std::vector<AuditEvent> events = EventsOf(*store, "bulk-dq");
  EXPECT_GT(events.size(), 1u) << "the bulk write never stepped aside";
  std::set<int64_t> children;
  for (size_t i = 0; i < events.size(); ++i) {
    const AuditEvent& e = events[i];
    EXPECT_EQ(e.outcome, "OK");
    EXPECT_GE(e.child_ids.size(), 1u);
    // Each item is a new child. Every piece but the last holds at least
    // the least piece (kBulkMinPieceItems, 16) before it steps aside.
    if (i + 1 < events.size()) EXPECT_GE(e.child_ids.size(), 16u) << "piece " << i;
    children.insert(e.child_ids.begin(), e.child_ids.end());
  }
  EXPECT_EQ(children.size(), static_cast<size_t>(kBulkItems));
  for (int64_t i : {0, kBulkItems / 2, kBulkItems - 1}) {
    EXPECT_TRUE(store->GetChild(ChildKey::ForAgencyChildId("school-b", absl::StrCat("PUPIL-", i)), TestAccess()).ok());
  }
  // The change log holds each stored version exactly once, whichever piece
  // wrote it, and each interactive write too.
  std::map<std::string, int> logged;  // agency/record id -> entries
  for (int64_t after = 0;;) {
    absl::StatusOr<ChangePage> page =
        store->ReadChanges({.after = after, .kinds = {ChangeKind::kRecordWritten}, .limit = 1000}, TestAccess());
    ASSERT_TRUE(page.ok()) << page.status();
    for (const ChangeEntry& e : page->entries) ++logged[e.agency + "/" + e.record_id];
    after = page->last_position;
    if (!page->more) break;
  }
  EXPECT_EQ(logged.size(), static_cast<size_t>(kBulkItems + singles));
  for (const auto& [key, n] : logged) EXPECT_EQ(n, 1) << key;
}

// A storage error in a bulk write that has stepped aside: the pieces before
// it stay stored, the error says how many items that is, the rest are not
// stored, and writing the whole batch again completes it (service/store.h).
TEST_F(SqliteStoreTest, ABulkWriteStoppedByAStorageErrorSaysWhatWasStoredAndCanBeRetried) {
  std::unique_ptr<Store> store = OpenOk();
  ASSERT_NE(store, nullptr);
  constexpr int kBulkItems = 3000;
  RawDb raw(path_);
  // The storage error: the last item's insert fails (SQLITE_CONSTRAINT).
  raw.Exec("CREATE TRIGGER fail_last BEFORE INSERT ON records WHEN NEW.record_id = 'N-2999' "
           "BEGIN SELECT RAISE(ABORT, 'injected storage error'); END");
  const std::vector<NormalizedObservation> batch = NewChildren(0, kBulkItems);
  const Access bulk = ::ethrec::testing::ReviewerAccess("bulk-dq");
  std::atomic<bool> done{false};
  absl::StatusOr<std::vector<WriteOutcome>> out;
  std::thread loader([&] {
    out = store->Write(batch, bulk);
    done = true;
  });
  for (int i = 0; !done && i < 100000; ++i) {
    ASSERT_TRUE(store->WriteOne(Item("gp-a", absl::StrCat("G-", i), 1, "", absl::StrCat("GP-", i)), TestAccess()).ok());
  }
  loader.join();
  ASSERT_THAT(out, StatusIs(absl::StatusCode::kInternal, HasSubstr("injected storage error")));
  const int stored = std::stoi(raw.One("SELECT COUNT(*) FROM records WHERE agency = 'school-b'"));
  ASSERT_GT(stored, 0) << "the bulk write never stepped aside";
  ASSERT_LT(stored, kBulkItems);  // the failing item is never stored
  EXPECT_THAT(std::string(out.status().message()),
              HasSubstr(absl::StrCat("items 0 to ", stored - 1, " of the batch were stored before this error")));
  // The stored items are the first ones.
  EXPECT_EQ(raw.One("SELECT MAX(CAST(substr(record_id, 3) AS INTEGER)) FROM records WHERE agency = 'school-b'"),
            absl::StrCat(stored - 1));

  raw.Exec("DROP TRIGGER fail_last");
  absl::StatusOr<std::vector<WriteOutcome>> again = store->Write(batch, bulk);
  ASSERT_TRUE(again.ok()) << again.status();
  for (int i = 0; i < kBulkItems; ++i) {
    ASSERT_EQ((*again)[i], i < stored ? WriteOutcome::kDuplicate : WriteOutcome::kInserted) << "item " << i;
  }
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM records WHERE agency = 'school-b'"), absl::StrCat(kBulkItems));
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM observations WHERE agency = 'school-b'"), absl::StrCat(kBulkItems));
}

TEST_F(SqliteStoreTest, InMemoryDatabaseWorks) {
  absl::StatusOr<std::unique_ptr<Store>> store = OpenSqliteStore({.path = ":memory:"});
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(
      (*store)->WriteOne(Item("school-b", "R-1", 1, NhsA(), ""), TestAccess()).value_or(WriteOutcome::kDuplicate),
      WriteOutcome::kInserted);
  EXPECT_TRUE((*store)->GetChild(ChildKey::ForNhsNumber(NhsA()), TestAccess()).ok());
}

}  // namespace
}  // namespace ethrec
