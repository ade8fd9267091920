// HttpApi in process (no sockets), over the built-in Normalizer and a
// MemoryStore: the FHIR terminology API, the JSON API, identity, access,
// audit and metrics. The same answers as the gRPC calls' logic (TaxonomyApi)
// are checked by calling it directly. Synthetic data only.
#include "service/http/http_api.h"

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapping/observation.h"
#include "mapping/registry.h"
#include "rapidjson/document.h"
#include "tests/service/api_fixtures.h"

namespace ethrec::service {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

rapidjson::Document Parse(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str());
  EXPECT_FALSE(doc.HasParseError()) << body;
  return doc;
}

// The `name` parameters of a FHIR Parameters resource.
std::vector<const rapidjson::Value*> ParamsNamed(const rapidjson::Value& parameters, const char* name) {
  std::vector<const rapidjson::Value*> out;
  for (const auto& p : parameters["parameter"].GetArray()) {
    if (std::string(p["name"].GetString()) == name) out.push_back(&p);
  }
  return out;
}

// A match's part `name`.
const rapidjson::Value* Part(const rapidjson::Value& match, const char* name) {
  for (const auto& p : match["part"].GetArray()) {
    if (std::string(p["name"].GetString()) == name) return &p;
  }
  return nullptr;
}

class HttpApiTest : public ::testing::Test {
 protected:
  HttpApiTest() {
    absl::StatusOr<std::unique_ptr<FhirTerminology>> fhir =
        FhirTerminology::Create({.normalizer = normalizer_, .taxonomy = &taxonomy_, .software_version = "test"});
    EXPECT_TRUE(fhir.ok()) << fhir.status();
    fhir_ = *std::move(fhir);
    api_ = std::make_unique<HttpApi>(HttpApi::Options{.gate = &gate_,
                                                      .taxonomy = &taxonomy_,
                                                      .records = &records_,
                                                      .findings = &findings_,
                                                      .audit = &audit_,
                                                      .fhir = fhir_.get(),
                                                      .metrics = &metrics_});
  }

  // A request from agency camden-csc as `role` (headers, as without TLS).
  HttpResponse Call(const std::string& method, const std::string& path,
                    std::vector<std::pair<std::string, std::string>> query = {}, const std::string& body = "",
                    const std::string& role = "record-system", const std::string& content_type = "application/json") {
    HttpRequest request{.method = method, .path = path, .query = std::move(query), .content_type = content_type,
                        .body = body};
    request.peer = {.agency_header = "camden-csc",
                    .role_header = role,
                    .has_agency_header = true,
                    .has_role_header = !role.empty(),
                    .address = "ipv4:127.0.0.1:40000"};
    return api_->Serve(request);
  }

  const Normalizer* normalizer_ = &::ethrec::testing::BuiltinNormalizer();
  std::unique_ptr<MemoryStore> store_ = ::ethrec::testing::StoreWithFindings();
  const CallGate gate_{IdentityOptions{}};
  TaxonomyApi taxonomy_{{.normalizer = normalizer_}};
  RecordsApi records_{{.normalizer = normalizer_, .store = store_.get()}};
  FindingsApi findings_{{.store = store_.get(), .taxonomy = &normalizer_->registry().taxonomy()}};
  AuditApi audit_{{.store = store_.get()}};
  Metrics metrics_{"test"};
  std::unique_ptr<FhirTerminology> fhir_;
  std::unique_ptr<HttpApi> api_;
};

TEST_F(HttpApiTest, MetadataIsACapabilityStatementNamingTheOperations) {
  HttpResponse r = Call("GET", "/fhir/metadata");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/fhir+json");
  rapidjson::Document doc = Parse(r.body);
  EXPECT_STREQ(doc["resourceType"].GetString(), "CapabilityStatement");
  EXPECT_STREQ(doc["fhirVersion"].GetString(), "4.0.1");
  EXPECT_THAT(r.body, AllOf(HasSubstr("ConceptMap-translate"), HasSubstr("CodeSystem-lookup"),
                            HasSubstr("CodeSystem-validate-code")));
}

