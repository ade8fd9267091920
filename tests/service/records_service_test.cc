// RecordsApi in process, against MemoryStore and the built-in Normalizer:
// validation, field names, batches, feedback and views. The gRPC round trip
// is in records_service_e2e_test.cc. Synthetic data only.
#include "service/records_service.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapping/observation.h"
#include "tests/service/api_fixtures.h"
#include "tests/testing/status_matchers.h"

namespace ethrec::service {
namespace {

using ::ethrec::testing::HasField;
using ::ethrec::testing::Input;
using ::ethrec::testing::RecordSystem;
using ::ethrec::testing::StatusIs;
using ::testing::_;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class RecordsApiTest : public ::testing::Test {
 public:
  absl::StatusOr<v1::RecordObservationResponse> Record(const v1::ObservationInput& o,
                                                       const std::string& agency = "camden-csc",
                                                       bool validate_only = false) {
    v1::RecordObservationRequest request;
    *request.mutable_observation() = o;
    request.set_validate_only(validate_only);
    return api_.RecordObservation(RecordSystem(agency), request);
  }

  absl::StatusOr<v1::GetChildResponse> Child(const std::string& nhs, const std::string& agency = "camden-csc") {
    v1::GetChildRequest request;
    request.mutable_child()->set_nhs_number(nhs);
    return api_.GetChild(RecordSystem(agency), request);
  }

 protected:
  std::unique_ptr<MemoryStore> store_ = ::ethrec::testing::StoreWithFindings();
  RecordsApi api_{{.normalizer = &::ethrec::testing::BuiltinNormalizer(), .store = store_.get(), .max_batch_items = 3}};
};

TEST_F(RecordsApiTest, RecordsNormalisesAndKeepsHistory) {
  const std::string nhs = SyntheticNhsNumber(1);
  absl::StatusOr<v1::RecordObservationResponse> r = Record(Input(nhs, "eth-1", 1, "dfe", "WROM"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outcome(), v1::INSERTED);
  EXPECT_EQ(r->value().categories_size(), 2);
  EXPECT_EQ(Record(Input(nhs, "eth-1", 1, "dfe", "WROM"))->outcome(), v1::DUPLICATE);    // a retry
  EXPECT_EQ(Record(Input(nhs, "eth-1", 3, "dfe", "WROR"))->outcome(), v1::INSERTED);     // a correction
  EXPECT_EQ(Record(Input(nhs, "eth-1", 2, "dfe", "WOTH"))->outcome(), v1::HISTORICAL);   // a late replay

  absl::StatusOr<v1::GetChildResponse> child = Child(nhs);
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_THAT(child->nhs_numbers(), ElementsAre(nhs));
  ASSERT_EQ(child->observations_size(), 1);
  const v1::Observation& o = child->observations(0);
  EXPECT_EQ(o.agency(), "camden-csc");  // the caller's
  ASSERT_EQ(o.versions_size(), 3);
  EXPECT_EQ(o.versions(0).record_version(), 3);  // current first
  EXPECT_EQ(o.versions(0).value().categories(0).category(), v1::WHITE_ROMA);
  EXPECT_EQ(o.versions(0).received_at().seconds(), 1767225600);
}

TEST_F(RecordsApiTest, ConflictingRewriteOfAVersionIsRefused) {
  const std::string nhs = SyntheticNhsNumber(2);
  ASSERT_TRUE(Record(Input(nhs, "eth-2", 1, "dfe", "WBRI")).ok());
  EXPECT_THAT(Record(Input(nhs, "eth-2", 1, "dfe", "BAFR")), StatusIs(absl::StatusCode::kFailedPrecondition, _));
  EXPECT_EQ(Child(nhs)->observations(0).versions(0).code(), "WBRI");
}

TEST_F(RecordsApiTest, BadInputNamesTheFieldUnderObservationAndStoresNothing) {
  const std::string good = SyntheticNhsNumber(3);
  std::string bad_check = good;
  bad_check.back() = bad_check.back() == '9' ? '0' : bad_check.back() + 1;
  v1::ObservationInput long_text = Input(good, "r", 1, "", "");
  long_text.set_text(std::string(2000, 'x'));
  const struct {
    v1::ObservationInput input;
    absl::StatusCode code;
    const char* field;
  } cases[] = {
      {Input(bad_check, "r", 1, "dfe", "WBRI"), absl::StatusCode::kInvalidArgument, "observation.child.nhs_number"},
      {Input("12345", "r", 1, "dfe", "WBRI"), absl::StatusCode::kInvalidArgument, "observation.child.nhs_number"},
      {Input(good, "r", 1, "nope", "X"), absl::StatusCode::kNotFound, "observation.system"},
      {Input(good, "r", 1, "dfe", "WXYZ"), absl::StatusCode::kNotFound, "observation.code"},
      {Input(good, "r", 0, "dfe", "WBRI"), absl::StatusCode::kInvalidArgument, "observation.record_version"},
      {Input(good, "", 1, "dfe", "WBRI"), absl::StatusCode::kInvalidArgument, "observation.record_id"},
      {Input(good, "r", 1, "dfe", "WBRI", v1::SUPPLIED_BY_UNSPECIFIED), absl::StatusCode::kInvalidArgument,
       "observation.supplied_by"},
      {long_text, absl::StatusCode::kInvalidArgument, "observation.text"},
  };
  for (const auto& c : cases) {
    absl::StatusOr<v1::RecordObservationResponse> r = Record(c.input);
    EXPECT_THAT(r, StatusIs(c.code, Not(HasSubstr(good)))) << c.field;
    EXPECT_THAT(r, StatusIs(c.code, Not(HasSubstr(bad_check)))) << c.field;
    EXPECT_THAT(r, HasField(c.field));
  }
  EXPECT_THAT(Child(good), StatusIs(absl::StatusCode::kNotFound, _));
}

// Through `api`: a batch with a bad second item stores nothing and names the
// item; mended, it stores both. Children `first` and `first` + 1.
void ExpectBatchAllOrNothing(RecordsApi& api, RecordsApiTest& test, int first, const std::string& prefix) {
  v1::RecordObservationsRequest request;
  *request.add_observations() = Input(SyntheticNhsNumber(first), prefix + "-1", 1, "dfe", "WBRI");
  *request.add_observations() = Input(SyntheticNhsNumber(first + 1), prefix + "-2", 1, "nope", "X");
  absl::StatusOr<v1::RecordObservationsResponse> r = api.RecordObservations(RecordSystem("camden-csc"), request);
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kNotFound, StartsWith("observations[1]: ")));
  EXPECT_THAT(r, HasField("observations[1].system"));
  EXPECT_THAT(test.Child(SyntheticNhsNumber(first)), StatusIs(absl::StatusCode::kNotFound, _));

