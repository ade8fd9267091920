// Table-driven tests over every row of the transcribed public code lists in
// mapping/data/sources/ (SNOMED CT and CTV3 from the OpenSAFELY and PRIMIS
// lists, the 287 ONS 2021 detailed categories): each code is loaded with its
// term as display, and the generated maps (tools/codelists/make_maps.py) still
// say what the sources say. This guards the generated JSON against drift.
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "mapping/normalizer.h"
#include "tests/testing/builtin_data.h"

namespace ethrec {
namespace {

using ::ethrec::testing::BuiltinNormalizer;

using Row = ::ethrec::testing::CsvRow;

// Lower-case words of `s`, joined by single spaces, ':' spaced as a word.
std::string Words(absl::string_view s) {
  std::string spaced = absl::StrReplaceAll(absl::AsciiStrToLower(s), {{":", " : "}});
  return absl::StrJoin(absl::StrSplit(spaced, ' ', absl::SkipWhitespace()), " ");
}

std::vector<Row> ReadSource(const std::string& name) {
  return ::ethrec::testing::ReadCsvRows(std::string(ETHREC_SOURCES_DIR "/") + name);
}

// The 2001-census 16 groups: the ONS 2021 group each belongs to (the finer
// category may move with the 2021 tick-boxes, the group never does, except
// Chinese, which ONS moved from Other to Asian in 2011).
Group GroupOf16(const std::string& g16) {
  const int g = std::stoi(g16);
  if (g <= 3) return Group::kWhite;
  if (g <= 7) return Group::kMixed;
  if (g <= 11 || g == 15) return Group::kAsian;
  if (g <= 14) return Group::kBlack;
  return Group::kOther;
}

void ExpectCodedListLoaded(const std::string& file, const std::string& system, size_t min_rows) {
  const std::vector<Row> rows = ReadSource(file);
  ASSERT_GE(rows.size(), min_rows);
  for (const Row& r : rows) {
    SCOPED_TRACE(absl::StrCat(system, " ", r.at("code")));
    absl::StatusOr<Normalized> n = BuiltinNormalizer().Normalize({.system = system, .code = r.at("code")});
    ASSERT_TRUE(n.ok()) << n.status();
    EXPECT_FALSE(n->decided_by_text);
    // Sources differ in case, spacing and the semantic tag ("... 2011 census
    // (finding)"); the words must be the same.
    std::string term = Words(r.at("term"));
    if (absl::EndsWith(term, " (finding)")) term.resize(term.size() - 10);
    EXPECT_EQ(Words(n->display), term);
    if (r.at("grouping_16").empty() || n->outcome != Outcome::kCategories) continue;
    // The code lands in the expert's group (a hand-reviewed entry may refine
    // the category within it, never leave it).
    EXPECT_EQ(GroupOf(n->categories.front().category), GroupOf16(r.at("grouping_16")))
        << r.at("term") << " (expert group " << r.at("grouping_16") << ")";
  }
}

TEST(CodeListsTest, EverySnomedConceptIsKnownInItsExpertGroup) {
  ExpectCodedListLoaded("snomed_ethnicity_codelist.csv", "snomed-ct", 600);
}

TEST(CodeListsTest, EveryCtv3CodeIsKnownInItsExpertGroup) {
  ExpectCodedListLoaded("ctv3_ethnicity_codelist.csv", "ctv3", 260);
}

TEST(CodeListsTest, EveryOnsDetailedCategoryMapsToItsParent) {
  const std::vector<Row> rows = ReadSource("ons_2021_detailed.csv");
  int categories = 0;
  for (const Row& r : rows) {
    if (r.at("ts021_code").empty()) continue;  // "Does not apply"
    ++categories;
    SCOPED_TRACE(r.at("label"));
    absl::StatusOr<Normalized> n = BuiltinNormalizer().Normalize({.system = "ons-2021-detailed", .code = r.at("label")});
    ASSERT_TRUE(n.ok()) << n.status();
    ASSERT_EQ(n->categories.size(), 1u);
    const Category parent = static_cast<Category>(std::stoi(r.at("ts021_code")) - 1);
    EXPECT_EQ(n->categories.front().category, parent);
  }
  EXPECT_EQ(categories, 287);
}

}  // namespace
}  // namespace ethrec
