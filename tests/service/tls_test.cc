// CheckTlsOptions: all three files or none, each readable PEM of its kind,
// a CRL directory only with TLS. The handshakes themselves are tested
// against the real server in tls_e2e_test.
#include "service/tls.h"

#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace ethrec::service {
namespace {

namespace fs = std::filesystem;
using ::ethrec::testing::StatusIs;
using ::testing::HasSubstr;

class TlsOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("ethrec-tls-options-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    Write("cert.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    Write("key.pem", "-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n");
    Write("ec.key", "-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----\n");
    Write("text.txt", "not pem\n");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  TlsOptions Valid() const {
    return {.cert_file = Path("cert.pem"), .key_file = Path("key.pem"), .client_ca_file = Path("cert.pem")};
  }

  fs::path dir_;
};

TEST_F(TlsOptionsTest, NoTlsIsValidAndOff) {
  EXPECT_FALSE(TlsOptions{}.enabled());
  EXPECT_TRUE(CheckTlsOptions({}).ok());
}

TEST_F(TlsOptionsTest, ThreeReadablePemFilesAreValid) {
  TlsOptions options = Valid();
  EXPECT_TRUE(options.enabled());
  EXPECT_TRUE(CheckTlsOptions(options).ok());
  options.key_file = Path("ec.key");
  EXPECT_TRUE(CheckTlsOptions(options).ok());
  options.crl_dir = dir_.string();
  EXPECT_TRUE(CheckTlsOptions(options).ok());
}

TEST_F(TlsOptionsTest, EachMissingOrWrongFileIsNamedByItsFlag) {
  TlsOptions options = Valid();
  options.key_file = "";
  EXPECT_THAT(CheckTlsOptions(options), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--tls_key is missing")));
  options = Valid();
  options.client_ca_file = Path("absent.pem");
  EXPECT_THAT(CheckTlsOptions(options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--tls_client_ca: cannot read")));
  options = Valid();
  options.cert_file = Path("key.pem");
  EXPECT_THAT(CheckTlsOptions(options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--tls_cert: " + Path("key.pem") + " holds no PEM CERTIFICATE")));
  options = Valid();
  options.key_file = Path("text.txt");
  EXPECT_THAT(CheckTlsOptions(options), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("holds no PEM PRIVATE KEY")));
}

TEST_F(TlsOptionsTest, ACrlDirectoryMustBeADirectoryAndNeedsTls) {
  TlsOptions options = Valid();
  options.crl_dir = Path("cert.pem");
  EXPECT_THAT(CheckTlsOptions(options), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is not a directory")));
  EXPECT_THAT(CheckTlsOptions({.crl_dir = dir_.string()}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--tls_crl_dir needs TLS")));
}

TEST_F(TlsOptionsTest, TheRefreshIntervalIsAtLeastOneSecond) {
  TlsOptions options = Valid();
  options.refresh_seconds = 0;
  EXPECT_THAT(CheckTlsOptions(options), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--tls_refresh_seconds")));
}

}  // namespace
}  // namespace ethrec::service
