// What the Store contract tests share: a temporary database path per test,
// and a factory per Store implementation for typed tests.
#ifndef ETHREC_TESTS_SERVICE_STORE_FACTORIES_H_
#define ETHREC_TESTS_SERVICE_STORE_FACTORIES_H_

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <type_traits>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "service/memory_store.h"
#include "service/sqlite_store.h"
#include "service/store.h"

namespace ethrec::testing {

// A database file for the running test, under the test temp directory.
inline std::string TempDbPath(const std::string& prefix) {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = absl::StrCat(info->test_suite_name(), "_", info->name());
  std::replace(name.begin(), name.end(), '/', '_');
  return absl::StrCat(::testing::TempDir(), prefix, getpid(), "_", name, ".db");
}

// Removes a database file and its WAL companions.
inline void RemoveDb(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::remove(absl::StrCat(path, suffix).c_str());
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

using StoreImplementations = ::testing::Types<MemoryStoreFactory, SqliteStoreFactory>;

class StoreFactoryNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return std::is_same_v<T, MemoryStoreFactory> ? "Memory" : "Sqlite";
  }
};

}  // namespace ethrec::testing

#endif  // ETHREC_TESTS_SERVICE_STORE_FACTORIES_H_
