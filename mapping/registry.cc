#include "mapping/registry.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/string_view.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "mapping/builtin_data.h"
#include "mapping/internal/json_reader.h"
#include "mapping/internal/map_targets.h"
#include "mapping/internal/taxonomy_builder.h"
#include "mapping/status_field.h"
#include "rapidjson/error/en.h"

namespace ethrec {

using mapping_internal::Child;
using mapping_internal::PropertyBool;
using mapping_internal::PropertyValue;
using mapping_internal::StringMember;
using mapping_internal::TaxonomyBuilder;
using mapping_internal::Index;
using mapping_internal::OptionalArray;
using mapping_internal::OptionalBool;
using mapping_internal::OptionalString;
using mapping_internal::ProblemSink;
using mapping_internal::ReadTargets;
using mapping_internal::RequiredArray;
using mapping_internal::RequiredString;

std::string LoadProblem::ToString() const {
  return absl::StrCat(file, ": ", json_path, ": ", reason);
}

absl::Status ProblemsToStatus(const std::vector<LoadProblem>& problems) {
  if (problems.empty()) return absl::OkStatus();
  std::vector<std::string> lines;
  lines.reserve(problems.size());
  for (const LoadProblem& p : problems) lines.push_back(p.ToString());
  return absl::InvalidArgumentError(absl::StrCat(problems.size(),
                                                 " problem(s) in code lists or maps; nothing "
                                                 "was loaded:\n",
                                                 absl::StrJoin(lines, "\n")));
}

namespace {

constexpr absl::string_view kRecordingBasisUrl = "urn:ethrec:recording-basis";
// Identifier.system of an identifier whose value is a URI (RFC 3986).
constexpr absl::string_view kUriIdentifierSystem = "urn:ietf:rfc:3986";

struct ParsedFile {
  std::string name;
  rapidjson::Document doc;
  bool builtin = false;
};

}  // namespace

class RegistryBuilder {
 public:
  explicit RegistryBuilder(std::vector<LoadProblem>* problems) : problems_(problems) {
    registry_.reset(new Registry());
  }

  void Add(ParsedFile file) { files_.push_back(std::move(file)); }

  std::unique_ptr<const Registry> Build() {
    const size_t before = problems_->size();
    // Order matters: maps need their code systems, and systems need the taxonomy.
    for (ParsedFile& f : files_) {
      ProblemSink sink(f.name, problems_);
      std::string type = ResourceType(f, sink);
      if (type == "CodeSystem" && IsTaxonomy(f.doc)) {
        if (!f.builtin || taxonomy_loaded_) {
          sink.Add("$.url", "the taxonomy is built in and cannot be replaced or loaded twice");
        } else {
          TaxonomyBuilder::Build(f.doc, sink, &registry_->taxonomy_);
          taxonomy_loaded_ = true;
        }
      }
    }
    if (!taxonomy_loaded_) {
      problems_->push_back(LoadProblem{"(built-in data)", "$", "the taxonomy CodeSystem is missing"});
    }
    for (ParsedFile& f : files_) {
      ProblemSink sink(f.name, problems_);
      if (ResourceType(f, sink) == "CodeSystem" && !IsTaxonomy(f.doc)) AddCodeSystem(f, sink);
    }
    for (ParsedFile& f : files_) {
      ProblemSink sink(f.name, problems_);
      if (ResourceType(f, sink) == "ConceptMap") AddConceptMap(f, sink);
    }
    bool builtin_lexicon = false;
    for (ParsedFile& f : files_) {
      ProblemSink sink(f.name, problems_);
      std::string type = ResourceType(f, sink);
      if (type == "EthrecLexicon") {
        registry_->lexicon_.AddDocument(f.doc, f.name, problems_);
        builtin_lexicon |= f.builtin;
      } else if (!type.empty() && type != "CodeSystem" && type != "ConceptMap") {
        sink.Add("$.resourceType",
                 absl::StrCat("unsupported resourceType \"", type,
                              "\" (expected CodeSystem, ConceptMap or EthrecLexicon)"));
      }
    }
    // The world's places and peoples come with the built-in lexicon, after
    // every lexicon term (loaded ones too), which they never override.
    if (builtin_lexicon) registry_->lexicon_.AddWorldNames();
    registry_->lexicon_.Finalize();
    for (const auto& system : registry_->systems_) {
      registry_->system_view_.push_back(system.get());
      registry_->by_url_[system->url] = system.get();
      for (const std::string& alias : system->url_aliases) registry_->by_url_[alias] = system.get();
      for (const Concept& c : system->concepts) {
        // A code system whose codes several loaded systems hold names none of them.
        if (c.system.empty()) continue;
        auto [it, inserted] = registry_->by_part_url_.try_emplace(c.system, system.get());
        if (!inserted && it->second != system.get()) it->second = nullptr;
      }
      for (const auto& [key, index] : system->index) {
        registry_->codes_.emplace(Registry::CodeKey{system->id, key},
                                  Registry::CodeEntry{system.get(), &system->concepts[index]});
      }
    }
    CheckEveryConceptMapped();
    if (problems_->size() != before) return nullptr;
    return std::move(registry_);
  }

