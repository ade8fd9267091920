#include "service/http/fhir_terminology.h"

#include <algorithm>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "api/convert.h"
#include "mapping/builtin_data.h"
#include "mapping/registry.h"
#include "mapping/status_field.h"
#include "service/http/http_status.h"
#include "service/http/internal/fhir_params.h"
#include "service/http/internal/fhir_writer.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace ethrec::service {
namespace {

using http_internal::Array;
using http_internal::BoolOf;
using http_internal::CheckParameters;
using http_internal::CodeInput;
using http_internal::CodeOf;
using http_internal::Get;
using http_internal::Key;
using http_internal::Member;
using http_internal::ParametersOf;
using http_internal::Required;
using http_internal::Str;
using http_internal::Writer;

// The value set a ConceptMap maps from (R4 sourceUri or sourceCanonical).
absl::string_view MapSource(const rapidjson::Value& map) {
  absl::string_view uri = Member(map, "sourceUri");
  return uri.empty() ? Member(map, "sourceCanonical") : uri;
}

// The value set a ConceptMap maps into (R4 targetUri or targetCanonical).
absl::string_view MapTarget(const rapidjson::Value& map) {
  absl::string_view uri = Member(map, "targetUri");
  return uri.empty() ? Member(map, "targetCanonical") : uri;
}

// R4 ConceptMap equivalence of a source code to its target, from the
// relationship TaxonomyApi reports (source relative to target).
absl::string_view EquivalenceOf(v1::Relationship r) {
  switch (r) {
    case v1::EQUIVALENT:
      return "equivalent";
    case v1::SOURCE_IS_NARROWER_THAN_TARGET:
      return "wider";
    case v1::SOURCE_IS_BROADER_THAN_TARGET:
      return "narrower";
    case v1::RELATED_TO:
      return "relatedto";
    case v1::NOT_RELATED_TO:
      return "disjoint";
    default:
      return "unmatched";
  }
}

// One $translate match.
struct Match {
  std::string equivalence;
  std::string system;
  std::string code;
  std::string display;
  std::string source;  // the ConceptMap's url, when it came from one
};

HttpResponse Json(int status, std::string body) {
  return HttpResponse{.status = status, .content_type = kFhirJson, .body = std::move(body)};
}

// A Parameters resource: `write(w)` writes the elements of its "parameter" array.
template <typename Write>
HttpResponse Parameters(Write&& write) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  Key(w, "resourceType");
  Str(w, "Parameters");
  Key(w, "parameter");
  w.StartArray();
  write(w);
  w.EndArray();
  w.EndObject();
  return Json(200, buffer.GetString());
}

void Param(Writer& w, absl::string_view name, absl::string_view type, absl::string_view value) {
  w.StartObject();
  Key(w, "name");
  Str(w, name);
  Key(w, type);
  Str(w, value);
  w.EndObject();
}

void BoolParam(Writer& w, absl::string_view name, bool value) {
  w.StartObject();
  Key(w, "name");
  Str(w, name);
  Key(w, "valueBoolean");
  w.Bool(value);
  w.EndObject();
}

void Coding(Writer& w, absl::string_view system, absl::string_view code, absl::string_view display) {
  w.StartObject();
  Key(w, "system");
  Str(w, system);
  Key(w, "code");
  Str(w, code);
  if (!display.empty()) {
    Key(w, "display");
    Str(w, display);
  }
  w.EndObject();
}

HttpResponse TranslateAnswer(const std::vector<Match>& matches, absl::string_view message) {
  return Parameters([&](Writer& w) {
    BoolParam(w, "result", !matches.empty());
    if (!message.empty()) Param(w, "message", "valueString", message);
    for (const Match& m : matches) {
      w.StartObject();
      Key(w, "name");
      Str(w, "match");
      Key(w, "part");
      w.StartArray();
      Param(w, "equivalence", "valueCode", m.equivalence);
      w.StartObject();
      Key(w, "name");
      Str(w, "concept");
      Key(w, "valueCoding");
      Coding(w, m.system, m.code, m.display);
      w.EndObject();
      if (!m.source.empty()) Param(w, "source", "valueUri", m.source);
      w.EndArray();
      w.EndObject();
    }
  });
}