TEST_F(HttpApiTest, ReadsAndSearchesTheLoadedResources) {
  HttpResponse read = Call("GET", "/fhir/CodeSystem/dfe");
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_STREQ(Parse(read.body)["url"].GetString(), "urn:ethrec:codesystem:dfe");

  HttpResponse all = Call("GET", "/fhir/ConceptMap");
  ASSERT_EQ(all.status, 200);
  rapidjson::Document bundle = Parse(all.body);
  EXPECT_STREQ(bundle["type"].GetString(), "searchset");
  EXPECT_EQ(bundle["total"].GetInt(), static_cast<int>(normalizer_->registry().systems().size()));

  HttpResponse by_url = Call("GET", "/fhir/CodeSystem", {{"url", "http://snomed.info/sct"}});
  rapidjson::Document one = Parse(by_url.body);
  ASSERT_EQ(one["total"].GetInt(), 1) << by_url.body;
  EXPECT_STREQ(one["entry"][0]["resource"]["id"].GetString(), "snomed-ct");

  HttpResponse unknown = Call("GET", "/fhir/ConceptMap/no-such-map");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_STREQ(Parse(unknown.body)["resourceType"].GetString(), "OperationOutcome");

  HttpResponse bad_param = Call("GET", "/fhir/CodeSystem", {{"publisher", "x"}});
  EXPECT_EQ(bad_param.status, 400);
  EXPECT_THAT(bad_param.body, HasSubstr("publisher"));
}

TEST_F(HttpApiTest, TranslateIntoTheTaxonomyGivesEveryTargetWithItsEquivalence) {
  // NHS C ('Any other White background') stands for several categories.
  HttpResponse r = Call("GET", "/fhir/ConceptMap/$translate",
                        {{"system", "urn:ethrec:codesystem:nhs-ethnic-category"}, {"code", "C"}});
  ASSERT_EQ(r.status, 200) << r.body;
  rapidjson::Document doc = Parse(r.body);
  EXPECT_TRUE((*ParamsNamed(doc, "result")[0])["valueBoolean"].GetBool());
  std::vector<const rapidjson::Value*> matches = ParamsNamed(doc, "match");
  absl::StatusOr<Registry::CodeEntry> entry =
      normalizer_->registry().Lookup("urn:ethrec:codesystem:nhs-ethnic-category", "C");
  ASSERT_TRUE(entry.ok());
  ASSERT_EQ(matches.size(), entry->concept_->mapping.ranked.size()) << r.body;
  ASSERT_GE(matches.size(), 2u);
  for (const rapidjson::Value* m : matches) {
    EXPECT_STREQ((*Part(*m, "equivalence"))["valueCode"].GetString(), "narrower");
    const rapidjson::Value& coding = (*Part(*m, "concept"))["valueCoding"];
    EXPECT_STREQ(coding["system"].GetString(), "urn:ethrec:taxonomy:ons-2021-ew");
    EXPECT_TRUE(coding.HasMember("display") && coding["display"].GetStringLength() > 0) << r.body;
  }
}