 private:
  struct Pending {
    CodeSystem* system;
    std::string file;
    std::vector<bool> mapped;
    std::string map_file;
    bool map_rejected = false;
  };

  static bool IsTaxonomy(const rapidjson::Document& doc) { return StringMember(doc, "url") == kTaxonomyUrl; }

  // The resourceType, or "" (with a problem recorded once) when missing.
  std::string ResourceType(const ParsedFile& f, ProblemSink& sink) {
    const std::optional<absl::string_view> type = StringMember(f.doc, "resourceType");
    if (!type.has_value()) {
      if (reported_type_.insert(f.name).second) sink.Add("$", "missing \"resourceType\"");
      return "";
    }
    return std::string(*type);
  }

  // `url`, or the url of the system it is a former url of.
  const std::string& CanonicalUrl(const std::string& url) const {
    auto it = url_alias_.find(url);
    return it == url_alias_.end() ? url : it->second;
  }

  // Records a problem at `path` when `url` already names a loaded system.
  void CheckUrlIsNew(const std::string& url, const std::string& path, ProblemSink& sink) const {
    if (auto it = system_by_url_.find(CanonicalUrl(url)); it != system_by_url_.end()) {
      sink.Add(path, absl::StrCat("code system url \"", url, "\" is already loaded from ",
                                  it->second->system->origin));
    }
  }

  // The values of the CodeSystem's URI identifiers: its former urls. Each
  // must not name a loaded system.
  std::vector<std::string> ReadUriIdentifiers(const rapidjson::Value& doc, ProblemSink& sink) const {
    std::vector<std::string> uris;
    const rapidjson::Value* ids = OptionalArray(doc, "$", "identifier", sink);
    for (rapidjson::SizeType i = 0; ids != nullptr && i < ids->Size(); ++i) {
      const std::string path = Index("$.identifier", i);
      if (OptionalString((*ids)[i], path, "system", sink) != kUriIdentifierSystem) continue;
      if (auto value = RequiredString((*ids)[i], path, "value", sink)) {
        CheckUrlIsNew(*value, Child(path, "value"), sink);
        uris.push_back(*value);
      }
    }
    return uris;
  }

  // True when some code of `system` is defined by the code system `url`.
  static bool DefinesCodes(const CodeSystem& system, absl::string_view url) {
    return std::any_of(system.concepts.begin(), system.concepts.end(),
                       [&](const Concept& c) { return c.system == url; });
  }

