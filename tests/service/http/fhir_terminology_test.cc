// FhirTerminology without HttpApi: which access rule admits each request,
// the bounded names /metrics counts requests under, the errors Handle
// answers, and the OperationOutcome each becomes. The answers themselves
// (read, search, $translate, ...) are checked through HttpApi in
// http_api_test. And, over the built-in code lists, that every parameter
// $translate takes is read (source, url and target forward and reverse,
// with values that fit no map), and that every operation refuses a
// parameter it would otherwise ignore. Synthetic data only.
#include "service/http/fhir_terminology.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapping/status_field.h"
#include "rapidjson/document.h"
#include "tests/service/api_fixtures.h"
#include "tests/testing/builtin_data.h"
#include "tests/testing/status_matchers.h"

namespace ethrec::service {
namespace {

using ::ethrec::testing::StatusIs;
using ::testing::HasSubstr;

HttpRequest Get(const std::string& path, std::vector<std::pair<std::string, std::string>> query = {}) {
  return HttpRequest{.method = "GET", .path = path, .query = std::move(query)};
}

TEST(FhirGateMethodTest, EachRequestIsAdmittedAsTheGrpcCallItMirrors) {
  const struct {
    HttpRequest request;
    const char* method;
  } cases[] = {
      {Get("/fhir/metadata"), "/ethrec.v1.TaxonomyService/ListCodeSystems"},
      {Get("/fhir/CodeSystem"), "/ethrec.v1.TaxonomyService/ListCodeSystems"},
      {Get("/fhir/ConceptMap/dfe"), "/ethrec.v1.TaxonomyService/ListCodeSystems"},
      {Get("/fhir/ConceptMap/$translate"), "/ethrec.v1.TaxonomyService/Translate"},
      {Get("/fhir/ConceptMap/$translate", {{"reverse", "true"}}), "/ethrec.v1.TaxonomyService/SuggestCode"},
      {Get("/fhir/ConceptMap/$translate", {{"reverse", "false"}}), "/ethrec.v1.TaxonomyService/Translate"},
      {HttpRequest{.method = "POST",
                   .path = "/fhir/ConceptMap/$translate",
                   .body = R"({"resourceType":"Parameters","parameter":[{"name":"reverse","valueBoolean":true}]})"},
       "/ethrec.v1.TaxonomyService/SuggestCode"},
      {Get("/fhir/CodeSystem/$lookup"), "/ethrec.v1.TaxonomyService/Normalize"},
      {Get("/fhir/CodeSystem/dfe/$validate-code"), "/ethrec.v1.TaxonomyService/Normalize"},
      {Get("/fhir/Patient"), ""},
      {Get("/fhir"), ""},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(FhirTerminology::GateMethod(c.request), c.method) << c.request.method << " " << c.request.path;
  }
}

TEST(FhirMetricNameTest, NamesAreBoundedAndHoldNoCallerText) {
  const struct {
    const char* path;
    const char* name;
  } cases[] = {
      {"/fhir/metadata", "/fhir/metadata"},
      {"/fhir/CodeSystem", "/fhir/CodeSystem"},
      {"/fhir/CodeSystem/dfe", "/fhir/CodeSystem/{id}"},
      {"/fhir/ConceptMap/$translate", "/fhir/ConceptMap/$translate"},
      {"/fhir/CodeSystem/dfe/$lookup", "/fhir/CodeSystem/{id}/$lookup"},
      {"/fhir/CodeSystem/$validate-code", "/fhir/CodeSystem/$validate-code"},
      // What the server does not serve is counted under one name: the
      // path is the caller's text (an identifier, perhaps), and every new
      // label would be kept for the life of the process.
      {"/fhir/9990000018", "/fhir/unrouted"},
      {"/fhir/CodeSystem/dfe/9990000018", "/fhir/unrouted"},
      {"/fhir/CodeSystem/$9990000018", "/fhir/unrouted"},
      {"/fhir/ConceptMap/dfe/$translate/extra", "/fhir/unrouted"},
  };
  for (const auto& c : cases) EXPECT_EQ(FhirTerminology::MetricName(Get(c.path)), c.name) << c.path;
}

class FhirTerminologyTest : public ::testing::Test {
 protected:
  FhirTerminologyTest() {
    absl::StatusOr<std::unique_ptr<FhirTerminology>> fhir =
        FhirTerminology::Create({.normalizer = normalizer_, .taxonomy = &taxonomy_, .software_version = "1.0"});
    EXPECT_TRUE(fhir.ok()) << fhir.status();
    if (fhir.ok()) fhir_ = *std::move(fhir);
  }

