// service/listen_address: which addresses only this machine can reach.
#include "service/listen_address.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace ethrec::service {
namespace {

using ::ethrec::testing::StatusIs;

TEST(ListenAddressTest, OnlyLoopbackAddressesAreLoopback) {
  for (const char* a : {"127.0.0.1:50051", "127.1.2.3:0", "[::1]:50051", "localhost:8080"}) {
    EXPECT_TRUE(IsLoopbackAddress(a)) << a;
  }
  for (const char* a : {"0.0.0.0:50051", "[::]:50051", "10.0.0.5:50051", "192.168.1.2:1", "example.org:50051",
                        "128.0.0.1:1", "127.0.0.1", "[::ffff:127.0.0.1]:1", "", ":50051", "[::1:50051"}) {
    EXPECT_FALSE(IsLoopbackAddress(a)) << a;
  }
}

TEST(ListenAddressTest, PlaintextElsewhereNeedsTheFlag) {
  EXPECT_TRUE(CheckPlaintextListen("127.0.0.1:0", false).ok());
  EXPECT_THAT(CheckPlaintextListen("0.0.0.0:50051", false),
              StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::HasSubstr("--allow_insecure")));
  EXPECT_TRUE(CheckPlaintextListen("0.0.0.0:50051", true).ok());
}

}  // namespace
}  // namespace ethrec::service
