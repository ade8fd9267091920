// `ethrec audit`, run in-process through RunCli against the real records
// and audit services over a MemoryStore, served on a loopback port: what it
// prints (a table, or JSON lines), that it follows every page, the filters
// it sends, and its usage errors. Synthetic data only.
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapping/observation.h"
#include "rapidjson/document.h"
#include "service/audit_service.h"
#include "service/records_service.h"
#include "tests/service/api_fixtures.h"
#include "tests/testing/cli_run.h"
#include "tools/audit_output.h"
#include "tools/cli.h"

namespace ethrec::tools {
namespace {

using ::ethrec::testing::CliRun;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::SizeIs;
using ::testing::StartsWith;

std::vector<std::string> Lines(const std::string& text) { return absl::StrSplit(text, '\n', absl::SkipEmpty()); }

class CliAuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&records_);
    builder.RegisterService(&audit_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    // Three children recorded by a school; a GP asks for one of them.
    auto channel = grpc::CreateChannel(address(), grpc::InsecureChannelCredentials());
    auto stub = v1::RecordsService::NewStub(channel);
    for (int i = 1; i <= 3; ++i) {
      grpc::ClientContext context;
      context.AddMetadata("x-ethrec-agency", "north-school");
      context.AddMetadata("x-ethrec-role", "record-system");
      v1::RecordObservationRequest request;
      *request.mutable_observation() = ::ethrec::testing::Input(SyntheticNhsNumber(i), "s-" + std::to_string(i), 1,
                                                                 "dfe", "BCRB");
      v1::RecordObservationResponse response;
      ASSERT_TRUE(stub->RecordObservation(&context, request, &response).ok());
    }
    grpc::ClientContext context;
    context.AddMetadata("x-ethrec-agency", "south-gp");
    context.AddMetadata("x-ethrec-role", "record-system");
    v1::GetChildRequest get;
    get.mutable_child()->set_nhs_number(SyntheticNhsNumber(2));
    v1::GetChildResponse child;
    ASSERT_EQ(stub->GetChild(&context, get, &child).error_code(), grpc::StatusCode::NOT_FOUND);
  }
  void TearDown() override { server_->Shutdown(); }

  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }

  // `ethrec --server ... --agency county-ig --role ROLE ARGS`.
  CliRun Run(const std::vector<std::string>& args, const std::string& role = "auditor") {
    std::vector<std::string> all = {"--server", address(), "--agency", "county-ig", "--role", role};
    all.insert(all.end(), args.begin(), args.end());
    return ::ethrec::testing::RunEthrec(all);
  }

  std::unique_ptr<MemoryStore> store_ = ::ethrec::testing::StoreWithFindings();
  const service::CallGate gate_{service::IdentityOptions{}};
  service::RecordsServiceImpl records_{
      {.normalizer = &::ethrec::testing::BuiltinNormalizer(), .store = store_.get()}, gate_};
  service::AuditServiceImpl audit_{{.store = store_.get()}, gate_};
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

TEST_F(CliAuditTest, PrintsEveryEventAsATableFollowingEveryPage) {
  CliRun r = Run({"audit", "--page-size", "1"});
  ASSERT_EQ(r.exit, kExitOk) << r.err;
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_THAT(lines, SizeIs(5));
  EXPECT_THAT(lines[0], MatchesRegex("TIME +AGENCY +ROLE +METHOD +CHILDREN +FINDINGS +OUTCOME +PEER +IDENTITY"));
  EXPECT_THAT(lines[1], MatchesRegex("2026-01-01T00:00:00Z +north-school +record-system +"
                                     "RecordsService.RecordObservation +1 +- +OK +ipv[46]:.* +metadata"));
  EXPECT_THAT(lines[4], MatchesRegex(".*south-gp +record-system +RecordsService.GetChild +2 +- +NOT_FOUND .*"));
}

