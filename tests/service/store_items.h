// What the Store contract tests (store_test.cc) and the SQLite-only tests
// (sqlite_store_test.cc) write: synthetic NHS numbers, an observation with a
// hand-made normalisation, and comparisons of what comes back.
#ifndef ETHREC_TESTS_SERVICE_STORE_ITEMS_H_
#define ETHREC_TESTS_SERVICE_STORE_ITEMS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "mapping/observation.h"
#include "service/store.h"

namespace ethrec::store_items {

// A synthetic NHS number (999 prefix) with a valid modulus 11 check digit.
inline std::string NhsFromPrefix(int64_t nine) {
  for (;; ++nine) {
    const std::string prefix = absl::StrCat(nine);
    int sum = 0;
    for (int i = 0; i < 9; ++i) sum += (prefix[i] - '0') * (10 - i);
    int check = 11 - sum % 11;
    if (check == 11) check = 0;
    if (check != 10) return absl::StrCat(prefix, check);
  }
}

inline const std::string& NhsA() {
  static const std::string* const n = new std::string(NhsFromPrefix(999100000));
  return *n;
}
inline const std::string& NhsB() {
  static const std::string* const n = new std::string(NhsFromPrefix(999200000));
  return *n;
}
inline const std::string& NhsC() {
  static const std::string* const n = new std::string(NhsFromPrefix(999300000));
  return *n;
}

inline const absl::Time kRecorded = absl::FromUnixSeconds(1700000000);
inline const absl::Time kNow = absl::FromUnixSeconds(1750000000);

// An observation of a Somali child coded by a school, with a hand-made
// normalisation (the store keeps whatever it is given).
inline NormalizedObservation Item(absl::string_view agency, absl::string_view record_id, int64_t version,
                           absl::string_view nhs_number, absl::string_view agency_child_id) {
  NormalizedObservation item;
  Observation& o = item.observation;
  o.agency = std::string(agency);
  o.record_id = std::string(record_id);
  o.record_version = version;
  o.nhs_number = std::string(nhs_number);
  o.agency_child_id = std::string(agency_child_id);
  o.system = "dfe";
  o.code = "BSOM";
  o.text = "Somali";
  o.supplied_by = SuppliedBy::kSelf;
  o.recorded_at = kRecorded;
  Normalized& n = item.normalized;
  n.outcome = Outcome::kCategories;
  n.categories.push_back({Category::kBlackAfrican, 1.0});
  n.category_set = CategorySet::Of(Category::kBlackAfrican);
  n.relationship = Relationship::kSourceIsNarrowerThanTarget;
  n.detail = "Somali";
  n.basis = RecordingBasis::kSelfDefined;
  n.system = "dfe";
  n.system_version = "2024";
  n.code = "BSOM";
  n.display = "Somali";
  n.map_id = "dfe-to-ons";
  n.map_version = "1";
  n.explanation = "dfe BSOM maps to BLACK_AFRICAN (Somali)";
  return item;
}

inline void ExpectSameObservation(const Observation& got, const Observation& want) {
  EXPECT_EQ(got.agency, want.agency);
  EXPECT_EQ(got.nhs_number, want.nhs_number);
  EXPECT_EQ(got.agency_child_id, want.agency_child_id);
  EXPECT_EQ(got.record_id, want.record_id);
  EXPECT_EQ(got.record_version, want.record_version);
  EXPECT_EQ(got.system, want.system);
  EXPECT_EQ(got.code, want.code);
  EXPECT_EQ(got.text, want.text);
  EXPECT_EQ(got.supplied_by, want.supplied_by);
  EXPECT_EQ(got.recorded_at, want.recorded_at);
}

inline void ExpectSameNormalized(const Normalized& got, const Normalized& want) {
  EXPECT_EQ(got.outcome, want.outcome);
  ASSERT_EQ(got.categories.size(), want.categories.size());
  for (size_t i = 0; i < got.categories.size(); ++i) {
    EXPECT_EQ(got.categories[i].category, want.categories[i].category) << i;
    EXPECT_EQ(got.categories[i].confidence, want.categories[i].confidence) << i;
  }
  EXPECT_EQ(got.category_set, want.category_set);
  EXPECT_EQ(got.relationship, want.relationship);
  EXPECT_EQ(got.ambiguous, want.ambiguous);
  EXPECT_EQ(got.detail, want.detail);
  EXPECT_EQ(got.basis, want.basis);
  EXPECT_EQ(got.system, want.system);
  EXPECT_EQ(got.system_version, want.system_version);
  EXPECT_EQ(got.code, want.code);
  EXPECT_EQ(got.display, want.display);
  EXPECT_EQ(got.map_id, want.map_id);
  EXPECT_EQ(got.map_version, want.map_version);
  EXPECT_EQ(got.decided_by_text, want.decided_by_text);
  EXPECT_EQ(got.explanation, want.explanation);
  EXPECT_EQ(got.notes, want.notes);
}

inline std::vector<int64_t> Versions(const RecordHistory& r) {
  std::vector<int64_t> out;
  for (const StoredObservation& v : r.versions) out.push_back(v.observation.record_version);
  return out;
}

inline std::vector<std::string> RecordIds(const ChildRecord& c) {
  std::vector<std::string> out;
  for (const RecordHistory& r : c.records) out.push_back(absl::StrCat(r.agency, "/", r.record_id));
  return out;
}

}  // namespace ethrec::store_items

#endif  // ETHREC_TESTS_SERVICE_STORE_ITEMS_H_
