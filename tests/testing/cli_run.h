// Runs the `ethrec` command line in-process (tools::RunCli) and keeps what
// it printed, for the CLI tests.
#ifndef ETHREC_TESTS_TESTING_CLI_RUN_H_
#define ETHREC_TESTS_TESTING_CLI_RUN_H_

#include <sstream>
#include <string>
#include <vector>

#include "tools/cli.h"

namespace ethrec::testing {

struct CliRun {
  int exit = -1;
  std::string out;
  std::string err;
};

inline CliRun RunEthrec(const std::vector<std::string>& args, const tools::CliEnvironment& env = {}) {
  std::ostringstream out, err;
  CliRun r;
  r.exit = tools::RunCli(args, out, err, env);
  r.out = out.str();
  r.err = err.str();
  return r;
}

}  // namespace ethrec::testing

#endif  // ETHREC_TESTS_TESTING_CLI_RUN_H_