// The OperationOutcome issue code for a status code.
absl::string_view IssueCode(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
      return "invalid";
    case absl::StatusCode::kNotFound:
      return "not-found";
    case absl::StatusCode::kUnauthenticated:
      return "login";
    case absl::StatusCode::kPermissionDenied:
      return "forbidden";
    case absl::StatusCode::kUnimplemented:
      return "not-supported";
    case absl::StatusCode::kResourceExhausted:
      return "too-costly";
    default:
      return "exception";
  }
}

}  // namespace


HttpResponse OperationOutcome(const absl::Status& status) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  Key(w, "resourceType");
  Str(w, "OperationOutcome");
  Key(w, "issue");
  w.StartArray();
  w.StartObject();
  Key(w, "severity");
  Str(w, "error");
  Key(w, "code");
  Str(w, IssueCode(status.code()));
  Key(w, "diagnostics");
  Str(w, status.message());
  if (std::string field = FieldOf(status); !field.empty()) {
    Key(w, "expression");
    w.StartArray();
    Str(w, field);
    w.EndArray();
  }
  w.EndObject();
  w.EndArray();
  w.EndObject();
  return Json(HttpStatusOf(status.code()), buffer.GetString());
}

absl::StatusOr<std::unique_ptr<FhirTerminology>> FhirTerminology::Create(const Options& options) {
  std::unique_ptr<FhirTerminology> fhir(new FhirTerminology(options));
  std::vector<DataSource> sources;
  for (const DataFile& f : BuiltinDataFiles()) sources.push_back({std::string(f.name), std::string(f.content)});
  for (const std::string& dir : options.local_dirs) {
    if (absl::Status s = Registry::ReadDirectory(dir, &sources); !s.ok()) return s;
  }
  for (DataSource& source : sources) {
    auto r = std::make_unique<Resource>();
    r->json.Parse(source.content.c_str(), source.content.size());
    if (r->json.HasParseError() || !r->json.IsObject()) {
      return absl::InvalidArgumentError(absl::StrCat(source.name, " is not a JSON object"));
    }
    r->type = std::string(Member(r->json, "resourceType"));
    if (r->type != "CodeSystem" && r->type != "ConceptMap") continue;  // lexicons are ethrec's own
    r->id = std::string(Member(r->json, "id"));
    r->url = std::string(Member(r->json, "url"));
    r->text = std::move(source.content);
    fhir->resources_.push_back(std::move(r));
  }
  return fhir;
}

const FhirTerminology::Resource* FhirTerminology::FindByUrl(absl::string_view type, absl::string_view url) const {
  for (const auto& r : resources_) {
    if (r->type == type && (r->url == url || absl::StrCat(r->type, "/", r->id) == url)) return r.get();
  }
  return nullptr;
}

const FhirTerminology::Resource* FhirTerminology::MapOf(const CodeSystem& system) const {
  for (const auto& r : resources_) {
    if (r->type == "ConceptMap" && r->id == system.map_id) return r.get();
  }
  return nullptr;
}

std::string FhirTerminology::GateMethod(const HttpRequest& request) {
  const absl::string_view path = request.path;
  if (absl::EndsWith(path, "/$translate")) {
    for (const auto& [name, value] : request.query) {
      if (name == "reverse" && value == "true") return "/ethrec.v1.TaxonomyService/SuggestCode";
    }
    if (request.method == "POST" && absl::StrContains(request.body, "\"reverse\"")) {
      return "/ethrec.v1.TaxonomyService/SuggestCode";
    }
    return "/ethrec.v1.TaxonomyService/Translate";
  }
  if (absl::EndsWith(path, "/$lookup") || absl::EndsWith(path, "/$validate-code")) {
    return "/ethrec.v1.TaxonomyService/Normalize";
  }
  if (path == "/fhir/metadata" || absl::StartsWith(path, "/fhir/CodeSystem") ||
      absl::StartsWith(path, "/fhir/ConceptMap")) {
    return "/ethrec.v1.TaxonomyService/ListCodeSystems";
  }
  return "";
}

