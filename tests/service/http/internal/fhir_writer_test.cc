// service/http/internal/fhir_writer.h: the RapidJSON helpers and the
// CapabilityStatement of /fhir/metadata (written in fhir_capability.cc),
// read back as JSON.
#include "service/http/internal/fhir_writer.h"

#include <map>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"

namespace ethrec::service::http_internal {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

TEST(FhirWriterTest, KeyAndStrWriteExactlyTheViewGiven) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  const std::string text = "system-code-tail";
  w.StartObject();
  Key(w, absl::string_view(text).substr(0, 6));  // "system", not the whole string
  Str(w, absl::string_view(text).substr(7, 4));  // "code"
  Key(w, "quote");
  Str(w, "a \"b\"");
  w.EndObject();
  EXPECT_EQ(std::string(buffer.GetString()), R"({"system":"code","quote":"a \"b\""})");
}

class CapabilityStatementTest : public ::testing::Test {
 protected:
  void SetUp() override {
    json_ = CapabilityStatementJson("9.8.7");
    ASSERT_FALSE(doc_.Parse(json_.c_str()).HasParseError()) << json_;
    ASSERT_TRUE(doc_.IsObject());
  }

  // The rest resource of `type`, or null.
  const rapidjson::Value* Resource(const std::string& type) const {
    for (const rapidjson::Value& r : doc_["rest"][0]["resource"].GetArray()) {
      if (type == r["type"].GetString()) return &r;
    }
    return nullptr;
  }

  std::string json_;
  rapidjson::Document doc_;
};

TEST_F(CapabilityStatementTest, NamesTheServerAndItsVersion) {
  EXPECT_STREQ(doc_["resourceType"].GetString(), "CapabilityStatement");
  EXPECT_STREQ(doc_["status"].GetString(), "active");
  EXPECT_STREQ(doc_["kind"].GetString(), "instance");
  EXPECT_STREQ(doc_["fhirVersion"].GetString(), "4.0.1");
  EXPECT_STREQ(doc_["software"]["name"].GetString(), "ethrecd");
  EXPECT_STREQ(doc_["software"]["version"].GetString(), "9.8.7");
  // Today (UTC); the day may turn between the two reads.
  const std::string date = doc_["date"].GetString();
  EXPECT_THAT(date, ::testing::AnyOf(absl::FormatTime("%Y-%m-%d", absl::Now(), absl::UTCTimeZone()),
                                     absl::FormatTime("%Y-%m-%d", absl::Now() - absl::Minutes(1), absl::UTCTimeZone())));
  std::vector<std::string> formats;
  for (const rapidjson::Value& f : doc_["format"].GetArray()) formats.emplace_back(f.GetString());
  EXPECT_THAT(formats, ElementsAre("application/fhir+json", "json"));
  ASSERT_EQ(doc_["rest"].Size(), 1u);
  EXPECT_STREQ(doc_["rest"][0]["mode"].GetString(), "server");
}

TEST_F(CapabilityStatementTest, CodeSystemAndConceptMapWithTheirInteractionsAndOperations) {
  for (const char* type : {"CodeSystem", "ConceptMap"}) {
    const rapidjson::Value* r = Resource(type);
    ASSERT_NE(r, nullptr) << type;
    std::vector<std::string> interactions;
    for (const rapidjson::Value& i : (*r)["interaction"].GetArray()) interactions.emplace_back(i["code"].GetString());
    EXPECT_THAT(interactions, ElementsAre("read", "search-type")) << type;
  }
  const auto operations = [](const rapidjson::Value& r) {
    std::map<std::string, std::string> out;
    for (const rapidjson::Value& o : r["operation"].GetArray()) out[o["name"].GetString()] = o["definition"].GetString();
    return out;
  };
  EXPECT_THAT(operations(*Resource("CodeSystem")),
              UnorderedElementsAre(
                  ::testing::Pair("lookup", "http://hl7.org/fhir/OperationDefinition/CodeSystem-lookup"),
                  ::testing::Pair("validate-code", "http://hl7.org/fhir/OperationDefinition/CodeSystem-validate-code")));
  EXPECT_THAT(operations(*Resource("ConceptMap")),
              ElementsAre(::testing::Pair("translate", "http://hl7.org/fhir/OperationDefinition/ConceptMap-translate")));
}

TEST_F(CapabilityStatementTest, SearchParametersHaveTheirFhirTypes) {
  const auto params = [](const rapidjson::Value& r) {
    std::map<std::string, std::string> out;
    for (const rapidjson::Value& p : r["searchParam"].GetArray()) out[p["name"].GetString()] = p["type"].GetString();
    return out;
  };
  const std::map<std::string, std::string> code_system = {
      {"_id", "token"}, {"url", "uri"}, {"name", "string"}, {"version", "string"}, {"status", "string"}};
  EXPECT_EQ(params(*Resource("CodeSystem")), code_system);
  std::map<std::string, std::string> concept_map = code_system;
  concept_map["source-uri"] = "uri";
  concept_map["target-uri"] = "uri";
  EXPECT_EQ(params(*Resource("ConceptMap")), concept_map);
}

}  // namespace
}  // namespace ethrec::service::http_internal
