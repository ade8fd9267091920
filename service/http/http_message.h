// One HTTP request and its answer, as the HTTP adapters (json_api.h,
// fhir_terminology.h, http_api.h) see them: no sockets, so that they are
// tested in-process; http_server.h converts to and from cpp-httplib's.
#ifndef ETHREC_SERVICE_HTTP_HTTP_MESSAGE_H_
#define ETHREC_SERVICE_HTTP_HTTP_MESSAGE_H_

#include <string>
#include <utility>
#include <vector>

#include "service/caller.h"

namespace ethrec::service {

struct HttpRequest {
  std::string method;  // "GET", "POST"
  std::string path;    // decoded, without the query: "/fhir/ConceptMap/$translate"
  // Decoded query parameters in order; a name may repeat.
  std::vector<std::pair<std::string, std::string>> query;
  std::string content_type;  // the Content-Type header, "" when absent
  std::string body;
  HttpPeer peer;  // who is calling (caller.h)
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_HTTP_HTTP_MESSAGE_H_
