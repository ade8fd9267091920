#include "mapping/text_fold.h"

#include <cstring>

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <memory>

#include "absl/strings/string_view.h"
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

absl::StatusOr<std::string> FoldUnicode(absl::string_view text, bool mark_labels) {
  std::string out;
  if (absl::Status s = FoldUnicodeTo(text, mark_labels, &out); !s.ok()) return s;
  return out;
}

namespace {

// The characters the fast path knows besides ASCII: Latin-1 and General
// Punctuation (dashes, curly quotes, spaces), which word processors put into
// most typed text; the Combining Diacritical Marks, which decomposed accents
// use ("Ku\u0308rdish", as some systems store text); and the fullwidth forms
// of ASCII, which East Asian input methods type ("\uFF37\uFF28\uFF29\uFF34\uFF25").
struct FastRange {
  int first, end;  // code points first..end - 1
};
constexpr FastRange kFastRanges[] = {{0x80, 0x100}, {0x300, 0x370}, {0x2000, 0x2070}, {0xFF01, 0xFF5F}};
constexpr int kFastSize = [] {
  int n = 0;
  for (const FastRange& r : kFastRanges) n += r.end - r.first;
  return n;
}();

// Index of `cp` in the table, or -1.
int FastIndex(int cp) {
  int offset = 0;
  for (const FastRange& r : kFastRanges) {
    if (cp < r.first) return -1;
    if (cp < r.end) return offset + cp - r.first;
    offset += r.end - r.first;
  }
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
  std::array<bool, kFastSize> colon{};              // "aXb" is one: it folds to ':'
  // Case folding deletes it (soft hyphen, bidi marks): its neighbours then
  // touch, so dash rules depend on context; those texts take the ICU path.
  std::array<bool, kFastSize> vanishes{};
  // A bound on the bytes the fast path writes for one input byte of these
  // characters: a pending space and each replacement byte (already folded:
  // never '&' or '+'), counted generously as four bytes each.
  size_t max_growth = 0;
};

const FastFold& FastTable() {
  static const FastFold* const table = [] {
    auto* t = new FastFold;
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* casefold = icu::Normalizer2::getNFKCCasefoldInstance(status);
    for (const FastRange& range : kFastRanges) {
      for (int cp = range.first; cp < range.end; ++cp) {
        const int i = FastIndex(cp);
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
        // A character that folds to ':' marks a label wherever it stands,
        // which would answer the dash probes below: it is neither a space
        // nor a dash.
        t->colon[i] = marks(absl::StrCat("a", c, "b"));
        if (!t->colon[i]) {
          t->space_before_dash[i] = marks(absl::StrCat("a", c, "- b"));
          t->space_after_dash[i] = marks(absl::StrCat("a -", c, "b"));
          t->separator[i] = marks(absl::StrCat("a ", c, " b"));
        }
        t->vanishes[i] = !IsZeroWidthSpace(cp) &&
                         casefold->normalize(icu::UnicodeString(static_cast<UChar32>(cp)), status).isEmpty();
        t->max_growth = std::max<size_t>(t->max_growth, (1 + 4 * t->replacement[i].size() + len - 1) / len);
      }
    }
    return t;
  }();
  return *table;
}

// The longest output the ASCII rules write for one byte: " and".
constexpr size_t kAsciiGrowth = 5;

// The fast path's output: a stack buffer for the usual short text, the heap
// beyond it, grown only for characters that write more than ASCII does.
class FastOut {
 public:
  explicit FastOut(size_t capacity) {
    if (capacity > sizeof(stack_)) Grow(0, capacity);
  }
  char* begin() const { return begin_; }
  char* end() const { return begin_ + capacity_; }
  // Makes room for `more` bytes after `p`; returns where `p` now is.
  char* Reserve(char* p, size_t more) {
    const size_t used = static_cast<size_t>(p - begin_);
    if (used + more > capacity_) Grow(used, used + more);
    return begin_ + used;
  }