TEST_F(HttpApiTest, TranslateBetweenSystemsIsTheGrpcTranslate) {
  for (const auto& [from, code, to] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"dfe", "BSOM", "nhs-ethnic-category"}, {"nhs-ethnic-category", "A", "dfe"}, {"dfe", "WROM", "ons-2021"}}) {
    v1::TranslateRequest request;
    request.set_from_system(from);
    request.set_code(code);
    request.set_to_system(to);
    absl::StatusOr<v1::TranslateResponse> grpc = taxonomy_.Translate(request);
    ASSERT_TRUE(grpc.ok()) << grpc.status();
    // POST with Parameters, as FHIR clients send it.
    const std::string body = absl::StrCat(
        R"({"resourceType":"Parameters","parameter":[{"name":"coding","valueCoding":{"system":")",
        (*normalizer_->registry().FindSystem(from))->url, R"(","code":")", code,
        R"("}},{"name":"targetsystem","valueUri":")", (*normalizer_->registry().FindSystem(to))->url, R"("}]})");
    HttpResponse r = Call("POST", "/fhir/ConceptMap/$translate", {}, body, "record-system", "application/fhir+json");
    ASSERT_EQ(r.status, 200) << r.body;
    rapidjson::Document doc = Parse(r.body);
    std::vector<const rapidjson::Value*> matches = ParamsNamed(doc, "match");
    ASSERT_EQ(matches.size(), 1u) << r.body;
    EXPECT_EQ((*Part(*matches[0], "concept"))["valueCoding"]["code"].GetString(), grpc->result().code());
  }
}

TEST_F(HttpApiTest, ReverseTranslateListsSuggestCodesAnswerFirst) {
  v1::SuggestCodeRequest suggest;
  suggest.set_system("dfe");
  suggest.set_category(v1::BLACK_AFRICAN);
  absl::StatusOr<v1::SuggestCodeResponse> grpc = taxonomy_.SuggestCode(suggest);
  ASSERT_TRUE(grpc.ok()) << grpc.status();
  HttpResponse r = Call("GET", "/fhir/ConceptMap/$translate",
                        {{"system", "urn:ethrec:taxonomy:ons-2021-ew"},
                         {"code", "BLACK_AFRICAN"},
                         {"targetsystem", "urn:ethrec:codesystem:dfe"},
                         {"reverse", "true"}});
  ASSERT_EQ(r.status, 200) << r.body;
  rapidjson::Document doc = Parse(r.body);
  std::vector<const rapidjson::Value*> matches = ParamsNamed(doc, "match");
  ASSERT_GE(matches.size(), 2u) << r.body;  // BAFR and the extended African codes (BSOM, ...)
  EXPECT_EQ((*Part(*matches[0], "concept"))["valueCoding"]["code"].GetString(), grpc->result().code());
  EXPECT_THAT(r.body, HasSubstr("\"BSOM\""));
}

TEST_F(HttpApiTest, LookupAndValidateCode) {
  HttpResponse lookup = Call("GET", "/fhir/CodeSystem/$lookup", {{"system", "urn:ethrec:codesystem:dfe"}, {"code", "BSOM"}});
  ASSERT_EQ(lookup.status, 200) << lookup.body;
  rapidjson::Document doc = Parse(lookup.body);
  const std::string display = (*ParamsNamed(doc, "display")[0])["valueString"].GetString();
  EXPECT_EQ(display, (*normalizer_->registry().LookupCode("dfe", "BSOM"))->display);

  HttpResponse missing = Call("GET", "/fhir/CodeSystem/$lookup", {{"system", "urn:ethrec:codesystem:dfe"}, {"code", "ZZZZ"}});
  EXPECT_EQ(missing.status, 404) << missing.body;
  HttpResponse no_code = Call("GET", "/fhir/CodeSystem/$lookup", {{"system", "urn:ethrec:codesystem:dfe"}});
  EXPECT_EQ(no_code.status, 400);
  EXPECT_THAT(no_code.body, AllOf(HasSubstr("OperationOutcome"), HasSubstr("\"expression\":[\"code\"]")));

  HttpResponse valid = Call("GET", "/fhir/CodeSystem/$validate-code", {{"url", "urn:ethrec:codesystem:dfe"}, {"code", "BSOM"}});
  EXPECT_TRUE((*ParamsNamed(Parse(valid.body), "result")[0])["valueBoolean"].GetBool()) << valid.body;
  HttpResponse invalid = Call("GET", "/fhir/CodeSystem/$validate-code", {{"url", "urn:ethrec:codesystem:dfe"}, {"code", "ZZZZ"}});
  EXPECT_EQ(invalid.status, 200);
  EXPECT_FALSE((*ParamsNamed(Parse(invalid.body), "result")[0])["valueBoolean"].GetBool()) << invalid.body;
}

