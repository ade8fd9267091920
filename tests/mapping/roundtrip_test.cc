// Property tests over every code of every built-in system: normalise,
// reverse-translate into every system, normalise again, and the original
// category is never lost.
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "mapping/normalizer.h"
#include "tests/testing/builtin_data.h"

namespace ethrec {
namespace {

using ::ethrec::testing::BuiltinNormalizer;

TEST(RoundTripTest, NormaliseSuggestNormaliseKeepsEveryCategory) {
  const Registry& registry = BuiltinNormalizer().registry();
  int checks = 0;
  for (const auto& source : registry.systems()) {
    for (const Concept& c : source->concepts) {
      absl::StatusOr<Normalized> first = BuiltinNormalizer().Normalize({.system = source->id, .code = c.code});
      ASSERT_TRUE(first.ok()) << first.status();
      for (const auto& target : registry.systems()) {
        if (target->basis == RecordingBasis::kObserved) continue;
        if (first->outcome != Outcome::kCategories) {
          absl::StatusOr<CodeSuggestion> s =
              BuiltinNormalizer().SuggestCode(TaxonomyValue{first->outcome, {}, ""}, target->id);
          if (!s.ok()) {
            EXPECT_EQ(s.status().code(), absl::StatusCode::kNotFound);  // system lacks that non-answer
            continue;
          }
          EXPECT_EQ(BuiltinNormalizer().Normalize({.system = target->id, .code = s->code})->outcome, first->outcome);
          ++checks;
          continue;
        }
        for (const RankedCategory& rc : first->categories) {
          for (const std::string& detail : {first->detail, std::string()}) {
            absl::StatusOr<CodeSuggestion> s =
                BuiltinNormalizer().SuggestCode(TaxonomyValue{Outcome::kCategories, rc.category, detail}, target->id);
            ASSERT_TRUE(s.ok()) << source->id << " " << c.code << " -> " << target->id << ": " << s.status();
            absl::StatusOr<Normalized> again = BuiltinNormalizer().Normalize({.system = target->id, .code = s->code});
            ASSERT_TRUE(again.ok());
            EXPECT_TRUE(again->category_set.contains(rc.category))
                << source->id << " " << c.code << " -> " << CategoryName(rc.category) << " -> "
                << target->id << " " << s->code;
            ++checks;
          }
        }
      }
    }
  }
  EXPECT_GT(checks, 5000);
}

TEST(RoundTripTest, TranslatedCodesMeetTheSource) {
  const Registry& registry = BuiltinNormalizer().registry();
  for (const auto& source : registry.systems()) {
    if (source->basis == RecordingBasis::kObserved) continue;
    for (const Concept& c : source->concepts) {
      for (const auto& target : registry.systems()) {
        if (target->basis == RecordingBasis::kObserved) continue;
        absl::StatusOr<CodeSuggestion> s = BuiltinNormalizer().Translate(source->id, c.code, target->id);
        if (c.mapping.outcome != Outcome::kCategories) continue;  // non-answers: covered above
        ASSERT_TRUE(s.ok()) << source->id << " " << c.code << " -> " << target->id << ": " << s.status();
        EXPECT_TRUE(s->category_set.Meets(c.mapping.set)) << source->id << " " << c.code << " -> " << s->code;
        if (s->relationship == Relationship::kEquivalent) {
          EXPECT_EQ(s->category_set, c.mapping.set);
        }
      }
    }
  }
}

// The official display text of every code of the hand-mapped lists, read as
// free text, lands on a category the code stands for (or on the same
// non-answer). The expert term lists (SNOMED CT, CTV3, ONS 2021 detailed:
// about 1,200 clinical terms and census labels) are measured instead by
// tools/ethrec_agreement on tests/testdata/realworld, whose test half must
// never be tuned against, as a test here would be.
TEST(RoundTripTest, DisplayTextReadsLikeItsCode) {
  int read = 0, agreed = 0;
  std::vector<std::string> misses;
  for (const auto& system : BuiltinNormalizer().registry().systems()) {
    if (system->id == "snomed-ct" || system->id == "ctv3" || system->id == "ons-2021-detailed") continue;
    for (const Concept& c : system->concepts) {
      absl::StatusOr<Normalized> text = BuiltinNormalizer().Normalize({.text = c.display});
      ASSERT_TRUE(text.ok()) << c.display;
      ++read;
      const bool ok = c.mapping.outcome == Outcome::kCategories
                          ? text->outcome == Outcome::kCategories && text->category_set.Meets(c.mapping.set)
                          : text->outcome == c.mapping.outcome;
      if (ok) {
        ++agreed;
      } else {
        misses.push_back(absl::StrCat(system->id, " ", c.code, " '", c.display, "'"));
      }
    }
  }
  for (const std::string& m : misses) ADD_FAILURE() << "display text does not read like its code: " << m;
  EXPECT_EQ(agreed, read);
}

}  // namespace
}  // namespace ethrec
