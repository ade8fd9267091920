// PostgresStore's change log (service/store.h "The change feed").
#include "service/postgres/postgres_store.h"

namespace ethrec {

absl::StatusOr<ChangeLogState> PostgresStore::GetChangeLogState() {
  return absl::UnimplementedError("postgresql: the change feed is not implemented yet");
}

absl::StatusOr<ChangePage> PostgresStore::ReadChanges(const ChangeQuery&, const Access&) {
  return absl::UnimplementedError("postgresql: the change feed is not implemented yet");
}

absl::StatusOr<int64_t> PostgresStore::WaitForChanges(int64_t, absl::Time) {
  return absl::UnimplementedError("postgresql: the change feed is not implemented yet");
}

absl::StatusOr<int64_t> PostgresStore::PurgeExpiredChanges(int) { return 0; }

}  // namespace ethrec
