// The access table: it lists every RPC the server serves exactly once, the
// README shows the same table, Authorize applies it, and every handler
// passes through it (each method called with each role on an in-process
// server answers PERMISSION_DENIED exactly when the table says no).
#include "service/access_policy.h"

#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "ethrec/v1/diagnostics_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "service/audit_service.h"
#include "service/changes_service.h"
#include "service/diagnostics_service.h"
#include "service/findings_service.h"
#include "service/records_service.h"
#include "service/taxonomy_service.h"
#include "tests/service/api_fixtures.h"

namespace ethrec::service {
namespace {

using ::ethrec::testing::StatusIs;
using ::testing::HasSubstr;

// Every method of every ethrec service, as "/package.Service/Method".
std::set<std::string> ServedMethods() {
  std::set<std::string> methods;
  const google::protobuf::DescriptorPool* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const char* name : {v1::TaxonomyService::service_full_name(), v1::DiagnosticsService::service_full_name(),
                           v1::RecordsService::service_full_name(), v1::FindingsService::service_full_name(),
                           v1::AuditService::service_full_name(), v1::ChangesService::service_full_name()}) {
    const google::protobuf::ServiceDescriptor* service = pool->FindServiceByName(name);
    EXPECT_NE(service, nullptr) << name;
    if (service == nullptr) continue;
    for (int i = 0; i < service->method_count(); ++i) {
      methods.insert(absl::StrCat("/", service->full_name(), "/", service->method(i)->name()));
    }
  }
  return methods;
}

TEST(AccessTableTest, ListsEveryServedMethodExactlyOnce) {
  const std::set<std::string> served = ServedMethods();
  ASSERT_FALSE(served.empty());
  std::multiset<std::string> listed;
  for (const MethodAccess& row : AccessTable()) listed.insert(std::string(row.method));
  for (const std::string& m : served) EXPECT_EQ(listed.count(m), 1u) << m;
  for (const std::string& m : listed) EXPECT_TRUE(served.count(m) == 1) << m << " is not a served method";
}

TEST(AccessTableTest, EveryRowNamesOnlyKnownRoles) {
  for (const MethodAccess& row : AccessTable()) {
    EXPECT_FALSE(row.roles.empty()) << row.method;
    for (absl::string_view role : row.roles) {
      EXPECT_NE(std::find(Roles().begin(), Roles().end(), role), Roles().end()) << row.method << ": " << role;
    }
  }
}

// The README's "Roles" table: "| `Service.Method` | cell | cell | cell |"
// with one column per role, in Roles() order; a non-empty cell allows.
std::map<std::string, std::set<std::string>> ReadmeTable() {
  std::ifstream in(ETHREC_TESTDATA_DIR "/../../README.md");
  std::map<std::string, std::set<std::string>> table;
  std::string line;
  bool in_roles = false;
  std::vector<std::string> columns;
  while (std::getline(in, line)) {
    if (absl::StartsWith(line, "## ")) in_roles = line == "## Roles";
    if (!in_roles || !absl::StartsWith(line, "|")) continue;
    std::vector<std::string> cells = absl::StrSplit(absl::StripPrefix(absl::StripSuffix(line, "|"), "|"), '|');
    for (std::string& c : cells) c = std::string(absl::StripAsciiWhitespace(c));
    if (cells.empty()) continue;
    if (cells[0] == "method") {
      columns = cells;
      continue;
    }
    if (!absl::StartsWith(cells[0], "`")) continue;
    const std::string method =
        absl::StrCat("/ethrec.v1.", absl::StrReplaceAll(absl::StripSuffix(absl::StripPrefix(cells[0], "`"), "`"), {{".", "/"}}));
    std::set<std::string>& roles = table[method];
    for (size_t i = 1; i < cells.size() && i < columns.size(); ++i) {
      if (!cells[i].empty()) roles.insert(columns[i]);
    }
  }
  return table;
}

TEST(AccessTableTest, TheReadmeShowsTheSameTable) {
  const std::map<std::string, std::set<std::string>> readme = ReadmeTable();
  ASSERT_EQ(readme.size(), AccessTable().size()) << "README.md \"## Roles\" rows";
  for (const MethodAccess& row : AccessTable()) {
    auto it = readme.find(std::string(row.method));
    ASSERT_NE(it, readme.end()) << row.method << " is not in the README's Roles table";
    EXPECT_EQ(it->second, std::set<std::string>(row.roles.begin(), row.roles.end())) << row.method;
  }
}

TEST(AuthorizeTest, AllowsTheTablesRolesAndDeniesOthersNamingWhoMay) {
  EXPECT_TRUE(Authorize("record-system", "/ethrec.v1.RecordsService/RecordObservation").ok());
  EXPECT_THAT(Authorize("data-quality-officer", "/ethrec.v1.RecordsService/RecordObservation"),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("is for role record-system")));
  EXPECT_THAT(Authorize("record-system", "/ethrec.v1.FindingsService/ReviewFinding"),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("is for role data-quality-officer; this caller's role is record-system")));
  EXPECT_THAT(Authorize("auditor", "/ethrec.v1.RecordsService/GetChild"),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("record-system or data-quality-officer")));
  EXPECT_TRUE(Authorize("auditor", "/ethrec.v1.AuditService/ListAuditEvents").ok());
  EXPECT_THAT(Authorize("data-quality-officer", "/ethrec.v1.AuditService/ListAuditEvents"),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("is for role auditor")));
}

