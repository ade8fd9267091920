// Test-only: a throwaway PostgreSQL 15 server (Debian's postgresql-15).
// initdb into a new directory under /tmp, the server listening on a Unix
// socket in that directory and on a free 127.0.0.1 port, and the directory
// removed when it stops. PostgreSQL refuses to run as root: as root the
// server runs as the `postgres` user the Debian package creates (through
// runuser), which owns the directory; otherwise as the caller. Either way
// the database superuser is `postgres`, trusted on the socket and loopback.
//
// The store contract tests share one server per CTest run (the
// `postgres` fixture: tests/service/postgres_test_server_main.cc starts
// it and names it in a file given by ETHREC_TEST_POSTGRES); a test binary
// run on its own starts a server of its own (SharedPostgres).
#ifndef ETHREC_TESTS_TESTING_POSTGRES_SERVER_H_
#define ETHREC_TESTS_TESTING_POSTGRES_SERVER_H_

#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ethrec::testing {

inline constexpr char kPostgresBin[] = "/usr/lib/postgresql/15/bin";

class PostgresServer {
 public:
  // Starts a new server. `fsync`: false for the contract tests (a
  // throwaway server; crash safety is not what they test), true for the
  // fault tests. FailedPrecondition, with the server's log, when it cannot start.
  static absl::StatusOr<std::unique_ptr<PostgresServer>> Start(bool fsync) {
    char dir_template[] = "/tmp/ethrec-pg-XXXXXX";
    if (mkdtemp(dir_template) == nullptr) return absl::InternalError("mkdtemp failed");
    auto server = std::unique_ptr<PostgresServer>(new PostgresServer(dir_template, FreePort(), fsync));
    if (geteuid() == 0) {
      const passwd* pw = getpwnam("postgres");
      if (pw == nullptr) return absl::FailedPreconditionError("running as root and there is no postgres user");
      if (chown(dir_template, pw->pw_uid, pw->pw_gid) != 0) return absl::InternalError("chown failed");
      server->as_user_ = "runuser -u postgres -- ";
    }
    if (absl::Status s = server->Run(absl::StrCat(kPostgresBin, "/initdb -D ", server->data_dir(),
                                                  " -U postgres -A trust -E UTF8 --no-locale --no-sync -N"));
        !s.ok()) {
      return s;
    }
    if (absl::Status s = server->Up(); !s.ok()) return s;
    return server;
  }

  // A server another process started, named by the file it wrote (Describe).
  static absl::StatusOr<std::unique_ptr<PostgresServer>> Attach(const std::string& info_file) {
    std::ifstream in(info_file);
    std::string dir;
    int port = 0;
    if (!(in >> dir >> port)) {
      return absl::FailedPreconditionError(absl::StrCat("no PostgreSQL test server described in ", info_file));
    }
    auto server = std::unique_ptr<PostgresServer>(new PostgresServer(dir, port, false));
    server->attached_ = true;
    if (geteuid() == 0) server->as_user_ = "runuser -u postgres -- ";
    return server;
  }

  // Stops the server and removes its directory, unless it was attached
  // to or left running (LeaveRunning).
  ~PostgresServer() {
    if (!attached_) StopAndRemove();
  }

  // For the CTest fixture: the server outlives this object (the cleanup
  // step stops it).
  void LeaveRunning() { attached_ = true; }
  void StopAndRemove() {
    Down(/*fast=*/false).IgnoreError();
    Run(absl::StrCat("rm -rf ", dir_)).IgnoreError();
  }

  // Writes what Attach reads.
  absl::Status Describe(const std::string& info_file) const {
    std::ofstream out(info_file);
    out << dir_ << " " << port_ << "\n";
    return out.good() ? absl::OkStatus() : absl::InternalError(absl::StrCat("cannot write ", info_file));
  }

