// The findings report (tools/report.h) over synthetic findings: the counts
// the page shows, escaping of hostile data, no network fetch, the CSV's
// quoting and formula-injection guard, and WriteReport's files and errors.
#include "tools/report.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/files.h"
#include "tests/testing/findings_fixtures.h"
#include "tests/testing/status_matchers.h"
#include "tools/csv.h"

namespace ethrec::tools {
namespace {

using ::ethrec::testing::MakeFinding;
using ::ethrec::testing::StatusIs;
using ::ethrec::testing::SummaryOf;
using ::ethrec::testing::TestLabels;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

ReportInput Input(std::vector<v1::Finding> findings,
                  const std::map<std::string, std::pair<int64_t, int64_t>>& completeness = {}) {
  ReportInput input;
  input.summary = SummaryOf(findings, completeness, 40);
  input.findings = std::move(findings);
  input.labels = TestLabels();
  input.generated_at = absl::FromUnixSeconds(1795777200);  // 2026-11-27T11:00:00Z
  input.title = "Ethnicity recording findings";
  return input;
}

// The text right after `marker` (e.g. `id="open-count"`) up to the next
// tag, or "<missing>" when `marker` is not in `html`.
std::string TextAfter(absl::string_view html, absl::string_view marker) {
  const size_t at = html.find(marker);
  if (at == absl::string_view::npos) return "<missing>";
  const size_t start = html.find('>', at) + 1;
  return std::string(html.substr(start, html.find('<', start) - start));
}

int Occurrences(absl::string_view text, absl::string_view what) {
  int n = 0;
  for (size_t at = text.find(what); at != absl::string_view::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The data-finding-id of each table row, in page order.
std::vector<std::string> RowIds(absl::string_view html) {
  std::vector<std::string> ids;
  constexpr absl::string_view kRow = "<tr data-finding-id=\"";
  for (size_t at = html.find(kRow); at != absl::string_view::npos; at = html.find(kRow, at + 1)) {
    const size_t start = at + kRow.size();
    ids.emplace_back(html.substr(start, html.find('"', start) - start));
  }
  return ids;
}

// Every value of attribute `name` (e.g. "href") in `html`.
std::vector<std::string> AttributeValues(absl::string_view html, absl::string_view name) {
  std::vector<std::string> values;
  const std::string marker = absl::StrCat(" ", name, "=\"");
  for (size_t at = html.find(marker); at != absl::string_view::npos; at = html.find(marker, at + 1)) {
    const size_t start = at + marker.size();
    values.emplace_back(html.substr(start, html.find('"', start) - start));
  }
  return values;
}

std::vector<CsvRecord> ParseCsv(const std::string& csv) {
  std::istringstream in(csv);
  CsvReader reader(&in);
  std::vector<CsvRecord> records;
  CsvRecord record;
  while (true) {
    absl::StatusOr<bool> more = reader.Next(&record);
    EXPECT_TRUE(more.ok()) << more.status();
    if (!more.ok() || !*more) break;
    records.push_back(record);
  }
  return records;
}

using ::ethrec::testing::ReadFile;

// ---------------------------------------------------------------------------
// Counts

TEST(ReportHtmlTest, CountsMatchTheInput) {
  struct Case {
    const char* name;
    std::vector<v1::Finding> findings;
    std::map<std::string, std::pair<int64_t, int64_t>> completeness;
    const char* open;
    const char* acknowledged;
    const char* resolved;
    std::vector<std::pair<const char*, const char*>> by_agency;
    std::vector<std::pair<const char*, const char*>> by_kind;
    std::vector<std::pair<const char*, const char*>> completeness_text;
  };
  const Case cases[] = {
      {"one open finding",
       {MakeFinding(1, v1::SELF_ID_MISMATCH, v1::HIGH, v1::OPEN, "north-csc", "r-1", "differs")},
       {{"north-csc", {4, 3}}},
       "1",
       "0",
       "0",
       {{"north-csc", "1"}},
       {{"SELF_ID_MISMATCH", "1"}, {"AGENCY_DISAGREEMENT", "0"}, {"MISSING", "0"}},
       {{"north-csc", "75%"}}},
      {"acknowledged counts as open, resolved does not",
       {MakeFinding(1, v1::SELF_ID_MISMATCH, v1::HIGH, v1::OPEN, "north-csc", "r-1", "a"),
        MakeFinding(2, v1::SELF_ID_MISMATCH, v1::HIGH, v1::ACKNOWLEDGED, "north-csc", "r-2", "b"),
        MakeFinding(3, v1::DETAIL_LOST, v1::LOW, v1::RESOLVED, "south-gp", "r-3", "c"),
        MakeFinding(4, v1::MISSING, v1::MEDIUM, v1::OPEN, "south-gp", "r-4", "d"),
        MakeFinding(5, v1::AGENCY_DISAGREEMENT, v1::HIGH, v1::OPEN, "east-school", "r-5", "e")},
       {{"north-csc", {10, 7}}, {"south-gp", {3, 0}}, {"east-school", {3, 2}}, {"west-police", {0, 0}}},
       "4",
       "1",
       "1",
       {{"north-csc", "2"}, {"south-gp", "1"}, {"east-school", "1"}, {"west-police", "0"}},
       {{"SELF_ID_MISMATCH", "2"},
        {"DETAIL_LOST", "0"},
        {"MISSING", "1"},
        {"AGENCY_DISAGREEMENT", "1"},
        {"OUTDATED", "0"}},
       {{"north-csc", "70%"}, {"south-gp", "0%"}, {"east-school", "66%"}, {"west-police", "0%"}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ReportInput input = Input(c.findings, c.completeness);
    // The table lists what needs work, as the CLI fetches it.
    std::erase_if(input.findings, [](const v1::Finding& f) { return f.status() == v1::RESOLVED; });
    const std::string html = RenderReportHtml(input);
    EXPECT_EQ(TextAfter(html, "id=\"open-count\""), c.open);
    EXPECT_EQ(TextAfter(html, "id=\"acknowledged-count\""), c.acknowledged);
    EXPECT_EQ(TextAfter(html, "id=\"resolved-count\""), c.resolved);
    EXPECT_EQ(TextAfter(html, "id=\"children-count\""), "40");
    EXPECT_EQ(TextAfter(html, "id=\"row-count\""), std::to_string(input.findings.size()));
    EXPECT_EQ(RowIds(html).size(), input.findings.size());
    for (const auto& [agency, count] : c.by_agency) {
      EXPECT_EQ(TextAfter(html, absl::StrCat("data-agency=\"", agency, "\"")), count) << agency;
    }
    for (const auto& [kind, count] : c.by_kind) {
      EXPECT_EQ(TextAfter(html, absl::StrCat("data-kind=\"", kind, "\"")), count) << kind;
    }
    for (const auto& [agency, text] : c.completeness_text) {
      EXPECT_EQ(TextAfter(html, absl::StrCat("data-completeness=\"", agency, "\"")), text) << agency;
    }
  }
}

TEST(ReportHtmlTest, EveryKindIsChartedAndExplained) {
  const std::string html = RenderReportHtml(Input({}));
  for (const char* kind : {"SELF_ID_MISMATCH", "AGENCY_DISAGREEMENT", "CLASSIFICATION_LIMIT", "DETAIL_LOST",
                           "OUTDATED", "NOT_SELF_DEFINED", "MISSING"}) {
    EXPECT_EQ(TextAfter(html, absl::StrCat("data-kind=\"", kind, "\"")), "0") << kind;
    EXPECT_THAT(html, HasSubstr(absl::StrCat("<dt id=\"kind-", kind, "\">"))) << kind;
  }
}

TEST(ReportHtmlTest, TableIsMostSevereFirstThenById) {
  const std::string html = RenderReportHtml(Input({
      MakeFinding(7, v1::DETAIL_LOST, v1::LOW, v1::OPEN, "a", "r-7", "x"),
      MakeFinding(3, v1::SELF_ID_MISMATCH, v1::HIGH, v1::OPEN, "a", "r-3", "x"),
      MakeFinding(9, v1::SELF_ID_MISMATCH, v1::HIGH, v1::ACKNOWLEDGED, "a", "r-9", "x"),
      MakeFinding(1, v1::CLASSIFICATION_LIMIT, v1::INFO, v1::OPEN, "a", "r-1", "x"),
  }));
  EXPECT_THAT(RowIds(html), ElementsAre("3", "9", "7", "1"));
  EXPECT_THAT(html, HasSubstr("data-sorted-by=\"severity:desc\""));
}

TEST(ReportHtmlTest, TableListsTheMostSevereUpToTheCap) {
  ReportInput input = Input({
      MakeFinding(7, v1::DETAIL_LOST, v1::LOW, v1::OPEN, "a", "r-7", "x"),
      MakeFinding(3, v1::SELF_ID_MISMATCH, v1::HIGH, v1::OPEN, "a", "r-3", "x"),
      MakeFinding(9, v1::SELF_ID_MISMATCH, v1::HIGH, v1::ACKNOWLEDGED, "a", "r-9", "x"),
      MakeFinding(1, v1::CLASSIFICATION_LIMIT, v1::INFO, v1::OPEN, "a", "r-1", "x"),
      MakeFinding(5, v1::MISSING, v1::MEDIUM, v1::OPEN, "b", "r-5", "x"),
  });
  input.max_table_rows = 2;
  const std::string html = RenderReportHtml(input);
  EXPECT_THAT(RowIds(html), ElementsAre("3", "9"));
  EXPECT_EQ(TextAfter(html, "id=\"row-count\""), "2");
  EXPECT_EQ(TextAfter(html, "id=\"total-count\""), "5");
  EXPECT_THAT(html, HasSubstr("Showing the <span id=\"row-count\">2</span> most severe of <span "
                              "id=\"total-count\">5</span> open findings; the CSV file lists all of them."));
  // The headline numbers and the charts count every finding, from the summary.
  EXPECT_EQ(TextAfter(html, "id=\"open-count\""), "5");
  EXPECT_EQ(TextAfter(html, "data-agency=\"a\""), "4");
  EXPECT_EQ(TextAfter(html, "data-kind=\"MISSING\""), "1");
  // The CSV lists all five, in the table's order.
  const std::vector<CsvRecord> records = ParseCsv(RenderFindingsCsv(input));
  ASSERT_EQ(records.size(), 6u);
  std::vector<std::string> csv_ids;
  for (size_t i = 1; i < records.size(); ++i) csv_ids.push_back(records[i].fields[0]);
  EXPECT_THAT(csv_ids, ElementsAre("3", "9", "5", "7", "1"));

  // At or above the number of findings, the table lists them all.
  for (int cap : {5, 6}) {
    input.max_table_rows = cap;
    const std::string all = RenderReportHtml(input);
    EXPECT_THAT(RowIds(all), ElementsAre("3", "9", "5", "7", "1")) << cap;
    EXPECT_EQ(TextAfter(all, "id=\"row-count\""), "5");
    EXPECT_EQ(TextAfter(all, "id=\"total-count\""), "5");
    EXPECT_THAT(all, Not(HasSubstr("Showing the"))) << cap;
  }
  // No rows at all: the table is empty, the caption still gives the total.
  for (int cap : {0, -1}) {
    input.max_table_rows = cap;
    const std::string none = RenderReportHtml(input);
    EXPECT_THAT(RowIds(none), IsEmpty()) << cap;
    EXPECT_EQ(TextAfter(none, "id=\"row-count\""), "0");
    EXPECT_EQ(TextAfter(none, "id=\"total-count\""), "5");
  }
}

TEST(ReportHtmlTest, DefaultCapIsFiveThousand) { EXPECT_EQ(ReportInput{}.max_table_rows, 5000); }

// A large deployment: 50,000 findings (100,000 children give about
// 300,000). Checks only what comes out; the rendering is linear (one sort,
// appends into reserved strings), which a slow machine would show as a
// timeout rather than as a flaky time assertion here.
TEST(ReportHtmlTest, ManyFindingsRenderCappedHtmlAndFullCsv) {
  constexpr int kFindings = 50000;
  const v1::Severity severities[] = {v1::INFO, v1::LOW, v1::MEDIUM, v1::HIGH};
  std::vector<v1::Finding> findings;
  findings.reserve(kFindings);
  for (int i = 1; i <= kFindings; ++i) {
    findings.push_back(MakeFinding(i, v1::SELF_ID_MISMATCH, severities[i % 4], i % 3 == 0 ? v1::ACKNOWLEDGED : v1::OPEN,
                                   absl::StrCat("agency-", i % 7), absl::StrCat("rec-", i),
                                   "Recorded as White other, \"Roma\" said"));
  }
  ReportInput input = Input(std::move(findings), {{"agency-1", {20000, 15000}}});
  const std::string html = RenderReportHtml(input);
  const std::vector<std::string> rows = RowIds(html);
  ASSERT_EQ(rows.size(), 5000u);
  EXPECT_EQ(rows.front(), "3");  // the HIGH ones (i % 4 == 3) first, by id
  EXPECT_EQ(rows.back(), "19999");
  EXPECT_EQ(TextAfter(html, "id=\"row-count\""), "5,000");
  EXPECT_EQ(TextAfter(html, "id=\"total-count\""), "50,000");
  EXPECT_EQ(TextAfter(html, "id=\"open-count\""), "50,000");
  EXPECT_EQ(TextAfter(html, "id=\"acknowledged-count\""), "16,666");
  EXPECT_EQ(TextAfter(html, "data-completeness=\"agency-1\""), "75%");
  EXPECT_THAT(html, HasSubstr("</html>\n"));

  const std::string csv = RenderFindingsCsv(input);
  const std::vector<CsvRecord> records = ParseCsv(csv);
  ASSERT_EQ(records.size(), kFindings + 1u);
  EXPECT_EQ(records[1].fields[0], "3");
  EXPECT_EQ(records[5000].fields[0], "19999");
  EXPECT_EQ(records[kFindings].fields[0], "50000");  // the INFO one with the highest id
  EXPECT_EQ(records[kFindings].fields[8], "Recorded as White other, \"Roma\" said");
  EXPECT_EQ(Occurrences(csv, "\r\n"), kFindings + 1);

  // WriteReport writes the same, and says how many each file lists.
  const std::string dir = ::testing::TempDir() + "/report_test_many";
  std::filesystem::remove_all(dir);
  absl::StatusOr<ReportPaths> paths = WriteReport(dir, input);
  ASSERT_TRUE(paths.ok()) << paths.status();
  EXPECT_EQ(paths->table_rows, 5000u);
  EXPECT_EQ(paths->csv_rows, static_cast<size_t>(kFindings));
  EXPECT_EQ(ReadFile(paths->html), html);
  EXPECT_EQ(ReadFile(paths->csv), csv);
}

TEST(ReportHtmlTest, CategoriesAreShownByLabel) {
  v1::Finding f = MakeFinding(1, v1::SELF_ID_MISMATCH, v1::HIGH, v1::OPEN, "a", "r-1", "x");
  f.add_reference_categories(v1::ASIAN_CHINESE);  // no label given: its taxonomy name
  const std::string html = RenderReportHtml(Input({f}));
  EXPECT_THAT(html, HasSubstr("<li>White: Other White</li>"));
  EXPECT_THAT(html, HasSubstr("<li>White: Roma</li><li>ASIAN_CHINESE</li>"));
  EXPECT_THAT(html, HasSubstr("Differs from the child&#39;s own identity"));
}

// ---------------------------------------------------------------------------
// Safety

TEST(ReportHtmlTest, HostileDataIsEscaped) {
  const std::string agency = "<script>alert('agency')</script>";
  const std::string record = "\"><img src=x onerror=alert(1)>";
  const std::string reason = "</td></tr></table><script>steal()</script> & <b>bold</b>";
  v1::Finding f = MakeFinding(1, v1::SELF_ID_MISMATCH, v1::HIGH, v1::OPEN, agency, record, reason);
  f.set_suggested_code("<svg onload=alert(2)>");
  ReportInput input = Input({f}, {{agency, {2, 1}}});
  input.title = "Findings <i>for</i> \"all\"";
  const std::string html = RenderReportHtml(input);

  EXPECT_EQ(Occurrences(html, "<script"), 1) << "only the page's own script";
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, Not(HasSubstr("<b>")));
  EXPECT_THAT(html, Not(HasSubstr("<i>")));
  EXPECT_THAT(html, Not(HasSubstr("<svg onload")));
  EXPECT_THAT(html, Not(HasSubstr("onerror=alert(1)>")));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(&#39;agency&#39;)&lt;/script&gt;"));
  EXPECT_THAT(html, HasSubstr("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
  EXPECT_THAT(html, HasSubstr("&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;steal()&lt;/script&gt; &amp; "
                              "&lt;b&gt;bold&lt;/b&gt;"));
  EXPECT_THAT(html, HasSubstr("<title>Findings &lt;i&gt;for&lt;/i&gt; &quot;all&quot;</title>"));
  // In attributes too: the chart's data attributes and the sort keys.
  EXPECT_THAT(html, HasSubstr("data-agency=\"&lt;script&gt;alert(&#39;agency&#39;)&lt;/script&gt;\""));
  EXPECT_THAT(html, HasSubstr("data-completeness=\"&lt;script&gt;"));
  EXPECT_EQ(RowIds(html).size(), 1u);
}

TEST(ReportHtmlTest, FetchesNothingFromTheNetwork) {
  const std::string html = RenderReportHtml(Input(
      {MakeFinding(1, v1::SELF_ID_MISMATCH, v1::HIGH, v1::OPEN, "north-csc", "r-1", "differs")},
      {{"north-csc", {2, 1}}}));
  EXPECT_THAT(html, Not(HasSubstr("http://")));
  EXPECT_THAT(html, Not(HasSubstr("https://")));
  EXPECT_THAT(html, Not(HasSubstr("//cdn")));
  EXPECT_THAT(html, Not(HasSubstr("@import")));
  EXPECT_THAT(html, Not(HasSubstr("url(")));
  EXPECT_THAT(AttributeValues(html, "src"), IsEmpty());
  for (const std::string& href : AttributeValues(html, "href")) {
    EXPECT_TRUE(absl::StartsWith(href, "#") || absl::StartsWith(href, "data:")) << href;
  }
  EXPECT_THAT(html, HasSubstr("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                              "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:;"));
}

TEST(ReportHtmlTest, TableIsAccessible) {
  const std::string html = RenderReportHtml(
      Input({MakeFinding(1, v1::SELF_ID_MISMATCH, v1::HIGH, v1::OPEN, "north-csc", "r-1", "differs")}));
  EXPECT_THAT(html, StartsWith("<!DOCTYPE html>\n<html lang=\"en-GB\">"));
  EXPECT_EQ(Occurrences(html, "<th scope=\"col\""), 11);
  EXPECT_THAT(html, HasSubstr("<caption>"));
  EXPECT_THAT(html, HasSubstr("role=\"img\" aria-labelledby=\"chart-kind-title chart-kind-desc\""));
  EXPECT_THAT(html, HasSubstr("<desc id=\"chart-kind-desc\">Differs from the child&#39;s own identity: 1;"));
}

TEST(ReportHtmlTest, EmptyReportIsComplete) {
  ReportInput input;
  input.generated_at = absl::FromUnixSeconds(1795777200);
  input.title = "Nothing to see";
  const std::string html = RenderReportHtml(input);
  EXPECT_THAT(html, StartsWith("<!DOCTYPE html>"));
  EXPECT_THAT(html, HasSubstr("</html>\n"));
  EXPECT_EQ(TextAfter(html, "id=\"open-count\""), "0");
  EXPECT_EQ(TextAfter(html, "id=\"row-count\""), "0");
  EXPECT_EQ(TextAfter(html, "id=\"children-count\""), "0");
  EXPECT_THAT(html, Not(HasSubstr("id=\"findings-table\"")));
  EXPECT_THAT(html, Not(HasSubstr("data-agency=")));
  EXPECT_THAT(html, HasSubstr("2026-11-27T11:00:00Z"));
  EXPECT_EQ(Occurrences(html, "<section"), Occurrences(html, "</section>"));
  EXPECT_EQ(Occurrences(html, "<svg"), Occurrences(html, "</svg>"));
}

// ---------------------------------------------------------------------------
// CSV

TEST(ReportCsvTest, HeaderAndOneRowPerFindingInTableOrder) {
  v1::Finding limit = MakeFinding(2, v1::CLASSIFICATION_LIMIT, v1::INFO, v1::OPEN, "south-gp", "gp-2", "no code");
  limit.set_suggested_code("C");
  const std::string csv = RenderFindingsCsv(Input({
      limit,
      MakeFinding(5, v1::SELF_ID_MISMATCH, v1::HIGH, v1::ACKNOWLEDGED, "north-csc", "r-5", "differs"),
  }));
  EXPECT_THAT(csv, StartsWith("\xEF\xBB\xBF" "finding_id,agency,record_id,kind,severity,status,"
                              "record_categories,reference_categories,reason,suggested_code,last_raised_at\r\n"));
  const std::vector<CsvRecord> records = ParseCsv(csv);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_THAT(records[1].fields, ElementsAre("5", "north-csc", "r-5", "SELF_ID_MISMATCH", "HIGH", "ACKNOWLEDGED",
                                             "White: Other White", "White: Roma", "differs", "",
                                             "2026-11-27T10:05:00Z"));
  EXPECT_THAT(records[2].fields, ElementsAre("2", "south-gp", "gp-2", "CLASSIFICATION_LIMIT", "INFO", "OPEN",
                                             "White: Other White", "White: Roma", "no code", "C",
                                             "2026-11-27T10:02:00Z"));
}

TEST(ReportCsvTest, QuotesFieldsThatNeedIt) {
  const std::string reason = "says \"Roma\", not\r\nWhite other";
  const std::string csv = RenderFindingsCsv(
      Input({MakeFinding(1, v1::SELF_ID_MISMATCH, v1::HIGH, v1::OPEN, "north, csc", "r-1", reason)}));
  EXPECT_THAT(csv, HasSubstr(",\"north, csc\",r-1,"));
  EXPECT_THAT(csv, HasSubstr(",\"says \"\"Roma\"\", not\r\nWhite other\","));
  const std::vector<CsvRecord> records = ParseCsv(csv);
  ASSERT_EQ(records.size(), 2u);
  ASSERT_EQ(records[1].fields.size(), 11u);
  EXPECT_EQ(records[1].fields[1], "north, csc");
  EXPECT_EQ(records[1].fields[8], reason);
}

TEST(ReportCsvTest, GuardsAgainstFormulaInjection) {
  const struct {
    std::string value;
    std::string cell;
  } cases[] = {
      {"=HYPERLINK(\"x\",\"y\")", "'=HYPERLINK(\"x\",\"y\")"},
      {"+44 1632 960000", "'+44 1632 960000"},
      {"-2+3", "'-2+3"},
      {"@SUM(A1:A2)", "'@SUM(A1:A2)"},
      {"\tTAB", "'\tTAB"},
      {"plain = fine", "plain = fine"},
      {"a-b", "a-b"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.value);
    v1::Finding f = MakeFinding(1, v1::SELF_ID_MISMATCH, v1::HIGH, v1::OPEN, c.value, c.value, c.value);
    f.set_suggested_code(c.value);
    const std::vector<CsvRecord> records = ParseCsv(RenderFindingsCsv(Input({f})));
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[1].fields[1], c.cell);  // agency
    EXPECT_EQ(records[1].fields[2], c.cell);  // record_id
    EXPECT_EQ(records[1].fields[8], c.cell);  // reason
    EXPECT_EQ(records[1].fields[9], c.cell);  // suggested_code
  }
}

TEST(ReportCsvTest, EmptyReportIsJustTheHeader) {
  const std::vector<CsvRecord> records = ParseCsv(RenderFindingsCsv(ReportInput{}));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].fields.front(), "finding_id");
}

// ---------------------------------------------------------------------------
// WriteReport

std::string FreshDir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/report_test_" + name;
  std::filesystem::remove_all(dir);
  return dir;
}

TEST(WriteReportTest, CreatesTheDirectoryAndWritesBothFiles) {
  const std::string dir = FreshDir("new") + "/nested/out";
  const ReportInput input =
      Input({MakeFinding(1, v1::SELF_ID_MISMATCH, v1::HIGH, v1::OPEN, "north-csc", "r-1", "differs")});
  absl::StatusOr<ReportPaths> paths = WriteReport(dir, input);
  ASSERT_TRUE(paths.ok()) << paths.status();
  EXPECT_EQ(paths->html, dir + "/ethrec-report.html");
  EXPECT_EQ(paths->csv, dir + "/ethrec-findings.csv");
  EXPECT_EQ(ReadFile(paths->html), RenderReportHtml(input));
  EXPECT_EQ(ReadFile(paths->csv), RenderFindingsCsv(input));
  struct stat st {};
  ASSERT_EQ(stat(paths->html.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  EXPECT_THAT(names, ElementsAre("ethrec-findings.csv", "ethrec-report.html")) << "no temporary files left";
}

TEST(WriteReportTest, ReplacesAnEarlierReport) {
  const std::string dir = FreshDir("replace");
  ASSERT_TRUE(WriteReport(dir, Input({})).ok());
  const ReportInput input =
      Input({MakeFinding(1, v1::SELF_ID_MISMATCH, v1::HIGH, v1::OPEN, "north-csc", "r-1", "differs")});
  absl::StatusOr<ReportPaths> paths = WriteReport(dir, input);
  ASSERT_TRUE(paths.ok()) << paths.status();
  EXPECT_EQ(ReadFile(paths->html), RenderReportHtml(input));
}

// Runs as root in CI, where permissions do not stop a write, so the
// unwritable directories here are ones below a regular file.
TEST(WriteReportTest, UnwritableDirectoryFailsNamingIt) {
  const std::string base = FreshDir("unwritable");
  std::filesystem::create_directories(base);
  const std::string file = base + "/a-file";
  std::ofstream(file) << "not a directory";
  EXPECT_THAT(WriteReport(file + "/out", Input({})),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("cannot create the report directory \"" + file + "/out\"")));
  EXPECT_THAT(WriteReport(file, Input({})),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("cannot create the report directory \"" + file + "\"")));
}

}  // namespace
}  // namespace ethrec::tools