std::string FhirTerminology::MetricName(const HttpRequest& request) {
  const std::vector<absl::string_view> parts = absl::StrSplit(request.path, '/', absl::SkipEmpty());
  // /fhir/metadata and /fhir/TYPE[/ID][/$op] with a served TYPE and op: ids
  // are resource ids (never codes or identifiers), but kept out of labels
  // all the same so that the label set stays small. Any other path is the
  // caller's own text (an identifier, perhaps), and each label is kept for
  // the life of the process: one name for them all.
  static constexpr char kUnrouted[] = "/fhir/unrouted";
  if (parts.size() == 2 && parts[1] == "metadata") return "/fhir/metadata";
  if (parts.size() < 2 || parts.size() > 4 || (parts[1] != "CodeSystem" && parts[1] != "ConceptMap")) {
    return kUnrouted;
  }
  std::string name = absl::StrCat("/fhir/", parts[1]);
  for (size_t i = 2; i < parts.size(); ++i) {
    const absl::string_view part = parts[i];
    if (absl::StartsWith(part, "$")) {
      const bool served = part == "$translate" || part == "$lookup" || part == "$validate-code";
      if (i + 1 != parts.size() || !served) return kUnrouted;
      absl::StrAppend(&name, "/", part);
    } else {
      if (i != 2) return kUnrouted;  // only TYPE/ID
      absl::StrAppend(&name, "/{id}");
    }
  }
  return name;
}

HttpResponse FhirTerminology::Serve(const HttpRequest& request) const {
  absl::StatusOr<HttpResponse> response = Handle(request);
  if (!response.ok()) return OperationOutcome(response.status());
  return *std::move(response);
}

absl::StatusOr<HttpResponse> FhirTerminology::Handle(const HttpRequest& request) const {
  std::vector<std::string> parts = absl::StrSplit(request.path, '/', absl::SkipEmpty());
  if (parts.empty() || parts[0] != "fhir") return absl::NotFoundError(absl::StrCat("no resource at ", request.path));
  parts.erase(parts.begin());
  Params params(request.query.begin(), request.query.end());
  for (auto it = params.begin(); it != params.end();) {
    if (it->first != "_format") {
      ++it;
      continue;
    }
    if (!absl::StrContains(it->second, "json")) {
      return WithField(absl::InvalidArgumentError("only JSON is served (_format json)"), "_format");
    }
    it = params.erase(it);
  }
  const bool is_get = request.method == "GET";
  const bool is_post = request.method == "POST";
  if (parts.size() == 1 && parts[0] == "metadata" && is_get) return Metadata();
  if (parts.empty() || (parts[0] != "CodeSystem" && parts[0] != "ConceptMap")) {
    return absl::NotFoundError(absl::StrCat("this server serves CodeSystem and ConceptMap; no resource at ",
                                            request.path));
  }
  const std::string& type = parts[0];
  // An operation: TYPE/$op or TYPE/ID/$op (the instance's url as `url`).
  if (!parts.empty() && absl::StartsWith(parts.back(), "$") && (parts.size() == 2 || parts.size() == 3)) {
    if (!is_get && !is_post) return absl::UnimplementedError(absl::StrCat(request.method, " is not supported"));
    if (is_post) {
      if (!request.body.empty()) {
        absl::StatusOr<Params> posted = ParametersOf(request.body);
        if (!posted.ok()) return posted.status();
        params.insert(posted->begin(), posted->end());
      }
    }
    if (parts.size() == 3) {
      auto r = std::find_if(resources_.begin(), resources_.end(),
                            [&](const auto& r) { return r->type == type && r->id == parts[1]; });
      if (r == resources_.end()) return absl::NotFoundError(absl::StrCat("no ", type, " with id ", parts[1]));
      const std::string name = type == "ConceptMap" ? "url" : "system";
      // The path names the resource: a parameter naming another one would
      // be ignored, so it is refused.
      if (auto given = params.find(name); given != params.end() && given->second != (*r)->url) {
        return WithField(absl::InvalidArgumentError(absl::StrCat(type, "/", parts[1], " is ", (*r)->url, "; ", name,
                                                                 " names another (", given->second, ")")),
                         name);
      }
      if (params.find(name) == params.end()) params.emplace(name, (*r)->url);
    }
    const std::string& op = parts.back();
    if (type == "ConceptMap" && op == "$translate") return Translate(params);
    if (type == "CodeSystem" && op == "$lookup") return Lookup(params);
    if (type == "CodeSystem" && op == "$validate-code") return ValidateCode(params);
    return absl::NotFoundError(absl::StrCat("operation ", op, " is not served on ", type));
  }
  if (!is_get) return absl::UnimplementedError(absl::StrCat(request.method, " ", request.path, " is not supported: this server is read-only"));
  if (parts.size() == 1) return Search(type, params);
  if (parts.size() == 2) return Read(type, parts[1]);
  return absl::NotFoundError(absl::StrCat("no resource at ", request.path));
}

