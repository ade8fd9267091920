// The Store contract (service/store.h), run against every implementation
// (what only the SQLite store promises is in sqlite_store_test.cc).
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
#include "tests/service/store_items.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/store_access.h"

namespace ethrec {
namespace {

using ::ethrec::testing::TestAccess;
using ::ethrec::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

using ::ethrec::store_items::ExpectSameNormalized;
using ::ethrec::store_items::ExpectSameObservation;
using ::ethrec::store_items::Item;
using ::ethrec::store_items::kNow;
using ::ethrec::store_items::kRecorded;
using ::ethrec::store_items::NhsA;
using ::ethrec::store_items::NhsB;
using ::ethrec::store_items::NhsC;
using ::ethrec::store_items::RecordIds;
using ::ethrec::store_items::Versions;

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
    absl::StatusOr<WriteOutcome> out = store_->WriteOne(item, TestAccess());
    EXPECT_TRUE(out.ok()) << out.status();
    return out.ok() ? *out : WriteOutcome::kDuplicate;
  }
  ChildRecord GetOk(const ChildKey& key) {
    absl::StatusOr<ChildRecord> child = store_->GetChild(key, TestAccess());
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
  absl::StatusOr<std::vector<WriteOutcome>> batch = this->store_->Write({item, item}, TestAccess());
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
       Item("school-b", "R-2", 1, NhsA(), ""), Item("school-b", "R-2", 5, NhsA(), "")}, TestAccess());
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT(*out, ElementsAre(WriteOutcome::kInserted, WriteOutcome::kHistorical,
                                WriteOutcome::kInserted, WriteOutcome::kInserted));
  const ChildRecord child = this->GetOk(ChildKey::ForNhsNumber(NhsA()));
  ASSERT_EQ(child.records.size(), 2u);
  EXPECT_THAT(Versions(child.records[0]), ElementsAre(2, 1));
  EXPECT_THAT(Versions(child.records[1]), ElementsAre(5, 1));
}

TYPED_TEST(StoreTest, TextIsStoredByteForByteWhateverItHolds) {
  // What a batch's values pass through (PostgreSQL sends a batch's
  // observations as array literals) must not change them.
  const std::vector<std::string> texts = {
      "", "NULL", "a \"quoted\" word", "back\\slash \\\"", "{braces}, commas", "line\nbreak\ttab",
      "Qu\xC3\xA9" "b\xC3\xA9" "cois \xE2\x80\x93 \xEF\xBC\xB7", " spaces round "};
  std::vector<NormalizedObservation> batch;
  for (size_t i = 0; i < texts.size(); ++i) {
    NormalizedObservation item = Item("school-b", absl::StrCat("R-", i), 1, NhsA(), "");
    item.observation.text = texts[i];
    item.normalized.detail = texts[i];
    item.normalized.notes = {texts[i], "x"};
    batch.push_back(std::move(item));
  }
  ASSERT_TRUE(this->store_->Write(batch, TestAccess()).ok());
  const ChildRecord child = this->GetOk(ChildKey::ForNhsNumber(NhsA()));
  ASSERT_EQ(child.records.size(), texts.size());
  for (const RecordHistory& r : child.records) {
    const size_t i = std::stoul(r.record_id.substr(2));
    ASSERT_LT(i, texts.size());
    const StoredObservation& stored = r.versions.front();
    EXPECT_EQ(stored.observation.text, texts[i]) << i;
    EXPECT_EQ(stored.normalized.detail, texts[i]) << i;
    EXPECT_THAT(stored.normalized.notes, ElementsAre(texts[i], "x")) << i;
  }
}