TEST_F(HttpApiTest, JsonApiUsesProtobufsJsonMapping) {
  HttpResponse r = Call("POST", "/v1/normalize", {}, R"({"system":"dfe","code":"BSOM"})");
  ASSERT_EQ(r.status, 200) << r.body;
  v1::NormalizeRequest request;
  request.set_system("dfe");
  request.set_code("BSOM");
  v1::NormalizeResponse expected = *taxonomy_.Normalize(request);
  v1::NormalizeResponse got;
  ASSERT_TRUE(ParseJsonMessage(r.body, &got).ok());
  EXPECT_EQ(got.SerializeAsString(), expected.SerializeAsString());

  // GET: query parameters by proto or JSON name.
  HttpResponse get = Call("GET", "/v1/translate", {{"from_system", "dfe"}, {"code", "BSOM"}, {"toSystem", "nhs-ethnic-category"}});
  ASSERT_EQ(get.status, 200) << get.body;
  v1::TranslateRequest translate;
  translate.set_from_system("dfe");
  translate.set_code("BSOM");
  translate.set_to_system("nhs-ethnic-category");
  v1::TranslateResponse translated;
  ASSERT_TRUE(ParseJsonMessage(get.body, &translated).ok());
  EXPECT_EQ(translated.SerializeAsString(), taxonomy_.Translate(translate)->SerializeAsString());
}

TEST_F(HttpApiTest, BadJsonIs400NamingTheFieldNeverTheValue) {
  HttpResponse wrong_type = Call("POST", "/v1/normalize", {}, R"({"system":"dfe","code":{"x":"secret-9990000018"}})");
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_THAT(wrong_type.body, AllOf(HasSubstr("\"field\":\"code\""), Not(HasSubstr("9990000018"))));

  HttpResponse unknown = Call("POST", "/v1/normalize", {}, R"({"sytem":"dfe"})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_THAT(unknown.body, HasSubstr("sytem"));

  HttpResponse syntax = Call("POST", "/v1/normalize", {}, R"({"system": "9990000018)");
  EXPECT_EQ(syntax.status, 400);
  EXPECT_THAT(syntax.body, Not(HasSubstr("9990000018")));

  HttpResponse page = Call("GET", "/v1/findings", {{"page_size", "many"}});
  EXPECT_EQ(page.status, 400);
  EXPECT_THAT(page.body, HasSubstr("page_size"));

  HttpResponse no_field = Call("GET", "/v1/findings", {{"colour", "blue"}});
  EXPECT_EQ(no_field.status, 400);
  EXPECT_THAT(no_field.body, HasSubstr("colour"));
}

TEST_F(HttpApiTest, ErrorsAreGoogleRpcStatusWithTheGatesCodes) {
  HttpResponse anonymous = Call("POST", "/v1/normalize", {}, R"({"system":"dfe","code":"BSOM"})", "");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_THAT(anonymous.body, AllOf(HasSubstr("\"code\":16"), HasSubstr("x-ethrec-role")));
  HttpResponse auditor = Call("POST", "/v1/normalize", {}, R"({"system":"dfe","code":"BSOM"})", "auditor");
  EXPECT_EQ(auditor.status, 403);
  EXPECT_THAT(auditor.body, HasSubstr("google.rpc.ErrorInfo"));
  HttpResponse fhir_auditor = Call("GET", "/fhir/metadata", {}, "", "auditor");
  EXPECT_EQ(fhir_auditor.status, 403);
  EXPECT_THAT(fhir_auditor.body, HasSubstr("forbidden"));
  HttpResponse nowhere = Call("GET", "/v1/nothing-here");
  EXPECT_EQ(nowhere.status, 404);
  HttpResponse wrong_verb = Call("GET", "/v1/normalize");
  EXPECT_EQ(wrong_verb.status, 501);
}

TEST_F(HttpApiTest, ChildReadsAreAuditedAsHttpCalls) {
  const std::string nhs = SyntheticNhsNumber(4242);
  const std::string observation = absl::StrCat(
      R"({"observation":{"child":{"nhsNumber":")", nhs,
      R"("},"recordId":"r1","recordVersion":"1","system":"dfe","code":"BSOM","suppliedBy":"SELF","recordedAt":"2025-11-01T00:00:00Z"}})");
  HttpResponse written = Call("POST", "/v1/observations", {}, observation);
  ASSERT_EQ(written.status, 200) << written.body;
  HttpResponse child = Call("POST", "/v1/children:get", {}, absl::StrCat(R"({"child":{"nhsNumber":")", nhs, R"("}})"));
  ASSERT_EQ(child.status, 200) << child.body;
  EXPECT_THAT(child.body, HasSubstr("BSOM"));

  absl::StatusOr<AuditPage> events = store_->ListAuditEvents({}, StoreAccess({"audit", kAuditorRole}));
  ASSERT_TRUE(events.ok()) << events.status();
  bool found = false;
  for (const AuditEvent& e : events->events) {
    if (e.actor.method == "/ethrec.v1.RecordsService/GetChild") {
      found = true;
      EXPECT_EQ(e.actor.peer, "http:ipv4:127.0.0.1:40000");
      EXPECT_EQ(e.actor.agency, "camden-csc");
    }
  }
  EXPECT_TRUE(found);
}

