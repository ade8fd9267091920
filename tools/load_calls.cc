// The calls both ethrec_load.cc and load_tls.cc measure (declared in
// tools/internal/load_runner.h).
#include "absl/strings/str_cat.h"
#include "mapping/observation.h"
#include "tools/internal/load_runner.h"

namespace ethrec::load_internal {

Result NormalizeCalls(const std::string& name, v1::TaxonomyService::Stub* taxonomy,
                      const std::vector<std::pair<std::string, std::string>>& codes) {
  return RunAsync<v1::NormalizeRequest, v1::NormalizeResponse>(
      name,
      [taxonomy](grpc::ClientContext* c, const v1::NormalizeRequest& q, grpc::CompletionQueue* cq) {
        return taxonomy->PrepareAsyncNormalize(c, q, cq);
      },
      [&codes](int64_t i) {
        v1::NormalizeRequest q;
        q.set_system(codes[i % codes.size()].first);
        q.set_code(codes[i % codes.size()].second);
        return q;
      },
      1);
}

bool SeedChildren(v1::RecordsService::Stub* records, int64_t first_child, int64_t children, int batch) {
  for (int64_t done = 0; done < children;) {
    v1::RecordObservationsRequest q;
    q.set_view(v1::BASIC);
    for (int k = 0; k < batch && done < children; ++k, ++done) {
      v1::ObservationInput* o = q.add_observations();
      o->mutable_child()->set_nhs_number(SyntheticNhsNumber(first_child + done));
      o->set_record_id(absl::StrCat("school-", first_child + done));
      o->set_record_version(1);
      o->set_system("dfe");
      o->set_code("BCRB");
      o->set_supplied_by(v1::SELF);
      o->mutable_recorded_at()->set_seconds(1764000000);
    }
    grpc::ClientContext context;
    context.AddMetadata("x-ethrec-agency", kSeedAgency);
    context.AddMetadata("x-ethrec-role", "record-system");
    v1::RecordObservationsResponse answer;
    if (grpc::Status status = records->RecordObservations(&context, q, &answer); !status.ok()) {
      std::printf("seeding failed: %s\n", status.error_message().c_str());
      return false;
    }
  }
  return true;
}

Result ChildReads(const std::string& name, v1::RecordsService::Stub* records, int64_t first_child,
                  int64_t children) {
  return RunAsync<v1::GetChildRequest, v1::GetChildResponse>(
      name,
      [records](grpc::ClientContext* c, const v1::GetChildRequest& q, grpc::CompletionQueue* cq) {
        return records->PrepareAsyncGetChild(c, q, cq);
      },
      [first_child, children](int64_t call) {
        v1::GetChildRequest q;
        q.mutable_child()->set_nhs_number(SyntheticNhsNumber(first_child + call % children));
        return q;
      },
      1, [](int64_t, const v1::GetChildResponse& r) { return r.observations_size() > 0; }, kSeedAgency);
}

}  // namespace ethrec::load_internal
