// Test-only: renders a page in headless Chromium and reads the DOM it ends
// with (after the page's scripts ran), for tests of the HTML report.
//
// Needs Chromium: `chromium` on the PATH (deploy/install-deps.sh installs
// it), or the binary named by ETHREC_CHROMIUM. Tests should fail, not skip,
// without it:
//
//   const std::string chromium = FindChromium();
//   ASSERT_TRUE(ChromiumUsable(chromium));
//   const std::string dom = RenderedDom(chromium, "/abs/report.html", "#sort=id", dir + "/profile");
//   EXPECT_EQ(TextAfter(dom, "id=\"open-count\""), "5");
#ifndef ETHREC_TESTS_TESTING_CHROMIUM_H_
#define ETHREC_TESTS_TESTING_CHROMIUM_H_

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ethrec::testing {

// How long one Chromium run may take before its process group is killed.
inline constexpr absl::Duration kBrowserTimeout = absl::Seconds(60);

// ETHREC_CHROMIUM, else `chromium` found on the PATH; "" when neither.
inline std::string FindChromium() {
  if (const char* env = std::getenv("ETHREC_CHROMIUM"); env != nullptr && *env != '\0') return env;
  const char* path = std::getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path != nullptr ? path : "/usr/bin:/bin", ':')) {
    const std::string candidate = absl::StrCat(dir, "/chromium");
    if (!dir.empty() && access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// Success when `chromium` (from FindChromium) names an executable; else a
// failure saying how to get one. Use with ASSERT_TRUE, so that a test
// without Chromium fails rather than skips.
inline ::testing::AssertionResult ChromiumUsable(const std::string& chromium) {
  if (chromium.empty()) {
    return ::testing::AssertionFailure()
           << "Chromium is needed: install the Debian package chromium (deploy/install-deps.sh), or set "
              "ETHREC_CHROMIUM to a Chromium binary";
  }
  if (access(chromium.c_str(), X_OK) != 0) {
    return ::testing::AssertionFailure() << chromium << " (ETHREC_CHROMIUM) is not an executable";
  }
  return ::testing::AssertionSuccess();
}

struct BrowserRun {
  bool timed_out = false;
  int exit_status = -1;
  std::string dom;  // stdout: the serialised DOM
};

// Runs `argv` in its own process group with stdout captured and stderr
// (Chromium's noise) discarded. After `timeout` the whole group is killed.
inline BrowserRun RunBrowser(const std::vector<std::string>& argv, absl::Duration timeout = kBrowserTimeout) {
  BrowserRun run;
  int out[2];
  if (pipe(out) != 0) {
    ADD_FAILURE() << "pipe: " << errno;
    return run;
  }
  const pid_t pid = fork();
  if (pid < 0) {
    ADD_FAILURE() << "fork: " << errno;
    close(out[0]);
    close(out[1]);
    return run;
  }
  if (pid == 0) {
    setpgid(0, 0);
    dup2(out[1], STDOUT_FILENO);
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, STDERR_FILENO);
    close(out[0]);
    close(out[1]);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(out[1]);
  setpgid(pid, pid);  // also here, so that the kill below cannot miss the group
  const absl::Time deadline = absl::Now() + timeout;
  char buf[65536];
  while (true) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      run.timed_out = true;
      break;
    }
    pollfd p{.fd = out[0], .events = POLLIN};
    const int ready = poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    const ssize_t n = read(out[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    run.dom.append(buf, static_cast<size_t>(n));
  }
  close(out[0]);
  if (run.timed_out) kill(-pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  kill(-pid, SIGKILL);  // helpers Chromium may have left behind
  run.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

// The DOM headless Chromium ends with for the page at `html_path` (an
// absolute path) opened with `fragment` (e.g. "#sort=id", or ""), using
// `profile_dir` as its profile (created; the caller removes it). Adds a
// failure when Chromium times out, fails or prints no DOM.
inline std::string RenderedDom(const std::string& chromium, const std::string& html_path,
                               absl::string_view fragment, const std::string& profile_dir) {
  BrowserRun run = RunBrowser({chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                               "--no-first-run", absl::StrCat("--user-data-dir=", profile_dir), "--dump-dom",
                               absl::StrCat("file://", html_path, fragment)});
  EXPECT_FALSE(run.timed_out) << "Chromium did not finish within " << kBrowserTimeout;
  EXPECT_EQ(run.exit_status, 0) << chromium;
  EXPECT_THAT(run.dom, ::testing::HasSubstr("</html>")) << "no DOM from " << chromium;
  return run.dom;
}

// The text right after `marker` (e.g. `id="open-count"`) up to the next
// tag, or "<missing>" when `marker` is not in `dom`.
inline std::string TextAfter(absl::string_view dom, absl::string_view marker) {
  const size_t at = dom.find(marker);
  if (at == absl::string_view::npos) return "<missing>";
  const size_t tag_end = dom.find('>', at);
  if (tag_end == absl::string_view::npos) return "<missing>";
  const size_t start = tag_end + 1;
  return std::string(dom.substr(start, dom.find('<', start) - start));
}

// The data-finding-id of each table row, in DOM order.
inline std::vector<std::string> RowIds(absl::string_view dom) {
  std::vector<std::string> ids;
  constexpr absl::string_view kRow = "<tr data-finding-id=\"";
  for (size_t at = dom.find(kRow); at != absl::string_view::npos; at = dom.find(kRow, at + 1)) {
    const size_t start = at + kRow.size();
    ids.emplace_back(dom.substr(start, dom.find('"', start) - start));
  }
  return ids;
}

}  // namespace ethrec::testing

#endif  // ETHREC_TESTS_TESTING_CHROMIUM_H_
