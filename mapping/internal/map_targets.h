// Reads the targets of one ConceptMap element into a MapEntry. Internal to
// mapping/: the Registry's loader (registry.cc) calls it for every element.
#ifndef ETHREC_MAPPING_INTERNAL_MAP_TARGETS_H_
#define ETHREC_MAPPING_INTERNAL_MAP_TARGETS_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "mapping/code_system.h"
#include "mapping/internal/json_reader.h"
#include "rapidjson/document.h"

namespace ethrec::mapping_internal {

// The standard extension that carries an R5 ConceptMap relationship in R4
// (FHIR cross-version extensions, R5 for use in R4). Its valueCode is the R5 code.
inline constexpr absl::string_view kR5RelationshipExtensionUrl =
    "http://hl7.org/fhir/5.0/StructureDefinition/extension-ConceptMap.group.element.target.relationship";

// The R5 relationship of an R4 ConceptMap equivalence, by FHIR's official
// R4 -> R5 map (ConceptMap4Bto5): equivalent and equal are equivalent; wider
// and subsumes are source-is-narrower-than-target (R4 reads from the target:
// the target is wider); narrower and specializes are
// source-is-broader-than-target; relatedto and inexact are related-to;
// unmatched and disjoint are not-related-to. nullopt for any other text.
std::optional<Relationship> RelationshipFromEquivalence(absl::string_view equivalence);

// The relationship of one ConceptMap target (at JSON path `tpath`), read from
// whichever of these it has: the R4 "equivalence" (required in R4), the R5
// relationship extension, and, for maps written before ethrec used R4, the R5
// "relationship" element. When several are present they must agree. Returns
// nullopt, with every problem in `sink`, when none is present, one is
// unknown, they disagree, or the target is not-related-to (which places no
// code).
std::optional<Relationship> ReadRelationship(const rapidjson::Value& target, const std::string& tpath,
                                             ProblemSink& sink);

// Reads `element`'s targets (at JSON path `epath`) into `entry`: the
// categories in order, the relationship of the source to their set, the
// detail and the reason. Returns false, with every problem in `sink`, when
// the element is invalid.
bool ReadTargets(const rapidjson::Value& element, const std::string& epath, ProblemSink& sink,
                 MapEntry* entry);

}  // namespace ethrec::mapping_internal

#endif  // ETHREC_MAPPING_INTERNAL_MAP_TARGETS_H_
