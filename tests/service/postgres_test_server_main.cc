// The CTest fixture `postgres` (tests/CMakeLists.txt): `start FILE` starts a
// throwaway PostgreSQL server (tests/testing/postgres_server.h) and names it
// in FILE for the store tests; `stop FILE` stops it and removes its
// directory. Exits non-zero, with the server's log, when it cannot start:
// the tests that need it then fail rather than skip.
#include <cstdio>
#include <iostream>
#include <string>

#include "tests/testing/postgres_server.h"

int main(int argc, char** argv) {
  using ethrec::testing::PostgresServer;
  if (argc != 3 || (std::string(argv[1]) != "start" && std::string(argv[1]) != "stop")) {
    std::cerr << "usage: postgres_test_server start|stop FILE\n";
    return 2;
  }
  const std::string file = argv[2];
  if (std::string(argv[1]) == "stop") {
    absl::StatusOr<std::unique_ptr<PostgresServer>> server = PostgresServer::Attach(file);
    if (!server.ok()) return 0;  // nothing running
    (*server)->StopAndRemove();
    std::remove(file.c_str());
    return 0;
  }
  // A server left behind by an interrupted run is stopped first.
  if (absl::StatusOr<std::unique_ptr<PostgresServer>> old = PostgresServer::Attach(file); old.ok()) {
    (*old)->StopAndRemove();
  }
  absl::StatusOr<std::unique_ptr<PostgresServer>> server = PostgresServer::Start(/*fsync=*/false);
  if (!server.ok()) {
    std::cerr << server.status() << "\n";
    return 1;
  }
  if (absl::Status s = (*server)->Describe(file); !s.ok()) {
    std::cerr << s << "\n";
    return 1;
  }
  (*server)->LeaveRunning();
  std::cout << "PostgreSQL test server on port " << (*server)->port() << " in " << (*server)->dir() << "\n";
  return 0;
}
