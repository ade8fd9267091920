// The database commands: migrate-db. They run on the database's host, not
// against a server; tools/ never links the stores, so each runs a program
// built beside ethrecd (as ethrec_load runs ethrec_sqlite_baseline).
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "tools/commands/command.h"

namespace ethrec::tools {
namespace {

// `name` installed beside this ethrec, or in a build tree under service/
// beside tools/; "" when neither exists.
std::string FindBesideEthrec(const std::string& name) {
  char exe[4096];
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n <= 0) return "";
  const std::string path(exe, n);
  const std::string dir = path.substr(0, path.rfind('/') + 1);
  for (const std::string& candidate : {dir + name, dir + "../service/" + name}) {
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// Runs ethrec_migrate_db (service/migrate_db_main.cc), which prints the
// tables it copied or the error; its exit status is the command's.
int MigrateDb(CommandContext& c) {
  if (c.Opt("from").empty() || c.Opt("to").empty()) {
    return c.Usage("migrate-db needs --from FILE.db and --to postgresql://...");
  }
  const std::string binary = FindBesideEthrec("ethrec_migrate_db");
  if (binary.empty()) {
    return c.Fail(absl::NotFoundError("ethrec_migrate_db is not installed beside ethrec"));
  }
  const std::string from = absl::StrCat("--from=", c.Opt("from"));
  const std::string to = absl::StrCat("--to=", c.Opt("to"));
  c.out().flush();
  const pid_t pid = fork();
  if (pid < 0) return c.Fail(absl::InternalError("fork failed"));
  if (pid == 0) {
    std::vector<char*> argv = {const_cast<char*>(binary.c_str()), const_cast<char*>(from.c_str()),
                               const_cast<char*>(to.c_str()), nullptr};
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return kExitError;
  const int code = WEXITSTATUS(status);
  return code == 0 ? kExitOk : code == 2 ? kExitUsage : kExitError;
}

}  // namespace

CommandSection DatabaseCommands() {
  return {.heading = "Database (on the database's host; no --server):",
          .commands = {
              {.name = "migrate-db",
               .options = {{"from"}, {"to"}},
               .usage = "  migrate-db --from FILE.db --to URI          move an SQLite database into an empty\n"
                        "                                             PostgreSQL one (libpq URI), keeping\n"
                        "                                             history, findings and the audit trail;\n"
                        "                                             stop ethrecd first\n",
               .run = MigrateDb},
          }};
}

}  // namespace ethrec::tools
