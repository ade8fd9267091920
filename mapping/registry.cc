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
#include "mapping/internal/taxonomy_builder.h"
#include "mapping/status_field.h"
#include "rapidjson/error/en.h"

namespace ethrec {

using mapping_internal::Child;
using mapping_internal::PropertyBool;
using mapping_internal::PropertyValue;
using mapping_internal::TaxonomyBuilder;
using mapping_internal::Index;
using mapping_internal::OptionalArray;
using mapping_internal::OptionalBool;
using mapping_internal::OptionalString;
using mapping_internal::ProblemSink;
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

struct ParsedFile {
  std::string name;
  rapidjson::Document doc;
  bool builtin = false;
};

// The R5 relationship for an R4 ConceptMap equivalence, or "" if unknown.
// R4 reads target-to-source ("wider": the target is wider than the source).
std::string RelationshipFromR4(absl::string_view equivalence) {
  if (equivalence == "equivalent" || equivalence == "equal") return "equivalent";
  if (equivalence == "wider" || equivalence == "subsumes") return "source-is-narrower-than-target";
  if (equivalence == "narrower" || equivalence == "specializes") return "source-is-broader-than-target";
  if (equivalence == "relatedto" || equivalence == "inexact") return "related-to";
  if (equivalence == "unmatched" || equivalence == "disjoint") return "not-related-to";
  return "";
}

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

  static bool IsTaxonomy(const rapidjson::Document& doc) {
    auto it = doc.FindMember("url");
    return it != doc.MemberEnd() && it->value.IsString() &&
           absl::string_view(it->value.GetString()) == kTaxonomyUrl;
  }

