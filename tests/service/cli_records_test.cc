// The ethrec record, child and import commands against a real ethrecd with a
// temporary database. Synthetic data only: NHS numbers on a 999 prefix with
// computed check digits.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapping/observation.h"
#include "rapidjson/document.h"
#include "tests/service/server_process.h"
#include "tests/testing/cli_run.h"
#include "tools/cli.h"

namespace ethrec {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;


// `nhs` with a wrong check digit.
std::string WrongCheckDigit(std::string nhs) {
  nhs.back() = nhs.back() == '9' ? '0' : static_cast<char>(nhs.back() + 1);
  return nhs;
}

using ::ethrec::testing::CliRun;

CliRun Ethrec(const std::vector<std::string>& args, const tools::CliEnvironment& env = {}) {
  return ::ethrec::testing::RunEthrec(args, env);
}

rapidjson::Document Json(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  EXPECT_FALSE(doc.HasParseError()) << "not JSON: " << text;
  EXPECT_TRUE(doc.IsObject()) << "not a JSON object: " << text;
  return doc;
}

std::string WriteFile(const std::string& name, const std::string& content) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

class CliRecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<testing::ServerProcess>(std::vector<std::string>{});
    ASSERT_FALSE(server_->address().empty());
  }
  // `args` against the test server as agency `agency`.
  std::vector<std::string> Remote(std::vector<std::string> args, const std::string& agency = "camden-csc") {
    args.insert(args.begin(), {"--server", server_->address(), "--agency", agency});
    return args;
  }
  std::unique_ptr<testing::ServerProcess> server_;
};

TEST_F(CliRecordsTest, RecordThenChildRoundTrip) {
  const std::string nhs = SyntheticNhsNumber(1);
  CliRun record = Ethrec(Remote({"record", "--record-id", "eth-1", "--version", "1", "--nhs-number", nhs,
                                 "--child-id", "csc-77", "--system", "dfe", "--code", "BSOM", "--supplied-by",
                                 "SELF", "--recorded-at", "2026-11-27T10:00:00Z"}));
  ASSERT_EQ(record.exit, tools::kExitOk) << record.err;
  rapidjson::Document r = Json(record.out);
  EXPECT_STREQ(r["outcome"].GetString(), "INSERTED");
  EXPECT_STREQ(r["value"]["outcome"].GetString(), "CATEGORIES");
  EXPECT_STREQ(r["value"]["categories"][0].GetString(), "BLACK_AFRICAN");
  EXPECT_STREQ(r["value"]["detail"].GetString(), "Somali");
  // The value is what `normalize` prints for the same code.
  CliRun normalize = Ethrec(Remote({"normalize", "--system", "dfe", "--code", "BSOM"}));
  ASSERT_EQ(normalize.exit, tools::kExitOk);
  EXPECT_THAT(record.out, HasSubstr(absl::StrCat("\"value\":", normalize.out.substr(0, normalize.out.size() - 1))));

  CliRun by_nhs = Ethrec(Remote({"child", "--nhs-number", nhs, "--json"}));
  ASSERT_EQ(by_nhs.exit, tools::kExitOk) << by_nhs.err;
  rapidjson::Document c = Json(by_nhs.out);
  ASSERT_EQ(c["nhs_numbers"].Size(), 1u);
  EXPECT_EQ(c["nhs_numbers"][0].GetString(), nhs);
  ASSERT_EQ(c["agency_child_ids"].Size(), 1u);
  EXPECT_STREQ(c["agency_child_ids"][0]["agency"].GetString(), "camden-csc");
  EXPECT_STREQ(c["agency_child_ids"][0]["agency_child_id"].GetString(), "csc-77");
  ASSERT_EQ(c["observations"].Size(), 1u);
  const auto& o = c["observations"][0];
  EXPECT_STREQ(o["agency"].GetString(), "camden-csc");
  EXPECT_STREQ(o["record_id"].GetString(), "eth-1");
  ASSERT_EQ(o["versions"].Size(), 1u);
  const auto& v = o["versions"][0];
  EXPECT_EQ(v["record_version"].GetInt(), 1);
  EXPECT_STREQ(v["system"].GetString(), "dfe");
  EXPECT_STREQ(v["code"].GetString(), "BSOM");
  EXPECT_STREQ(v["text"].GetString(), "");
  EXPECT_STREQ(v["supplied_by"].GetString(), "SELF");
  EXPECT_STREQ(v["recorded_at"].GetString(), "2026-11-27T10:00:00Z");
  EXPECT_THAT(v["received_at"].GetString(), ::testing::EndsWith("Z"));
  EXPECT_STREQ(v["value"]["detail"].GetString(), "Somali");

  // The agency's own id finds the same child; another agency's does not.
  CliRun by_id = Ethrec(Remote({"child", "--child-id", "csc-77", "--json"}));
  ASSERT_EQ(by_id.exit, tools::kExitOk) << by_id.err;
  EXPECT_EQ(by_id.out, by_nhs.out);
  CliRun other = Ethrec(Remote({"child", "--child-id", "csc-77"}, "met-police"));
  EXPECT_EQ(other.exit, tools::kExitError);
  EXPECT_THAT(other.err, HasSubstr("\"code\":\"NOT_FOUND\""));
}

