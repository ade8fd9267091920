// ethrec_migrate_db --from ethrec.db --to postgresql://...: moves an SQLite
// database into an empty PostgreSQL one, keeping everything
// (service/migrate_db.h), and prints each table with its rows. `ethrec
// migrate-db` runs it. Exit status 0 when copied and checked, 2 for bad
// flags, 1 for any other error (printed as "ethrec_migrate_db: CODE: message").
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "service/migrate_db.h"

ABSL_FLAG(std::string, from, "", "the SQLite database file (stop the ethrecd that serves it first)");
ABSL_FLAG(std::string, to, "", "the PostgreSQL database: any libpq connection URI; it must be empty");

int main(int argc, char** argv) {
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  const std::string from = absl::GetFlag(FLAGS_from);
  const std::string to = absl::GetFlag(FLAGS_to);
  if (rest.size() > 1 || from.empty() || to.empty()) {
    std::fprintf(stderr, "usage: ethrec_migrate_db --from ethrec.db --to postgresql://USER@HOST/DB\n");
    return 2;
  }
  absl::StatusOr<std::vector<ethrec::MigratedTable>> copied = ethrec::MigrateSqliteToPostgres(from, to);
  if (!copied.ok()) {
    std::fprintf(stderr, "ethrec_migrate_db: %s: %s\n", absl::StatusCodeToString(copied.status().code()).c_str(),
                 std::string(copied.status().message()).c_str());
    return 1;
  }
  int64_t total = 0;
  for (const ethrec::MigratedTable& t : *copied) {
    std::printf("%-22s %12lld rows\n", t.table.c_str(), static_cast<long long>(t.rows));
    total += t.rows;
  }
  std::printf("copied and checked: %lld rows in %zu tables, the same counts in both databases\n",
              static_cast<long long>(total), copied->size());
  return 0;
}
