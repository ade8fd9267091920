// SqliteStore: the embedded Store. One SQLite 3 file in WAL mode; a Write
// that returns OK has been committed with synchronous=FULL and survives a
// crash or power loss; a failed Write leaves nothing behind.
//
// The schema is versioned: Open runs every migration the file lacks, in
// one transaction, and records each in the `schema_migrations` table. The
// SQL uses plain types and keeps SQLite-only features to what is needed
// (BEGIN IMMEDIATE; INTEGER PRIMARY KEY for generated ids), so a PostgreSQL
// Store can share the statements (ON CONFLICT DO NOTHING and RETURNING are
// PostgreSQL syntax too). Values are stored by their API names (categories as
// "WHITE_ROMA|WHITE_OTHER", most likely first) so the file is readable
// with the sqlite3 shell. Times are microseconds since the Unix epoch (UTC)
// in BIGINT columns named *_us.
//
// Thread-safe: calls are serialised on one connection. Every call that
// touches a child's data commits its audit event (service/store.h "Audit")
// before it returns; calls that overlap share one transaction and one
// COMMIT (group commit), so a read costs an fsync only when it is alone.
// Several processes may open the same file; a writer waits up to
// busy_timeout for another's transaction, then fails with Unavailable.
//
// Example:
//   absl::StatusOr<std::unique_ptr<Store>> store =
//       OpenSqliteStore({.path = "/var/lib/ethrec/ethrec.db"});
//   if (!store.ok()) return store.status();
#ifndef ETHREC_SERVICE_SQLITE_STORE_H_
#define ETHREC_SERVICE_SQLITE_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/store.h"

namespace ethrec {

struct SqliteStoreOptions {
  // The database file, created if missing (its directory must exist).
  // ":memory:" gives a private in-memory database that is gone at Close
  // (tests only: no WAL, nothing durable). Required.
  std::string path;
  // How long a statement waits for another connection's lock before the
  // call fails with Unavailable. Default 5 seconds.
  absl::Duration busy_timeout = absl::Seconds(5);
  // Options common to every Store.
  StoreOptions store;
};

// Opens (creating if needed) the database at options.path, sets WAL mode,
// synchronous=FULL, foreign keys and the busy timeout, and migrates the
// schema to kStoreSchemaVersion. Errors: InvalidArgument for an empty
// path; FailedPrecondition when the file cannot be opened or written, is
// not in WAL mode afterwards, or has a schema version newer than
// kStoreSchemaVersion (a newer ethrecd wrote it); DataLoss when it is not
// a database or is corrupt; Unavailable when it stays locked.
absl::StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const SqliteStoreOptions& options);

}  // namespace ethrec

#endif  // ETHREC_SERVICE_SQLITE_STORE_H_