TEST_F(CliRecordsTest, RecordValidateOnlyShowsTheFindingAndTheFixAndStoresNothing) {
  const std::string nhs = SyntheticNhsNumber(2);
  CliRun school = Ethrec(Remote({"record", "--record-id", "s-1", "--version", "1", "--nhs-number", nhs, "--system",
                                 "dfe", "--code", "BCRB", "--supplied-by", "SELF", "--recorded-at",
                                 "2026-03-01T09:00:00Z"},
                                "school-a"));
  ASSERT_EQ(school.exit, tools::kExitOk) << school.err;
  const std::vector<std::string> gp = {"record", "--record-id", "g-1", "--version", "1", "--nhs-number", nhs,
                                       "--system", "nhs-ethnic-category", "--code", "A", "--supplied-by", "UNKNOWN"};
  std::vector<std::string> dry_args = gp;
  dry_args.push_back("--validate-only");
  CliRun dry = Ethrec(Remote(dry_args, "gp-b"));
  ASSERT_EQ(dry.exit, tools::kExitOk) << dry.err;
  rapidjson::Document r = Json(dry.out);
  ASSERT_EQ(r["findings"].Size(), 1u) << dry.out;
  EXPECT_STREQ(r["findings"][0]["action"].GetString(), "RAISED");
  EXPECT_STREQ(r["findings"][0]["finding"]["kind"].GetString(), "SELF_ID_MISMATCH");
  EXPECT_STREQ(r["findings"][0]["finding"]["suggested_code"].GetString(), "M");
  EXPECT_EQ(r["findings"][0]["finding"]["finding_id"].GetInt64(), 0);
  EXPECT_STREQ(r["reference"]["categories"][0].GetString(), "BLACK_CARIBBEAN");
  EXPECT_STREQ(r["reference"]["stated_at"].GetString(), "2026-03-01T09:00:00Z");
  EXPECT_STREQ(r["reference"]["supplied_by"].GetString(), "SELF");
  EXPECT_THAT(dry.out, Not(HasSubstr("school-a")));
  // Stored nothing: the GP's own id for the record is still free, and the
  // real write raises the finding with an id.
  CliRun real = Ethrec(Remote(gp, "gp-b"));
  ASSERT_EQ(real.exit, tools::kExitOk) << real.err;
  rapidjson::Document w = Json(real.out);
  EXPECT_STREQ(w["outcome"].GetString(), "INSERTED");
  ASSERT_EQ(w["findings"].Size(), 1u);
  EXPECT_GT(w["findings"][0]["finding"]["finding_id"].GetInt64(), 0);
}

TEST_F(CliRecordsTest, RecordRetryIsDuplicateAndCorrectionsKeepHistory) {
  const std::string nhs = SyntheticNhsNumber(2);
  auto record = [&](const std::string& version, const std::string& code) {
    return Ethrec(Remote({"record", "--record-id", "eth-2", "--version", version, "--nhs-number", nhs, "--system",
                          "dfe", "--code", code, "--supplied-by", "PARENT_OR_CARER", "--recorded-at",
                          absl::StrCat("2026-11-2", version, "T10:00:00Z")}));
  };
  CliRun first = record("1", "WROM");
  ASSERT_EQ(first.exit, tools::kExitOk) << first.err;
  EXPECT_STREQ(Json(first.out)["outcome"].GetString(), "INSERTED");
  CliRun retry = record("1", "WROM");
  ASSERT_EQ(retry.exit, tools::kExitOk) << retry.err;
  EXPECT_STREQ(Json(retry.out)["outcome"].GetString(), "DUPLICATE");
  EXPECT_STREQ(Json(record("3", "WROR").out)["outcome"].GetString(), "INSERTED");
  EXPECT_STREQ(Json(record("2", "WOTH").out)["outcome"].GetString(), "HISTORICAL");

  CliRun conflict = record("1", "WBRI");
  EXPECT_EQ(conflict.exit, tools::kExitError);
  EXPECT_THAT(conflict.err, HasSubstr("FAILED_PRECONDITION"));

  rapidjson::Document c = Json(Ethrec(Remote({"child", "--nhs-number", nhs, "--json"})).out);
  const auto& versions = c["observations"][0]["versions"];
  ASSERT_EQ(versions.Size(), 3u);
  EXPECT_EQ(versions[0]["record_version"].GetInt(), 3);
  EXPECT_STREQ(versions[0]["supplied_by"].GetString(), "PARENT_OR_CARER");
  EXPECT_EQ(versions[2]["record_version"].GetInt(), 1);
}