  request.mutable_observations(1)->set_system("dfe");
  request.mutable_observations(1)->set_code("BSOM");
  r = api.RecordObservations(RecordSystem("camden-csc"), request);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->results_size(), 2);
  EXPECT_EQ(r->results(0).outcome(), v1::INSERTED);
  EXPECT_EQ(r->results(1).value().detail(), "Somali");
  EXPECT_TRUE(test.Child(SyntheticNhsNumber(first + 1)).ok());
}

TEST_F(RecordsApiTest, BatchIsAllOrNothingAndNamesTheBadItem) { ExpectBatchAllOrNothing(api_, *this, 10, "b"); }

// A batch over low_priority_batch_items is prepared and written on a
// thread of its own (service/low_priority.h): the same answers, the same
// errors naming the same item, as on the calling thread.
TEST_F(RecordsApiTest, ABulkBatchOnItsLowPriorityThreadAnswersAsOnTheCallersThread) {
  RecordsApi bulk({.normalizer = &::ethrec::testing::BuiltinNormalizer(),
                   .store = store_.get(),
                   .max_batch_items = 3,
                   .low_priority_batch_items = 1});
  ExpectBatchAllOrNothing(bulk, *this, 13, "lp");
}

TEST_F(RecordsApiTest, AnItemTheStoreRefusesIsNamedByItsIndex) {
  v1::RecordObservationsRequest twice;
  *twice.add_observations() = Input(SyntheticNhsNumber(12), "dup", 1, "dfe", "WBRI");
  *twice.add_observations() = Input(SyntheticNhsNumber(12), "dup", 1, "dfe", "WBRI");
  absl::StatusOr<v1::RecordObservationsResponse> r = api_.RecordObservations(RecordSystem("camden-csc"), twice);
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kInvalidArgument, _));
  EXPECT_THAT(FieldOf(r.status()), StartsWith("observations[1]."));
}

