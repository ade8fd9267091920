#include "service/http/http_api.h"

#include <functional>
#include <map>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "mapping/status_field.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "service/diagnostics_service.h"
#include "service/grpc_status.h"
#include "service/http/http_status.h"

namespace ethrec::service {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

constexpr char kJson[] = "application/json";

// One route's call: the admitted caller, the request's JSON and the path's
// {finding_id} (or "") in, the response's JSON out.
using RouteCall = std::function<absl::StatusOr<std::string>(const HttpApi::Options&, const Caller&,
                                                            const HttpRequest&, absl::string_view path_id)>;

std::string ToJson(const google::protobuf::Message& message) {
  std::string json;
  // Cannot fail for a message of a generated type.
  (void)google::protobuf::util::MessageToJsonString(message, &json);
  return json;
}

// The request message of a route: a POST's body, or a GET's query, plus
// the path's finding_id.
template <typename Request>
absl::StatusOr<Request> RequestOf(const HttpRequest& http, absl::string_view path_id) {
  Request request;
  if (http.method == "POST") {
    if (!http.body.empty()) {
      if (absl::Status s = ParseJsonMessage(http.body, &request); !s.ok()) return s;
    }
  } else {
    absl::StatusOr<std::string> json = QueryToJson(http.query, *Request::descriptor());
    if (!json.ok()) return json.status();
    if (absl::Status s = ParseJsonMessage(*json, &request); !s.ok()) return s;
  }
  if (!path_id.empty()) {
    Request from_path;
    if (absl::Status s = ParseJsonMessage(absl::StrCat("{\"finding_id\":\"", path_id, "\"}"), &from_path); !s.ok()) {
      return s;
    }
    request.MergeFrom(from_path);
  }
  return request;
}

// A route whose call is `call(options, caller, request)`.
template <typename Request, typename Call>
RouteCall Route(Call call) {
  return [call](const HttpApi::Options& options, const Caller& caller, const HttpRequest& http,
                absl::string_view path_id) -> absl::StatusOr<std::string> {
    absl::StatusOr<Request> request = RequestOf<Request>(http, path_id);
    if (!request.ok()) return request.status();
    auto response = call(options, caller, *request);
    if (!response.ok()) return response.status();
    return ToJson(*response);
  };
}

struct RouteEntry {
  JsonRoute route;
  RouteCall call;
};

const std::vector<RouteEntry>& Routes() {
  using O = HttpApi::Options;
  using C = Caller;
  static const auto* const routes = new std::vector<RouteEntry>{
      {{"GET", "/v1/codeSystems", "/ethrec.v1.TaxonomyService/ListCodeSystems"},
       Route<v1::ListCodeSystemsRequest>([](const O& o, const C&, const auto& r) { return o.taxonomy->ListCodeSystems(r); })},
      {{"GET", "/v1/taxonomy", "/ethrec.v1.TaxonomyService/GetTaxonomy"},
       Route<v1::GetTaxonomyRequest>([](const O& o, const C&, const auto& r) { return o.taxonomy->GetTaxonomy(r); })},
      {{"POST", "/v1/normalize", "/ethrec.v1.TaxonomyService/Normalize"},
       Route<v1::NormalizeRequest>([](const O& o, const C&, const auto& r) { return o.taxonomy->Normalize(r); })},
      {{"POST", "/v1/normalize:batch", "/ethrec.v1.TaxonomyService/NormalizeBatch"},
       Route<v1::NormalizeBatchRequest>([](const O& o, const C&, const auto& r) -> absl::StatusOr<v1::NormalizeBatchResponse> {
         absl::StatusOr<std::string> bytes = o.taxonomy->NormalizeBatch(r);
         if (!bytes.ok()) return bytes.status();
         v1::NormalizeBatchResponse response;
         if (!response.ParseFromString(*bytes)) return absl::InternalError("NormalizeBatch's answer does not parse");
         return response;
       })},
      {{"GET", "/v1/translate", "/ethrec.v1.TaxonomyService/Translate"},
       Route<v1::TranslateRequest>([](const O& o, const C&, const auto& r) { return o.taxonomy->Translate(r); })},
      {{"POST", "/v1/translate", "/ethrec.v1.TaxonomyService/Translate"},
       Route<v1::TranslateRequest>([](const O& o, const C&, const auto& r) { return o.taxonomy->Translate(r); })},
      {{"GET", "/v1/suggestCode", "/ethrec.v1.TaxonomyService/SuggestCode"},
       Route<v1::SuggestCodeRequest>([](const O& o, const C&, const auto& r) { return o.taxonomy->SuggestCode(r); })},
      {{"POST", "/v1/suggestCode", "/ethrec.v1.TaxonomyService/SuggestCode"},
       Route<v1::SuggestCodeRequest>([](const O& o, const C&, const auto& r) { return o.taxonomy->SuggestCode(r); })},
      {{"POST", "/v1/echo", "/ethrec.v1.DiagnosticsService/Echo"},
       Route<v1::EchoRequest>([](const O&, const C&, const auto& r) -> absl::StatusOr<v1::EchoResponse> { return EchoReply(r); })},
      {{"POST", "/v1/observations", "/ethrec.v1.RecordsService/RecordObservation"},
       Route<v1::RecordObservationRequest>([](const O& o, const C& c, const auto& r) { return o.records->RecordObservation(c, r); })},
      {{"POST", "/v1/observations:batch", "/ethrec.v1.RecordsService/RecordObservations"},
       Route<v1::RecordObservationsRequest>([](const O& o, const C& c, const auto& r) { return o.records->RecordObservations(c, r); })},
      // Children are named in the body, never in a URL (URLs end up in logs).
      {{"POST", "/v1/children:get", "/ethrec.v1.RecordsService/GetChild"},
       Route<v1::GetChildRequest>([](const O& o, const C& c, const auto& r) { return o.records->GetChild(c, r); })},
      {{"POST", "/v1/children:reconcile", "/ethrec.v1.FindingsService/GetChildReconciliation"},
       Route<v1::GetChildReconciliationRequest>([](const O& o, const C& c, const auto& r) { return o.findings->GetChildReconciliation(c, r); })},
      {{"GET", "/v1/childReconciliations", "/ethrec.v1.FindingsService/ListChildReconciliations"},
       Route<v1::ListChildReconciliationsRequest>([](const O& o, const C& c, const auto& r) { return o.findings->ListChildReconciliations(c, r); })},
      {{"GET", "/v1/findings", "/ethrec.v1.FindingsService/ListFindings"},
       Route<v1::ListFindingsRequest>([](const O& o, const C& c, const auto& r) { return o.findings->ListFindings(c, r); })},
      {{"GET", "/v1/findings:summarize", "/ethrec.v1.FindingsService/SummarizeFindings"},
       Route<v1::SummarizeFindingsRequest>([](const O& o, const C& c, const auto& r) { return o.findings->SummarizeFindings(c, r); })},
      {{"GET", "/v1/findings/{finding_id}", "/ethrec.v1.FindingsService/GetFinding"},
       Route<v1::GetFindingRequest>([](const O& o, const C& c, const auto& r) { return o.findings->GetFinding(c, r); })},
      {{"POST", "/v1/findings/{finding_id}:review", "/ethrec.v1.FindingsService/ReviewFinding"},
       Route<v1::ReviewFindingRequest>([](const O& o, const C& c, const auto& r) { return o.findings->ReviewFinding(c, r); })},
      {{"GET", "/v1/auditEvents", "/ethrec.v1.AuditService/ListAuditEvents"},
       Route<v1::ListAuditEventsRequest>([](const O& o, const C& c, const auto& r) { return o.audit->ListAuditEvents(c, r); })},
      // WatchChanges streams, so it has no route (StreamingRpcsWithoutRoute).
      {{"GET", "/v1/changes", "/ethrec.v1.ChangesService/ListChanges"},
       Route<v1::ListChangesRequest>([](const O& o, const C& c, const auto& r) { return o.changes->ListChanges(c, r); })},
  };
  return *routes;
}

// Whether `path` matches `pattern`; a "{finding_id}" segment (maybe with a
// ":verb" after it) matches any non-empty segment, whose id goes to *id.
bool Matches(absl::string_view pattern, absl::string_view path, std::string* id) {
  const std::vector<absl::string_view> want = absl::StrSplit(pattern, '/');
  const std::vector<absl::string_view> have = absl::StrSplit(path, '/');
  if (want.size() != have.size()) return false;
  for (size_t i = 0; i < want.size(); ++i) {
    if (absl::StartsWith(want[i], "{")) {
      const absl::string_view verb = want[i].substr(want[i].find('}') + 1);  // "" or ":review"
      if (!absl::EndsWith(have[i], verb) || have[i].size() == verb.size()) return false;
      const absl::string_view value = have[i].substr(0, have[i].size() - verb.size());
      if (absl::StrContains(value, ':')) return false;
      *id = std::string(value);
    } else if (want[i] != have[i]) {
      return false;
    }
  }
  return true;
}

HttpResponse RpcStatusResponse(const absl::Status& status) {
  return HttpResponse{.status = HttpStatusOf(status.code()), .content_type = kJson, .body = ToJson(ToRpcStatus(status))};
}

}  // namespace

