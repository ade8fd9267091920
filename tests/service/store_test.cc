// The Store contract (service/store.h), run against every implementation,
// then what only SqliteStore promises (durability, schema, WAL, names).
#include "service/store.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapping/status_field.h"
#include "service/memory_store.h"
#include "service/sqlite_store.h"
#include "tests/service/store_factories.h"
#include "tests/testing/status_matchers.h"

namespace ethrec {
namespace {

using ::ethrec::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// --- Synthetic data ---------------------------------------------------------

// A synthetic NHS number (999 prefix) with a valid modulus 11 check digit.
std::string SyntheticNhsNumber(int64_t nine) {
  for (;; ++nine) {
    const std::string prefix = absl::StrCat(nine);
    int sum = 0;
    for (int i = 0; i < 9; ++i) sum += (prefix[i] - '0') * (10 - i);
    int check = 11 - sum % 11;
    if (check == 11) check = 0;
    if (check != 10) return absl::StrCat(prefix, check);
  }
}

const std::string& NhsA() {
  static const std::string* const n = new std::string(SyntheticNhsNumber(999100000));
  return *n;
}
const std::string& NhsB() {
  static const std::string* const n = new std::string(SyntheticNhsNumber(999200000));
  return *n;
}
const std::string& NhsC() {
  static const std::string* const n = new std::string(SyntheticNhsNumber(999300000));
  return *n;
}

const absl::Time kRecorded = absl::FromUnixSeconds(1700000000);
const absl::Time kNow = absl::FromUnixSeconds(1750000000);

// An observation of a Somali child coded by a school, with a hand-made
// normalisation (the store keeps whatever it is given).
NormalizedObservation Item(absl::string_view agency, absl::string_view record_id, int64_t version,
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

void ExpectSameObservation(const Observation& got, const Observation& want) {
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

void ExpectSameNormalized(const Normalized& got, const Normalized& want) {
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

std::vector<int64_t> Versions(const RecordHistory& r) {
  std::vector<int64_t> out;
  for (const StoredObservation& v : r.versions) out.push_back(v.observation.record_version);
  return out;
}

std::vector<std::string> RecordIds(const ChildRecord& c) {
  std::vector<std::string> out;
  for (const RecordHistory& r : c.records) out.push_back(absl::StrCat(r.agency, "/", r.record_id));
  return out;
}

// --- Implementations under test ----------------------------------------------

// A clock that tests move by hand.
class FakeClock {
 public:
  absl::Time Now() {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Set(absl::Time t) {
    absl::MutexLock lock(&mu_);
    now_ = t;
  }

 private:
  absl::Mutex mu_;
  absl::Time now_ = kNow;
};

using ::ethrec::testing::MemoryStoreFactory;
using ::ethrec::testing::RemoveDb;
using ::ethrec::testing::SqliteStoreFactory;

std::string TempDbPath() { return ::ethrec::testing::TempDbPath("ethrec_store_"); }

template <typename Factory>
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = TempDbPath();
    RemoveDb(path_);
    absl::StatusOr<std::unique_ptr<Store>> store =
        Factory::Create({.clock = [this] { return clock_.Now(); }}, path_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  void TearDown() override {
    if (store_ != nullptr) {
      EXPECT_TRUE(store_->Close().ok());
    }
    store_.reset();
    RemoveDb(path_);
  }

  WriteOutcome WriteOk(const NormalizedObservation& item) {
    absl::StatusOr<WriteOutcome> out = store_->WriteOne(item);
    EXPECT_TRUE(out.ok()) << out.status();
    return out.ok() ? *out : WriteOutcome::kDuplicate;
  }
  ChildRecord GetOk(const ChildKey& key) {
    absl::StatusOr<ChildRecord> child = store_->GetChild(key);
    EXPECT_TRUE(child.ok()) << child.status();
    return child.ok() ? *std::move(child) : ChildRecord();
  }

  FakeClock clock_;
  std::string path_;
  std::unique_ptr<Store> store_;
};

TYPED_TEST_SUITE(StoreTest, ::ethrec::testing::StoreImplementations, ::ethrec::testing::StoreFactoryNames);

// --- The contract --------------------------------------------------------------

TYPED_TEST(StoreTest, InsertsANewRecordAndReadsItBackExactly) {
  NormalizedObservation item = Item("school-b", "R-1", 1, NhsA(), "PUPIL-1");
  // Every field off its default, and notes that need escaping.
  item.observation.supplied_by = SuppliedBy::kOfficerObserved;
  item.observation.text = "line one\nline two | \\ 'quoted'";
  item.normalized.categories = {{Category::kWhiteRoma, 0.1},
                                {Category::kWhiteOther, 0.7},
                                {Category::kWhiteGypsyIrishTraveller, 1.0 / 3}};
  item.normalized.category_set = CategorySet::Of(Category::kWhiteRoma)
                                     .Union(CategorySet::Of(Category::kWhiteOther))
                                     .Union(CategorySet::Of(Category::kWhiteGypsyIrishTraveller));
  item.normalized.ambiguous = true;
  item.normalized.decided_by_text = true;
  item.normalized.basis = RecordingBasis::kObserved;
  item.normalized.relationship = Relationship::kRelatedTo;
  item.normalized.notes = {"read 'romany' as 'roma'", "", "a\\b\nc", "trailing\\"};

  EXPECT_EQ(this->WriteOk(item), WriteOutcome::kInserted);

  const ChildRecord child = this->GetOk(ChildKey::ForNhsNumber(NhsA()));
  EXPECT_THAT(child.nhs_numbers, ElementsAre(NhsA()));
  EXPECT_THAT(child.agency_child_ids, ElementsAre(AgencyChildId{"school-b", "PUPIL-1"}));
  ASSERT_EQ(child.records.size(), 1u);
  EXPECT_EQ(child.records[0].agency, "school-b");
  EXPECT_EQ(child.records[0].record_id, "R-1");
  ASSERT_EQ(child.records[0].versions.size(), 1u);
  const StoredObservation& stored = child.records[0].current();
  ExpectSameObservation(stored.observation, item.observation);
  ExpectSameNormalized(stored.normalized, item.normalized);
  EXPECT_EQ(stored.received_at, kNow);
}

TYPED_TEST(StoreTest, KeepsTimesToTheMicrosecond) {
  NormalizedObservation item = Item("school-b", "R-1", 1, NhsA(), "");
  item.observation.recorded_at = kRecorded + absl::Nanoseconds(1234567);
  this->clock_.Set(kNow + absl::Nanoseconds(999));
  EXPECT_EQ(this->WriteOk(item), WriteOutcome::kInserted);
  const ChildRecord child = this->GetOk(ChildKey::ForNhsNumber(NhsA()));
  ASSERT_EQ(child.records.size(), 1u);
  EXPECT_EQ(child.records[0].current().observation.recorded_at,
            kRecorded + absl::Microseconds(1234));
  EXPECT_EQ(child.records[0].current().received_at, kNow);
  // A retry that differs only below the microsecond is the same content.
  item.observation.recorded_at = kRecorded + absl::Nanoseconds(1234001);
  EXPECT_EQ(this->WriteOk(item), WriteOutcome::kDuplicate);
}

TYPED_TEST(StoreTest, RetryOfTheSameVersionIsADuplicateAndWritesNothing) {
  const NormalizedObservation item = Item("school-b", "R-1", 1, NhsA(), "PUPIL-1");
  EXPECT_EQ(this->WriteOk(item), WriteOutcome::kInserted);
  this->clock_.Set(kNow + absl::Hours(1));
  // A retry after a map update: the normalisation differs, the content does not.
  NormalizedObservation retry = item;
  retry.normalized.map_version = "2";
  EXPECT_EQ(this->WriteOk(retry), WriteOutcome::kDuplicate);
  absl::StatusOr<std::vector<WriteOutcome>> batch = this->store_->Write({item, item});
  EXPECT_THAT(batch, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("items 0 and 1")));

  const ChildRecord child = this->GetOk(ChildKey::ForNhsNumber(NhsA()));
  ASSERT_EQ(child.records.size(), 1u);
  ASSERT_EQ(child.records[0].versions.size(), 1u);
  EXPECT_EQ(child.records[0].current().received_at, kNow);  // the first write's
  EXPECT_EQ(child.records[0].current().normalized.map_version, "1");
}

TYPED_TEST(StoreTest, NewerVersionBecomesCurrentAndHistoryIsKept) {
  NormalizedObservation v1 = Item("school-b", "R-1", 1, NhsA(), "PUPIL-1");
  NormalizedObservation v2 = v1;
  v2.observation.record_version = 2;
  v2.observation.code = "BAFR";
  v2.observation.text = "African";
  EXPECT_EQ(this->WriteOk(v1), WriteOutcome::kInserted);
  this->clock_.Set(kNow + absl::Hours(1));
  EXPECT_EQ(this->WriteOk(v2), WriteOutcome::kInserted);

  const ChildRecord child = this->GetOk(ChildKey::ForNhsNumber(NhsA()));
  ASSERT_EQ(child.records.size(), 1u);
  EXPECT_THAT(Versions(child.records[0]), ElementsAre(2, 1));
  EXPECT_EQ(child.records[0].current().observation.code, "BAFR");
  EXPECT_EQ(child.records[0].current().received_at, kNow + absl::Hours(1));
  EXPECT_EQ(child.records[0].versions[1].observation.code, "BSOM");
  EXPECT_EQ(child.records[0].versions[1].received_at, kNow);
}

TYPED_TEST(StoreTest, OlderVersionReplayIsHistoricalAndNeverReorders) {
  NormalizedObservation v3 = Item("school-b", "R-1", 3, NhsA(), "");
  v3.observation.code = "BAFR";
  NormalizedObservation v1 = Item("school-b", "R-1", 1, NhsA(), "");
  NormalizedObservation v2 = Item("school-b", "R-1", 2, NhsA(), "");
  EXPECT_EQ(this->WriteOk(v3), WriteOutcome::kInserted);
  EXPECT_EQ(this->WriteOk(v1), WriteOutcome::kHistorical);
  EXPECT_EQ(this->WriteOk(v2), WriteOutcome::kHistorical);
  EXPECT_EQ(this->WriteOk(v1), WriteOutcome::kDuplicate);

  const ChildRecord child = this->GetOk(ChildKey::ForNhsNumber(NhsA()));
  ASSERT_EQ(child.records.size(), 1u);
  EXPECT_THAT(Versions(child.records[0]), ElementsAre(3, 2, 1));
  EXPECT_EQ(child.records[0].current().observation.code, "BAFR");
}

TYPED_TEST(StoreTest, BatchAppliesItemsInOrder) {
  absl::StatusOr<std::vector<WriteOutcome>> out = this->store_->Write(
      {Item("school-b", "R-1", 2, NhsA(), ""), Item("school-b", "R-1", 1, NhsA(), ""),
       Item("school-b", "R-2", 1, NhsA(), ""), Item("school-b", "R-2", 5, NhsA(), "")});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT(*out, ElementsAre(WriteOutcome::kInserted, WriteOutcome::kHistorical,
                                WriteOutcome::kInserted, WriteOutcome::kInserted));
  const ChildRecord child = this->GetOk(ChildKey::ForNhsNumber(NhsA()));
  ASSERT_EQ(child.records.size(), 2u);
  EXPECT_THAT(Versions(child.records[0]), ElementsAre(2, 1));
  EXPECT_THAT(Versions(child.records[1]), ElementsAre(5, 1));
}

TYPED_TEST(StoreTest, EmptyBatchWritesNothing) {
  absl::StatusOr<std::vector<WriteOutcome>> out = this->store_->Write({});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(out->empty());
}

TYPED_TEST(StoreTest, ConflictFailsTheWholeBatchAndStoresNothing) {
  NormalizedObservation original = Item("school-b", "R-1", 1, NhsA(), "PUPIL-1");
  EXPECT_EQ(this->WriteOk(original), WriteOutcome::kInserted);

  NormalizedObservation changed = original;
  changed.observation.code = "BAFR";
  changed.observation.text = "private words";
  const std::vector<NormalizedObservation> batch = {
      Item("school-b", "R-9", 1, NhsB(), "PUPIL-9"),  // a new child
      Item("school-b", "R-1", 2, NhsA(), "PUPIL-1"),  // a new version
      changed,                                        // the conflict
  };
  this->clock_.Set(kNow + absl::Hours(1));
  absl::StatusOr<std::vector<WriteOutcome>> out = this->store_->Write(batch);
  EXPECT_THAT(out, StatusIs(absl::StatusCode::kFailedPrecondition,
                            HasSubstr("item 2: version 1 of record_id \"R-1\" is already stored "
                                      "with different content (code, text)")));
  EXPECT_THAT(std::string(out.status().message()), Not(HasSubstr("private")));
  EXPECT_EQ(ItemIndexOf(out.status()), 2u);
  EXPECT_EQ(FieldOf(out.status()), "record_version");

  // Nothing of the batch is there: no new child, no new version, no link.
  EXPECT_THAT(this->store_->GetChild(ChildKey::ForNhsNumber(NhsB())),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no child")));
  EXPECT_THAT(this->store_->GetChild(ChildKey::ForAgencyChildId("school-b", "PUPIL-9")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no child")));
  const ChildRecord child = this->GetOk(ChildKey::ForNhsNumber(NhsA()));
  ASSERT_EQ(child.records.size(), 1u);
  EXPECT_THAT(Versions(child.records[0]), ElementsAre(1));
  ExpectSameObservation(child.records[0].current().observation, original.observation);

  // The same batch without the conflict goes through.
  out = this->store_->Write({batch[0], batch[1]});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT(*out, ElementsAre(WriteOutcome::kInserted, WriteOutcome::kInserted));
}

TYPED_TEST(StoreTest, SameVersionTwiceInABatchNamesBothIndexes) {
  const std::vector<NormalizedObservation> batch = {
      Item("school-b", "R-1", 1, NhsA(), ""),
      Item("school-b", "R-2", 1, NhsA(), ""),
      Item("school-b", "R-1", 1, NhsA(), ""),
  };
  absl::StatusOr<std::vector<WriteOutcome>> out = this->store_->Write(batch);
  EXPECT_THAT(out, StatusIs(absl::StatusCode::kInvalidArgument,
                            HasSubstr("items 0 and 2 are both version 1 of record_id \"R-1\"")));
  EXPECT_EQ(ItemIndexOf(out.status()), 2u);
  EXPECT_THAT(this->store_->GetChild(ChildKey::ForNhsNumber(NhsA())),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no child")));
  // Another agency may use the same record id.
  out = this->store_->Write({batch[0], Item("police-c", "R-1", 1, NhsA(), "")});
  ASSERT_TRUE(out.ok()) << out.status();
}

TYPED_TEST(StoreTest, InvalidItemFailsTheBatchNamingItsIndexAndField) {
  NormalizedObservation bad = Item("school-b", "R-2", 0, NhsB(), "");
  absl::StatusOr<std::vector<WriteOutcome>> out =
      this->store_->Write({Item("school-b", "R-1", 1, NhsA(), ""), bad});
  EXPECT_THAT(out, StatusIs(absl::StatusCode::kInvalidArgument,
                            HasSubstr("item 1: record_version must be >= 1, got 0")));
  EXPECT_EQ(ItemIndexOf(out.status()), 1u);
  EXPECT_EQ(FieldOf(out.status()), "record_version");
  EXPECT_THAT(this->store_->GetChild(ChildKey::ForNhsNumber(NhsA())),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no child")));

  NormalizedObservation spaced = Item("school-b", "R-3", 1, "", "");
  spaced.observation.nhs_number =
      absl::StrCat(NhsA().substr(0, 3), " ", NhsA().substr(3, 3), " ", NhsA().substr(6));
  out = this->store_->Write({spaced});
  EXPECT_THAT(out, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("canonical form")));
  EXPECT_EQ(FieldOf(out.status()), "child.nhs_number");
  EXPECT_THAT(std::string(out.status().message()), Not(HasSubstr(NhsA().substr(0, 4))));
}

TYPED_TEST(StoreTest, AnObservationWithBothIdentifiersLinksThem) {
  EXPECT_EQ(this->WriteOk(Item("school-b", "R-1", 1, NhsA(), "PUPIL-1")), WriteOutcome::kInserted);
  // Another agency, by NHS number only: the same child.
  EXPECT_EQ(this->WriteOk(Item("health-d", "H-1", 1, NhsA(), "")), WriteOutcome::kInserted);
  // The school again, by its own id only: the same child.
  EXPECT_EQ(this->WriteOk(Item("school-b", "R-2", 1, "", "PUPIL-1")), WriteOutcome::kInserted);

  const ChildRecord by_nhs = this->GetOk(ChildKey::ForNhsNumber(NhsA()));
  const ChildRecord by_id = this->GetOk(ChildKey::ForAgencyChildId("school-b", "PUPIL-1"));
  EXPECT_THAT(RecordIds(by_nhs), ElementsAre("health-d/H-1", "school-b/R-1", "school-b/R-2"));
  EXPECT_THAT(RecordIds(by_id), ElementsAre("health-d/H-1", "school-b/R-1", "school-b/R-2"));
  EXPECT_THAT(by_id.nhs_numbers, ElementsAre(NhsA()));
}

TYPED_TEST(StoreTest, AgencyChildIdsAreScopedToTheirAgency) {
  EXPECT_EQ(this->WriteOk(Item("school-b", "R-1", 1, "", "X-1")), WriteOutcome::kInserted);
  EXPECT_EQ(this->WriteOk(Item("police-c", "P-1", 1, "", "X-1")), WriteOutcome::kInserted);
  EXPECT_THAT(RecordIds(this->GetOk(ChildKey::ForAgencyChildId("school-b", "X-1"))),
              ElementsAre("school-b/R-1"));
  EXPECT_THAT(RecordIds(this->GetOk(ChildKey::ForAgencyChildId("police-c", "X-1"))),
              ElementsAre("police-c/P-1"));
  EXPECT_THAT(this->store_->GetChild(ChildKey::ForAgencyChildId("health-d", "X-1")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no child")));
}

TYPED_TEST(StoreTest, LinkingTwoKnownChildrenMergesThem) {
  // Child 1: known to the school by NHS number. Child 2: known to the
  // police by their own id only.
  EXPECT_EQ(this->WriteOk(Item("school-b", "R-1", 1, NhsA(), "")), WriteOutcome::kInserted);
  EXPECT_EQ(this->WriteOk(Item("police-c", "P-1", 1, "", "CUST-7")), WriteOutcome::kInserted);
  EXPECT_EQ(this->WriteOk(Item("police-c", "P-2", 1, "", "CUST-7")), WriteOutcome::kInserted);
  EXPECT_THAT(RecordIds(this->GetOk(ChildKey::ForNhsNumber(NhsA()))), ElementsAre("school-b/R-1"));

  // The police learn the NHS number: one child from now on.
  EXPECT_EQ(this->WriteOk(Item("police-c", "P-3", 1, NhsA(), "CUST-7")), WriteOutcome::kInserted);
  for (const ChildKey& key :
       {ChildKey::ForNhsNumber(NhsA()), ChildKey::ForAgencyChildId("police-c", "CUST-7")}) {
    const ChildRecord child = this->GetOk(key);
    EXPECT_THAT(RecordIds(child),
                ElementsAre("police-c/P-1", "police-c/P-2", "police-c/P-3", "school-b/R-1"));
    EXPECT_THAT(child.nhs_numbers, ElementsAre(NhsA()));
    EXPECT_THAT(child.agency_child_ids, ElementsAre(AgencyChildId{"police-c", "CUST-7"}));
  }
}

TYPED_TEST(StoreTest, ThreeChildrenMergeThroughOneRecord) {
  EXPECT_EQ(this->WriteOk(Item("school-b", "R-1", 1, NhsA(), "")), WriteOutcome::kInserted);
  EXPECT_EQ(this->WriteOk(Item("school-b", "R-2", 1, NhsB(), "")), WriteOutcome::kInserted);
  EXPECT_EQ(this->WriteOk(Item("police-c", "P-1", 1, "", "CUST-7")), WriteOutcome::kInserted);
  // A new version of R-1 names NhsB and the police id is linked through
  // P-1's next version: all three children become one.
  EXPECT_EQ(this->WriteOk(Item("school-b", "R-1", 2, NhsB(), "")), WriteOutcome::kInserted);
  EXPECT_EQ(this->WriteOk(Item("police-c", "P-1", 2, NhsA(), "CUST-7")), WriteOutcome::kInserted);

  const ChildRecord child = this->GetOk(ChildKey::ForNhsNumber(NhsB()));
  EXPECT_THAT(RecordIds(child), ElementsAre("police-c/P-1", "school-b/R-1", "school-b/R-2"));
  EXPECT_THAT(child.nhs_numbers, ElementsAre(NhsA(), NhsB()));
  EXPECT_THAT(child.agency_child_ids, ElementsAre(AgencyChildId{"police-c", "CUST-7"}));
  EXPECT_THAT(this->store_->GetChild(ChildKey::ForNhsNumber(NhsC())),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no child")));
}

TYPED_TEST(StoreTest, UnknownChildIsNotFoundWithoutTheIdentifier) {
  EXPECT_EQ(this->WriteOk(Item("school-b", "R-1", 1, NhsA(), "PUPIL-1")), WriteOutcome::kInserted);
  absl::StatusOr<ChildRecord> by_nhs = this->store_->GetChild(ChildKey::ForNhsNumber(NhsB()));
  EXPECT_THAT(by_nhs, StatusIs(absl::StatusCode::kNotFound, "no child has that NHS number"));
  absl::StatusOr<ChildRecord> by_id =
      this->store_->GetChild(ChildKey::ForAgencyChildId("school-b", "PUPIL-404"));
  EXPECT_THAT(by_id, StatusIs(absl::StatusCode::kNotFound,
                              "no child has that agency_child_id at that agency"));
}

TYPED_TEST(StoreTest, InvalidChildKeyIsInvalidArgument) {
  const std::string wrong_check = absl::StrCat(NhsA().substr(0, 9), (NhsA()[9] - '0' + 1) % 10);
  absl::StatusOr<ChildRecord> out = this->store_->GetChild(ChildKey::ForNhsNumber(wrong_check));
  EXPECT_THAT(out, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("check digit is wrong")));
  EXPECT_EQ(FieldOf(out.status()), "child.nhs_number");
  EXPECT_THAT(this->store_->GetChild(ChildKey::ForNhsNumber("")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("required")));
  out = this->store_->GetChild(ChildKey::ForAgencyChildId("school-b", "bad\x01id"));
  EXPECT_THAT(out, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("printable ASCII")));
  EXPECT_EQ(FieldOf(out.status()), "child.agency_child_id");
  EXPECT_THAT(this->store_->GetChild(ChildKey::ForAgencyChildId("", "PUPIL-1")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("agency must be")));
}

TYPED_TEST(StoreTest, RecordsAreSortedByAgencyThenRecordId) {
  for (const auto& [agency, record] : std::vector<std::pair<std::string, std::string>>{
           {"school-b", "R-2"}, {"health-d", "H-9"}, {"school-b", "R-10"}, {"police-c", "A"}}) {
    EXPECT_EQ(this->WriteOk(Item(agency, record, 1, NhsA(), "")), WriteOutcome::kInserted);
  }
  EXPECT_THAT(RecordIds(this->GetOk(ChildKey::ForNhsNumber(NhsA()))),
              ElementsAre("health-d/H-9", "police-c/A", "school-b/R-10", "school-b/R-2"));
}

TYPED_TEST(StoreTest, ConcurrentWritersAllLand) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < kPerThread; ++i) {
        absl::StatusOr<WriteOutcome> out =
            this->store_->WriteOne(Item("school-b", absl::StrCat("T", t, "-", i), 1, NhsA(), ""));
        EXPECT_TRUE(out.ok()) << out.status();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(this->GetOk(ChildKey::ForNhsNumber(NhsA())).records.size(),
            static_cast<size_t>(kThreads * kPerThread));
}

TYPED_TEST(StoreTest, ClosedStoreRefusesCalls) {
  EXPECT_EQ(this->WriteOk(Item("school-b", "R-1", 1, NhsA(), "")), WriteOutcome::kInserted);
  EXPECT_TRUE(this->store_->Close().ok());
  EXPECT_TRUE(this->store_->Close().ok());
  EXPECT_THAT(this->store_->WriteOne(Item("school-b", "R-2", 1, NhsA(), "")),
              StatusIs(absl::StatusCode::kFailedPrecondition, "the store is closed"));
  EXPECT_THAT(this->store_->GetChild(ChildKey::ForNhsNumber(NhsA())),
              StatusIs(absl::StatusCode::kFailedPrecondition, "the store is closed"));
  EXPECT_EQ(this->store_->schema_version(), kStoreSchemaVersion);
}

TYPED_TEST(StoreTest, SchemaVersionIsTheCurrentOne) {
  EXPECT_EQ(this->store_->schema_version(), kStoreSchemaVersion);
}

TEST(WriteOutcomeTest, Names) {
  EXPECT_EQ(WriteOutcomeName(WriteOutcome::kInserted), "INSERTED");
  EXPECT_EQ(WriteOutcomeName(WriteOutcome::kDuplicate), "DUPLICATE");
  EXPECT_EQ(WriteOutcomeName(WriteOutcome::kHistorical), "HISTORICAL");
}

// --- SqliteStore only ----------------------------------------------------------

// A second, raw connection to the same file, to look at what was stored.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawDb() { sqlite3_close(db_); }
  sqlite3* get() { return db_; }

  // The first column of the first row of `sql` as text ("" if none).
  std::string One(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db_);
    std::string out;
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return out;
  }
  void Exec(const std::string& sql) {
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db_);
  }

 private:
  sqlite3* db_ = nullptr;
};

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = TempDbPath();
    RemoveDb(path_);
  }
  void TearDown() override { RemoveDb(path_); }

  std::unique_ptr<Store> OpenOk() {
    absl::StatusOr<std::unique_ptr<Store>> store = OpenSqliteStore({.path = path_});
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }

  std::string path_;
};

TEST_F(SqliteStoreTest, ReopenedFileKeepsEveryWrite) {
  {
    std::unique_ptr<Store> store = OpenOk();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store
                    ->Write({Item("school-b", "R-1", 1, NhsA(), "PUPIL-1"),
                             Item("school-b", "R-1", 2, NhsA(), "PUPIL-1")})
                    .ok());
    ASSERT_TRUE(store->Close().ok());
  }
  std::unique_ptr<Store> store = OpenOk();
  ASSERT_NE(store, nullptr);
  absl::StatusOr<ChildRecord> child =
      store->GetChild(ChildKey::ForAgencyChildId("school-b", "PUPIL-1"));
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_EQ(child->records.size(), 1u);
  EXPECT_THAT(Versions(child->records[0]), ElementsAre(2, 1));
  EXPECT_EQ(store->WriteOne(Item("school-b", "R-1", 1, NhsA(), "PUPIL-1"))
                .value_or(WriteOutcome::kInserted),
            WriteOutcome::kDuplicate);
}

TEST_F(SqliteStoreTest, DestructorWithoutCloseKeepsData) {
  {
    std::unique_ptr<Store> store = OpenOk();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->WriteOne(Item("school-b", "R-1", 1, NhsA(), "")).ok());
  }
  std::unique_ptr<Store> store = OpenOk();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->GetChild(ChildKey::ForNhsNumber(NhsA())).ok());
}

TEST_F(SqliteStoreTest, SchemaVersionIsRecorded) {
  std::unique_ptr<Store> store = OpenOk();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->schema_version(), kStoreSchemaVersion);
  RawDb raw(path_);
  EXPECT_EQ(raw.One("SELECT MAX(version) FROM schema_migrations"),
            absl::StrCat(kStoreSchemaVersion));
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM schema_migrations"), absl::StrCat(kStoreSchemaVersion));
  EXPECT_NE(raw.One("SELECT description FROM schema_migrations WHERE version = 1"), "");
  // Reopening runs no migration twice.
  ASSERT_TRUE(store->Close().ok());
  store = OpenOk();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM schema_migrations"), absl::StrCat(kStoreSchemaVersion));
}

