// Builds the Taxonomy from the taxonomy CodeSystem (mapping/data/
// taxonomy-ons-2021-ew.json). Internal to mapping/: the Registry's loader
// (registry.cc) calls it; Taxonomy befriends it.
#ifndef ETHREC_MAPPING_INTERNAL_TAXONOMY_BUILDER_H_
#define ETHREC_MAPPING_INTERNAL_TAXONOMY_BUILDER_H_

#include "mapping/internal/json_reader.h"
#include "mapping/taxonomy.h"
#include "rapidjson/document.h"

namespace ethrec {

class TaxonomyBuilder {
 public:
  // Fills `taxonomy` from the taxonomy CodeSystem; problems go to `sink`.
  static void Build(const rapidjson::Value& doc, mapping_internal::ProblemSink& sink, Taxonomy* taxonomy);
};

namespace mapping_internal {
using ::ethrec::TaxonomyBuilder;
}  // namespace mapping_internal

}  // namespace ethrec

#endif  // ETHREC_MAPPING_INTERNAL_TAXONOMY_BUILDER_H_