  const Normalizer* normalizer_ = &::ethrec::testing::BuiltinNormalizer();
  TaxonomyApi taxonomy_{{.normalizer = normalizer_}};
  std::unique_ptr<FhirTerminology> fhir_;
};

TEST_F(FhirTerminologyTest, HandleAnswersTheErrorThatFits) {
  const struct {
    HttpRequest request;
    absl::StatusCode code;
    const char* message;
  } cases[] = {
      {Get("/fhir/Patient/1"), absl::StatusCode::kNotFound, "serves CodeSystem and ConceptMap"},
      {Get("/fhir/CodeSystem/no-such-system"), absl::StatusCode::kNotFound, "no CodeSystem with id no-such-system"},
      {Get("/fhir/CodeSystem/dfe/extra"), absl::StatusCode::kNotFound, "no resource at"},
      {Get("/fhir/CodeSystem/$expand"), absl::StatusCode::kNotFound, "operation $expand is not served on CodeSystem"},
      {Get("/fhir/CodeSystem/no-such-system/$lookup"), absl::StatusCode::kNotFound, "no CodeSystem with id"},
      {Get("/fhir/CodeSystem", {{"_format", "xml"}}), absl::StatusCode::kInvalidArgument, "only JSON"},
      {HttpRequest{.method = "PUT", .path = "/fhir/CodeSystem/dfe"}, absl::StatusCode::kUnimplemented, "read-only"},
      {HttpRequest{.method = "POST", .path = "/fhir/CodeSystem"}, absl::StatusCode::kUnimplemented, "read-only"},
      {HttpRequest{.method = "DELETE", .path = "/fhir/CodeSystem/$lookup"}, absl::StatusCode::kUnimplemented,
       "DELETE is not supported"},
  };
  for (const auto& c : cases) {
    EXPECT_THAT(fhir_->Handle(c.request), StatusIs(c.code, HasSubstr(c.message)))
        << c.request.method << " " << c.request.path;
  }
  // _format json is accepted and not taken for a search parameter.
  absl::StatusOr<HttpResponse> json = fhir_->Handle(Get("/fhir/CodeSystem", {{"_format", "json"}}));
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(json->status, 200);
}

TEST_F(FhirTerminologyTest, AnInstanceOperationTakesTheInstancesUrl) {
  absl::StatusOr<HttpResponse> valid = fhir_->Handle(Get("/fhir/CodeSystem/dfe/$validate-code", {{"code", "BSOM"}}));
  ASSERT_TRUE(valid.ok()) << valid.status();
  rapidjson::Document doc;
  doc.Parse(valid->body.c_str());
  ASSERT_FALSE(doc.HasParseError()) << valid->body;
  const rapidjson::Value* result = nullptr;
  for (const rapidjson::Value& p : doc["parameter"].GetArray()) {
    if (std::string(p["name"].GetString()) == "result") result = &p;
  }
  ASSERT_NE(result, nullptr) << valid->body;
  EXPECT_TRUE((*result)["valueBoolean"].GetBool()) << valid->body;
}

TEST_F(FhirTerminologyTest, ServeTurnsAnErrorIntoAnOperationOutcome) {
  const HttpResponse r = fhir_->Serve(Get("/fhir/CodeSystem/no-such-system"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, kFhirJson);
  EXPECT_THAT(r.body, HasSubstr(R"("resourceType":"OperationOutcome")"));
  EXPECT_THAT(r.body, HasSubstr(R"("code":"not-found")"));
}

TEST(OperationOutcomeTest, IssueCodeAndHttpStatusByStatusCode) {
  const struct {
    absl::Status status;
    int http;
    const char* issue;
  } cases[] = {
      {absl::InvalidArgumentError("bad"), 400, "invalid"},
      {absl::FailedPreconditionError("bad"), 400, "invalid"},
      {absl::OutOfRangeError("bad"), 400, "invalid"},
      {absl::NotFoundError("gone"), 404, "not-found"},
      {absl::UnauthenticatedError("who"), 401, "login"},
      {absl::PermissionDeniedError("no"), 403, "forbidden"},
      {absl::UnimplementedError("no"), 501, "not-supported"},
      {absl::ResourceExhaustedError("busy"), 429, "too-costly"},
      {absl::InternalError("oops"), 500, "exception"},
      {absl::UnavailableError("later"), 503, "exception"},
  };
  for (const auto& c : cases) {
    const HttpResponse r = OperationOutcome(c.status);
    EXPECT_EQ(r.status, c.http) << c.status;
    EXPECT_EQ(r.content_type, kFhirJson);
    rapidjson::Document doc;
    doc.Parse(r.body.c_str());
    ASSERT_FALSE(doc.HasParseError()) << r.body;
    const rapidjson::Value& issue = doc["issue"][0];
    EXPECT_STREQ(issue["severity"].GetString(), "error");
    EXPECT_STREQ(issue["code"].GetString(), c.issue) << c.status;
    EXPECT_EQ(std::string(issue["diagnostics"].GetString()), c.status.message());
    EXPECT_FALSE(issue.HasMember("expression")) << r.body;
  }
}

TEST(OperationOutcomeTest, TheBadFieldIsTheExpression) {
  const HttpResponse r = OperationOutcome(WithField(absl::InvalidArgumentError("code is required"), "code"));
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr(R"("expression":["code"])"));
}

// $translate, $lookup and $validate-code read each parameter they take and
// refuse the rest.
namespace params {


using ::testing::AllOf;
using ::testing::HasSubstr;

using Query = std::vector<std::pair<std::string, std::string>>;

constexpr char kTaxonomy[] = "urn:ethrec:taxonomy:ons-2021-ew";
constexpr char kDfe[] = "urn:ethrec:codesystem:dfe";
constexpr char kNhs[] = "urn:ethrec:codesystem:nhs-ethnic-category";
constexpr char kDfeMap[] = "urn:ethrec:conceptmap:dfe-to-ons-2021-ew";
constexpr char kNhsMap[] = "urn:ethrec:conceptmap:nhs-ethnic-category-to-ons-2021-ew";
constexpr char kNoSuchSet[] = "urn:ethrec:valueset:no-such-set";

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

class FhirTranslateParamsTest : public ::testing::Test {
 protected:
  FhirTranslateParamsTest() {
    absl::StatusOr<std::unique_ptr<FhirTerminology>> fhir =
        FhirTerminology::Create({.normalizer = normalizer_, .taxonomy = &taxonomy_, .software_version = "test"});
    EXPECT_TRUE(fhir.ok()) << fhir.status();
    fhir_ = *std::move(fhir);
  }

