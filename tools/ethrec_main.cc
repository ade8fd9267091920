// ethrec: command-line client for the ethnicity mapping library.
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "tools/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return ethrec::tools::RunCli(args, std::cout, std::cerr,
                               {.stderr_is_terminal = isatty(STDERR_FILENO) != 0});
}