TEST_F(CliRecordsTest, RecordRefusesBadValues) {
  const std::vector<std::string> base = {"record", "--record-id", "r", "--version", "1", "--system", "dfe",
                                         "--code", "WBRI"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return Ethrec(Remote(args));
  };
  CliRun bad_by = with({"--nhs-number", SyntheticNhsNumber(3), "--supplied-by", "SLEF"});
  EXPECT_EQ(bad_by.exit, tools::kExitError);
  EXPECT_THAT(bad_by.err, HasSubstr("--supplied-by \\\"SLEF\\\" must be SELF"));
  CliRun bad_nhs = with({"--nhs-number", WrongCheckDigit(SyntheticNhsNumber(3)), "--supplied-by", "SELF"});
  EXPECT_EQ(bad_nhs.exit, tools::kExitError);
  EXPECT_THAT(bad_nhs.err, HasSubstr("check digit"));
  EXPECT_THAT(bad_nhs.err, Not(HasSubstr(WrongCheckDigit(SyntheticNhsNumber(3)))));
  CliRun no_child = with({"--supplied-by", "SELF"});
  EXPECT_EQ(no_child.exit, tools::kExitUsage);
}

TEST_F(CliRecordsTest, ImportAcceptsEveryGoodRowAndReportsEachBadOne) {
  // Columns in another order than the documentation's.
  std::string csv = "supplied_by,recorded_at,record_id,version,child_id,nhs_number,system,code,text\n";
  std::vector<std::string> good_nhs;
  std::vector<int> bad_lines;
  std::vector<std::string> identifiers;
  int line = 1;
  auto good = [&](int n) {
    good_nhs.push_back(SyntheticNhsNumber(100 + n));
    identifiers.push_back(good_nhs.back());
    identifiers.push_back(absl::StrCat("kid-", n));
    absl::StrAppend(&csv, n % 2 ? "SELF" : "PRACTITIONER", ",2026-11-0", n % 9 + 1, "T09:30:00Z,imp-", n, ",1,kid-",
                    n, ",", good_nhs.back(), ",dfe,", n % 3 ? "WBRI" : "BSOM", ",\n");
    ++line;
  };
  auto bad = [&](const std::string& row) {
    csv += row + "\n";
    bad_lines.push_back(++line);
  };
  const std::string wrong = WrongCheckDigit(SyntheticNhsNumber(900));
  identifiers.push_back(wrong);
  good(1);
  bad(absl::StrCat("SELF,2026-11-01T09:30:00Z,bad-nhs,1,,", wrong, ",dfe,WBRI,"));
  good(2);
  good(3);
  bad(absl::StrCat("SELF,2026-11-01T09:30:00Z,bad-system,1,,", SyntheticNhsNumber(901), ",nope,X,"));
  good(4);
  bad(absl::StrCat("SELF,2026-11-01T09:30:00Z,bad-version,one,,", SyntheticNhsNumber(902), ",dfe,WBRI,"));
  good(5);
  bad(absl::StrCat("SLEF,2026-11-01T09:30:00Z,bad-by,1,,", SyntheticNhsNumber(903), ",dfe,WBRI,"));
  bad(absl::StrCat("SELF,2026-11-01T09:30:00Z,bad-count,1,,", SyntheticNhsNumber(904), ",dfe,WBRI"));
  good(6);
  bad(absl::StrCat("SELF,2026-11-01T09:30:00Z,bad-quote,1,,", SyntheticNhsNumber(905), ",dfe,WBRI,\"Black\" Caribbean"));
  bad(absl::StrCat("SELF,yesterday,bad-time,1,,", SyntheticNhsNumber(906), ",dfe,WBRI,"));
  good(7);
  bad(absl::StrCat("SELF,2026-11-01T09:30:00Z,bad-code,1,,", SyntheticNhsNumber(907), ",dfe,WXYZ,"));
  good(8);
  for (int n = 901; n <= 907; ++n) identifiers.push_back(SyntheticNhsNumber(n));
  const std::string path = WriteFile("cli_records_import.csv", csv);

  // Batches of 3: the server's refusals come in batches with good rows.
  CliRun run = Ethrec(Remote({"import", path, "--batch-size", "3"}));
  EXPECT_EQ(run.exit, tools::kExitError) << run.err;
  EXPECT_THAT(run.out, HasSubstr("rows read: 16\n"));
  EXPECT_THAT(run.out, HasSubstr("accepted: 8 (inserted 8, duplicate 0, historical 0)\n"));
  EXPECT_THAT(run.out, HasSubstr("rejected: 8\n"));
  for (int l : bad_lines) EXPECT_THAT(run.out, HasSubstr(absl::StrCat("\nline ", l, ": "))) << run.out;
  EXPECT_THAT(run.out, HasSubstr(absl::StrCat("line ", bad_lines[0], ": NHS number check digit is wrong")));
  EXPECT_THAT(run.out, HasSubstr(absl::StrCat("line ", bad_lines[1], ": unknown code system \"nope\"")));
  EXPECT_THAT(run.out, HasSubstr(absl::StrCat("line ", bad_lines[2], ": version is not a whole number")));
  EXPECT_THAT(run.out, HasSubstr(absl::StrCat("line ", bad_lines[3], ": supplied_by must be SELF")));
  EXPECT_THAT(run.out, HasSubstr(absl::StrCat("line ", bad_lines[4], ": the row has 8 fields; the header has 9")));
  EXPECT_THAT(run.out, HasSubstr(absl::StrCat("line ", bad_lines[5], ": text after a closing quote")));
  EXPECT_THAT(run.out, HasSubstr(absl::StrCat("line ", bad_lines[6], ": recorded_at is not an RFC 3339 time")));
  EXPECT_THAT(run.out, HasSubstr(absl::StrCat("line ", bad_lines[7], ": ")));
  EXPECT_THAT(run.out, HasSubstr("WXYZ"));
  for (const std::string& id : identifiers) {
    EXPECT_THAT(run.out, Not(HasSubstr(id)));
    EXPECT_THAT(run.err, Not(HasSubstr(id)));
  }
  EXPECT_THAT(run.err, HasSubstr("8 row(s) rejected"));

  for (size_t i = 0; i < good_nhs.size(); ++i) {
    CliRun child = Ethrec(Remote({"child", "--nhs-number", good_nhs[i], "--json"}));
    ASSERT_EQ(child.exit, tools::kExitOk) << "row " << i + 1 << ": " << child.err;
    rapidjson::Document c = Json(child.out);
    EXPECT_EQ(c["observations"][0]["record_id"].GetString(), absl::StrCat("imp-", i + 1));
    EXPECT_EQ(c["agency_child_ids"][0]["agency_child_id"].GetString(), absl::StrCat("kid-", i + 1));
  }
  for (int n = 900; n <= 907; ++n) {
    EXPECT_EQ(Ethrec(Remote({"child", "--nhs-number", SyntheticNhsNumber(n)})).exit, tools::kExitError) << n;
  }

  // Importing again is safe: every good row is a duplicate. As JSON this time.
  CliRun again = Ethrec(Remote({"import", "--json", path}));
  EXPECT_EQ(again.exit, tools::kExitError);
  rapidjson::Document s = Json(again.out);
  EXPECT_EQ(s["rows_read"].GetInt(), 16);
  EXPECT_EQ(s["accepted"].GetInt(), 8);
  EXPECT_EQ(s["inserted"].GetInt(), 0);
  EXPECT_EQ(s["duplicate"].GetInt(), 8);
  EXPECT_EQ(s["rejected"].GetInt(), 8);
  ASSERT_EQ(s["rejections"].Size(), bad_lines.size());
  for (size_t i = 0; i < bad_lines.size(); ++i) EXPECT_EQ(s["rejections"][i]["line"].GetInt(), bad_lines[i]);
  EXPECT_STREQ(s["rejections"][0]["field"].GetString(), "child.nhs_number");
  EXPECT_STREQ(s["rejections"][1]["code"].GetString(), "NOT_FOUND");
  EXPECT_STREQ(s["rejections"][1]["field"].GetString(), "system");
  EXPECT_FALSE(s.HasMember("stopped"));
}

