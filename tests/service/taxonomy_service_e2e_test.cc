// Integration tests: the real ethrecd binary on a free loopback port, called
// through a real gRPC client: identity, errors and their details over the
// wire, unparsable requests, message limits and the server's lifecycle. The
// calls' logic is tested in process in taxonomy_service_test.cc.
#include <grpcpp/grpcpp.h>

#include "ethrec/v1/taxonomy_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/service/grpc_test_util.h"
#include "tests/service/server_process.h"

namespace ethrec {
namespace {

using ::testing::HasSubstr;

class TaxonomyServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new testing::ServerProcess({});
    ASSERT_FALSE(server_->address().empty()) << "ethrecd did not start";
    channel_ = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static std::unique_ptr<grpc::ClientContext> Context() { return testing::CallerContext(); }

  static std::unique_ptr<v1::TaxonomyService::Stub> Stub() { return v1::TaxonomyService::NewStub(channel_); }

  static std::vector<std::string> Fields(const grpc::Status& status) { return testing::FieldViolations(status); }

  static inline testing::ServerProcess* server_ = nullptr;
  static inline std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(TaxonomyServiceTest, NormalizesACode) {
  v1::NormalizeRequest request;
  request.set_system("dfe");
  request.set_code("BSOM");
  v1::NormalizeResponse response;
  grpc::Status status = Stub()->Normalize(Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const v1::NormalizedValue& v = response.value();
  EXPECT_EQ(v.outcome(), v1::CATEGORIES);
  ASSERT_EQ(v.categories_size(), 1);
  EXPECT_EQ(v.categories(0).category(), v1::BLACK_AFRICAN);
  EXPECT_EQ(v.detail(), "Somali");
  EXPECT_EQ(v.relationship(), v1::SOURCE_IS_NARROWER_THAN_TARGET);
  EXPECT_EQ(v.basis(), v1::SELF_DEFINED);
  EXPECT_EQ(v.map_id(), "dfe-to-ons-2021-ew");
}

TEST_F(TaxonomyServiceTest, NormalizesFreeText) {
  v1::NormalizeRequest request;
  request.set_text("black british - caribbean");
  v1::NormalizeResponse response;
  ASSERT_TRUE(Stub()->Normalize(Context().get(), request, &response).ok());
  EXPECT_EQ(response.value().categories(0).category(), v1::BLACK_CARIBBEAN);
  EXPECT_TRUE(response.value().decided_by_text());
}

TEST_F(TaxonomyServiceTest, CallWithoutIdentityIsUnauthenticated) {
  grpc::ClientContext context;
  v1::NormalizeRequest request;
  request.set_text("White");
  v1::NormalizeResponse response;
  grpc::Status status = Stub()->Normalize(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(status.error_message(), HasSubstr("x-ethrec-agency"));
}

TEST_F(TaxonomyServiceTest, UnknownSystemNamesTheFieldAndTheKnownSystems) {
  v1::NormalizeRequest request;
  request.set_system("nhs");
  request.set_code("A");
  v1::NormalizeResponse response;
  grpc::Status status = Stub()->Normalize(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(status.error_message(), HasSubstr("nhs-ethnic-category"));
  EXPECT_THAT(Fields(status), ::testing::ElementsAre("system"));
}

// Text that is not valid UTF-8 cannot even be parsed into the request
// (proto3 strings must be UTF-8): the answer is INVALID_ARGUMENT saying so,
// not an internal error.
TEST_F(TaxonomyServiceTest, InvalidUtf8IsInvalidArgument) {
  v1::NormalizeRequest request;
  request.set_text(std::string("Somal\xff", 6));
  v1::NormalizeResponse response;
  grpc::Status status = Stub()->Normalize(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("not valid UTF-8"));
  EXPECT_THAT(status.error_message(), HasSubstr("ethrec.v1.TaxonomyService/Normalize"));
  EXPECT_THAT(status.error_message(), HasSubstr("field ethrec.v1.NormalizeRequest.text"));
  EXPECT_THAT(status.error_message(), ::testing::Not(HasSubstr("Somal")));  // the value is never echoed
  EXPECT_THAT(Fields(status), ::testing::ElementsAre("text"));

  // NormalizeBatch reads its request itself: the same answer.
  v1::NormalizeBatchRequest batch;
  v1::NormalizeBatchItem* item = batch.add_items();
  item->set_id("1");
  item->mutable_request()->set_text(std::string("Somal\xff", 6));
  v1::NormalizeBatchResponse batch_response;
  status = Stub()->NormalizeBatch(Context().get(), batch, &batch_response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("field ethrec.v1.NormalizeRequest.text is not valid UTF-8"));
  EXPECT_THAT(Fields(status), ::testing::ElementsAre("text"));

  // A later, good call on the same channel is unaffected.
  request.set_text("Somali");
  EXPECT_TRUE(Stub()->Normalize(Context().get(), request, &response).ok());
}

TEST_F(TaxonomyServiceTest, BatchAnswersEveryItemInOrder) {
  v1::NormalizeBatchRequest request;
  auto add = [&](const char* id, const char* system, const char* code, const char* text) {
    v1::NormalizeBatchItem* item = request.add_items();
    item->set_id(id);
    item->mutable_request()->set_system(system);
    item->mutable_request()->set_code(code);
    item->mutable_request()->set_text(text);
  };
  add("a", "nhs-ethnic-category", "C", "");
  add("b", "nope", "X", "");
  add("c", "", "", "Kurdish");
  add("a", "dfe", "WBRI", "");  // duplicate id
  add("", "dfe", "WBRI", "");   // empty id
  v1::NormalizeBatchResponse response;
  grpc::Status status = Stub()->NormalizeBatch(Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.results_size(), 5);
  EXPECT_EQ(response.results(0).id(), "a");
  EXPECT_EQ(response.results(0).value().categories_size(), 3);
  EXPECT_EQ(response.results(1).error().code(), static_cast<int>(grpc::StatusCode::NOT_FOUND));
  EXPECT_EQ(response.results(1).error().field(), "system");
  EXPECT_EQ(response.results(2).value().detail(), "Kurdish");
  EXPECT_THAT(response.results(3).error().message(), HasSubstr("used twice"));
  EXPECT_EQ(response.results(4).error().field(), "id");
}

TEST_F(TaxonomyServiceTest, OversizedBatchIsRefusedNamingTheLimit) {
  v1::NormalizeBatchRequest request;
  for (int i = 0; i < 1001; ++i) {
    v1::NormalizeBatchItem* item = request.add_items();
    item->set_id(std::to_string(i));
    item->mutable_request()->set_text("White");
  }
  v1::NormalizeBatchResponse response;
  grpc::Status status = Stub()->NormalizeBatch(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(status.error_message(), HasSubstr("limit is 1000"));
}

TEST_F(TaxonomyServiceTest, OversizedMessageIsRefused) {
  v1::NormalizeRequest request;
  request.set_text(std::string(5 << 20, 'a'));
  v1::NormalizeResponse response;
  grpc::Status status = Stub()->Normalize(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
}

TEST_F(TaxonomyServiceTest, TranslatesAndSuggests) {
  v1::TranslateRequest translate;
  translate.set_from_system("dfe");
  translate.set_code("BCRB");
  translate.set_to_system("police-sde");
  v1::TranslateResponse translated;
  ASSERT_TRUE(Stub()->Translate(Context().get(), translate, &translated).ok());
  EXPECT_EQ(translated.result().code(), "B1");
  EXPECT_EQ(translated.result().relationship(), v1::EQUIVALENT);

  v1::SuggestCodeRequest suggest;
  suggest.set_system("nhs-ethnic-category");
  suggest.set_category(v1::WHITE_ROMA);
  v1::SuggestCodeResponse suggested;
  ASSERT_TRUE(Stub()->SuggestCode(Context().get(), suggest, &suggested).ok());
  EXPECT_EQ(suggested.result().code(), "C");
  EXPECT_EQ(suggested.result().relationship(), v1::SOURCE_IS_BROADER_THAN_TARGET);

  suggest.set_system("police-ic");
  grpc::Status status = Stub()->SuggestCode(Context().get(), suggest, &suggested);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(Fields(status), ::testing::ElementsAre("system"));
}

TEST_F(TaxonomyServiceTest, ListsSystemsAndTaxonomy) {
  v1::ListCodeSystemsResponse systems;
  ASSERT_TRUE(Stub()->ListCodeSystems(Context().get(), {}, &systems).ok());
  EXPECT_EQ(systems.code_systems_size(), 11);
  EXPECT_EQ(systems.taxonomy_id(), "ons-2021-ew");
  v1::GetTaxonomyResponse taxonomy;
  ASSERT_TRUE(Stub()->GetTaxonomy(Context().get(), {}, &taxonomy).ok());
  ASSERT_EQ(taxonomy.categories_size(), 19);
  EXPECT_EQ(taxonomy.categories(15).category(), v1::WHITE_ROMA);
  EXPECT_EQ(taxonomy.categories(15).label_full(), "White: Roma");
  EXPECT_EQ(taxonomy.groups_size(), 5);
}

TEST_F(TaxonomyServiceTest, ServesTheStandardHealthService) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(health->Check(&context, {}, &response).ok());
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST(ServerLifecycleTest, SigtermStopsCleanly) {
  testing::ServerProcess server({});
  ASSERT_FALSE(server.address().empty());
  const int status = server.Stop(SIGTERM);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(ServerLifecycleTest, BadMapsDirectoryFailsAtStart) {
  testing::ServerProcess server({"--maps=" ETHREC_TESTDATA_DIR "/local_maps/invalid"});
  EXPECT_TRUE(server.address().empty());
}

}  // namespace
}  // namespace ethrec
