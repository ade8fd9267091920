// HttpApi in process (no sockets), over the built-in Normalizer and a
// MemoryStore: the FHIR terminology API (fhir_terminology_test.cc has its
// parameters), the JSON API (a route for every unary RPC, the change feed's
// ListChanges), identity, access, audit and metrics. The same
// answers as the gRPC calls' logic (TaxonomyApi) are checked by calling it
// directly. Synthetic data only.
#include "service/http/http_api.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>

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

using Query = std::vector<std::pair<std::string, std::string>>;

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
                                                      .changes = &changes_,
                                                      .fhir = fhir_.get(),
                                                      .metrics = &metrics_});
  }

  // A request from agency camden-csc as `role` (headers, as without TLS).
  HttpResponse Call(const std::string& method, const std::string& path,
                    std::vector<std::pair<std::string, std::string>> query = {}, const std::string& body = "",
                    const std::string& role = "record-system", const std::string& content_type = "application/json") {
    return CallAs("camden-csc", role, method, path, std::move(query), body, content_type);
  }
  HttpResponse CallAs(const std::string& agency, const std::string& role, const std::string& method,
                      const std::string& path, std::vector<std::pair<std::string, std::string>> query = {},
                      const std::string& body = "", const std::string& content_type = "application/json") {
    HttpRequest request{.method = method, .path = path, .query = std::move(query), .content_type = content_type,
                        .body = body};
    request.peer = {.agency_header = agency,
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
  ChangesApi changes_{{.store = store_.get()}};
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

// A RecordObservation body about the synthetic child `child` (DfE BSOM).
std::string ObservationJson(int child, const std::string& record_id) {
  return absl::StrCat(R"({"observation":{"child":{"nhsNumber":")", SyntheticNhsNumber(child), R"("},"recordId":")",
                      record_id,
                      R"(","recordVersion":"1","system":"dfe","code":"BSOM","suppliedBy":"SELF","recordedAt":"2025-11-01T00:00:00Z"}})");
}

v1::ListChangesResponse ParseChanges(const HttpResponse& r) {
  v1::ListChangesResponse changes;
  EXPECT_TRUE(ParseJsonMessage(r.body, &changes).ok()) << r.body;
  return changes;
}

