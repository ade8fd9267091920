#include "tools/agreement.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/builtin_data.h"
#include "tests/testing/status_matchers.h"

namespace ethrec::tools {
namespace {

using ::ethrec::testing::BuiltinNormalizer;

using ::ethrec::testing::StatusIs;
using ::testing::HasSubstr;

absl::StatusOr<std::vector<AgreementCase>> Read(const std::string& csv) {
  std::istringstream in(csv);
  return ReadAgreementCases(in);
}

TEST(AgreementTest, ScoresEachKindOfExpectation) {
  absl::StatusOr<std::vector<AgreementCase>> cases = Read(
      "text,system,code,expected,acceptable,genre,source\n"
      "Black Caribbean,,,BLACK_CARIBBEAN,,free,a\n"          // right
      "Polish,,,WHITE_BRITISH,,free,b\n"                     // wrong: WHITE_OTHER
      "Prefer not to say,,,NOT_STATED,,free,c\n"             // right
      "Any other White background,,,AMBIGUOUS,WHITE_OTHER|WHITE_ROMA,label,d\n"  // right
      "White British,dfe,WBRI,WHITE_BRITISH,,coded,e\n"      // right, code known
      "Black African,dfe,NOPE,BLACK_AFRICAN,,coded,f\n");    // right by its text, code unknown
  ASSERT_TRUE(cases.ok()) << cases.status();
  const AgreementReport r = Score(*cases, BuiltinNormalizer(), {});
  EXPECT_EQ(r.all.cases, 6);
  EXPECT_EQ(r.all.right, 5);
  EXPECT_EQ(r.by_genre.at("free").right, 2);
  EXPECT_EQ(r.by_genre.at("coded").coded, 2);
  EXPECT_EQ(r.by_genre.at("coded").code_known, 1);
  EXPECT_EQ(r.confusions.at("WHITE_BRITISH -> WHITE_OTHER"), 1);
  EXPECT_THAT(FormatReport(r, true), HasSubstr("Polish -> WHITE_OTHER"));

  const AgreementReport text_only = Score(*cases, BuiltinNormalizer(), {.text_only = true});
  EXPECT_EQ(text_only.all.coded, 0);
}

TEST(AgreementTest, UnrecognisedIsNeverCountedAsConfident) {
  absl::StatusOr<std::vector<AgreementCase>> cases =
      Read("text,expected,genre,source\nzzqx,BLACK_AFRICAN,free,a\nIrish,WHITE_IRISH,free,b\n");
  ASSERT_TRUE(cases.ok());
  const AgreementReport r = Score(*cases, BuiltinNormalizer(), {});
  EXPECT_EQ(r.confident, 1);
  EXPECT_EQ(r.confident_right, 1);
}

TEST(AgreementTest, RejectsBadRowsNamingLineAndColumn) {
  EXPECT_THAT(Read("text,expected,genre,source\nx,PURPLE,free,a\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 2: column 'expected': unknown answer 'PURPLE'")));
  EXPECT_THAT(Read("text,expected,genre,source\nx,AMBIGUOUS,free,a\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 2: expected AMBIGUOUS needs")));
  EXPECT_THAT(Read("text,expected,genre\nx,WHITE_IRISH,free\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no 'source' column")));
}

}  // namespace
}  // namespace ethrec::tools
