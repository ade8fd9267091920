// Table-driven tests over every row of the reference code lists in
// tests/testdata/reference/ (copied from the project's shared reference
// data): each code is loaded with its official display, maps to the
// taxonomy, and every category can be written back into every system.
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapping/normalizer.h"
#include "tests/testing/builtin_data.h"
#include "tests/testing/status_matchers.h"

namespace ethrec {
namespace {

using ::ethrec::testing::BuiltinNormalizer;

using ::ethrec::testing::StatusIs;
using ::testing::HasSubstr;

using Row = ::ethrec::testing::CsvRow;

std::vector<Row> ReadCsv(const std::string& name) {
  return ::ethrec::testing::ReadCsvRows(std::string(ETHREC_TESTDATA_DIR "/reference/") + name);
}

// One reference row: which system and code, the display it must carry, and
// the CSV's proposed categories (a proposal we reviewed, not a fact).
struct RefCase {
  std::string file, system, code, display, proposal, mapping_type, hint;
};

void PrintTo(const RefCase& c, std::ostream* os) { *os << c.system << " " << c.code; }

std::vector<RefCase> AllRows() {
  std::vector<RefCase> out;
  for (const Row& r : ReadCsv("ons2021_ew.csv")) {
    out.push_back({"ons2021", "ons-2021", r.at("code"), r.at("label_output"), r.at("code"), "equivalent", ""});
    out.push_back({"ons2021", "ons-2021", r.at("ons_ts021_code"), r.at("label_output"), r.at("code"),
                   "equivalent", ""});
  }
  for (const Row& r : ReadCsv("ons2011_ew.csv")) {
    out.push_back({"ons2011", "ons-2011", r.at("code_2011"), r.at("label_questionnaire"),
                   r.at("maps_to_ons2021"), r.at("relation_to_2021"), ""});
  }
  for (const Row& r : ReadCsv("nhs_ethnic_category.csv")) {
    const std::string system = r.at("list") == "NHS_WALES_ETHNIC_GROUP" ? "nhs-wales" : "nhs-ethnic-category";
    out.push_back({"nhs", system, r.at("code"), r.at("display"), r.at("maps_to_ons2021"), r.at("mapping_type"), ""});
  }
  for (const Row& r : ReadCsv("dfe_ethnicity.csv")) {
    out.push_back({"dfe", "dfe", r.at("code"), r.at("label"), r.at("maps_to_ons2021"), r.at("mapping_type"), ""});
  }
  for (const Row& r : ReadCsv("police_ethnicity.csv")) {
    const std::string& scheme = r.at("scheme");
    const std::string system = scheme == "POLICE_SDE_18PLUS1"          ? "police-sde"
                               : scheme == "POLICE_SDE_16PLUS1_LEGACY" ? "police-sde-16"
                                                                       : "police-ic";
    out.push_back({"police", system, r.at("code"), r.at("label"), r.at("maps_to_ons2021"), r.at("mapping_type"),
                   r.at("perceived_broad_group_hint")});
  }
  for (const Row& r : ReadCsv("snomed_ethnic_category_2001.csv")) {
    out.push_back({"snomed", "snomed-ct", r.at("concept_id"), r.at("term"), r.at("maps_to_ons2021"),
                   r.at("mapping_type"), ""});
    if (!r.at("alt_concept_ids_same_term").empty()) {
      for (absl::string_view alt : absl::StrSplit(r.at("alt_concept_ids_same_term"), '|')) {
        out.push_back({"snomed", "snomed-ct", std::string(alt), r.at("term"), r.at("maps_to_ons2021"),
                       r.at("mapping_type"), ""});
      }
    }
  }
  return out;
}

class ReferenceRowTest : public ::testing::TestWithParam<RefCase> {};

TEST_P(ReferenceRowTest, CodeIsLoadedWithItsDisplayAndMaps) {
  const RefCase& c = GetParam();
  absl::StatusOr<const Concept*> concept_ = BuiltinNormalizer().registry().LookupCode(c.system, c.code);
  ASSERT_TRUE(concept_.ok()) << concept_.status();
  EXPECT_EQ((*concept_)->display, c.display);

  absl::StatusOr<Normalized> n = BuiltinNormalizer().Normalize({.system = c.system, .code = c.code});
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_THAT(n->explanation, HasSubstr(n->map_id));
  EXPECT_FALSE(n->map_version.empty());

  if (c.system == "police-ic") {
    // Officer-perceived: never a self-identification, only related.
    EXPECT_EQ(n->basis, RecordingBasis::kObserved);
    if (c.hint.empty()) {
      EXPECT_EQ(n->outcome, Outcome::kNotKnown);
    } else {
      EXPECT_EQ(n->relationship, Relationship::kRelatedTo);
      const Group hint = *ParseGroup(c.hint);
      EXPECT_EQ(GroupOf(n->categories.front().category), hint);
    }
    return;
  }
  EXPECT_EQ(n->basis, RecordingBasis::kSelfDefined);
  if (c.proposal.empty()) {
    // Non-responses come out as a non-answer, never as a category.
    EXPECT_TRUE(n->outcome == Outcome::kNotStated || n->outcome == Outcome::kNotKnown);
    EXPECT_TRUE(n->categories.empty());
    const bool declined = c.display == "Not stated" || c.display == "Refused" ||
                          absl::StrContains(c.display, "not stated");
    EXPECT_EQ(n->outcome, declined ? Outcome::kNotStated : Outcome::kNotKnown) << c.display;
    return;
  }
  ASSERT_EQ(n->outcome, Outcome::kCategories);
  CategorySet proposed;
  for (absl::string_view name : absl::StrSplit(c.proposal, '|')) {
    std::optional<Category> cat = ParseCategory(name);
    ASSERT_TRUE(cat.has_value()) << name;
    proposed.Add(*cat);
  }
  // Our reviewed maps may widen a proposal (a record may stand for more)
  // but never drop a category it proposed.
  EXPECT_TRUE(proposed.IsSubsetOf(n->category_set)) << "our map drops part of " << c.proposal;
  // Several categories means the source is broader; one category never is.
  if (n->categories.size() > 1) {
    EXPECT_EQ(n->relationship, Relationship::kSourceIsBroaderThanTarget);
  } else {
    EXPECT_NE(n->relationship, Relationship::kSourceIsBroaderThanTarget);
  }
  if (c.mapping_type == "equivalent" && proposed.size() == 1 && n->categories.size() == 1) {
    EXPECT_EQ(n->category_set, proposed);
  }
}

INSTANTIATE_TEST_SUITE_P(AllRows, ReferenceRowTest, ::testing::ValuesIn(AllRows()),
                         [](const ::testing::TestParamInfo<RefCase>& info) {
                           std::string name = info.param.system + "_" + info.param.code;
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return absl::StrCat(name, "_", info.index);
                         });

TEST(ReferenceTest, EveryRowOfEveryFileIsCovered) {
  std::map<std::string, int> per_file;
  for (const RefCase& c : AllRows()) ++per_file[c.file];
  EXPECT_EQ(per_file["ons2021"], 38);
  EXPECT_EQ(per_file["ons2011"], 18);
  EXPECT_EQ(per_file["nhs"], 86);
  EXPECT_EQ(per_file["dfe"], 104);
  EXPECT_EQ(per_file["police"], 44);
  EXPECT_EQ(per_file["snomed"], 48 + 22);
}

// Reverse translation: each of the 19 categories into each self-defined
// system gives a code whose set contains the category.
class ReverseTranslationTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ReverseTranslationTest, EveryCategoryHasACodeThatContainsIt) {
  const std::string& system = GetParam();
  for (int i = 0; i < kNumCategories; ++i) {
    const Category c = static_cast<Category>(i);
    absl::StatusOr<CodeSuggestion> s = BuiltinNormalizer().SuggestCode(TaxonomyValue{Outcome::kCategories, c, ""}, system);
    ASSERT_TRUE(s.ok()) << CategoryName(c) << ": " << s.status();
    EXPECT_TRUE(s->category_set.contains(c)) << CategoryName(c) << " -> " << s->code;
    const Concept* concept_ = *BuiltinNormalizer().registry().LookupCode(system, s->code);
    EXPECT_TRUE(concept_->selectable) << s->code;
    absl::StatusOr<Normalized> back = BuiltinNormalizer().Normalize({.system = system, .code = s->code});
    ASSERT_TRUE(back.ok());
    EXPECT_TRUE(back->category_set.contains(c));
  }
}

INSTANTIATE_TEST_SUITE_P(SelfDefinedSystems, ReverseTranslationTest,
                         ::testing::Values("ons-2021", "ons-2011", "nhs-ethnic-category", "nhs-wales", "dfe",
                                           "police-sde", "police-sde-16", "snomed-ct"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& ch : name) ch = std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
                           return name;
                         });