  // Stops the server: fast (rolls back open transactions, writes a
  // checkpoint) or immediate (as a crash would).
  absl::Status Down(bool fast) {
    return Run(absl::StrCat(kPostgresBin, "/pg_ctl -D ", data_dir(), " -m ", fast ? "fast" : "immediate",
                            " -w -t 60 stop"));
  }
  // Starts it again on the same directory and port.
  absl::Status Up() {
    const std::string options = absl::StrFormat(
        "-k %s -p %d -c listen_addresses=127.0.0.1 -c fsync=%s -c max_connections=200 -c shared_buffers=32MB",
        dir_, port_, fsync_ ? "on" : "off");
    return Run(absl::StrCat(kPostgresBin, "/pg_ctl -D ", data_dir(), " -l ", dir_, "/log -w -t 60 -o '", options,
                            "' start"));
  }

  // A libpq URI for `dbname` over the loopback port.
  std::string Uri(const std::string& dbname) const {
    return absl::StrCat("postgresql://postgres@127.0.0.1:", port_, "/", dbname);
  }
  // A keyword/value conninfo for `dbname` over the Unix socket.
  std::string SocketConninfo(const std::string& dbname) const {
    return absl::StrCat("host=", dir_, " port=", port_, " user=postgres dbname=", dbname);
  }

  // Creates database `name` (dropping any earlier one of that name).
  absl::Status CreateDatabase(const std::string& name) {
    if (absl::Status s = Sql(absl::StrCat("DROP DATABASE IF EXISTS ", name, " WITH (FORCE)")); !s.ok()) return s;
    return Sql(absl::StrCat("CREATE DATABASE ", name, " STRATEGY FILE_COPY"));
  }
  absl::Status DropDatabase(const std::string& name) {
    return Sql(absl::StrCat("DROP DATABASE IF EXISTS ", name, " WITH (FORCE)"));
  }
  // Runs `sql` in database `dbname` (default: postgres).
  absl::Status Sql(const std::string& sql, const std::string& dbname = "postgres") const {
    PGconn* c = PQconnectdb(SocketConninfo(dbname).c_str());
    absl::Status s;
    if (PQstatus(c) != CONNECTION_OK) {
      s = absl::UnavailableError(absl::StrCat("connect: ", PQerrorMessage(c)));
    } else {
      PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);  // "does not exist, skipping"
      PGresult* r = PQexec(c, sql.c_str());
      if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
        s = absl::InternalError(absl::StrCat(sql, ": ", PQresultErrorMessage(r)));
      }
      PQclear(r);
    }
    PQfinish(c);
    return s;
  }

  const std::string& dir() const { return dir_; }
  int port() const { return port_; }

 private:
  PostgresServer(std::string dir, int port, bool fsync) : dir_(std::move(dir)), port_(port), fsync_(fsync) {}

  std::string data_dir() const { return dir_ + "/data"; }

  absl::Status Run(const std::string& command) const {
    const std::string full = absl::StrCat(as_user_, command, " >>", dir_, "/setup.log 2>&1");
    if (std::system(full.c_str()) == 0) return absl::OkStatus();
    std::ifstream log(dir_ + "/setup.log"), server_log(dir_ + "/log");
    std::stringstream text;
    text << log.rdbuf() << server_log.rdbuf();
    return absl::FailedPreconditionError(absl::StrCat("PostgreSQL test server: `", command, "` failed:\n", text.str()));
  }

  // A loopback port nothing listens on now.
  static int FreePort() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    close(fd);
    return ntohs(addr.sin_port);
  }

  std::string dir_;
  int port_;
  bool fsync_;
  bool attached_ = false;
  std::string as_user_;
};

// The server the contract tests share: the CTest fixture's when
// ETHREC_TEST_POSTGRES names its file, else one this process starts on
// first use and stops at exit. Not thread-safe (tests call it from one thread).
inline absl::StatusOr<PostgresServer*> SharedPostgres() {
  static absl::StatusOr<std::unique_ptr<PostgresServer>>* server = [] {
    const char* info = std::getenv("ETHREC_TEST_POSTGRES");
    auto* s = new absl::StatusOr<std::unique_ptr<PostgresServer>>(
        info != nullptr && *info != '\0' ? PostgresServer::Attach(info) : PostgresServer::Start(/*fsync=*/false));
    // Stopped (and its directory removed) at exit.
    std::atexit([] { delete server; });
    return s;
  }();
  if (!server->ok()) return server->status();
  return server->value().get();
}

}  // namespace ethrec::testing

#endif  // ETHREC_TESTS_TESTING_POSTGRES_SERVER_H_
