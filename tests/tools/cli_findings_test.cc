// The `ethrec` findings, review and report commands, run in-process through
// RunCli against an in-process fake FindingsService: what they print, what
// they ask the server, their exit statuses and their usage errors.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tests/testing/cli_run.h"
#include "tests/testing/fake_findings_server.h"
#include "tests/testing/findings_fixtures.h"
#include "tools/cli.h"

namespace ethrec::tools {
namespace {

using ::ethrec::testing::FakeFindingsServer;
using ::ethrec::testing::MakeFinding;
using ::ethrec::testing::SummaryOf;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::SizeIs;
using ::testing::StartsWith;

using ::ethrec::testing::CliRun;

std::vector<std::string> Lines(const std::string& text) { return absl::StrSplit(text, '\n', absl::SkipEmpty()); }

rapidjson::Document Json(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  EXPECT_FALSE(doc.HasParseError()) << "not JSON: " << text;
  return doc;
}

class CliFindingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.findings.findings = {
        MakeFinding(1, v1::SELF_ID_MISMATCH, v1::HIGH, v1::OPEN, "north-csc", "csc-1", "Recorded as White other"),
        MakeFinding(2, v1::DETAIL_LOST, v1::LOW, v1::ACKNOWLEDGED, "south-gp", "gp-2", "Somali detail missing"),
        MakeFinding(3, v1::MISSING, v1::MEDIUM, v1::RESOLVED, "north-csc", "csc-3", "Not known"),
        MakeFinding(4, v1::AGENCY_DISAGREEMENT, v1::MEDIUM, v1::OPEN, "east-school", "sch-4", "School differs"),
    };
    server_.findings.summary =
        SummaryOf(server_.findings.findings, {{"north-csc", {4, 3}}, {"south-gp", {2, 1}}}, 6);
  }

  // `ethrec --server ... --agency county-dq --role data-quality-officer ARGS`.
  CliRun Run(const std::vector<std::string>& args) {
    std::vector<std::string> all = {"--server", server_.address(), "--agency", "county-dq", "--role",
                                    "data-quality-officer"};
    all.insert(all.end(), args.begin(), args.end());
    return ::ethrec::testing::RunEthrec(all);
  }

  FakeFindingsServer server_;
};

TEST_F(CliFindingsTest, FindingsPrintsATableOfWhatNeedsWork) {
  CliRun r = Run({"findings"});
  ASSERT_EQ(r.exit, kExitOk) << r.err;
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_THAT(lines, SizeIs(4));
  EXPECT_THAT(lines[0], StartsWith("ID  STATUS"));
  EXPECT_THAT(lines[1], MatchesRegex("1 +OPEN +HIGH +SELF_ID_MISMATCH +north-csc +csc-1 +Recorded as White other"));
  EXPECT_THAT(lines[2], StartsWith("2   ACKNOWLEDGED"));
  EXPECT_THAT(lines[3], StartsWith("4   OPEN"));
  ASSERT_THAT(server_.findings.list_requests(), SizeIs(1));
  EXPECT_THAT(server_.findings.list_requests()[0].statuses(), IsEmpty());
  EXPECT_EQ(server_.findings.callers()[0].role, "data-quality-officer");
}

TEST_F(CliFindingsTest, FiltersGoToTheServer) {
  CliRun r = Run({"findings", "--agency", "north-csc", "--kind", "self-id-mismatch", "--kind", "MISSING,detail_lost",
                  "--severity", "medium", "--status", "open", "--status", "RESOLVED", "--since",
                  "2026-11-27T00:00:00Z", "--until", "2026-11-28T00:00:00+01:00", "--page-size", "1", "--json"});
  ASSERT_EQ(r.exit, kExitOk) << r.err;
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_THAT(lines, SizeIs(2));
  EXPECT_EQ(Json(lines[0])["finding_id"].GetInt64(), 1);
  EXPECT_STREQ(Json(lines[1])["status"].GetString(), "RESOLVED");
  const std::vector<v1::ListFindingsRequest> pages = server_.findings.list_requests();
  ASSERT_THAT(pages, SizeIs(2));  // a page of 1, and a last page
  const v1::ListFindingsRequest& q = pages[0];
  EXPECT_EQ(q.agency(), "north-csc");
  EXPECT_THAT(q.kinds(), ElementsAre(v1::SELF_ID_MISMATCH, v1::MISSING, v1::DETAIL_LOST));
  EXPECT_EQ(q.min_severity(), v1::MEDIUM);
  EXPECT_THAT(q.statuses(), ElementsAre(v1::OPEN, v1::RESOLVED));
  EXPECT_EQ(q.raised_after().seconds(), 1795737600);   // 2026-11-27T00:00:00Z
  EXPECT_EQ(q.raised_before().seconds(), 1795820400);  // 2026-11-27T23:00:00Z
  EXPECT_EQ(q.page_size(), 1);
}

