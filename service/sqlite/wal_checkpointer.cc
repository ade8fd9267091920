#include "service/sqlite/wal_checkpointer.h"

#include "absl/strings/str_cat.h"

namespace ethrec::sqlite_internal {

absl::StatusOr<std::unique_ptr<WalCheckpointer>> WalCheckpointer::Start(sqlite3* db, const std::string& path,
                                                                        int pages) {
  sqlite3* own = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &own, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const std::string message = own != nullptr ? sqlite3_errmsg(own) : sqlite3_errstr(rc);
    sqlite3_close(own);
    return absl::UnavailableError(absl::StrCat("sqlite: open ", path, " for checkpoints: ", message));
  }
  // The copy is synced as the store's commits are (synchronous = FULL).
  sqlite3_exec(own, "PRAGMA synchronous = FULL", nullptr, nullptr, nullptr);
  auto checkpointer = std::unique_ptr<WalCheckpointer>(new WalCheckpointer(db, own, pages));
  sqlite3_wal_hook(db, &WalCheckpointer::OnCommit, checkpointer.get());
  return checkpointer;
}

WalCheckpointer::WalCheckpointer(sqlite3* db, sqlite3* own, int pages)
    : db_(db), own_(own), pages_(pages), thread_([this] { Run(); }) {}

WalCheckpointer::~WalCheckpointer() {
  sqlite3_wal_hook(db_, nullptr, nullptr);
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
  sqlite3_close_v2(own_);
}

int64_t WalCheckpointer::background_checkpoints() const {
  absl::MutexLock lock(&mu_);
  return background_;
}

int64_t WalCheckpointer::inline_checkpoints() const {
  absl::MutexLock lock(&mu_);
  return inline_;
}

int WalCheckpointer::OnCommit(void* self, sqlite3* db, const char* name, int pages) {
  auto* c = static_cast<WalCheckpointer*>(self);
  if (pages < c->pages_) return SQLITE_OK;
  if (pages >= 8 * c->pages_) {
    // The commit has happened; what this returns would only fail the
    // statement that committed, so a failed checkpoint is left to the next
    // commit (the log is intact either way), as SQLite's own hook does.
    if (sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr) == SQLITE_OK) {
      absl::MutexLock lock(&c->mu_);
      ++c->inline_;
    }
    return SQLITE_OK;
  }
  absl::MutexLock lock(&c->mu_);
  c->wanted_ = true;
  return SQLITE_OK;
}

void WalCheckpointer::Run() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &WalCheckpointer::Woken));
      if (stopping_) return;
      wanted_ = false;
    }
    int log = 0;
    int copied = 0;
    const int rc = sqlite3_wal_checkpoint_v2(own_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
    if (rc == SQLITE_OK && copied == log) {
      absl::MutexLock lock(&mu_);
      ++background_;
    }
  }
}

}  // namespace ethrec::sqlite_internal
