#include "mapping/observation.h"

#include "absl/strings/str_format.h"

#include <array>
#include <utility>

#include "absl/strings/str_cat.h"
#include "mapping/status_field.h"

namespace ethrec {
namespace {

constexpr std::array<absl::string_view, kNumSuppliedBy> kSuppliedByNames = {
    "UNKNOWN", "SELF", "PARENT_OR_CARER", "PRACTITIONER", "OFFICER_OBSERVED"};

// Request field paths (see mapping/status_field.h), as ethrec.v1 names them.
constexpr absl::string_view kNhsNumberField = "child.nhs_number";
constexpr absl::string_view kAgencyChildIdField = "child.agency_child_id";

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// The digits of an NHS number written as 10 digits or as 3-3-4 groups
// separated by single spaces; nullopt for any other shape.
std::optional<std::string> NhsDigits(absl::string_view s) {
  std::string digits;
  if (s.size() == 10) {
    digits = std::string(s);
  } else if (s.size() == 12 && s[3] == ' ' && s[7] == ' ') {
    digits = absl::StrCat(s.substr(0, 3), s.substr(4, 3), s.substr(8, 4));
  } else {
    return std::nullopt;
  }
  for (char c : digits) {
    if (!IsAsciiDigit(c)) return std::nullopt;
  }
  return digits;
}

}  // namespace

// Never echoes the id: an agency_child_id identifies a child.
absl::Status ValidateId(absl::string_view field, absl::string_view id) {
  if (id.empty() || id.size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " must be 1-", kMaxIdBytes, " bytes of printable ASCII, got ", id.size(), " bytes"));
  }
  for (size_t i = 0; i < id.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(id[i]);
    if (c < 0x20 || c > 0x7E) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " must be printable ASCII; the byte at offset ", i, " is not"));
    }
  }
  if (id.front() == ' ' || id.back() == ' ') {
    return absl::InvalidArgumentError(absl::StrCat(field, " must not begin or end with a space"));
  }
  return absl::OkStatus();
}

absl::string_view SuppliedByName(SuppliedBy s) {
  const int i = static_cast<int>(s);
  return i < kNumSuppliedBy ? kSuppliedByNames[i] : kSuppliedByNames[0];
}

std::optional<SuppliedBy> ParseSuppliedBy(absl::string_view name) {
  for (int i = 0; i < kNumSuppliedBy; ++i) {
    if (kSuppliedByNames[i] == name) return static_cast<SuppliedBy>(i);
  }
  return std::nullopt;
}

absl::Status ValidateNhsNumber(absl::string_view nhs_number) {
  std::optional<std::string> digits = NhsDigits(nhs_number);
  if (!digits.has_value()) {
    return absl::InvalidArgumentError(
        "NHS number must be 10 digits, run together or spaced 3 3 4 by single spaces");
  }
  int sum = 0;
  for (int i = 0; i < 9; ++i) sum += ((*digits)[i] - '0') * (10 - i);
  int check = 11 - sum % 11;
  if (check == 11) check = 0;
  if (check == 10) {
    return absl::InvalidArgumentError(
        "NHS number check digit is wrong: no check digit is valid for its first nine digits");
  }
  if ((*digits)[9] - '0' != check) {
    return absl::InvalidArgumentError("NHS number check digit is wrong");
  }
  return absl::OkStatus();
}

std::string CanonicalNhsNumber(absl::string_view nhs_number) {
  if (!ValidateNhsNumber(nhs_number).ok()) return "";
  return *NhsDigits(nhs_number);
}

absl::Status ValidateCanonicalNhsNumber(absl::string_view nhs_number) {
  if (absl::Status s = ValidateNhsNumber(nhs_number); !s.ok()) {
    return WithField(absl::InvalidArgumentError(absl::StrCat("nhs_number: ", s.message())),
                     kNhsNumberField);
  }
  if (nhs_number.size() != 10) {
    return WithField(
        absl::InvalidArgumentError(
            "nhs_number must be in canonical form (10 digits, no spaces; see CanonicalNhsNumber)"),
        kNhsNumberField);
  }
  return absl::OkStatus();
}