  void AddCodeSystem(const ParsedFile& f, ProblemSink& sink) {
    const std::string root = "$";
    const rapidjson::Value& doc = f.doc;
    const size_t before = sink.count();
    auto system = std::make_unique<CodeSystem>();
    system->origin = f.builtin ? "built-in" : f.name;
    auto id = RequiredString(doc, root, "id", sink);
    auto url = RequiredString(doc, root, "url", sink);
    auto version = RequiredString(doc, root, "version", sink);
    system->title = OptionalString(doc, root, "title", sink).value_or("");
    system->case_sensitive = OptionalBool(doc, root, "caseSensitive", true, sink);
    if (id) {
      const bool ok_id = !id->empty() && std::all_of(id->begin(), id->end(), [](char c) {
        return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-' || c == '.';
      });
      if (!ok_id) {
        sink.Add(Child(root, "id"), absl::StrCat("id \"", *id,
                                                 "\" must use only a-z, 0-9, '-' and '.'"));
      } else if (auto it = system_files_.find(*id); it != system_files_.end()) {
        sink.Add(Child(root, "id"), absl::StrCat("code system id \"", *id,
                                                 "\" is already loaded from ", it->second));
      }
    }
    if (url) CheckUrlIsNew(*url, Child(root, "url"), sink);
    system->url_aliases = ReadUriIdentifiers(doc, sink);
    system->basis = RecordingBasis::kSelfDefined;
    bool basis_found = false;
    if (const rapidjson::Value* ext = OptionalArray(doc, root, "extension", sink)) {
      for (rapidjson::SizeType i = 0; i < ext->Size(); ++i) {
        const rapidjson::Value& e = (*ext)[i];
        if (!e.IsObject()) {
          sink.Add(Index(Child(root, "extension"), i), "must be an object");
          continue;
        }
        if (StringMember(e, "url") != kRecordingBasisUrl) continue;
        basis_found = true;
        std::string value = PropertyValue(e).value_or("");
        if (value == "self-defined") {
          system->basis = RecordingBasis::kSelfDefined;
        } else if (value == "observed") {
          system->basis = RecordingBasis::kObserved;
        } else {
          sink.Add(Index(Child(root, "extension"), i) + ".valueCode",
                   absl::StrCat("recording basis must be \"self-defined\" or \"observed\", not \"",
                                value, "\""));
        }
      }
    }
    if (!basis_found) {
      sink.Add(Child(root, "extension"),
               absl::StrCat("missing the recording-basis extension {\"url\": \"", kRecordingBasisUrl,
                            "\", \"valueCode\": \"self-defined\" | \"observed\"}"));
    }
    const rapidjson::Value* concepts = RequiredArray(doc, root, "concept", sink);
    if (concepts != nullptr) ReadConcepts(*concepts, sink, system.get());
    if (sink.count() != before || !id || !url || !version) {
      // Its map would only repeat that the system is missing.
      if (url) rejected_system_urls_.insert(*url);
      return;
    }
    system->id = *id;
    system->url = *url;
    system->version = *version;
    system_files_[*id] = f.name;
    auto pending = std::make_unique<Pending>();
    pending->system = system.get();
    pending->file = f.name;
    pending->mapped.assign(system->concepts.size(), false);
    system_by_url_[*url] = std::move(pending);
    for (const std::string& alias : system->url_aliases) url_alias_[alias] = *url;
    registry_->by_id_[*id] = system.get();
    registry_->systems_.push_back(std::move(system));
  }

  void ReadConcepts(const rapidjson::Value& concepts, ProblemSink& sink, CodeSystem* system) {
    const std::string base = "$.concept";
    for (rapidjson::SizeType i = 0; i < concepts.Size(); ++i) {
      const std::string path = Index(base, i);
      const rapidjson::Value& c = concepts[i];
      if (!c.IsObject()) {
        sink.Add(path, "must be an object");
        continue;
      }
      Concept concept_;
      auto code = RequiredString(c, path, "code", sink);
      auto display = RequiredString(c, path, "display", sink);
      if (!code || !display) continue;
      concept_.code = *code;
      concept_.display = *display;
      if (const rapidjson::Value* props = OptionalArray(c, path, "property", sink)) {
        for (rapidjson::SizeType j = 0; j < props->Size(); ++j) {
          const std::string ppath = Index(Child(path, "property"), j);
          const rapidjson::Value& p = (*props)[j];
          const std::optional<absl::string_view> code_of = StringMember(p, "code");
          if (!code_of) {
            sink.Add(ppath, "a property needs a \"code\"");
            continue;
          }
          const absl::string_view name = *code_of;
          if (name == "parent") {
            concept_.parent = PropertyValue(p).value_or("");
          } else if (name == "alias") {
            if (auto v = PropertyValue(p)) concept_.aliases.push_back(*v);
          } else if (name == "status") {
            concept_.status = PropertyValue(p).value_or("");
          } else if (name == "system") {
            concept_.system = PropertyValue(p).value_or("");
          } else if (name == "notSelectable") {
            auto b = PropertyBool(p);
            if (!b) sink.Add(ppath, "notSelectable needs \"valueBoolean\"");
            concept_.selectable = !b.value_or(false);
          } else {
            sink.Add(Child(ppath, "code"),
                     absl::StrCat("unknown concept property \"", name,
                                  "\" (expected parent, alias, status, notSelectable or system)"));
          }
        }
      }
      if (concept_.status == "retired") concept_.selectable = false;
      const int index = static_cast<int>(system->concepts.size());
      std::vector<std::string> keys = {concept_.code};
      keys.insert(keys.end(), concept_.aliases.begin(), concept_.aliases.end());
      for (const std::string& k : keys) {
        std::string key = system->CanonicalKey(k);
        if (key.empty()) {
          sink.Add(path, "a code or alias is blank");
          continue;
        }
        auto [it, inserted] = system->index.emplace(key, index);
        if (!inserted) {
          const std::string& owner =
              it->second == index ? concept_.code : system->concepts[it->second].code;
          sink.Add(path, absl::StrCat("code \"", k, "\" is already used by concept \"", owner, "\"",
                                      system->case_sensitive ? "" : " (codes are case-insensitive)"));
        }
      }
      system->concepts.push_back(std::move(concept_));
    }
    for (size_t i = 0; i < system->concepts.size(); ++i) {
      const Concept& c = system->concepts[i];
      if (!c.parent.empty() && system->Find(c.parent) == nullptr) {
        sink.Add(Index(base, i), absl::StrCat("parent \"", c.parent, "\" of \"", c.code,
                                              "\" is not a code of this system"));
      }
    }
  }

