#include "mapping/observation.h"

#include <set>

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapping/status_field.h"
#include "tests/testing/status_matchers.h"

namespace ethrec {
namespace {

using ::ethrec::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// The modulus 11 check digit of nine digits, or -1 when none is valid.
int CheckDigit(absl::string_view nine) {
  int sum = 0;
  for (int i = 0; i < 9; ++i) sum += (nine[i] - '0') * (10 - i);
  const int check = 11 - sum % 11;
  return check == 11 ? 0 : check == 10 ? -1 : check;
}

// A synthetic NHS number (999 prefix) with a valid check digit: the first
// prefix from `nine` upwards that has one.
std::string NhsNumberAfter(int64_t nine = 999000001) {
  for (;; ++nine) {
    const std::string prefix = absl::StrCat(nine);
    const int check = CheckDigit(prefix);
    if (check >= 0) return absl::StrCat(prefix, check);
  }
}

// A 999 prefix for which no check digit is valid.
std::string PrefixWithoutCheckDigit() {
  for (int64_t nine = 999000001;; ++nine) {
    const std::string prefix = absl::StrCat(nine);
    if (CheckDigit(prefix) < 0) return prefix;
  }
}

std::string Spaced(absl::string_view n) {
  return absl::StrCat(n.substr(0, 3), " ", n.substr(3, 3), " ", n.substr(6, 4));
}

std::string WrongCheckDigit(absl::string_view n) {
  return absl::StrCat(n.substr(0, 9), (n[9] - '0' + 1) % 10);
}

TEST(SuppliedByTest, NamesRoundTrip) {
  const struct {
    SuppliedBy value;
    const char* name;
  } cases[] = {
      {SuppliedBy::kUnknown, "UNKNOWN"},
      {SuppliedBy::kSelf, "SELF"},
      {SuppliedBy::kParentOrCarer, "PARENT_OR_CARER"},
      {SuppliedBy::kPractitioner, "PRACTITIONER"},
      {SuppliedBy::kOfficerObserved, "OFFICER_OBSERVED"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(SuppliedByName(c.value), c.name);
    EXPECT_EQ(ParseSuppliedBy(c.name), c.value);
  }
  EXPECT_EQ(ParseSuppliedBy("self"), std::nullopt);
  EXPECT_EQ(ParseSuppliedBy("SUPPLIED_BY_UNSPECIFIED"), std::nullopt);
  EXPECT_EQ(ParseSuppliedBy(""), std::nullopt);
}

TEST(NhsNumberTest, ValidNumbersFromATable) {
  for (int64_t nine : {999000001LL, 999123456LL, 999555000LL, 999999990LL}) {
    const std::string n = NhsNumberAfter(nine);
    EXPECT_TRUE(ValidateNhsNumber(n).ok()) << n;
    EXPECT_TRUE(ValidateNhsNumber(Spaced(n)).ok()) << Spaced(n);
    EXPECT_EQ(CanonicalNhsNumber(n), n);
    EXPECT_EQ(CanonicalNhsNumber(Spaced(n)), n);
  }
}

TEST(NhsNumberTest, CheckDigitElevenMeansZero) {
  // 9990000 plus two digits whose weighted sum is a multiple of 11 ends in 0.
  for (int64_t nine = 999000001;; ++nine) {
    const std::string prefix = absl::StrCat(nine);
    int sum = 0;
    for (int i = 0; i < 9; ++i) sum += (prefix[i] - '0') * (10 - i);
    if (sum % 11 != 0) continue;
    EXPECT_TRUE(ValidateNhsNumber(absl::StrCat(prefix, "0")).ok()) << prefix;
    break;
  }
}

TEST(NhsNumberTest, InvalidNumbersFromATable) {
  const std::string valid = NhsNumberAfter(999123456);
  const std::string no_check = PrefixWithoutCheckDigit();
  const struct {
    std::string input;
    const char* problem;
  } cases[] = {
      {"", "must be 10 digits"},
      {valid.substr(0, 9), "must be 10 digits"},
      {absl::StrCat(valid, "1"), "must be 10 digits"},
      {absl::StrCat(valid.substr(0, 3), "-", valid.substr(3, 3), "-", valid.substr(6)),
       "must be 10 digits"},
      {absl::StrCat(" ", valid), "must be 10 digits"},
      {absl::StrCat(valid, " "), "must be 10 digits"},
      {absl::StrCat(valid.substr(0, 3), " ", valid.substr(3)), "must be 10 digits"},
      {absl::StrCat(valid.substr(0, 2), " ", valid.substr(2, 4), " ", valid.substr(6)),
       "must be 10 digits"},
      {absl::StrCat(valid.substr(0, 3), "  ", valid.substr(3, 3), " ", valid.substr(6)),
       "must be 10 digits"},
      {absl::StrCat(valid.substr(0, 9), "a"), "must be 10 digits"},
      {absl::StrCat(valid.substr(0, 8), "\xef\xbc\x99"), "must be 10 digits"},  // full-width 9
      {WrongCheckDigit(valid), "check digit is wrong"},
      {Spaced(WrongCheckDigit(valid)), "check digit is wrong"},
      {absl::StrCat(no_check, "0"), "check digit is wrong"},
      {absl::StrCat(no_check, "9"), "check digit is wrong"},
  };
  for (const auto& c : cases) {
    const absl::Status s = ValidateNhsNumber(c.input);
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument,
                            AllOf(HasSubstr("NHS number"), HasSubstr(c.problem))))
        << "input: " << c.input;
    // Never echo the number, nor any four of its digits in a row.
    for (size_t i = 0; i + 4 <= c.input.size(); ++i) {
      EXPECT_THAT(std::string(s.message()), Not(HasSubstr(c.input.substr(i, 4))))
          << "input: " << c.input;
    }
    EXPECT_EQ(CanonicalNhsNumber(c.input), "") << "input: " << c.input;
  }
}

class ValidateObservationTest : public ::testing::Test {
 protected:
  static Observation Valid() {
    Observation o;
    o.agency = "council-a";
    o.nhs_number = NhsNumberAfter();
    o.agency_child_id = "CH-0001";
    o.record_id = "ETH-1";
    o.record_version = 1;
    o.system = "dfe";
    o.code = "BSOM";
    o.supplied_by = SuppliedBy::kSelf;
    o.recorded_at = absl::FromUnixSeconds(1700000000);
    return o;
  }
};

TEST_F(ValidateObservationTest, AcceptsAValidObservation) {
  EXPECT_TRUE(ValidateObservation(Valid()).ok());
  Observation nhs_only = Valid();
  nhs_only.agency_child_id.clear();
  EXPECT_TRUE(ValidateObservation(nhs_only).ok());
  Observation id_only = Valid();
  id_only.nhs_number.clear();
  EXPECT_TRUE(ValidateObservation(id_only).ok());
  Observation limits = Valid();
  limits.record_id = std::string(kMaxIdBytes, 'r');
  limits.agency_child_id = "A child id with spaces inside";
  limits.text = std::string(kMaxTextBytes, 't');
  limits.recorded_at = EarliestRecordedAt();
  EXPECT_TRUE(ValidateObservation(limits).ok());
}

TEST_F(ValidateObservationTest, RefusesEachBadFieldNamingIt) {
  const std::string secret_id = "CH-SECRET-77";
  const struct {
    const char* name;
    void (*mutate)(Observation&);
    const char* field;    // the WithField payload
    const char* message;  // a substring of the message
  } cases[] = {
      {"no agency", [](Observation& o) { o.agency.clear(); }, "", "agency must be 1-128 bytes"},
      {"no child",
       [](Observation& o) {
         o.nhs_number.clear();
         o.agency_child_id.clear();
       },
       "child", "nhs_number or agency_child_id is required"},
      {"spaced nhs", [](Observation& o) { o.nhs_number = Spaced(o.nhs_number); },
       "child.nhs_number", "canonical form"},
      {"bad check digit", [](Observation& o) { o.nhs_number = WrongCheckDigit(o.nhs_number); },
       "child.nhs_number", "nhs_number: NHS number check digit is wrong"},
      {"child id with a tab", [](Observation& o) { o.agency_child_id = "CH-SECRET-77\t"; },
       "child.agency_child_id", "agency_child_id must be printable ASCII; the byte at offset 12"},
      {"child id too long", [](Observation& o) { o.agency_child_id = std::string(129, 'c'); },
       "child.agency_child_id", "agency_child_id must be 1-128 bytes of printable ASCII, got 129"},
      {"child id with a leading space", [](Observation& o) { o.agency_child_id = " CH-SECRET-77"; },
       "child.agency_child_id", "agency_child_id must not begin or end with a space"},
      {"no record id", [](Observation& o) { o.record_id.clear(); }, "record_id",
       "record_id must be 1-128 bytes of printable ASCII, got 0 bytes"},
      {"non-ASCII record id", [](Observation& o) { o.record_id = "R\xc3\xa9"; }, "record_id",
       "record_id must be printable ASCII; the byte at offset 1"},
      {"version 0", [](Observation& o) { o.record_version = 0; }, "record_version",
       "record_version must be >= 1, got 0"},
      {"negative version", [](Observation& o) { o.record_version = -3; }, "record_version",
       "record_version must be >= 1, got -3"},
      {"long text", [](Observation& o) { o.text = std::string(kMaxTextBytes + 1, 't'); }, "text",
       "text must be at most 1024 bytes, got 1025"},
      {"supplied_by out of range",
       [](Observation& o) { o.supplied_by = static_cast<SuppliedBy>(9); }, "supplied_by",
       "supplied_by has no value 9"},
      {"no recorded_at", [](Observation& o) { o.recorded_at = absl::InfinitePast(); },
       "recorded_at", "recorded_at is required"},
      {"recorded_at too early",
       [](Observation& o) { o.recorded_at = EarliestRecordedAt() - absl::Seconds(1); },
       "recorded_at", "recorded_at must be from 1900-01-01 to 9999-12-31 UTC, got 1899-12-31"},
      {"recorded_at infinite future",
       [](Observation& o) { o.recorded_at = absl::InfiniteFuture(); }, "recorded_at",
       "recorded_at must be from 1900-01-01"},
  };
  for (const auto& c : cases) {
    Observation o = Valid();
    o.agency_child_id = secret_id;
    c.mutate(o);
    const absl::Status s = ValidateObservation(o);
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message))) << c.name;
    EXPECT_EQ(FieldOf(s), c.field) << c.name;
    EXPECT_THAT(std::string(s.message()), Not(HasSubstr("SECRET"))) << c.name;
    EXPECT_THAT(std::string(s.message()), Not(HasSubstr(Valid().nhs_number.substr(0, 6))))
        << c.name;
  }
}

