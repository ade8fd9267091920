// Registry: every loaded code system with its map into the taxonomy, the
// taxonomy itself and the free-text lexicon. Immutable after loading, so one
// Registry may be shared by any number of threads.
//
// Data comes from FHIR R4 JSON resources: the built-in ones compiled into the
// binary (mapping/data/) and, optionally, directories of local code lists
// given at start-up. A local list is two files: a CodeSystem and a ConceptMap
// whose sourceUri is that CodeSystem's url and whose targetUri is the taxonomy
// (urn:ethrec:taxonomy:ons-2021-ew). Loading is all or nothing.
//
// Example:
//   LoadOptions options;
//   options.local_dirs = {"/etc/ethrec/maps"};
//   absl::StatusOr<std::unique_ptr<const Registry>> registry = Registry::Load(options);
//   if (!registry.ok()) { /* status lists every problem: file, JSON path, reason */ }
#ifndef ETHREC_MAPPING_REGISTRY_H_
#define ETHREC_MAPPING_REGISTRY_H_

#include <memory>
#include <string>

#include <vector>

#include "absl/strings/string_view.h"
#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/status/statusor.h"
#include "mapping/code_system.h"
#include "mapping/lexicon.h"
#include "mapping/load_problem.h"
#include "mapping/taxonomy.h"

namespace ethrec {

// The URL that every ConceptMap's targetUri must name.
inline constexpr absl::string_view kTaxonomyUrl = "urn:ethrec:taxonomy:ons-2021-ew";

struct LoadOptions {
  // Directories whose *.json files (CodeSystem, ConceptMap, EthrecLexicon)
  // are loaded after the built-in data. Default: none.
  std::vector<std::string> local_dirs;
  // Load the built-in data first. Default true; false only for tests that
  // build a registry from their own files.
  bool include_builtin = true;
};

// One JSON document to load: `name` is used in problem reports.
struct DataSource {
  std::string name;
  std::string content;
};

class Registry {
 public:
  // Loads the built-in data and `options.local_dirs`. On any problem returns
  // InvalidArgument whose message lists every problem (file, JSON path,
  // reason); NotFound when a directory does not exist.
  static absl::StatusOr<std::unique_ptr<const Registry>> Load(const LoadOptions& options);

  // Loads exactly `sources` (plus the built-in data if `include_builtin`).
  // Every problem is appended to `problems`; returns nullptr when there is any.
  static std::unique_ptr<const Registry> LoadSources(const std::vector<DataSource>& sources,
                                                     bool include_builtin,
                                                     std::vector<LoadProblem>* problems);

  // Reads every *.json file in `dir` (sorted by name) into `out`.
  static absl::Status ReadDirectory(const std::string& dir, std::vector<DataSource>* out);

  const Taxonomy& taxonomy() const { return taxonomy_; }
  const Lexicon& lexicon() const { return lexicon_; }

  // All code systems, built-in first, each in load order.
  const std::vector<const CodeSystem*>& systems() const { return system_view_; }

  // The code system `id`, or NotFound whose message lists the known ids.
  // `id` may also be a URL that names the system: its canonical url
  // ("http://snomed.info/sct"), a former one ("urn:ethrec:codesystem:snomed-ct"),
  // or the URL of a code system some of whose codes it alone holds (UK
  // Core's ethnic category England names nhs-ethnic-category, whose letters
  // are its codes).
  absl::StatusOr<const CodeSystem*> FindSystem(absl::string_view id) const;

  // The concept for `code` in system `system_id` (anything FindSystem
  // accepts). NotFound names the system (or lists the known ones) and the
  // code. When `system_id` is the URL of a code system whose codes the
  // system holds only some of, the code must be one of those.
  absl::StatusOr<const Concept*> LookupCode(absl::string_view system_id,
                                            absl::string_view code) const;

  // A code and the system it belongs to.
  struct CodeEntry {
    const CodeSystem* system = nullptr;
    const Concept* concept_ = nullptr;
  };
  // As LookupCode, with the system too: one table probe for a well-formed
  // code, the canonicalising path otherwise.
  absl::StatusOr<CodeEntry> Lookup(absl::string_view system_id, absl::string_view code) const;

  // Comma-separated ids of the loaded systems.
  std::string KnownSystemIds() const;

 private:
  Registry() = default;
  friend class RegistryBuilder;

  Taxonomy taxonomy_;
  Lexicon lexicon_;
  std::vector<std::unique_ptr<CodeSystem>> systems_;
  std::vector<const CodeSystem*> system_view_;  // the same, read-only
  absl::flat_hash_map<std::string, const CodeSystem*> by_id_;
  // Each system's url and former urls.
  absl::flat_hash_map<std::string, const CodeSystem*> by_url_;
  // The URL of a code system whose codes a loaded system holds (Concept::system)
  // -> that system; nullptr when several hold some.
  absl::flat_hash_map<std::string, const CodeSystem*> by_part_url_;

  // Every (system id, canonical code or alias) in one table, so that the
  // common lookup of a well-formed code costs a single probe.
  struct CodeKey {
    std::string system;
    std::string code;
  };
  struct CodeKeyView {
    absl::string_view system;
    absl::string_view code;
  };
  struct CodeKeyHash {
    using is_transparent = void;
    size_t operator()(const CodeKeyView& k) const {
      return absl::Hash<std::pair<absl::string_view, absl::string_view>>{}({k.system, k.code});
    }
    size_t operator()(const CodeKey& k) const { return (*this)(CodeKeyView{k.system, k.code}); }
  };
  struct CodeKeyEq {
    using is_transparent = void;
    static CodeKeyView View(const CodeKey& k) { return {k.system, k.code}; }
    static CodeKeyView View(const CodeKeyView& k) { return k; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return View(a).system == View(b).system && View(a).code == View(b).code;
    }
  };
  absl::flat_hash_map<CodeKey, CodeEntry, CodeKeyHash, CodeKeyEq> codes_;
};

}  // namespace ethrec

#endif  // ETHREC_MAPPING_REGISTRY_H_
