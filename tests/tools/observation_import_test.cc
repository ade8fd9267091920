// ImportObservations with a fake server (a BatchWriter): batching, resending
// after a refused row, stopping on an error that names no row, and header
// checks. Synthetic data only.
#include "tools/observation_import.h"

#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapping/status_field.h"
#include "tests/testing/status_matchers.h"
#include "tools/records_client.h"

namespace ethrec::tools {
namespace {

using ::ethrec::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kHeader[] = "record_id,version,nhs_number,child_id,system,code,text,supplied_by,recorded_at\n";

// A row for child id `child` with the given system and code.
std::string Row(const std::string& record_id, const std::string& child, const std::string& system = "dfe",
                const std::string& code = "WBRI") {
  return absl::StrCat(record_id, ",1,,", child, ",", system, ",", code, ",,SELF,2026-01-01T00:00:00Z\n");
}

// A fake RecordsService: refuses (as the server does, one item at a time)
// the first item whose system is "nope", and keeps every batch it was sent.
struct FakeServer {
  std::vector<std::vector<std::string>> calls;  // record ids of each call
  absl::Status fail_call;                       // returned instead, when not OK ...
  int fail_at_call = -1;                        // ... by this call (0-based)

  absl::StatusOr<v1::RecordObservationsResponse> Write(const v1::RecordObservationsRequest& batch) {
    std::vector<std::string> ids;
    for (const v1::ObservationInput& o : batch.observations()) ids.push_back(o.record_id());
    calls.push_back(ids);
    if (static_cast<int>(calls.size()) - 1 == fail_at_call) return fail_call;
    for (int i = 0; i < batch.observations_size(); ++i) {
      const v1::ObservationInput& o = batch.observations(i);
      if (o.system() == "nope") {
        return WithBatchItem(
            WithField(absl::NotFoundError(absl::StrCat("observations[", i, "]: unknown code system \"nope\" for ",
                                                       o.child().agency_child_id())),
                      "system"),
            i);
      }
    }
    v1::RecordObservationsResponse response;
    for (int i = 0; i < batch.observations_size(); ++i) response.add_results()->set_outcome(v1::INSERTED);
    return response;
  }
};

absl::StatusOr<ImportSummary> Import(const std::string& csv, FakeServer* server, int batch_size = 500) {
  std::istringstream in(csv);
  ImportOptions options;
  options.batch_size = batch_size;
  return ImportObservations(&in, options,
                            [server](const v1::RecordObservationsRequest& b) { return server->Write(b); });
}

TEST(ObservationImportTest, RefusedRowIsDroppedAndTheRestOfTheBatchResent) {
  FakeServer server;
  absl::StatusOr<ImportSummary> s =
      Import(absl::StrCat(kHeader, Row("a", "kid-a"), Row("b", "kid-b", "nope", "X"), Row("c", "kid-c"),
                          Row("d", "kid-d", "nope", "X"), Row("e", "kid-e")),
             &server, 4);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->rows_read, 5);
  EXPECT_EQ(s->inserted, 3);
  EXPECT_TRUE(s->stopped.ok());
  ASSERT_EQ(s->rejections.size(), 2u);
  EXPECT_EQ(s->rejections[0].line, 3);
  EXPECT_EQ(s->rejections[0].code, absl::StatusCode::kNotFound);
  EXPECT_EQ(s->rejections[0].field, "system");
  // The batch index is dropped and the child id kept out of the reason.
  EXPECT_EQ(s->rejections[0].reason, "unknown code system \"nope\" for [child_id]");
  EXPECT_EQ(s->rejections[1].line, 5);
  EXPECT_THAT(server.calls, ElementsAre(ElementsAre("a", "b", "c", "d"), ElementsAre("a", "c", "d"),
                                        ElementsAre("a", "c"), ElementsAre("e")));
}

TEST(ObservationImportTest, LocalChecksNeverReachTheServerAndNeverEchoACell) {
  FakeServer server;
  const std::string csv = absl::StrCat(kHeader,
                                       "r1,x,,kid-1,dfe,WBRI,,SELF,2026-01-01T00:00:00Z\n",         // version
                                       "r2,0,,kid-2,dfe,WBRI,,SELF,2026-01-01T00:00:00Z\n",         // version 0
                                       "r3,1,,,dfe,WBRI,,SELF,2026-01-01T00:00:00Z\n",              // no child
                                       "r4,1,9990001234,,dfe,WBRI,,SELF,2026-01-01T00:00:00Z\n",    // NHS number
                                       "r5,1,,kid-5,dfe,WBRI,,kid-5,2026-01-01T00:00:00Z\n",        // supplied_by
                                       "r6,1,,kid-6,dfe,WBRI,,SELF,kid-6\n",                        // recorded_at
                                       ",1,,kid-7,dfe,WBRI,,SELF,2026-01-01T00:00:00Z\n",           // record_id
                                       "r8,1,,kid-8,dfe,WBRI,,SELF\n",                              // field count
                                       "r9,1,,kid-9,dfe,\"WB\"RI,,SELF,2026-01-01T00:00:00Z\n");    // CSV syntax
  absl::StatusOr<ImportSummary> s = Import(csv, &server);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_THAT(server.calls, IsEmpty());
  EXPECT_EQ(s->rows_read, 9);
  ASSERT_EQ(s->rejections.size(), 9u);
  const char* fields[] = {"record_version", "record_version", "child", "child.nhs_number", "supplied_by",
                          "recorded_at", "record_id", "", ""};
  for (size_t i = 0; i < 9; ++i) {
    EXPECT_EQ(s->rejections[i].line, static_cast<int>(i) + 2);
    EXPECT_EQ(s->rejections[i].field, fields[i]) << i;
    EXPECT_THAT(s->rejections[i].reason, Not(HasSubstr("kid-"))) << i;
    EXPECT_THAT(s->rejections[i].reason, Not(HasSubstr("999000"))) << i;
  }
  EXPECT_EQ(s->rejections[7].reason, "the row has 8 fields; the header has 9");
  EXPECT_EQ(s->rejections[8].reason, "text after a closing quote");
}

TEST(ObservationImportTest, ErrorNamingNoRowStopsTheImport) {
  FakeServer server;
  server.fail_at_call = 1;
  server.fail_call = absl::UnavailableError("sqlite: database is locked");
  std::string csv = kHeader;
  for (int i = 0; i < 7; ++i) csv += Row(absl::StrCat("r", i), absl::StrCat("kid-", i));
  absl::StatusOr<ImportSummary> s = Import(csv, &server, 3);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_THAT(s->stopped, StatusIs(absl::StatusCode::kUnavailable, HasSubstr("locked")));
  EXPECT_EQ(s->inserted, 3);
  EXPECT_EQ(s->stopped_at_line, 5);  // rows r3-r5 were the batch in flight
  EXPECT_EQ(s->rows_read, 6);        // nothing read after the stop
  EXPECT_EQ(server.calls.size(), 2u);
}

TEST(ObservationImportTest, RepeatedVersionGoesInTheNextBatch) {
  FakeServer server;
  absl::StatusOr<ImportSummary> s =
      Import(absl::StrCat(kHeader, Row("a", "kid-a"), Row("b", "kid-b"), Row("a", "kid-a"), Row("c", "kid-c")),
             &server);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->inserted, 4);
  EXPECT_THAT(server.calls, ElementsAre(ElementsAre("a", "b"), ElementsAre("a", "c")));
}

