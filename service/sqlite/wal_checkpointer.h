#ifndef ETHREC_SERVICE_SQLITE_WAL_CHECKPOINTER_H_
#define ETHREC_SERVICE_SQLITE_WAL_CHECKPOINTER_H_

#include <sqlite3.h>

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace ethrec::sqlite_internal {

// Copies the store's write-ahead log into the database file on a thread and
// connection of its own, so that no write waits for it. SQLite's automatic
// checkpoint runs inside the COMMIT that crosses its threshold: that commit
// (and every call queued behind the store's lock) waits while tens of
// megabytes are copied and synced, which under a bulk load was the largest
// part of data entry's tail latency. A PASSIVE checkpoint on another
// connection blocks no writer (https://www.sqlite.org/wal.html#ckpt).
//
// Start replaces the connection's automatic checkpoint with a WAL hook:
// after a commit leaves at least `pages` pages in the log, the thread is
// woken to checkpoint. The log cannot grow without bound while writes keep
// coming (a passive checkpoint that has not caught up when the next write
// begins lets the log grow on): from 8 × `pages` on, each commit
// checkpoints on its own connection (RESTART: the next write starts the
// log again from its beginning), as SQLite would have done at `pages`, but
// with most of the copying already done by the thread. Such a checkpoint
// fails at once (SQLITE_BUSY, busy handler or not) while the thread's runs,
// and is tried again at the next commit: the limit is a soft one.
class WalCheckpointer {
 public:
  // `db`: the store's connection to `path` (not owned; it must outlive the
  // checkpointer). Opens a second connection to `path`.
  static absl::StatusOr<std::unique_ptr<WalCheckpointer>> Start(sqlite3* db, const std::string& path, int pages);
  // Removes the hook, stops the thread (after a checkpoint under way), and
  // closes the second connection. Call with no commit running on `db`.
  ~WalCheckpointer();

  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Checkpoints the thread has completed (every frame copied) and the
  // committing connection has had to run itself; for tests.
  int64_t background_checkpoints() const;
  int64_t inline_checkpoints() const;

 private:
  WalCheckpointer(sqlite3* db, sqlite3* own, int pages);
  static int OnCommit(void* self, sqlite3* db, const char* name, int pages);
  void Run();
  bool Woken() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return wanted_ || stopping_; }

  sqlite3* const db_;
  sqlite3* const own_;
  const int pages_;
  mutable absl::Mutex mu_;
  bool wanted_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int64_t background_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t inline_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace ethrec::sqlite_internal

#endif  // ETHREC_SERVICE_SQLITE_WAL_CHECKPOINTER_H_
