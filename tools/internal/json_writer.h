// RapidJSON writing helpers shared by the CLI's JSON renderings. Internal
// to tools/.
#ifndef ETHREC_TOOLS_INTERNAL_JSON_WRITER_H_
#define ETHREC_TOOLS_INTERNAL_JSON_WRITER_H_

#include <cstdint>

#include "absl/strings/string_view.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace ethrec::tools::json_internal {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

inline void Key(Writer& w, absl::string_view k) { w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }
inline void Str(Writer& w, absl::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
inline void KeyStr(Writer& w, absl::string_view k, absl::string_view v) {
  Key(w, k);
  Str(w, v);
}
inline void KeyInt(Writer& w, absl::string_view k, int64_t v) {
  Key(w, k);
  w.Int64(v);
}

}  // namespace ethrec::tools::json_internal

#endif  // ETHREC_TOOLS_INTERNAL_JSON_WRITER_H_
