// What the Store contract tests share: a temporary database path per test,
// and a factory per Store implementation for typed tests.
#ifndef ETHREC_TESTS_SERVICE_STORE_FACTORIES_H_
#define ETHREC_TESTS_SERVICE_STORE_FACTORIES_H_

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <set>
#include <type_traits>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "service/memory_store.h"
#include "service/postgres_store.h"
#include "service/sqlite_store.h"
#include "service/store.h"
#include "tests/testing/postgres_server.h"

namespace ethrec::testing {

// The PostgreSQL database that stands for the database file `path`
// (names are at most 63 bytes: a hash of the path).
inline std::string PostgresDbName(const std::string& path) {
  uint64_t h = 14695981039346656037ull;
  for (char c : path) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return absl::StrFormat("ethrec_test_%016x", h);
}

// The databases this process created (PostgresStoreFactory), by path.
inline std::set<std::string>& PostgresTestDatabases() {
  static std::set<std::string> paths;
  return paths;
}

// A database file for the running test, under the test temp directory.
inline std::string TempDbPath(const std::string& prefix) {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = absl::StrCat(info->test_suite_name(), "_", info->name());
  std::replace(name.begin(), name.end(), '/', '_');
  return absl::StrCat(::testing::TempDir(), prefix, getpid(), "_", name, ".db");
}

// Removes a database file and its WAL companions, and the PostgreSQL
// database that stood for it, if this process created one.
inline void RemoveDb(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::remove(absl::StrCat(path, suffix).c_str());
  if (PostgresTestDatabases().erase(path) > 0) {
    absl::StatusOr<PostgresServer*> server = SharedPostgres();
    if (server.ok()) {
      EXPECT_TRUE((*server)->DropDatabase(PostgresDbName(path)).ok());
    }
  }
}

// Creates the SQLite file `path` from the SQL of `fixture` in tests/testdata
// (a schema as ethrec released it, with synthetic rows).
inline void LoadFixture(const std::string& path, const std::string& fixture) {
  std::ifstream in(std::string(ETHREC_TESTDATA_DIR) + "/" + fixture);
  ASSERT_TRUE(in.good()) << fixture;
  std::stringstream sql;
  sql << in.rdbuf();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.str().c_str(), nullptr, nullptr, &error), SQLITE_OK) << error;
  sqlite3_free(error);
  sqlite3_close(db);
  // As a file the store made would be: its owner's alone.
  ASSERT_EQ(chmod(path.c_str(), 0600), 0);
}

struct MemoryStoreFactory {
  static absl::StatusOr<std::unique_ptr<Store>> Create(const StoreOptions& options, const std::string& /*path*/) {
    return std::make_unique<MemoryStore>(options);
  }
};

struct SqliteStoreFactory {
  static absl::StatusOr<std::unique_ptr<Store>> Create(const StoreOptions& options, const std::string& path) {
    return OpenSqliteStore({.path = path, .store = options});
  }
};

// A database of its own per test (per `path`), on the shared test server
// (tests/testing/postgres_server.h); a server that cannot start fails the
// test. Opening the same path again in a test reopens the same database.
struct PostgresStoreFactory {
  static absl::StatusOr<std::unique_ptr<Store>> Create(const StoreOptions& options, const std::string& path) {
    absl::StatusOr<PostgresServer*> server = SharedPostgres();
    if (!server.ok()) return server.status();
    const std::string name = PostgresDbName(path);
    if (PostgresTestDatabases().insert(path).second) {
      if (absl::Status s = (*server)->CreateDatabase(name); !s.ok()) return s;
    }
    return OpenPostgresStore({.conninfo = (*server)->SocketConninfo(name), .pool_size = 4, .store = options});
  }
};

using StoreImplementations = ::testing::Types<MemoryStoreFactory, SqliteStoreFactory, PostgresStoreFactory>;

class StoreFactoryNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    if (std::is_same_v<T, MemoryStoreFactory>) return "Memory";
    return std::is_same_v<T, SqliteStoreFactory> ? "Sqlite" : "Postgres";
  }
};

}  // namespace ethrec::testing

#endif  // ETHREC_TESTS_SERVICE_STORE_FACTORIES_H_