const std::vector<JsonRoute>& JsonRoutes() {
  static const auto* const routes = [] {
    auto* out = new std::vector<JsonRoute>;
    for (const RouteEntry& e : Routes()) out->push_back(e.route);
    return out;
  }();
  return *routes;
}

const std::vector<std::string>& StreamingRpcsWithoutRoute() {
  // A JSON answer is one message; a watch over HTTP would also hold one of
  // cpp-httplib's worker threads for as long as it is open.
  static const auto* const rpcs = new std::vector<std::string>{"/ethrec.v1.ChangesService/WatchChanges"};
  return *rpcs;
}

absl::Status ParseJsonMessage(absl::string_view json, google::protobuf::Message* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(google::protobuf::StringPiece(json.data(), json.size()), message, options);
  if (status.ok()) return absl::OkStatus();
  // Protobuf's message may quote the value (an identifier, perhaps): keep
  // only the field it names, "(child.nhs_number)" or "Cannot find field.: x".
  const std::string text(status.message());
  std::string field;
  if (const size_t open = text.find('('), close = text.find(')'); open != std::string::npos && close > open) {
    field = text.substr(open + 1, close - open - 1);
  } else if (const size_t at = text.find(": Cannot find field."); at != std::string::npos) {
    const size_t start = text.rfind(':', at - 1);
    field = text.substr(start == std::string::npos ? 0 : start + 1, at - (start == std::string::npos ? 0 : start + 1));
    return WithField(absl::InvalidArgumentError(absl::StrCat(message->GetDescriptor()->full_name(),
                                                             " has no field \"", field, "\"")),
                     field);
  } else if (const size_t at = text.find("on a scalar field for type "); at != std::string::npos) {
    field = text.substr(at + 27);  // an object or array given for a scalar field
  }
  if (field.empty()) {
    return WithField(absl::InvalidArgumentError(absl::StrCat("the body is not valid JSON for ",
                                                             message->GetDescriptor()->full_name())),
                     "body");
  }
  return WithField(absl::InvalidArgumentError(absl::StrCat("field ", field, " of ",
                                                           message->GetDescriptor()->full_name(),
                                                           " has a value of the wrong type or form")),
                   field);
}

