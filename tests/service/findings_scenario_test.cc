// End to end: six agencies load their extracts (tests/testdata/scenario, one
// CSV each) into the real ethrecd through `ethrec import`, and the findings,
// summary, access rules and review workflow come out exactly as expected
// over gRPC; `ethrec report` writes the report, which headless Chromium
// renders with the expected numbers and without any NHS number. Synthetic
// data only (see the scenario's README.md).
//
// The report test needs Chromium (see tests/testing/chromium.h); without it
// that test fails.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ethrec/v1/findings_service.grpc.pb.h"
#include "ethrec/v1/records_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/service/grpc_test_util.h"
#include "tests/service/server_process.h"
#include "tests/testing/chromium.h"
#include "tools/cli.h"
#include "tools/csv.h"

namespace ethrec {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

const char* const kAgencies[] = {"school", "gp", "police", "csc", "camhs", "yjs", "acute", "ooh", "community"};

std::string ScenarioPath(const std::string& name) { return std::string(ETHREC_TESTDATA_DIR) + "/scenario/" + name; }

// The data rows of a CSV (header dropped), each as its text.
std::vector<std::string> DataRows(const std::string& name) {
  std::ifstream in(ScenarioPath(name));
  EXPECT_TRUE(in.good()) << name;
  std::vector<std::string> rows;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    if (!line.empty()) rows.push_back(line);
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

// The records of a CSV file (a byte order mark dropped), header first.
std::vector<std::vector<std::string>> ReadCsv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  tools::CsvReader reader(&in);
  std::vector<std::vector<std::string>> records;
  tools::CsvRecord record;
  while (true) {
    absl::StatusOr<bool> more = reader.Next(&record);
    EXPECT_TRUE(more.ok()) << path << ": " << more.status();
    if (!more.ok() || !*more) break;
    records.push_back(record.fields);
  }
  return records;
}

// The value in `column` of every data row of a CSV file with a header.
std::vector<std::string> Column(const std::string& path, const std::string& column) {
  const std::vector<std::vector<std::string>> records = ReadCsv(path);
  std::vector<std::string> values;
  if (records.empty()) return values;
  const auto at = std::find(records[0].begin(), records[0].end(), column);
  if (at == records[0].end()) return values;
  const size_t index = static_cast<size_t>(at - records[0].begin());
  for (size_t i = 1; i < records.size(); ++i) {
    if (index < records[i].size()) values.push_back(records[i][index]);
  }
  return values;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::unique_ptr<grpc::ClientContext> As(const std::string& agency, const std::string& role) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("x-ethrec-agency", agency);
  context->AddMetadata("x-ethrec-role", role);
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return context;
}

std::unique_ptr<grpc::ClientContext> Officer() { return As("safeguarding-partnership", "data-quality-officer"); }

class FindingsScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<testing::ServerProcess>(std::vector<std::string>{});
    ASSERT_FALSE(server_->address().empty());
    auto channel = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    findings_ = v1::FindingsService::NewStub(channel);
    records_ = v1::RecordsService::NewStub(channel);
    for (const char* agency : kAgencies) {
      std::ostringstream out, err;
      const int exit = tools::RunCli({"--server", server_->address(), "--agency", agency, "import",
                                      ScenarioPath(absl::StrCat(agency, ".csv"))},
                                     out, err, {});
      ASSERT_EQ(exit, 0) << agency << ": " << out.str() << err.str();
    }
  }

  // Every finding matching `request` as `context_fn()` sees it, following
  // page tokens (page size 4, so the scenario takes several pages).
  std::vector<v1::Finding> ListAll(v1::ListFindingsRequest request,
                                   std::unique_ptr<grpc::ClientContext> (*context_fn)() = Officer) {
    std::vector<v1::Finding> out;
    request.set_page_size(4);
    for (int pages = 0; pages < 100; ++pages) {
      v1::ListFindingsResponse response;
      grpc::Status status = findings_->ListFindings(context_fn().get(), request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      EXPECT_LE(response.findings_size(), 4);
      for (const v1::Finding& f : response.findings()) out.push_back(f);
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    return out;
  }

  static std::vector<std::string> Rows(const std::vector<v1::Finding>& findings) {
    std::vector<std::string> rows;
    for (const v1::Finding& f : findings) {
      rows.push_back(absl::StrCat(f.agency(), ",", f.record_id(), ",", v1::FindingKind_Name(f.kind()), ",",
                                  v1::Severity_Name(f.severity())));
    }
    std::sort(rows.begin(), rows.end());
    return rows;
  }

  const v1::Finding* Find(const std::vector<v1::Finding>& all, const std::string& record_id, v1::FindingKind kind) {
    for (const v1::Finding& f : all) {
      if (f.record_id() == record_id && f.kind() == kind) return &f;
    }
    return nullptr;
  }

  std::unique_ptr<testing::ServerProcess> server_;
  std::unique_ptr<v1::FindingsService::Stub> findings_;
  std::unique_ptr<v1::RecordsService::Stub> records_;
};

TEST_F(FindingsScenarioTest, FindingsAndSummaryAreExactlyAsExpected) {
  const std::vector<v1::Finding> all = ListAll({});
  EXPECT_THAT(Rows(all), ElementsAreArray(DataRows("expected_findings.csv")));
  for (const v1::Finding& f : all) {
    EXPECT_EQ(f.status(), v1::OPEN);
    EXPECT_FALSE(f.reason().empty());
    ASSERT_GE(f.compared_size(), 1);
    EXPECT_EQ(f.compared(0).agency(), f.agency());
    EXPECT_EQ(f.compared(0).record_id(), f.record_id());
    ASSERT_GE(f.history_size(), 1);
    EXPECT_EQ(f.history(0).action(), v1::FindingEvent::RAISED);
    // Only a110's mismatch changed after it was raised: the child's later
    // refusal (o110, imported after the acute trust's file) joined it.
    const bool updated = f.record_id() == "a110" && f.kind() == v1::SELF_ID_MISMATCH;
    ASSERT_EQ(f.history_size(), updated ? 2 : 1) << f.record_id();
    if (updated) {
      EXPECT_EQ(f.history(1).action(), v1::FindingEvent::UPDATED);
      EXPECT_THAT(f.reason(), HasSubstr("later declined"));
    }
  }
  // The traps: Roma in NHS letters is a limit with the closest code, not a mismatch.
  const v1::Finding* roma = Find(all, "g101", v1::CLASSIFICATION_LIMIT);
  ASSERT_NE(roma, nullptr);
  EXPECT_EQ(roma->suggested_code(), "C");
  EXPECT_THAT(roma->reference_categories(), ElementsAreArray({v1::WHITE_ROMA}));
  const v1::Finding* mismatch = Find(all, "g103", v1::SELF_ID_MISMATCH);
  ASSERT_NE(mismatch, nullptr);
  EXPECT_THAT(mismatch->reason(), HasSubstr("the child identifies as"));
  EXPECT_EQ(mismatch->compared(1).record_id(), "s103");
  // The correction: the GP's own code for the child's category.
  EXPECT_EQ(mismatch->suggested_code(), "D");
  EXPECT_EQ(mismatch->suggested_display(), "Mixed - White and Black Caribbean");
  // A record that meets the child's identity gets no disagreement.
  for (const v1::Finding& f : all) {
    if (f.kind() == v1::AGENCY_DISAGREEMENT) {
      EXPECT_TRUE(f.record_id() == "g109" || f.record_id() == "g114") << "only children 109 and 114 have no reference";
    }
  }

  v1::SummarizeFindingsResponse summary;
  ASSERT_TRUE(findings_->SummarizeFindings(Officer().get(), {}, &summary).ok());
  EXPECT_EQ(summary.children(), 13);
  std::vector<std::string> completeness;
  for (const v1::AgencyCompleteness& c : summary.completeness()) {
    completeness.push_back(absl::StrCat(c.agency(), ",", c.children(), ",", c.children_self_defined()));
    EXPECT_DOUBLE_EQ(c.share(), static_cast<double>(c.children_self_defined()) / c.children());
  }
  EXPECT_THAT(completeness, ElementsAreArray(DataRows("expected_completeness.csv")));
  int64_t counted = 0;
  for (const v1::FindingCount& c : summary.counts()) counted += c.count();
  EXPECT_EQ(counted, static_cast<int64_t>(all.size()));

  // Filters.
  v1::ListFindingsRequest gp_high;
  gp_high.set_agency("gp");
  gp_high.set_min_severity(v1::MEDIUM);
  EXPECT_EQ(ListAll(gp_high).size(), 3u);  // g103 mismatch, g109 and g114 disagreements
  v1::ListFindingsRequest limits;
  limits.add_kinds(v1::CLASSIFICATION_LIMIT);
  EXPECT_EQ(ListAll(limits).size(), 2u);
}

TEST_F(FindingsScenarioTest, AgenciesSeeOnlyTheirOwnFindingsAndCannotReview) {
  auto gp = [] { return As("gp", "record-system"); };
  const std::vector<v1::Finding> mine = ListAll({}, gp);
  ASSERT_EQ(mine.size(), 7u);
  for (const v1::Finding& f : mine) EXPECT_EQ(f.agency(), "gp");

  // Both agencies of a disagreement see it: the school sees the GP's g109
  // disagreement besides its own finding, and may get it.
  auto school_caller = [] { return As("school", "record-system"); };
  const std::vector<v1::Finding> schools = ListAll({}, school_caller);
  EXPECT_THAT(Rows(schools), ElementsAreArray({"gp,g109,AGENCY_DISAGREEMENT,MEDIUM", "school,s109,NOT_SELF_DEFINED,LOW"}));
  const v1::Finding* shared = Find(schools, "g109", v1::AGENCY_DISAGREEMENT);
  ASSERT_NE(shared, nullptr);
  v1::GetFindingRequest get_shared;
  get_shared.set_finding_id(shared->finding_id());
  v1::Finding got_shared;
  EXPECT_TRUE(findings_->GetFinding(school_caller().get(), get_shared, &got_shared).ok());
  v1::SummarizeFindingsResponse school_summary;
  ASSERT_TRUE(findings_->SummarizeFindings(school_caller().get(), {}, &school_summary).ok());
  int64_t school_counted = 0;
  for (const v1::FindingCount& c : school_summary.counts()) school_counted += c.count();
  EXPECT_EQ(school_counted, 2);

  v1::ListFindingsRequest other;
  other.set_agency("school");
  v1::ListFindingsResponse response;
  grpc::Status status = findings_->ListFindings(gp().get(), other, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(testing::FieldViolations(status), ElementsAreArray({"agency"}));

  const std::vector<v1::Finding> all = ListAll({});
  const v1::Finding* school = Find(all, "s109", v1::NOT_SELF_DEFINED);
  ASSERT_NE(school, nullptr);
  v1::GetFindingRequest get;
  get.set_finding_id(school->finding_id());
  v1::Finding got;
  EXPECT_EQ(findings_->GetFinding(gp().get(), get, &got).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(findings_->GetFinding(Officer().get(), get, &got).ok());

  v1::ReviewFindingRequest review;
  review.set_finding_id(mine[0].finding_id());
  review.set_action(v1::ReviewFindingRequest::ACKNOWLEDGE);
  status = findings_->ReviewFinding(gp().get(), review, &got);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("data-quality-officer"));

  v1::SummarizeFindingsResponse summary;
  ASSERT_TRUE(findings_->SummarizeFindings(gp().get(), {}, &summary).ok());
  ASSERT_EQ(summary.completeness_size(), 1);
  EXPECT_EQ(summary.completeness(0).agency(), "gp");
}

// "agency/record_id=VERDICT" for every record on a sheet.
std::vector<std::string> Verdicts(const v1::ChildReconciliation& sheet) {
  std::vector<std::string> out;
  for (const v1::AgencyVerdicts& a : sheet.agencies()) {
    for (const v1::RecordVerdict& r : a.records()) {
      out.push_back(absl::StrCat(a.agency(), "/", r.record().record_id(), "=", v1::Verdict_Name(r.verdict())));
    }
  }
  return out;
}

TEST_F(FindingsScenarioTest, EachChildsSheetShowsTheReferenceAndAVerdictPerRecord) {
  auto sheet = [this](const std::string& nhs, std::unique_ptr<grpc::ClientContext> context,
                      v1::ChildReconciliation* out) {
    v1::GetChildReconciliationRequest request;
    request.mutable_child()->set_nhs_number(nhs);
    return findings_->GetChildReconciliation(context.get(), request, out);
  };
  // 110: the child's identity stands after a later refusal; the acute
  // trust's practitioner record differs and is offered the fix.
  v1::ChildReconciliation c110;
  ASSERT_TRUE(sheet("9990001103", Officer(), &c110).ok());
  EXPECT_THAT(Verdicts(c110), ElementsAreArray({"acute/a110=VERDICT_DIFFERS", "ooh/o110=VERDICT_DECLINED",
                                                "school/s110=VERDICT_REFERENCE"}));
  EXPECT_THAT(c110.reference().categories(), ElementsAreArray({v1::BLACK_AFRICAN}));
  EXPECT_TRUE(c110.reference().declined_later());
  EXPECT_EQ(c110.reference().supplied_by(), v1::SELF);
  EXPECT_EQ(c110.reference_record().agency(), "school");
  EXPECT_EQ(c110.agencies(0).records(0).suggested_code(), "N");
  EXPECT_EQ(c110.agencies(0).records(0).finding_ids_size(), 2);
  EXPECT_EQ(c110.open_findings(), 2);
  // 111: a parent's 'British' names no group: not known, no conflict.
  v1::ChildReconciliation c111;
  ASSERT_TRUE(sheet("9990001111", Officer(), &c111).ok());
  EXPECT_THAT(Verdicts(c111), ElementsAreArray({"community/h111=VERDICT_NOT_KNOWN", "school/s111=VERDICT_REFERENCE"}));
  // 113: what agrees is said to agree; a practitioner's guess that happens
  // to be right is still not self-defined.
  v1::ChildReconciliation c113;
  ASSERT_TRUE(sheet("9990001138", Officer(), &c113).ok());
  EXPECT_THAT(Verdicts(c113), ElementsAreArray({"acute/a113a=VERDICT_DIFFERS", "acute/a113b=VERDICT_DIFFERS",
                                                "csc/c113=VERDICT_REFERENCE", "ooh/o113=VERDICT_NOT_SELF_DEFINED"}));
  // 114: no reference; the pair that disagrees both differ.
  v1::ChildReconciliation c114;
  ASSERT_TRUE(sheet("9990001146", Officer(), &c114).ok());
  EXPECT_FALSE(c114.has_reference());
  EXPECT_THAT(Verdicts(c114), ElementsAreArray({"community/h114=VERDICT_NOT_KNOWN", "gp/g114=VERDICT_DIFFERS",
                                                "ooh/o114=VERDICT_DIFFERS"}));
  // 108: everyone agrees.
  v1::ChildReconciliation c108;
  ASSERT_TRUE(sheet("9990001081", Officer(), &c108).ok());
  EXPECT_THAT(Verdicts(c108), ElementsAreArray({"gp/g108=VERDICT_REFERENCE", "school/s108=VERDICT_AGREES"}));

  // An agency sees its own records and the reference, not where it is held.
  v1::ChildReconciliation acute;
  ASSERT_TRUE(sheet("9990001138", As("acute", "record-system"), &acute).ok());
  EXPECT_THAT(Verdicts(acute), ElementsAreArray({"acute/a113a=VERDICT_DIFFERS", "acute/a113b=VERDICT_DIFFERS"}));
  EXPECT_TRUE(acute.has_reference());
  EXPECT_FALSE(acute.has_reference_record());
  EXPECT_EQ(acute.open_findings(), 3);
  // A child the agency holds nothing about is not found; so is a child id.
  v1::ChildReconciliation none;
  EXPECT_EQ(sheet("9990001138", As("yjs", "record-system"), &none).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::GetChildReconciliationRequest by_id;
  by_id.set_child_id(c113.child_id());
  EXPECT_EQ(findings_->GetChildReconciliation(As("acute", "record-system").get(), by_id, &none).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(findings_->GetChildReconciliation(Officer().get(), by_id, &none).ok());
  EXPECT_EQ(Verdicts(none), Verdicts(c113));
  v1::GetChildReconciliationRequest both = by_id;
  both.mutable_child()->set_nhs_number("9990001138");
  grpc::Status status = findings_->GetChildReconciliation(Officer().get(), both, &none);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(testing::FieldViolations(status), ElementsAreArray({"child"}));

  // Officers list the children with findings needing work, a page at a time.
  std::vector<int64_t> listed;
  v1::ListChildReconciliationsRequest list;
  list.set_page_size(4);
  for (int pages = 0; pages < 10; ++pages) {
    v1::ListChildReconciliationsResponse page;
    ASSERT_TRUE(findings_->ListChildReconciliations(Officer().get(), list, &page).ok());
    for (const v1::ChildReconciliation& c : page.children()) {
      listed.push_back(c.child_id());
      EXPECT_GT(c.open_findings(), 0);
    }
    if (page.next_page_token().empty()) break;
    list.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(listed.size(), 11u) << "every child but 105 and 108";
  EXPECT_TRUE(std::is_sorted(listed.begin(), listed.end()));
  v1::ListChildReconciliationsResponse denied;
  EXPECT_EQ(findings_->ListChildReconciliations(As("gp", "record-system").get(), {}, &denied).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(FindingsScenarioTest, PageTokensAreTiedToTheirFilters) {
  v1::ListFindingsRequest request;
  request.set_page_size(2);
  v1::ListFindingsResponse first;
  ASSERT_TRUE(findings_->ListFindings(Officer().get(), request, &first).ok());
  ASSERT_FALSE(first.next_page_token().empty());

  v1::ListFindingsRequest changed = request;
  changed.set_page_token(first.next_page_token());
  changed.set_agency("gp");
  v1::ListFindingsResponse response;
  grpc::Status status = findings_->ListFindings(Officer().get(), changed, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("other filters"));
  EXPECT_THAT(testing::FieldViolations(status), ElementsAreArray({"page_token"}));

  changed = request;
  changed.set_page_token("not-a-token");
  status = findings_->ListFindings(Officer().get(), changed, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  changed = request;
  changed.set_page_size(-1);
  status = findings_->ListFindings(Officer().get(), changed, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(testing::FieldViolations(status), ElementsAreArray({"page_size"}));

  changed = request;
  changed.set_page_size(100000);  // capped, not refused
  ASSERT_TRUE(findings_->ListFindings(Officer().get(), changed, &response).ok());
  EXPECT_EQ(response.findings_size(), 21);
  EXPECT_TRUE(response.next_page_token().empty());
}

TEST_F(FindingsScenarioTest, ACorrectionClearsFindingsAtOnceAndReviewsAreKept) {
  std::vector<v1::Finding> all = ListAll({});
  const v1::Finding* mismatch = Find(all, "g103", v1::SELF_ID_MISMATCH);
  ASSERT_NE(mismatch, nullptr);
  const int64_t id = mismatch->finding_id();

  v1::ReviewFindingRequest review;
  review.set_finding_id(id);
  review.set_action(v1::ReviewFindingRequest::RESOLVE);
  v1::Finding got;
  grpc::Status status = findings_->ReviewFinding(Officer().get(), review, &got);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(testing::FieldViolations(status), ElementsAreArray({"note"}));
  review.set_action(v1::ReviewFindingRequest::ACKNOWLEDGE);
  review.set_note("asked the GP practice to check with the family");
  ASSERT_TRUE(findings_->ReviewFinding(Officer().get(), review, &got).ok());
  EXPECT_EQ(got.status(), v1::ACKNOWLEDGED);
  ASSERT_EQ(got.history_size(), 2);
  EXPECT_EQ(got.history(1).by_agency(), "safeguarding-partnership");
  EXPECT_EQ(got.history(1).by_role(), "data-quality-officer");
  EXPECT_EQ(got.history(1).note(), "asked the GP practice to check with the family");

  // The GP corrects its record (a new version): the mismatch clears in the
  // same call.
  v1::RecordObservationRequest write;
  v1::ObservationInput* o = write.mutable_observation();
  o->mutable_child()->set_nhs_number("9990001030");
  o->set_record_id("g103");
  o->set_record_version(2);
  o->set_system("nhs-ethnic-category");
  o->set_code("D");  // Mixed White and Black Caribbean
  o->set_supplied_by(v1::SELF);
  o->mutable_recorded_at()->set_seconds(1790000000);
  v1::RecordObservationResponse written;
  ASSERT_TRUE(records_->RecordObservation(As("gp", "record-system").get(), write, &written).ok());

  v1::GetFindingRequest get;
  get.set_finding_id(id);
  ASSERT_TRUE(findings_->GetFinding(Officer().get(), get, &got).ok());
  EXPECT_EQ(got.status(), v1::CLEARED);
  ASSERT_EQ(got.history_size(), 3);
  EXPECT_EQ(got.history(2).action(), v1::FindingEvent::CLEARED);
  all = ListAll({});
  EXPECT_EQ(all.size(), 19u);  // g103's two findings are gone: it is now self-defined and right
  v1::SummarizeFindingsResponse summary;
  ASSERT_TRUE(findings_->SummarizeFindings(Officer().get(), {}, &summary).ok());
  for (const v1::AgencyCompleteness& c : summary.completeness()) {
    if (c.agency() == "gp") {
      EXPECT_EQ(c.children_self_defined(), 4);
    }
  }
}

// The officer's `ethrec report` as a reader sees it: rendered by headless
// Chromium from the file the CLI wrote, its numbers are the scenario's
// expected ones (computed here from expected_*.csv), the script ran, and
// neither file holds an NHS number from the agencies' extracts.
TEST_F(FindingsScenarioTest, ReportRendersTheScenarioInChromium) {
  const std::string chromium = testing::FindChromium();
  ASSERT_TRUE(testing::ChromiumUsable(chromium));
  const std::string dir = std::filesystem::absolute(::testing::TempDir() + "/findings_scenario_report").string();
  std::filesystem::remove_all(dir);

  std::ostringstream out, err;
  const int exit = tools::RunCli({"--server", server_->address(), "--agency", "safeguarding-partnership", "--role",
                                  "data-quality-officer", "report", "--out", dir},
                                 out, err, {});
  ASSERT_EQ(exit, 0) << out.str() << err.str();
  EXPECT_THAT(out.str(), HasSubstr("21 open finding(s): 21 listed in the HTML table, 21 in the CSV; 9 agency(ies)"));
  const std::string html_path = dir + "/ethrec-report.html";
  const std::string csv_path = dir + "/ethrec-findings.csv";

  // What the page should say, from the scenario's expected files.
  const std::vector<std::vector<std::string>> expected = ReadCsv(ScenarioPath("expected_findings.csv"));
  ASSERT_EQ(expected.size(), 22u) << "header and 21 findings";
  ASSERT_THAT(expected[0], ElementsAreArray({"agency", "record_id", "kind", "severity"}));
  std::map<std::string, int> by_agency, by_kind;
  for (size_t i = 1; i < expected.size(); ++i) {
    ++by_agency[expected[i][0]];
    ++by_kind[expected[i][2]];
  }
  const std::vector<std::vector<std::string>> completeness = ReadCsv(ScenarioPath("expected_completeness.csv"));
  ASSERT_THAT(completeness.at(0), ElementsAreArray({"agency", "children", "children_self_defined"}));
  for (size_t i = 1; i < completeness.size(); ++i) by_agency.try_emplace(completeness[i][0], 0);  // camhs: 0
  // The scenario as its README describes it.
  EXPECT_EQ(by_agency, (std::map<std::string, int>{{"acute", 5},
                                                    {"camhs", 0},
                                                    {"community", 1},
                                                    {"csc", 2},
                                                    {"gp", 7},
                                                    {"ooh", 2},
                                                    {"police", 2},
                                                    {"school", 1},
                                                    {"yjs", 1}}));

  const std::string dom = testing::RenderedDom(chromium, html_path, "", dir + "/profile");
  std::filesystem::remove_all(dir + "/profile");
  EXPECT_THAT(dom, HasSubstr("data-sortable=\"ready\"")) << "the page's script did not run";
  EXPECT_EQ(testing::TextAfter(dom, "id=\"open-count\""), "21");
  EXPECT_EQ(testing::TextAfter(dom, "id=\"acknowledged-count\""), "0");
  EXPECT_EQ(testing::TextAfter(dom, "id=\"resolved-count\""), "0");
  EXPECT_EQ(testing::TextAfter(dom, "id=\"children-count\""), "13");
  EXPECT_EQ(testing::TextAfter(dom, "id=\"row-count\""), "21");
  EXPECT_EQ(testing::TextAfter(dom, "id=\"total-count\""), "21");
  for (const auto& [agency, count] : by_agency) {
    EXPECT_EQ(testing::TextAfter(dom, absl::StrCat("data-agency=\"", agency, "\"")), absl::StrCat(count)) << agency;
  }
  // Every kind the API has is charted, zeros included.
  const google::protobuf::EnumDescriptor* kinds = v1::FindingKind_descriptor();
  int kinds_charted = 0;
  for (int i = 0; i < kinds->value_count(); ++i) {
    const google::protobuf::EnumValueDescriptor* kind = kinds->value(i);
    if (kind->number() == 0) continue;  // FINDING_KIND_UNSPECIFIED
    ++kinds_charted;
    const auto it = by_kind.find(kind->name());
    EXPECT_EQ(testing::TextAfter(dom, absl::StrCat("data-kind=\"", kind->name(), "\"")),
              absl::StrCat(it == by_kind.end() ? 0 : it->second))
        << kind->name();
  }
  EXPECT_EQ(kinds_charted, 7);
  for (size_t i = 1; i < completeness.size(); ++i) {
    const std::string& agency = completeness[i][0];
    const int children = std::stoi(completeness[i][1]);
    const int self_defined = std::stoi(completeness[i][2]);
    EXPECT_EQ(testing::TextAfter(dom, absl::StrCat("data-completeness=\"", agency, "\"")),
              absl::StrCat(100 * self_defined / children, "%"))  // whole percent, rounded down
        << agency;
  }
  // One row per open finding, the most severe (the GP's mismatch) first.
  const std::vector<v1::Finding> all = ListAll({});
  std::vector<std::string> ids;
  for (const v1::Finding& f : all) ids.push_back(absl::StrCat(f.finding_id()));
  std::vector<std::string> rows = testing::RowIds(dom);
  ASSERT_EQ(rows.size(), 21u);
  const v1::Finding* mismatch = Find(all, "g103", v1::SELF_ID_MISMATCH);
  ASSERT_NE(mismatch, nullptr);
  EXPECT_EQ(rows.front(), absl::StrCat(mismatch->finding_id()));
  std::sort(rows.begin(), rows.end());
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(rows, ids);

  // The Children section: one row per child with open findings (all but
  // 105 and 108), a column per agency, the verdicts colour-coded.
  EXPECT_EQ(testing::TextAfter(dom, "id=\"children-row-count\""), "11");
  EXPECT_THAT(dom, HasSubstr("id=\"children-table\" class=\"sortable\" data-sorted-by=\"open:desc\" "
                             "data-sortable=\"ready\""));
  for (const char* agency : kAgencies) {
    EXPECT_THAT(dom, HasSubstr(absl::StrCat("data-agency-column=\"", agency, "\""))) << agency;
  }
  v1::GetChildReconciliationRequest sheet_request;
  sheet_request.mutable_child()->set_nhs_number("9990001103");
  v1::ChildReconciliation sheet;
  ASSERT_TRUE(findings_->GetChildReconciliation(Officer().get(), sheet_request, &sheet).ok());
  const std::string row = dom.substr(dom.find(absl::StrCat("data-child-id=\"", sheet.child_id(), "\"")), 2000);
  EXPECT_THAT(row, HasSubstr("data-verdict=\"VERDICT_DIFFERS\""));
  EXPECT_THAT(row, HasSubstr("class=\"tag v-differs\">Differs</span><span class=\"ids\">a110</span>"));
  EXPECT_THAT(row, HasSubstr("data-verdict=\"VERDICT_DECLINED\""));
  EXPECT_THAT(row, HasSubstr("data-verdict=\"VERDICT_REFERENCE\""));
  EXPECT_THAT(row, HasSubstr("later declined to say"));

  // The CSV: 21 findings, exactly the expected ones.
  const std::vector<std::vector<std::string>> csv = ReadCsv(csv_path);
  ASSERT_EQ(csv.size(), 22u) << "header and 21 findings";
  ASSERT_GE(csv[0].size(), 5u);
  EXPECT_THAT(std::vector<std::string>(csv[0].begin(), csv[0].begin() + 5),
              ElementsAreArray({"finding_id", "agency", "record_id", "kind", "severity"}));
  std::vector<std::string> csv_rows;
  for (size_t i = 1; i < csv.size(); ++i) {
    csv_rows.push_back(absl::StrCat(csv[i][1], ",", csv[i][2], ",", csv[i][3], ",", csv[i][4]));
  }
  std::sort(csv_rows.begin(), csv_rows.end());
  EXPECT_THAT(csv_rows, ElementsAreArray(DataRows("expected_findings.csv")));

  // No NHS number from any scenario extract, as written or spaced 3-3-4.
  std::set<std::string> nhs_numbers;
  for (const auto& entry : std::filesystem::directory_iterator(ScenarioPath(""))) {
    if (entry.path().extension() != ".csv") continue;
    for (const std::string& n : Column(entry.path().string(), "nhs_number")) {
      if (!n.empty()) nhs_numbers.insert(n);
    }
  }
  ASSERT_EQ(nhs_numbers.size(), 13u) << "one NHS number per child";
  const std::string html = ReadFile(html_path);
  const std::string csv_text = ReadFile(csv_path);
  ASSERT_FALSE(html.empty());
  for (const std::string& n : nhs_numbers) {
    ASSERT_EQ(n.size(), 10u) << n;
    for (const std::string& form : {n, absl::StrCat(n.substr(0, 3), " ", n.substr(3, 3), " ", n.substr(6))}) {
      EXPECT_FALSE(absl::StrContains(html, form)) << form << " in " << html_path;
      EXPECT_FALSE(absl::StrContains(dom, form)) << form << " in the rendered page";
      EXPECT_FALSE(absl::StrContains(csv_text, form)) << form << " in " << csv_path;
    }
  }
}

TEST(FindingsDisabledTest, AServerWithoutFindingsSaysSo) {
  testing::ServerProcess server({"--findings=false"});
  ASSERT_FALSE(server.address().empty());
  auto stub = v1::FindingsService::NewStub(grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
  v1::ListFindingsResponse response;
  grpc::Status status = stub->ListFindings(Officer().get(), {}, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("--findings=false"));
}

}  // namespace
}  // namespace ethrec