TEST_F(CliRecordsTest, CleanImportExitsZeroAndDrawsProgressOnATerminal) {
  std::string csv = "record_id,version,nhs_number,child_id,system,code,text,supplied_by,recorded_at\r\n";
  for (int n = 0; n < 25; ++n) {
    absl::StrAppend(&csv, "p-", n, ",1,", SyntheticNhsNumber(300 + n), ",,,,\"Black, Caribbean\",SELF,2026-01-01T00:00:00Z\r\n");
  }
  // A repeat of a row in the same batch (p-20 to p-24) is a duplicate, not a refusal.
  absl::StrAppend(&csv, "p-24,1,", SyntheticNhsNumber(324), ",,,,\"Black, Caribbean\",SELF,2026-01-01T00:00:00Z\r\n\r\n");
  const std::string path = WriteFile("cli_records_clean.csv", csv);

  CliRun quiet = Ethrec(Remote({"import", path, "--batch-size", "10"}));
  EXPECT_EQ(quiet.exit, tools::kExitOk) << quiet.err;
  EXPECT_EQ(quiet.out, "rows read: 26\naccepted: 26 (inserted 25, duplicate 1, historical 0)\nrejected: 0\n");
  EXPECT_EQ(quiet.err, "");

  CliRun terminal = Ethrec(Remote({"import", path, "--batch-size", "10"}), {.stderr_is_terminal = true});
  EXPECT_EQ(terminal.exit, tools::kExitOk) << terminal.err;
  EXPECT_THAT(terminal.err, HasSubstr("\r["));
  EXPECT_THAT(terminal.err, HasSubstr("] 26/26 rows"));
  EXPECT_THAT(terminal.err, HasSubstr("rows/s\x1b[K\n"));
  EXPECT_THAT(terminal.out, HasSubstr("duplicate 26"));
}