TEST_F(CliFindingsTest, SummaryPrintsJson) {
  CliRun r = Run({"findings", "summary"});
  ASSERT_EQ(r.exit, kExitOk) << r.err;
  rapidjson::Document doc = Json(r.out);
  EXPECT_EQ(doc["children"].GetInt64(), 6);
  EXPECT_EQ(doc["counts"].Size(), 4u);
  EXPECT_EQ(doc["completeness"].Size(), 2u);
}

TEST_F(CliFindingsTest, GetPrintsOneFinding) {
  CliRun r = Run({"findings", "get", "--finding", "2"});
  ASSERT_EQ(r.exit, kExitOk) << r.err;
  EXPECT_STREQ(Json(r.out)["record_id"].GetString(), "gp-2");

  r = Run({"findings", "get", "--finding", "99"});
  EXPECT_EQ(r.exit, kExitError);
  EXPECT_THAT(r.err, HasSubstr("\"code\":\"NOT_FOUND\""));
}

TEST_F(CliFindingsTest, ReviewPrintsTheFindingAsItNowIs) {
  CliRun r = Run({"review", "--finding", "1", "--action", "resolve", "--note", "corrected with the family"});
  ASSERT_EQ(r.exit, kExitOk) << r.err;
  rapidjson::Document doc = Json(r.out);
  EXPECT_STREQ(doc["status"].GetString(), "RESOLVED");
  EXPECT_STREQ(doc["history"][1]["note"].GetString(), "corrected with the family");
  EXPECT_STREQ(doc["history"][1]["by_agency"].GetString(), "county-dq");

  r = Run({"review", "--finding", "1", "--action", "Acknowledge"});
  EXPECT_EQ(r.exit, kExitError);
  EXPECT_THAT(r.err, AllOf(StartsWith("ethrec: {"), HasSubstr("FAILED_PRECONDITION")));
}

TEST_F(CliFindingsTest, ReportWritesBothFilesAndSaysWhere) {
  const std::string dir = ::testing::TempDir() + "/cli_findings_report";
  std::filesystem::remove_all(dir);
  CliRun r = Run({"report", "--out", dir});
  ASSERT_EQ(r.exit, kExitOk) << r.err;
  EXPECT_THAT(Lines(r.out), ElementsAre(dir + "/ethrec-report.html", dir + "/ethrec-findings.csv",
                                        MatchesRegex("3 open finding\\(s\\): 3 listed in the HTML table, 3 in the CSV; "
                                                     "2 agency\\(ies\\); took .*s")));
  std::ifstream html(dir + "/ethrec-report.html");
  std::stringstream text;
  text << html.rdbuf();
  EXPECT_THAT(text.str(), AllOf(HasSubstr("<title>Ethnicity recording findings</title>"),
                                HasSubstr("id=\"row-count\">3<"), HasSubstr("<li>White: Roma</li>")));
  ASSERT_THAT(server_.findings.list_requests(), SizeIs(1));
  EXPECT_THAT(server_.findings.list_requests()[0].statuses(), IsEmpty()) << "OPEN and ACKNOWLEDGED";
}

// More findings than the HTML table lists: the CLI says how many each file
// has.
TEST_F(CliFindingsTest, ReportSaysWhenTheTableListsOnlyTheMostSevere) {
  std::vector<v1::Finding> many;
  for (int id = 1; id <= 5003; ++id) {
    many.push_back(MakeFinding(id, v1::DETAIL_LOST, id % 2 == 0 ? v1::LOW : v1::MEDIUM, v1::OPEN, "north-csc",
                               absl::StrCat("csc-", id), "Somali detail missing"));
  }
  server_.findings.summary = SummaryOf(many, {{"north-csc", {5003, 0}}}, 5003);
  server_.findings.findings = std::move(many);
  const std::string dir = ::testing::TempDir() + "/cli_findings_report_many";
  std::filesystem::remove_all(dir);
  CliRun r = Run({"report", "--out", dir});
  ASSERT_EQ(r.exit, kExitOk) << r.err;
  EXPECT_THAT(Lines(r.out),
              ElementsAre(dir + "/ethrec-report.html", dir + "/ethrec-findings.csv",
                          MatchesRegex("5003 open finding\\(s\\): 5000 listed in the HTML table \\(the most "
                                       "severe\\), 5003 in the CSV; 1 agency\\(ies\\); took .*s")));
  std::ifstream html(dir + "/ethrec-report.html");
  std::stringstream text;
  text << html.rdbuf();
  EXPECT_THAT(text.str(), HasSubstr("Showing the <span id=\"row-count\">5,000</span> most severe of <span "
                                    "id=\"total-count\">5,003</span> open findings"));
}

