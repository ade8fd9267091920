// Reads the targets of one ConceptMap element into a MapEntry. Internal to
// mapping/: the Registry's loader (registry.cc) calls it for every element.
#ifndef ETHREC_MAPPING_INTERNAL_MAP_TARGETS_H_
#define ETHREC_MAPPING_INTERNAL_MAP_TARGETS_H_

#include <string>

#include "mapping/code_system.h"
#include "mapping/internal/json_reader.h"
#include "rapidjson/document.h"

namespace ethrec::mapping_internal {

// Reads `element`'s targets (at JSON path `epath`) into `entry`: the
// categories in order, the relationship of the source to their set, the
// detail and the reason. Returns false, with every problem in `sink`, when
// the element is invalid.
bool ReadTargets(const rapidjson::Value& element, const std::string& epath, ProblemSink& sink,
                 MapEntry* entry);

}  // namespace ethrec::mapping_internal

#endif  // ETHREC_MAPPING_INTERNAL_MAP_TARGETS_H_
