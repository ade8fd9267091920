// The file watch the TLS listeners share: the fingerprint changes exactly
// when a watched file's content, or a directory's set of files, changes;
// the periodic check runs until destroyed, and not after.

#include "service/internal/file_watch.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace ethrec::service {
namespace {

namespace fs = std::filesystem;

class FileWatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("ethrec-file-watch-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "crl");
    Write("cert.pem", "one");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }
  std::string Fingerprint() const {
    return FilesFingerprint({(dir_ / "cert.pem").string()}, (dir_ / "crl").string());
  }

  fs::path dir_;
};

TEST_F(FileWatchTest, ReadsAFileOrNothing) {
  EXPECT_EQ(ReadFileOrEmpty((dir_ / "cert.pem").string()), "one");
  EXPECT_EQ(ReadFileOrEmpty((dir_ / "missing.pem").string()), "");
}

TEST_F(FileWatchTest, FingerprintFollowsContentAndTheDirectorysFiles) {
  const std::string first = Fingerprint();
  EXPECT_EQ(Fingerprint(), first) << "nothing changed";
  Write("cert.pem", "two");
  const std::string rewritten = Fingerprint();
  EXPECT_NE(rewritten, first);
  Write("crl/abcd.r0", "revoked");
  const std::string added = Fingerprint();
  EXPECT_NE(added, rewritten);
  fs::rename(dir_ / "crl/abcd.r0", dir_ / "crl/abcd.r1");
  EXPECT_NE(Fingerprint(), added) << "a renamed CRL file is a change";
  fs::remove(dir_ / "crl/abcd.r1");
  EXPECT_EQ(Fingerprint(), rewritten);
}

TEST_F(FileWatchTest, AMissingDirectoryCountsAsEmpty) {
  EXPECT_EQ(FilesFingerprint({(dir_ / "cert.pem").string()}, (dir_ / "none").string()),
            FilesFingerprint({(dir_ / "cert.pem").string()}, ""));
}

TEST(PeriodicCheckTest, ChecksUntilDestroyedAndNotAfter) {
  std::atomic<int> calls{0};
  {
    PeriodicCheck check(absl::Milliseconds(5), [&calls] { ++calls; });
    // Bounded wait for a few calls: 10 s at most.
    for (int i = 0; i < 2000 && calls.load() < 3; ++i) absl::SleepFor(absl::Milliseconds(5));
    EXPECT_GE(calls.load(), 3);
  }
  const int at_destruction = calls.load();
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(calls.load(), at_destruction);
}

}  // namespace
}  // namespace ethrec::service
