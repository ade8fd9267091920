// The FHIR R4 terminology API under /fhir: a CapabilityStatement, read and
// search of the loaded CodeSystem and ConceptMap resources, and the
// operations ConceptMap/$translate, CodeSystem/$lookup and
// CodeSystem/$validate-code. Answers are application/fhir+json; every error
// is an OperationOutcome with the HTTP status that fits it.
//
// The operations call the same code as the gRPC TaxonomyService:
// $translate to another agency's code system is TaxonomyApi::Translate,
// reverse $translate from a taxonomy category lists SuggestCode's code
// first, $lookup and $validate-code are the Registry's lookup that
// Normalize uses. $translate into the taxonomy answers from the loaded
// ConceptMap element itself, every target with its own equivalence (the
// registry keeps only the least exact of several).
//
// Not thread-hostile: immutable after Create, so any number of threads may
// call Serve. Who may call is decided before (http_api.h).
#ifndef ETHREC_SERVICE_HTTP_FHIR_TERMINOLOGY_H_
#define ETHREC_SERVICE_HTTP_FHIR_TERMINOLOGY_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mapping/normalizer.h"
#include "rapidjson/document.h"
#include "service/http/http_message.h"
#include "service/taxonomy_service.h"

namespace ethrec::service {

inline constexpr char kFhirJson[] = "application/fhir+json";

class FhirTerminology {
 public:
  struct Options {
    const Normalizer* normalizer = nullptr;  // not owned; required
    const TaxonomyApi* taxonomy = nullptr;   // not owned; required
    // The directories of local code lists the normalizer loaded (--maps):
    // their resources are served beside the built-in ones.
    std::vector<std::string> local_dirs;
    std::string software_version;  // for the CapabilityStatement
  };

  // Reads the resources (built-in, then local_dirs). Errors: a directory
  // cannot be read, or a file is not JSON (the normalizer loaded the same
  // files, so neither happens after it loaded them).
  static absl::StatusOr<std::unique_ptr<FhirTerminology>> Create(const Options& options);

  // Serves `request`, whose path starts "/fhir/". Never fails: errors are
  // OperationOutcomes.
  HttpResponse Serve(const HttpRequest& request) const;
  // The same, with an error as its status (for OperationOutcome): NotFound
  // for an unknown resource, operation or code ($lookup), InvalidArgument
  // naming the parameter for a bad or missing one, one the operation does
  // not take, one given twice, or two that disagree (code and coding,
  // target and targetsystem, url and the instance in the path),
  // Unimplemented for a method other than GET (and POST for operations). A
  // code that does not translate, or does not validate, is an answer
  // (result false), not an error; so is a $translate whose source or
  // target no loaded map fits.
  absl::StatusOr<HttpResponse> Handle(const HttpRequest& request) const;

  // The full gRPC method whose access rule admits `request` (access_policy):
  // metadata, read and search are ListCodeSystems; $lookup and
  // $validate-code are Normalize; $translate is Translate, and reverse
  // $translate SuggestCode. "" for a path it does not serve.
  static std::string GateMethod(const HttpRequest& request);

  // The name /metrics counts `request` under: "/fhir/ConceptMap/$translate",
  // "/fhir/CodeSystem/{id}", ... (never a code); "/fhir/unrouted" for a
  // path of no resource type or operation served, so that no label holds
  // the caller's text.
  static std::string MetricName(const HttpRequest& request);

 private:
  struct Resource {
    std::string type;  // "CodeSystem", "ConceptMap"
    std::string id;
    std::string url;
    std::string text;  // the resource's JSON, as loaded
    rapidjson::Document json;
  };
  // The operation's inputs, from a GET query or a POST Parameters body.
  using Params = std::multimap<std::string, std::string>;

  explicit FhirTerminology(const Options& options) : options_(options) {}

  HttpResponse Metadata() const;
  absl::StatusOr<HttpResponse> Read(absl::string_view type, absl::string_view id) const;
  absl::StatusOr<HttpResponse> Search(absl::string_view type, const Params& params) const;
  absl::StatusOr<HttpResponse> Translate(const Params& params) const;
  absl::StatusOr<HttpResponse> Lookup(const Params& params) const;
  absl::StatusOr<HttpResponse> ValidateCode(const Params& params) const;

  // The ConceptMap whose element maps `system`'s codes, or nullptr.
  const Resource* MapOf(const CodeSystem& system) const;
  const Resource* FindByUrl(absl::string_view type, absl::string_view url) const;

  Options options_;
  std::vector<std::unique_ptr<Resource>> resources_;
};

// The OperationOutcome for a non-OK `status`, with the HTTP status for its code.
HttpResponse OperationOutcome(const absl::Status& status);

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_HTTP_FHIR_TERMINOLOGY_H_
