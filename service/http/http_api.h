// The HTTP API of ethrecd (--http_listen), without sockets: every request
// is admitted by the same CallGate as gRPC (the caller from its client
// certificate with mutual TLS, else from the x-ethrec-agency and
// x-ethrec-role headers; the same access table, by the gRPC method the
// request calls), then served by the same *Api objects as the gRPC
// services, so the store audits it the same way (the caller's peer is
// "http:ipv4:...").
//
//   /v1/...     the ethrec API as JSON (protobuf's JSON mapping), at
//               google.api.http-style paths (JsonRoutes below); errors are
//               the google.rpc.Status gRPC sends, in JSON. Every unary RPC
//               has a route; the server-streaming ChangesService.WatchChanges
//               has none (a JSON answer is one message, and cpp-httplib
//               holds a worker thread per open response: use gRPC, or page
//               with GET /v1/changes)
//   /fhir/...   the FHIR R4 terminology API (fhir_terminology.h)
//   /metrics    Prometheus metrics (metrics.h), for any caller: counts and
//               times only
//
// Every call is counted in Metrics under transport "http". Thread-safe.
#ifndef ETHREC_SERVICE_HTTP_HTTP_API_H_
#define ETHREC_SERVICE_HTTP_HTTP_API_H_

#include <string>
#include <vector>

#include "service/access_policy.h"
#include "service/audit_service.h"
#include "service/changes_service.h"
#include "service/findings_service.h"
#include "service/http/fhir_terminology.h"
#include "service/http/http_message.h"
#include "service/metrics.h"
#include "service/records_service.h"
#include "service/taxonomy_service.h"

namespace ethrec::service {

// One route of the JSON API.
struct JsonRoute {
  const char* verb;     // "GET" or "POST"
  const char* pattern;  // "/v1/findings/{finding_id}:review"
  const char* method;   // the gRPC method it calls, "/ethrec.v1.FindingsService/ReviewFinding"
};

// Every JSON route, for the README and the tests.
const std::vector<JsonRoute>& JsonRoutes();

// The RPCs of proto/ethrec/v1 without a JSON route, all streaming:
// "/ethrec.v1.ChangesService/WatchChanges".
const std::vector<std::string>& StreamingRpcsWithoutRoute();

class HttpApi {
 public:
  // None owned; all required, and must outlive the HttpApi.
  struct Options {
    const CallGate* gate = nullptr;
    const TaxonomyApi* taxonomy = nullptr;
    RecordsApi* records = nullptr;
    FindingsApi* findings = nullptr;
    AuditApi* audit = nullptr;
    ChangesApi* changes = nullptr;  // ListChanges only
    const FhirTerminology* fhir = nullptr;
    Metrics* metrics = nullptr;
  };

  explicit HttpApi(const Options& options) : options_(options) {}

  HttpResponse Serve(const HttpRequest& request);

 private:
  // A /v1 request: the response or the error for google.rpc.Status.
  absl::StatusOr<std::string> ServeJson(const HttpRequest& request, std::string* metric_name);

  Options options_;
};

// Parses `json` into `message` with protobuf's JSON mapping. On failure,
// InvalidArgument naming the field protobuf refused (never its value), as
// the request spells it.
absl::Status ParseJsonMessage(absl::string_view json, google::protobuf::Message* message);

// The JSON of a GET request's query for `descriptor`'s message: each
// parameter names a field (proto or JSON name; a dotted path for a nested
// one), a repeated field may be given several times, bools are true/false.
// InvalidArgument naming the parameter for one that names no field.
absl::StatusOr<std::string> QueryToJson(const std::vector<std::pair<std::string, std::string>>& query,
                                        const google::protobuf::Descriptor& descriptor);

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_HTTP_HTTP_API_H_