TYPED_TEST(StoreTest, EmptyBatchWritesNothing) {
  absl::StatusOr<std::vector<WriteOutcome>> out = this->store_->Write({}, TestAccess());
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
  absl::StatusOr<std::vector<WriteOutcome>> out = this->store_->Write(batch, TestAccess());
  EXPECT_THAT(out, StatusIs(absl::StatusCode::kFailedPrecondition,
                            HasSubstr("item 2: version 1 of record_id \"R-1\" is already stored "
                                      "with different content (code, text)")));
  EXPECT_THAT(std::string(out.status().message()), Not(HasSubstr("private")));
  EXPECT_EQ(BatchItemOf(out.status()), 2u);
  EXPECT_EQ(FieldOf(out.status()), "record_version");

  // Nothing of the batch is there: no new child, no new version, no link.
  EXPECT_THAT(this->store_->GetChild(ChildKey::ForNhsNumber(NhsB()), TestAccess()),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no child")));
  EXPECT_THAT(this->store_->GetChild(ChildKey::ForAgencyChildId("school-b", "PUPIL-9"), TestAccess()),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no child")));
  const ChildRecord child = this->GetOk(ChildKey::ForNhsNumber(NhsA()));
  ASSERT_EQ(child.records.size(), 1u);
  EXPECT_THAT(Versions(child.records[0]), ElementsAre(1));
  ExpectSameObservation(child.records[0].current().observation, original.observation);

  // The same batch without the conflict goes through.
  out = this->store_->Write({batch[0], batch[1]}, TestAccess());
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT(*out, ElementsAre(WriteOutcome::kInserted, WriteOutcome::kInserted));
}

// A batch larger than kMaxAtomicBatchItems, about 20 children: for each,
// versions 2 then 1 of a school record, a record known only by the
// school's child id, and one that links that id to the NHS number (a merge).
std::vector<NormalizedObservation> LargeBatch() {
  std::vector<NormalizedObservation> batch;
  for (int k = 0; k < 20; ++k) {
    const std::string nhs = store_items::NhsFromPrefix(999200000 + 2 * k);
    const std::string pupil = absl::StrCat("PUPIL-", k);
    batch.push_back(Item("school-b", absl::StrCat("R-", k), 2, nhs, ""));
    batch.push_back(Item("school-b", absl::StrCat("R-", k), 1, nhs, ""));
    batch.push_back(Item("school-b", absl::StrCat("S-", k), 1, "", pupil));
    batch.push_back(Item("school-b", absl::StrCat("L-", k), 1, nhs, pupil));
  }
  return batch;
}

TYPED_TEST(StoreTest, ALargeBatchIsCheckedWholeBeforeAnyItemIsStored) {
  NormalizedObservation original = Item("school-b", "R-99", 2, store_items::NhsFromPrefix(999200014), "");
  EXPECT_EQ(this->WriteOk(original), WriteOutcome::kInserted);
  std::vector<NormalizedObservation> batch = LargeBatch();
  ASSERT_GT(batch.size(), kMaxAtomicBatchItems);
  // The last item's key is stored with other content: a conflict.
  NormalizedObservation changed = original;
  changed.observation.code = "BAFR";
  batch.push_back(changed);
  absl::StatusOr<std::vector<WriteOutcome>> out = this->store_->Write(batch, TestAccess());
  EXPECT_THAT(out, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("item 80: version 2")));
  EXPECT_EQ(BatchItemOf(out.status()), 80u);
  EXPECT_THAT(std::string(out.status().message()), Not(HasSubstr("were stored")));
  // Nothing of the batch is there, not even its first items.
  EXPECT_THAT(this->store_->GetChild(ChildKey::ForAgencyChildId("school-b", "PUPIL-0"), TestAccess()),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no child")));
  const ChildRecord child = this->GetOk(ChildKey::ForNhsNumber(original.observation.nhs_number));
  ASSERT_EQ(child.records.size(), 1u);
  EXPECT_THAT(Versions(child.records[0]), ElementsAre(2));
}

// What a client does after a large batch ended part-stored (service/store.h
// Write): it sends the whole batch again. The stored items answer DUPLICATE
// and the end is what writing the batch once gives.
TYPED_TEST(StoreTest, WritingABatchAgainAfterPartOfItWasStoredEndsAsWritingItOnce) {
  const std::vector<NormalizedObservation> batch = LargeBatch();
  const size_t stored = 37;  // mid-child: after a merge's first half
  const std::vector<NormalizedObservation> part(batch.begin(), batch.begin() + stored);
  ASSERT_TRUE(this->store_->Write(part, TestAccess()).ok());
  absl::StatusOr<std::vector<WriteOutcome>> again = this->store_->Write(batch, TestAccess());
  ASSERT_TRUE(again.ok()) << again.status();
  for (size_t i = 0; i < stored; ++i) EXPECT_EQ((*again)[i], WriteOutcome::kDuplicate) << "item " << i;

  const std::string once_path = this->path_ + "-once";
  RemoveDb(once_path);
  absl::StatusOr<std::unique_ptr<Store>> once = TypeParam::Create({.clock = [this] { return this->clock_.Now(); }},
                                                                  once_path);
  ASSERT_TRUE(once.ok()) << once.status();
  absl::StatusOr<std::vector<WriteOutcome>> first = (*once)->Write(batch, TestAccess());
  ASSERT_TRUE(first.ok()) << first.status();
  for (size_t i = stored; i < batch.size(); ++i) EXPECT_EQ((*again)[i], (*first)[i]) << "item " << i;
  for (int k = 0; k < 20; ++k) {
    const ChildKey key = ChildKey::ForNhsNumber(store_items::NhsFromPrefix(999200000 + 2 * k));
    const ChildRecord a = this->GetOk(key);
    absl::StatusOr<ChildRecord> b = (*once)->GetChild(key, TestAccess());
    ASSERT_TRUE(b.ok()) << b.status();
    EXPECT_EQ(a.nhs_numbers, b->nhs_numbers) << "child " << k;
    EXPECT_EQ(a.agency_child_ids, b->agency_child_ids) << "child " << k;
    ASSERT_EQ(a.records.size(), 3u) << "child " << k;
    ASSERT_EQ(a.records.size(), b->records.size()) << "child " << k;
    for (size_t r = 0; r < a.records.size(); ++r) {
      EXPECT_EQ(a.records[r].record_id, b->records[r].record_id);
      EXPECT_EQ(Versions(a.records[r]), Versions(b->records[r]));
      ExpectSameObservation(a.records[r].current().observation, b->records[r].current().observation);
    }
  }
  EXPECT_TRUE((*once)->Close().ok());
  once->reset();
  RemoveDb(once_path);
}

TYPED_TEST(StoreTest, SameVersionTwiceInABatchNamesBothIndexes) {
  const std::vector<NormalizedObservation> batch = {
      Item("school-b", "R-1", 1, NhsA(), ""),
      Item("school-b", "R-2", 1, NhsA(), ""),
      Item("school-b", "R-1", 1, NhsA(), ""),
  };
  absl::StatusOr<std::vector<WriteOutcome>> out = this->store_->Write(batch, TestAccess());
  EXPECT_THAT(out, StatusIs(absl::StatusCode::kInvalidArgument,
                            HasSubstr("items 0 and 2 are both version 1 of record_id \"R-1\"")));
  EXPECT_EQ(BatchItemOf(out.status()), 2u);
  EXPECT_THAT(this->store_->GetChild(ChildKey::ForNhsNumber(NhsA()), TestAccess()),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no child")));
  // Another agency may use the same record id.
  out = this->store_->Write({batch[0], Item("police-c", "R-1", 1, NhsA(), "")}, TestAccess());
  ASSERT_TRUE(out.ok()) << out.status();
}

TYPED_TEST(StoreTest, InvalidItemFailsTheBatchNamingItsIndexAndField) {
  NormalizedObservation bad = Item("school-b", "R-2", 0, NhsB(), "");
  absl::StatusOr<std::vector<WriteOutcome>> out =
      this->store_->Write({Item("school-b", "R-1", 1, NhsA(), ""), bad}, TestAccess());
  EXPECT_THAT(out, StatusIs(absl::StatusCode::kInvalidArgument,
                            HasSubstr("item 1: record_version must be >= 1, got 0")));
  EXPECT_EQ(BatchItemOf(out.status()), 1u);
  EXPECT_EQ(FieldOf(out.status()), "record_version");
  EXPECT_THAT(this->store_->GetChild(ChildKey::ForNhsNumber(NhsA()), TestAccess()),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no child")));

  NormalizedObservation spaced = Item("school-b", "R-3", 1, "", "");
  spaced.observation.nhs_number =
      absl::StrCat(NhsA().substr(0, 3), " ", NhsA().substr(3, 3), " ", NhsA().substr(6));
  out = this->store_->Write({spaced}, TestAccess());
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
  EXPECT_THAT(this->store_->GetChild(ChildKey::ForAgencyChildId("health-d", "X-1"), TestAccess()),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no child")));
}

// Within one batch: a record made by an earlier item is found by a later
// one (a newer version becomes current, an older one is historical), and
// stays with its child when that child is merged into another.
TYPED_TEST(StoreTest, RecordsMadeEarlierInABatchAreFoundAndFollowMerges) {
  NormalizedObservation p1_v3 = Item("police-c", "P-1", 3, "", "CUST-7");
  p1_v3.observation.code = "BAFR";
  p1_v3.observation.text = "African";
  absl::StatusOr<std::vector<WriteOutcome>> out = this->store_->Write(
      {Item("school-b", "R-1", 1, NhsA(), ""),          // a new child
       Item("police-c", "P-1", 1, "", "CUST-7"),        // another, made after it
       Item("police-c", "P-2", 1, NhsA(), "CUST-7"),    // links them: P-1's child merges
       p1_v3, Item("police-c", "P-1", 2, "", "CUST-7")},  // P-1 again: newer, then older
      TestAccess());
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT(*out, ElementsAre(WriteOutcome::kInserted, WriteOutcome::kInserted, WriteOutcome::kInserted,
                                WriteOutcome::kInserted, WriteOutcome::kHistorical));
  for (const ChildKey& key :
       {ChildKey::ForNhsNumber(NhsA()), ChildKey::ForAgencyChildId("police-c", "CUST-7")}) {
    const ChildRecord child = this->GetOk(key);
    EXPECT_THAT(RecordIds(child), ElementsAre("police-c/P-1", "police-c/P-2", "school-b/R-1"));
    ASSERT_EQ(child.records.size(), 3u);
    EXPECT_THAT(Versions(child.records[0]), ElementsAre(3, 2, 1));
    EXPECT_EQ(child.records[0].current().observation.code, "BAFR");
  }
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
  EXPECT_THAT(this->store_->GetChild(ChildKey::ForNhsNumber(NhsC()), TestAccess()),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no child")));
}

TYPED_TEST(StoreTest, UnknownChildIsNotFoundWithoutTheIdentifier) {
  EXPECT_EQ(this->WriteOk(Item("school-b", "R-1", 1, NhsA(), "PUPIL-1")), WriteOutcome::kInserted);
  absl::StatusOr<ChildRecord> by_nhs = this->store_->GetChild(ChildKey::ForNhsNumber(NhsB()), TestAccess());
  EXPECT_THAT(by_nhs, StatusIs(absl::StatusCode::kNotFound, "no child has that NHS number"));
  absl::StatusOr<ChildRecord> by_id =
      this->store_->GetChild(ChildKey::ForAgencyChildId("school-b", "PUPIL-404"), TestAccess());
  EXPECT_THAT(by_id, StatusIs(absl::StatusCode::kNotFound,
                              "no child has that agency_child_id at that agency"));
}

TYPED_TEST(StoreTest, InvalidChildKeyIsInvalidArgument) {
  const std::string wrong_check = absl::StrCat(NhsA().substr(0, 9), (NhsA()[9] - '0' + 1) % 10);
  absl::StatusOr<ChildRecord> out = this->store_->GetChild(ChildKey::ForNhsNumber(wrong_check), TestAccess());
  EXPECT_THAT(out, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("check digit is wrong")));
  EXPECT_EQ(FieldOf(out.status()), "child.nhs_number");
  EXPECT_THAT(this->store_->GetChild(ChildKey::ForNhsNumber(""), TestAccess()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("required")));
  out = this->store_->GetChild(ChildKey::ForAgencyChildId("school-b", "bad\x01id"), TestAccess());
  EXPECT_THAT(out, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("printable ASCII")));
  EXPECT_EQ(FieldOf(out.status()), "child.agency_child_id");
  EXPECT_THAT(this->store_->GetChild(ChildKey::ForAgencyChildId("", "PUPIL-1"), TestAccess()),
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
            this->store_->WriteOne(Item("school-b", absl::StrCat("T", t, "-", i), 1, NhsA(), ""), TestAccess());
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
  EXPECT_THAT(this->store_->WriteOne(Item("school-b", "R-2", 1, NhsA(), ""), TestAccess()),
              StatusIs(absl::StatusCode::kFailedPrecondition, "the store is closed"));
  EXPECT_THAT(this->store_->GetChild(ChildKey::ForNhsNumber(NhsA()), TestAccess()),
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

}  // namespace
}  // namespace ethrec
