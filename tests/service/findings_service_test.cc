// FindingsApi in process, against MemoryStore with findings: who sees what,
// reviews, page tokens and the named fields of bad requests. The gRPC round
// trip is in findings_scenario_test.cc. Synthetic data only.
#include "service/findings_service.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapping/observation.h"
#include "service/records_service.h"
#include "tests/service/api_fixtures.h"
#include "tests/testing/status_matchers.h"

namespace ethrec::service {
namespace {

using ::ethrec::testing::HasField;
using ::ethrec::testing::Input;
using ::ethrec::testing::Officer;
using ::ethrec::testing::RecordSystem;
using ::ethrec::testing::StatusIs;
using ::testing::_;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class FindingsApiTest : public ::testing::Test {
 protected:
  // Three children the school heard from themselves (Caribbean) and the GP
  // recorded as White British by a practitioner: findings on the GP's
  // records that compare them with the school's.
  void SetUp() override {
    RecordsApi records({.normalizer = &::ethrec::testing::BuiltinNormalizer(), .store = store_.get()});
    for (int i = 1; i <= 3; ++i) {
      const std::string nhs = SyntheticNhsNumber(i);
      v1::RecordObservationRequest request;
      *request.mutable_observation() = Input(nhs, "s-" + std::to_string(i), 1, "dfe", "BCRB", v1::SELF);
      ASSERT_TRUE(records.RecordObservation(RecordSystem("school-x"), request).ok());
      *request.mutable_observation() =
          Input(nhs, "g-" + std::to_string(i), 2, "nhs-ethnic-category", "A", v1::PRACTITIONER);
      ASSERT_TRUE(records.RecordObservation(RecordSystem("gp-y"), request).ok());
    }
  }

  std::vector<v1::Finding> List(const Caller& caller, v1::ListFindingsRequest request = {}) {
    request.set_page_size(1000);
    absl::StatusOr<v1::ListFindingsResponse> r = api_.ListFindings(caller, request);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? std::vector<v1::Finding>(r->findings().begin(), r->findings().end()) : std::vector<v1::Finding>();
  }

  std::unique_ptr<MemoryStore> store_ = ::ethrec::testing::StoreWithFindings();
  FindingsApi api_{{.store = store_.get(),
                    .taxonomy = &::ethrec::testing::BuiltinNormalizer().registry().taxonomy(),
                    .default_page_size = 2}};
};

TEST_F(FindingsApiTest, RecordSystemsSeeOnlyFindingsAboutTheirAgency) {
  const std::vector<v1::Finding> all = List(Officer());
  ASSERT_GE(all.size(), 3u);
  // Every finding is on a GP record: the GP sees them all, the school (whose
  // records are the reference) none of them, nor does an agency with no records.
  const std::vector<v1::Finding> gp = List(RecordSystem("gp-y"));
  EXPECT_EQ(gp.size(), all.size());
  for (const v1::Finding& f : gp) EXPECT_EQ(f.agency(), "gp-y");
  EXPECT_THAT(List(RecordSystem("school-x")), IsEmpty());
  EXPECT_THAT(List(RecordSystem("police-z")), IsEmpty());
  // An officer may narrow to one agency.
  v1::ListFindingsRequest school;
  school.set_agency("school-x");
  EXPECT_THAT(List(Officer(), school), IsEmpty());
}

TEST_F(FindingsApiTest, AskingForAnotherAgencyIsPermissionDenied) {
  v1::ListFindingsRequest other;
  other.set_agency("school-x");
  absl::StatusOr<v1::ListFindingsResponse> r = api_.ListFindings(RecordSystem("gp-y"), other);
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("data-quality-officer")));
  EXPECT_THAT(r, HasField("agency"));
  v1::SummarizeFindingsRequest summary;
  summary.set_agency("school-x");
  EXPECT_THAT(api_.SummarizeFindings(RecordSystem("gp-y"), summary), HasField("agency"));
}

TEST_F(FindingsApiTest, AFindingOfAnotherAgencyIsNotFoundAsAMissingOneIs) {
  const v1::Finding f = List(RecordSystem("gp-y")).front();
  v1::GetFindingRequest request;
  request.set_finding_id(f.finding_id());
  absl::StatusOr<v1::Finding> got = api_.GetFinding(RecordSystem("gp-y"), request);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->finding_id(), f.finding_id());
  EXPECT_TRUE(api_.GetFinding(Officer(), request).ok());
  // The school knows the child, but the finding is the GP's.
  EXPECT_THAT(api_.GetFinding(RecordSystem("school-x"), request),
              StatusIs(absl::StatusCode::kNotFound, absl::StrCat("no finding has id ", f.finding_id())));
  request.set_finding_id(999999);
  EXPECT_THAT(api_.GetFinding(Officer(), request), StatusIs(absl::StatusCode::kNotFound, "no finding has id 999999"));
  request.set_finding_id(0);
  EXPECT_THAT(api_.GetFinding(Officer(), request), HasField("finding_id"));
}

