// HTML escaping for the report pages (tools/report*.cc).
#ifndef ETHREC_TOOLS_INTERNAL_HTML_H_
#define ETHREC_TOOLS_INTERNAL_HTML_H_

#include <string>

#include "absl/strings/string_view.h"

namespace ethrec::tools::html_internal {

// Appends `s` HTML-escaped (for text and for quoted attribute values).
inline void EscTo(std::string* out, absl::string_view s) {
  size_t plain = 0;  // start of the run of characters that need no escape
  for (size_t i = 0; i < s.size(); ++i) {
    absl::string_view entity;
    switch (s[i]) {
      case '&': entity = "&amp;"; break;
      case '<': entity = "&lt;"; break;
      case '>': entity = "&gt;"; break;
      case '"': entity = "&quot;"; break;
      case '\'': entity = "&#39;"; break;
      default: continue;
    }
    out->append(s.data() + plain, i - plain);
    out->append(entity.data(), entity.size());
    plain = i + 1;
  }
  out->append(s.data() + plain, s.size() - plain);
}

inline std::string Esc(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  EscTo(&out, s);
  return out;
}

}  // namespace ethrec::tools::html_internal

#endif  // ETHREC_TOOLS_INTERNAL_HTML_H_
