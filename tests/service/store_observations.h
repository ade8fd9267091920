// Observations for the Store findings tests: normalised with the built-in
// code lists, on fixed days, for synthetic children.
#ifndef ETHREC_TESTS_SERVICE_STORE_OBSERVATIONS_H_
#define ETHREC_TESTS_SERVICE_STORE_OBSERVATIONS_H_

#include <functional>
#include <string>
#include <utility>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "mapping/normalizer.h"
#include "mapping/observation.h"
#include "mapping/reconcile.h"
#include "service/store.h"

namespace ethrec::testing {

// The built-in code lists, loaded once.
inline const Normalizer& Shared() {
  static const Normalizer* const n = Normalizer::Create(LoadOptions())->release();
  return *n;
}

// Day 1 is 2026-01-01.
inline absl::Time Day(int d) { return absl::FromUnixSeconds(1767225600) + absl::Hours(24 * (d - 1)); }

// A synthetic NHS number (999 prefix) for child `n`.
inline std::string Nhs(int n) { return SyntheticNhsNumber(n); }

// One observation about child `child`: `code` of `system`, or free text
// when system is "".
inline NormalizedObservation Obs(const std::string& agency, const std::string& record_id, int64_t version, int child,
                                 const std::string& system, const std::string& code, SuppliedBy who, int day) {
  Observation o;
  o.agency = agency;
  o.record_id = record_id;
  o.record_version = version;
  o.nhs_number = Nhs(child);
  o.system = system;
  if (system.empty()) {
    o.text = code;
  } else {
    o.code = code;
  }
  o.supplied_by = who;
  o.recorded_at = Day(day);
  absl::StatusOr<NormalizedObservation> n = NormalizeObservation(Shared(), o);
  EXPECT_TRUE(n.ok()) << n.status();
  return n.ok() ? *std::move(n) : NormalizedObservation();
}

// Store options with `clock`, and with findings (Reconcile over Shared())
// when `findings`.
inline StoreOptions Options(std::function<absl::Time()> clock, bool findings) {
  StoreOptions o;
  o.clock = std::move(clock);
  if (findings) o.findings_normalizer = &Shared();
  return o;
}

}  // namespace ethrec::testing

#endif  // ETHREC_TESTS_SERVICE_STORE_OBSERVATIONS_H_
