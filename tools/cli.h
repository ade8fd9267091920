// The `ethrec` command line, as a function so tests can run it in-process.
#ifndef ETHREC_TOOLS_CLI_H_
#define ETHREC_TOOLS_CLI_H_

#include <ostream>
#include <string>
#include <vector>

namespace ethrec::tools {

// Exit statuses.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;  // a request failed (unknown system, bad row, ...)
inline constexpr int kExitUsage = 2;  // the command line itself is wrong

// What main() knows about the process that the commands may use.
struct CliEnvironment {
  // True when `err` is a terminal: `import` then redraws a progress line
  // there. Default false: no progress output.
  bool stderr_is_terminal = false;
};

// Runs `ethrec` with `args` (without the program name), writing results to
// `out` and messages to `err`. Returns the exit status.
int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
           const CliEnvironment& env);

}  // namespace ethrec::tools

#endif  // ETHREC_TOOLS_CLI_H_