TEST(NormalizeObservationTest, ValidatesThenNormalizes) {
  absl::StatusOr<std::unique_ptr<Normalizer>> normalizer = Normalizer::Create(LoadOptions());
  ASSERT_TRUE(normalizer.ok()) << normalizer.status();
  Observation o;
  o.agency = "school-b";
  o.agency_child_id = "PUPIL-9";
  o.record_id = "R-1";
  o.record_version = 2;
  o.system = "dfe";
  o.code = "BSOM";
  o.supplied_by = SuppliedBy::kParentOrCarer;
  o.recorded_at = absl::FromUnixSeconds(1700000000);

  absl::StatusOr<NormalizedObservation> n = NormalizeObservation(**normalizer, o);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(n->observation.record_id, "R-1");
  EXPECT_EQ(n->observation.supplied_by, SuppliedBy::kParentOrCarer);
  EXPECT_EQ(n->normalized.outcome, Outcome::kCategories);
  ASSERT_FALSE(n->normalized.categories.empty());
  EXPECT_EQ(n->normalized.categories[0].category, Category::kBlackAfrican);
  EXPECT_EQ(n->normalized.detail, "Somali");

  Observation bad_version = o;
  bad_version.record_version = 0;
  absl::StatusOr<NormalizedObservation> refused = NormalizeObservation(**normalizer, bad_version);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kInvalidArgument,
                                HasSubstr("record_version must be >= 1, got 0")));

  Observation unknown_system = o;
  unknown_system.system = "no-such-system";
  absl::StatusOr<NormalizedObservation> unknown =
      NormalizeObservation(**normalizer, unknown_system);
  EXPECT_THAT(unknown, StatusIs(absl::StatusCode::kNotFound, HasSubstr("no-such-system")));
  EXPECT_EQ(FieldOf(unknown.status()), "system");
}

