// CallerFromMetadata and CallerFromSpiffeId: who is calling, from call
// metadata or from a client certificate's SPIFFE ID; every bad case is
// Unauthenticated saying what is wrong.
#include "service/caller.h"

#include <map>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace ethrec::service {
namespace {

using ::ethrec::testing::StatusIs;
using ::testing::HasSubstr;

using Metadata = std::multimap<grpc::string_ref, grpc::string_ref>;

TEST(CallerTest, ReadsAgencyAndRole) {
  const Metadata metadata = {{kAgencyMetadataKey, "camden-csc"}, {kRoleMetadataKey, "record-system"}, {"other", "x"}};
  absl::StatusOr<Caller> caller = CallerFromMetadata(metadata);
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->agency, "camden-csc");
  EXPECT_EQ(caller->role, "record-system");
}

TEST(CallerTest, MissingOrMalformedMetadataIsUnauthenticatedNamingTheKey) {
  const std::string long_name(65, 'a');
  const struct {
    Metadata metadata;
    const char* message;
  } cases[] = {
      {{}, "call metadata \"x-ethrec-agency\" is missing"},
      {{{kAgencyMetadataKey, "a"}}, "call metadata \"x-ethrec-role\" is missing"},
      {{{kAgencyMetadataKey, ""}, {kRoleMetadataKey, "r"}}, "\"x-ethrec-agency\" must be 1-64 characters"},
      {{{kAgencyMetadataKey, "Camden"}, {kRoleMetadataKey, "r"}}, "\"x-ethrec-agency\" must be"},
      {{{kAgencyMetadataKey, "a b"}, {kRoleMetadataKey, "r"}}, "\"x-ethrec-agency\" must be"},
      {{{kAgencyMetadataKey, long_name}, {kRoleMetadataKey, "r"}}, "\"x-ethrec-agency\" must be"},
      {{{kAgencyMetadataKey, "a"}, {kRoleMetadataKey, "role/admin"}}, "\"x-ethrec-role\" must be"},
  };
  for (const auto& c : cases) {
    EXPECT_THAT(CallerFromMetadata(c.metadata), StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr(c.message)));
  }
}

TEST(CallerTest, TheWholeAlphabetAndSixtyFourCharactersAreAccepted) {
  const std::string longest(64, 'z');
  const Metadata metadata = {{kAgencyMetadataKey, "a-z.0-9"}, {kRoleMetadataKey, longest}};
  absl::StatusOr<Caller> caller = CallerFromMetadata(metadata);
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->agency, "a-z.0-9");
  EXPECT_EQ(caller->role, longest);
}

TEST(CallerFromSpiffeIdTest, ReadsAgencyAndRoleAndKeepsTheIdForTheAudit) {
  absl::StatusOr<Caller> caller = CallerFromSpiffeId("spiffe://ethrec/agency/camden-csc/role/record-system", "ethrec");
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->agency, "camden-csc");
  EXPECT_EQ(caller->role, "record-system");
  EXPECT_EQ(caller->identity, "spiffe://ethrec/agency/camden-csc/role/record-system");
}

TEST(CallerFromSpiffeIdTest, ANonSpiffeIdOrAnotherTrustDomainOrPathIsUnauthenticated) {
  const struct {
    const char* id;
    const char* message;
  } cases[] = {
      {"https://ethrec/agency/a/role/r", "is not a spiffe:// URI"},
      {"spiffe://other.org/agency/a/role/r", "names trust domain \"other.org\", not this server's \"ethrec\""},
      {"spiffe://ethrec/agency/a", "has the wrong path"},
      {"spiffe://ethrec/agency/a/role/r/extra", "has the wrong path"},
      {"spiffe://ethrec/role/r/agency/a", "has the wrong path"},
      {"spiffe://ethrec/agency/A/role/r", "agency or role that is not"},
      {"spiffe://ethrec/agency/a/role/", "agency or role that is not"},
      {"spiffe://ethrec/agency//role/r", "agency or role that is not"},
      {"spiffe://ethrecx/agency/a/role/r", "names trust domain"},
  };
  for (const auto& c : cases) {
    EXPECT_THAT(CallerFromSpiffeId(c.id, "ethrec"), StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr(c.message)))
        << c.id;
  }
}

TEST(CallerFromSpiffeIdTest, TheTrustDomainIsTheServers) {
  absl::StatusOr<Caller> caller = CallerFromSpiffeId("spiffe://north.example/agency/gp-1/role/auditor", "north.example");
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->agency, "gp-1");
  EXPECT_EQ(caller->role, "auditor");
}

}  // namespace
}  // namespace ethrec::service
