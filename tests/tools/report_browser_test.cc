// The findings report in a real browser: writes a report of synthetic
// findings, has headless Chromium load it and dump the DOM after its script
// ran, and checks what a reader sees: the counts, the table rows, that the
// script ran under the page's Content-Security-Policy, that hostile data did
// not run, and that a #sort= fragment sorts the table.
//
// Needs Chromium: `chromium` on the PATH (deploy/install-deps.sh installs
// it), or the binary named by ETHREC_CHROMIUM. Without it the tests fail.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/findings_fixtures.h"
#include "tools/report.h"

namespace ethrec::tools {
namespace {

using ::ethrec::testing::MakeFinding;
using ::ethrec::testing::SummaryOf;
using ::ethrec::testing::TestLabels;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::Duration kBrowserTimeout = absl::Seconds(60);

// ETHREC_CHROMIUM, else `chromium` found on the PATH; "" when neither.
std::string FindChromium() {
  if (const char* env = std::getenv("ETHREC_CHROMIUM"); env != nullptr && *env != '\0') return env;
  const char* path = std::getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path != nullptr ? path : "/usr/bin:/bin", ':')) {
    const std::string candidate = absl::StrCat(dir, "/chromium");
    if (!dir.empty() && access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

struct BrowserRun {
  bool timed_out = false;
  int exit_status = -1;
  std::string dom;  // stdout: the serialised DOM
};

// Runs `argv` in its own process group with stdout captured and stderr
// (Chromium's noise) discarded. After kBrowserTimeout the whole group is
// killed.
BrowserRun RunBrowser(const std::vector<std::string>& argv) {
  BrowserRun run;
  int out[2];
  if (pipe(out) != 0) {
    ADD_FAILURE() << "pipe: " << errno;
    return run;
  }
  const pid_t pid = fork();
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
  const absl::Time deadline = absl::Now() + kBrowserTimeout;
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

class ReportBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = FindChromium();
    ASSERT_FALSE(chromium_.empty())
        << "Chromium is needed: install the Debian package chromium (deploy/install-deps.sh), or set "
           "ETHREC_CHROMIUM to a Chromium binary";
    ASSERT_EQ(access(chromium_.c_str(), X_OK), 0) << chromium_ << " (ETHREC_CHROMIUM) is not an executable";
    dir_ = absl::StrCat(::testing::TempDir(), "/report_browser_test_",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::vector<v1::Finding> findings = {
        MakeFinding(11, v1::SELF_ID_MISMATCH, v1::HIGH, v1::OPEN, "north-csc", "csc-11", "Recorded as White other"),
        MakeFinding(12, v1::DETAIL_LOST, v1::LOW, v1::ACKNOWLEDGED, "south-gp", "gp-12", "Somali detail missing"),
        MakeFinding(13, v1::AGENCY_DISAGREEMENT, v1::MEDIUM, v1::OPEN, "east-school", "sch-13", "School differs"),
        MakeFinding(14, v1::CLASSIFICATION_LIMIT, v1::INFO, v1::OPEN, "south-gp", "gp-14", "No Roma code"),
        // Hostile data: run, it would mark the page.
        MakeFinding(15, v1::MISSING, v1::MEDIUM, v1::OPEN, "<script>document.body.dataset.pwned='1'</script>",
                    "<img src=x onerror=\"document.body.dataset.pwned='2'\">", "</td><script>x()</script>"),
    };
    ReportInput input;
    input.summary = SummaryOf(findings, {{"north-csc", {8, 6}}, {"south-gp", {5, 1}}, {"east-school", {4, 4}}}, 12);
    input.findings = std::move(findings);
    input.labels = TestLabels();
    input.generated_at = absl::FromUnixSeconds(1795777200);
    input.title = "Browser test report";
    absl::StatusOr<ReportPaths> paths = WriteReport(dir_, input);
    ASSERT_TRUE(paths.ok()) << paths.status();
    html_ = std::filesystem::absolute(paths->html).string();
  }

  // The report stays for a look after a failure; the browser profile goes.
  void TearDown() override { std::filesystem::remove_all(dir_ + "/profile"); }

  // The DOM Chromium renders for the report, opened with `fragment`.
  std::string RenderedDom(absl::string_view fragment = "") {
    BrowserRun run = RunBrowser({chromium_, "--headless=new", "--no-sandbox", "--disable-gpu",
                                 "--disable-dev-shm-usage", "--no-first-run",
                                 absl::StrCat("--user-data-dir=", dir_, "/profile"), "--dump-dom",
                                 absl::StrCat("file://", html_, fragment)});
    EXPECT_FALSE(run.timed_out) << "Chromium did not finish within " << kBrowserTimeout;
    EXPECT_EQ(run.exit_status, 0) << chromium_;
    EXPECT_THAT(run.dom, HasSubstr("</html>")) << "no DOM from " << chromium_;
    return run.dom;
  }

  std::string chromium_;
  std::string dir_;
  std::string html_;
};

// The text right after `marker` up to the next tag, or "<missing>".
std::string TextAfter(absl::string_view dom, absl::string_view marker) {
  const size_t at = dom.find(marker);
  if (at == absl::string_view::npos) return "<missing>";
  const size_t start = dom.find('>', at) + 1;
  return std::string(dom.substr(start, dom.find('<', start) - start));
}

// The data-finding-id of each table row, in DOM order.
std::vector<std::string> RowIds(absl::string_view dom) {
  std::vector<std::string> ids;
  constexpr absl::string_view kRow = "<tr data-finding-id=\"";
  for (size_t at = dom.find(kRow); at != absl::string_view::npos; at = dom.find(kRow, at + 1)) {
    const size_t start = at + kRow.size();
    ids.emplace_back(dom.substr(start, dom.find('"', start) - start));
  }
  return ids;
}

TEST_F(ReportBrowserTest, ShowsTheCountsAndRunsTheScript) {
  const std::string dom = RenderedDom();
  EXPECT_EQ(TextAfter(dom, "id=\"open-count\""), "5");
  EXPECT_EQ(TextAfter(dom, "id=\"acknowledged-count\""), "1");
  EXPECT_EQ(TextAfter(dom, "id=\"children-count\""), "12");
  EXPECT_EQ(TextAfter(dom, "id=\"row-count\""), "5");
  EXPECT_EQ(TextAfter(dom, "data-agency=\"south-gp\""), "2");
  EXPECT_EQ(TextAfter(dom, "data-agency=\"north-csc\""), "1");
  EXPECT_EQ(TextAfter(dom, "data-kind=\"MISSING\""), "1");
  EXPECT_EQ(TextAfter(dom, "data-kind=\"OUTDATED\""), "0");
  EXPECT_EQ(TextAfter(dom, "data-completeness=\"north-csc\""), "75%");
  EXPECT_EQ(TextAfter(dom, "data-completeness=\"south-gp\""), "20%");
  EXPECT_EQ(TextAfter(dom, "data-completeness=\"east-school\""), "100%");
  EXPECT_THAT(dom, HasSubstr("data-sortable=\"ready\"")) << "the inline script did not run";
  EXPECT_THAT(dom, HasSubstr("<button type=\"button\" class=\"sort\">"));
  EXPECT_EQ(TextAfter(dom, "id=\"sort-note\""), "most severe first");
  EXPECT_THAT(RowIds(dom), ElementsAre("11", "13", "15", "12", "14"));
}

TEST_F(ReportBrowserTest, HostileDataDoesNotRun) {
  const std::string dom = RenderedDom();
  EXPECT_THAT(dom, Not(HasSubstr("data-pwned")));
  EXPECT_THAT(dom, Not(HasSubstr("<img")));
  EXPECT_THAT(dom, HasSubstr("data-sortable=\"ready\""));
}

TEST_F(ReportBrowserTest, FragmentSortsTheTable) {
  const struct {
    const char* fragment;
    const char* sorted_by;
    const char* note;
    std::vector<std::string> rows;
  } cases[] = {
      {"#sort=id", "id:asc", "sorted by ID, ascending", {"11", "12", "13", "14", "15"}},
      {"#sort=id:desc", "id:desc", "sorted by ID, descending", {"15", "14", "13", "12", "11"}},
      {"#sort=severity:asc", "severity:asc", "sorted by Severity, ascending", {"14", "12", "13", "15", "11"}},
      {"#sort=raised", "raised:desc", "sorted by Last raised, descending", {"15", "14", "13", "12", "11"}},
      {"#sort=record", "record:asc", "sorted by Agency record ID, ascending", {"15", "11", "12", "14", "13"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.fragment);
    const std::string dom = RenderedDom(c.fragment);
    EXPECT_THAT(dom, HasSubstr(absl::StrCat("data-sorted-by=\"", c.sorted_by, "\"")));
    EXPECT_EQ(TextAfter(dom, "id=\"sort-note\""), c.note);
    EXPECT_EQ(RowIds(dom), c.rows);
  }
}

}  // namespace
}  // namespace ethrec::tools