TEST(ReverseTranslationTest, ObservedSystemIsRefused) {
  EXPECT_THAT(BuiltinNormalizer().SuggestCode(TaxonomyValue{Outcome::kCategories, Category::kWhiteBritish, ""}, "police-ic"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("perception")));
}

TEST(ReverseTranslationTest, NonAnswersGoToTheSystemsNonAnswerCodes) {
  const struct {
    const char* system;
    Outcome outcome;
    const char* code;
  } cases[] = {
      {"nhs-ethnic-category", Outcome::kNotStated, "Z"}, {"nhs-ethnic-category", Outcome::kNotKnown, "99"},
      {"dfe", Outcome::kNotStated, "REFU"},              {"dfe", Outcome::kNotKnown, "NOBT"},
      {"police-sde", Outcome::kNotStated, "NS"},         {"nhs-wales", Outcome::kNotStated, "Z"},
      {"snomed-ct", Outcome::kNotStated, "92531000000104"},
  };
  for (const auto& c : cases) {
    absl::StatusOr<CodeSuggestion> s = BuiltinNormalizer().SuggestCode(TaxonomyValue{c.outcome, {}, ""}, c.system);
    ASSERT_TRUE(s.ok()) << c.system << ": " << s.status();
    EXPECT_EQ(s->code, c.code) << c.system;
  }
  EXPECT_THAT(BuiltinNormalizer().SuggestCode(TaxonomyValue{Outcome::kNotKnown, {}, ""}, "police-sde"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("police-sde has no code for NOT_KNOWN")));
}

}  // namespace
}  // namespace ethrec