absl::Time EarliestRecordedAt() {
  return absl::FromCivil(absl::CivilSecond(1900, 1, 1), absl::UTCTimeZone());
}

absl::Time LatestRecordedAt() {
  return absl::FromCivil(absl::CivilSecond(10000, 1, 1), absl::UTCTimeZone());
}

absl::Status ValidateObservation(const Observation& o) {
  // The agency comes from the caller's identity, not a request field.
  if (absl::Status s = ValidateId("agency", o.agency); !s.ok()) return s;
  if (o.nhs_number.empty() && o.agency_child_id.empty()) {
    return WithField(absl::InvalidArgumentError(
                         "the child must be identified: nhs_number or agency_child_id is required"),
                     "child");
  }
  if (!o.nhs_number.empty()) {
    if (absl::Status s = ValidateCanonicalNhsNumber(o.nhs_number); !s.ok()) return s;
  }
  if (!o.agency_child_id.empty()) {
    if (absl::Status s = ValidateId("agency_child_id", o.agency_child_id); !s.ok()) {
      return WithField(s, kAgencyChildIdField);
    }
  }
  if (absl::Status s = ValidateId("record_id", o.record_id); !s.ok()) {
    return WithField(s, "record_id");
  }
  if (o.record_version < 1) {
    return WithField(absl::InvalidArgumentError(
                         absl::StrCat("record_version must be >= 1, got ", o.record_version)),
                     "record_version");
  }
  if (o.text.size() > kMaxTextBytes) {
    return WithField(absl::InvalidArgumentError(absl::StrCat("text must be at most ", kMaxTextBytes,
                                                             " bytes, got ", o.text.size())),
                     "text");
  }
  if (static_cast<int>(o.supplied_by) >= kNumSuppliedBy) {
    return WithField(absl::InvalidArgumentError(absl::StrCat("supplied_by has no value ",
                                                             static_cast<int>(o.supplied_by))),
                     "supplied_by");
  }
  if (o.recorded_at < EarliestRecordedAt() || o.recorded_at >= LatestRecordedAt()) {
    return WithField(
        absl::InvalidArgumentError(
            o.recorded_at == absl::InfinitePast()
                ? std::string("recorded_at is required")
                : absl::StrCat(
                      "recorded_at must be from 1900-01-01 to 9999-12-31 UTC, got ",
                      absl::FormatTime(absl::RFC3339_full, o.recorded_at, absl::UTCTimeZone()))),
        "recorded_at");
  }
  return absl::OkStatus();
}

absl::StatusOr<NormalizedObservation> NormalizeObservation(const Normalizer& normalizer,
                                                           Observation o) {
  if (absl::Status s = ValidateObservation(o); !s.ok()) return s;
  absl::StatusOr<Normalized> n =
      normalizer.Normalize({.system = o.system, .code = o.code, .text = o.text});
  if (!n.ok()) return n.status();
  // A system named by a URL ("http://snomed.info/sct") is kept by its id, so
  // that every spelling of it is one system to the store and the findings.
  if (!o.system.empty() && !n->system.empty()) o.system = n->system;
  return NormalizedObservation{std::move(o), *std::move(n)};
}

std::string SyntheticNhsNumber(int64_t n) {
  const int64_t body = ((n % 1000000) + 1000000) % 1000000;
  for (int prefix = 999; prefix > 900; --prefix) {
    const std::string digits = absl::StrFormat("%03d%06d", prefix, body);
    int sum = 0;
    for (int i = 0; i < 9; ++i) sum += (digits[i] - '0') * (10 - i);
    int check = 11 - sum % 11;
    if (check == 11) check = 0;
    if (check == 10) continue;  // no valid check digit: try the next prefix
    return digits + static_cast<char>('0' + check);
  }
  return "";
}

absl::string_view WriteOutcomeName(WriteOutcome o) {
  switch (o) {
    case WriteOutcome::kInserted: return "INSERTED";
    case WriteOutcome::kDuplicate: return "DUPLICATE";
    case WriteOutcome::kHistorical: return "HISTORICAL";
  }
  return "INSERTED";
}


}  // namespace ethrec
