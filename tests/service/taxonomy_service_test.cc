// TaxonomyApi in process, over the built-in Normalizer: answers, the errors'
// codes and fields, and NormalizeBatch's hand-written bytes. The gRPC round
// trip, and unparsable requests, are in taxonomy_service_e2e_test.cc.
#include "service/taxonomy_service.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "google/protobuf/util/message_differencer.h"
#include "absl/strings/str_cat.h"
#include "api/convert.h"
#include "service/caller.h"
#include "tests/service/api_fixtures.h"
#include "tests/testing/status_matchers.h"

namespace ethrec::service {
namespace {

using ::ethrec::testing::HasField;
using ::ethrec::testing::StatusIs;
using ::testing::HasSubstr;

v1::NormalizeRequest Request(const std::string& system, const std::string& code, const std::string& text = "") {
  v1::NormalizeRequest r;
  r.set_system(system);
  r.set_code(code);
  r.set_text(text);
  return r;
}

class TaxonomyApiTest : public ::testing::Test {
 protected:
  // NormalizeBatch's bytes, parsed as the client would.
  v1::NormalizeBatchResponse Batch(const v1::NormalizeBatchRequest& request) {
    absl::StatusOr<std::string> bytes = api_.NormalizeBatch(request);
    EXPECT_TRUE(bytes.ok()) << bytes.status();
    v1::NormalizeBatchResponse response;
    EXPECT_TRUE(bytes.ok() && response.ParseFromString(*bytes));
    return response;
  }

  TaxonomyApi api_{{.normalizer = &::ethrec::testing::BuiltinNormalizer(), .max_batch_items = 5}};
};

TEST_F(TaxonomyApiTest, NormalizesACode) {
  absl::StatusOr<v1::NormalizeResponse> r = api_.Normalize(Request("dfe", "BSOM"));
  ASSERT_TRUE(r.ok()) << r.status();
  const v1::NormalizedValue& v = r->value();
  EXPECT_EQ(v.outcome(), v1::CATEGORIES);
  ASSERT_EQ(v.categories_size(), 1);
  EXPECT_EQ(v.categories(0).category(), v1::BLACK_AFRICAN);
  EXPECT_EQ(v.detail(), "Somali");
  EXPECT_EQ(v.relationship(), v1::SOURCE_IS_NARROWER_THAN_TARGET);
  EXPECT_EQ(v.basis(), v1::SELF_DEFINED);
  EXPECT_EQ(v.map_id(), "dfe-to-ons-2021-ew");
}

// A known code is answered from the start-up cache; the same code spelled
// with other case goes through the Normalizer: the answers must agree.
TEST_F(TaxonomyApiTest, TheCachedAnswerIsTheNormalizersAnswer) {
  absl::StatusOr<v1::NormalizeResponse> cached = api_.Normalize(Request("nhs-ethnic-category", "C"));
  ASSERT_TRUE(cached.ok()) << cached.status();
  absl::StatusOr<Normalized> direct =
      ::ethrec::testing::BuiltinNormalizer().Normalize({.system = "nhs-ethnic-category", .code = "C"});
  ASSERT_TRUE(direct.ok()) << direct.status();
  v1::NormalizedValue expected;
  api::ToProto(*direct, &expected);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(cached->value(), expected))
      << cached->value().DebugString() << "\nvs\n" << expected.DebugString();
}

TEST_F(TaxonomyApiTest, NormalizesFreeText) {
  absl::StatusOr<v1::NormalizeResponse> r = api_.Normalize(Request("", "", "black british - caribbean"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->value().categories(0).category(), v1::BLACK_CARIBBEAN);
  EXPECT_TRUE(r->value().decided_by_text());
}

TEST_F(TaxonomyApiTest, BadInputGetsTheRightCodeAndField) {
  const struct {
    v1::NormalizeRequest request;
    absl::StatusCode code;
    const char* field;
    const char* message;
  } cases[] = {
      {Request("", ""), absl::StatusCode::kInvalidArgument, "code", "give a code"},
      {Request("", "A"), absl::StatusCode::kInvalidArgument, "system", "without its code system"},
      {Request("nhs", "A"), absl::StatusCode::kNotFound, "system", "nhs-ethnic-category"},
      {Request("dfe", "WXYZ"), absl::StatusCode::kNotFound, "code", "\"WXYZ\" is not in code system dfe"},
      {Request("", "", std::string(2000, 'a')), absl::StatusCode::kInvalidArgument, "text", "limit is 1024"},
  };
  for (const auto& c : cases) {
    absl::StatusOr<v1::NormalizeResponse> r = api_.Normalize(c.request);
    EXPECT_THAT(r, StatusIs(c.code, HasSubstr(c.message)));
    EXPECT_THAT(r, HasField(c.field));
  }
}

TEST_F(TaxonomyApiTest, BatchAnswersEveryItemInOrder) {
  v1::NormalizeBatchRequest request;
  auto add = [&](const char* id, v1::NormalizeRequest r) {
    v1::NormalizeBatchItem* item = request.add_items();
    item->set_id(id);
    *item->mutable_request() = std::move(r);
  };
  add("a", Request("nhs-ethnic-category", "C"));
  add("b", Request("nope", "X"));
  add("c", Request("", "", "Kurdish"));
  add("a", Request("dfe", "WBRI"));  // duplicate id
  add("", Request("dfe", "WBRI"));   // empty id
  const v1::NormalizeBatchResponse response = Batch(request);
  ASSERT_EQ(response.results_size(), 5);
  EXPECT_EQ(response.results(0).id(), "a");
  EXPECT_EQ(response.results(0).value().categories_size(), 3);
  EXPECT_EQ(response.results(1).id(), "b");
  EXPECT_EQ(response.results(1).error().code(), static_cast<int>(absl::StatusCode::kNotFound));
  EXPECT_EQ(response.results(1).error().field(), "system");
  EXPECT_EQ(response.results(2).value().detail(), "Kurdish");
  EXPECT_THAT(response.results(3).error().message(), HasSubstr("used twice"));
  EXPECT_EQ(response.results(3).error().field(), "id");
  EXPECT_EQ(response.results(4).error().field(), "id");
}

// Each item's value is exactly what Normalize answers, in the full view,
// and in the BASIC view the same without its words.
TEST_F(TaxonomyApiTest, BatchValuesAreNormalizesInEitherView) {
  v1::NormalizeBatchRequest request;
  const v1::NormalizeRequest items[] = {Request("dfe", "BSOM"), Request("", "", "Kurdish")};
  for (size_t i = 0; i < 2; ++i) {
    v1::NormalizeBatchItem* item = request.add_items();
    item->set_id(std::to_string(i));
    *item->mutable_request() = items[i];
  }
  const v1::NormalizeBatchResponse full = Batch(request);
  request.set_view(v1::BASIC);
  const v1::NormalizeBatchResponse basic = Batch(request);
  ASSERT_EQ(full.results_size(), 2);
  ASSERT_EQ(basic.results_size(), 2);
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<v1::NormalizeResponse> one = api_.Normalize(items[i]);
    ASSERT_TRUE(one.ok()) << one.status();
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(full.results(i).value(), one->value())) << i;
    v1::NormalizedValue without_words = one->value();
    api::ToBasicView(&without_words);
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(basic.results(i).value(), without_words)) << i;
    EXPECT_FALSE(full.results(i).value().explanation().empty()) << i;
    EXPECT_TRUE(basic.results(i).value().explanation().empty()) << i;
  }
}