TEST_F(HttpApiTest, ListChangesSeesAWriteAndIsAudited) {
  // Where the feed is now: the last page's watch_token.
  HttpResponse before = Call("GET", "/v1/changes", {{"page_size", "1000"}});
  ASSERT_EQ(before.status, 200) << before.body;
  const v1::ListChangesResponse now = ParseChanges(before);
  ASSERT_TRUE(now.next_page_token().empty());
  ASSERT_FALSE(now.watch_token().empty());

  ASSERT_EQ(Call("POST", "/v1/observations", {}, ObservationJson(4301, "changes-1")).status, 200);
  HttpResponse after = Call("GET", "/v1/changes", {{"since_token", now.watch_token()}, {"kinds", "RECORD_WRITTEN"}});
  ASSERT_EQ(after.status, 200) << after.body;
  const v1::ListChangesResponse changes = ParseChanges(after);
  ASSERT_EQ(changes.events_size(), 1) << after.body;
  EXPECT_EQ(changes.events(0).record_written().agency(), "camden-csc");
  EXPECT_EQ(changes.events(0).record_written().record_id(), "changes-1");
  EXPECT_THAT(after.body, HasSubstr(R"("recordWritten":)"));  // protobuf's JSON names

  // A repeated enum parameter, by name: both kinds, or findings only.
  HttpResponse both = Call("GET", "/v1/changes",
                           {{"since_token", now.watch_token()}, {"kinds", "RECORD_WRITTEN"}, {"kinds", "FINDING_CHANGED"}});
  ASSERT_EQ(both.status, 200) << both.body;
  EXPECT_GE(ParseChanges(both).events_size(), 1);
  HttpResponse findings = Call("GET", "/v1/changes", {{"since_token", now.watch_token()}, {"kinds", "FINDING_CHANGED"}});
  ASSERT_EQ(findings.status, 200) << findings.body;
  const v1::ListChangesResponse finding_changes = ParseChanges(findings);
  for (const v1::ChangeEvent& e : finding_changes.events()) EXPECT_FALSE(e.has_record_written());

  // Paging: one event a page, then the next page from next_page_token.
  ASSERT_EQ(Call("POST", "/v1/observations", {}, ObservationJson(4304, "changes-2")).status, 200);
  const Query records = {{"since_token", now.watch_token()}, {"kinds", "RECORD_WRITTEN"}, {"page_size", "1"}};
  HttpResponse first = Call("GET", "/v1/changes", records);
  ASSERT_EQ(first.status, 200) << first.body;
  const v1::ListChangesResponse page = ParseChanges(first);
  ASSERT_EQ(page.events_size(), 1) << first.body;
  EXPECT_EQ(page.events(0).record_written().record_id(), "changes-1");
  ASSERT_FALSE(page.next_page_token().empty());
  Query next = records;
  next.push_back({"page_token", page.next_page_token()});
  HttpResponse second = Call("GET", "/v1/changes", next);
  ASSERT_EQ(second.status, 200) << second.body;
  const v1::ListChangesResponse next_page = ParseChanges(second);
  ASSERT_EQ(next_page.events_size(), 1) << second.body;
  EXPECT_EQ(next_page.events(0).record_written().record_id(), "changes-2");

  // The store audits the read as the gRPC call, with the HTTP peer.
  absl::StatusOr<AuditPage> events = store_->ListAuditEvents({}, StoreAccess({"audit", kAuditorRole}));
  ASSERT_TRUE(events.ok()) << events.status();
  bool found = false;
  for (const AuditEvent& e : events->events) {
    if (e.actor.method == "/ethrec.v1.ChangesService/ListChanges") {
      found = true;
      EXPECT_EQ(e.actor.peer, "http:ipv4:127.0.0.1:40000");
      EXPECT_EQ(e.actor.agency, "camden-csc");
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(HttpApiTest, ListChangesBadParameterIs400NamingTheField) {
  const struct {
    Query query;
    const char* field;
  } cases[] = {
      {{{"page_size", "many"}}, "page_size"},
      {{{"page_size", "-1"}}, "page_size"},
      {{{"since_token", "not-a-token"}}, "since_token"},
      {{{"page_token", "not-a-token"}}, "page_token"},
      {{{"kinds", "RECORD_DELETED"}}, "kinds"},
      {{{"watch", "true"}}, "watch"},
  };
  for (const auto& c : cases) {
    HttpResponse r = Call("GET", "/v1/changes", c.query);
    EXPECT_EQ(r.status, 400) << c.field << ": " << r.body;
    EXPECT_THAT(r.body, AllOf(HasSubstr(c.field), HasSubstr(R"("code":3)"))) << c.field;
    EXPECT_THAT(r.body, Not(HasSubstr("not-a-token"))) << "the token is not echoed";
  }
  EXPECT_EQ(Call("POST", "/v1/changes", {}, "{}").status, 501);
}

TEST_F(HttpApiTest, ListChangesKeepsARecordSystemToItsAgency) {
  HttpResponse before = Call("GET", "/v1/changes", {{"page_size", "1000"}}, "", "data-quality-officer");
  ASSERT_EQ(before.status, 200) << before.body;
  const std::string token = ParseChanges(before).watch_token();
  ASSERT_EQ(CallAs("islington-csc", "record-system", "POST", "/v1/observations", {}, ObservationJson(4302, "other-1")).status,
            200);
  ASSERT_EQ(Call("POST", "/v1/observations", {}, ObservationJson(4303, "own-1")).status, 200);
  const Query since = {{"since_token", token}, {"kinds", "RECORD_WRITTEN"}};

  HttpResponse own = Call("GET", "/v1/changes", since);
  ASSERT_EQ(own.status, 200) << own.body;
  const v1::ListChangesResponse mine = ParseChanges(own);
  ASSERT_EQ(mine.events_size(), 1) << own.body;
  EXPECT_EQ(mine.events(0).record_written().record_id(), "own-1");

  Query other = since;
  other.push_back({"agency", "islington-csc"});
  HttpResponse refused = Call("GET", "/v1/changes", other);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_THAT(refused.body, HasSubstr(R"("field":"agency")"));

  HttpResponse officer = Call("GET", "/v1/changes", since, "", "data-quality-officer");
  ASSERT_EQ(officer.status, 200) << officer.body;
  EXPECT_EQ(ParseChanges(officer).events_size(), 2) << officer.body;
  HttpResponse auditor = Call("GET", "/v1/changes", since, "", "auditor");
  EXPECT_EQ(auditor.status, 403) << auditor.body;
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

// Every RPC of every service in proto/ethrec/v1 has a /v1 route, but the
// streaming ones StreamingRpcsWithoutRoute lists; read from the generated
// descriptors, so that a new RPC without a route fails here.
TEST(JsonRoutesTest, EveryUnaryRpcOfTheApiHasARoute) {
  std::set<std::string> routed;
  for (const JsonRoute& route : JsonRoutes()) routed.insert(route.method);
  const std::vector<std::string>& streaming = StreamingRpcsWithoutRoute();
  std::set<std::string> seen;
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(ETHREC_PROTO_DIR "/ethrec/v1")) {
    if (entry.path().extension() != ".proto") continue;
    ++files;
    const std::string name = absl::StrCat("ethrec/v1/", entry.path().filename().string());
    const google::protobuf::FileDescriptor* file =
        google::protobuf::DescriptorPool::generated_pool()->FindFileByName(name);
    ASSERT_NE(file, nullptr) << name << " is not in the generated descriptors: add it to proto/CMakeLists.txt, and "
                             << "its RPCs to the JSON routes (service/http/http_api.cc)";
    for (int s = 0; s < file->service_count(); ++s) {
      const google::protobuf::ServiceDescriptor* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        const google::protobuf::MethodDescriptor* method = service->method(m);
        const std::string full = absl::StrCat("/", service->full_name(), "/", method->name());
        seen.insert(full);
        const bool streams = method->client_streaming() || method->server_streaming();
        const bool listed = std::find(streaming.begin(), streaming.end(), full) != streaming.end();
        if (listed) {
          EXPECT_TRUE(streams) << full << " is listed as streaming but is unary: give it a route";
          EXPECT_FALSE(routed.contains(full)) << full;
        } else {
          EXPECT_TRUE(routed.contains(full)) << full << " has no /v1 route (service/http/http_api.cc)"
                                             << (streams ? "; it streams: route it, or list it in "
                                                           "StreamingRpcsWithoutRoute and the README"
                                                         : "");
        }
      }
    }
  }
  EXPECT_GE(files, 8);
  for (const std::string& method : routed) EXPECT_TRUE(seen.contains(method)) << method << " is no RPC of the API";
  for (const std::string& method : streaming) EXPECT_TRUE(seen.contains(method)) << method << " is no RPC of the API";
}

}  // namespace
}  // namespace ethrec::service
