// The PostgreSQL store's schema: the forward migrations that build it,
// versioned as the SQLite store's (service/sqlite/schema.h): version N
// means the same tables and columns in both stores.
#ifndef ETHREC_SERVICE_POSTGRES_SCHEMA_H_
#define ETHREC_SERVICE_POSTGRES_SCHEMA_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "service/postgres/statement.h"

namespace ethrec::postgres_internal {

// The advisory lock (two-key form, its own key space apart from the
// store's one-key child locks) held while the schema migrates: replicas
// that start together migrate one after the other, and the later ones find
// nothing left to do.
inline constexpr int kMigrationLockClass = 0x65746872;  // "ethr"
inline constexpr int kMigrationLockKey = 1;

// Brings the schema of the database `c` is connected to up to
// kStoreSchemaVersion (service/store.h) in one transaction under the
// migration lock, recording each migration in `schema_migrations`, and
// returns the version the database is at. FailedPrecondition for a
// database newer than this build; the server's error otherwise (nothing
// changed).
absl::StatusOr<int> Migrate(Connection& c, int64_t now_us);

}  // namespace ethrec::postgres_internal

#endif  // ETHREC_SERVICE_POSTGRES_SCHEMA_H_
