// FhirTerminology without HttpApi: which access rule admits each request,
// the bounded names /metrics counts requests under, the errors Handle
// answers, and the OperationOutcome each becomes. The answers themselves
// (read, search, $translate, ...) are checked through HttpApi in
// http_api_test. Synthetic data only.
#include "service/http/fhir_terminology.h"

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapping/status_field.h"
#include "rapidjson/document.h"
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

}  // namespace
}  // namespace ethrec::service
