// FindingsClient (tools/findings_client.h) against an in-process fake
// FindingsService: paging, the page bound, identity metadata and errors.
#include "tools/findings_client.h"

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapping/status_field.h"
#include "tests/testing/fake_findings_server.h"
#include "tests/testing/findings_fixtures.h"
#include "tests/testing/status_matchers.h"

namespace ethrec::tools {
namespace {

using ::ethrec::testing::FakeFindingsServer;
using ::ethrec::testing::kDataQualityOfficer;
using ::ethrec::testing::MakeFinding;
using ::ethrec::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

std::vector<int64_t> Ids(const std::vector<v1::Finding>& findings) {
  std::vector<int64_t> ids;
  for (const v1::Finding& f : findings) ids.push_back(f.finding_id());
  return ids;
}

class FindingsClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.findings.findings = {
        MakeFinding(1, v1::SELF_ID_MISMATCH, v1::HIGH, v1::OPEN, "north-csc", "r-1", "a"),
        MakeFinding(2, v1::DETAIL_LOST, v1::LOW, v1::OPEN, "south-gp", "r-2", "b"),
        MakeFinding(3, v1::SELF_ID_MISMATCH, v1::MEDIUM, v1::ACKNOWLEDGED, "north-csc", "r-3", "c"),
        MakeFinding(4, v1::MISSING, v1::MEDIUM, v1::RESOLVED, "north-csc", "r-4", "d"),
        MakeFinding(5, v1::SELF_ID_MISMATCH, v1::HIGH, v1::OPEN, "north-csc", "r-5", "e"),
        MakeFinding(6, v1::SELF_ID_MISMATCH, v1::HIGH, v1::OPEN, "north-csc", "r-6", "f"),
    };
  }

  std::unique_ptr<FindingsClient> Client(const std::string& role = kDataQualityOfficer) {
    absl::StatusOr<std::unique_ptr<FindingsClient>> client =
        FindingsClient::Connect(server_.address(), {.agency = "county-dq", .role = role});
    EXPECT_TRUE(client.ok()) << client.status();
    return client.ok() ? *std::move(client) : nullptr;
  }

  FakeFindingsServer server_;
};

TEST_F(FindingsClientTest, ListAllFollowsEveryPageKeepingTheFilters) {
  v1::ListFindingsRequest request;
  request.set_page_size(2);
  request.set_agency("north-csc");
  request.add_kinds(v1::SELF_ID_MISMATCH);
  absl::StatusOr<std::vector<v1::Finding>> all = Client()->ListAll(request);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_THAT(Ids(*all), ElementsAre(1, 3, 5, 6));
  const std::vector<v1::ListFindingsRequest> pages = server_.findings.list_requests();
  ASSERT_THAT(pages, SizeIs(2));
  EXPECT_EQ(pages[0].page_token(), "");
  EXPECT_EQ(pages[1].page_token(), "3");
  for (const v1::ListFindingsRequest& page : pages) {
    EXPECT_EQ(page.agency(), "north-csc");
    EXPECT_EQ(page.page_size(), 2);
    EXPECT_THAT(page.kinds(), ElementsAre(v1::SELF_ID_MISMATCH));
  }
}

TEST_F(FindingsClientTest, ListAllOfNothingIsEmpty) {
  v1::ListFindingsRequest request;
  request.set_agency("nobody");
  absl::StatusOr<std::vector<v1::Finding>> all = Client()->ListAll(request);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_THAT(*all, SizeIs(0));
}

TEST_F(FindingsClientTest, ListAllGivesUpAfterMaxPages) {
  server_.findings.endless = true;
  EXPECT_THAT(Client()->ListAll(v1::ListFindingsRequest(), 5),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("more than 5 pages")));
  EXPECT_THAT(server_.findings.list_requests(), SizeIs(5));
}

TEST_F(FindingsClientTest, SendsTheIdentityAsMetadata) {
  ASSERT_TRUE(Client("record-system")->List(v1::ListFindingsRequest()).ok());
  ASSERT_THAT(server_.findings.callers(), SizeIs(1));
  EXPECT_EQ(server_.findings.callers()[0].agency, "county-dq");
  EXPECT_EQ(server_.findings.callers()[0].role, "record-system");
}

TEST_F(FindingsClientTest, ErrorsKeepTheCodeAndTheField) {
  v1::ListFindingsRequest request;
  request.set_page_token("not-a-token");
  absl::StatusOr<std::vector<v1::Finding>> all = Client()->ListAll(request);
  EXPECT_THAT(all, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  EXPECT_EQ(FieldOf(all.status()), "page_token");

  v1::ReviewFindingRequest resolve;
  resolve.set_finding_id(1);
  resolve.set_action(v1::ReviewFindingRequest::RESOLVE);
  absl::StatusOr<v1::Finding> reviewed = Client()->Review(resolve);
  EXPECT_THAT(reviewed, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("note")));
  EXPECT_EQ(FieldOf(reviewed.status()), "note");
}

TEST_F(FindingsClientTest, GetOneFinding) {
  absl::StatusOr<v1::Finding> f = Client()->Get(3);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->record_id(), "r-3");
  EXPECT_THAT(Client()->Get(99), StatusIs(absl::StatusCode::kNotFound, HasSubstr("99")));
}

TEST_F(FindingsClientTest, SummarizeAsksForTheAgency) {
  server_.findings.summary.set_children(7);
  absl::StatusOr<v1::SummarizeFindingsResponse> s = Client()->Summarize("");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->children(), 7);
  EXPECT_THAT(Client("record-system")->Summarize("north-csc"),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("own agency")));
}

TEST_F(FindingsClientTest, ReviewReturnsTheFindingAsItNowIs) {
  v1::ReviewFindingRequest request;
  request.set_finding_id(1);
  request.set_action(v1::ReviewFindingRequest::ACKNOWLEDGE);
  request.set_note("looking into it");
  absl::StatusOr<v1::Finding> f = Client()->Review(request);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->status(), v1::ACKNOWLEDGED);
  ASSERT_EQ(f->history_size(), 2);
  EXPECT_EQ(f->history(1).note(), "looking into it");
  EXPECT_THAT(Client()->Review(request), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("OPEN")));
  EXPECT_THAT(Client("record-system")->Review(request), StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("")));
}

}  // namespace
}  // namespace ethrec::tools
