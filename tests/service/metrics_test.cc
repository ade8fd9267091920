// Metrics: counts, cumulative histogram buckets, the open-findings gauge's
// refresh, and the whole exposition checked by Prometheus' own promtool
// (Debian package prometheus, installed by deploy/install-deps.sh --tests).
#include "service/metrics.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ethrec::service {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// promtool check metrics' exit status and output for `text`.
std::pair<int, std::string> Promtool(const std::string& text) {
  // One file per test process: CTest runs the cases in parallel.
  const std::string path = absl::StrCat(::testing::TempDir(), "/metrics-",
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name(), "-",
                                        getpid(), ".txt");
  std::ofstream(path) << text;
  FILE* pipe = popen(absl::StrCat("promtool check metrics < ", path, " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {-1, "cannot run promtool"};
  std::string out;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  const int status = pclose(pipe);
  std::remove(path.c_str());
  return {status, out};
}

TEST(MetricsTest, CountsCallsAndCumulatesBuckets) {
  Metrics m("1.2.3");
  m.RecordCall("grpc", "/ethrec.v1.TaxonomyService/Translate", absl::StatusCode::kOk, absl::Microseconds(300));
  m.RecordCall("grpc", "/ethrec.v1.TaxonomyService/Translate", absl::StatusCode::kOk, absl::Milliseconds(30));
  m.RecordCall("grpc", "/ethrec.v1.TaxonomyService/Translate", absl::StatusCode::kNotFound, absl::Seconds(7));
  m.RecordStoreTransaction("Write", absl::Milliseconds(2));
  const std::string text = m.Render();
  const std::string labels = R"(transport="grpc",method="/ethrec.v1.TaxonomyService/Translate")";
  EXPECT_THAT(text, AllOf(HasSubstr(absl::StrCat("ethrec_calls_total{", labels, ",code=\"OK\"} 2")),
                          HasSubstr(absl::StrCat("ethrec_calls_total{", labels, ",code=\"NOT_FOUND\"} 1")),
                          HasSubstr(absl::StrCat("ethrec_call_duration_seconds_bucket{", labels, ",le=\"0.0005\"} 1")),
                          HasSubstr(absl::StrCat("ethrec_call_duration_seconds_bucket{", labels, ",le=\"0.05\"} 2")),
                          HasSubstr(absl::StrCat("ethrec_call_duration_seconds_bucket{", labels, ",le=\"5\"} 2")),
                          HasSubstr(absl::StrCat("ethrec_call_duration_seconds_bucket{", labels, ",le=\"+Inf\"} 3")),
                          HasSubstr(absl::StrCat("ethrec_call_duration_seconds_count{", labels, "} 3")),
                          HasSubstr("ethrec_store_transaction_duration_seconds_count{operation=\"Write\"} 1"),
                          HasSubstr("ethrec_build_info{version=\"1.2.3\"} 1")));
  auto [status, out] = Promtool(text);
  EXPECT_EQ(status, 0) << out << "\n" << text;
}

TEST(MetricsTest, OpenFindingsAreReadAtMostOncePerRefresh) {
  Metrics m("test");
  int reads = 0;
  m.SetOpenFindingsSource(
      [&reads]() -> absl::StatusOr<std::map<std::string, int64_t>> {
        ++reads;
        return std::map<std::string, int64_t>{{"SELF_ID_MISMATCH", 3}, {"OUTDATED", 1}};
      },
      absl::Hours(1));
  const std::string text = m.Render();
  m.Render();
  EXPECT_EQ(reads, 1);
  EXPECT_THAT(text, AllOf(HasSubstr("ethrec_open_findings{kind=\"SELF_ID_MISMATCH\"} 3"),
                          HasSubstr("ethrec_open_findings{kind=\"OUTDATED\"} 1"),
                          HasSubstr("ethrec_open_findings_errors_total 0")));
  auto [status, out] = Promtool(text);
  EXPECT_EQ(status, 0) << out << "\n" << text;
}

TEST(MetricsTest, AFailedCountLeavesTheGaugeOutAndIsCounted) {
  Metrics m("test");
  m.SetOpenFindingsSource([]() -> absl::StatusOr<std::map<std::string, int64_t>> {
    return absl::FailedPreconditionError("findings are off");
  }, absl::ZeroDuration());
  m.Render();
  const std::string text = m.Render();
  EXPECT_THAT(text, AllOf(Not(HasSubstr("ethrec_open_findings{")), HasSubstr("ethrec_open_findings_errors_total 2")));
}

TEST(MetricsTest, PromtoolRejectsBrokenExposition) {
  // The check is real: promtool refuses a counter without _total.
  auto [status, out] = Promtool("# TYPE broken counter\nbroken 1\n");
  EXPECT_NE(status, 0) << out;
}

}  // namespace
}  // namespace ethrec::service
