// The findings report in a real browser: writes a report of synthetic
// findings, has headless Chromium load it and dump the DOM after its script
// ran, and checks what a reader sees: the counts, the table rows, that the
// script ran under the page's Content-Security-Policy, that hostile data did
// not run, and that a #sort= fragment sorts the table.
//
// Needs Chromium: `chromium` on the PATH (deploy/install-deps.sh installs
// it), or the binary named by ETHREC_CHROMIUM. Without it the tests fail.
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/chromium.h"
#include "tests/testing/findings_fixtures.h"
#include "tools/report.h"

namespace ethrec::tools {
namespace {

using ::ethrec::testing::ChromiumUsable;
using ::ethrec::testing::FindChromium;
using ::ethrec::testing::MakeFinding;
using ::ethrec::testing::RowIds;
using ::ethrec::testing::SummaryOf;
using ::ethrec::testing::TestLabels;
using ::ethrec::testing::TextAfter;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class ReportBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = FindChromium();
    ASSERT_TRUE(ChromiumUsable(chromium_));
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
    ReportInput& input = input_;
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
    return ::ethrec::testing::RenderedDom(chromium_, html_, fragment, dir_ + "/profile");
  }

  std::string chromium_;
  std::string dir_;
  std::string html_;
  ReportInput input_;  // what html_ shows
};

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

// A table capped at 3 rows lists the 3 most severe; sorting reorders those
// and brings in no others.
TEST_F(ReportBrowserTest, CappedTableShowsTheMostSevereAndSaysSo) {
  input_.max_table_rows = 3;
  absl::StatusOr<ReportPaths> paths = WriteReport(dir_ + "/capped", input_);
  ASSERT_TRUE(paths.ok()) << paths.status();
  EXPECT_EQ(paths->table_rows, 3u);
  EXPECT_EQ(paths->csv_rows, 5u);
  html_ = std::filesystem::absolute(paths->html).string();

  std::string dom = RenderedDom();
  EXPECT_THAT(dom, HasSubstr("data-sortable=\"ready\""));
  EXPECT_EQ(TextAfter(dom, "id=\"open-count\""), "5");
  EXPECT_EQ(TextAfter(dom, "id=\"row-count\""), "3");
  EXPECT_EQ(TextAfter(dom, "id=\"total-count\""), "5");
  EXPECT_THAT(dom, HasSubstr("open findings; the CSV file lists all of them."));
  EXPECT_THAT(RowIds(dom), ElementsAre("11", "13", "15"));

  dom = RenderedDom("#sort=id:desc");
  EXPECT_THAT(dom, HasSubstr("data-sorted-by=\"id:desc\""));
  EXPECT_THAT(RowIds(dom), ElementsAre("15", "13", "11"));
}

}  // namespace
}  // namespace ethrec::tools
