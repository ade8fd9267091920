// The layout rules the code keeps (README "Layout", issue 11): mapping/ is
// pure, api/ sits between mapping/ and its users, tools/ does not reach into
// service/, each library's internal/ headers are its own (and its units'
// own tests'), and no source file grows past 700 lines. Read from the source
// tree, so a change that breaks a rule fails here rather than in review.
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace ethrec {
namespace {

namespace fs = std::filesystem;

// The project root: tests/testdata is two levels below it.
fs::path Root() { return fs::path(ETHREC_TESTDATA_DIR).parent_path().parent_path(); }

struct Source {
  std::string path;                   // relative to the root, e.g. "service/store.cc"
  std::vector<std::string> includes;  // the quoted includes
  int lines = 0;
};

std::vector<Source> Sources() {
  std::vector<Source> out;
  static const std::regex kInclude(R"re(^\s*#\s*include\s+"([^"]+)")re");
  for (const char* dir : {"mapping", "api", "service", "tools", "tests"}) {
    for (const fs::directory_entry& e : fs::recursive_directory_iterator(Root() / dir)) {
      const std::string ext = e.path().extension().string();
      if (!e.is_regular_file() || (ext != ".cc" && ext != ".h")) continue;
      Source s;
      s.path = fs::relative(e.path(), Root()).string();
      std::ifstream in(e.path());
      std::string line;
      std::smatch m;
      while (std::getline(in, line)) {
        ++s.lines;
        if (std::regex_search(line, m, kInclude)) s.includes.push_back(m[1]);
      }
      out.push_back(std::move(s));
    }
  }
  return out;
}

std::string TopDir(const std::string& path) { return path.substr(0, path.find('/')); }

// Whether `path` is the unit test (tests/<lib>/internal/<unit>_test.cc) or the
// fuzz target (tests/fuzz/<unit>_fuzz.cc) of the internal unit whose header
// is `inc` (<lib>/internal/<unit>.h): a unit's own tests may reach that one
// internal header, and nothing else of the library's internals.
bool IsTestOfUnit(const std::string& path, const std::string& inc) {
  if (!absl::EndsWith(inc, ".h")) return false;
  const std::string unit = fs::path(inc).stem().string();
  const std::string dir = inc.substr(0, inc.rfind('/') + 1);
  return path == absl::StrCat("tests/", dir, unit, "_test.cc") || path == absl::StrCat("tests/fuzz/", unit, "_fuzz.cc");
}

TEST(LayoutTest, TheTreeIsThere) { EXPECT_GT(Sources().size(), 150u); }

TEST(LayoutTest, InternalHeadersStayInTheirLibrary) {
  for (const Source& s : Sources()) {
    for (const std::string& inc : s.includes) {
      const size_t internal = inc.find("/internal/");
      if (internal == std::string::npos || IsTestOfUnit(s.path, inc)) continue;
      EXPECT_TRUE(absl::StartsWith(s.path, inc.substr(0, internal + 1)))
          << s.path << " includes " << inc << ", which is internal to " << inc.substr(0, internal);
    }
  }
}

TEST(LayoutTest, OnlyAUnitsOwnTestsReachItsInternalHeader) {
  EXPECT_TRUE(IsTestOfUnit("tests/service/internal/page_token_test.cc", "service/internal/page_token.h"));
  EXPECT_TRUE(IsTestOfUnit("tests/fuzz/page_token_fuzz.cc", "service/internal/page_token.h"));
  EXPECT_FALSE(IsTestOfUnit("tests/fuzz/page_token_fuzz.cc", "service/internal/findings_queries.h"));
  EXPECT_FALSE(IsTestOfUnit("tests/service/findings_service_test.cc", "service/internal/page_token.h"));
  EXPECT_FALSE(IsTestOfUnit("tests/service/internal/page_token_test.cc", "mapping/internal/page_token.h"));
  EXPECT_FALSE(IsTestOfUnit("tools/page_token_fuzz.cc", "service/internal/page_token.h"));
}

TEST(LayoutTest, MappingIsPureAndApiSitsBetween) {
  for (const Source& s : Sources()) {
    const std::string top = TopDir(s.path);
    for (const std::string& inc : s.includes) {
      if (top == "mapping") {
        EXPECT_TRUE(absl::StartsWith(inc, "mapping/") || absl::StartsWith(inc, "absl/") ||
                    absl::StartsWith(inc, "rapidjson/") || absl::StartsWith(inc, "unicode/"))
            << s.path << " includes " << inc << ": mapping/ uses only Abseil, ICU and RapidJSON";
      }
      if (top == "api") {
        EXPECT_TRUE(absl::StartsWith(inc, "api/") || absl::StartsWith(inc, "mapping/") ||
                    absl::StartsWith(inc, "absl/") || absl::StartsWith(inc, "ethrec/v1/") ||
                    absl::StartsWith(inc, "google/protobuf/"))
            << s.path << " includes " << inc << ": api/ builds on mapping/ and the messages only";
      }
      if (top == "tools") {
        EXPECT_FALSE(absl::StartsWith(inc, "service/")) << s.path << " includes " << inc;
      }
    }
  }
}

TEST(LayoutTest, NoSourceFileIsOver700Lines) {
  for (const Source& s : Sources()) EXPECT_LE(s.lines, 700) << s.path;
}

}  // namespace
}  // namespace ethrec