  void AddConceptMap(const ParsedFile& f, ProblemSink& sink) {
    const std::string root = "$";
    const rapidjson::Value& doc = f.doc;
    auto id = RequiredString(doc, root, "id", sink);
    auto version = RequiredString(doc, root, "version", sink);
    auto source = RequiredString(doc, root, "sourceUri", sink);
    auto target = RequiredString(doc, root, "targetUri", sink);
    const rapidjson::Value* groups = RequiredArray(doc, root, "group", sink);
    if (target && *target != kTaxonomyUrl) {
      sink.Add(Child(root, "targetUri"), absl::StrCat("target \"", *target,
                                                      "\" is not the taxonomy (", kTaxonomyUrl, ")"));
    }
    if (!id || !version || !source || groups == nullptr) return;
    if (auto it = map_files_.find(*id); it != map_files_.end()) {
      sink.Add(Child(root, "id"), absl::StrCat("map id \"", *id, "\" is already loaded from ", it->second));
      return;
    }
    if (auto url = OptionalString(doc, root, "url", sink)) {
      if (auto it = map_files_.find(*url); it != map_files_.end()) {
        sink.Add(Child(root, "url"), absl::StrCat("map url \"", *url, "\" is already loaded from ", it->second));
        return;
      }
      map_files_[*url] = f.name;
    }
    map_files_[*id] = f.name;
    auto pit = system_by_url_.find(CanonicalUrl(*source));
    if (pit == system_by_url_.end() && rejected_system_urls_.contains(*source)) return;
    if (pit == system_by_url_.end()) {
      sink.Add(Child(root, "sourceUri"),
               absl::StrCat("source \"", *source, "\" is not the url of any loaded CodeSystem"));
      return;
    }
    Pending& pending = *pit->second;
    if (!pending.map_file.empty()) {
      sink.Add(Child(root, "sourceUri"),
               absl::StrCat("collides with map ", pending.system->map_id, " in ", pending.map_file,
                            ", which already maps code system ", pending.system->id));
      return;
    }
    CodeSystem& system = *pending.system;
    const size_t before = sink.count();
    std::vector<std::pair<int, MapEntry>> entries;
    std::vector<bool> mapped(system.concepts.size(), false);
    for (rapidjson::SizeType g = 0; g < groups->Size(); ++g) {
      const std::string gpath = Index(Child(root, "group"), g);
      const rapidjson::Value& group = (*groups)[g];
      if (!group.IsObject()) {
        sink.Add(gpath, "must be an object");
        continue;
      }
      // A group without a source maps the system's own codes.
      std::string group_source = system.url;
      if (auto gs = OptionalString(group, gpath, "source", sink); gs && CanonicalUrl(*gs) != system.url) {
        if (!DefinesCodes(system, *gs)) {
          sink.Add(Child(gpath, "source"),
                   absl::StrCat("\"", *gs, "\" differs from sourceUri and is not the system of any code of ",
                                system.id));
          continue;
        }
        group_source = *gs;
      }
      if (auto gt = OptionalString(group, gpath, "target", sink); gt && *gt != kTaxonomyUrl) {
        sink.Add(Child(gpath, "target"), absl::StrCat("\"", *gt, "\" is not the taxonomy"));
      }
      const rapidjson::Value* elements = RequiredArray(group, gpath, "element", sink);
      if (elements == nullptr) continue;
      for (rapidjson::SizeType e = 0; e < elements->Size(); ++e) {
        const std::string epath = Index(Child(gpath, "element"), e);
        const rapidjson::Value& element = (*elements)[e];
        if (!element.IsObject()) {
          sink.Add(epath, "must be an object");
          continue;
        }
        auto code = RequiredString(element, epath, "code", sink);
        if (!code) continue;
        const Concept* concept_ = system.Find(*code);
        if (concept_ == nullptr || concept_->code != *code) {
          sink.Add(Child(epath, "code"), absl::StrCat("code \"", *code, "\" is not in code system ",
                                                      system.id));
          continue;
        }
        if (const std::string& defined_by = concept_->system.empty() ? system.url : concept_->system;
            defined_by != group_source) {
          sink.Add(Child(epath, "code"), absl::StrCat("code \"", *code, "\" is a code of ", defined_by,
                                                      ", not of this group's source ", group_source));
          continue;
        }
        const int index = static_cast<int>(concept_ - system.concepts.data());
        if (mapped[index]) {
          sink.Add(Child(epath, "code"), absl::StrCat("code \"", *code, "\" is mapped twice"));
          continue;
        }
        mapped[index] = true;
        MapEntry entry;
        if (ReadTargets(element, epath, sink, &entry)) entries.emplace_back(index, std::move(entry));
      }
    }
    if (sink.count() != before) {
      pending.map_rejected = true;  // its own problems say enough
      return;
    }
    for (auto& [index, entry] : entries) system.concepts[index].mapping = std::move(entry);
    pending.mapped = std::move(mapped);
    pending.map_file = f.name;
    system.map_id = *id;
    system.map_version = *version;
  }

