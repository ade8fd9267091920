#include "mapping/internal/map_targets.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"

namespace ethrec::mapping_internal {

namespace {

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

}  // namespace ethrec::mapping_internal