TEST_F(SqliteStoreTest, FutureSchemaVersionIsRefused) {
  ASSERT_NE(OpenOk(), nullptr);
  {
    RawDb raw(path_);
    raw.Exec(
        absl::StrCat("INSERT INTO schema_migrations (version, description, applied_at_us) "
                     "VALUES (",
                     kStoreSchemaVersion + 1, ", 'from the future', 0)"));
  }
  absl::StatusOr<std::unique_ptr<Store>> store = OpenSqliteStore({.path = path_});
  EXPECT_THAT(store,
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr(absl::StrCat("database schema version ", kStoreSchemaVersion + 1,
                                              " is newer than this build knows"))));
}

TEST_F(SqliteStoreTest, JournalModeIsWal) {
  std::unique_ptr<Store> store = OpenOk();
  ASSERT_NE(store, nullptr);
  RawDb raw(path_);
  EXPECT_EQ(raw.One("PRAGMA journal_mode"), "wal");
}

TEST_F(SqliteStoreTest, ValuesAreStoredByTheirNames) {
  std::unique_ptr<Store> store = OpenOk();
  ASSERT_NE(store, nullptr);
  NormalizedObservation item = Item("school-b", "R-1", 1, NhsA(), "");
  item.observation.supplied_by = SuppliedBy::kParentOrCarer;
  item.normalized.categories = {{Category::kWhiteRoma, 0.6}, {Category::kWhiteOther, 0.4}};
  item.normalized.category_set =
      CategorySet::Of(Category::kWhiteRoma).Union(CategorySet::Of(Category::kWhiteOther));
  ASSERT_TRUE(store->WriteOne(item).ok());
  RawDb raw(path_);
  EXPECT_EQ(raw.One("SELECT norm_categories FROM observations"), "WHITE_ROMA|WHITE_OTHER");
  EXPECT_EQ(raw.One("SELECT norm_confidences FROM observations"), "0.6|0.4");
  EXPECT_EQ(raw.One("SELECT norm_category_set FROM observations"), "WHITE_ROMA|WHITE_OTHER");
  EXPECT_EQ(raw.One("SELECT supplied_by FROM observations"), "PARENT_OR_CARER");
  EXPECT_EQ(raw.One("SELECT norm_outcome FROM observations"), "CATEGORIES");
  EXPECT_EQ(raw.One("SELECT norm_relationship FROM observations"),
            "source-is-narrower-than-target");
  EXPECT_EQ(raw.One("SELECT recorded_at_us FROM observations"),
            absl::StrCat(absl::ToUnixMicros(kRecorded)));
}

