// MigrateSqliteToPostgres: moves an SQLite store's database (service/
// sqlite_store.h) into an empty PostgreSQL one (service/postgres_store.h),
// keeping everything: children with their ids and merges, identifiers,
// records with every version, findings with their history and review
// state, the finding counts, and the audit trail with its ids. `ethrec
// migrate-db --from ethrec.db --to postgresql://...` runs it (through
// service/migrate_db_main.cc).
//
// Example:
//   absl::StatusOr<std::vector<MigratedTable>> copied =
//       MigrateSqliteToPostgres("/var/lib/ethrec/ethrec.db", "postgresql://ethrec@localhost/ethrec");
#ifndef ETHREC_SERVICE_MIGRATE_DB_H_
#define ETHREC_SERVICE_MIGRATE_DB_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ethrec {

// One table copied, and its rows (the same in both databases).
struct MigratedTable {
  std::string table;
  int64_t rows = 0;
};

// Copies the SQLite database `sqlite_path` into the PostgreSQL database
// `conninfo` (any libpq connection string or URI) in one PostgreSQL
// transaction, then checks that every table holds as many rows in both.
// The SQLite file is first brought to the current schema (as ethrecd's
// start would), and the PostgreSQL schema is created or migrated. Stop the
// ethrecd that serves the file first: writes during the copy would be
// missed. Returns the tables copied, in order.
// Errors: NotFound when `sqlite_path` does not exist; FailedPrecondition
// when the PostgreSQL database already holds rows (naming the table; the
// target must be empty, so nothing is ever merged or overwritten), or
// either database is newer than this build, or the SQLite file is readable
// by others (as OpenSqliteStore); Unavailable when the server cannot be
// reached; DataLoss naming the table when the counts differ after the copy
// (the copy was committed: drop and re-create the target before trying
// again); other storage errors as the stores give them (nothing committed).
absl::StatusOr<std::vector<MigratedTable>> MigrateSqliteToPostgres(const std::string& sqlite_path,
                                                                   const std::string& conninfo);

}  // namespace ethrec

#endif  // ETHREC_SERVICE_MIGRATE_DB_H_