// Who may review at all is the access table's (access_policy_test).
TEST_F(FindingsApiTest, AnOfficersReviewIsRecordedAndNeedsAnActionAndAnId) {
  v1::ReviewFindingRequest review;
  review.set_finding_id(List(Officer()).front().finding_id());
  review.set_action(v1::ReviewFindingRequest::ACKNOWLEDGE);
  review.set_note("asked the family");
  absl::StatusOr<v1::Finding> reviewed = api_.ReviewFinding(Officer(), review);
  ASSERT_TRUE(reviewed.ok()) << reviewed.status();
  EXPECT_EQ(reviewed->status(), v1::ACKNOWLEDGED);

  v1::ReviewFindingRequest no_action = review;
  no_action.clear_action();
  EXPECT_THAT(api_.ReviewFinding(Officer(), no_action), HasField("action"));
  v1::ReviewFindingRequest no_id = review;
  no_id.clear_finding_id();
  EXPECT_THAT(api_.ReviewFinding(Officer(), no_id), HasField("finding_id"));
}

TEST_F(FindingsApiTest, PageTokensAreTiedToTheirFilters) {
  v1::ListFindingsRequest request;
  request.set_page_size(1);
  request.add_kinds(v1::SELF_ID_MISMATCH);
  request.add_kinds(v1::NOT_SELF_DEFINED);
  absl::StatusOr<v1::ListFindingsResponse> first = api_.ListFindings(Officer(), request);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->findings_size(), 1);
  ASSERT_FALSE(first->next_page_token().empty());

  // Filters are sets: the same kinds in another order take the token.
  v1::ListFindingsRequest next;
  next.set_page_size(1);
  next.add_kinds(v1::NOT_SELF_DEFINED);
  next.add_kinds(v1::SELF_ID_MISMATCH);
  next.set_page_token(first->next_page_token());
  absl::StatusOr<v1::ListFindingsResponse> second = api_.ListFindings(Officer(), next);
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_EQ(second->findings_size(), 1);
  EXPECT_GT(second->findings(0).finding_id(), first->findings(0).finding_id());

  next.set_agency("gp-y");
  EXPECT_THAT(api_.ListFindings(Officer(), next), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("other filters")));
  EXPECT_THAT(api_.ListFindings(Officer(), next), HasField("page_token"));
  // A record system's token is tied to its agency too.
  next.clear_agency();
  EXPECT_THAT(api_.ListFindings(RecordSystem("gp-y"), next), HasField("page_token"));
  next.set_page_token("not-a-token");
  EXPECT_THAT(api_.ListFindings(Officer(), next), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
}

TEST_F(FindingsApiTest, BadFiltersNameTheirField) {
  const struct {
    void (*set)(v1::ListFindingsRequest*);
    const char* field;
  } cases[] = {
      {[](v1::ListFindingsRequest* r) { r->set_page_size(-1); }, "page_size"},
      {[](v1::ListFindingsRequest* r) { r->add_kinds(static_cast<v1::FindingKind>(99)); }, "kinds[0]"},
      {[](v1::ListFindingsRequest* r) { r->set_min_severity(static_cast<v1::Severity>(99)); }, "min_severity"},
      {[](v1::ListFindingsRequest* r) {
         r->add_statuses(v1::OPEN);
         r->add_statuses(static_cast<v1::FindingStatus>(99));
       },
       "statuses[1]"},
  };
  for (const auto& c : cases) {
    v1::ListFindingsRequest request;
    c.set(&request);
    absl::StatusOr<v1::ListFindingsResponse> r = api_.ListFindings(Officer(), request);
    EXPECT_THAT(r, StatusIs(absl::StatusCode::kInvalidArgument, _)) << c.field;
    EXPECT_THAT(r, HasField(c.field));
  }
}