TEST(ObservationImportTest, BadHeaderOrBatchSizeSendsNothing) {
  const struct {
    std::string csv;
    const char* message;
  } cases[] = {
      {"", "line 1: the file is empty"},
      {"record_id,version\n", "line 1: the header has no \"nhs_number\" column"},
      {absl::StrCat("nhs_no,", kHeader), "line 1: unknown column \"nhs_no\""},
      {absl::StrCat("code,", kHeader), "line 1: column \"code\" appears twice"},
  };
  for (const auto& c : cases) {
    FakeServer server;
    EXPECT_THAT(Import(c.csv, &server), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)));
    EXPECT_THAT(server.calls, IsEmpty());
  }
  FakeServer server;
  EXPECT_THAT(Import(kHeader, &server, 0), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("batch size")));
  EXPECT_THAT(Import(kHeader, &server, kMaxImportBatchSize + 1),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("batch size")));
}

TEST(ObservationImportTest, ProgressIsReportedAfterEachBatch) {
  FakeServer server;
  std::string csv = kHeader;
  for (int i = 0; i < 5; ++i) csv += Row(absl::StrCat("r", i), absl::StrCat("kid-", i));
  csv += "\n";
  std::istringstream in(csv);
  std::vector<int64_t> done;
  ImportOptions options;
  options.batch_size = 2;
  options.progress = [&](int64_t n) { done.push_back(n); };
  ASSERT_TRUE(
      ImportObservations(&in, options, [&](const auto& b) { return server.Write(b); }).ok());
  EXPECT_THAT(done, ElementsAre(2, 4, 5));

  std::istringstream count(absl::StrCat(csv, "x,\"unclosed\n"));
  EXPECT_EQ(CountCsvRows(&count), 6);
}

TEST(ObservationImportTest, FormatsProgress) {
  EXPECT_EQ(FormatImportProgress(50, 200, absl::Seconds(2)),
            "[#######                       ] 50/200 rows  25 rows/s");
  EXPECT_EQ(FormatImportProgress(0, 0, absl::ZeroDuration()),
            "[##############################] 0/0 rows  0 rows/s");
}

}  // namespace
}  // namespace ethrec::tools
