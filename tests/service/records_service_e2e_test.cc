// Integration tests of RecordsService: the real ethrecd with a temporary
// SQLite database, called through a real gRPC client: round trips, field
// violations over the wire, identity, unparsable text and crash safety. The
// calls' logic is tested in process in records_service_test.cc. Synthetic
// data only.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include "absl/strings/str_cat.h"
#include "ethrec/v1/records_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "mapping/observation.h"
#include "tests/service/grpc_test_util.h"
#include "tests/service/server_process.h"

namespace ethrec {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;


std::string TempDb(const std::string& name) {
  std::string path = ::testing::TempDir() + "/" + name + ".db";
  std::remove(path.c_str());
  std::remove((path + "-wal").c_str());
  std::remove((path + "-shm").c_str());
  return path;
}

std::unique_ptr<grpc::ClientContext> Context(const std::string& agency = "camden-csc") {
  return testing::CallerContext(agency);
}

v1::ObservationInput Obs(const std::string& nhs, const std::string& record_id, int version,
                         const std::string& system, const std::string& code, v1::SuppliedBy by = v1::SELF) {
  v1::ObservationInput o;
  o.mutable_child()->set_nhs_number(nhs);
  o.set_record_id(record_id);
  o.set_record_version(version);
  o.set_system(system);
  o.set_code(code);
  o.set_supplied_by(by);
  o.mutable_recorded_at()->set_seconds(1764000000 + version);
  return o;
}

std::vector<std::string> Fields(const grpc::Status& status) { return testing::FieldViolations(status); }

class RecordsServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<testing::ServerProcess>(
        std::vector<std::string>{"--db=" + TempDb(::testing::UnitTest::GetInstance()->current_test_info()->name())});
    ASSERT_FALSE(server_->address().empty());
    stub_ = v1::RecordsService::NewStub(grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials()));
  }

  grpc::Status Record(const v1::ObservationInput& o, v1::RecordObservationResponse* response,
                      const std::string& agency = "camden-csc") {
    v1::RecordObservationRequest request;
    *request.mutable_observation() = o;
    return stub_->RecordObservation(Context(agency).get(), request, response);
  }

  // As a data-quality officer, who sees every agency's records.
  grpc::Status OfficerChild(const std::string& nhs, v1::GetChildResponse* response) {
    v1::GetChildRequest request;
    request.mutable_child()->set_nhs_number(nhs);
    grpc::ClientContext context;
    context.AddMetadata("x-ethrec-agency", "dq");
    context.AddMetadata("x-ethrec-role", "data-quality-officer");
    return stub_->GetChild(&context, request, response);
  }

  grpc::Status Child(const std::string& nhs, v1::GetChildResponse* response) {
    v1::GetChildRequest request;
    request.mutable_child()->set_nhs_number(nhs);
    return stub_->GetChild(Context().get(), request, response);
  }

  std::unique_ptr<testing::ServerProcess> server_;
  std::unique_ptr<v1::RecordsService::Stub> stub_;
};

TEST_F(RecordsServiceTest, RecordsNormalisesAndKeepsHistory) {
  const std::string nhs = SyntheticNhsNumber(1);
  v1::RecordObservationResponse r;
  ASSERT_TRUE(Record(Obs(nhs, "eth-1", 1, "dfe", "WROM"), &r).ok());
  EXPECT_EQ(r.outcome(), v1::INSERTED);
  EXPECT_EQ(r.value().categories_size(), 2);

  ASSERT_TRUE(Record(Obs(nhs, "eth-1", 1, "dfe", "WROM"), &r).ok());  // a retry
  EXPECT_EQ(r.outcome(), v1::DUPLICATE);
  ASSERT_TRUE(Record(Obs(nhs, "eth-1", 3, "dfe", "WROR"), &r).ok());  // a correction
  EXPECT_EQ(r.outcome(), v1::INSERTED);
  ASSERT_TRUE(Record(Obs(nhs, "eth-1", 2, "dfe", "WOTH"), &r).ok());  // a late replay
  EXPECT_EQ(r.outcome(), v1::HISTORICAL);

  v1::GetChildResponse child;
  ASSERT_TRUE(Child(nhs, &child).ok());
  EXPECT_THAT(child.nhs_numbers(), ::testing::ElementsAre(nhs));
  ASSERT_EQ(child.observations_size(), 1);
  const v1::Observation& o = child.observations(0);
  EXPECT_EQ(o.agency(), "camden-csc");  // from the call's identity
  ASSERT_EQ(o.versions_size(), 3);
  EXPECT_EQ(o.versions(0).record_version(), 3);  // current first
  EXPECT_EQ(o.versions(0).value().categories(0).category(), v1::WHITE_ROMA);
  EXPECT_EQ(o.versions(1).record_version(), 2);
  EXPECT_EQ(o.versions(2).record_version(), 1);
}