TEST_F(CliRecordsTest, ImportStopsOnAnErrorThatNamesNoRow) {
  testing::ServerProcess small({"--max_batch_items=2"});
  ASSERT_FALSE(small.address().empty());
  std::string csv = "record_id,version,nhs_number,child_id,system,code,text,supplied_by,recorded_at\n";
  for (int n = 0; n < 5; ++n) absl::StrAppend(&csv, "s-", n, ",1,,kid-", n, ",dfe,WBRI,,SELF,2026-01-01T00:00:00Z\n");
  const std::string path = WriteFile("cli_records_stop.csv", csv);
  CliRun run = Ethrec({"--server", small.address(), "import", path, "--batch-size", "3", "--json"});
  EXPECT_EQ(run.exit, tools::kExitError);
  rapidjson::Document s = Json(run.out);
  EXPECT_EQ(s["accepted"].GetInt(), 0);
  EXPECT_EQ(s["rejected"].GetInt(), 0);
  ASSERT_TRUE(s.HasMember("stopped"));
  EXPECT_STREQ(s["stopped"]["code"].GetString(), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(s["stopped"]["at_line"].GetInt(), 2);
  EXPECT_EQ(s["stopped"]["committed"].GetInt(), 0);
  EXPECT_THAT(run.err, HasSubstr("import stopped"));
}

TEST_F(CliRecordsTest, ImportRefusesABadHeader) {
  const std::string path = WriteFile("cli_records_header.csv", "record_id,version,nhs_number\n1,1,1\n");
  CliRun run = Ethrec(Remote({"import", path}));
  EXPECT_EQ(run.exit, tools::kExitError);
  EXPECT_THAT(run.err, HasSubstr("line 1: the header has no \\\"child_id\\\" column"));
  EXPECT_EQ(run.out, "");
}

TEST(CliRecordsUsageTest, MissingServerIsAUsageError) {
  const std::vector<std::vector<std::string>> commands = {
      {"record", "--record-id", "r", "--version", "1", "--child-id", "c", "--text", "Irish", "--supplied-by", "SELF"},
      {"child", "--child-id", "c"},
      {"import", "extract.csv"},
  };
  for (const auto& command : commands) {
    CliRun r = Ethrec(command);
    EXPECT_EQ(r.exit, tools::kExitUsage) << command[0];
    EXPECT_THAT(r.err, HasSubstr("record/child/import need --server")) << command[0];
    EXPECT_EQ(r.out, "");
  }
  CliRun batch = Ethrec({"--server", "127.0.0.1:1", "import", "x.csv", "--batch-size", "0"});
  EXPECT_EQ(batch.exit, tools::kExitUsage);
  CliRun two = Ethrec({"--server", "127.0.0.1:1", "child", "--child-id", "c", "--nhs-number", "1"});
  EXPECT_EQ(two.exit, tools::kExitUsage);
}

}  // namespace
}  // namespace ethrec