absl::StatusOr<std::string> QueryToJson(const std::vector<std::pair<std::string, std::string>>& query,
                                        const Descriptor& descriptor) {
  // Nested fields as a tree: each node is a field's values, or its children.
  struct Node {
    const FieldDescriptor* field = nullptr;
    std::vector<std::string> values;
    std::map<std::string, Node> children;
  };
  Node root;
  for (const auto& [name, value] : query) {
    Node* node = &root;
    const Descriptor* d = &descriptor;
    for (absl::string_view part : absl::StrSplit(name, '.')) {
      const FieldDescriptor* f = d == nullptr ? nullptr : d->FindFieldByName(std::string(part));
      if (f == nullptr && d != nullptr) f = d->FindFieldByCamelcaseName(std::string(part));
      if (f == nullptr) {
        return WithField(absl::InvalidArgumentError(absl::StrCat("query parameter ", name, " names no field of ",
                                                                 descriptor.full_name())),
                         name);
      }
      node = &node->children[f->name()];
      node->field = f;
      d = f->message_type() != nullptr && f->message_type()->well_known_type() == Descriptor::WELLKNOWNTYPE_UNSPECIFIED
              ? f->message_type()
              : nullptr;
    }
    if (!node->children.empty() || (!node->values.empty() && !node->field->is_repeated())) {
      return WithField(absl::InvalidArgumentError(absl::StrCat("query parameter ", name, " is given twice")), name);
    }
    node->values.push_back(value);
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  absl::Status error;
  std::function<void(const Node&)> write = [&](const Node& node) {
    w.StartObject();
    for (const auto& [name, child] : node.children) {
      w.Key(name.c_str());
      if (!child.children.empty()) {
        write(child);
        continue;
      }
      if (child.field->is_repeated()) w.StartArray();
      for (const std::string& v : child.values) {
        if (child.field->type() == FieldDescriptor::TYPE_BOOL) {
          if (v != "true" && v != "false") {
            error = WithField(absl::InvalidArgumentError(absl::StrCat("query parameter ", child.field->name(),
                                                                      " must be true or false")),
                              child.field->name());
          }
          w.Bool(v == "true");
        } else {
          w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
        }
      }
      if (child.field->is_repeated()) w.EndArray();
    }
    w.EndObject();
  };
  write(root);
  if (!error.ok()) return error;
  return std::string(buffer.GetString());
}

absl::StatusOr<std::string> HttpApi::ServeJson(const HttpRequest& request, std::string* metric_name) {
  const RouteEntry* entry = nullptr;
  std::string id;
  bool path_known = false;
  for (const RouteEntry& e : Routes()) {
    std::string candidate_id;
    if (!Matches(e.route.pattern, request.path, &candidate_id)) continue;
    path_known = true;
    if (request.method == e.route.verb) {
      entry = &e;
      id = std::move(candidate_id);
      break;
    }
  }
  if (entry == nullptr) {
    if (path_known) return absl::UnimplementedError(absl::StrCat(request.method, " is not served at ", request.path));
    return absl::NotFoundError(absl::StrCat("no API call at ", request.path));
  }
  *metric_name = entry->route.method;
  if (request.method == "POST" && !request.body.empty() && !absl::StartsWith(request.content_type, kJson)) {
    return WithField(absl::InvalidArgumentError("the body must be JSON (Content-Type: application/json)"), "body");
  }
  absl::StatusOr<Caller> caller = options_.gate->AdmitHttp(request.peer, entry->route.method);
  if (!caller.ok()) return caller.status();
  return entry->call(options_, *caller, request, id);
}

HttpResponse HttpApi::Serve(const HttpRequest& request) {
  const absl::Time start = absl::Now();
  if (request.path == "/metrics") {
    if (request.method != "GET") return RpcStatusResponse(absl::UnimplementedError("GET /metrics only"));
    return HttpResponse{.status = 200,
                        .content_type = "text/plain; version=0.0.4; charset=utf-8",
                        .body = options_.metrics->Render()};
  }
  std::string metric_name = "unrouted";
  absl::Status status;
  HttpResponse response;
  if (absl::StartsWith(request.path, "/fhir/") || request.path == "/fhir") {
    const std::string method = FhirTerminology::GateMethod(request);
    metric_name = FhirTerminology::MetricName(request);
    absl::StatusOr<HttpResponse> answer = absl::NotFoundError(absl::StrCat("no FHIR resource at ", request.path));
    if (!method.empty()) {
      absl::StatusOr<Caller> caller = options_.gate->AdmitHttp(request.peer, method);
      answer = caller.ok() ? options_.fhir->Handle(request) : absl::StatusOr<HttpResponse>(caller.status());
    }
    status = answer.status();
    response = answer.ok() ? *std::move(answer) : OperationOutcome(answer.status());
  } else {
    absl::StatusOr<std::string> answer = ServeJson(request, &metric_name);
    status = answer.status();
    response = answer.ok() ? HttpResponse{.status = 200, .content_type = kJson, .body = *std::move(answer)}
                           : RpcStatusResponse(answer.status());
  }
  options_.metrics->RecordCall("http", metric_name, status.code(), absl::Now() - start);
  return response;
}

}  // namespace ethrec::service