TEST_F(SqliteStoreTest, FailedBatchLeavesNoRowsAnywhere) {
  std::unique_ptr<Store> store = OpenOk();
  ASSERT_NE(store, nullptr);
  NormalizedObservation original = Item("school-b", "R-1", 1, NhsA(), "");
  ASSERT_TRUE(store->WriteOne(original).ok());
  NormalizedObservation changed = original;
  changed.observation.supplied_by = SuppliedBy::kPractitioner;
  // New children, links and a merge before the conflict: all rolled back.
  EXPECT_THAT(store->Write({Item("police-c", "P-1", 1, NhsB(), "CUST-1"),
                            Item("police-c", "P-2", 1, NhsA(), "CUST-1"), changed}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("(supplied_by)")));
  RawDb raw(path_);
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM children"), "1");
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM child_nhs_numbers"), "1");
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM child_agency_ids"), "0");
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM records"), "1");
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM observations"), "1");
  // And the store is still usable.
  EXPECT_TRUE(store->WriteOne(Item("police-c", "P-1", 1, NhsB(), "CUST-1")).ok());
}

TEST_F(SqliteStoreTest, LockedDatabaseIsUnavailable) {
  absl::StatusOr<std::unique_ptr<Store>> store =
      OpenSqliteStore({.path = path_, .busy_timeout = absl::Milliseconds(50)});
  ASSERT_TRUE(store.ok()) << store.status();
  RawDb raw(path_);
  raw.Exec("BEGIN IMMEDIATE");
  EXPECT_THAT((*store)->WriteOne(Item("school-b", "R-1", 1, NhsA(), "")),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("locked")));
  raw.Exec("ROLLBACK");
  EXPECT_TRUE((*store)->WriteOne(Item("school-b", "R-1", 1, NhsA(), "")).ok());
}