HttpResponse FhirTerminology::Metadata() const {
  return Json(200, http_internal::CapabilityStatementJson(options_.software_version));
}

absl::StatusOr<HttpResponse> FhirTerminology::Read(absl::string_view type, absl::string_view id) const {
  for (const auto& r : resources_) {
    if (r->type == type && r->id == id) return Json(200, r->text);
  }
  return absl::NotFoundError(absl::StrCat("no ", type, " with id ", id));
}

absl::StatusOr<HttpResponse> FhirTerminology::Search(absl::string_view type, const Params& params) const {
  // Search parameter -> the resource's member it matches exactly.
  static const auto* const kMembers = new std::map<std::string, const char*>{
      {"_id", "id"},     {"url", "url"},       {"name", "name"},
      {"version", "version"}, {"status", "status"}, {"source-uri", "sourceUri"}, {"target-uri", "targetUri"}};
  for (const auto& [name, value] : params) {
    auto it = kMembers->find(name);
    if (it == kMembers->end() || (type == "CodeSystem" && absl::EndsWith(name, "-uri"))) {
      return WithField(absl::InvalidArgumentError(absl::StrCat("search parameter ", name, " is not supported on ",
                                                               type, "; see /fhir/metadata")),
                       name);
    }
  }
  std::vector<const Resource*> found;
  for (const auto& r : resources_) {
    if (r->type != type) continue;
    const bool match = std::all_of(params.begin(), params.end(), [&](const auto& p) {
      return Member(r->json, kMembers->at(p.first)) == p.second;
    });
    if (match) found.push_back(r.get());
  }
  std::string body = absl::StrCat(R"({"resourceType":"Bundle","type":"searchset","total":)", found.size(),
                                  R"(,"entry":[)");
  for (size_t i = 0; i < found.size(); ++i) {
    absl::StrAppend(&body, i == 0 ? "" : ",", R"({"resource":)", found[i]->text, R"(,"search":{"mode":"match"}})");
  }
  absl::StrAppend(&body, "]}");
  return Json(200, std::move(body));
}

