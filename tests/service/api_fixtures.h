// Test-only: what the in-process tests of the service/ calls share: callers,
// a MemoryStore with findings over the built-in Normalizer at a fixed
// clock, and observation inputs. Synthetic data only.
#ifndef ETHREC_TESTS_SERVICE_API_FIXTURES_H_
#define ETHREC_TESTS_SERVICE_API_FIXTURES_H_

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "ethrec/v1/records_service.pb.h"
#include "gmock/gmock.h"
#include "mapping/reconcile.h"
#include "mapping/status_field.h"
#include "service/access_policy.h"
#include "service/caller.h"
#include "service/findings_service.h"
#include "service/memory_store.h"
#include "tests/testing/builtin_data.h"
#include "tests/testing/status_matchers.h"

namespace ethrec::testing {

inline service::Caller RecordSystem(const std::string& agency) { return {agency, "record-system"}; }
inline service::Caller Officer() { return {"ethrec-dq", service::kDataQualityRole}; }

// A MemoryStore that raises findings (Reconcile over BuiltinNormalizer) and
// receives every write at 2026-01-01T00:00:00Z.
inline std::unique_ptr<MemoryStore> StoreWithFindings() {
  StoreOptions options;
  options.clock = [] { return absl::FromUnixSeconds(1767225600); };
  options.findings_normalizer = &BuiltinNormalizer();
  return std::make_unique<MemoryStore>(options);
}

// An observation of the child with NHS number `nhs`, recorded at
// 1764000000 + `version` seconds.
inline v1::ObservationInput Input(const std::string& nhs, const std::string& record_id, int version,
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

// Matches a Status or StatusOr whose status names `field` (mapping/status_field.h).
MATCHER_P(HasField, field, absl::StrCat("names field \"", field, "\"")) {
  const absl::Status& s = GetStatus(arg);
  *result_listener << "whose status is " << s << " naming \"" << FieldOf(s) << "\"";
  return FieldOf(s) == field;
}

}  // namespace ethrec::testing

#endif  // ETHREC_TESTS_SERVICE_API_FIXTURES_H_