TEST_F(TaxonomyApiTest, OversizedBatchIsRefusedNamingTheLimit) {
  v1::NormalizeBatchRequest request;
  for (int i = 0; i < 6; ++i) {
    v1::NormalizeBatchItem* item = request.add_items();
    item->set_id(std::to_string(i));
    item->mutable_request()->set_text("White");
  }
  absl::StatusOr<std::string> r = api_.NormalizeBatch(request);
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kResourceExhausted, "batch has 6 items; the limit is 5"));
  EXPECT_THAT(r, HasField("items"));
  EXPECT_TRUE(Batch(v1::NormalizeBatchRequest()).results().empty());
}

TEST_F(TaxonomyApiTest, TranslatesAndSuggests) {
  v1::TranslateRequest translate;
  translate.set_from_system("dfe");
  translate.set_code("BCRB");
  translate.set_to_system("police-sde");
  absl::StatusOr<v1::TranslateResponse> translated = api_.Translate(translate);
  ASSERT_TRUE(translated.ok()) << translated.status();
  EXPECT_EQ(translated->result().code(), "B1");
  EXPECT_EQ(translated->result().relationship(), v1::EQUIVALENT);

  v1::SuggestCodeRequest suggest;
  suggest.set_system("nhs-ethnic-category");
  suggest.set_category(v1::WHITE_ROMA);
  absl::StatusOr<v1::SuggestCodeResponse> suggested = api_.SuggestCode(suggest);
  ASSERT_TRUE(suggested.ok()) << suggested.status();
  EXPECT_EQ(suggested->result().code(), "C");
  EXPECT_EQ(suggested->result().relationship(), v1::SOURCE_IS_BROADER_THAN_TARGET);

  suggest.set_system("police-ic");
  EXPECT_THAT(api_.SuggestCode(suggest), StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::_));
  EXPECT_THAT(api_.SuggestCode(suggest), HasField("system"));
}

