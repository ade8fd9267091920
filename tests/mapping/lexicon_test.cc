#include "mapping/lexicon.h"

#include <random>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ethrec {
namespace {

using ::testing::HasSubstr;

// Plain optimal-string-alignment distance, to check the banded one against.
int NaiveDistance(const std::string& a, const std::string& b) {
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

TEST(EditDistanceTest, MatchesPlainDynamicProgrammingWithinTheLimit) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> len(0, 12), letter(0, 3);
  for (int k = 0; k < 20000; ++k) {
    std::string a(len(rng), 'a'), b(len(rng), 'a');
    for (char& c : a) c = static_cast<char>('a' + letter(rng));
    for (char& c : b) c = static_cast<char>('a' + letter(rng));
    for (int limit : {0, 1, 2}) {
      const int want = std::min(NaiveDistance(a, b), limit + 1);
      ASSERT_EQ(EditDistance(a, b, limit), want) << a << " / " << b << " limit " << limit;
    }
  }
  EXPECT_EQ(EditDistance("caribbean", "carribean", 2), 2);
  EXPECT_EQ(EditDistance("inidan", "indian", 1), 1);  // a swap counts once
}

Lexicon Build(const char* json, std::vector<LoadProblem>* problems) {
  rapidjson::Document doc;
  doc.Parse(json);
  EXPECT_FALSE(doc.HasParseError());
  Lexicon lexicon;
  lexicon.AddDocument(doc, "test.json", problems);
  lexicon.Finalize();
  return lexicon;
}

TEST(LexiconTest, FindsPhrasesAndNearWords) {
  std::vector<LoadProblem> problems;
  Lexicon lexicon = Build(R"({"id": "t", "version": "1", "terms": [
      {"phrase": "caribbean", "variants": ["carib"], "kind": "heritage", "categories": ["BLACK_CARIBBEAN"]},
      {"phrase": "irish traveller", "kind": "heritage", "categories": ["WHITE_GYPSY_IRISH_TRAVELLER"]},
      {"phrase": "roma", "kind": "heritage", "categories": ["WHITE_ROMA"], "fuzzy": false},
      {"phrase": "romani", "kind": "heritage", "categories": ["WHITE_ROMA"], "fuzzy": false}]})",
                          &problems);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(lexicon.Find("carib")->phrase, "caribbean");
  EXPECT_EQ(lexicon.Find("irish"), nullptr);
  EXPECT_TRUE(lexicon.Look("irish").prefix);
  EXPECT_TRUE(lexicon.IsKnownWord("traveller"));
  // Look says so in the same lookup: a word of a phrase, not itself a term.
  EXPECT_TRUE(lexicon.Look("traveller").known_word);
  EXPECT_EQ(lexicon.Look("traveller").term, nullptr);
  EXPECT_TRUE(lexicon.Look("caribbean").known_word);
  EXPECT_FALSE(lexicon.Look("travellr").known_word);
  EXPECT_FALSE(lexicon.Look("irish traveller").known_word);  // a phrase, not a word
  EXPECT_FALSE(lexicon.IsKnownWord("travellr"));
  EXPECT_EQ(lexicon.FindNearWord("carribean"), "caribbean");
  EXPECT_EQ(lexicon.FindNearWord("travellr"), "traveller");
  EXPECT_EQ(lexicon.FindNearWord("roman"), "");  // Roma words never attract slips
  EXPECT_EQ(lexicon.FindNearWord("xyz"), "");
}

TEST(LexiconTest, ReportsEveryProblemWithItsPath) {
  std::vector<LoadProblem> problems;
  Build(R"({"id": "t", "version": "1", "terms": [
      {"phrase": "a b", "kind": "heritage", "categories": ["WHITE_ROMA"]},
      {"phrase": "x", "kind": "colour"},
      {"phrase": "y", "kind": "heritage", "categories": ["PURPLE"]},
      {"phrase": "z", "kind": "group", "group": "WHITE", "categories": ["BLACK_AFRICAN"]},
      {"phrase": "A-B", "kind": "heritage", "categories": ["WHITE_ROMA"]},
      {"phrase": "w", "kind": "heritage"}]})",
        &problems);
  std::vector<std::string> text;
  for (const LoadProblem& p : problems) text.push_back(p.ToString());
  EXPECT_THAT(text, ::testing::Contains(HasSubstr("$.terms[1].kind: unknown kind \"colour\"")));
  EXPECT_THAT(text, ::testing::Contains(HasSubstr("$.terms[2].categories[0]: not a taxonomy category: \"PURPLE\"")));
  EXPECT_THAT(text, ::testing::Contains(HasSubstr("BLACK_AFRICAN is not in group WHITE")));
  EXPECT_THAT(text, ::testing::Contains(HasSubstr("$.terms[4].phrase: phrase \"a b\" is already defined")));
  EXPECT_THAT(text, ::testing::Contains(HasSubstr("$.terms[5]: a heritage term needs at least one category")));
  // "y" is reported twice: its only category is unknown, so it has none left.
  EXPECT_THAT(text, ::testing::Contains(HasSubstr("$.terms[2]: a heritage term needs at least one category")));
  EXPECT_EQ(problems.size(), 6u);
}

}  // namespace
}  // namespace ethrec
