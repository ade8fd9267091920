// The world's places and peoples from ICU: the region rules, the names built
// from ICU's display names, and how the free-text reader reads them. The
// examples are written for this test from the rules in world_names.cc and
// ONS's TS022 write-ins, not taken from the agreement data.
#include "mapping/world_names.h"

#include <set>

#include "absl/container/flat_hash_map.h"
#include "gtest/gtest.h"
#include "mapping/normalizer.h"
#include "tests/testing/builtin_data.h"

namespace ethrec {
namespace {

using ::ethrec::testing::BuiltinNormalizer;
using C = Category;

struct RegionCase {
  const char* region;
  std::vector<Category> ranked;
  bool ambiguous;
};

TEST(CategoriesForRegionTest, FollowsTheDocumentedRules) {
  const RegionCase cases[] = {
      {"PL", {C::kWhiteOther}, false},                  // Eastern Europe
      {"PT", {C::kWhiteOther}, false},                  // Southern Europe
      {"XK", {C::kWhiteOther}, false},                  // Kosovo
      {"NG", {C::kBlackAfrican}, false},                // Western Africa
      {"ER", {C::kBlackAfrican}, false},                // Eastern Africa
      {"AO", {C::kBlackAfrican}, false},                // Middle Africa
      {"LY", {C::kOtherArab, C::kOtherAny}, true},      // Northern Africa
      {"SO", {C::kBlackAfrican, C::kOtherArab}, true},  // Arab League, sub-Saharan
      {"ZA", {C::kBlackAfrican, C::kWhiteOther, C::kMixedOther}, true},
      {"MU", {C::kOtherAny, C::kBlackAfrican, C::kAsianOther, C::kMixedOther}, true},
      {"OM", {C::kOtherArab, C::kOtherAny}, true},      // Arab state of Western Asia
      {"IL", {C::kWhiteOther}, false},                  // TS022 "White: Israeli"
      {"TJ", {C::kAsianOther}, false},                  // Central Asia
      {"IN", {C::kAsianIndian}, false},
      {"PK", {C::kAsianPakistani}, false},
      {"BD", {C::kAsianBangladeshi}, false},
      {"NP", {C::kAsianOther}, false},
      {"CN", {C::kAsianChinese}, false},
      {"TW", {C::kAsianOther}, false},                  // TS022 "Asian: Taiwanese"
      {"KH", {C::kAsianOther}, false},                  // South-eastern Asia
      {"JM", {C::kBlackCaribbean}, false},              // Caribbean
      {"CU", {C::kOtherAny}, false},                    // Spanish-speaking Caribbean
      {"GY", {C::kBlackCaribbean, C::kAsianOther, C::kOtherAny}, true},
      {"PE", {C::kOtherAny}, false},                    // South America
      {"HN", {C::kOtherAny}, false},                    // Central America
      {"US", {C::kWhiteOther, C::kBlackOther, C::kOtherAny}, true},
      {"NZ", {C::kWhiteOther, C::kOtherAny}, true},
      {"WS", {C::kOtherAny}, false},                    // Polynesia
      {"PG", {C::kOtherAny}, false},                    // Melanesia
      {"061", {C::kOtherAny}, false},                   // the subregion itself
      {"GB", {}, false},                                // a nationality names no group
      {"IE", {}, false},                                // the lexicon's "Irish"
      {"AQ", {}, false},                                // no people
      {"ZZ", {}, false},                                // unknown
  };
  for (const RegionCase& c : cases) {
    const RegionCategories got = CategoriesForRegion(c.region);
    EXPECT_EQ(got.ranked, c.ranked) << c.region;
    EXPECT_EQ(got.ambiguous, c.ambiguous) << c.region;
  }
}

TEST(WorldNamesTest, NamesComeFromIcuWithTheirRegions) {
  absl::flat_hash_map<std::string, const WorldName*> by_phrase;
  for (const WorldName& n : WorldNames()) {
    EXPECT_TRUE(by_phrase.emplace(n.phrase, &n).second) << "repeated: " << n.phrase;
    EXPECT_GE(n.phrase.size(), 3u) << n.phrase;
    EXPECT_FALSE(n.categories.empty()) << n.phrase;
  }
  EXPECT_GT(by_phrase.size(), 1000u);  // about 250 territories, their forms, languages
  struct Expect {
    const char* phrase;
    const char* region;
    bool language;
  };
  const Expect expected[] = {
      {"kiribati", "KI", false},      {"tuvaluan", "TV", false},   {"sudanese", "SD", false},
      {"cook islander", "CK", false}, {"faroese", "FO", false},    {"ivory coast", "CI", false},
      {"saint kitts", "KN", false},   {"nevis", "KN", false},      {"uzbek", "UZ", false},
      {"wolof", "SN", true},          {"quechua", "PE", true},     {"cherokee", "US", true},
  };
  for (const Expect& e : expected) {
    auto it = by_phrase.find(e.phrase);
    ASSERT_NE(it, by_phrase.end()) << e.phrase;
    EXPECT_EQ(it->second->region, e.region) << e.phrase;
    EXPECT_EQ(it->second->language, e.language) << e.phrase;
  }
  // No names for the United Kingdom, abbreviations, or ordinary words.
  for (const char* absent : {"united kingdom", "britain", "us", "uae", "slave", "even", "latin"}) {
    EXPECT_FALSE(by_phrase.contains(absent)) << absent;
  }
  // One word for two places with different answers is ambiguous.
  ASSERT_TRUE(by_phrase.contains("dominican"));
  EXPECT_TRUE(by_phrase["dominican"]->ambiguous);
}

TEST(WorldNamesTest, MinorityLanguagesNameTheirOwnPeople) {
  absl::flat_hash_map<std::string, const WorldName*> by_phrase;
  for (const WorldName& n : WorldNames()) by_phrase.emplace(n.phrase, &n);
  const std::pair<const char*, Category> cases[] = {
      {"tibetan", C::kAsianOther},     // China, not written in Han characters
      {"cantonese", C::kAsianChinese}, // written in Han characters
      {"navajo", C::kOtherAny},        // indigenous people of the Americas
      {"xhosa", C::kBlackAfrican},     // South Africa, not ambiguous like the country
      {"kabyle", C::kOtherAny},        // Algeria, not Arab
      {"bashkir", C::kAsianOther},     // Russia, Asian first
  };
  for (const auto& [phrase, first] : cases) {
    ASSERT_TRUE(by_phrase.contains(phrase)) << phrase;
    EXPECT_EQ(by_phrase[phrase]->categories.front(), first) << phrase;
  }
}

struct ReadCase {
  const char* text;
  Outcome outcome;
  std::optional<Category> first;
  bool ambiguous;
};

TEST(WorldNamesReadingTest, FreeTextReadsPeoplesOfTheWorld) {
  // None of these words is in the hand-written lexicon: each comes from ICU.
  const ReadCase cases[] = {
      {"Tuvaluan", Outcome::kCategories, C::kOtherAny, false},
      {"Kiribati", Outcome::kCategories, C::kOtherAny, false},
      {"Nauruans", Outcome::kCategories, C::kOtherAny, false},     // a people in the plural
      {"Andorran", Outcome::kCategories, C::kWhiteOther, false},
      {"Quechua", Outcome::kCategories, C::kOtherAny, false},      // a language: its people
      {"Aymara", Outcome::kCategories, C::kOtherAny, false},
      {"Cherokee", Outcome::kCategories, C::kOtherAny, false},
      {"Tahitian", Outcome::kCategories, C::kOtherAny, false},
      {"Chamorro", Outcome::kCategories, C::kOtherAny, false},
      {"Basque", Outcome::kCategories, C::kWhiteOther, false},
      {"Tswana", Outcome::kCategories, C::kBlackAfrican, false},
      {"Javanese", Outcome::kCategories, C::kAsianOther, false},
      {"Chuvash", Outcome::kCategories, C::kAsianOther, true},
      // A minority people of India is Other Asian, not Indian: TS022 codes the
      // write-ins "Punjabi", "Tamil", "Kashmiri" as Asian: Other Asian.
      {"Odia", Outcome::kCategories, C::kAsianOther, false},
      // A people's noun whose adjective is the noun + "-ish", singular or plural.
      {"Finns", Outcome::kCategories, C::kWhiteOther, false},
      {"Dane", Outcome::kCategories, C::kWhiteOther, false},
      {"Swedes", Outcome::kCategories, C::kWhiteOther, false},
      {"Greenlander", Outcome::kCategories, C::kOtherAny, true},
      {"white Greenlander", Outcome::kCategories, C::kWhiteOther, false},  // the group word decides
      {"black Tuvaluan", Outcome::kCategories, C::kBlackOther, false},
      {"British", Outcome::kUnrecognised, std::nullopt, false},     // names no ethnic group
  };

  for (const ReadCase& c : cases) {
    absl::StatusOr<Normalized> n = BuiltinNormalizer().Normalize({.text = c.text});
    ASSERT_TRUE(n.ok()) << c.text << ": " << n.status();
    EXPECT_EQ(n->outcome, c.outcome) << c.text;
    if (!c.first) continue;
    ASSERT_FALSE(n->categories.empty()) << c.text;
    EXPECT_EQ(n->categories.front().category, *c.first) << c.text << ": " << n->explanation;
    EXPECT_EQ(n->ambiguous, c.ambiguous) << c.text << ": " << n->explanation;
  }
}

TEST(WorldNamesReadingTest, ANationalityIsRelatedNotEquivalent) {
  absl::StatusOr<Normalized> n = BuiltinNormalizer().Normalize({.text = "Andorran"});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->relationship, Relationship::kRelatedTo);
  EXPECT_EQ(n->detail, "Andorra");
}

}  // namespace
}  // namespace ethrec