TEST(AuthorizeTest, AnUnknownRoleOrMethodIsDenied) {
  EXPECT_THAT(Authorize("cli", "/ethrec.v1.DiagnosticsService/Echo"),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("role \"cli\" is not a role of this server; the roles are record-system, "
                                 "data-quality-officer, auditor")));
  EXPECT_THAT(Authorize("record-system", "/ethrec.v1.RecordsService/DeleteChild"),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("is in no role's access")));
}

TEST(SeesEveryAgencyTest, OnlyOfficers) {
  EXPECT_TRUE(SeesEveryAgency(kDataQualityRole));
  EXPECT_FALSE(SeesEveryAgency(kRecordSystemRole));
  EXPECT_FALSE(SeesEveryAgency(kAuditorRole));
  EXPECT_FALSE(SeesEveryAgency("cli"));
}

// Every service on an in-process server, identity from metadata.
class GateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    taxonomy_.Register(builder);
    builder.RegisterService(&diagnostics_);
    builder.RegisterService(&records_);
    builder.RegisterService(&findings_);
    builder.RegisterService(&audit_);
    builder.RegisterService(&changes_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    taxonomy_.StartNormalizeBatch(1);
    channel_ = server_->InProcessChannel(grpc::ChannelArguments());
  }
  void TearDown() override { server_->Shutdown(); }

  // Calls `method` with an empty request as `role`.
  grpc::Status Call(const std::string& method, const std::string& role) {
    grpc::GenericStub stub(channel_);
    grpc::ClientContext context;
    context.AddMetadata(kAgencyMetadataKey, "camden-csc");
    context.AddMetadata(kRoleMetadataKey, role);
    // A watch the table allows streams until its deadline.
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    grpc::ByteBuffer request;
    grpc::Slice empty("");
    request = grpc::ByteBuffer(&empty, 1);
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                   [&done](grpc::Status s) { done.set_value(std::move(s)); });
    return done.get_future().get();
  }

  std::unique_ptr<MemoryStore> store_ = ::ethrec::testing::StoreWithFindings();
  const CallGate gate_{IdentityOptions{}};
  TaxonomyServiceImpl taxonomy_{{.normalizer = &::ethrec::testing::BuiltinNormalizer()}, gate_};
  DiagnosticsServiceImpl diagnostics_{gate_};
  RecordsServiceImpl records_{{.normalizer = &::ethrec::testing::BuiltinNormalizer(), .store = store_.get()}, gate_};
  FindingsServiceImpl findings_{{.store = store_.get(), .taxonomy = &::ethrec::testing::BuiltinNormalizer().registry().taxonomy()},
                                gate_};
  AuditServiceImpl audit_{{.store = store_.get()}, gate_};
  ChangesServiceImpl changes_{{.store = store_.get()}, gate_};
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(GateTest, EveryHandlerIsDeniedExactlyWhenTheTableSaysNo) {
  std::vector<std::string> roles(Roles().begin(), Roles().end());
  roles.push_back("cli");  // unknown: denied everywhere
  int denied = 0;
  int allowed = 0;
  for (const MethodAccess& row : AccessTable()) {
    for (const std::string& role : roles) {
      const bool may = std::find(row.roles.begin(), row.roles.end(), role) != row.roles.end();
      const grpc::Status s = Call(std::string(row.method), role);
      if (may) {
        EXPECT_NE(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << row.method << " as " << role << ": "
                                                                       << s.error_message();
        EXPECT_NE(s.error_code(), grpc::StatusCode::UNIMPLEMENTED) << row.method;
        ++allowed;
      } else {
        EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << row.method << " as " << role;
        ++denied;
      }
    }
  }
  EXPECT_GT(allowed, 0);
  EXPECT_GT(denied, 0);
}

TEST_F(GateTest, ACallWithoutIdentityIsUnauthenticatedBeforeTheTable) {
  grpc::GenericStub stub(channel_);
  grpc::ClientContext context;
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, "/ethrec.v1.RecordsService/GetChild", grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status s) { done.set_value(std::move(s)); });
  EXPECT_EQ(done.get_future().get().error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

}  // namespace
}  // namespace ethrec::service
