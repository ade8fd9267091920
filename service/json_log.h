// ethrecd's log: one JSON object a line on stderr, e.g.
//   {"time":"2026-11-30T17:00:00.123Z","level":"info","event":"listening","address":"127.0.0.1:50051"}
// Callers pass only what is safe to log: addresses, counts, method names,
// status codes and messages that name fields, never identifiers or
// ethnicity values (codes, text, categories). Thread-safe: lines never mix.
#ifndef ETHREC_SERVICE_JSON_LOG_H_
#define ETHREC_SERVICE_JSON_LOG_H_

#include <initializer_list>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace ethrec::service {

// One field of a log line; numbers are given as strings and written as JSON
// numbers when `number` is true.
struct LogField {
  absl::string_view name;
  std::string value;
  bool number = false;
};

// The line for `level` ("info", "warning", "error") and `event`, with `fields`.
std::string JsonLogLine(absl::string_view level, absl::string_view event, std::initializer_list<LogField> fields);

// Writes JsonLogLine(...) and a newline to stderr.
void LogJson(absl::string_view level, absl::string_view event, std::initializer_list<LogField> fields = {});

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_JSON_LOG_H_