  void CheckEveryConceptMapped() {
    for (const auto& owned : registry_->systems_) {
      const std::string& url = owned->url;
      Pending* pending = system_by_url_.at(url).get();
      const CodeSystem& system = *pending->system;
      if (pending->map_rejected) continue;
      if (pending->map_file.empty()) {
        problems_->push_back(LoadProblem{
            pending->file, "$",
            absl::StrCat("code system ", system.id,
                         " has no ConceptMap to the taxonomy (a ConceptMap with sourceUri \"", url,
                         "\")")});
        continue;
      }
      for (size_t i = 0; i < system.concepts.size(); ++i) {
        if (!pending->mapped[i]) {
          problems_->push_back(LoadProblem{
              pending->map_file, "$.group",
              absl::StrCat("code \"", system.concepts[i].code, "\" of code system ", system.id,
                           " has no map element")});
        }
      }
    }
  }

  std::vector<LoadProblem>* problems_;
  std::unique_ptr<Registry> registry_;
  std::vector<ParsedFile> files_;
  bool taxonomy_loaded_ = false;
  absl::flat_hash_map<std::string, std::string> system_files_;
  absl::flat_hash_map<std::string, std::unique_ptr<Pending>> system_by_url_;
  absl::flat_hash_map<std::string, std::string> url_alias_;  // former url -> url
  absl::flat_hash_set<std::string> reported_type_;
  absl::flat_hash_set<std::string> rejected_system_urls_;
  absl::flat_hash_map<std::string, std::string> map_files_;  // map id or url -> file
};

namespace {

// Parses `content`; on a syntax error records it and returns false.
// Iteratively: the default recursive parser overflows the stack on deeply
// nested input (a file of a million '[').
bool ParseJson(const std::string& name, absl::string_view content, rapidjson::Document* doc,
               std::vector<LoadProblem>* problems) {
  doc->Parse<rapidjson::kParseIterativeFlag>(content.data(), content.size());
  if (!doc->HasParseError() && doc->IsObject()) return true;
  if (!doc->HasParseError()) {
    problems->push_back(LoadProblem{name, "$", "the document must be a JSON object"});
    return false;
  }
  const size_t offset = doc->GetErrorOffset();
  const absl::string_view before = content.substr(0, std::min(offset, content.size()));
  const size_t line = std::count(before.begin(), before.end(), '\n') + 1;
  const size_t last_nl = before.rfind('\n');
  const size_t column = offset - (last_nl == absl::string_view::npos ? 0 : last_nl + 1) + 1;
  problems->push_back(LoadProblem{name, "$",
                                  absl::StrCat("invalid JSON at line ", line, " column ", column,
                                               ": ", rapidjson::GetParseError_En(doc->GetParseError()))});
  return false;
}

}  // namespace

std::unique_ptr<const Registry> Registry::LoadSources(const std::vector<DataSource>& sources,
                                                      bool include_builtin,
                                                      std::vector<LoadProblem>* problems) {
  RegistryBuilder builder(problems);
  const size_t before = problems->size();
  if (include_builtin) {
    for (const DataFile& f : BuiltinDataFiles()) {
      ParsedFile parsed;
      parsed.name = std::string(f.name);
      parsed.builtin = true;
      if (ParseJson(parsed.name, f.content, &parsed.doc, problems)) builder.Add(std::move(parsed));
    }
  }
  for (const DataSource& s : sources) {
    ParsedFile parsed;
    parsed.name = s.name;
    if (ParseJson(s.name, s.content, &parsed.doc, problems)) builder.Add(std::move(parsed));
  }
  std::unique_ptr<const Registry> registry = builder.Build();
  if (problems->size() != before) return nullptr;
  return registry;
}

absl::Status Registry::ReadDirectory(const std::string& dir, std::vector<DataSource>* out) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return absl::NotFoundError(absl::StrCat("maps directory \"", dir, "\" does not exist or is not a directory"));
  }
  std::vector<std::filesystem::path> files;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_regular_file(type_ec) && it->path().extension() == ".json") files.push_back(it->path());
  }
  if (ec) return absl::PermissionDeniedError(absl::StrCat("cannot list \"", dir, "\": ", ec.message()));
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return absl::PermissionDeniedError(absl::StrCat("cannot read \"", path.string(), "\""));
    std::ostringstream content;
    content << in.rdbuf();
    out->push_back(DataSource{path.string(), content.str()});
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<const Registry>> Registry::Load(const LoadOptions& options) {
  std::vector<DataSource> sources;
  for (const std::string& dir : options.local_dirs) {
    if (absl::Status s = ReadDirectory(dir, &sources); !s.ok()) return s;
  }
  std::vector<LoadProblem> problems;
  std::unique_ptr<const Registry> registry =
      LoadSources(sources, options.include_builtin, &problems);
  if (registry == nullptr) return ProblemsToStatus(problems);
  return registry;
}