TEST_F(RecordsServiceTest, BadInputIsRefusedNamingTheFieldAndStoresNothing) {
  const std::string good = SyntheticNhsNumber(3);
  std::string bad_check = good;
  bad_check.back() = bad_check.back() == '9' ? '0' : bad_check.back() + 1;
  const struct {
    v1::ObservationInput input;
    grpc::StatusCode code;
    const char* field;
  } cases[] = {
      {Obs(bad_check, "r", 1, "dfe", "WBRI"), grpc::StatusCode::INVALID_ARGUMENT, "observation.child.nhs_number"},
      {Obs("12345", "r", 1, "dfe", "WBRI"), grpc::StatusCode::INVALID_ARGUMENT, "observation.child.nhs_number"},
      {Obs(good, "r", 1, "nope", "X"), grpc::StatusCode::NOT_FOUND, "observation.system"},
      {Obs(good, "r", 1, "dfe", "WXYZ"), grpc::StatusCode::NOT_FOUND, "observation.code"},
      {Obs(good, "r", 0, "dfe", "WBRI"), grpc::StatusCode::INVALID_ARGUMENT, "observation.record_version"},
      {Obs(good, "", 1, "dfe", "WBRI"), grpc::StatusCode::INVALID_ARGUMENT, "observation.record_id"},
      {Obs(good, "r", 1, "dfe", "WBRI", v1::SUPPLIED_BY_UNSPECIFIED), grpc::StatusCode::INVALID_ARGUMENT,
       "observation.supplied_by"},
  };
  for (const auto& c : cases) {
    v1::RecordObservationResponse r;
    grpc::Status s = Record(c.input, &r);
    EXPECT_EQ(s.error_code(), c.code) << c.field << ": " << s.error_message();
    EXPECT_THAT(Fields(s), ::testing::ElementsAre(c.field)) << s.error_message();
    EXPECT_THAT(s.error_message(), Not(HasSubstr(good)));
    EXPECT_THAT(s.error_message(), Not(HasSubstr(bad_check)));
  }
  v1::ObservationInput long_text = Obs(good, "r", 1, "", "");
  long_text.set_text(std::string(2000, 'x'));
  v1::RecordObservationResponse r;
  EXPECT_EQ(Record(long_text, &r).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::GetChildResponse child;
  EXPECT_EQ(Child(good, &child).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(RecordsServiceTest, BatchIsAllOrNothing) {
  v1::RecordObservationsRequest request;
  *request.add_observations() = Obs(SyntheticNhsNumber(10), "b-1", 1, "dfe", "WBRI");
  *request.add_observations() = Obs(SyntheticNhsNumber(11), "b-2", 1, "nope", "X");
  v1::RecordObservationsResponse response;
  grpc::Status s = stub_->RecordObservations(Context().get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("observations[1]"));
  EXPECT_THAT(Fields(s), ::testing::ElementsAre("observations[1].system"));
  v1::GetChildResponse child;
  EXPECT_EQ(Child(SyntheticNhsNumber(10), &child).error_code(), grpc::StatusCode::NOT_FOUND);

  request.mutable_observations(1)->set_system("dfe");
  request.mutable_observations(1)->set_code("BSOM");
  ASSERT_TRUE(stub_->RecordObservations(Context().get(), request, &response).ok());
  ASSERT_EQ(response.results_size(), 2);
  EXPECT_EQ(response.results(1).value().detail(), "Somali");

  v1::RecordObservationsRequest empty;
  EXPECT_EQ(stub_->RecordObservations(Context().get(), empty, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::RecordObservationsRequest twice;
  *twice.add_observations() = Obs(SyntheticNhsNumber(12), "dup", 1, "dfe", "WBRI");
  *twice.add_observations() = Obs(SyntheticNhsNumber(12), "dup", 1, "dfe", "WBRI");
  EXPECT_EQ(stub_->RecordObservations(Context().get(), twice, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(RecordsServiceTest, AgencyComesFromTheCallNotTheMessage) {
  v1::ObservationInput o = Obs("", "local-1", 1, "police-sde", "B1");
  o.mutable_child()->set_agency_child_id("child-7");
  v1::RecordObservationResponse r;
  ASSERT_TRUE(Record(o, &r, "met-police").ok());
  v1::GetChildRequest request;
  request.mutable_child()->set_agency_child_id("child-7");
  v1::GetChildResponse child;
  ASSERT_TRUE(stub_->GetChild(Context("met-police").get(), request, &child).ok());
  EXPECT_EQ(child.observations(0).agency(), "met-police");
  // Another agency's child-7 is another child.
  EXPECT_EQ(stub_->GetChild(Context("camden-csc").get(), request, &child).error_code(),
            grpc::StatusCode::NOT_FOUND);
  grpc::ClientContext anonymous;
  EXPECT_EQ(stub_->GetChild(&anonymous, request, &child).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

// Writes batches while the server is killed with SIGKILL; after a restart on
// the same file every acknowledged batch is there and no batch is half there.
TEST(RecordsCrashTest, AcknowledgedWritesSurviveSigkill) {
  const std::string db = TempDb("crash");
  constexpr int kPerBatch = 20;
  std::atomic<int> acknowledged{0};
  int attempted = 0;
  {
    testing::ServerProcess server({"--db=" + db});
    ASSERT_FALSE(server.address().empty());
    auto stub = v1::RecordsService::NewStub(grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
    std::thread killer([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(400));
      kill(server.pid(), SIGKILL);
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (int b = 0; b < 2000 && std::chrono::steady_clock::now() < deadline; ++b) {
      v1::RecordObservationsRequest request;
      for (int i = 0; i < kPerBatch; ++i) {
        *request.add_observations() =
            Obs(SyntheticNhsNumber(100000 + b * kPerBatch + i), absl::StrCat("c-", b, "-", i), 1, "dfe", "WBRI");
      }
      v1::RecordObservationsResponse response;
      ++attempted;
      grpc::Status status = stub->RecordObservations(Context().get(), request, &response);
      if (!status.ok()) {
        // Only the kill may stop the writes.
        EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
        break;
      }
      acknowledged = b + 1;
    }
    killer.join();
  }
  ASSERT_GT(acknowledged.load(), 0) << "no batch was acknowledged before the kill";
  testing::ServerProcess restarted({"--db=" + db});
  ASSERT_FALSE(restarted.address().empty());
  auto stub = v1::RecordsService::NewStub(grpc::CreateChannel(restarted.address(), grpc::InsecureChannelCredentials()));
  for (int b = 0; b < attempted; ++b) {
    int present = 0;
    for (int i = 0; i < kPerBatch; ++i) {
      v1::GetChildRequest request;
      request.mutable_child()->set_nhs_number(SyntheticNhsNumber(100000 + b * kPerBatch + i));
      v1::GetChildResponse child;
      present += stub->GetChild(Context().get(), request, &child).ok();
    }
    if (b < acknowledged) {
      EXPECT_EQ(present, kPerBatch) << "acknowledged batch " << b << " lost rows";
    } else {
      EXPECT_TRUE(present == 0 || present == kPerBatch) << "batch " << b << " is half written";
    }
  }
}

TEST_F(RecordsServiceTest, InvalidUtf8TextIsInvalidArgumentAndNothingIsStored) {
  const std::string nhs = SyntheticNhsNumber(777);
  v1::ObservationInput o = Obs(nhs, "utf8-1", 1, "", "");
  o.set_text(std::string("Black \xc3\x28 African", 17));
  v1::RecordObservationResponse response;
  grpc::Status status = Record(o, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("ethrec.v1.ObservationInput.text is not valid UTF-8"));
  EXPECT_THAT(Fields(status), ::testing::ElementsAre("text"));
  v1::GetChildResponse child;
  EXPECT_EQ(Child(nhs, &child).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(RecordsServiceTest, DataEntryHearsWhatItsWriteMeansAndValidateOnlyStoresNothing) {
  const std::string nhs = SyntheticNhsNumber(7);
  v1::RecordObservationResponse r;
  // The child told the school (an agency the GP must not learn of).
  ASSERT_TRUE(Record(Obs(nhs, "school-rec-1", 1, "dfe", "BCRB", v1::SELF), &r, "school-x").ok());

  // The GP's practitioner is about to record White British: validate first.
  v1::RecordObservationRequest request;
  *request.mutable_observation() = Obs(nhs, "gp-rec-1", 2, "nhs-ethnic-category", "A", v1::PRACTITIONER);
  request.set_validate_only(true);
  v1::RecordObservationResponse dry;
  ASSERT_TRUE(stub_->RecordObservation(Context("gp-y").get(), request, &dry).ok());
  EXPECT_EQ(dry.outcome(), v1::INSERTED);
  ASSERT_EQ(dry.findings_size(), 2);
  const v1::Finding& mismatch = dry.findings(1).finding();
  EXPECT_EQ(dry.findings(1).action(), v1::FindingEvent::RAISED);
  EXPECT_EQ(mismatch.kind(), v1::SELF_ID_MISMATCH);
  EXPECT_EQ(mismatch.finding_id(), 0) << "never stored";
  EXPECT_EQ(mismatch.suggested_code(), "M");
  EXPECT_EQ(mismatch.suggested_display(), "Black or Black British - Caribbean");
  EXPECT_THAT(mismatch.reason(), HasSubstr("but the child identifies as Black, Black British, Black Welsh, Caribbean or African: Caribbean."));
  ASSERT_EQ(dry.reference().categories_size(), 1);
  EXPECT_EQ(dry.reference().categories(0), v1::BLACK_CARIBBEAN);
  EXPECT_EQ(dry.reference().supplied_by(), v1::SELF);
  EXPECT_EQ(dry.reference().stated_at().seconds(), 1764000001);
  // Nothing in the answer names the school or its record.
  EXPECT_THAT(dry.DebugString(), Not(HasSubstr("school")));
  // Nothing was stored.
  v1::GetChildResponse child;
  ASSERT_TRUE(OfficerChild(nhs, &child).ok());
  EXPECT_EQ(child.observations_size(), 1);

  // The practitioner asks the child instead and records what they say.
  *request.mutable_observation() = Obs(nhs, "gp-rec-1", 2, "nhs-ethnic-category", "M", v1::SELF);
  request.set_validate_only(false);
  v1::RecordObservationResponse real;
  ASSERT_TRUE(stub_->RecordObservation(Context("gp-y").get(), request, &real).ok());
  EXPECT_EQ(real.findings_size(), 0);
  EXPECT_EQ(real.reference().stated_at().seconds(), 1764000002) << "the GP's record is now the latest statement";
  ASSERT_TRUE(OfficerChild(nhs, &child).ok());
  EXPECT_EQ(child.observations_size(), 2);

  // A batch answers each observation the same way.
  v1::RecordObservationsRequest batch;
  *batch.add_observations() = Obs(nhs, "gp-rec-2", 3, "nhs-ethnic-category", "A", v1::UNKNOWN);
  batch.set_validate_only(true);
  v1::RecordObservationsResponse batch_response;
  ASSERT_TRUE(stub_->RecordObservations(Context("gp-y").get(), batch, &batch_response).ok());
  ASSERT_EQ(batch_response.results_size(), 1);
  ASSERT_EQ(batch_response.results(0).findings_size(), 1);
  EXPECT_EQ(batch_response.results(0).findings(0).finding().kind(), v1::SELF_ID_MISMATCH);
  ASSERT_TRUE(OfficerChild(nhs, &child).ok());
  EXPECT_EQ(child.observations_size(), 2);

  // A bulk load asks for the BASIC view: no feedback, no words; the write
  // (and its findings) is the same.
  batch.set_validate_only(false);
  batch.set_view(v1::BASIC);
  ASSERT_TRUE(stub_->RecordObservations(Context("gp-y").get(), batch, &batch_response).ok());
  ASSERT_EQ(batch_response.results_size(), 1);
  EXPECT_EQ(batch_response.results(0).outcome(), v1::INSERTED);
  EXPECT_EQ(batch_response.results(0).findings_size(), 0);
  EXPECT_FALSE(batch_response.results(0).has_reference());
  EXPECT_TRUE(batch_response.results(0).value().explanation().empty());
  EXPECT_EQ(batch_response.results(0).value().categories(0).category(), v1::WHITE_BRITISH);
  // Written: the same batch again is a DUPLICATE.
  ASSERT_TRUE(stub_->RecordObservations(Context("gp-y").get(), batch, &batch_response).ok());
  EXPECT_EQ(batch_response.results(0).outcome(), v1::DUPLICATE);
}

}  // namespace
}  // namespace ethrec
