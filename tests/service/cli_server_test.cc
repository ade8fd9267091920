// The ethrec CLI against a real ethrecd (--server) prints exactly what it
// prints in-process.
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/service/server_process.h"
#include "tests/testing/cli_run.h"
#include "tools/cli.h"

namespace ethrec {
namespace {

using ::testing::HasSubstr;

using ::ethrec::testing::CliRun;

CliRun Ethrec(const std::vector<std::string>& args) { return ::ethrec::testing::RunEthrec(args); }

class CliServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new testing::ServerProcess({});
    ASSERT_FALSE(server_->address().empty());
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static std::vector<std::string> Remote(std::vector<std::string> args) {
    args.insert(args.begin(), {"--server", server_->address()});
    return args;
  }
  static inline testing::ServerProcess* server_ = nullptr;
};

TEST_F(CliServerTest, EveryCommandPrintsTheSameAsInProcess) {
  const std::string batch = ::testing::TempDir() + "/cli_server_batch.csv";
  {
    std::ofstream f(batch);
    f << "system,code,text\n"
         "dfe,BSOM,\n"
         "nhs-ethnic-category,C,\n"
         ",,half Jamaican half English\n"
         "nope,X,\n"
         "dfe,XBLK,Black Caribbean\n"
         "dfe,WBRI\n";
  }
  const std::vector<std::vector<std::string>> commands = {
      {"normalize", "--system", "dfe", "--code", "BSOM"},
      {"normalize", "--text", "Mixed (white & black african)"},
      {"normalize", "--system", "dfe", "--code", "XBLK", "--text", "Black Caribbean"},
      {"normalize", "--system", "nhs", "--code", "A"},
      {"normalize", "--batch", batch},
      {"translate", "--from", "dfe", "--code", "BCRB", "--to", "police-sde"},
      {"suggest", "--category", "WHITE_ROMA", "--to", "nhs-ethnic-category"},
      {"suggest", "--category", "WHITE_ROMA", "--to", "police-ic"},
      {"systems"},
  };
  for (const auto& command : commands) {
    CliRun local = Ethrec(command);
    CliRun remote = Ethrec(Remote(command));
    EXPECT_EQ(remote.exit, local.exit) << command[0] << " " << remote.err;
    EXPECT_EQ(remote.out, local.out) << command[0];
    EXPECT_EQ(remote.err, local.err) << command[0];
    EXPECT_FALSE(local.out.empty() && local.err.empty()) << command[0];
  }
}

TEST_F(CliServerTest, UnreachableServerIsAClearError) {
  CliRun r = Ethrec({"--server", "127.0.0.1:1", "systems"});
  EXPECT_EQ(r.exit, tools::kExitError);
  EXPECT_THAT(r.err, HasSubstr("no ethrecd answers at 127.0.0.1:1"));
}

TEST_F(CliServerTest, MapsOptionIsRefusedWithServer) {
  CliRun r = Ethrec(Remote({"--maps", "/tmp", "systems"}));
  EXPECT_EQ(r.exit, tools::kExitError);
  EXPECT_THAT(r.err, HasSubstr("start ethrecd with --maps"));
}

}  // namespace
}  // namespace ethrec