std::string Registry::KnownSystemIds() const {
  std::vector<absl::string_view> ids;
  for (const auto& s : systems_) ids.push_back(s->id);
  return absl::StrJoin(ids, ", ");
}

absl::StatusOr<const CodeSystem*> Registry::FindSystem(absl::string_view id) const {
  if (auto it = by_id_.find(id); it != by_id_.end()) return it->second;
  if (auto it = by_url_.find(id); it != by_url_.end()) return it->second;
  if (auto it = by_part_url_.find(id); it != by_part_url_.end() && it->second != nullptr) return it->second;
  return absl::NotFoundError(
      absl::StrCat("unknown code system \"", id, "\"; known systems: ", KnownSystemIds()));
}

absl::StatusOr<const Concept*> Registry::LookupCode(absl::string_view system_id,
                                                    absl::string_view code) const {
  absl::StatusOr<CodeEntry> entry = Lookup(system_id, code);
  if (!entry.ok()) return entry.status();
  return entry->concept_;
}

absl::StatusOr<Registry::CodeEntry> Registry::Lookup(absl::string_view system_id,
                                                     absl::string_view code) const {
  if (auto it = codes_.find(CodeKeyView{system_id, code}); it != codes_.end()) return it->second;
  absl::StatusOr<const CodeSystem*> system = FindSystem(system_id);
  if (!system.ok()) return WithField(system.status(), "system");
  if (!by_id_.contains(system_id) && !by_url_.contains(system_id)) {
    // A URL of a code system the system holds some codes of: only those codes.
    const Concept* c = (*system)->Find(code);
    if (c != nullptr && c->system == system_id) return CodeEntry{*system, c};
    return WithField(absl::NotFoundError(absl::StrCat("code \"", code, "\" is not in code system ",
                                                      system_id)),
                     "code");
  }
  if (const Concept* c = (*system)->Find(code)) return CodeEntry{*system, c};
  return WithField(absl::NotFoundError(absl::StrCat("code \"", code, "\" is not in code system ",
                                                    system_id, " (version ", (*system)->version, ")")),
                   "code");
}

}  // namespace ethrec