TEST(NormalizeObservationTest, SystemGivenByUrlIsKeptByItsId) {
  absl::StatusOr<std::unique_ptr<Normalizer>> normalizer = Normalizer::Create(LoadOptions());
  ASSERT_TRUE(normalizer.ok()) << normalizer.status();
  struct Case {
    const char* system;
    const char* code;
    const char* id;
  };
  const Case cases[] = {
      {"http://snomed.info/sct", "494131000000105", "snomed-ct"},
      {"urn:ethrec:codesystem:snomed-ct", "494131000000105", "snomed-ct"},
      {"https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland", "A", "nhs-ethnic-category"},
      {"dfe", "WBRI", "dfe"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.system);
    Observation o;
    o.agency = "gp-a";
    o.agency_child_id = "P-1";
    o.record_id = "R-1";
    o.record_version = 1;
    o.system = c.system;
    o.code = c.code;
    o.supplied_by = SuppliedBy::kSelf;
    o.recorded_at = absl::FromUnixSeconds(1700000000);
    absl::StatusOr<NormalizedObservation> n = NormalizeObservation(**normalizer, o);
    ASSERT_TRUE(n.ok()) << n.status();
    EXPECT_EQ(n->observation.system, c.id);
    EXPECT_EQ(n->normalized.categories.at(0).category, Category::kWhiteBritish);
  }
}

TEST(SyntheticNhsNumberTest, ValidDistinctAndInTheTestRange) {
  std::set<std::string> seen;
  for (int64_t n = 0; n < 5000; ++n) {
    const std::string nhs = ::ethrec::SyntheticNhsNumber(n * 197);
    EXPECT_TRUE(ValidateNhsNumber(nhs).ok()) << n;
    EXPECT_EQ(nhs.substr(0, 2), "99");
    EXPECT_TRUE(seen.insert(nhs).second) << "repeated for n=" << n;
  }
}

}  // namespace
}  // namespace ethrec
