#include "service/json_log.h"

#include <cstdio>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace ethrec::service {

std::string JsonLogLine(absl::string_view level, absl::string_view event, std::initializer_list<LogField> fields) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  const auto str = [&w](absl::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
  w.StartObject();
  w.Key("time");
  str(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()));
  w.Key("level");
  str(level);
  w.Key("event");
  str(event);
  for (const LogField& f : fields) {
    w.Key(f.name.data(), static_cast<rapidjson::SizeType>(f.name.size()));
    if (f.number) {
      w.RawValue(f.value.data(), f.value.size(), rapidjson::kNumberType);
    } else {
      str(f.value);
    }
  }
  w.EndObject();
  return buffer.GetString();
}

void LogJson(absl::string_view level, absl::string_view event, std::initializer_list<LogField> fields) {
  static absl::Mutex mu(absl::kConstInit);
  const std::string line = JsonLogLine(level, event, fields) + "\n";
  absl::MutexLock lock(&mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace ethrec::service
