// service/json_log: each line one JSON object; text that libraries print to
// a stream becomes such lines.
#include "service/json_log.h"

#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rapidjson/document.h"

namespace ethrec::service {
namespace {

rapidjson::Document Parse(const std::string& line) {
  rapidjson::Document doc;
  doc.Parse(line.c_str());
  return doc;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(JsonLogLineTest, EscapesTextAndWritesNumbers) {
  const std::string line = JsonLogLine("warning", "odd \"event\"", {{"why", "a\nb\\c"}, {"exit_code", "2", true}});
  const rapidjson::Document doc = Parse(line);
  ASSERT_FALSE(doc.HasParseError()) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  EXPECT_STREQ(doc["level"].GetString(), "warning");
  EXPECT_STREQ(doc["event"].GetString(), "odd \"event\"");
  EXPECT_STREQ(doc["why"].GetString(), "a\nb\\c");
  EXPECT_EQ(doc["exit_code"].GetInt(), 2);
  EXPECT_TRUE(doc["time"].IsString());
}

TEST(JsonLogStreambufTest, EachLineWrittenToTheStreamIsOneJsonObject) {
  ::testing::internal::CaptureStderr();
  {
    JsonLogStreambuf buffer("error", "refused to start", "why");
    std::ostream out(&buffer);
    out << "ERROR: Unknown command line flag 'x'" << std::endl << "second " << 2 << "\n\n" << "unfinished";
  }  // the unfinished line is logged when the buffer goes
  const std::vector<std::string> lines = Lines(::testing::internal::GetCapturedStderr());
  ASSERT_EQ(lines.size(), 3u) << ::testing::PrintToString(lines);
  const char* whys[] = {"Unknown command line flag 'x'", "second 2", "unfinished"};
  for (size_t i = 0; i < lines.size(); ++i) {
    const rapidjson::Document doc = Parse(lines[i]);
    ASSERT_FALSE(doc.HasParseError()) << lines[i];
    EXPECT_STREQ(doc["level"].GetString(), "error");
    EXPECT_STREQ(doc["event"].GetString(), "refused to start");
    EXPECT_STREQ(doc["why"].GetString(), whys[i]);
  }
}

}  // namespace
}  // namespace ethrec::service