absl::StatusOr<HttpResponse> FhirTerminology::Translate(const Params& params) const {
  if (absl::Status s = CheckParameters(params, "$translate",
                                       {"url", "system", "code", "coding", "source", "target", "targetsystem",
                                        "reverse"});
      !s.ok()) {
    return s;
  }
  absl::StatusOr<CodeInput> input = CodeOf(params);
  if (!input.ok()) return input.status();
  if (input->code.empty()) return Required("code");
  absl::StatusOr<bool> is_reverse = BoolOf(params, "reverse");
  if (!is_reverse.ok()) return is_reverse.status();
  const bool reverse = *is_reverse;
  const Resource* map = nullptr;
  if (std::string url = Get(params, "url"); !url.empty()) {
    map = FindByUrl("ConceptMap", url);
    if (map == nullptr) return absl::NotFoundError(absl::StrCat("no ConceptMap with url ", url));
  }
  // This server's value sets are its code systems (each map's sourceUri is
  // the code system it maps), so target and targetsystem name the same
  // thing: both may be given only if they agree.
  std::string target = Get(params, "targetsystem");
  if (const std::string target_set = Get(params, "target"); !target_set.empty()) {
    if (!target.empty() && target != target_set) {
      return WithField(absl::InvalidArgumentError(absl::StrCat("target ", target_set, " and targetsystem ", target,
                                                               " differ; give one of them")),
                       "target");
    }
    target = target_set;
  }
  // `source` is the value set the code is in: a map's source, or with
  // reverse (the code is then in the taxonomy, the map's target) its
  // target. Like `target` it restricts the maps considered, and when none
  // is left the code does not translate (result false), as for a target
  // this server does not know.
  const std::string source = Get(params, "source");
  const auto fits_source = [&](const Resource* m) {
    return source.empty() || (m != nullptr && (reverse ? MapTarget(m->json) : MapSource(m->json)) == source);
  };
  const auto no_map_for_source = [&](const Resource* m) {
    const absl::string_view role = reverse ? "into" : "from";
    if (m == nullptr) return TranslateAnswer({}, absl::StrCat("no ConceptMap maps ", role, " source ", source));
    return TranslateAnswer(
        {}, absl::StrCat("ConceptMap ", m->url, " maps ", role, " ", reverse ? MapTarget(m->json) : MapSource(m->json),
                         ", not ", role, " source ", source,
                         reverse ? " (with reverse, source is the value set of the code: the map's target)" : ""));
  };
  const Registry& registry = options_.normalizer->registry();

  if (reverse) {
    // From a taxonomy category (or non-answer) to the codes of `target`.
    if (!input->system.empty() && input->system != kTaxonomyUrl) {
      return WithField(absl::InvalidArgumentError(absl::StrCat("reverse $translate starts from the taxonomy ",
                                                               kTaxonomyUrl, "; system names another")),
                       "system");
    }
    const bool target_given = !target.empty();
    if (target.empty() && map != nullptr) target = std::string(MapSource(map->json));
    if (target.empty()) return Required("targetsystem");
    absl::StatusOr<const CodeSystem*> system = registry.FindSystem(target);
    if (!system.ok()) return TranslateAnswer({}, system.status().message());
    // With reverse a map's codes come back into its source: a url naming
    // the map of another code system than target cannot answer.
    if (map != nullptr && target_given && MapOf(**system) != map) {
      return WithField(absl::InvalidArgumentError(absl::StrCat("ConceptMap ", map->url, " maps from ",
                                                               MapSource(map->json), "; with reverse its codes are "
                                                               "of that list, not of target ", target)),
                       "url");
    }
    if (map == nullptr) map = MapOf(**system);
    if (!fits_source(map)) return no_map_for_source(map);
    v1::SuggestCodeRequest suggest;
    suggest.set_system(target);
    v1::Category category;
    if (input->code == "NOT_STATED") {
      suggest.set_non_answer(v1::NOT_STATED);
    } else if (input->code == "NOT_KNOWN") {
      suggest.set_non_answer(v1::NOT_KNOWN);
    } else if (v1::Category_Parse(input->code, &category) && category != v1::CATEGORY_UNSPECIFIED) {
      suggest.set_category(category);
    } else {
      return TranslateAnswer({}, absl::StrCat("code is not a category of ", kTaxonomyUrl));
    }
    absl::StatusOr<v1::SuggestCodeResponse> suggested = options_.taxonomy->SuggestCode(suggest);
    if (!suggested.ok() && suggested.status().code() == absl::StatusCode::kInvalidArgument) {
      return suggested.status();
    }
    std::vector<Match> matches;
    if (suggested.ok()) {
      const v1::SuggestedCode& s = suggested->result();
      matches.push_back({.equivalence = std::string(EquivalenceOf(s.relationship())),
                         .system = (*system)->url,
                         .code = s.code(),
                         .display = s.display(),
                         .source = map == nullptr ? "" : map->url});
    }
    // Then every other source code the map sends to this category.
    const rapidjson::Value* groups = map == nullptr ? nullptr : Array(map->json, "group");
    if (groups != nullptr) {
      for (const rapidjson::Value& group : groups->GetArray()) {
        const rapidjson::Value* elements = Array(group, "element");
        if (elements == nullptr) continue;
        for (const rapidjson::Value& element : elements->GetArray()) {
          const rapidjson::Value* targets = Array(element, "target");
          if (targets == nullptr) continue;
          for (const rapidjson::Value& t : targets->GetArray()) {
            if (Member(t, "code") != input->code) continue;
            const std::string code(Member(element, "code"));
            if (!matches.empty() && matches.front().code == code) {
              matches.front().equivalence = std::string(Member(t, "equivalence"));
              continue;
            }
            matches.push_back({.equivalence = std::string(Member(t, "equivalence")),
                               .system = std::string(Member(group, "source")),
                               .code = code,
                               .display = std::string(Member(element, "display")),
                               .source = map->url});
          }
        }
      }
    }
    return TranslateAnswer(matches, suggested.ok() ? "" : suggested.status().message());
  }

  if (input->system.empty() && map != nullptr) input->system = std::string(MapSource(map->json));
  // Like url, source names the map, so the code's system, when system is
  // left out.
  if (input->system.empty() && !source.empty()) {
    auto from = std::find_if(resources_.begin(), resources_.end(), [&](const auto& r) {
      return r->type == "ConceptMap" && fits_source(r.get());
    });
    if (from == resources_.end()) return no_map_for_source(nullptr);
    input->system = source;
  }
  if (input->system.empty()) return Required("system");
  if (target.empty()) target = map != nullptr ? std::string(MapTarget(map->json)) : std::string(kTaxonomyUrl);
  if (target != kTaxonomyUrl) {
    if (map != nullptr) {
      return WithField(absl::InvalidArgumentError(absl::StrCat("ConceptMap ", map->url, " translates into ",
                                                               kTaxonomyUrl, " only; leave url out to translate "
                                                               "between code systems through the taxonomy")),
                       "url");
    }
    // Between two agencies' code systems (the gRPC Translate): through the
    // map from the code's system, which source restricts, then the
    // target's map backwards. An unknown system is Translate's to answer.
    if (absl::StatusOr<const CodeSystem*> from = registry.FindSystem(input->system); from.ok()) {
      if (const Resource* from_map = MapOf(**from); !fits_source(from_map)) return no_map_for_source(from_map);
    }
    v1::TranslateRequest request;
    request.set_from_system(input->system);
    request.set_code(input->code);
    request.set_to_system(target);
    absl::StatusOr<v1::TranslateResponse> translated = options_.taxonomy->Translate(request);
    if (!translated.ok()) {
      if (translated.status().code() == absl::StatusCode::kInvalidArgument) return translated.status();
      return TranslateAnswer({}, translated.status().message());
    }
    absl::StatusOr<const CodeSystem*> to = registry.FindSystem(target);
    const v1::SuggestedCode& s = translated->result();
    return TranslateAnswer({{.equivalence = std::string(EquivalenceOf(s.relationship())),
                             .system = to.ok() ? (*to)->url : target,
                             .code = s.code(),
                             .display = s.display()}},
                           "");
  }
  // Into the taxonomy: every target of the code's map element.
  absl::StatusOr<Registry::CodeEntry> entry = registry.Lookup(input->system, input->code);
  if (!entry.ok()) return TranslateAnswer({}, entry.status().message());
  if (map == nullptr) map = MapOf(*entry->system);
  if (map == nullptr || MapSource(map->json) != entry->system->url) {
    return WithField(absl::InvalidArgumentError(absl::StrCat("ConceptMap ", map == nullptr ? "" : map->url,
                                                             " does not map ", entry->system->url)),
                     "url");
  }
  if (!fits_source(map)) return no_map_for_source(map);
  std::vector<Match> matches;
  if (const rapidjson::Value* groups = Array(map->json, "group"); groups != nullptr) {
    for (const rapidjson::Value& group : groups->GetArray()) {
      const rapidjson::Value* elements = Array(group, "element");
      if (elements == nullptr) continue;
      for (const rapidjson::Value& element : elements->GetArray()) {
        if (Member(element, "code") != entry->concept_->code) continue;
        const rapidjson::Value* targets = Array(element, "target");
        if (targets == nullptr) continue;
        for (const rapidjson::Value& t : targets->GetArray()) {
          Match m{.equivalence = std::string(Member(t, "equivalence")),
                  .system = std::string(Member(group, "target")),
                  .code = std::string(Member(t, "code")),
                  .display = std::string(Member(t, "display")),
                  .source = map->url};
          // The maps leave the taxonomy's labels out: they are the taxonomy's.
          v1::Category category;
          if (m.display.empty() && v1::Category_Parse(m.code, &category)) {
            if (std::optional<Category> c = api::FromProto(category)) {
              m.display = registry.taxonomy().category(*c).label;
            }
          }
          matches.push_back(std::move(m));
        }
      }
    }
  }
  return TranslateAnswer(matches, matches.empty() ? "the map has no target for this code" : "");
}

