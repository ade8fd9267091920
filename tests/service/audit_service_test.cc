// AuditApi in process, against MemoryStore and the built-in Normalizer: the
// records and findings calls leave their events with the caller's identity,
// the auditor lists them by filter and page, and bad requests name their
// field. The round trip through the real ethrecd is audit_e2e_test.cc.
// Synthetic data only.
#include "service/audit_service.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapping/observation.h"
#include "service/findings_service.h"
#include "service/records_service.h"
#include "tests/service/api_fixtures.h"
#include "tests/testing/status_matchers.h"

namespace ethrec::service {
namespace {

using ::ethrec::testing::HasField;
using ::ethrec::testing::Input;
using ::ethrec::testing::StatusIs;
using ::testing::_;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr char kGetChild[] = "/ethrec.v1.RecordsService/GetChild";
constexpr char kRecord[] = "/ethrec.v1.RecordsService/RecordObservation";

// A caller as the CallGate would admit it for `method`.
Caller As(const std::string& agency, const std::string& role, const std::string& method) {
  return Caller{.agency = agency,
                .role = role,
                .identity = absl::StrCat("spiffe://ethrec/agency/", agency, "/role/", role),
                .peer = "ipv4:127.0.0.1:50123",
                .method = method};
}

Caller Auditor() { return As("county-ig", kAuditorRole, "/ethrec.v1.AuditService/ListAuditEvents"); }

class AuditApiTest : public ::testing::Test {
 protected:
  void Record(const std::string& agency, const std::string& nhs, const std::string& record_id,
              bool validate_only = false) {
    v1::RecordObservationRequest request;
    *request.mutable_observation() = Input(nhs, record_id, 1, "dfe", "BCRB");
    request.set_validate_only(validate_only);
    ASSERT_TRUE(records_.RecordObservation(As(agency, kRecordSystemRole, kRecord), request).ok());
  }
  absl::StatusOr<v1::GetChildResponse> GetChild(const std::string& agency, const std::string& nhs) {
    v1::GetChildRequest request;
    request.mutable_child()->set_nhs_number(nhs);
    return records_.GetChild(As(agency, kRecordSystemRole, kGetChild), request);
  }
  // Every event matching `request`, following page tokens.
  std::vector<v1::AuditEvent> All(v1::ListAuditEventsRequest request) {
    std::vector<v1::AuditEvent> all;
    for (int pages = 0; pages < 100; ++pages) {
      absl::StatusOr<v1::ListAuditEventsResponse> page = api_.ListAuditEvents(Auditor(), request);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      all.insert(all.end(), page->events().begin(), page->events().end());
      if (page->next_page_token().empty()) break;
      request.set_page_token(page->next_page_token());
    }
    return all;
  }