// The snapshot reads carry the change feed's token to watch from, as the
// gRPC calls do (changes_service_test.cc tests what a watch from it sees).
TEST_F(HttpApiTest, SnapshotReadsCarryAWatchToken) {
  const std::string nhs = SyntheticNhsNumber(4243);
  const std::string observation = absl::StrCat(
      R"({"observation":{"child":{"nhsNumber":")", nhs,
      R"("},"recordId":"r1","recordVersion":"1","system":"dfe","code":"BSOM","suppliedBy":"SELF","recordedAt":"2025-11-01T00:00:00Z"}})");
  ASSERT_EQ(Call("POST", "/v1/observations", {}, observation).status, 200);
  HttpResponse child = Call("POST", "/v1/children:get", {}, absl::StrCat(R"({"child":{"nhsNumber":")", nhs, R"("}})"));
  ASSERT_EQ(child.status, 200) << child.body;
  EXPECT_THAT(child.body, HasSubstr(R"("watchToken":")"));
  HttpResponse findings = Call("GET", "/v1/findings");
  ASSERT_EQ(findings.status, 200) << findings.body;
  EXPECT_THAT(findings.body, HasSubstr(R"("watchToken":")"));
}

TEST_F(HttpApiTest, MetricsCountCallsByMethodAndCode) {
  Call("POST", "/v1/normalize", {}, R"({"system":"dfe","code":"BSOM"})");
  Call("GET", "/fhir/CodeSystem/$lookup", {{"system", "urn:ethrec:codesystem:dfe"}, {"code", "ZZZZ"}});
  HttpResponse r = Call("GET", "/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body,
              AllOf(HasSubstr(R"(ethrec_calls_total{transport="http",method="/ethrec.v1.TaxonomyService/Normalize",code="OK"} 1)"),
                    HasSubstr(R"(ethrec_calls_total{transport="http",method="/fhir/CodeSystem/$lookup",code="NOT_FOUND"} 1)"),
                    HasSubstr(R"(ethrec_call_duration_seconds_count{transport="http",method="/ethrec.v1.TaxonomyService/Normalize"} 1)"),
                    HasSubstr("ethrec_build_info{version=\"test\"} 1"), Not(HasSubstr("ZZZZ")), Not(HasSubstr("BSOM"))));
}

}  // namespace
}  // namespace ethrec::service
