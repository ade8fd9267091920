#include "mapping/text_fold.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace ethrec {
namespace {

using ::ethrec::testing::IsOkAndHolds;
using ::ethrec::testing::StatusIs;
using ::testing::HasSubstr;

TEST(FoldTextTest, Examples) {
  const struct {
    const char* in;
    const char* out;
  } cases[] = {
      {"Mixed (White & Black Afric\xC3\xA1n)", "mixed white and black african"},
      {"  black british - caribbean  ", "black british caribbean"},
      {"O\xE2\x80\x99" "Brien", "obrien"},                         // curly apostrophe deleted
      {"O'Brien", "obrien"},                                   // straight one too
      {"Qu\xC3\xA9" "b\xC3\xA9" "cois", "quebecois"},                 // accents
      {"\xEF\xBC\xB7\xEF\xBC\xA8\xEF\xBC\xA9\xEF\xBC\xB4\xEF\xBC\xA5", "white"},  // full-width
      {"Stra\xC3\x9F" "e", "strasse"},                          // ß case-folds to ss
      {"\xEF\xAC\x81lipino", "filipino"},                      // ﬁ ligature
      {"white\xC2\xA0" "british", "white british"},             // no-break space
      {"Black \xE2\x80\x94 African", "black african"},          // em dash
      {"\xC5\x81\xC3\xB3" "d\xC5\xBA", "lodz"},                 // ł has no decomposition
      {"W/B+Caribbean", "w b and caribbean"},
      {"", ""},
      {"---", ""},
  };
  for (const auto& c : cases) EXPECT_THAT(FoldText(c.in), IsOkAndHolds(std::string(c.out))) << c.in;
}

TEST(FoldTextTest, MarksFormLabelSeparators) {
  const struct {
    const char* in;
    const char* out;
  } cases[] = {
      {"Black or Black British - Caribbean", "black or black british | caribbean"},
      {"White: Irish", "white | irish"},
      {"Black \xE2\x80\x93 African", "black | african"},       // en dash with spaces
      {"White\xEF\xBC\x9A" "Irish", "white | irish"},          // full-width colon
      {"afro-caribbean", "afro caribbean"},                     // a hyphen inside a word is no separator
  };
  for (const auto& c : cases) {
    std::string out;
    ASSERT_TRUE(FoldTextMarkingLabels(c.in, &out).ok());
    EXPECT_EQ(out, c.out) << c.in;
  }
}

TEST(FoldTextTest, NonLatinLettersAreKept) {
  EXPECT_THAT(FoldText("\xD0\xA0\xD0\xBE\xD0\xBC"), IsOkAndHolds(std::string("\xD1\x80\xD0\xBE\xD0\xBC")));
}

TEST(FoldTextTest, AsciiFastPathMatchesIcuPath) {
  std::mt19937 rng(20261127);
  std::uniform_int_distribution<int> ch(0, 127), len(0, 40);
  for (int i = 0; i < 20000; ++i) {
    std::string s(len(rng), ' ');
    for (char& c : s) c = static_cast<char>(ch(rng));
    ASSERT_TRUE(IsAscii(s));
    absl::StatusOr<std::string> icu = FoldUnicode(s);
    ASSERT_TRUE(icu.ok());
    ASSERT_EQ(FoldAscii(s), *icu) << "input: " << s;
    absl::StatusOr<std::string> icu_marked = FoldUnicode(s, /*mark_labels=*/true);
    ASSERT_TRUE(icu_marked.ok());
    ASSERT_EQ(FoldAscii(s, /*mark_labels=*/true), *icu_marked) << "input: " << s;
  }
}

// Empty when the fast path folds `s` as the ICU path does, with and without
// label marks; otherwise what differs.
std::string FastAgainstIcu(const std::string& s) {
  absl::StatusOr<std::string> icu = FoldUnicode(s);
  absl::StatusOr<std::string> fast = FoldText(s);
  if (!icu.ok() || !fast.ok() || *fast != *icu) {
    return absl::StrCat("FoldText(", s, ") = ", fast.ok() ? *fast : fast.status().ToString(), ", ICU path ",
                        icu.ok() ? *icu : icu.status().ToString());
  }
  absl::StatusOr<std::string> icu_marked = FoldUnicode(s, /*mark_labels=*/true);
  std::string marked;
  const absl::Status status = FoldTextMarkingLabels(s, &marked);
  if (!icu_marked.ok() || !status.ok() || marked != *icu_marked) {
    return absl::StrCat("FoldTextMarkingLabels(", s, ") = ", status.ok() ? marked : status.ToString(),
                        ", ICU path ", icu_marked.ok() ? *icu_marked : icu_marked.status().ToString());
  }
  return "";
}

// The fast path for Latin-1, combining marks, General Punctuation and
// fullwidth ASCII (taken by FoldText for text of ASCII, U+0080..U+00FF,
// U+0300..U+036F, U+2000..U+206F and U+FF01..U+FF5E) must give exactly what
// the ICU path gives.
TEST(FoldTextTest, Latin1AndPunctuationFastPathMatchesIcuPath) {
  auto utf8 = [](int c) {
    std::string s;
    if (c < 0x80) {
      s.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      s.push_back(static_cast<char>(0xC0 | (c >> 6)));
      s.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      s.push_back(static_cast<char>(0xE0 | (c >> 12)));
      s.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
    return s;
  };
  std::vector<int> fast;
  for (int c = 0x80; c <= 0xFF; ++c) fast.push_back(c);
  for (int c = 0x300; c < 0x370; ++c) fast.push_back(c);
  for (int c = 0x2000; c < 0x2070; ++c) fast.push_back(c);
  for (int c = 0xFF01; c < 0xFF5F; ++c) fast.push_back(c);
  std::vector<std::string> inputs;
  for (int c : fast) {
    for (int d : {'a', 'Z', ' ', '-', ':', '\'', '&', '7'}) {
      inputs.push_back(utf8(c) + utf8(d));
      inputs.push_back(utf8(d) + utf8(c));
      inputs.push_back(utf8(d) + " - " + utf8(c));
      inputs.push_back(utf8(c) + "-" + utf8(d));
      inputs.push_back(utf8(d) + " -" + utf8(c) + " " + utf8(d));
      inputs.push_back(utf8(d) + " " + utf8(c) + "- " + utf8(d));
    }
    for (int e : fast) inputs.push_back(utf8(c) + utf8(e));
  }
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> pick(0, static_cast<int>(fast.size()) + 95), len(1, 20);
  for (int i = 0; i < 30000; ++i) {
    std::string s;
    for (int k = len(rng); k > 0; --k) {
      const int p = pick(rng);
      s += utf8(p < static_cast<int>(fast.size()) ? fast[p] : 0x20 + (p - static_cast<int>(fast.size())));
    }
    inputs.push_back(s);
  }
  for (const std::string& s : inputs) ASSERT_EQ(FastAgainstIcu(s), "");
}

// The fast path writes short texts into a stack buffer and longer ones on
// the heap, and moves to the heap mid-text when a character that folds to
// more bytes ("\u00BD" -> "1 2") needs more room: every way agrees with the
// ICU path.
TEST(FoldTextTest, LongTextsAgreeWithIcuPath) {
  std::string words;
  while (words.size() < 190) words += "Black & White - Caribbean: ";
  std::string halves;
  while (halves.size() < 1000) halves += "\xC2\xBD";  // U+00BD
  const std::vector<std::string> inputs = {
      "abcdefghij\xC2\xBD" + words.substr(0, 190),  // the stack, then the heap at the U+00BD
      words + words + "\xC3\xA9",                   // the heap from the start
      std::string(1024, '&'),                       // every byte becomes " and"
      halves,                                       // every character grows
      "\xEF\xBC\xB7" + halves + " x - y",            // a fullwidth W first
  };
  for (const std::string& s : inputs) EXPECT_EQ(FastAgainstIcu(s), "");
}

TEST(FoldTextTest, RejectsInvalidUtf8NamingTheOffset) {
  const char* cases[] = {
      "white \xC3",              // truncated sequence
      "\x80white",               // lone continuation byte
      "\xC0\xAF",                // overlong encoding
      "\xED\xA0\x80",            // UTF-16 surrogate
      "ok\xF5\x80\x80\x80",      // beyond U+10FFFF
  };
  for (const char* s : cases) {
    EXPECT_THAT(FoldText(s), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("byte offset")))
        << s;
  }
  EXPECT_THAT(FoldText("white \xC3"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("offset 6")));
}

}  // namespace
}  // namespace ethrec