  HttpResponse Get(const std::string& path, Query query) const {
    return fhir_->Serve({.method = "GET", .path = path, .query = std::move(query)});
  }
  HttpResponse Post(const std::string& path, const std::string& body) const {
    return fhir_->Serve({.method = "POST", .path = path, .content_type = "application/fhir+json", .body = body});
  }

  // A $translate's answer: HTTP status, then for 200 `result`, the match
  // codes in order and `message`.
  struct Translation {
    int status = 0;
    bool result = false;
    std::vector<std::string> codes;
    std::string message;
    std::string body;
  };
  Translation Translate(Query query, const std::string& path = "/fhir/ConceptMap/$translate") {
    HttpResponse r = Get(path, std::move(query));
    Translation t{.status = r.status, .body = r.body};
    if (r.status != 200) return t;
    rapidjson::Document doc = Parse(r.body);
    t.result = (*ParamsNamed(doc, "result")[0])["valueBoolean"].GetBool();
    for (const rapidjson::Value* m : ParamsNamed(doc, "match")) {
      t.codes.push_back((*Part(*m, "concept"))["valueCoding"]["code"].GetString());
    }
    if (std::vector<const rapidjson::Value*> message = ParamsNamed(doc, "message"); !message.empty()) {
      t.message = (*message[0])["valueString"].GetString();
    }
    return t;
  }

