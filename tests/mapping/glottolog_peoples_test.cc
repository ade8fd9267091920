// The peoples table generated from Glottolog 5.1 (tools/codelists/make_peoples.py)
// and how WorldNames() and the free-text reader use it. The examples are
// written for this test from the table's rules, not taken from the agreement
// data.
#include "mapping/glottolog_peoples.h"

#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "mapping/normalizer.h"
#include "mapping/world_names.h"
#include "tests/testing/builtin_data.h"

namespace ethrec {
namespace {

using ::ethrec::testing::BuiltinNormalizer;
using C = Category;

TEST(GlottologPeoplesTest, EveryRowIsANameWithCountries) {
  ASSERT_GT(GlottologPeoples().size(), 4000u);
  for (const GlottologPeople& p : GlottologPeoples()) {
    EXPECT_GE(p.name.size(), 4u) << p.name;
    EXPECT_EQ(p.name.find(' '), p.name.rfind(' ')) << p.name;  // at most two words
    ASSERT_FALSE(p.countries.empty()) << p.name;
    for (char c : p.countries) EXPECT_TRUE(absl::ascii_isupper(c) || c == ' ') << p.name;
  }
}

TEST(GlottologPeoplesTest, SourceIsNamed) { EXPECT_EQ(GlottologPeoplesSource(), "Glottolog 5.1"); }

struct PeopleCase {
  const char* phrase;
  std::optional<Category> first;  // nullopt: not a world name
  bool ambiguous;
};

TEST(GlottologPeoplesTest, WorldNamesTakeTheirCategoriesFromTheirCountries) {
  absl::flat_hash_map<std::string, const WorldName*> by_phrase;
  for (const WorldName& n : WorldNames()) by_phrase.emplace(n.phrase, &n);
  const PeopleCase cases[] = {
      {"chuukese", C::kOtherAny, false},      // Micronesia
      {"lacandon", C::kOtherAny, false},      // Mexico: a people of the Americas
      {"toda", C::kAsianOther, false},        // India, a minority people: not Indian
      {"irula", C::kAsianOther, false},       // "Irula of the Nilgiri": the name before " of "
      {"huastec", C::kOtherAny, false},       // "Huastec, Southeastern": the name before the comma
      {"aasax", C::kBlackAfrican, false},     // Tanzania
      {"english", std::nullopt, false},       // the lexicon's word, not a people of 30 countries
      {"whitesands", C::kOtherAny, false},    // Vanuatu; "white" alone stays the group word
      {"nez perce", C::kOtherAny, false},     // two proper names
      {"algerian arabic", std::nullopt, false},  // a variety of a language named by ICU's words
  };
  for (const PeopleCase& c : cases) {
    if (!c.first) {
      if (by_phrase.contains(c.phrase)) {
        EXPECT_EQ(by_phrase[c.phrase]->detail.find("Glottolog"), std::string::npos) << c.phrase;
      }
      continue;
    }
    ASSERT_TRUE(by_phrase.contains(c.phrase)) << c.phrase;
    EXPECT_EQ(by_phrase[c.phrase]->categories.front(), *c.first) << c.phrase;
    EXPECT_EQ(by_phrase[c.phrase]->ambiguous, c.ambiguous) << c.phrase;
  }
}

TEST(GlottologPeoplesTest, IcuNamesWin) {
  // "Navajo" is ICU's language name too: it keeps ICU's reading and detail.
  for (const WorldName& n : WorldNames()) {
    if (n.phrase != "navajo") continue;
    EXPECT_EQ(n.detail.find("Glottolog"), std::string::npos);
    return;
  }
  FAIL() << "navajo is not a world name";
}

struct ReadCase {
  const char* text;
  Category first;
};

TEST(GlottologPeoplesTest, FreeTextReadsPeoplesAndTheirPlurals) {
  const ReadCase cases[] = {
      {"Chuukese", C::kOtherAny},
      {"Lacandon", C::kOtherAny},
      {"Todas", C::kAsianOther},   // a people in the plural
      {"Badagas", C::kAsianOther},
      {"Aasax", C::kBlackAfrican},
      {"Nez Percé", C::kOtherAny},
  };
  for (const ReadCase& c : cases) {
    absl::StatusOr<Normalized> n = BuiltinNormalizer().Normalize({.text = c.text});
    ASSERT_TRUE(n.ok()) << c.text << ": " << n.status();
    ASSERT_EQ(n->outcome, Outcome::kCategories) << c.text;
    ASSERT_FALSE(n->categories.empty()) << c.text;
    EXPECT_EQ(n->categories.front().category, c.first) << c.text << ": " << n->explanation;
    EXPECT_FALSE(n->ambiguous) << c.text << ": " << n->explanation;
  }
}

struct SlipCase {
  const char* text;
  std::optional<Category> first;  // nullopt: unrecognised
  const char* note;               // in the explanation, or ""
};

TEST(GlottologPeoplesTest, APeopleSpelledOneLetterApartIsReadWithANote) {
  const SlipCase cases[] = {
      {"Navaho", C::kOtherAny, "read 'navaho' as 'navajo'"},      // exonym spelling
      {"Shoshone", C::kOtherAny, "read 'shoshone' as 'shoshoni'"},
      {"Chuukse", C::kOtherAny, "read 'chuukse' as 'chuukese'"},  // a letter left out
      {"Navah", std::nullopt, ""},                                // under 6 letters: no guess
  };
  for (const SlipCase& c : cases) {
    absl::StatusOr<Normalized> n = BuiltinNormalizer().Normalize({.text = c.text});
    ASSERT_TRUE(n.ok()) << c.text << ": " << n.status();
    if (!c.first) {
      EXPECT_EQ(n->outcome, Outcome::kUnrecognised) << c.text << ": " << n->explanation;
      continue;
    }
    ASSERT_EQ(n->outcome, Outcome::kCategories) << c.text;
    EXPECT_EQ(n->categories.front().category, *c.first) << c.text << ": " << n->explanation;
    const std::string said = absl::StrCat(n->explanation, " ", absl::StrJoin(n->notes, "; "));
    EXPECT_NE(said.find(c.note), std::string::npos) << c.text << ": " << said;
    EXPECT_LT(n->categories.front().confidence, 0.9) << c.text;  // a guessed spelling is never confident
  }
}

}  // namespace
}  // namespace ethrec
