// ethrecd's log when it refuses to start, through the real binary: bad
// flags, unusable TLS files, a listen address refused or already taken, a
// database that cannot be opened, is readable by anyone or is newer than
// the binary, and a bad code list directory. Each is refused with the
// documented exit status, and every line on stderr is one JSON object with
// `time`, `level` and `event`, among them an error "refused to start" that
// says why. Loopback only; temporary files only.
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tests/testing/files.h"

namespace ethrec {
namespace {

namespace fs = std::filesystem;

using ::ethrec::testing::ReadFile;
using ::ethrec::testing::RunShell;

struct Outcome {
  int exit_code = -1;
  std::vector<std::string> lines;  // stderr, line by line
};

class StartupLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("ethrec-startup-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs ethrecd with `flags` (it must exit by itself: every case refuses).
  Outcome Start(const std::string& flags) {
    Outcome run;
    const fs::path out = dir_ / "out", err = dir_ / "err";
    run.exit_code = RunShell("timeout 60 " + std::string(ETHREC_ETHRECD_PATH) + " " + flags + " >" + out.string() +
                          " 2>" + err.string() + " </dev/null");
    std::istringstream lines(ReadFile(err));
    for (std::string line; std::getline(lines, line);) run.lines.push_back(line);
    return run;
  }

  // Every stderr line is a JSON object with string time, level and event,
  // and one is an error "refused to start" whose text contains `why`.
  // (stdout may hold the addresses of ports that opened before the refusal.)
  static void ExpectJsonRefusal(const Outcome& run, const std::string& why) {
    ASSERT_FALSE(run.lines.empty()) << "nothing on stderr";
    bool refused = false;
    for (const std::string& line : run.lines) {
      rapidjson::Document doc;
      doc.Parse(line.c_str());
      ASSERT_FALSE(doc.HasParseError()) << "not JSON: " << line;
      ASSERT_TRUE(doc.IsObject()) << line;
      for (const char* key : {"time", "level", "event"}) {
        ASSERT_TRUE(doc.HasMember(key) && doc[key].IsString()) << key << " missing: " << line;
      }
      if (std::string(doc["event"].GetString()) == "refused to start") {
        EXPECT_EQ(std::string(doc["level"].GetString()), "error") << line;
        refused |= line.find(why) != std::string::npos;
      }
    }
    EXPECT_TRUE(refused) << "no \"refused to start\" line naming '" << why << "' in:\n"
                         << ::testing::PrintToString(run.lines);
  }

  std::string Db() const { return "--db=" + (dir_ / "ethrec.db").string(); }

  fs::path dir_;
};

TEST_F(StartupLogTest, AnUnknownFlagIsAJsonLine) {
  const Outcome run = Start(Db() + " --no_such_flag=1");
  EXPECT_EQ(run.exit_code, 1);
  ExpectJsonRefusal(run, "no_such_flag");
}

TEST_F(StartupLogTest, AFlagValueThatDoesNotParseIsAJsonLine) {
  const Outcome run = Start(Db() + " --max_batch_items=many");
  EXPECT_EQ(run.exit_code, 1);
  ExpectJsonRefusal(run, "max_batch_items");
}

TEST_F(StartupLogTest, AnUnreadableOrWrongTlsFileIsRefused) {
  std::ofstream(dir_ / "not-pem.txt") << "not a certificate\n";
  Outcome run = Start(Db() + " --tls_cert=" + (dir_ / "missing.pem").string() + " --tls_key=x --tls_client_ca=y");
  EXPECT_EQ(run.exit_code, 2);
  ExpectJsonRefusal(run, "--tls_cert: cannot read");
  run = Start(Db() + " --tls_cert=" + (dir_ / "not-pem.txt").string() + " --tls_key=x --tls_client_ca=y");
  EXPECT_EQ(run.exit_code, 2);
  ExpectJsonRefusal(run, "holds no PEM CERTIFICATE");
}

// PEM files of the right kinds whose key does not match the certificate:
// the HTTP listener's OpenSSL refuses them.
TEST_F(StartupLogTest, AKeyThatDoesNotMatchTheCertificateIsRefused) {
  for (const char* name : {"a", "b"}) {
    const std::string base = (dir_ / name).string();
    ASSERT_EQ(RunShell("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=" +
                    std::string(name) + " -keyout " + base + ".key -out " + base + ".pem 2>/dev/null"),
              0);
  }
  const Outcome run = Start(Db() + " --listen=127.0.0.1:0 --http_listen=127.0.0.1:0 --tls_cert=" +
                            (dir_ / "a.pem").string() + " --tls_key=" + (dir_ / "b.key").string() +
                            " --tls_client_ca=" + (dir_ / "a.pem").string());
  EXPECT_EQ(run.exit_code, 1);
  ExpectJsonRefusal(run, "the HTTP listener cannot use --tls_cert");
}

TEST_F(StartupLogTest, APlaintextAddressOthersCanReachIsRefused) {
  Outcome run = Start(Db() + " --listen=0.0.0.0:0");
  EXPECT_EQ(run.exit_code, 2);
  ExpectJsonRefusal(run, "0.0.0.0:0");
  run = Start(Db() + " --listen=127.0.0.1:0 --http_listen=0.0.0.0:0");
  EXPECT_EQ(run.exit_code, 2);
  ExpectJsonRefusal(run, "--http_listen");
}

// A port another socket holds: gRPC's own log lines about it are JSON too.
TEST_F(StartupLogTest, AnAddressInUseIsRefused) {
  const int sock = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(sock, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(sock, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(sock, 1), 0);
  socklen_t size = sizeof address;
  ASSERT_EQ(getsockname(sock, reinterpret_cast<sockaddr*>(&address), &size), 0);
  const std::string taken = "127.0.0.1:" + std::to_string(ntohs(address.sin_port));
  Outcome run = Start(Db() + " --listen=" + taken);
  EXPECT_EQ(run.exit_code, 1);
  ExpectJsonRefusal(run, "cannot listen on " + taken);
  run = Start(Db() + " --listen=127.0.0.1:0 --http_listen=" + taken);
  EXPECT_EQ(run.exit_code, 1);
  ExpectJsonRefusal(run, "cannot listen on " + taken + " (--http_listen)");
  close(sock);
}

TEST_F(StartupLogTest, ADatabaseThatCannotBeOpenedIsRefused) {
  const Outcome run = Start("--listen=127.0.0.1:0 --db=" + (dir_ / "no-such-dir" / "ethrec.db").string());
  EXPECT_EQ(run.exit_code, 1);
  ExpectJsonRefusal(run, "cannot open the database");
}

TEST_F(StartupLogTest, ADatabaseAnyoneMayReadIsRefused) {
  const fs::path db = dir_ / "open.db";
  std::ofstream(db).close();
  ASSERT_EQ(chmod(db.c_str(), 0644), 0);
  const Outcome run = Start("--listen=127.0.0.1:0 --db=" + db.string());
  EXPECT_EQ(run.exit_code, 1);
  ExpectJsonRefusal(run, "chmod");
}

TEST_F(StartupLogTest, ADatabaseNewerThanTheBinaryIsRefused) {
  const fs::path db = dir_ / "newer.db";
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &handle), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(handle,
                         "CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY, description TEXT NOT "
                         "NULL, applied_at_us BIGINT NOT NULL);"
                         "INSERT INTO schema_migrations VALUES (1000000, 'from the future', 0);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(handle);
  ASSERT_EQ(chmod(db.c_str(), 0600), 0);
  const Outcome run = Start("--listen=127.0.0.1:0 --db=" + db.string());
  EXPECT_EQ(run.exit_code, 1);
  ExpectJsonRefusal(run, "is newer than this build knows");
}

TEST_F(StartupLogTest, AMissingCodeListDirectoryIsRefused) {
  const Outcome run = Start(Db() + " --listen=127.0.0.1:0 --maps=" + (dir_ / "no-maps").string());
  EXPECT_EQ(run.exit_code, 1);
  ExpectJsonRefusal(run, "cannot load code lists");
}

}  // namespace
}  // namespace ethrec
