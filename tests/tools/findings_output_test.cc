// Renderings of findings for the terminal and as JSON (tools/findings_output.h),
// over synthetic findings.
#include "tools/findings_output.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tests/testing/findings_fixtures.h"

namespace ethrec::tools {
namespace {

using ::ethrec::testing::MakeFinding;
using ::ethrec::testing::SummaryOf;
using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;

std::vector<std::string> Lines(const std::string& text) { return absl::StrSplit(text, '\n', absl::SkipEmpty()); }

// Characters (UTF-8 code points) before `needle` in `line`.
size_t ColumnOf(absl::string_view line, absl::string_view needle) {
  const size_t at = line.find(needle);
  size_t chars = 0;
  for (size_t i = 0; i < at && i < line.size(); ++i) chars += (static_cast<unsigned char>(line[i]) & 0xC0) != 0x80;
  return chars;
}

rapidjson::Document Json(absl::string_view text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  EXPECT_FALSE(doc.HasParseError()) << "not JSON: " << text;
  EXPECT_TRUE(doc.IsObject()) << "not a JSON object: " << text;
  return doc;
}

std::vector<std::string> Strings(const rapidjson::Value& array) {
  std::vector<std::string> out;
  for (const rapidjson::Value& v : array.GetArray()) out.emplace_back(v.GetString());
  return out;
}

// ---------------------------------------------------------------------------
// Table

TEST(FindingsTableTest, HeaderThenOneAlignedLinePerFinding) {
  const std::string table = FindingsToTable({
      MakeFinding(7, v1::SELF_ID_MISMATCH, v1::HIGH, v1::OPEN, "north-csc", "csc-7", "Recorded as White other"),
      MakeFinding(1234, v1::DETAIL_LOST, v1::LOW, v1::ACKNOWLEDGED, "süd-gp", "gp-1234", "Somali detail missing"),
  });
  const std::vector<std::string> lines = Lines(table);
  ASSERT_THAT(lines, SizeIs(3));
  EXPECT_THAT(lines[0], StartsWith("ID    STATUS        SEVERITY  KIND              AGENCY     RECORD   REASON"));
  EXPECT_THAT(lines[1], StartsWith("7     OPEN          HIGH      SELF_ID_MISMATCH  north-csc  csc-7    Recorded"));
  EXPECT_THAT(lines[2], StartsWith("1234  ACKNOWLEDGED  LOW       DETAIL_LOST       süd-gp     gp-1234  Somali"));
  // Aligned by characters, not bytes ("ü" is two bytes).
  EXPECT_EQ(ColumnOf(lines[2], "gp-1234"), ColumnOf(lines[0], "RECORD"));
  for (const std::string& line : lines) EXPECT_THAT(line, Not(EndsWith(" ")));
}

TEST(FindingsTableTest, LongValuesAreCut) {
  const std::string reason =
      "The agency record says White other but the child describes themselves as Roma, which the list cannot "
      "say exactly";
  const std::string agency = "an-agency-with-a-very-long-identifier-indeed";
  const std::vector<std::string> lines =
      Lines(FindingsToTable({MakeFinding(1, v1::SELF_ID_MISMATCH, v1::HIGH, v1::OPEN, agency, "r-1", reason)}));
  ASSERT_THAT(lines, SizeIs(2));
  EXPECT_THAT(lines[1], HasSubstr("an-agency-with-a-very...  r-1"));
  // At a word, within 72 characters.
  EXPECT_THAT(lines[1], EndsWith("The agency record says White other but the child describes themselves..."));
}

TEST(FindingsTableTest, ControlCharactersCannotReachTheTerminal) {
  const std::vector<std::string> lines = Lines(FindingsToTable({MakeFinding(
      1, v1::SELF_ID_MISMATCH, v1::HIGH, v1::OPEN, "evil\x1b[2J", "r\r\n-1", "a\x07" "b\xc2\x9b" "31mc\x7f")}));
  ASSERT_THAT(lines, SizeIs(2));
  EXPECT_THAT(lines[1], HasSubstr("evil [2J  r  -1   a b 31mc"));
  for (char c : lines[1]) EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20 || c == 0x7f) << static_cast<int>(c);
  EXPECT_THAT(lines[1], Not(HasSubstr("\xc2\x9b")));
}

TEST(FindingsTableTest, NoFindings) { EXPECT_EQ(FindingsToTable({}), "no findings\n"); }

// ---------------------------------------------------------------------------
// JSON

TEST(FindingsJsonTest, EveryField) {
  v1::Finding f = MakeFinding(42, v1::CLASSIFICATION_LIMIT, v1::INFO, v1::ACKNOWLEDGED, "south-gp", "gp-42",
                              "No code for Roma");
  f.set_suggested_code("C");
  f.set_suggested_display("Any other White background");
  f.set_reopen_count(1);
  f.mutable_last_raised_at()->set_nanos(250000000);
  v1::FindingEvent* ack = f.add_history();
  ack->set_action(v1::FindingEvent::ACKNOWLEDGED);
  ack->mutable_time()->set_seconds(1795777200);
  ack->set_by_agency("county-dq");
  ack->set_by_role("data-quality-officer");
  ack->set_note("asking the practice");

  const std::string line = FindingToJson(f);
  EXPECT_THAT(line, Not(HasSubstr("\n")));
  rapidjson::Document doc = Json(line);
  EXPECT_EQ(doc["finding_id"].GetInt64(), 42);
  EXPECT_STREQ(doc["kind"].GetString(), "CLASSIFICATION_LIMIT");
  EXPECT_STREQ(doc["severity"].GetString(), "INFO");
  EXPECT_STREQ(doc["status"].GetString(), "ACKNOWLEDGED");
  EXPECT_STREQ(doc["agency"].GetString(), "south-gp");
  EXPECT_STREQ(doc["record_id"].GetString(), "gp-42");
  ASSERT_EQ(doc["compared"].Size(), 2u);
  EXPECT_STREQ(doc["compared"][0]["agency"].GetString(), "south-gp");
  EXPECT_STREQ(doc["compared"][0]["record_id"].GetString(), "gp-42");
  EXPECT_EQ(doc["compared"][0]["record_version"].GetInt64(), 1);
  EXPECT_STREQ(doc["compared"][1]["record_id"].GetString(), "statement-42");
  EXPECT_THAT(Strings(doc["record_categories"]), ElementsAre("WHITE_OTHER"));
  EXPECT_THAT(Strings(doc["reference_categories"]), ElementsAre("WHITE_ROMA"));
  EXPECT_STREQ(doc["reason"].GetString(), "No code for Roma");
  EXPECT_STREQ(doc["suggested_code"].GetString(), "C");
  EXPECT_STREQ(doc["suggested_display"].GetString(), "Any other White background");
  EXPECT_STREQ(doc["first_raised_at"].GetString(), "2026-11-27T10:42:00Z");
  EXPECT_STREQ(doc["last_raised_at"].GetString(), "2026-11-27T10:42:00.25Z");
  EXPECT_EQ(doc["reopen_count"].GetInt(), 1);
  ASSERT_EQ(doc["history"].Size(), 2u);
  EXPECT_STREQ(doc["history"][0]["action"].GetString(), "RAISED");
  EXPECT_STREQ(doc["history"][0]["by_agency"].GetString(), "");
  EXPECT_STREQ(doc["history"][1]["action"].GetString(), "ACKNOWLEDGED");
  EXPECT_STREQ(doc["history"][1]["time"].GetString(), "2026-11-27T11:00:00Z");
  EXPECT_STREQ(doc["history"][1]["by_agency"].GetString(), "county-dq");
  EXPECT_STREQ(doc["history"][1]["by_role"].GetString(), "data-quality-officer");
  EXPECT_STREQ(doc["history"][1]["note"].GetString(), "asking the practice");
  EXPECT_THAT(line, Not(HasSubstr("nhs")));
}

TEST(FindingsJsonTest, UnknownEnumValuesAreNumbers) {
  v1::Finding f = MakeFinding(1, v1::SELF_ID_MISMATCH, v1::HIGH, v1::OPEN, "a", "r", "x");
  f.set_kind(static_cast<v1::FindingKind>(99));
  f.add_reference_categories(static_cast<v1::Category>(77));
  rapidjson::Document doc = Json(FindingToJson(f));
  EXPECT_STREQ(doc["kind"].GetString(), "99");
  EXPECT_THAT(Strings(doc["reference_categories"]), ElementsAre("WHITE_ROMA", "77"));
}

TEST(FindingsJsonTest, OneLinePerFinding) {
  const std::string lines = FindingsToJsonLines({
      MakeFinding(1, v1::SELF_ID_MISMATCH, v1::HIGH, v1::OPEN, "a", "r-1", "x"),
      MakeFinding(2, v1::MISSING, v1::MEDIUM, v1::OPEN, "b", "r-2", "quote \" and\nnewline"),
  });
  EXPECT_THAT(lines, EndsWith("\n"));
  const std::vector<std::string> split = Lines(lines);
  ASSERT_THAT(split, SizeIs(2));
  EXPECT_EQ(Json(split[0])["finding_id"].GetInt64(), 1);
  EXPECT_STREQ(Json(split[1])["reason"].GetString(), "quote \" and\nnewline");
  EXPECT_EQ(FindingsToJsonLines({}), "");
}

TEST(SummaryJsonTest, CountsAndCompleteness) {
  const v1::SummarizeFindingsResponse summary = SummaryOf(
      {MakeFinding(1, v1::SELF_ID_MISMATCH, v1::HIGH, v1::OPEN, "north-csc", "r-1", "x"),
       MakeFinding(2, v1::SELF_ID_MISMATCH, v1::HIGH, v1::OPEN, "north-csc", "r-2", "x"),
       MakeFinding(3, v1::DETAIL_LOST, v1::LOW, v1::RESOLVED, "south-gp", "r-3", "x")},
      {{"north-csc", {4, 1}}, {"south-gp", {0, 0}}}, 9);
  rapidjson::Document doc = Json(SummaryToJson(summary));
  EXPECT_EQ(doc["children"].GetInt64(), 9);
  ASSERT_EQ(doc["counts"].Size(), 2u);
  EXPECT_STREQ(doc["counts"][0]["agency"].GetString(), "north-csc");
  EXPECT_STREQ(doc["counts"][0]["kind"].GetString(), "SELF_ID_MISMATCH");
  EXPECT_STREQ(doc["counts"][0]["status"].GetString(), "OPEN");
  EXPECT_EQ(doc["counts"][0]["count"].GetInt64(), 2);
  EXPECT_STREQ(doc["counts"][1]["status"].GetString(), "RESOLVED");
  ASSERT_EQ(doc["completeness"].Size(), 2u);
  EXPECT_STREQ(doc["completeness"][0]["agency"].GetString(), "north-csc");
  EXPECT_EQ(doc["completeness"][0]["children"].GetInt64(), 4);
  EXPECT_EQ(doc["completeness"][0]["children_self_defined"].GetInt64(), 1);
  EXPECT_DOUBLE_EQ(doc["completeness"][0]["share"].GetDouble(), 0.25);
  EXPECT_DOUBLE_EQ(doc["completeness"][1]["share"].GetDouble(), 0.0);
}

TEST(FormatTimestampUtcTest, FractionOnlyWhenThere) {
  google::protobuf::Timestamp t;
  t.set_seconds(1795773600);
  EXPECT_EQ(FormatTimestampUtc(t), "2026-11-27T10:00:00Z");
  t.set_nanos(1000);
  EXPECT_EQ(FormatTimestampUtc(t), "2026-11-27T10:00:00.000001Z");
}

}  // namespace
}  // namespace ethrec::tools
