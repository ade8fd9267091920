#include "mapping/text_fold.h"

#include <cstring>

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

#include <array>
#include <iterator>
#include <memory>

#include "absl/strings/string_view.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ethrec {
namespace {

// Appends to `out`, collapsing runs of spaces and never starting with one.
class Builder {
 public:
  Builder(size_t reserve, std::string* out) : out_(*out) {
    out_.clear();
    out_.reserve(reserve + 8);
  }
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

 private:
  std::string& out_;
  bool pending_space_ = false;
};

inline bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

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

bool IsSpace(UChar32 c) {
  return c < 0x80 ? IsAsciiSpace(static_cast<char>(c)) : u_isWhitespace(c);
}

// Zero-width characters that separate words; case folding would delete them.
bool IsZeroWidthSpace(UChar32 c) {
  return c == 0x200B || c == 0x200C || c == 0x200D || c == 0x2060 || c == 0xFEFF;
}

bool IsDash(UChar32 c) { return c == '-' || c == 0x2013 || c == 0x2014 || c == 0x2212; }

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

// FoldAsciiChar's rule for each byte as one table lookup, for the fast
// path: the letter or digit written (lower-cased), or one of the classes
// below.
constexpr char kNotAscii = 0;      // a byte of 0x80 or above
constexpr char kAsciiDeleted = 1;  // apostrophes
constexpr char kAsciiBreak = 2;    // any other byte: a word break
constexpr char kAsciiSpecial = 3;  // '&', '+', ':' and '-': decided in context
struct AsciiClasses {
  std::array<char, 256> fold{};
};

constexpr AsciiClasses kAsciiClasses = [] {
  AsciiClasses t;
  for (int c = 0; c < 256; ++c) {
    char v = c < 0x80 ? kAsciiBreak : kNotAscii;
    if (c >= 'a' && c <= 'z') v = static_cast<char>(c);
    if (c >= 'A' && c <= 'Z') v = static_cast<char>(c - 'A' + 'a');
    if (c >= '0' && c <= '9') v = static_cast<char>(c);
    if (c == '\'' || c == '`') v = kAsciiDeleted;
    if (c == '&' || c == '+' || c == ':' || c == '-') v = kAsciiSpecial;
    t.fold[c] = v;
  }
  return t;
}();

// Returns false, with `out` unspecified, at the first byte that is not ASCII:
// checking as it goes saves the hot path a pass of its own.
[[nodiscard]] bool FoldAsciiTo(absl::string_view text, bool mark_labels, std::string* out) {
  // Same rules as FoldAsciiChar, written straight into a buffer: this is the
  // hot path for most input. The worst case grows each byte to " and ".
  out->resize(text.size() * 5 + 1);
  char* const begin = out->data();
  char* p = begin;
  bool pending_space = false;
  auto emit_word = [&](const char* w, size_t len) {
    if (p != begin) *p++ = ' ';
    std::memcpy(p, w, len);
    p += len;
    pending_space = true;
  };
  const size_t n = text.size();
  for (size_t i = 0; i < n; ++i) {
    const char c = text[i];
    const char lower = kAsciiClasses.fold[static_cast<unsigned char>(c)];
    if (lower > kAsciiSpecial) {  // a letter or digit, the common case
      if (pending_space) *p++ = ' ';
      pending_space = false;
      *p++ = lower;
      continue;
    }
    if (lower == kAsciiBreak) {
      pending_space = p != begin;
    } else if (lower == kNotAscii) {
      return false;
    } else if (lower == kAsciiDeleted) {
      // Deleted, not split: "o'brien" and "o’brien" both give "obrien".
    } else if (mark_labels && (c == ':' || (c == '-' && i > 0 && i + 1 < n &&
                                            IsAsciiSpace(text[i - 1]) && IsAsciiSpace(text[i + 1])))) {
      emit_word("|", 1);
    } else if (c == '&' || c == '+') {
      emit_word("and", 3);
    } else {
      pending_space = p != begin;
    }
  }
  out->resize(p - begin);
  return true;
}

absl::Status FoldUnicodeTo(absl::string_view text, bool mark_labels, std::string* out) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* casefold = icu::Normalizer2::getNFKCCasefoldInstance(status);
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  if (U_FAILURE(status)) {
    return absl::InternalError(absl::StrCat("ICU normaliser unavailable: ", u_errorName(status)));
  }
  // Convert and validate in one pass: UTF-16 never needs more units than
  // UTF-8 has bytes. An ill-formed sequence fails the conversion; CheckUtf8
  // then finds its offset for the message.
  UChar stack[512];
  std::unique_ptr<UChar[]> heap;
  UChar* units = stack;
  if (text.size() > std::size(stack)) {
    heap = std::make_unique<UChar[]>(text.size());
    units = heap.get();
  }
  int32_t length = 0;
  u_strFromUTF8(units, static_cast<int32_t>(std::max<size_t>(text.size(), 1)), &length, text.data(),
                static_cast<int32_t>(text.size()), &status);
  if (U_FAILURE(status)) {
    if (absl::Status s = CheckUtf8(text); !s.ok()) return s;
    return absl::InternalError(absl::StrCat("ICU UTF-8 conversion failed: ", u_errorName(status)));
  }
  // Case folding deletes zero-width characters, which would join two words:
  // make them spaces first.
  for (int32_t i = 0; i < length; ++i) {
    if (IsZeroWidthSpace(units[i])) units[i] = u' ';
  }
  const icu::UnicodeString folded =
      casefold->normalize(icu::UnicodeString(false, units, length), status);
  if (U_FAILURE(status)) {
    return absl::InternalError(absl::StrCat("ICU case folding failed: ", u_errorName(status)));
  }
  Builder b(text.size(), out);
  icu::UnicodeString decomposition;
  for (int32_t i = 0; i < folded.length();) {
    const UChar32 c = folded.char32At(i);
    const int32_t start = i;
    i += U16_LENGTH(c);
    if (mark_labels &&
        (c == ':' || (IsDash(c) && start > 0 && i < folded.length() &&
                      IsSpace(folded.char32At(folded.moveIndex32(start, -1))) &&
                      IsSpace(folded.char32At(i))))) {
      b.Word("|");
      continue;
    }
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
  return absl::OkStatus();
}

}  // namespace