TEST_F(RecordsApiTest, EmptyAndOversizedBatchesAreRefused) {
  EXPECT_THAT(api_.RecordObservations(RecordSystem("a"), v1::RecordObservationsRequest()),
              StatusIs(absl::StatusCode::kInvalidArgument, "observations is empty"));
  v1::RecordObservationsRequest big;
  for (int i = 0; i < 4; ++i) *big.add_observations() = Input(SyntheticNhsNumber(20 + i), "r", 1, "dfe", "WBRI");
  absl::StatusOr<v1::RecordObservationsResponse> r = api_.RecordObservations(RecordSystem("a"), big);
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kResourceExhausted, "batch has 4 observations; the limit is 3"));
  EXPECT_THAT(r, HasField("observations"));
}

TEST_F(RecordsApiTest, ValidateOnlyAnswersWithFeedbackAndStoresNothing) {
  const std::string nhs = SyntheticNhsNumber(7);
  ASSERT_TRUE(Record(Input(nhs, "school-rec-1", 1, "dfe", "BCRB", v1::SELF), "school-x").ok());
  absl::StatusOr<v1::RecordObservationResponse> dry =
      Record(Input(nhs, "gp-rec-1", 2, "nhs-ethnic-category", "A", v1::PRACTITIONER), "gp-y", /*validate_only=*/true);
  ASSERT_TRUE(dry.ok()) << dry.status();
  EXPECT_EQ(dry->outcome(), v1::INSERTED);
  ASSERT_EQ(dry->findings_size(), 2);
  EXPECT_EQ(dry->findings(1).finding().kind(), v1::SELF_ID_MISMATCH);
  EXPECT_EQ(dry->findings(1).finding().finding_id(), 0) << "never stored";
  EXPECT_EQ(dry->findings(1).finding().suggested_code(), "M");
  EXPECT_EQ(dry->reference().categories(0), v1::BLACK_CARIBBEAN);
  EXPECT_THAT(dry->DebugString(), Not(HasSubstr("school")));
  // Nothing stored: the GP still holds nothing about the child.
  EXPECT_THAT(Child(nhs, "gp-y"), StatusIs(absl::StatusCode::kNotFound, _));
  ASSERT_TRUE(Child(nhs, "school-x").ok());
  EXPECT_EQ(Child(nhs, "school-x")->observations_size(), 1);
}

TEST_F(RecordsApiTest, BasicViewOfABatchHasNoFeedbackButWritesTheSame) {
  const std::string nhs = SyntheticNhsNumber(8);
  ASSERT_TRUE(Record(Input(nhs, "school-rec-1", 1, "dfe", "BCRB", v1::SELF), "school-x").ok());
  v1::RecordObservationsRequest batch;
  *batch.add_observations() = Input(nhs, "gp-rec-2", 3, "nhs-ethnic-category", "A", v1::UNKNOWN);
  absl::StatusOr<v1::RecordObservationsResponse> full = api_.RecordObservations(RecordSystem("gp-y"), batch);
  ASSERT_TRUE(full.ok()) << full.status();
  ASSERT_EQ(full->results(0).findings_size(), 1);
  EXPECT_FALSE(full->results(0).value().explanation().empty());

  batch.mutable_observations(0)->set_record_version(4);
  batch.set_view(v1::BASIC);
  absl::StatusOr<v1::RecordObservationsResponse> basic = api_.RecordObservations(RecordSystem("gp-y"), batch);
  ASSERT_TRUE(basic.ok()) << basic.status();
  EXPECT_EQ(basic->results(0).outcome(), v1::INSERTED);
  EXPECT_EQ(basic->results(0).findings_size(), 0);
  EXPECT_FALSE(basic->results(0).has_reference());
  EXPECT_TRUE(basic->results(0).value().explanation().empty());
  EXPECT_EQ(basic->results(0).value().categories(0).category(), v1::WHITE_BRITISH);
  absl::StatusOr<v1::GetChildResponse> mine = Child(nhs, "gp-y");
  ASSERT_TRUE(mine.ok()) << mine.status();
  ASSERT_EQ(mine->observations_size(), 1) << "the GP sees its own record only";
  EXPECT_EQ(mine->observations(0).versions_size(), 2);
}