absl::StatusOr<HttpResponse> FhirTerminology::Lookup(const Params& params) const {
  if (absl::Status s = CheckParameters(params, "$lookup", {"system", "code", "coding"}); !s.ok()) return s;
  absl::StatusOr<CodeInput> input = CodeOf(params);
  if (!input.ok()) return input.status();
  if (input->system.empty()) return Required("system");
  if (input->code.empty()) return Required("code");
  absl::StatusOr<Registry::CodeEntry> entry = options_.normalizer->registry().Lookup(input->system, input->code);
  if (!entry.ok()) return entry.status();
  const CodeSystem& system = *entry->system;
  const Concept& c = *entry->concept_;
  return Parameters([&](Writer& w) {
    Param(w, "name", "valueString", system.title);
    Param(w, "version", "valueString", system.version);
    Param(w, "display", "valueString", c.display);
    const auto property = [&w](absl::string_view code, absl::string_view type, absl::string_view value) {
      w.StartObject();
      Key(w, "name");
      Str(w, "property");
      Key(w, "part");
      w.StartArray();
      Param(w, "code", "valueCode", code);
      Param(w, "value", type, value);
      w.EndArray();
      w.EndObject();
    };
    if (!c.parent.empty()) property("parent", "valueCode", c.parent);
    if (!c.status.empty()) property("status", "valueCode", c.status);
  });
}

