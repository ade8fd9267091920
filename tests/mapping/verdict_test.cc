// Verdicts on a child's sheet (mapping/verdict.h): one table row per rule.
#include "mapping/verdict.h"

#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "mapping/reconcile.h"

namespace ethrec {
namespace {

RecordState Record(Outcome outcome, CategorySet set) {
  RecordState r;
  r.agency = "a";
  r.record_id = "r";
  r.normalized.outcome = outcome;
  r.normalized.category_set = set;
  return r;
}

TEST(VerdictTest, EachRuleGivesItsVerdict) {
  const CategorySet black_african = CategorySet::Of(Category::kBlackAfrican);
  const RecordState categories = Record(Outcome::kCategories, black_african);
  const RecordState other = Record(Outcome::kCategories, black_african);
  const ReferenceIdentity ref{&other, false, nullptr};
  struct Case {
    std::string name;
    RecordState record;
    bool with_reference;
    bool is_reference;
    std::vector<FindingKind> kinds;
    Verdict want;
  };
  const std::vector<Case> cases = {
      {"mismatch", categories, true, false, {FindingKind::kSelfIdMismatch}, Verdict::kDiffers},
      {"disagreement", categories, false, false, {FindingKind::kAgencyDisagreement}, Verdict::kDiffers},
      {"outdated", categories, true, false, {FindingKind::kOutdated}, Verdict::kOutdated},
      {"limit", categories, true, false, {FindingKind::kClassificationLimit}, Verdict::kCodeListLimit},
      {"detail", categories, true, false, {FindingKind::kDetailLost}, Verdict::kDetailLost},
      {"practitioner only", categories, true, false, {FindingKind::kNotSelfDefined}, Verdict::kNotSelfDefined},
      {"missing", Record(Outcome::kNotKnown, {}), true, false, {FindingKind::kMissing}, Verdict::kNotKnown},
      {"the most serious wins",
       categories,
       true,
       false,
       {FindingKind::kNotSelfDefined, FindingKind::kSelfIdMismatch},
       Verdict::kDiffers},
      {"meets the reference", categories, true, false, {}, Verdict::kAgrees},
      {"is the reference", categories, true, true, {}, Verdict::kReference},
      {"declined", Record(Outcome::kNotStated, {}), true, false, {}, Verdict::kDeclined},
      {"words naming no group", Record(Outcome::kUnrecognised, {}), false, false, {}, Verdict::kNotKnown},
      {"not known, no reference", Record(Outcome::kNotKnown, {}), false, false, {}, Verdict::kNotKnown},
      {"nothing to compare with", categories, false, false, {}, Verdict::kUnconfirmed},
  };
  for (const Case& c : cases) {
    std::optional<ReferenceIdentity> reference;
    if (c.with_reference) reference = c.is_reference ? ReferenceIdentity{&c.record, false, nullptr} : ref;
    EXPECT_EQ(VerdictName(VerdictOf(c.record, reference, c.kinds)), VerdictName(c.want)) << c.name;
  }
}

TEST(VerdictTest, RanksPutWhatNeedsMostWorkFirstAndNamesAreDistinct) {
  const std::vector<Verdict> by_need = {Verdict::kDiffers,        Verdict::kOutdated,       Verdict::kNotKnown,
                                        Verdict::kDetailLost,     Verdict::kCodeListLimit,  Verdict::kNotSelfDefined,
                                        Verdict::kUnconfirmed,    Verdict::kDeclined,       Verdict::kAgrees,
                                        Verdict::kReference};
  for (size_t i = 1; i < by_need.size(); ++i) {
    EXPECT_GT(VerdictRank(by_need[i - 1]), VerdictRank(by_need[i])) << VerdictName(by_need[i]);
    for (size_t j = 0; j < i; ++j) EXPECT_NE(VerdictName(by_need[i]), VerdictName(by_need[j]));
  }
}

}  // namespace
}  // namespace ethrec
