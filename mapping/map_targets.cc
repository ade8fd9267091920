#include "mapping/internal/map_targets.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace ethrec::mapping_internal {

namespace {

constexpr absl::string_view kExpectedEquivalences = "equivalent, wider, narrower or relatedto";
constexpr absl::string_view kExpectedRelationships =
    "equivalent, source-is-narrower-than-target, source-is-broader-than-target or related-to";

// The value of the one R5 relationship extension on `target`: nullopt when
// there is none; "" (with a problem) when it is malformed or repeated.
std::optional<std::string> R5RelationshipExtension(const rapidjson::Value& target,
                                                   const std::string& tpath, ProblemSink& sink,
                                                   std::string* path) {
  const rapidjson::Value* extensions = OptionalArray(target, tpath, "extension", sink);
  if (extensions == nullptr) return std::nullopt;
  std::optional<std::string> found;
  for (rapidjson::SizeType i = 0; i < extensions->Size(); ++i) {
    const rapidjson::Value& e = (*extensions)[i];
    const std::string epath = Index(Child(tpath, "extension"), i);
    if (!e.IsObject()) {
      sink.Add(epath, "must be an object");
      continue;
    }
    if (StringMember(e, "url") != kR5RelationshipExtensionUrl) continue;
    if (found) {
      sink.Add(epath, "the R5 relationship extension is given twice");
      return "";
    }
    *path = Child(epath, "valueCode");
    found = RequiredString(e, epath, "valueCode", sink).value_or("");
  }
  return found;
}

}  // namespace

std::optional<Relationship> RelationshipFromEquivalence(absl::string_view equivalence) {
  if (equivalence == "equivalent" || equivalence == "equal") return Relationship::kEquivalent;
  if (equivalence == "wider" || equivalence == "subsumes") return Relationship::kSourceIsNarrowerThanTarget;
  if (equivalence == "narrower" || equivalence == "specializes") {
    return Relationship::kSourceIsBroaderThanTarget;
  }
  if (equivalence == "relatedto" || equivalence == "inexact") return Relationship::kRelatedTo;
  if (equivalence == "unmatched" || equivalence == "disjoint") return Relationship::kNotRelatedTo;
  return std::nullopt;
}

std::optional<Relationship> ReadRelationship(const rapidjson::Value& target, const std::string& tpath,
                                             ProblemSink& sink) {
  const size_t before = sink.count();
  // Each form present, with the JSON path of the field it came from.
  std::vector<std::pair<Relationship, std::string>> read;
  if (target.HasMember("equivalence")) {
    if (auto r4 = RequiredString(target, tpath, "equivalence", sink)) {
      if (auto rel = RelationshipFromEquivalence(*r4)) {
        read.emplace_back(*rel, Child(tpath, "equivalence"));
      } else {
        sink.Add(Child(tpath, "equivalence"),
                 absl::StrCat("unknown R4 equivalence \"", *r4, "\" (expected ", kExpectedEquivalences, ")"));
      }
    }
  }
  std::string ext_path;
  const std::optional<std::string> r5_ext = R5RelationshipExtension(target, tpath, sink, &ext_path);
  // The legacy R5 form keeps its own field and message.
  const bool legacy = target.HasMember("relationship");
  std::optional<std::string> r5_field;
  if (legacy) r5_field = RequiredString(target, tpath, "relationship", sink);
  auto read_r5 = [&](const std::optional<std::string>& name, const std::string& path) {
    if (!name || name->empty()) return;  // absent, or already reported
    if (auto rel = ParseRelationship(*name)) {
      read.emplace_back(*rel, path);
    } else {
      sink.Add(path, absl::StrCat("unknown relationship \"", *name, "\" (expected ", kExpectedRelationships, ")"));
    }
  };
  read_r5(r5_ext, ext_path);
  read_r5(r5_field, Child(tpath, "relationship"));
  if (!target.HasMember("equivalence") && !legacy) {
    sink.Add(tpath, "missing required \"equivalence\" (R4; a legacy R5 map may give \"relationship\")");
  }
  if (sink.count() != before || read.empty()) return std::nullopt;
  for (const auto& [rel, path] : read) {
    if (rel != read.front().first) {
      sink.Add(path, absl::StrCat("says ", RelationshipName(rel), " but ", read.front().second, " says ",
                                  RelationshipName(read.front().first)));
      return std::nullopt;
    }
  }
  if (read.front().first == Relationship::kNotRelatedTo) {
    sink.Add(read.front().second, "not-related-to cannot place a code; leave the target out");
    return std::nullopt;
  }
  return read.front().first;
}

bool ReadTargets(const rapidjson::Value& element, const std::string& epath, ProblemSink& sink,
                 MapEntry* entry) {
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
    const std::optional<Relationship> rel = ReadRelationship(target, tpath, sink);
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
    if (!code || !rel) continue;
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

}  // namespace ethrec::mapping_internal