TEST_F(FindingsApiTest, SummariesCountOnlyWhatTheCallerSees) {
  absl::StatusOr<v1::SummarizeFindingsResponse> gp = api_.SummarizeFindings(RecordSystem("gp-y"), {});
  ASSERT_TRUE(gp.ok()) << gp.status();
  ASSERT_EQ(gp->completeness_size(), 1);
  EXPECT_EQ(gp->completeness(0).agency(), "gp-y");
  EXPECT_EQ(gp->completeness(0).children(), 3);
  EXPECT_EQ(gp->completeness(0).share(), 0.0);
  absl::StatusOr<v1::SummarizeFindingsResponse> all = api_.SummarizeFindings(Officer(), {});
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->completeness_size(), 2);
  EXPECT_EQ(all->children(), 3);
}

TEST_F(FindingsApiTest, ChildIsNamedOneWayAndChildIdOnlyByOfficers) {
  v1::GetChildReconciliationRequest by_id;
  by_id.set_child_id(1);
  EXPECT_THAT(api_.GetChildReconciliation(RecordSystem("gp-y"), by_id),
              StatusIs(absl::StatusCode::kPermissionDenied, _));
  EXPECT_THAT(api_.GetChildReconciliation(RecordSystem("gp-y"), by_id), HasField("child_id"));
  by_id.set_child_id(-1);
  EXPECT_THAT(api_.GetChildReconciliation(Officer(), by_id), HasField("child_id"));
  EXPECT_THAT(api_.GetChildReconciliation(Officer(), {}), HasField("child"));
  v1::GetChildReconciliationRequest twice;
  twice.mutable_child()->set_nhs_number(SyntheticNhsNumber(1));
  twice.set_child_id(1);
  EXPECT_THAT(api_.GetChildReconciliation(Officer(), twice), HasField("child"));
  v1::GetChildReconciliationRequest bad_nhs;
  bad_nhs.mutable_child()->set_nhs_number("12345");
  EXPECT_THAT(api_.GetChildReconciliation(Officer(), bad_nhs), HasField("child.nhs_number"));
}

TEST_F(FindingsApiTest, AnAgencySeesOnlyItsOwnRecordsOnASheet) {
  v1::GetChildReconciliationRequest request;
  request.mutable_child()->set_nhs_number(SyntheticNhsNumber(2));
  absl::StatusOr<v1::ChildReconciliation> school = api_.GetChildReconciliation(RecordSystem("school-x"), request);
  ASSERT_TRUE(school.ok()) << school.status();
  ASSERT_EQ(school->agencies_size(), 1);
  EXPECT_EQ(school->agencies(0).agency(), "school-x");
  EXPECT_TRUE(school->has_reference());
  EXPECT_FALSE(school->has_reference_record()) << "where the reference comes from is for officers";
  EXPECT_THAT(school->DebugString(), Not(HasSubstr("gp-y")));
  // A child the agency holds nothing about answers as an unknown child.
  EXPECT_THAT(api_.GetChildReconciliation(RecordSystem("police-z"), request),
              StatusIs(absl::StatusCode::kNotFound, "no child has that NHS number"));

  v1::GetChildReconciliationRequest by_id;
  by_id.set_child_id(school->child_id());
  absl::StatusOr<v1::ChildReconciliation> officer = api_.GetChildReconciliation(Officer(), by_id);
  ASSERT_TRUE(officer.ok()) << officer.status();
  EXPECT_EQ(officer->agencies_size(), 2);
  EXPECT_EQ(officer->reference_record().agency(), "school-x");
}

// Who may list children at all is the access table's (access_policy_test).
TEST_F(FindingsApiTest, OfficersListChildrenAPageAtATime) {
  std::set<int64_t> seen;
  v1::ListChildReconciliationsRequest request;
  request.set_page_size(1);
  for (int page = 0; page < 10; ++page) {
    absl::StatusOr<v1::ListChildReconciliationsResponse> r = api_.ListChildReconciliations(Officer(), request);
    ASSERT_TRUE(r.ok()) << r.status();
    for (const v1::ChildReconciliation& c : r->children()) seen.insert(c.child_id());
    if (r->next_page_token().empty()) break;
    request.set_page_token(r->next_page_token());
  }
  EXPECT_EQ(seen.size(), 3u);
  request.set_page_token("not-a-token");
  EXPECT_THAT(api_.ListChildReconciliations(Officer(), request), HasField("page_token"));
  request.clear_page_token();
  request.set_page_size(-1);
  EXPECT_THAT(api_.ListChildReconciliations(Officer(), request), HasField("page_size"));
}

}  // namespace
}  // namespace ethrec::service
