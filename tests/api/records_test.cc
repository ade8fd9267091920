// api/records: an observation as a record system sends it, and a child's
// records as the caller may see them. Synthetic data only.
#include "api/records.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapping/status_field.h"

namespace ethrec::api {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

v1::ObservationInput Input() {
  v1::ObservationInput in;
  in.mutable_child()->set_nhs_number(SyntheticNhsNumber(3));
  in.mutable_child()->set_agency_child_id("C-1");
  in.set_record_id("r-1");
  in.set_record_version(2);
  in.set_system("dfe");
  in.set_code("BCRB");
  in.set_text("Caribbean");
  in.set_supplied_by(v1::SELF);
  in.mutable_recorded_at()->set_seconds(1700000000);
  in.mutable_recorded_at()->set_nanos(123456789);
  return in;
}

TEST(ObservationFromProtoTest, TakesTheAgencyFromTheCallerAndEveryFieldFromTheMessage) {
  absl::StatusOr<Observation> o = ObservationFromProto(Input(), "school-x");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->agency, "school-x");
  EXPECT_EQ(o->nhs_number, SyntheticNhsNumber(3));
  EXPECT_EQ(o->agency_child_id, "C-1");
  EXPECT_EQ(o->record_id, "r-1");
  EXPECT_EQ(o->record_version, 2);
  EXPECT_EQ(o->system, "dfe");
  EXPECT_EQ(o->code, "BCRB");
  EXPECT_EQ(o->text, "Caribbean");
  EXPECT_EQ(o->supplied_by, SuppliedBy::kSelf);
  // To the microsecond, as the stores keep it.
  EXPECT_EQ(o->recorded_at, absl::FromUnixMicros(1700000000123456));
}

TEST(ObservationFromProtoTest, AnNhsNumberWithSpacesIsMadeCanonical) {
  v1::ObservationInput in = Input();
  const std::string nhs = SyntheticNhsNumber(3);
  in.mutable_child()->set_nhs_number(nhs.substr(0, 3) + " " + nhs.substr(3, 3) + " " + nhs.substr(6));
  absl::StatusOr<Observation> o = ObservationFromProto(in, "school-x");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->nhs_number, nhs);
}

TEST(ObservationFromProtoTest, ABadNhsNumberNamesItsFieldAndIsNotEchoed) {
  v1::ObservationInput in = Input();
  in.mutable_child()->set_nhs_number("9434765918");  // fails the check digit
  absl::StatusOr<Observation> o = ObservationFromProto(in, "school-x");
  ASSERT_EQ(o.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(o.status()), "child.nhs_number");
  EXPECT_THAT(o.status().message(), Not(HasSubstr("9434765918")));
}

TEST(ObservationFromProtoTest, AMissingSuppliedByNamesItsField) {
  v1::ObservationInput in = Input();
  in.set_supplied_by(v1::SUPPLIED_BY_UNSPECIFIED);
  absl::StatusOr<Observation> o = ObservationFromProto(in, "school-x");
  ASSERT_EQ(o.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(o.status()), "supplied_by");
}

TEST(GetChildResponseTest, CarriesTheChildAsSeenWithEveryVersionCurrentFirst) {
  ChildRecord seen;
  seen.nhs_numbers = {SyntheticNhsNumber(3)};
  seen.agency_child_ids = {{"school-x", "C-1"}};
  RecordHistory r{"school-x", "r-1", {}};
  for (int version : {2, 1}) {
    StoredObservation v;
    v.observation.record_version = version;
    v.observation.system = "dfe";
    v.observation.code = version == 2 ? "BCRB" : "WBRI";
    v.observation.supplied_by = SuppliedBy::kSelf;
    v.received_at = absl::FromUnixSeconds(1700000000 + version);
    r.versions.push_back(v);
  }
  seen.records.push_back(r);
  v1::GetChildResponse out;
  ToProto(seen, &out);
  EXPECT_THAT(out.nhs_numbers(), ElementsAre(SyntheticNhsNumber(3)));
  ASSERT_EQ(out.agency_child_ids_size(), 1);
  EXPECT_EQ(out.agency_child_ids(0).agency(), "school-x");
  EXPECT_EQ(out.agency_child_ids(0).agency_child_id(), "C-1");
  ASSERT_EQ(out.observations_size(), 1);
  const v1::Observation& o = out.observations(0);
  EXPECT_EQ(o.agency(), "school-x");
  EXPECT_EQ(o.record_id(), "r-1");
  ASSERT_EQ(o.versions_size(), 2);
  EXPECT_EQ(o.versions(0).record_version(), 2);
  EXPECT_EQ(o.versions(0).code(), "BCRB");
  EXPECT_EQ(o.versions(0).supplied_by(), v1::SELF);
  EXPECT_EQ(o.versions(0).received_at().seconds(), 1700000002);
  EXPECT_EQ(o.versions(1).code(), "WBRI");
}

}  // namespace
}  // namespace ethrec::api