  // The resourceType, or "" (with a problem recorded once) when missing.
  std::string ResourceType(const ParsedFile& f, ProblemSink& sink) {
    auto it = f.doc.FindMember("resourceType");
    if (it == f.doc.MemberEnd() || !it->value.IsString()) {
      if (reported_type_.insert(f.name).second) sink.Add("$", "missing \"resourceType\"");
      return "";
    }
    return it->value.GetString();
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
    if (url) {
      if (auto it = system_by_url_.find(*url); it != system_by_url_.end()) {
        sink.Add(Child(root, "url"), absl::StrCat("code system url \"", *url,
                                                  "\" is already loaded from ",
                                                  it->second->system->origin));
      }
    }
    system->basis = RecordingBasis::kSelfDefined;
    bool basis_found = false;
    if (const rapidjson::Value* ext = OptionalArray(doc, root, "extension", sink)) {
      for (rapidjson::SizeType i = 0; i < ext->Size(); ++i) {
        const rapidjson::Value& e = (*ext)[i];
        if (!e.IsObject()) {
          sink.Add(Index(Child(root, "extension"), i), "must be an object");
          continue;
        }
        auto eu = e.FindMember("url");
        if (eu == e.MemberEnd() || !eu->value.IsString() ||
            absl::string_view(eu->value.GetString()) != kRecordingBasisUrl) {
          continue;
        }
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
          auto pc = p.IsObject() ? p.FindMember("code") : p.MemberEnd();
          if (!p.IsObject() || pc == p.MemberEnd() || !pc->value.IsString()) {
            sink.Add(ppath, "a property needs a \"code\"");
            continue;
          }
          const absl::string_view name = pc->value.GetString();
          if (name == "parent") {
            concept_.parent = PropertyValue(p).value_or("");
          } else if (name == "alias") {
            if (auto v = PropertyValue(p)) concept_.aliases.push_back(*v);
          } else if (name == "status") {
            concept_.status = PropertyValue(p).value_or("");
          } else if (name == "notSelectable") {
            auto b = PropertyBool(p);
            if (!b) sink.Add(ppath, "notSelectable needs \"valueBoolean\"");
            concept_.selectable = !b.value_or(false);
          } else {
            sink.Add(Child(ppath, "code"),
                     absl::StrCat("unknown concept property \"", name,
                                  "\" (expected parent, alias, status or notSelectable)"));
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
    auto pit = system_by_url_.find(*source);
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
      if (auto gs = OptionalString(group, gpath, "source", sink); gs && *gs != *source) {
        sink.Add(Child(gpath, "source"), absl::StrCat("\"", *gs, "\" differs from sourceUri"));
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

  // Reads one element's targets into `entry`; false (with problems) if invalid.
  static bool ReadTargets(const rapidjson::Value& element, const std::string& epath,
                          ProblemSink& sink, MapEntry* entry) {
    const size_t before = sink.count();
    const rapidjson::Value* targets = RequiredArray(element, epath, "target", sink);
    if (targets == nullptr) return false;
    std::optional<Outcome> non_answer;
    bool has_category = false;
    int narrow_or_equivalent = 0;
    for (rapidjson::SizeType t = 0; t < targets->Size(); ++t) {
      const std::string tpath = Index(Child(epath, "target"), t);
      const rapidjson::Value& target = (*targets)[t];
      if (!target.IsObject()) {
        sink.Add(tpath, "must be an object");
        continue;
      }
      auto code = RequiredString(target, tpath, "code", sink);
      // R5 "relationship", or R4 "equivalence" read as its R5 counterpart.
      std::optional<std::string> rel_name;
      if (target.HasMember("relationship") || !target.HasMember("equivalence")) {
        rel_name = RequiredString(target, tpath, "relationship", sink);
      } else if (auto r4 = RequiredString(target, tpath, "equivalence", sink)) {
        rel_name = RelationshipFromR4(*r4);
        if (rel_name->empty()) {
          sink.Add(Child(tpath, "equivalence"),
                   absl::StrCat("unknown R4 equivalence \"", *r4, "\""));
          continue;
        }
      }
      auto comment = OptionalString(target, tpath, "comment", sink);
      if (t == 0 && (!comment || comment->empty())) {
        sink.Add(Child(tpath, "comment"), "the first target must give the reason for the mapping");
      } else if (t == 0) {
        entry->reason = *comment;
      }
      if (const rapidjson::Value* products = OptionalArray(target, tpath, "product", sink)) {
        for (rapidjson::SizeType p = 0; p < products->Size(); ++p) {
          const std::string ppath = Index(Child(tpath, "product"), p);
          if (!(*products)[p].IsObject()) {
            sink.Add(ppath, "must be an object");
            continue;
          }
          auto prop = RequiredString((*products)[p], ppath, "property", sink);
          auto value = RequiredString((*products)[p], ppath, "value", sink);
          if (prop && *prop != "detail") {
            sink.Add(Child(ppath, "property"),
                     absl::StrCat("unknown product property \"", *prop, "\" (expected detail)"));
          } else if (prop && value) {
            if (!entry->detail.empty() && entry->detail != *value) {
              sink.Add(Child(ppath, "value"), absl::StrCat("detail \"", *value, "\" differs from \"",
                                                           entry->detail, "\" on another target"));
            }
            entry->detail = *value;
          }
        }
      }
      if (!code || !rel_name) continue;
      auto rel = ParseRelationship(*rel_name);
      if (!rel) {
        sink.Add(Child(tpath, "relationship"),
                 absl::StrCat("unknown relationship \"", *rel_name,
                              "\" (expected equivalent, source-is-narrower-than-target, "
                              "source-is-broader-than-target or related-to)"));
        continue;
      }
      if (*rel == Relationship::kNotRelatedTo) {
        sink.Add(Child(tpath, "relationship"), "not-related-to cannot place a code; leave the target out");
        continue;
      }
      if (*code == "NOT_STATED" || *code == "NOT_KNOWN") {
        if (non_answer || has_category) {
          sink.Add(Child(tpath, "code"),
                   "a non-answer (NOT_STATED, NOT_KNOWN) must be the element's only target");
        }
        non_answer = *code == "NOT_STATED" ? Outcome::kNotStated : Outcome::kNotKnown;
        entry->relationship = *rel;
        continue;
      }
      auto cat = ParseCategory(*code);
      if (!cat) {
        sink.Add(Child(tpath, "code"),
                 absl::StrCat("\"", *code, "\" is not a taxonomy category or non-answer"));
        continue;
      }
      if (non_answer) {
        sink.Add(Child(tpath, "code"), "a non-answer must be the element's only target");
      }
      if (entry->set.contains(*cat)) {
        sink.Add(Child(tpath, "code"), absl::StrCat(*code, " is a target twice"));
        continue;
      }
      has_category = true;
      if (*rel == Relationship::kEquivalent || *rel == Relationship::kSourceIsNarrowerThanTarget) {
        ++narrow_or_equivalent;
      }
      entry->ranked.push_back(*cat);
      entry->set.Add(*cat);
      if (entry->ranked.size() == 1 || RelationshipRank(*rel) > RelationshipRank(entry->relationship)) {
        entry->relationship = *rel;
      }
    }
    if (entry->ranked.size() > 1 && narrow_or_equivalent > 0) {
      sink.Add(Child(epath, "target"),
               "a code with several targets stands for more than any one of them; give each "
               "source-is-broader-than-target (or related-to)");
    }
    if (non_answer) {
      entry->outcome = *non_answer;
    } else if (!has_category && sink.count() == before) {
      sink.Add(Child(epath, "target"), "no usable target");
    }
    return sink.count() == before;
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
  if (const Concept* c = (*system)->Find(code)) return CodeEntry{*system, c};
  return WithField(absl::NotFoundError(absl::StrCat("code \"", code, "\" is not in code system ",
                                                    system_id, " (version ", (*system)->version, ")")),
                   "code");
}

}  // namespace ethrec