bool IsAscii(absl::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

std::string FoldAscii(absl::string_view text, bool mark_labels) {
  std::string out;
  if (!FoldAsciiTo(text, mark_labels, &out)) out.clear();  // not ASCII: see text_fold.h
  return out;
}

absl::StatusOr<std::string> FoldUnicode(absl::string_view text, bool mark_labels) {
  std::string out;
  if (absl::Status s = FoldUnicodeTo(text, mark_labels, &out); !s.ok()) return s;
  return out;
}

namespace {

// The characters the fast path knows besides ASCII: Latin-1 U+0080..U+00FF
// and General Punctuation U+2000..U+206F (dashes, curly quotes, spaces),
// which word processors put into most typed text.
constexpr int kFastLatin1 = 0x80, kFastPunctuation = 0x2000, kFastPunctuationEnd = 0x2070;
constexpr int kFastSize = 0x80 + (kFastPunctuationEnd - kFastPunctuation);

// Index of `cp` in the table, or -1.
int FastIndex(int cp) {
  if (cp >= kFastLatin1 && cp <= 0xFF) return cp - kFastLatin1;
  if (cp >= kFastPunctuation && cp < kFastPunctuationEnd) return 0x80 + cp - kFastPunctuation;
  return -1;
}

// What the ICU path does to each of those characters, worked out once by
// the ICU path itself so the fast path cannot disagree: the text it writes
// between two letters ("" deleted, " " a word break, else letters), and
// whether the character folds to whitespace (which makes a neighbouring dash
// a label separator) or is itself a dash.
struct FastFold {
  std::array<std::string, kFastSize> replacement;
  std::array<bool, kFastSize> space_before_dash{};  // "X- " makes the dash a separator
  std::array<bool, kFastSize> space_after_dash{};   // " -X" likewise
  std::array<bool, kFastSize> separator{};          // " X " is a separator itself
  // Case folding deletes it (soft hyphen, bidi marks): its neighbours then
  // touch, so dash rules depend on context; those texts take the ICU path.
  std::array<bool, kFastSize> vanishes{};
};

const FastFold& FastTable() {
  static const FastFold* const table = [] {
    auto* t = new FastFold;
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* casefold = icu::Normalizer2::getNFKCCasefoldInstance(status);
    for (int cp = kFastLatin1; cp < kFastPunctuationEnd; ++cp) {
      const int i = FastIndex(cp);
      if (i < 0) continue;
      char utf8[U8_MAX_LENGTH];
      int32_t len = 0;
      UBool error = false;
      U8_APPEND(utf8, len, U8_MAX_LENGTH, cp, error);
      std::string folded;
      if (error || !FoldUnicodeTo(absl::StrCat("a", absl::string_view(utf8, len), "b"), false, &folded).ok() ||
          folded.size() < 2) {
        continue;
      }
      t->replacement[i] = folded.substr(1, folded.size() - 2);
      const absl::string_view c(utf8, len);
      auto marks = [](const std::string& probe) {
        std::string out;
        return FoldUnicodeTo(probe, /*mark_labels=*/true, &out).ok() && out.find('|') != std::string::npos;
      };
      t->space_before_dash[i] = marks(absl::StrCat("a", c, "- b"));
      t->space_after_dash[i] = marks(absl::StrCat("a -", c, "b"));
      t->separator[i] = marks(absl::StrCat("a ", c, " b"));
      t->vanishes[i] = !IsZeroWidthSpace(cp) &&
                       casefold->normalize(icu::UnicodeString(static_cast<UChar32>(cp)), status).isEmpty();
    }
    return t;
  }();
  return *table;
}

// The fast path for text of ASCII plus the characters above (e.g.
// "Québécois", "Black \u2013 Caribbean"). Returns false, touching nothing,
// for any other text.
bool FoldFastTo(absl::string_view text, bool mark_labels, std::string* out) {
  absl::InlinedVector<uint16_t, 64> cps;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < length;) {
    if (s[i] < 0x80) {
      cps.push_back(s[i++]);
      continue;
    }
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0 || FastIndex(c) < 0) return false;
    cps.push_back(static_cast<uint16_t>(c));
  }
  const FastFold& table = FastTable();
  if (mark_labels) {
    for (uint16_t c : cps) {
      if (c >= 0x80 && table.vanishes[FastIndex(c)]) return false;
    }
  }
  // Whether c, next to a dash, counts as the space around a separator.
  auto before = [&](uint16_t c) {
    return c < 0x80 ? IsAsciiSpace(static_cast<char>(c)) : table.space_before_dash[FastIndex(c)];
  };
  auto after = [&](uint16_t c) {
    return c < 0x80 ? IsAsciiSpace(static_cast<char>(c)) : table.space_after_dash[FastIndex(c)];
  };
  auto is_dash = [&](uint16_t c) { return c < 0x80 ? c == '-' : table.separator[FastIndex(c)]; };
  Builder b(text.size(), out);
  for (size_t i = 0; i < cps.size(); ++i) {
    const uint16_t c = cps[i];
    if (mark_labels && (c == ':' || (is_dash(c) && i > 0 && i + 1 < cps.size() && before(cps[i - 1]) &&
                                     after(cps[i + 1])))) {
      b.Word("|");
    } else if (c < 0x80) {
      FoldAsciiChar(static_cast<char>(c), b);
    } else {
      for (char rc : table.replacement[FastIndex(c)]) {
        if (static_cast<unsigned char>(rc) < 0x80) {
          FoldAsciiChar(rc, b);
        } else {
          b.Append(absl::string_view(&rc, 1));
        }
      }
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<std::string> FoldText(absl::string_view text) {
  if (IsAscii(text)) return FoldAscii(text);
  std::string out;
  if (FoldFastTo(text, false, &out)) return out;
  return FoldUnicode(text);
}

absl::Status FoldTextMarkingLabels(absl::string_view text, std::string* out) {
  if (FoldAsciiTo(text, /*mark_labels=*/true, out)) return absl::OkStatus();
  if (FoldFastTo(text, /*mark_labels=*/true, out)) return absl::OkStatus();
  absl::Status status = FoldUnicodeTo(text, /*mark_labels=*/true, out);
  if (!status.ok()) out->clear();  // not the ASCII path's partial fold
  return status;
}

}  // namespace ethrec