TEST_F(CliAuditTest, JsonGivesOneObjectPerEventAndFiltersReachTheServer) {
  CliRun r = Run({"audit", "--json", "--method", "RecordsService.GetChild", "--since", "2026-01-01T00:00:00Z",
                  "--until", "2026-01-02T00:00:00Z"});
  ASSERT_EQ(r.exit, kExitOk) << r.err;
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_THAT(lines, SizeIs(1));
  rapidjson::Document doc;
  doc.Parse(lines[0].c_str());
  ASSERT_FALSE(doc.HasParseError()) << lines[0];
  EXPECT_STREQ(doc["agency"].GetString(), "south-gp");
  EXPECT_STREQ(doc["method"].GetString(), "/ethrec.v1.RecordsService/GetChild");
  EXPECT_STREQ(doc["outcome"].GetString(), "NOT_FOUND");
  EXPECT_STREQ(doc["time"].GetString(), "2026-01-01T00:00:00Z");
  ASSERT_TRUE(doc["child_ids"].IsArray());
  EXPECT_EQ(doc["child_ids"][0].GetInt64(), 2);
  EXPECT_FALSE(doc["validate_only"].GetBool());
  EXPECT_EQ(r.out.find(SyntheticNhsNumber(2)), std::string::npos);

  CliRun by_child = Run({"audit", "--child-id", "2", "--agency", "north-school"});
  ASSERT_EQ(by_child.exit, kExitOk) << by_child.err;
  EXPECT_THAT(Lines(by_child.out), SizeIs(2));  // the header and the school's write
  CliRun none = Run({"audit", "--since", "2030-01-01T00:00:00Z"});
  ASSERT_EQ(none.exit, kExitOk) << none.err;
  EXPECT_EQ(none.out, "no audit events\n");
}

TEST_F(CliAuditTest, OnlyTheAuditorMayListAndBadOptionsAreUsageErrors) {
  CliRun officer = Run({"audit"}, "data-quality-officer");
  EXPECT_EQ(officer.exit, kExitError);
  EXPECT_THAT(officer.err, HasSubstr("PERMISSION_DENIED"));
  struct Case {
    std::vector<std::string> args;
    const char* message;
  } cases[] = {
      {{"audit", "--child-id", "0"}, "--child-id \"0\" is not a child id"},
      {{"audit", "--method", "Get Child"}, "is not a method such as RecordsService.GetChild"},
      {{"audit", "--since", "yesterday"}, "--since \"yesterday\" is not an RFC 3339 time"},
      {{"audit", "--since", "2026-02-01T00:00:00Z", "--until", "2026-01-01T00:00:00Z"}, "must be before --until"},
      {{"audit", "--page-size", "1001"}, "--page-size \"1001\" must be a whole number from 1 to 1000"},
  };
  for (const Case& c : cases) {
    CliRun r = Run(c.args);
    EXPECT_EQ(r.exit, kExitUsage) << c.message;
    EXPECT_THAT(r.err, HasSubstr(c.message));
  }
  CliRun no_server = ::ethrec::testing::RunEthrec({"audit"});
  EXPECT_EQ(no_server.exit, kExitUsage);
  EXPECT_THAT(no_server.err, HasSubstr("audit needs --server"));
}

TEST(AuditOutputTest, MethodNamesAreShortenedOnlyForOurOwnServices) {
  EXPECT_EQ(ShortMethodName("/ethrec.v1.FindingsService/GetFinding"), "FindingsService.GetFinding");
  EXPECT_EQ(ShortMethodName("/other.Service/Call"), "/other.Service/Call");
  AuditEvent e;
  e.actor.agency = "a\x1b[31mgency";
  e.outcome = "OK";
  e.validate_only = true;
  const std::vector<std::string> lines = Lines(AuditEventsToTable({e}));
  ASSERT_THAT(lines, SizeIs(2));
  EXPECT_THAT(lines[1], AllOf(HasSubstr("a [31mgency"), HasSubstr("OK validate_only")));
}

}  // namespace
}  // namespace ethrec::tools
