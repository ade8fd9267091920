// Small helpers the end-to-end tests share: reading a file the server or a
// tool wrote, and running a shell command for its exit status.
#ifndef ETHREC_TESTS_TESTING_FILES_H_
#define ETHREC_TESTS_TESTING_FILES_H_

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace ethrec::testing {

// The file's bytes ("" when it cannot be read: the caller's expectations
// on the content then fail, naming what was missing).
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs `command` with sh; its exit status (-1 when it did not exit).
inline int RunShell(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace ethrec::testing

#endif  // ETHREC_TESTS_TESTING_FILES_H_