  std::unique_ptr<MemoryStore> store_ = ::ethrec::testing::StoreWithFindings();
  RecordsApi records_{{.normalizer = &::ethrec::testing::BuiltinNormalizer(), .store = store_.get()}};
  AuditApi api_{{.store = store_.get()}};
};

TEST_F(AuditApiTest, ACrossAgencyReadIsNotFoundAndTheAuditorSeesTheAttempt) {
  const std::string nhs = SyntheticNhsNumber(41);
  Record("camden-csc", nhs, "eth-1");
  EXPECT_THAT(GetChild("barnet-gp", nhs), StatusIs(absl::StatusCode::kNotFound, HasSubstr("no child has")));
  ASSERT_TRUE(GetChild("camden-csc", nhs).ok());

  v1::ListAuditEventsRequest request;
  request.set_method(kGetChild);
  const std::vector<v1::AuditEvent> events = All(request);
  ASSERT_THAT(events, SizeIs(2));
  const v1::AuditEvent& refused = events[0];
  EXPECT_EQ(refused.agency(), "barnet-gp");
  EXPECT_EQ(refused.role(), "record-system");
  EXPECT_EQ(refused.identity(), "spiffe://ethrec/agency/barnet-gp/role/record-system");
  EXPECT_EQ(refused.peer(), "ipv4:127.0.0.1:50123");
  EXPECT_EQ(refused.method(), kGetChild);
  EXPECT_EQ(refused.outcome(), "NOT_FOUND");
  ASSERT_THAT(refused.child_ids(), SizeIs(1));
  EXPECT_EQ(refused.time().seconds(), 1767225600);  // the store's clock
  const int64_t child = refused.child_ids(0);
  EXPECT_THAT(events[1].child_ids(), ElementsAre(child));
  EXPECT_EQ(events[1].outcome(), "OK");
  // By the child: the write and both reads.
  v1::ListAuditEventsRequest about;
  about.set_child_id(child);
  EXPECT_THAT(All(about), SizeIs(3));
  // No event holds the NHS number, whatever the field.
  for (const v1::AuditEvent& e : All({})) EXPECT_FALSE(absl::StrContains(e.DebugString(), nhs)) << e.DebugString();
}

TEST_F(AuditApiTest, PagesFollowTokensTiedToTheirFilters) {
  for (int i = 0; i < 5; ++i) Record("camden-csc", SyntheticNhsNumber(50 + i), absl::StrCat("eth-", i));
  Record("barnet-gp", SyntheticNhsNumber(60), "gp-1", /*validate_only=*/true);
  v1::ListAuditEventsRequest request;
  request.set_agency("camden-csc");
  request.set_page_size(2);
  absl::StatusOr<v1::ListAuditEventsResponse> first = api_.ListAuditEvents(Auditor(), request);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(first->events(), SizeIs(2));
  ASSERT_FALSE(first->next_page_token().empty());
  EXPECT_THAT(All(request), SizeIs(5));
  // A token replayed with other filters, and one that is not a token.
  v1::ListAuditEventsRequest other = request;
  other.set_agency("barnet-gp");
  other.set_page_token(first->next_page_token());
  EXPECT_THAT(api_.ListAuditEvents(Auditor(), other),
              AllOf(StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("other filters")), HasField("page_token")));
  other.set_page_token("not-a-token");
  EXPECT_THAT(api_.ListAuditEvents(Auditor(), other), HasField("page_token"));
  // The validate_only write is marked.
  v1::ListAuditEventsRequest gp;
  gp.set_agency("barnet-gp");
  const std::vector<v1::AuditEvent> checked = All(gp);
  ASSERT_THAT(checked, SizeIs(1));
  EXPECT_TRUE(checked[0].validate_only());
  EXPECT_THAT(checked[0].child_ids(), IsEmpty());
}

TEST_F(AuditApiTest, FiltersByTimeAndTheListingIsAuditedToo) {
  Record("camden-csc", SyntheticNhsNumber(70), "eth-1");
  v1::ListAuditEventsRequest request;
  request.mutable_start_time()->set_seconds(1767225600);
  request.mutable_end_time()->set_seconds(1767225601);
  EXPECT_THAT(All(request), SizeIs(1));
  request.mutable_start_time()->set_seconds(1767225601);
  request.mutable_end_time()->set_seconds(1767225700);
  EXPECT_THAT(All(request), IsEmpty());
  v1::ListAuditEventsRequest listings;
  listings.set_method("/ethrec.v1.AuditService/ListAuditEvents");
  const std::vector<v1::AuditEvent> audited = All(listings);
  ASSERT_THAT(audited, SizeIs(2));
  EXPECT_EQ(audited[0].agency(), "county-ig");
  EXPECT_EQ(audited[0].role(), "auditor");
  EXPECT_THAT(audited[0].child_ids(), IsEmpty());
}

TEST_F(AuditApiTest, BadRequestsNameTheirField) {
  struct Case {
    const char* field;
    void (*set)(v1::ListAuditEventsRequest*);
  } cases[] = {
      {"page_size", [](v1::ListAuditEventsRequest* r) { r->set_page_size(-1); }},
      {"child_id", [](v1::ListAuditEventsRequest* r) { r->set_child_id(-4); }},
      {"agency", [](v1::ListAuditEventsRequest* r) { r->set_agency(" padded "); }},
      {"method", [](v1::ListAuditEventsRequest* r) { r->set_method("GetChild"); }},
      {"method", [](v1::ListAuditEventsRequest* r) { r->set_method("/a/b/c"); }},
      {"end_time", [](v1::ListAuditEventsRequest* r) {
         r->mutable_start_time()->set_seconds(10);
         r->mutable_end_time()->set_seconds(10);
       }},
  };
  for (const Case& c : cases) {
    v1::ListAuditEventsRequest request;
    c.set(&request);
    EXPECT_THAT(api_.ListAuditEvents(Auditor(), request),
                AllOf(StatusIs(absl::StatusCode::kInvalidArgument, _), HasField(c.field)))
        << c.field;
  }
  v1::ListAuditEventsRequest big;
  big.set_page_size(5000);  // lowered to 1000, not refused
  EXPECT_TRUE(api_.ListAuditEvents(Auditor(), big).ok());
}

TEST_F(AuditApiTest, AnotherAgencysFindingIsNotFoundAndAudited) {
  const std::string nhs = SyntheticNhsNumber(80);
  Record("camden-csc", nhs, "eth-1");
  v1::RecordObservationRequest gp;
  *gp.mutable_observation() = Input(nhs, "gp-1", 1, "nhs-ethnic-category", "A", v1::PRACTITIONER);
  ASSERT_TRUE(records_.RecordObservation(As("barnet-gp", kRecordSystemRole, kRecord), gp).ok());
  FindingsApi findings({.store = store_.get(), .taxonomy = &::ethrec::testing::BuiltinNormalizer().registry().taxonomy()});
  absl::StatusOr<v1::ListFindingsResponse> mine =
      findings.ListFindings(As("barnet-gp", kRecordSystemRole, "/ethrec.v1.FindingsService/ListFindings"), {});
  ASSERT_TRUE(mine.ok() && mine->findings_size() > 0);
  v1::GetFindingRequest get;
  get.set_finding_id(mine->findings(0).finding_id());
  const Caller police = As("met-police", kRecordSystemRole, "/ethrec.v1.FindingsService/GetFinding");
  EXPECT_THAT(findings.GetFinding(police, get), StatusIs(absl::StatusCode::kNotFound, HasSubstr("no finding")));
  v1::ListAuditEventsRequest request;
  request.set_agency("met-police");
  const std::vector<v1::AuditEvent> events = All(request);
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(events[0].outcome(), "NOT_FOUND");
  EXPECT_THAT(events[0].finding_ids(), ElementsAre(get.finding_id()));
  EXPECT_THAT(events[0].child_ids(), SizeIs(1));
}

}  // namespace
}  // namespace ethrec::service