TEST_F(RecordsApiTest, ARecordSystemSeesOnlyItsOwnRecordsAboutChildrenItHolds) {
  const std::string nhs = SyntheticNhsNumber(21);
  const std::string other_nhs = SyntheticNhsNumber(22);
  ASSERT_TRUE(Record(Input(nhs, "s-1", 1, "dfe", "BCRB", v1::SELF), "school-x").ok());
  // The GP links the same child under another NHS number (agencies disagree).
  v1::ObservationInput gp = Input(nhs, "g-1", 1, "nhs-ethnic-category", "M", v1::SELF);
  gp.mutable_child()->set_agency_child_id("gp-child-9");
  ASSERT_TRUE(Record(gp, "gp-y").ok());
  gp.set_record_id("g-2");
  gp.mutable_child()->set_nhs_number(other_nhs);  // linked through the GP's own id for the child
  ASSERT_TRUE(Record(gp, "gp-y").ok());

  absl::StatusOr<v1::GetChildResponse> school = Child(nhs, "school-x");
  ASSERT_TRUE(school.ok()) << school.status();
  ASSERT_EQ(school->observations_size(), 1);
  EXPECT_EQ(school->observations(0).agency(), "school-x");
  EXPECT_EQ(school->agency_child_ids_size(), 0) << "the GP's own id for the child is not the school's to learn";
  ASSERT_EQ(school->nhs_numbers_size(), 1) << "nor the NHS number only the GP gave";
  EXPECT_EQ(school->nhs_numbers(0), nhs);

  // An agency that holds nothing about the child: as if it did not exist.
  EXPECT_THAT(Child(nhs, "police-z"), StatusIs(absl::StatusCode::kNotFound, _));
  // An officer sees every agency.
  v1::GetChildRequest request;
  request.mutable_child()->set_nhs_number(nhs);
  absl::StatusOr<v1::GetChildResponse> all = api_.GetChild(::ethrec::testing::Officer(), request);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->observations_size(), 3);
  EXPECT_EQ(all->nhs_numbers_size(), 2);
  EXPECT_EQ(all->agency_child_ids_size(), 1);
}

TEST_F(RecordsApiTest, AgencyChildIdsBelongToTheCallersAgency) {
  v1::ObservationInput o = Input("", "local-1", 1, "police-sde", "B1");
  o.mutable_child()->set_agency_child_id("child-7");
  ASSERT_TRUE(Record(o, "met-police").ok());
  v1::GetChildRequest request;
  request.mutable_child()->set_agency_child_id("child-7");
  absl::StatusOr<v1::GetChildResponse> child = api_.GetChild(RecordSystem("met-police"), request);
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_EQ(child->observations(0).agency(), "met-police");
  ASSERT_EQ(child->agency_child_ids_size(), 1);
  EXPECT_EQ(child->agency_child_ids(0).agency(), "met-police");
  // Another agency's child-7 is another child.
  EXPECT_THAT(api_.GetChild(RecordSystem("camden-csc"), request), StatusIs(absl::StatusCode::kNotFound, _));
}

TEST_F(RecordsApiTest, GetChildNamesTheBadField) {
  EXPECT_THAT(api_.GetChild(RecordSystem("a"), v1::GetChildRequest()), HasField("child"));
  EXPECT_THAT(Child("12345"), StatusIs(absl::StatusCode::kInvalidArgument, _));
  EXPECT_THAT(Child("12345"), HasField("child.nhs_number"));
}

}  // namespace
}  // namespace ethrec::service
