// ethrecd's log: one JSON object a line on stderr, e.g.
//   {"time":"2026-11-30T17:00:00.123Z","level":"info","event":"listening","address":"127.0.0.1:50051"}
// Callers pass only what is safe to log: addresses, counts, method names,
// status codes and messages that name fields, never identifiers or
// ethnicity values (codes, text, categories). Thread-safe: lines never mix.
#ifndef ETHREC_SERVICE_JSON_LOG_H_
#define ETHREC_SERVICE_JSON_LOG_H_

#include <initializer_list>
#include <streambuf>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace ethrec::service {

// One field of a log line; numbers (and true/false) are given as strings
// and written as bare JSON values when `number` is true.
struct LogField {
  absl::string_view name;
  std::string value;
  bool number = false;
};

// The line for `level` ("info", "warning", "error") and `event`, with `fields`.
std::string JsonLogLine(absl::string_view level, absl::string_view event, std::initializer_list<LogField> fields);

// Writes JsonLogLine(...) and a newline to stderr.
void LogJson(absl::string_view level, absl::string_view event, std::initializer_list<LogField> fields = {});

// Text written to a stream with this buffer becomes log lines: each line
// (up to its newline) is logged as `event` at `level`, the text as field
// `field` (a leading "ERROR: " is dropped). For libraries that print to
// std::cerr, e.g. absl's flag parser:
//   JsonLogStreambuf refusals("error", "refused to start", "why");
//   std::streambuf* previous = std::cerr.rdbuf(&refusals);
class JsonLogStreambuf final : public std::streambuf {
 public:
  JsonLogStreambuf(std::string level, std::string event, std::string field = "message")
      : level_(std::move(level)), event_(std::move(event)), field_(std::move(field)) {}
  ~JsonLogStreambuf() override;  // logs an unfinished last line

 protected:
  int_type overflow(int_type c) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;

 private:
  void Flush();

  std::string level_;
  std::string event_;
  std::string field_;
  std::string line_;
};

// Sends the logs of the libraries ethrecd links into LogJson, as lines
// with event "grpc" or "protobuf", their level, `message` and `source`
// (file:line): gRPC's (gpr_log: TLS handshakes refused, ports that cannot
// be bound, certificate files that fail to reload) and protobuf's. Call
// first thing in main(), before any gRPC or protobuf call; not thread-safe.
void SendLibraryLogsToJson();

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_JSON_LOG_H_
