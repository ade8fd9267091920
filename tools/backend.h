// Where the ethrec CLI gets its answers: the mapping library in-process, or
// an ethrecd server over gRPC. Both give the same values, so every command
// prints the same output either way.
#ifndef ETHREC_TOOLS_BACKEND_H_
#define ETHREC_TOOLS_BACKEND_H_

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mapping/normalizer.h"

namespace ethrec::tools {

// Official full labels of the 19 categories, by taxonomy order.
using CategoryLabels = std::array<std::string, kNumCategories>;

struct SystemInfo {
  std::string id;
  std::string version;
  std::string title;
  RecordingBasis basis = RecordingBasis::kSelfDefined;
  int codes = 0;
  std::string map_id;
  std::string map_version;
  bool built_in = true;
};

struct SystemsListing {
  std::string taxonomy_id;
  std::string taxonomy_version;
  std::string lexicon_version;
  std::vector<SystemInfo> systems;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const CategoryLabels& labels() const = 0;
  // As Normalizer::Normalize.
  virtual absl::StatusOr<Normalized> Normalize(const NormalizeRequest& request) = 0;
  // One result per request, in order; a failed item never stops the others.
  virtual std::vector<absl::StatusOr<Normalized>> NormalizeMany(
      const std::vector<NormalizeRequest>& requests) = 0;
  // As Normalizer::Translate and Normalizer::SuggestCode.
  virtual absl::StatusOr<CodeSuggestion> Translate(absl::string_view from, absl::string_view code,
                                                   absl::string_view to) = 0;
  virtual absl::StatusOr<CodeSuggestion> SuggestCode(const TaxonomyValue& value,
                                                     absl::string_view system) = 0;
  virtual absl::StatusOr<SystemsListing> ListSystems() = 0;
};

// The mapping library in this process.
std::unique_ptr<Backend> NewLocalBackend(std::unique_ptr<Normalizer> normalizer);

// Who the CLI is to a server. With mutual TLS (all three files named) the
// client certificate says it and agency and role are not sent; without, the
// agency and role go as call metadata (development on loopback).
struct RemoteIdentity {
  std::string agency = "ethrec-cli";
  std::string role = "record-system";
  std::string tls_ca;    // --tls_ca: PEM CA the server's certificate must chain to
  std::string tls_cert;  // --tls_cert: the client's PEM certificate
  std::string tls_key;   // --tls_key: its PEM private key
  bool tls() const { return !tls_ca.empty() || !tls_cert.empty() || !tls_key.empty(); }
};

// An ethrecd server at `address` (host:port). Fails with Unavailable when it
// does not answer within 5 seconds.
absl::StatusOr<std::unique_ptr<Backend>> NewRemoteBackend(const std::string& address,
                                                         const RemoteIdentity& identity);

}  // namespace ethrec::tools

#endif  // ETHREC_TOOLS_BACKEND_H_