TEST_F(SqliteStoreTest, BadPathsAreRefused) {
  EXPECT_THAT(OpenSqliteStore({.path = ""}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("path is required")));
  EXPECT_THAT(OpenSqliteStore({.path = absl::StrCat(::testing::TempDir(), "no/such/dir/x.db")}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("no/such/dir")));
}

TEST_F(SqliteStoreTest, NotADatabaseIsDataLoss) {
  {
    std::ofstream f(path_);
    f << "this is not an SQLite database, just some synthetic text padded out to a page. "
      << std::string(4096, 'x');
  }
  EXPECT_THAT(OpenSqliteStore({.path = path_}),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("not a database")));
}

TEST_F(SqliteStoreTest, KilledWriterLosesNoAcknowledgedBatch) {
  constexpr int kBatchSize = 20;
  int acks[2];
  ASSERT_EQ(pipe(acks), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The writer: batch after batch until killed, acknowledging each OK.
    close(acks[0]);
    absl::StatusOr<std::unique_ptr<Store>> store = OpenSqliteStore({.path = path_});
    if (!store.ok()) _exit(1);
    for (int b = 0;; ++b) {
      std::vector<NormalizedObservation> batch;
      for (int i = 0; i < kBatchSize; ++i) {
        batch.push_back(Item("school-b", absl::StrCat("B", b, "-", i), 1, NhsA(), ""));
      }
      if (!(*store)->Write(batch).ok()) _exit(2);
      if (write(acks[1], &b, sizeof(b)) != sizeof(b)) _exit(3);
    }
  }
  close(acks[1]);
  int last_ack = -1;
  for (int b; last_ack < 30 && read(acks[0], &b, sizeof(b)) == sizeof(b);) last_ack = b;
  kill(pid, SIGKILL);
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  close(acks[0]);
  ASSERT_TRUE(WIFSIGNALED(wstatus)) << "writer exited early with " << WEXITSTATUS(wstatus);
  ASSERT_GE(last_ack, 30);

  std::unique_ptr<Store> store = OpenOk();
  ASSERT_NE(store, nullptr);
  absl::StatusOr<ChildRecord> child = store->GetChild(ChildKey::ForNhsNumber(NhsA()));
  ASSERT_TRUE(child.ok()) << child.status();
  const size_t stored = child->records.size();
  EXPECT_EQ(stored % kBatchSize, 0u) << "a batch was half written";
  EXPECT_GE(stored, static_cast<size_t>((last_ack + 1) * kBatchSize))
      << "an acknowledged batch is missing";
}

TEST_F(SqliteStoreTest, InMemoryDatabaseWorks) {
  absl::StatusOr<std::unique_ptr<Store>> store = OpenSqliteStore({.path = ":memory:"});
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(
      (*store)->WriteOne(Item("school-b", "R-1", 1, NhsA(), "")).value_or(WriteOutcome::kDuplicate),
      WriteOutcome::kInserted);
  EXPECT_TRUE((*store)->GetChild(ChildKey::ForNhsNumber(NhsA())).ok());
}

}  // namespace
}  // namespace ethrec
