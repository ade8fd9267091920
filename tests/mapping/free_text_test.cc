// Free-text normalisation: the table of phrasings in
// tests/testdata/free_text_cases.csv (written by hand, from the ONS 2021
// classification conventions, not from this code's output), plus unit tests
// of the reading rules.
#include "mapping/free_text.h"

#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapping/normalizer.h"
#include "tests/testing/status_matchers.h"
#include "tools/csv.h"

namespace ethrec {
namespace {

using ::ethrec::testing::StatusIs;
using ::testing::HasSubstr;

const Normalizer& SharedNormalizer() {
  static const Normalizer* const n = [] {
    auto created = Normalizer::Create(LoadOptions());
    if (!created.ok()) {
      ADD_FAILURE() << created.status();
      std::abort();
    }
    return created->release();
  }();
  return *n;
}

struct TextCase {
  int line = 0;
  std::string text, outcome, first, detail, note;
  std::vector<std::string> must_include, must_exclude;
};

void PrintTo(const TextCase& c, std::ostream* os) { *os << "line " << c.line << " '" << c.text << "'"; }

std::vector<std::string> SplitList(const std::string& s) {
  if (s.empty()) return {};
  return absl::StrSplit(s, '|');
}

std::vector<TextCase> LoadCases() {
  std::ifstream in(ETHREC_TESTDATA_DIR "/free_text_cases.csv", std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open free_text_cases.csv";
  tools::CsvReader reader(&in);
  tools::CsvRecord record;
  std::vector<TextCase> cases;
  EXPECT_TRUE(*reader.Next(&record));  // header
  EXPECT_EQ(record.fields.size(), 7u);
  while (true) {
    absl::StatusOr<bool> more = reader.Next(&record);
    EXPECT_TRUE(more.ok()) << more.status();
    if (!more.ok() || !*more) break;
    EXPECT_EQ(record.fields.size(), 7u) << "line " << record.line;
    if (record.fields.size() != 7) continue;
    cases.push_back(TextCase{record.line, record.fields[0], record.fields[1], record.fields[2],
                             record.fields[5], record.fields[6], SplitList(record.fields[3]),
                             SplitList(record.fields[4])});
  }
  return cases;
}

class FreeTextTableTest : public ::testing::TestWithParam<TextCase> {};

TEST_P(FreeTextTableTest, ReadsAsAnExpertWould) {
  const TextCase& c = GetParam();
  SCOPED_TRACE(absl::StrCat("line ", c.line, ": '", c.text, "' (", c.note, ")"));
  absl::StatusOr<Normalized> n = SharedNormalizer().Normalize({.text = c.text});
  if (c.text.empty()) {
    // An empty text is not a request at all.
    EXPECT_THAT(n, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("give a code")));
    return;
  }
  ASSERT_TRUE(n.ok()) << n.status();
  std::vector<std::string> got;
  for (const RankedCategory& r : n->categories) got.emplace_back(CategoryName(r.category));
  const std::string explained = absl::StrCat(" got ", OutcomeName(n->outcome), " [",
                                             absl::StrJoin(got, ","), "] detail '", n->detail,
                                             "': ", n->explanation);
  EXPECT_EQ(OutcomeName(n->outcome), c.outcome) << explained;
  if (c.outcome != "CATEGORIES") {
    EXPECT_TRUE(n->categories.empty()) << explained;
    return;
  }
  ASSERT_FALSE(got.empty()) << explained;
  if (!c.first.empty()) {
    EXPECT_EQ(got.front(), c.first) << explained;
  }
  for (const std::string& want : c.must_include) {
    EXPECT_THAT(got, ::testing::Contains(want)) << explained;
  }
  for (const std::string& unwanted : c.must_exclude) {
    EXPECT_THAT(got, ::testing::Not(::testing::Contains(unwanted))) << explained;
  }
  if (!c.detail.empty()) {
    EXPECT_TRUE(absl::StrContains(absl::AsciiStrToLower(n->detail), absl::AsciiStrToLower(c.detail)))
        << explained;
  }
}

INSTANTIATE_TEST_SUITE_P(Table, FreeTextTableTest, ::testing::ValuesIn(LoadCases()),
                         [](const ::testing::TestParamInfo<TextCase>& info) {
                           return absl::StrCat("line", info.param.line);
                         });

TEST(FreeTextTableTest, CoversEveryCategoryAndOutcome) {
  std::vector<TextCase> cases = LoadCases();
  EXPECT_GE(cases.size(), 300u);
  std::set<std::string> firsts, outcomes;
  for (const TextCase& c : cases) {
    firsts.insert(c.first);
    outcomes.insert(c.outcome);
  }
  for (int i = 0; i < kNumCategories; ++i) {
    EXPECT_TRUE(firsts.contains(std::string(CategoryName(static_cast<Category>(i)))))
        << CategoryName(static_cast<Category>(i));
  }
  EXPECT_EQ(outcomes, (std::set<std::string>{"CATEGORIES", "NOT_STATED", "NOT_KNOWN", "UNRECOGNISED"}));
}

Normalized Read(absl::string_view text) {
  absl::StatusOr<Normalized> n = SharedNormalizer().Normalize({.text = text});
  EXPECT_TRUE(n.ok()) << n.status();
  return n.ok() ? *n : Normalized();
}

std::vector<Category> Cats(const Normalized& n) {
  std::vector<Category> out;
  for (const RankedCategory& r : n.categories) out.push_back(r.category);
  return out;
}

TEST(FreeTextClassifierTest, WordOrderDoesNotMatter) {
  EXPECT_EQ(Cats(Read("british pakistani")), Cats(Read("pakistani british")));
  EXPECT_EQ(Cats(Read("black caribbean")), Cats(Read("caribbean black")));
  EXPECT_EQ(Cats(Read("white and black african")), Cats(Read("black african and white")));
}

TEST(FreeTextClassifierTest, AsciiAndUnicodeSpellingsAgree) {
  EXPECT_EQ(Cats(Read("Black \xE2\x80\x93 Caribbean")), Cats(Read("Black - Caribbean")));
  EXPECT_EQ(Cats(Read("\xEF\xBC\xB7\xEF\xBC\xA8\xEF\xBC\xA9\xEF\xBC\xB4\xEF\xBC\xA5 Irish")),
            Cats(Read("White Irish")));
  EXPECT_EQ(Cats(Read("Rom\xC3\xA1")), Cats(Read("Roma")));
}

TEST(FreeTextClassifierTest, SharedDetailReturnsEveryCategoryRanked) {
  Normalized kurdish = Read("Kurdish");
  EXPECT_GE(kurdish.categories.size(), 2u);
  EXPECT_EQ(kurdish.relationship, Relationship::kSourceIsBroaderThanTarget);
  EXPECT_EQ(kurdish.detail, "Kurdish");
  for (size_t i = 1; i < kurdish.categories.size(); ++i) {
    EXPECT_GE(kurdish.categories[i - 1].confidence, kurdish.categories[i].confidence);
  }
}

TEST(FreeTextClassifierTest, GroupWordNarrowsSharedDetail) {
  EXPECT_EQ(Cats(Read("white kurdish")), std::vector<Category>{Category::kWhiteOther});
  EXPECT_EQ(Cats(Read("black somali")), std::vector<Category>{Category::kBlackAfrican});
}

TEST(FreeTextClassifierTest, GroupAloneIsAmbiguous) {
  Normalized white = Read("white");
  EXPECT_TRUE(white.ambiguous);
  EXPECT_EQ(white.category_set, CategorySet::OfGroup(Group::kWhite));
}

TEST(FreeTextClassifierTest, NationalityIsRelatedNotEquivalent) {
  Normalized n = Read("Nigeria");
  EXPECT_EQ(Cats(n), std::vector<Category>{Category::kBlackAfrican});
  EXPECT_EQ(n.relationship, Relationship::kRelatedTo);
  EXPECT_THAT(n.explanation, HasSubstr("nationality"));
}

TEST(FreeTextClassifierTest, SpellingSlipIsCorrectedAndSaid) {
  Normalized n = Read("carribean");
  EXPECT_EQ(Cats(n), std::vector<Category>{Category::kBlackCaribbean});
  Normalized slip = Read("bangaldeshii");
  EXPECT_EQ(Cats(slip), std::vector<Category>{Category::kAsianBangladeshi});
  EXPECT_THAT(slip.notes, ::testing::Contains(HasSubstr("read 'bangaldeshii' as")));
  EXPECT_LT(slip.categories[0].confidence, Read("bangladeshi").categories[0].confidence);
}

TEST(FreeTextClassifierTest, RomanianIsNeverRoma) {
  EXPECT_EQ(Cats(Read("Romanian")), std::vector<Category>{Category::kWhiteOther});
  EXPECT_EQ(Read("Roman").outcome, Outcome::kUnrecognised);
}

TEST(FreeTextClassifierTest, RubbishIsUnrecognisedNotGuessed) {
  for (const char* text : {"asdfgh", "12345", "???", "BAME", "Muslim", "see notes"}) {
    Normalized n = Read(text);
    EXPECT_EQ(n.outcome, Outcome::kUnrecognised) << text;
    EXPECT_TRUE(n.categories.empty()) << text;
  }
  EXPECT_THAT(Read("BAME").explanation, HasSubstr("names no ethnic group"));
}

TEST(FreeTextClassifierTest, NonAnswersAreNeverCategories) {
  EXPECT_EQ(Read("prefer not to say").outcome, Outcome::kNotStated);
  EXPECT_EQ(Read("Refused").outcome, Outcome::kNotStated);
  EXPECT_EQ(Read("not known").outcome, Outcome::kNotKnown);
  EXPECT_EQ(Read("n/k").outcome, Outcome::kNotKnown);
}

TEST(FreeTextClassifierTest, FormLabelsReadAnswerAfterHeading) {
  EXPECT_EQ(Cats(Read("Chinese or other ethnic group - Any other ethnic group")).front(),
            Category::kOtherAny);
  EXPECT_EQ(Cats(Read("Black, Black British, Caribbean or African: African")),
            std::vector<Category>{Category::kBlackAfrican});
  EXPECT_EQ(Cats(Read("Mixed/multiple ethnic groups: White and Asian")),
            std::vector<Category>{Category::kMixedWhiteAsian});
}

TEST(FreeTextClassifierTest, RejectsInvalidUtf8AndOverlongText) {
  EXPECT_THAT(SharedNormalizer().Normalize({.text = "white \xC3"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not valid UTF-8")));
  std::string huge(kMaxFreeTextBytes + 1, 'a');
  EXPECT_THAT(SharedNormalizer().Normalize({.text = huge}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("limit is 1024")));
}

}  // namespace
}  // namespace ethrec
