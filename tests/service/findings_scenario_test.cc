// End to end: six agencies load their extracts (tests/testdata/scenario, one
// CSV each) into the real ethrecd through `ethrec import`, and the findings,
// summary, access rules and review workflow come out exactly as expected
// over gRPC. Synthetic data only (see the scenario's README.md).
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ethrec/v1/findings_service.grpc.pb.h"
#include "ethrec/v1/records_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/service/grpc_test_util.h"
#include "tests/service/server_process.h"
#include "tools/cli.h"

namespace ethrec {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

const char* const kAgencies[] = {"school", "gp", "police", "csc", "camhs", "yjs"};

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
    ASSERT_EQ(f.history_size(), 1);
    EXPECT_EQ(f.history(0).action(), v1::FindingEvent::RAISED);
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

  v1::SummarizeFindingsResponse summary;
  ASSERT_TRUE(findings_->SummarizeFindings(Officer().get(), {}, &summary).ok());
  EXPECT_EQ(summary.children(), 9);
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
  EXPECT_EQ(ListAll(gp_high).size(), 3u);  // g103 mismatch and disagreement, g109 disagreement
  v1::ListFindingsRequest limits;
  limits.add_kinds(v1::CLASSIFICATION_LIMIT);
  EXPECT_EQ(ListAll(limits).size(), 2u);
}

TEST_F(FindingsScenarioTest, AgenciesSeeOnlyTheirOwnFindingsAndCannotReview) {
  auto gp = [] { return As("gp", "record-system"); };
  const std::vector<v1::Finding> mine = ListAll({}, gp);
  ASSERT_EQ(mine.size(), 6u);
  for (const v1::Finding& f : mine) EXPECT_EQ(f.agency(), "gp");

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
  EXPECT_EQ(response.findings_size(), 13);
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

  // The GP corrects its record (a new version): the mismatch and the
  // disagreement clear in the same call.
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
  EXPECT_EQ(all.size(), 10u);  // g103's three findings are gone: it is now self-defined and right
  v1::SummarizeFindingsResponse summary;
  ASSERT_TRUE(findings_->SummarizeFindings(Officer().get(), {}, &summary).ok());
  for (const v1::AgencyCompleteness& c : summary.completeness()) {
    if (c.agency() == "gp") EXPECT_EQ(c.children_self_defined(), 4);
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
