// The SQLite row codec (service/sqlite/row_codec.h): what the store writes
// reads back exactly, for the normalised value of every code of every
// built-in code system and a set of free texts, and for findings' facts and
// histories; what it cannot have written is DataLoss naming the column.
#include "service/sqlite/row_codec.h"

#include <sqlite3.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/sqlite/schema.h"
#include "service/sqlite/statement.h"
#include "tests/testing/builtin_data.h"
#include "tests/testing/status_matchers.h"

namespace ethrec::sqlite_internal {
namespace {

using ::ethrec::testing::StatusIs;
using ::testing::HasSubstr;

// A fresh in-memory database with the store's schema.
class RowCodecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    absl::StatusOr<int> version = Migrate(db_, 1);
    ASSERT_TRUE(version.ok()) << version.status();
    const std::string insert = absl::StrCat(
        "INSERT INTO observations (", kObservationColumns, ") VALUES (?",
        absl::StrJoin(std::vector<std::string>(kNumObservationColumns - 1, ", ?"), ""), ")");
    const std::string select = absl::StrCat("SELECT ", kObservationColumns,
                                            " FROM observations WHERE agency = ? AND record_id = ?");
    ASSERT_EQ(sqlite3_prepare_v2(db_, insert.c_str(), -1, &insert_, nullptr), SQLITE_OK) << sqlite3_errmsg(db_);
    ASSERT_EQ(sqlite3_prepare_v2(db_, select.c_str(), -1, &select_, nullptr), SQLITE_OK) << sqlite3_errmsg(db_);
  }
  void TearDown() override {
    sqlite3_finalize(insert_);
    sqlite3_finalize(select_);
    sqlite3_close(db_);
  }

  // Writes `o` with `n` as the store does and reads it back.
  absl::StatusOr<StoredObservation> RoundTrip(const Observation& o, const Normalized& n, int64_t received_us) {
    const EncodedNormalized encoded(n);
    {
      Query q(db_, insert_);
      if (absl::Status s = BindObservation(q, o, n, encoded, received_us).Run(); !s.ok()) return s;
    }
    Query q(db_, select_);
    absl::StatusOr<bool> row = q.Text(o.agency).Text(o.record_id).Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::NotFoundError("no row");
    return ReadObservationRow(q);
  }

  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* select_ = nullptr;
};

void ExpectSame(const Normalized& a, const Normalized& b, const std::string& what) {
  EXPECT_EQ(a.outcome, b.outcome) << what;
  ASSERT_EQ(a.categories.size(), b.categories.size()) << what;
  for (size_t i = 0; i < a.categories.size(); ++i) {
    EXPECT_EQ(a.categories[i].category, b.categories[i].category) << what;
    EXPECT_DOUBLE_EQ(a.categories[i].confidence, b.categories[i].confidence) << what;
  }
  EXPECT_EQ(a.category_set, b.category_set) << what;
  EXPECT_EQ(a.relationship, b.relationship) << what;
  EXPECT_EQ(a.ambiguous, b.ambiguous) << what;
  EXPECT_EQ(a.detail, b.detail) << what;
  EXPECT_EQ(a.basis, b.basis) << what;
  EXPECT_EQ(a.system, b.system) << what;
  EXPECT_EQ(a.system_version, b.system_version) << what;
  EXPECT_EQ(a.code, b.code) << what;
  EXPECT_EQ(a.display, b.display) << what;
  EXPECT_EQ(a.map_id, b.map_id) << what;
  EXPECT_EQ(a.map_version, b.map_version) << what;
  EXPECT_EQ(a.decided_by_text, b.decided_by_text) << what;
  EXPECT_EQ(a.explanation, b.explanation) << what;
  EXPECT_EQ(a.notes, b.notes) << what;
}

TEST_F(RowCodecTest, EveryCodeOfEverySystemAndFreeTextReadsBackExactly) {
  const Normalizer& normalizer = ::ethrec::testing::BuiltinNormalizer();
  std::vector<NormalizeRequest> requests;
  for (const CodeSystem* s : normalizer.registry().systems()) {
    for (const Concept& c : s->concepts) requests.push_back({.system = s->id, .code = c.code});
  }
  // Free text: categories, ambiguity, detail, notes with a backslash and a
  // newline, a code with text that disagrees, nothing at all.
  for (const char* text : {"Black British - Caribbean", "White", "Somali", "prefer not to say", "British",
                           "mixed \\ other\nline", "Roma", ""}) {
    requests.push_back({.text = text});
  }
  requests.push_back({.system = "dfe", .code = "WBRI", .text = "Black African"});
  requests.push_back({.system = "dfe", .code = "NO-SUCH-CODE", .text = "Irish"});
  size_t checked = 0;
  for (size_t i = 0; i < requests.size(); ++i) {
    absl::StatusOr<Normalized> n = normalizer.Normalize(requests[i]);
    if (!n.ok()) continue;  // e.g. an unknown code without text: refused before any write
    Observation o;
    o.agency = "agency";
    o.record_id = absl::StrCat("r", i);
    o.record_version = 1 + static_cast<int64_t>(i);
    o.nhs_number = SyntheticNhsNumber(static_cast<int64_t>(i) + 1);
    o.agency_child_id = i % 2 ? "child-7" : "";
    o.system = std::string(requests[i].system);
    o.code = std::string(requests[i].code);
    o.text = std::string(requests[i].text);
    o.supplied_by = static_cast<SuppliedBy>(i % 5);
    o.recorded_at = absl::FromUnixMicros(1764000000000000 + static_cast<int64_t>(i));
    const std::string what = absl::StrCat(requests[i].system, " ", requests[i].code, " '", requests[i].text, "'");
    absl::StatusOr<StoredObservation> back = RoundTrip(o, *n, 1765000000000000 + static_cast<int64_t>(i));
    ASSERT_TRUE(back.ok()) << what << ": " << back.status();
    EXPECT_EQ(back->observation.agency, o.agency) << what;
    EXPECT_EQ(back->observation.record_id, o.record_id) << what;
    EXPECT_EQ(back->observation.record_version, o.record_version) << what;
    EXPECT_EQ(back->observation.nhs_number, o.nhs_number) << what;
    EXPECT_EQ(back->observation.agency_child_id, o.agency_child_id) << what;
    EXPECT_EQ(back->observation.system, o.system) << what;
    EXPECT_EQ(back->observation.code, o.code) << what;
    EXPECT_EQ(back->observation.text, o.text) << what;
    EXPECT_EQ(back->observation.supplied_by, o.supplied_by) << what;
    EXPECT_EQ(back->observation.recorded_at, o.recorded_at) << what;
    EXPECT_EQ(back->received_at, absl::FromUnixMicros(1765000000000000 + static_cast<int64_t>(i))) << what;
    ExpectSame(back->normalized, *n, what);
    ++checked;
  }
  EXPECT_GT(checked, 1000u) << "every code of every system";
}

