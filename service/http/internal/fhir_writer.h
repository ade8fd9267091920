// Internal to service/http: writing FHIR JSON with RapidJSON, and the
// CapabilityStatement of /fhir/metadata.
#ifndef ETHREC_SERVICE_HTTP_INTERNAL_FHIR_WRITER_H_
#define ETHREC_SERVICE_HTTP_INTERNAL_FHIR_WRITER_H_

#include <string>

#include "absl/strings/string_view.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace ethrec::service::http_internal {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

inline void Str(Writer& w, absl::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
inline void Key(Writer& w, absl::string_view s) { w.Key(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

// The CapabilityStatement: CodeSystem and ConceptMap, read and search-type,
// their search parameters, and the operations $lookup, $validate-code and
// $translate; software ethrecd `software_version`.
std::string CapabilityStatementJson(absl::string_view software_version);

}  // namespace ethrec::service::http_internal

#endif  // ETHREC_SERVICE_HTTP_INTERNAL_FHIR_WRITER_H_
