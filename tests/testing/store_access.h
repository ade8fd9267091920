// Test-only: the Access (service/store.h) that store tests pass to every
// call that touches a child's data, so that each call is audited as the
// server's would be. Synthetic callers only.
#ifndef ETHREC_TESTS_TESTING_STORE_ACCESS_H_
#define ETHREC_TESTS_TESTING_STORE_ACCESS_H_

#include <string>

#include "service/store.h"

namespace ethrec::testing {

inline constexpr char kTestMethod[] = "/ethrec.test/StoreCall";

// A data-quality officer of agency `agency`: sees every agency.
inline Access ReviewerAccess(const std::string& agency) {
  return Access{.actor = {.agency = agency,
                          .role = "data-quality-officer",
                          .identity = "metadata",
                          .peer = "ipv4:127.0.0.1:40000",
                          .method = kTestMethod},
                .all_agencies = true};
}

// What the store tests that are not about scope or audit pass: an officer
// (every agency) of agency "test-dq".
inline const Access& TestAccess() {
  static const Access* const access = new Access(ReviewerAccess("test-dq"));
  return *access;
}

// A record system of `agency` calling `method`: sees only its own agency.
inline Access AgencyAccess(const std::string& agency, const std::string& method = kTestMethod) {
  return Access{.actor = {.agency = agency,
                          .role = "record-system",
                          .identity = "metadata",
                          .peer = "ipv4:127.0.0.1:40001",
                          .method = method},
                .all_agencies = false};
}

}  // namespace ethrec::testing

#endif  // ETHREC_TESTS_TESTING_STORE_ACCESS_H_
