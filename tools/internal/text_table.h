// Plain-text tables for the CLI's output: cells made safe for a terminal
// and rows aligned in columns. Internal to tools/.
#ifndef ETHREC_TOOLS_INTERNAL_TEXT_TABLE_H_
#define ETHREC_TOOLS_INTERNAL_TEXT_TABLE_H_

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace ethrec::tools::text_internal {

inline bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Characters (UTF-8 code points) in `s`; a terminal shows most as one column.
inline size_t Width(absl::string_view s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return !IsContinuationByte(c); }));
}

// `s` with C0 and C1 control characters and DEL as spaces.
inline std::string WithoutControls(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) {
      out.push_back(' ');
    } else if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(s[i + 1]) <= 0x9F) {
      out.push_back(' ');  // U+0080..U+009F, e.g. the one-byte CSI
      ++i;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Rows as aligned columns, two spaces apart, no trailing spaces.
inline std::string AlignedTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], Width(row[i]));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      absl::StrAppend(&line, row[i]);
      if (i + 1 < row.size()) line.append(widths[i] - Width(row[i]) + 2, ' ');
    }
    line.erase(line.find_last_not_of(' ') + 1);
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

}  // namespace ethrec::tools::text_internal

#endif  // ETHREC_TOOLS_INTERNAL_TEXT_TABLE_H_