 private:
  // Keeps the first `used` bytes.
  void Grow(size_t used, size_t capacity) {
    heap_.resize(capacity);
    if (begin_ == stack_) std::memcpy(heap_.data(), stack_, used);
    begin_ = heap_.data();
    capacity_ = capacity;
  }
  char stack_[1024];
  std::string heap_;
  char* begin_ = stack_;
  size_t capacity_ = sizeof(stack_);
};

// The code point ending just before byte `i` / starting at byte `i` of
// well-formed text, or -1.
int CodePointBefore(const uint8_t* s, int32_t i) {
  int32_t start = i - 1;
  while (start > 0 && (s[start] & 0xC0) == 0x80) --start;
  UChar32 c;
  U8_NEXT(s, start, i, c);
  return c;
}
int CodePointAt(const uint8_t* s, int32_t i, int32_t length) {
  UChar32 c;
  U8_NEXT(s, i, length, c);
  return c;
}

// Whether code point `c` (ASCII or of the table), next to a dash, counts as
// the space around a label separator; false for any other character.
bool SpaceBeforeDash(int c) {
  if (c >= 0 && c < 0x80) return IsAsciiSpace(static_cast<char>(c));
  const int i = FastIndex(c);
  return i >= 0 && FastTable().space_before_dash[i];
}
bool SpaceAfterDash(int c) {
  if (c >= 0 && c < 0x80) return IsAsciiSpace(static_cast<char>(c));
  const int i = FastIndex(c);
  return i >= 0 && FastTable().space_after_dash[i];
}

// True when the dash at bytes start..end - 1 of well-formed text has the
// space of a label separator on both sides ("Black - Caribbean").
bool SpacedDash(const uint8_t* s, int32_t start, int32_t end, int32_t n) {
  return start > 0 && end < n && SpaceBeforeDash(CodePointBefore(s, start)) && SpaceAfterDash(CodePointAt(s, end, n));
}

// The fast path, for text of ASCII and the characters above (e.g. "White
// British", "Québécois", "Black \u2013 Caribbean"): one pass, written straight
// into a buffer, with the same rules as FoldAsciiChar and the table. Returns
// false, with `out` unspecified, at the first other character or ill-formed
// sequence: checking as it goes saves the hot path a pass of its own.
[[nodiscard]] bool FoldFastTo(absl::string_view text, bool mark_labels, std::string* out) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t n = static_cast<int32_t>(text.size());
  FastOut buffer(text.size() * kAsciiGrowth + 1);
  char* begin = buffer.begin();
  char* p = begin;
  bool pending_space = false;
  auto emit_word = [&](const char* w, size_t len) {
    if (p != begin) *p++ = ' ';
    std::memcpy(p, w, len);
    p += len;
    pending_space = true;
  };
  // The rule for one ASCII byte inside a text (not for a label separator).
  auto fold_ascii = [&](char c) {
    const char lower = kAsciiClasses.fold[static_cast<unsigned char>(c)];
    if (lower > kAsciiSpecial) {
      if (pending_space) *p++ = ' ';
      pending_space = false;
      *p++ = lower;
    } else if (lower == kAsciiDeleted) {
      // Deleted, not split: "o'brien" and "o’brien" both give "obrien".
    } else if (c == '&' || c == '+') {
      emit_word("and", 3);
    } else {
      pending_space = p != begin;
    }
  };
  const FastFold* table = nullptr;  // looked up at the first character beyond ASCII
  for (int32_t i = 0; i < n;) {
    const char c = static_cast<char>(s[i]);
    const char lower = kAsciiClasses.fold[s[i]];
    if (lower > kAsciiSpecial) {  // a word of letters and digits, the common case
      if (pending_space) *p++ = ' ';
      pending_space = false;
      char l = lower;
      do {
        *p++ = l;
      } while (++i < n && (l = kAsciiClasses.fold[s[i]]) > kAsciiSpecial);
      continue;
    }
    if (lower != kNotAscii) {
      if (mark_labels && (c == ':' || (c == '-' && SpacedDash(s, i, i + 1, n)))) {
        emit_word("|", 1);
      } else {
        fold_ascii(c);
      }
      ++i;
      continue;
    }
    const int32_t start = i;
    UChar32 cp;
    U8_NEXT(s, i, n, cp);
    const int index = cp < 0 ? -1 : FastIndex(cp);
    if (index < 0) return false;
    if (table == nullptr) table = &FastTable();
    // Case folding deletes it: its neighbours then touch, so dash rules
    // depend on context; the ICU path decides.
    if (mark_labels && table->vanishes[index]) return false;
    const size_t room = static_cast<size_t>(n - start) * std::max(kAsciiGrowth, table->max_growth) + 1;
    if (room > static_cast<size_t>(buffer.end() - p)) {
      p = buffer.Reserve(p, room);
      begin = buffer.begin();
    }
    if (mark_labels && (table->colon[index] || (table->separator[index] && SpacedDash(s, start, i, n)))) {
      emit_word("|", 1);
      continue;
    }
    for (char rc : table->replacement[index]) {
      if (static_cast<unsigned char>(rc) < 0x80) {
        fold_ascii(rc);
      } else {
        if (pending_space) *p++ = ' ';
        pending_space = false;
        *p++ = rc;
      }
    }
  }
  out->assign(begin, static_cast<size_t>(p - begin));
  return true;
}

}  // namespace

std::string FoldAscii(absl::string_view text, bool mark_labels) {
  std::string out;
  if (!IsAscii(text) || !FoldFastTo(text, mark_labels, &out)) out.clear();  // not ASCII: see text_fold.h
  return out;
}

absl::StatusOr<std::string> FoldText(absl::string_view text) {
  std::string out;
  if (FoldFastTo(text, false, &out)) return out;
  return FoldUnicode(text);
}

absl::Status FoldTextMarkingLabels(absl::string_view text, std::string* out) {
  if (FoldFastTo(text, /*mark_labels=*/true, out)) return absl::OkStatus();
  absl::Status status = FoldUnicodeTo(text, /*mark_labels=*/true, out);
  if (!status.ok()) out->clear();  // the caller's earlier text is no fold of this one
  return status;
}

}  // namespace ethrec
