// api/audit: an audit event to the ethrec.v1 message, field by field, and
// back to an equal event. Synthetic data only.
#include "api/audit.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ethrec::api {
namespace {

using ::testing::ElementsAre;

AuditEvent Event() {
  return AuditEvent{.id = 41,
                    .time = absl::FromUnixMicros(1700000000123456),
                    .actor = {.agency = "school-x",
                              .role = "record-system",
                              .identity = "spiffe://ethrec.test/school-x",
                              .peer = "ipv4:127.0.0.1:50000",
                              .method = "/ethrec.v1.RecordsService/GetChild"},
                    .child_ids = {3, 12},
                    .finding_ids = {7},
                    .validate_only = true,
                    .outcome = "NOT_FOUND"};
}

TEST(AuditToProtoTest, FillsEveryField) {
  v1::AuditEvent p;
  ToProto(Event(), &p);
  EXPECT_EQ(p.event_id(), 41);
  EXPECT_EQ(p.time().seconds(), 1700000000);
  EXPECT_EQ(p.time().nanos(), 123456000);
  EXPECT_EQ(p.agency(), "school-x");
  EXPECT_EQ(p.role(), "record-system");
  EXPECT_EQ(p.identity(), "spiffe://ethrec.test/school-x");
  EXPECT_EQ(p.peer(), "ipv4:127.0.0.1:50000");
  EXPECT_EQ(p.method(), "/ethrec.v1.RecordsService/GetChild");
  EXPECT_THAT(p.child_ids(), ElementsAre(3, 12));
  EXPECT_THAT(p.finding_ids(), ElementsAre(7));
  EXPECT_TRUE(p.validate_only());
  EXPECT_EQ(p.outcome(), "NOT_FOUND");
}

TEST(AuditToProtoTest, RoundTripsToAnEqualEvent) {
  AuditEvent empty;
  empty.time = absl::UnixEpoch();
  empty.outcome = "OK";
  for (const AuditEvent& e : {Event(), empty}) {
    v1::AuditEvent p;
    ToProto(e, &p);
    EXPECT_EQ(FromProto(p), e) << p.DebugString();
  }
}

TEST(AuditFromProtoTest, ReadsEveryField) {
  v1::AuditEvent p;
  p.set_event_id(9);
  p.mutable_time()->set_seconds(1700000001);
  p.set_agency("csc-y");
  p.set_role("data-quality");
  p.set_identity("metadata");
  p.set_peer("http:ipv4:127.0.0.1:1");
  p.set_method("/ethrec.v1.FindingsService/ListFindings");
  p.add_child_ids(5);
  p.add_finding_ids(8);
  p.add_finding_ids(9);
  p.set_outcome("OK");
  const AuditEvent e = FromProto(p);
  EXPECT_EQ(e.id, 9);
  EXPECT_EQ(e.time, absl::FromUnixSeconds(1700000001));
  EXPECT_EQ(e.actor, (AuditActor{"csc-y", "data-quality", "metadata", "http:ipv4:127.0.0.1:1",
                                 "/ethrec.v1.FindingsService/ListFindings"}));
  EXPECT_THAT(e.child_ids, ElementsAre(5));
  EXPECT_THAT(e.finding_ids, ElementsAre(8, 9));
  EXPECT_FALSE(e.validate_only);
  EXPECT_EQ(e.outcome, "OK");
}

}  // namespace
}  // namespace ethrec::api
