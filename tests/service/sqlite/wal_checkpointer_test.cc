// WalCheckpointer against a real SQLite file: the thread copies the log once
// it passes its threshold, the log stays bounded however many commits come,
// and every committed row is in the file after.
#include "service/sqlite/wal_checkpointer.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace ethrec::sqlite_internal {
namespace {

constexpr int kPages = 4;

class WalCheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::path(::testing::TempDir()) /
             absl::StrCat("wal_checkpointer_", ::testing::UnitTest::GetInstance()->current_test_info()->name(), "_",
                          getpid(), ".db"))
                .string();
    Remove();
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db_), SQLITE_OK);
    // As the store's connection: a checkpoint at the log's limit waits for
    // the thread's checkpoint under way rather than giving up.
    sqlite3_busy_timeout(db_, 5000);
    Exec("PRAGMA journal_mode = WAL");
    Exec("PRAGMA page_size = 4096");
    Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)");
  }
  void TearDown() override {
    sqlite3_close(db_);
    Remove();
  }
  void Remove() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
  }
  void Exec(const std::string& sql) {
    char* error = nullptr;
    ASSERT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << sql << ": " << error;
  }
  // One commit of about two pages.
  void InsertRow() { Exec("INSERT INTO t (payload) VALUES (randomblob(6000))"); }
  int64_t LogBytes() const {
    struct stat st;
    return stat((path_ + "-wal").c_str(), &st) == 0 ? st.st_size : 0;
  }

  std::string path_;
  sqlite3* db_ = nullptr;
};

TEST_F(WalCheckpointerTest, TheThreadCopiesTheLogOncePastItsThreshold) {
  absl::StatusOr<std::unique_ptr<WalCheckpointer>> checkpointer = WalCheckpointer::Start(db_, path_, kPages);
  ASSERT_TRUE(checkpointer.ok()) << checkpointer.status();
  for (int i = 0; i < 4; ++i) InsertRow();  // about 8 pages
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while ((*checkpointer)->background_checkpoints() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GE((*checkpointer)->background_checkpoints(), 1);
  EXPECT_EQ((*checkpointer)->inline_checkpoints(), 0);
}

TEST_F(WalCheckpointerTest, TheLogStaysBoundedAndEveryRowIsKept) {
  constexpr int kRows = 600;
  {
    absl::StatusOr<std::unique_ptr<WalCheckpointer>> checkpointer = WalCheckpointer::Start(db_, path_, kPages);
    ASSERT_TRUE(checkpointer.ok()) << checkpointer.status();
    int64_t largest = 0;
    for (int i = 0; i < kRows; ++i) {
      InsertRow();
      largest = std::max(largest, LogBytes());
    }
    // Frames of 4096 + 24 bytes after a 32-byte header: 8 x kPages pages,
    // and commits of 3 or 4 pages each while the thread's checkpoint holds
    // the checkpoint lock and the restart waits for a later commit (up to
    // 67 frames in all in 45 runs here). SQLite's own hook would have let
    // the log reach 1000 pages; without any checkpoint it would hold all
    // 1,800 or so.
    EXPECT_LE(largest, 32 + (8 * kPages + 64) * (4096 + 24)) << "the log grew to " << largest << " bytes";
    EXPECT_GE((*checkpointer)->background_checkpoints() + (*checkpointer)->inline_checkpoints(), 1);
  }
  sqlite3_close(db_);
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db_), SQLITE_OK);
  sqlite3_stmt* count = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db_, "SELECT count(*) FROM t", -1, &count, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(count), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(count, 0), kRows);
  sqlite3_finalize(count);
  sqlite3_stmt* check = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db_, "PRAGMA integrity_check", -1, &check, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(check), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(check, 0)), "ok");
  sqlite3_finalize(check);
}

TEST_F(WalCheckpointerTest, AMissingFileIsAClearError) {
  absl::StatusOr<std::unique_ptr<WalCheckpointer>> checkpointer =
      WalCheckpointer::Start(db_, path_ + ".missing/none.db", kPages);
  ASSERT_FALSE(checkpointer.ok());
  EXPECT_NE(checkpointer.status().message().find("for checkpoints"), std::string::npos) << checkpointer.status();
}

}  // namespace
}  // namespace ethrec::sqlite_internal
