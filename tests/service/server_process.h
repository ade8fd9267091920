// Test-only: starts the real ethrecd binary on a free loopback port and
// stops it with a signal.
#ifndef ETHREC_TESTS_SERVICE_SERVER_PROCESS_H_
#define ETHREC_TESTS_SERVICE_SERVER_PROCESS_H_

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace ethrec::testing {

class ServerProcess {
 public:
  // Starts ethrecd with `args` plus --listen 127.0.0.1:0 and waits (up to
  // 20 s) for its "listening on" line. address() is empty on failure.
  explicit ServerProcess(std::vector<std::string> args) {
    bool has_db = false;
    for (const std::string& a : args) has_db |= a.rfind("--db=", 0) == 0;
    if (!has_db) {
      // A fresh database per process, never one in the working directory.
      db_path_ = ::testing::TempDir() + "/ethrecd-test-" + std::to_string(getpid()) + "-" +
                 std::to_string(counter_++) + ".db";
      args.push_back("--db=" + db_path_);
    }
    args.insert(args.begin(), ETHREC_ETHRECD_PATH);
    args.push_back("--listen=127.0.0.1:0");
    int out[2];
    if (pipe(out) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    if (rc != 0) {
      close(out[0]);
      pid_ = -1;
      return;
    }
    stdout_ = fdopen(out[0], "r");
    char line[512];
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline && fgets(line, sizeof line, stdout_)) {
      std::string s(line);
      if (size_t at = s.find("health on "); at != std::string::npos) {
        health_address_ = s.substr(at + 10);
        health_address_ = health_address_.substr(0, health_address_.find_first_of(" \n"));
        continue;
      }
      const std::string marker = "listening on ";
      if (size_t at = s.find(marker); at != std::string::npos) {
        address_ = s.substr(at + marker.size());
        address_ = address_.substr(0, address_.find(' '));
        break;
      }
    }
  }

  ~ServerProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (stdout_ != nullptr) fclose(stdout_);
    if (!db_path_.empty()) {
      for (const char* suffix : {"", "-wal", "-shm"}) std::remove((db_path_ + suffix).c_str());
    }
  }

  const std::string& address() const { return address_; }
  // The --health_listen address bound, when one was asked for.
  const std::string& health_address() const { return health_address_; }
  pid_t pid() const { return pid_; }

  // Sends `signal` and waits (up to 15 s) for the exit status; -1 on timeout.
  int Stop(int signal) {
    if (pid_ <= 0) return -1;
    kill(pid_, signal);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return status;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }

 private:
  static inline int counter_ = 0;
  pid_t pid_ = -1;
  FILE* stdout_ = nullptr;
  std::string db_path_;
  std::string address_;
  std::string health_address_;
};

}  // namespace ethrec::testing

#endif  // ETHREC_TESTS_SERVICE_SERVER_PROCESS_H_
