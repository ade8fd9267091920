#include "service/json_log.h"

#include <cstdio>

#include <google/protobuf/stubs/logging.h>
#include <grpc/support/log.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
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

JsonLogStreambuf::~JsonLogStreambuf() {
  if (!line_.empty()) Flush();
}

JsonLogStreambuf::int_type JsonLogStreambuf::overflow(int_type c) {
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  const char ch = traits_type::to_char_type(c);
  xsputn(&ch, 1);
  return c;
}

std::streamsize JsonLogStreambuf::xsputn(const char* s, std::streamsize n) {
  for (std::streamsize i = 0; i < n; ++i) {
    if (s[i] == '\n') {
      Flush();
    } else {
      line_.push_back(s[i]);
    }
  }
  return n;
}

void JsonLogStreambuf::Flush() {
  absl::string_view text = line_;
  absl::ConsumePrefix(&text, "ERROR: ");
  if (!text.empty()) LogJson(level_, event_, {{field_, std::string(text)}});
  line_.clear();
}

namespace {

void LogGrpc(gpr_log_func_args* args) {
  const char* level = args->severity == GPR_LOG_SEVERITY_ERROR  ? "error"
                      : args->severity == GPR_LOG_SEVERITY_INFO ? "info"
                                                                : "debug";
  LogJson(level, "grpc",
          {{"message", args->message != nullptr ? args->message : ""},
           {"source", absl::StrCat(args->file != nullptr ? args->file : "?", ":", args->line)}});
}

void LogProtobuf(google::protobuf::LogLevel level, const char* filename, int line, const std::string& message) {
  const char* name = level == google::protobuf::LOGLEVEL_INFO      ? "info"
                     : level == google::protobuf::LOGLEVEL_WARNING ? "warning"
                                                                   : "error";
  LogJson(name, "protobuf",
          {{"message", message}, {"source", absl::StrCat(filename != nullptr ? filename : "?", ":", line)}});
}

}  // namespace

void SendLibraryLogsToJson() {
  gpr_set_log_function(&LogGrpc);
  google::protobuf::SetLogHandler(&LogProtobuf);
}

}  // namespace ethrec::service