TEST_F(TaxonomyApiTest, SuggestCodeNeedsACategoryOrANonAnswer) {
  v1::SuggestCodeRequest none;
  none.set_system("dfe");
  EXPECT_THAT(api_.SuggestCode(none), HasField("category"));
  v1::SuggestCodeRequest refused = none;
  refused.set_non_answer(v1::CATEGORIES);
  EXPECT_THAT(api_.SuggestCode(refused), HasField("non_answer"));
  v1::SuggestCodeRequest bad = none;
  bad.set_category(static_cast<v1::Category>(99));
  EXPECT_THAT(api_.SuggestCode(bad), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not one of the 19")));
  v1::SuggestCodeRequest not_stated = none;
  not_stated.set_non_answer(v1::NOT_STATED);
  EXPECT_TRUE(api_.SuggestCode(not_stated).ok());
}

TEST_F(TaxonomyApiTest, ListsSystemsAndTaxonomy) {
  absl::StatusOr<v1::ListCodeSystemsResponse> systems = api_.ListCodeSystems({});
  ASSERT_TRUE(systems.ok()) << systems.status();
  EXPECT_EQ(systems->code_systems_size(), 11);
  EXPECT_EQ(systems->taxonomy_id(), "ons-2021-ew");
  for (const v1::CodeSystemInfo& s : systems->code_systems()) {
    EXPECT_TRUE(s.built_in()) << s.id();
    EXPECT_GT(s.code_count(), 0) << s.id();
  }
  absl::StatusOr<v1::GetTaxonomyResponse> taxonomy = api_.GetTaxonomy({});
  ASSERT_TRUE(taxonomy.ok()) << taxonomy.status();
  ASSERT_EQ(taxonomy->categories_size(), 19);
  EXPECT_EQ(taxonomy->categories(15).category(), v1::WHITE_ROMA);
  EXPECT_EQ(taxonomy->categories(15).label_full(), "White: Roma");
  EXPECT_EQ(taxonomy->groups_size(), 5);
  EXPECT_FALSE(taxonomy->not_stated_label().empty());
}

// The gRPC adapter serves no method by callback: one callback method makes
// gRPC 1.51 start polling threads that wake every 100 ms when idle, and
// under a bulk load data entry waited for them (issue 12, item 5).
TEST(TaxonomyServiceImplTest, ServesNoMethodByCallback) {
  const CallGate gate{IdentityOptions{}};
  TaxonomyServiceImpl service({.normalizer = &::ethrec::testing::BuiltinNormalizer()}, gate);
  EXPECT_FALSE(service.has_callback_methods());
  EXPECT_TRUE(service.has_async_methods());  // NormalizeBatch
}

// NormalizeBatch on its own threads: concurrent calls are each answered in
// full, and the server shuts down with a call still asked for.
TEST(TaxonomyServiceImplTest, AnswersConcurrentBatchesAndShutsDown) {
  const CallGate gate{IdentityOptions{}};
  TaxonomyServiceImpl service({.normalizer = &::ethrec::testing::BuiltinNormalizer()}, gate);
  grpc::ServerBuilder builder;
  service.Register(builder);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  service.StartNormalizeBatch(2);
  std::unique_ptr<v1::TaxonomyService::Stub> stub =
      v1::TaxonomyService::NewStub(server->InProcessChannel(grpc::ChannelArguments()));
  constexpr int kCallers = 6;
  constexpr int kCalls = 20;
  std::atomic<int> answered{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < kCallers; ++c) {
    callers.emplace_back([&, c] {
      for (int i = 0; i < kCalls; ++i) {
        v1::NormalizeBatchRequest request;
        for (const char* code : {"A", "N", "Z"}) {
          v1::NormalizeBatchItem* item = request.add_items();
          item->set_id(absl::StrCat(c, "-", i, "-", code));
          item->mutable_request()->set_system("nhs-ethnic-category");
          item->mutable_request()->set_code(code);
        }
        grpc::ClientContext context;
        context.AddMetadata(kAgencyMetadataKey, "camden-csc");
        context.AddMetadata(kRoleMetadataKey, kRecordSystemRole);
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
        v1::NormalizeBatchResponse response;
        const grpc::Status s = stub->NormalizeBatch(&context, request, &response);
        if (s.ok() && response.results_size() == 3 && response.results(2).id() == request.items(2).id() &&
            response.results(2).has_value()) {
          ++answered;
        }
      }
    });
  }
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(answered.load(), kCallers * kCalls);
  server->Shutdown();
}

}  // namespace
}  // namespace ethrec::service