absl::StatusOr<HttpResponse> FhirTerminology::ValidateCode(const Params& params) const {
  if (absl::Status s = CheckParameters(params, "$validate-code", {"url", "system", "code", "coding", "display"});
      !s.ok()) {
    return s;
  }
  absl::StatusOr<CodeInput> input = CodeOf(params);
  if (!input.ok()) return input.status();
  // R4 names the code system `url`; `system` (or a coding's) is accepted
  // too, and the two must agree.
  if (const std::string url = Get(params, "url"); !url.empty()) {
    if (!input->system.empty() && input->system != url) {
      return WithField(absl::InvalidArgumentError(absl::StrCat("url ", url, " and system ", input->system,
                                                               " differ; give one of them")),
                       "url");
    }
    input->system = url;
  }
  if (input->system.empty()) return Required("url");
  if (input->code.empty()) return Required("code");
  const Registry& registry = options_.normalizer->registry();
  if (absl::StatusOr<const CodeSystem*> system = registry.FindSystem(input->system); !system.ok()) {
    return system.status();
  }
  absl::StatusOr<Registry::CodeEntry> entry = registry.Lookup(input->system, input->code);
  const std::string display = Get(params, "display");
  return Parameters([&](Writer& w) {
    if (!entry.ok()) {
      BoolParam(w, "result", false);
      Param(w, "message", "valueString", entry.status().message());
      return;
    }
    const bool display_ok = display.empty() || display == entry->concept_->display;
    BoolParam(w, "result", display_ok);
    if (!display_ok) {
      Param(w, "message", "valueString", "the code is valid, but its display is not the one given");
    }
    Param(w, "display", "valueString", entry->concept_->display);
  });
}

}  // namespace ethrec::service
