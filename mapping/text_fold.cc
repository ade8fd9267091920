#include "absl/strings/string_view.h"
#include "mapping/text_fold.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ethrec {
namespace {

// Appends to `out`, collapsing runs of spaces and never starting with one.
class Builder {
 public:
  explicit Builder(size_t reserve) { out_.reserve(reserve + 8); }
  void Space() { pending_space_ = !out_.empty(); }
  void Word(absl::string_view w) {
    Space();
    Append(w);
    Space();
  }
  void Append(absl::string_view s) {
    if (pending_space_) out_.push_back(' ');
    pending_space_ = false;
    out_.append(s.data(), s.size());
  }
  void AppendChar(char c) {
    if (pending_space_) out_.push_back(' ');
    pending_space_ = false;
    out_.push_back(c);
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
  bool pending_space_ = false;
};

// The rule for one ASCII character, shared by both paths so they agree.
inline void FoldAsciiChar(char c, Builder& b) {
  if (c >= 'A' && c <= 'Z') {
    b.AppendChar(static_cast<char>(c - 'A' + 'a'));
  } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
    b.AppendChar(c);
  } else if (c == '\'' || c == '`') {
    // Deleted, not split: "o'brien" and "o’brien" both give "obrien".
  } else if (c == '&' || c == '+') {
    b.Word("and");
  } else {
    b.Space();
  }
}

bool IsApostrophe(UChar32 c) {
  return c == 0x2018 || c == 0x2019 || c == 0x201B || c == 0x02BC || c == 0x02B9 ||
         c == 0x2032 || c == 0x00B4 || c == 0xFF07;
}

// Latin letters that canonical decomposition leaves alone.
const char* Transliterate(UChar32 c) {
  switch (c) {
    case 0x00F8: return "o";   // ø
    case 0x0111: return "d";   // đ
    case 0x00F0: return "d";   // ð
    case 0x0142: return "l";   // ł
    case 0x00E6: return "ae";  // æ
    case 0x0153: return "oe";  // œ
    case 0x0131: return "i";   // dotless i
    case 0x00FE: return "th";  // þ
    case 0x0127: return "h";   // ħ
    case 0x0167: return "t";   // ŧ
    case 0x0138: return "k";   // ĸ
    default: return nullptr;
  }
}

void AppendCodePoint(UChar32 c, Builder& b) {
  char buf[U8_MAX_LENGTH];
  int32_t len = 0;
  UBool error = false;
  U8_APPEND(buf, len, U8_MAX_LENGTH, c, error);
  if (!error) b.Append(absl::string_view(buf, len));
}

void FoldCodePoint(UChar32 c, Builder& b) {
  if (c < 0x80) {
    FoldAsciiChar(static_cast<char>(c), b);
    return;
  }
  if (u_charType(c) == U_NON_SPACING_MARK || u_charType(c) == U_ENCLOSING_MARK) return;
  if (IsApostrophe(c)) return;
  if (const char* t = Transliterate(c)) {
    b.Append(t);
    return;
  }
  if (u_isalnum(c)) {
    AppendCodePoint(c, b);
  } else {
    b.Space();
  }
}

absl::Status CheckUtf8(absl::string_view text) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  int32_t i = 0;
  while (i < length) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("text is not valid UTF-8 (bad byte sequence at byte offset ", start, ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

bool IsAscii(absl::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

std::string FoldAscii(absl::string_view text) {
  Builder b(text.size());
  for (char c : text) FoldAsciiChar(c, b);
  return b.Take();
}

absl::StatusOr<std::string> FoldUnicode(absl::string_view text) {
  if (absl::Status s = CheckUtf8(text); !s.ok()) return s;
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* casefold = icu::Normalizer2::getNFKCCasefoldInstance(status);
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  if (U_FAILURE(status)) {
    return absl::InternalError(absl::StrCat("ICU normaliser unavailable: ", u_errorName(status)));
  }
  const icu::UnicodeString folded = casefold->normalize(
      icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size()))),
      status);
  if (U_FAILURE(status)) {
    return absl::InternalError(absl::StrCat("ICU case folding failed: ", u_errorName(status)));
  }
  Builder b(text.size());
  icu::UnicodeString decomposition;
  for (int32_t i = 0; i < folded.length();) {
    const UChar32 c = folded.char32At(i);
    i += U16_LENGTH(c);
    if (c >= 0x80 && nfd->getDecomposition(c, decomposition)) {
      for (int32_t j = 0; j < decomposition.length();) {
        const UChar32 d = decomposition.char32At(j);
        j += U16_LENGTH(d);
        FoldCodePoint(d, b);
      }
    } else {
      FoldCodePoint(c, b);
    }
  }
  return b.Take();
}

absl::StatusOr<std::string> FoldText(absl::string_view text) {
  if (IsAscii(text)) return FoldAscii(text);
  return FoldUnicode(text);
}

}  // namespace ethrec