TEST_F(RowCodecTest, AColumnThisBuildCannotReadIsDataLossNamingIt) {
  absl::StatusOr<Normalized> n = ::ethrec::testing::BuiltinNormalizer().Normalize({.system = "dfe", .code = "WROM"});
  ASSERT_TRUE(n.ok());
  Observation o;
  o.agency = "agency";
  o.record_id = "r";
  o.record_version = 1;
  o.supplied_by = SuppliedBy::kSelf;
  {
    absl::StatusOr<StoredObservation> first = RoundTrip(o, *n, 1);
    ASSERT_TRUE(first.ok()) << first.status();
  }
  for (const auto& [column, value] : std::vector<std::pair<std::string, std::string>>{
           {"norm_categories", "WHITE_ROMA|NOT_A_CATEGORY"},
           {"norm_outcome", "MAYBE"},
           {"supplied_by", "SOMEONE"},
           {"norm_confidences", "half"}}) {
    const std::string sql = absl::StrCat("UPDATE observations SET ", column, " = '", value, "'");
    ASSERT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    {
      Query q(db_, select_);
      absl::StatusOr<bool> row = q.Text("agency").Text("r").Step();
      ASSERT_TRUE(row.ok() && *row);
      EXPECT_THAT(ReadObservationRow(q).status(),
                  StatusIs(absl::StatusCode::kDataLoss, HasSubstr(column.substr(column.find('_') + 1))))
          << column;
    }
    // Put the row back for the next column.
    ASSERT_EQ(sqlite3_exec(db_, "DELETE FROM observations", nullptr, nullptr, nullptr), SQLITE_OK);
    ASSERT_TRUE(RoundTrip(o, *n, 1).ok());
  }
}

TEST(FindingTextTest, FactsAndHistoryReadBackExactly) {
  const std::vector<FindingFacts> facts = {
      {},
      {.record_detail = "Somali", .reference_detail = "Somali\tand\nmore\\", .system = "dfe", .code = "BSOM",
       .other_agency = "gp", .suggested_display = "Black - Somali", .stated_at = absl::FromUnixMicros(42),
       .ascribed = true, .unrecognised = true, .declined_later = true},
      {.stated_at = absl::FromUnixMicros(0)},
  };
  for (const FindingFacts& f : facts) {
    std::optional<FindingFacts> back = ParseFacts(FactsText(f));
    ASSERT_TRUE(back.has_value()) << FactsText(f);
    EXPECT_EQ(*back, f) << FactsText(f);
  }
  EXPECT_EQ(ParseFacts("not\tenough"), std::nullopt);

  const std::string history = absl::StrCat(EventLine(FindingAction::kUpdated, 5),
                                           EventLine(FindingAction::kResolved, 6, "dq", "data-quality-officer",
                                                     "asked the child\tand\nrecorded it \\ done"),
                                           EventLine(FindingAction::kCleared, 7));
  std::optional<std::vector<FindingEvent>> events = ParseHistory(history);
  ASSERT_TRUE(events.has_value());
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[1].action, FindingAction::kResolved);
  EXPECT_EQ((*events)[1].time, absl::FromUnixMicros(6));
  EXPECT_EQ((*events)[1].by_agency, "dq");
  EXPECT_EQ((*events)[1].note, "asked the child\tand\nrecorded it \\ done");
  EXPECT_EQ(ParseHistory("SOMETHING\t1\t\t\t\n"), std::nullopt);

  for (int c = 0; c < kNumCategories; ++c) {
    CategorySet set = CategorySet::Of(static_cast<Category>(c));
    set.Add(static_cast<Category>((c + 5) % kNumCategories));
    absl::StatusOr<CategorySet> back = ParseCategorySet(CategorySetText(set), "record_set");
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, set);
  }
  EXPECT_THAT(ParseCategorySet("WHITE_ROMA|NOPE", "findings.record_set").status(),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("findings.record_set")));
}

}  // namespace
}  // namespace ethrec::sqlite_internal
