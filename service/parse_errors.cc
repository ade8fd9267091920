#include "service/parse_errors.h"

#include <mutex>
#include <string>
#include <utility>

#include <google/protobuf/stubs/logging.h>
#include <grpcpp/support/interceptor.h>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "mapping/status_field.h"
#include "service/grpc_status.h"

namespace ethrec::service {
namespace {

// The field of the last string protobuf refused to parse on this thread,
// e.g. "ethrec.v1.NormalizeRequest.text"; "" when none since it was taken.
thread_local std::string last_invalid_utf8_field;

google::protobuf::LogHandler* previous_handler = nullptr;

void NoteInvalidUtf8(google::protobuf::LogLevel level, const char* filename, int line, const std::string& message) {
  // "String field 'ethrec.v1.NormalizeRequest.text' contains invalid UTF-8
  // data when parsing a protocol buffer. ..."
  constexpr absl::string_view kPrefix = "String field '";
  const absl::string_view m = message;
  if (absl::StartsWith(m, kPrefix) && absl::StrContains(m, "invalid UTF-8 data when parsing")) {
    const absl::string_view rest = m.substr(kPrefix.size());
    last_invalid_utf8_field = std::string(rest.substr(0, rest.find('\'')));
  }
  if (previous_handler != nullptr) previous_handler(level, filename, line, message);
}

class ParseErrorInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit ParseErrorInterceptor(grpc::experimental::ServerRpcInfo* info) : method_(info->method()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status sent = methods->GetSendStatus();
      if (sent.error_code() == grpc::StatusCode::INTERNAL && sent.error_message().empty() &&
          sent.error_details().empty()) {
        methods->ModifySendStatus(Rewrite());
      }
      last_invalid_utf8_field.clear();
    }
    methods->Proceed();
  }

 private:
  grpc::Status Rewrite() const { return ToGrpcStatus(UnparsableRequestError(method_)); }

  std::string method_;
};

class ParseErrorInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    return new ParseErrorInterceptor(info);
  }
};

}  // namespace

std::string TakeInvalidUtf8Field() { return std::exchange(last_invalid_utf8_field, std::string()); }

absl::Status UnparsableRequestError(absl::string_view method) {
  const std::string qualified = TakeInvalidUtf8Field();
  if (qualified.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the request to ", method, " could not be read: a text field is not valid UTF-8, or the message is malformed"));
  }
  // "ethrec.v1.ObservationInput.text": the field is the last part; the
  // message type says where it sits.
  const size_t dot = qualified.rfind('.');
  return WithField(absl::InvalidArgumentError(absl::StrCat("the request to ", method, " could not be read: field ",
                                                           qualified, " is not valid UTF-8 (text must be UTF-8)")),
                   dot == std::string::npos ? qualified : qualified.substr(dot + 1));
}

void InstallParseErrorLogHandler() {
  static std::once_flag once;
  std::call_once(once, [] { previous_handler = google::protobuf::SetLogHandler(&NoteInvalidUtf8); });
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewParseErrorInterceptorFactory() {
  return std::make_unique<ParseErrorInterceptorFactory>();
}

}  // namespace ethrec::service
