// PostgresStore: the Store on a PostgreSQL database (libpq), for several
// ethrecd replicas serving one database. A call that returns OK has been
// committed with synchronous_commit on (set on every connection, whatever
// the server's default); a failed call leaves nothing behind but its audit
// event (service/store.h "Audit").
//
// Replicas: every write takes transaction-scoped advisory locks on the
// identifiers it names and on the children they lead to, so that writes
// about one child, through any replica, run one after the other, and the
// findings each computes in its transaction are what a recomputation from
// scratch gives. The schema is versioned as SQLite's; Open migrates it
// under an advisory lock, so replicas may start together.
//
// Connections: a pool of at most pool_size, each statement prepared once
// per connection on first use. A lost connection (the server restarted or
// went away) fails its call with Unavailable and is dropped; the next call
// connects afresh, and answers Unavailable for as long as the server
// cannot be reached.
//
// Example:
//   absl::StatusOr<std::unique_ptr<Store>> store =
//       OpenPostgresStore({.conninfo = "postgresql://ethrec@db.example/ethrec"});
//   if (!store.ok()) return store.status();
#ifndef ETHREC_SERVICE_POSTGRES_STORE_H_
#define ETHREC_SERVICE_POSTGRES_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/store.h"

namespace ethrec {

struct PostgresStoreOptions {
  // A libpq connection string or URI ("postgresql://user@host:5432/db",
  // "host=/run/postgresql dbname=ethrec"). Required.
  std::string conninfo;
  // The most connections the store opens; calls beyond them wait for one.
  // Default 8; at least 1.
  int pool_size = 8;
  // How long a call waits for a free connection before it fails with
  // Unavailable. Default 10 seconds.
  absl::Duration acquire_timeout = absl::Seconds(10);
  // Options common to every Store.
  StoreOptions store;
};

// Whether `db` (ethrecd's --db) names a PostgreSQL database: a
// postgresql:// or postgres:// URI. Anything else is an SQLite file path.
bool IsPostgresUri(absl::string_view db);

// Connects, migrates the schema to kStoreSchemaVersion (under an advisory
// lock) and, with findings enabled, recomputes the findings if writes went
// by without them. Errors: InvalidArgument for an empty conninfo or a
// pool_size below 1; Unavailable when the server cannot be reached;
// FailedPrecondition when it refuses the connection or the database has a
// schema version newer than kStoreSchemaVersion; the server's error otherwise.
absl::StatusOr<std::unique_ptr<Store>> OpenPostgresStore(const PostgresStoreOptions& options);

}  // namespace ethrec

#endif  // ETHREC_SERVICE_POSTGRES_STORE_H_