TEST_F(CliFindingsTest, ReportIntoAFileFailsNamingIt) {
  const std::string file = ::testing::TempDir() + "/cli_findings_not_a_dir";
  std::ofstream(file) << "x";
  CliRun r = Run({"report", "--out", file, "--agency", "north-csc"});
  EXPECT_EQ(r.exit, kExitError);
  EXPECT_THAT(r.err, HasSubstr(file));
}

// Bad command lines: exit 2, a message naming the option and value, and no
// call to the server.
TEST_F(CliFindingsTest, BadCommandLinesExitTwo) {
  struct Case {
    std::vector<std::string> args;
    const char* message;
  };
  const Case cases[] = {
      {{"findings", "--kind", "SELF_ID_MISMATCH,ROMA"},
       "--kind \"ROMA\" is not a finding kind: SELF_ID_MISMATCH, AGENCY_DISAGREEMENT, CLASSIFICATION_LIMIT, "
       "DETAIL_LOST, OUTDATED, NOT_SELF_DEFINED or MISSING"},
      {{"findings", "--kind", ""}, "--kind \"\" is not a finding kind"},
      {{"findings", "--kind", "FINDING_KIND_UNSPECIFIED"}, "is not a finding kind"},
      {{"findings", "--severity", "urgent"}, "--severity \"urgent\" is not a severity: INFO, LOW, MEDIUM or HIGH"},
      {{"findings", "--status", "open,closed"},
       "--status \"closed\" is not a finding status: OPEN, ACKNOWLEDGED, RESOLVED or CLEARED"},
      {{"findings", "--since", "yesterday"}, "--since \"yesterday\" is not an RFC 3339 time"},
      {{"findings", "--until", "2026-13-01T00:00:00Z"}, "--until \"2026-13-01T00:00:00Z\" is not an RFC 3339 time"},
      {{"findings", "--since", "2026-11-28T00:00:00Z", "--until", "2026-11-27T00:00:00Z"},
       "--since \"2026-11-28T00:00:00Z\" must be before --until \"2026-11-27T00:00:00Z\""},
      {{"findings", "--page-size", "0"}, "--page-size \"0\" must be a whole number from 1 to 1000"},
      {{"findings", "--page-size", "1001"}, "--page-size \"1001\" must be"},
      {{"findings", "--page-size", "ten"}, "--page-size \"ten\" must be"},
      {{"findings", "--severity", "LOW", "--severity", "HIGH"}, "option --severity is given twice"},
      {{"findings", "--out", "x"}, "command findings has no option --out"},
      {{"findings", "summary", "--kind", "MISSING"}, "command findings summary has no option --kind"},
      {{"findings", "extra"}, "unexpected argument \"extra\""},
      {{"findings", "get"}, "findings get needs --finding"},
      {{"findings", "get", "--finding", "abc"}, "--finding \"abc\" is not a finding id"},
      {{"review", "--finding", "1"}, "review needs --finding and --action"},
      {{"review", "--finding", "0", "--action", "reopen"}, "--finding \"0\" is not a finding id"},
      {{"review", "--finding", "1", "--action", "close"}, "--action \"close\" must be acknowledge, resolve or reopen"},
      {{"review", "--finding", "1", "--action", "resolve"}, "--action resolve needs --note"},
      {{"report"}, "report needs --out DIR"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrJoin(c.args, " "));
    CliRun r = Run(c.args);
    EXPECT_EQ(r.exit, kExitUsage);
    EXPECT_THAT(r.out, IsEmpty());
    EXPECT_THAT(r.err, AllOf(StartsWith("ethrec: "), HasSubstr(c.message)));
  }
  EXPECT_THAT(server_.findings.callers(), IsEmpty());
}

TEST(CliFindingsUsageTest, NeedServer) {
  for (const char* command : {"findings", "review", "report"}) {
    std::ostringstream out, err;
    EXPECT_EQ(RunCli({command}, out, err), kExitUsage) << command;
    EXPECT_THAT(err.str(), HasSubstr("findings/review/report need --server")) << command;
  }
}

}  // namespace
}  // namespace ethrec::tools
