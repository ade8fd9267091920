// Test-only: a valid local code list (a CodeSystem and its ConceptMap, in
// the legacy R5 "relationship" form that ethrec still reads) and helpers that
// edit it one rule at a time, for the Registry loading tests.
#ifndef ETHREC_TESTS_MAPPING_LOCAL_LIST_FIXTURE_H_
#define ETHREC_TESTS_MAPPING_LOCAL_LIST_FIXTURE_H_

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapping/registry.h"
#include "rapidjson/document.h"
#include "rapidjson/pointer.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace ethrec {

// Readable failure output for the problem matchers.
inline void PrintTo(const LoadProblem& p, std::ostream* os) { *os << "{" << p.ToString() << "}"; }

namespace testing {

inline constexpr char kSystemFile[] = "codesystem-local-camden-csc.json";
inline constexpr char kMapFile[] = "conceptmap-local-camden-csc.json";

// A valid local list: five codes, one non-answer (RF), one with several
// targets (WO), one with a detail and a parent (BAS). The tests below break
// it one rule at a time.
inline constexpr char kCamdenSystem[] = R"json({
  "resourceType": "CodeSystem",
  "id": "local-camden-csc",
  "url": "urn:example:codesystem:local-camden-csc",
  "version": "2023.2",
  "title": "Local children's social care ethnicity list (synthetic)",
  "caseSensitive": false,
  "extension": [{"url": "urn:ethrec:recording-basis", "valueCode": "self-defined"}],
  "concept": [
    {"code": "WB", "display": "White British"},
    {"code": "WO", "display": "White other, including Roma"},
    {"code": "BA", "display": "Black African"},
    {"code": "BAS", "display": "Black African - Somali",
     "property": [{"code": "parent", "valueCode": "BA"}]},
    {"code": "RF", "display": "Refused"}
  ]
})json";

inline constexpr char kCamdenMap[] = R"json({
  "resourceType": "ConceptMap",
  "id": "local-camden-csc-to-ons-2021-ew",
  "version": "1.2.0",
  "sourceUri": "urn:example:codesystem:local-camden-csc",
  "targetUri": "urn:ethrec:taxonomy:ons-2021-ew",
  "group": [{
    "source": "urn:example:codesystem:local-camden-csc",
    "target": "urn:ethrec:taxonomy:ons-2021-ew",
    "element": [
      {"code": "WB", "target": [{"code": "WHITE_BRITISH", "relationship": "equivalent",
                                 "comment": "Same meaning as ONS 2021 White British."}]},
      {"code": "WO", "target": [
        {"code": "WHITE_OTHER", "relationship": "source-is-broader-than-target",
         "comment": "Roma are recorded under White other; most people here are Other White."},
        {"code": "WHITE_ROMA", "relationship": "source-is-broader-than-target"}]},
      {"code": "BA", "target": [{"code": "BLACK_AFRICAN", "relationship": "equivalent",
                                 "comment": "Same meaning as ONS 2021 Black African."}]},
      {"code": "BAS", "target": [{"code": "BLACK_AFRICAN",
                                  "relationship": "source-is-narrower-than-target",
                                  "comment": "Somali is an African background.",
                                  "product": [{"property": "detail", "value": "Somali"}]}]},
      {"code": "RF", "target": [{"code": "NOT_STATED", "relationship": "equivalent",
                                 "comment": "The person declined to say."}]}
    ]
  }]
})json";

// One change to a JSON document: set the value at a JSON pointer (RFC 6901,
// "-" appends to an array) to `json`, or erase it when `json` is nullopt.
struct Edit {
  std::string pointer;
  std::optional<std::string> json;
};

inline Edit Set(std::string pointer, std::string json) { return Edit{std::move(pointer), std::move(json)}; }
inline Edit Erase(std::string pointer) { return Edit{std::move(pointer), std::nullopt}; }

// `base` with `edits` applied, as JSON text.
inline std::string Edited(const char* base, const std::vector<Edit>& edits) {
  rapidjson::Document doc;
  doc.Parse(base);
  EXPECT_FALSE(doc.HasParseError()) << "bad test JSON";
  for (const Edit& e : edits) {
    rapidjson::Pointer pointer(e.pointer.c_str());
    EXPECT_TRUE(pointer.IsValid()) << e.pointer;
    if (!e.json) {
      EXPECT_TRUE(pointer.Erase(doc)) << "nothing to erase at " << e.pointer;
      continue;
    }
    rapidjson::Document value;
    value.Parse(e.json->c_str());
    EXPECT_FALSE(value.HasParseError()) << "bad test JSON " << *e.json;
    pointer.Set(doc, rapidjson::Value(value, doc.GetAllocator()));
  }
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buf);
  doc.Accept(writer);
  return buf.GetString();
}

inline std::vector<DataSource> CamdenSources(const std::vector<Edit>& system_edits = {},
                                      const std::vector<Edit>& map_edits = {}) {
  return {DataSource{kSystemFile, Edited(kCamdenSystem, system_edits)},
          DataSource{kMapFile, Edited(kCamdenMap, map_edits)}};
}

// Matches a LoadProblem in `file` whose JSON path contains `path` and whose
// reason contains `reason`.
inline auto ProblemIs(const std::string& file, const std::string& path, const std::string& reason) {
  return ::testing::AllOf(::testing::Field("file", &LoadProblem::file, file),
                          ::testing::Field("json_path", &LoadProblem::json_path, ::testing::HasSubstr(path)),
                          ::testing::Field("reason", &LoadProblem::reason, ::testing::HasSubstr(reason)));
}

}  // namespace testing
}  // namespace ethrec

#endif  // ETHREC_TESTS_MAPPING_LOCAL_LIST_FIXTURE_H_