  const Normalizer* normalizer_ = &::ethrec::testing::BuiltinNormalizer();
  TaxonomyApi taxonomy_{{.normalizer = normalizer_}};
  std::unique_ptr<FhirTerminology> fhir_;
};

TEST_F(FhirTranslateParamsTest, TranslateSourceRestrictsTheMapsForwardAndReverse) {
  const Translation plain = Translate({{"system", kDfe}, {"code", "BSOM"}});
  ASSERT_TRUE(plain.result) << plain.body;
  ASSERT_FALSE(plain.codes.empty());

  // Forward, source is the map's source value set (its sourceUri).
  const Translation fits = Translate({{"system", kDfe}, {"code", "BSOM"}, {"source", kDfe}});
  EXPECT_TRUE(fits.result) << fits.body;
  EXPECT_EQ(fits.codes, plain.codes);
  // It names the map, so the system, when system is left out (as url does).
  const Translation only_source = Translate({{"code", "BSOM"}, {"source", kDfe}});
  EXPECT_TRUE(only_source.result) << only_source.body;
  EXPECT_EQ(only_source.codes, plain.codes);
  // No map fits: no translation (200, result false), as for an unknown target.
  const Translation other = Translate({{"system", kDfe}, {"code", "BSOM"}, {"source", kNhs}});
  EXPECT_EQ(other.status, 200) << other.body;
  EXPECT_FALSE(other.result);
  EXPECT_TRUE(other.codes.empty());
  EXPECT_THAT(other.message, AllOf(HasSubstr(kDfeMap), HasSubstr(absl::StrCat("not from source ", kNhs))));
  const Translation unknown = Translate({{"code", "BSOM"}, {"source", kNoSuchSet}});
  EXPECT_EQ(unknown.status, 200) << unknown.body;
  EXPECT_FALSE(unknown.result);
  EXPECT_THAT(unknown.message, HasSubstr(absl::StrCat("no ConceptMap maps from source ", kNoSuchSet)));
  // Between code systems, source restricts the map from the code's system.
  EXPECT_TRUE(Translate({{"system", kDfe}, {"code", "BSOM"}, {"targetsystem", kNhs}, {"source", kDfe}}).result);
  const Translation between = Translate({{"system", kDfe}, {"code", "BSOM"}, {"targetsystem", kNhs}, {"source", kNhs}});
  EXPECT_EQ(between.status, 200) << between.body;
  EXPECT_FALSE(between.result);

  // Reverse: the code is in the taxonomy, the map's target.
  const Query reverse = {{"system", kTaxonomy}, {"code", "BLACK_AFRICAN"}, {"targetsystem", kDfe}, {"reverse", "true"}};
  const Translation plain_reverse = Translate(reverse);
  ASSERT_TRUE(plain_reverse.result) << plain_reverse.body;
  Query with_source = reverse;
  with_source.push_back({"source", kTaxonomy});
  const Translation reverse_fits = Translate(with_source);
  EXPECT_TRUE(reverse_fits.result) << reverse_fits.body;
  EXPECT_EQ(reverse_fits.codes, plain_reverse.codes);
  with_source.back().second = kDfe;  // the map's source: not where the code is
  const Translation reverse_other = Translate(with_source);
  EXPECT_EQ(reverse_other.status, 200) << reverse_other.body;
  EXPECT_FALSE(reverse_other.result);
  EXPECT_TRUE(reverse_other.codes.empty());
  EXPECT_THAT(reverse_other.message, AllOf(HasSubstr(absl::StrCat("not into source ", kDfe)), HasSubstr("reverse")));

  // POSTed in a Parameters resource (R4 types source as uri; valueCanonical
  // is read the same).
  HttpResponse posted = Post("/fhir/ConceptMap/$translate",
                             absl::StrCat(R"({"resourceType":"Parameters","parameter":[)",
                                          R"({"name":"coding","valueCoding":{"system":")", kDfe, R"(","code":"BSOM"}},)",
                                          R"({"name":"source","valueCanonical":")", kNhs, R"("}]})"));
  ASSERT_EQ(posted.status, 200) << posted.body;
  EXPECT_FALSE((*ParamsNamed(Parse(posted.body), "result")[0])["valueBoolean"].GetBool()) << posted.body;
}

TEST_F(FhirTranslateParamsTest, TranslateUrlNamesTheMapForwardAndReverse) {
  const Translation plain = Translate({{"system", kDfe}, {"code", "BSOM"}});
  const Translation by_url = Translate({{"url", kDfeMap}, {"code", "BSOM"}});
  EXPECT_TRUE(by_url.result) << by_url.body;
  EXPECT_EQ(by_url.codes, plain.codes);
  const Translation instance = Translate({{"code", "BSOM"}}, "/fhir/ConceptMap/dfe-to-ons-2021-ew/$translate");
  EXPECT_EQ(instance.codes, plain.codes) << instance.body;

  // A map that does not map the system, a url that names no map, a map
  // other than the one in the path, a map that cannot reach the target.
  const Translation other_map = Translate({{"url", kNhsMap}, {"system", kDfe}, {"code", "BSOM"}});
  EXPECT_EQ(other_map.status, 400);
  EXPECT_THAT(other_map.body, HasSubstr(R"("expression":["url"])"));
  EXPECT_EQ(Translate({{"url", "urn:ethrec:conceptmap:no-such-map"}, {"code", "BSOM"}}).status, 404);
  const Translation path_and_url =
      Translate({{"url", kNhsMap}, {"code", "BSOM"}}, "/fhir/ConceptMap/dfe-to-ons-2021-ew/$translate");
  EXPECT_EQ(path_and_url.status, 400);
  EXPECT_THAT(path_and_url.body, HasSubstr(R"("expression":["url"])"));
  EXPECT_EQ(Translate({{"url", kDfeMap}, {"code", "BSOM"}, {"targetsystem", kNhs}}).status, 400);

  // Reverse: the map's codes come back into its source.
  const Translation reverse =
      Translate({{"system", kTaxonomy}, {"code", "BLACK_AFRICAN"}, {"targetsystem", kDfe}, {"reverse", "true"}});
  const Translation reverse_by_url = Translate({{"url", kDfeMap}, {"code", "BLACK_AFRICAN"}, {"reverse", "true"}});
  EXPECT_TRUE(reverse_by_url.result) << reverse_by_url.body;
  EXPECT_EQ(reverse_by_url.codes, reverse.codes);
  const Translation reverse_other =
      Translate({{"url", kDfeMap}, {"code", "BLACK_AFRICAN"}, {"reverse", "true"}, {"target", kNhs}});
  EXPECT_EQ(reverse_other.status, 400) << reverse_other.body;
  EXPECT_THAT(reverse_other.body, HasSubstr(R"("expression":["url"])"));
}

TEST_F(FhirTranslateParamsTest, TranslateTargetIsTargetsystemForwardAndReverse) {
  const Translation by_system = Translate({{"system", kDfe}, {"code", "BSOM"}, {"targetsystem", kNhs}});
  const Translation by_target = Translate({{"system", kDfe}, {"code", "BSOM"}, {"target", kNhs}});
  ASSERT_TRUE(by_target.result) << by_target.body;
  EXPECT_EQ(by_target.codes, by_system.codes);
  EXPECT_EQ(Translate({{"system", kDfe}, {"code", "BSOM"}, {"target", kTaxonomy}}).codes,
            Translate({{"system", kDfe}, {"code", "BSOM"}}).codes);
  const Translation unknown = Translate({{"system", kDfe}, {"code", "BSOM"}, {"target", kNoSuchSet}});
  EXPECT_EQ(unknown.status, 200) << unknown.body;
  EXPECT_FALSE(unknown.result);
  EXPECT_THAT(unknown.message, HasSubstr(kNoSuchSet));
  const Translation both = Translate({{"system", kDfe}, {"code", "BSOM"}, {"target", kNhs}, {"targetsystem", kDfe}});
  EXPECT_EQ(both.status, 400);
  EXPECT_THAT(both.body, HasSubstr(R"("expression":["target"])"));

  const Query reverse = {{"system", kTaxonomy}, {"code", "BLACK_AFRICAN"}, {"reverse", "true"}};
  Query by_targetsystem = reverse;
  by_targetsystem.push_back({"targetsystem", kDfe});
  Query by_target_set = reverse;
  by_target_set.push_back({"target", kDfe});
  const Translation reverse_target = Translate(by_target_set);
  EXPECT_TRUE(reverse_target.result) << reverse_target.body;
  EXPECT_EQ(reverse_target.codes, Translate(by_targetsystem).codes);
  by_target_set.back().second = kNoSuchSet;
  const Translation reverse_unknown = Translate(by_target_set);
  EXPECT_EQ(reverse_unknown.status, 200) << reverse_unknown.body;
  EXPECT_FALSE(reverse_unknown.result);
}

// Each parameter $translate takes changes the answer when given a value
// that does not fit: none is read and then ignored.
TEST_F(FhirTranslateParamsTest, TranslateIgnoresNoParameter) {
  const Query base = {{"system", kDfe}, {"code", "BSOM"}};
  const Translation plain = Translate(base);
  ASSERT_TRUE(plain.result) << plain.body;
  const struct {
    const char* name;
    std::string value;
  } cases[] = {
      {"url", kNhsMap},          {"system", kNhs},     {"code", "WBRI"},
      {"coding", absl::StrCat(kDfe, "|WBRI")},          {"source", kNhs},
      {"target", kNhs},          {"targetsystem", kNhs}, {"reverse", "true"},
  };
  for (const auto& c : cases) {
    Query query = base;
    bool replaced = false;
    for (auto& [name, value] : query) {
      if (name != c.name) continue;
      value = c.value;
      replaced = true;
    }
    if (!replaced) query.push_back({c.name, c.value});
    const Translation t = Translate(query);
    EXPECT_TRUE(t.status != 200 || t.result != plain.result || t.codes != plain.codes) << c.name << ": " << t.body;
  }
}

TEST_F(FhirTranslateParamsTest, OperationsRefuseParametersTheyDoNotTake) {
  const struct {
    const char* path;
    Query query;
    const char* field;
  } cases[] = {
      {"/fhir/ConceptMap/$translate", {{"system", kDfe}, {"code", "BSOM"}, {"version", "1"}}, "version"},
      {"/fhir/ConceptMap/$translate", {{"system", kDfe}, {"code", "BSOM"}, {"dependency", "x"}}, "dependency"},
      {"/fhir/ConceptMap/$translate", {{"system", kDfe}, {"code", "BSOM"}, {"conceptMapVersion", "1"}},
       "conceptMapVersion"},
      {"/fhir/ConceptMap/$translate", {{"system", kDfe}, {"code", "BSOM"}, {"code", "WBRI"}}, "code"},
      {"/fhir/ConceptMap/$translate", {{"system", kDfe}, {"code", "BSOM"}, {"reverse", "yes"}}, "reverse"},
      {"/fhir/ConceptMap/$translate", {{"coding", absl::StrCat(kDfe, "|BSOM")}, {"code", "WBRI"}}, "code"},
      {"/fhir/CodeSystem/$lookup", {{"system", kDfe}, {"code", "BSOM"}, {"property", "parent"}}, "property"},
      {"/fhir/CodeSystem/$validate-code", {{"url", kDfe}, {"code", "BSOM"}, {"displayLanguage", "en"}},
       "displayLanguage"},
      {"/fhir/CodeSystem/$validate-code", {{"url", kDfe}, {"system", kNhs}, {"code", "BSOM"}}, "url"},
  };
  for (const auto& c : cases) {
    HttpResponse r = Get(c.path, c.query);
    EXPECT_EQ(r.status, 400) << c.field << ": " << r.body;
    EXPECT_THAT(r.body, AllOf(HasSubstr("OperationOutcome"), HasSubstr(absl::StrCat(R"("expression":[")", c.field, R"("])"))))
        << c.field;
  }
  // The same in a POSTed Parameters resource.
  HttpResponse posted = Post("/fhir/ConceptMap/$translate",
                             absl::StrCat(R"({"resourceType":"Parameters","parameter":[)",
                                          R"({"name":"system","valueUri":")", kDfe, R"("},)",
                                          R"({"name":"code","valueCode":"BSOM"},{"name":"colour","valueString":"blue"}]})"));
  EXPECT_EQ(posted.status, 400) << posted.body;
  EXPECT_THAT(posted.body, HasSubstr(R"("expression":["colour"])"));
}

}  // namespace params
}  // namespace
}  // namespace ethrec::service
