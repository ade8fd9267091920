#include "mapping/normalizer.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "mapping/free_text.h"
#include "mapping/status_field.h"

#include "gmock/gmock.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace ethrec {
namespace {

using ::ethrec::testing::StatusIs;
using ::testing::Contains;
using ::testing::HasSubstr;

class NormalizerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto created = Normalizer::Create(LoadOptions());
    ASSERT_TRUE(created.ok()) << created.status();
    normalizer_ = created->release();
  }
  static Normalized Code(absl::string_view system, absl::string_view code) {
    absl::StatusOr<Normalized> n = normalizer_->Normalize({.system = system, .code = code});
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? *n : Normalized();
  }
  static std::vector<Category> Cats(const Normalized& n) {
    std::vector<Category> out;
    for (const RankedCategory& r : n.categories) out.push_back(r.category);
    return out;
  }
  static inline const Normalizer* normalizer_ = nullptr;
};

// Closest (reconciliation's fast path) picks exactly what SuggestCode
// picks, for every category in every loaded system, and nothing for an
// observed system or an unknown one.
TEST_F(NormalizerTest, ClosestAgreesWithSuggestCodeEverywhere) {
  int compared = 0;
  for (const CodeSystem* system : normalizer_->registry().systems()) {
    for (int i = 0; i < kNumCategories; ++i) {
      const Category c = static_cast<Category>(i);
      const Normalizer::ClosestCode closest = normalizer_->Closest(c, system->id);
      absl::StatusOr<CodeSuggestion> s =
          normalizer_->SuggestCode(TaxonomyValue{Outcome::kCategories, c, ""}, system->id);
      SCOPED_TRACE(absl::StrCat(system->id, " ", CategoryName(c)));
      if (!s.ok()) {
        EXPECT_EQ(closest.code, nullptr);
        continue;
      }
      ASSERT_NE(closest.code, nullptr);
      EXPECT_EQ(closest.code->code, s->code);
      EXPECT_EQ(closest.relationship, s->relationship);
      ++compared;
    }
  }
  EXPECT_GT(compared, 100);
  EXPECT_EQ(normalizer_->Closest(Category::kWhiteRoma, "police-ic").code, nullptr);
  EXPECT_EQ(normalizer_->Closest(Category::kWhiteRoma, "no-such-system").code, nullptr);
}

// Practitioners type codes into free-text fields. Text in which no words
// are recognised but which is a code of exactly one loaded system reads as
// that code, and says so; words still win.
TEST_F(NormalizerTest, ACodeTypedAsTextReadsAsThatCode) {
  absl::StatusOr<Normalized> bsom = normalizer_->Normalize({.text = " bsom "});
  ASSERT_TRUE(bsom.ok()) << bsom.status();
  EXPECT_EQ(Cats(*bsom), std::vector<Category>{Category::kBlackAfrican});
  EXPECT_EQ(bsom->detail, "Somali");
  EXPECT_EQ(bsom->system, "dfe");
  EXPECT_EQ(bsom->code, "BSOM");
  EXPECT_TRUE(bsom->decided_by_text);
  EXPECT_THAT(bsom->notes, ::testing::Contains(::testing::HasSubstr("the text is a code of dfe")));

  // An officer's IC code stays a perception.
  absl::StatusOr<Normalized> ic = normalizer_->Normalize({.text = "IC3"});
  ASSERT_TRUE(ic.ok()) << ic.status();
  EXPECT_EQ(ic->basis, RecordingBasis::kObserved);
  EXPECT_EQ(ic->relationship, Relationship::kRelatedTo);

  absl::StatusOr<Normalized> refused = normalizer_->Normalize({.text = "REFU"});
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->outcome, Outcome::kNotStated);

  // Too short to tell from a word or an initial ("C"), and rubbish stays unrecognised.
  EXPECT_EQ(normalizer_->Normalize({.text = "C"})->outcome, Outcome::kUnrecognised);
  EXPECT_EQ(normalizer_->Normalize({.text = "QQQQ"})->outcome, Outcome::kUnrecognised);
  // Words are read as words.
  EXPECT_EQ(Cats(*normalizer_->Normalize({.text = "Somali"}))[0], Category::kBlackAfrican);
}

// A text that is exactly the description of a code of SNOMED CT or CTV3
// ("Pygmies", SNOMED CT 71176007) reads as that
// code's map reads it, for every such code: the answer says which code, and
// carries no code of its own. A one-word description does so only where the
// reader knows no such word; a description two codes map apart is left to
// the reader; other systems' descriptions are read.
TEST_F(NormalizerTest, EveryExpertCodedDescriptionReadsAsItsMapReadsIt) {
  auto reader = Normalizer::Create(LoadOptions(), {.code_description_systems = {}});
  ASSERT_TRUE(reader.ok()) << reader.status();
  const std::vector<std::string> systems = NormalizerOptions().code_description_systems;
  ASSERT_EQ(systems, (std::vector<std::string>{"snomed-ct", "ctv3"}));
  // The answers each description's codes give, to find those mapped apart.
  std::map<std::string, std::vector<Normalized>> by_key;
  for (const std::string& id : systems) {
    absl::StatusOr<const CodeSystem*> system = normalizer_->registry().FindSystem(id);
    ASSERT_TRUE(system.ok()) << system.status();
    for (const Concept& c : (*system)->concepts) {
      if (c.display.empty() || c.mapping.outcome == Outcome::kUnrecognised) continue;
      absl::StatusOr<std::string> key = KnownTermKey(c.display);
      ASSERT_TRUE(key.ok()) << key.status();
      by_key[*key].push_back(Code(id, c.code));
    }
  }
  auto same = [](const Normalized& a, const Normalized& b) {
    return a.outcome == b.outcome && a.category_set == b.category_set && a.relationship == b.relationship &&
           a.detail == b.detail && Cats(a) == Cats(b);
  };
  int looked_up = 0, left_to_reader = 0;
  for (const auto& entry : by_key) {
    // Named, not a structured binding: clang 14 cannot capture one in a lambda.
    const std::string& key = entry.first;
    const std::vector<Normalized>& codes = entry.second;
    SCOPED_TRACE(key);
    const std::string& text = codes[0].display;
    absl::StatusOr<Normalized> read = normalizer_->Normalize({.text = text});
    ASSERT_TRUE(read.ok()) << read.status();
    absl::StatusOr<Normalized> alone = (*reader)->Normalize({.text = text});
    ASSERT_TRUE(alone.ok()) << alone.status();
    const bool apart =
        std::any_of(codes.begin(), codes.end(), [&](const Normalized& n) { return !same(n, codes[0]); });
    const bool one_word_known = key.find(' ') == std::string::npos && alone->outcome != Outcome::kUnrecognised;
    if (apart || one_word_known) {
      EXPECT_EQ(read->outcome, alone->outcome);
      EXPECT_EQ(Cats(*read), Cats(*alone));
      EXPECT_THAT(read->notes, ::testing::Not(Contains(HasSubstr("the text is the description of "))));
      ++left_to_reader;
      continue;
    }
    EXPECT_EQ(read->outcome, codes[0].outcome);
    EXPECT_EQ(Cats(*read), Cats(codes[0]));
    EXPECT_EQ(read->detail, codes[0].detail);
    EXPECT_EQ(read->relationship, codes[0].relationship);
    EXPECT_TRUE(read->decided_by_text);
    EXPECT_TRUE(read->code.empty()) << read->code;
    EXPECT_TRUE(read->system.empty()) << read->system;
    EXPECT_THAT(read->notes, Contains(HasSubstr("the text is the description of ")));
    ++looked_up;
  }
  EXPECT_GT(looked_up, 350);  // 409 distinct descriptions when written
  EXPECT_GT(left_to_reader, 0);

  // Peoples the reader does not know, as the SNOMED CT list codes them.
  absl::StatusOr<Normalized> pygmies = normalizer_->Normalize({.text = "Pygmies (ethnic group)"});
  ASSERT_TRUE(pygmies.ok()) << pygmies.status();
  EXPECT_EQ(Cats(*pygmies), std::vector<Category>{Category::kBlackAfrican});
  EXPECT_THAT(pygmies->explanation, HasSubstr("snomed-ct code 71176007"));
  EXPECT_EQ((*reader)->Normalize({.text = "Pygmies"})->outcome, Outcome::kUnrecognised);
  // Only the whole text is looked up; words around it are read.
  EXPECT_THAT(normalizer_->Normalize({.text = "mother is Pygmies"})->notes,
              ::testing::Not(Contains(HasSubstr("the text is the description of "))));
  // Other systems' descriptions are read: NHS extended code PB 'Mixed
  // Black', the ONS 2021 detailed 'Other ethnic group: Chinese'.
  for (const char* text : {"Mixed Black", "Other ethnic group: Chinese"}) {
    EXPECT_THAT(normalizer_->Normalize({.text = text})->notes,
                ::testing::Not(Contains(HasSubstr("the text is the description of "))))
        << text;
  }
  // Given with a system, the text's basis is still the system's.
  absl::StatusOr<Normalized> with_system = normalizer_->Normalize({.system = "dfe", .text = "Pygmies"});
  ASSERT_TRUE(with_system.ok()) << with_system.status();
  EXPECT_EQ(with_system->system, "dfe");
  EXPECT_TRUE(with_system->code.empty());
}

TEST_F(NormalizerTest, CodedExamplesFromTheIssue) {
  const struct {
    const char* system;
    const char* code;
    std::vector<Category> set;  // in taxonomy order
    Relationship relationship;
    const char* detail;
  } cases[] = {
      {"nhs-ethnic-category", "C",
       {Category::kWhiteGypsyIrishTraveller, Category::kWhiteRoma, Category::kWhiteOther},
       Relationship::kSourceIsBroaderThanTarget, ""},
      {"nhs-ethnic-category", "S", {Category::kOtherArab, Category::kOtherAny},
       Relationship::kSourceIsBroaderThanTarget, ""},
      {"nhs-ethnic-category", "R", {Category::kAsianChinese}, Relationship::kEquivalent, ""},
      {"nhs-ethnic-category", "B", {Category::kWhiteIrish}, Relationship::kEquivalent, ""},
      {"nhs-wales", "B", {Category::kWhiteGypsyIrishTraveller}, Relationship::kEquivalent, ""},
      {"nhs-wales", "T", {Category::kOtherArab}, Relationship::kEquivalent, ""},
      {"dfe", "BSOM", {Category::kBlackAfrican}, Relationship::kSourceIsNarrowerThanTarget, "Somali"},
      {"dfe", "WROR", {Category::kWhiteRoma}, Relationship::kEquivalent, ""},
      {"nhs-ethnic-category", "PA", {Category::kBlackAfrican}, Relationship::kSourceIsNarrowerThanTarget, "Somali"},
      {"nhs-ethnic-category", "CA", {Category::kWhiteBritish}, Relationship::kSourceIsNarrowerThanTarget, "English"},
      {"police-sde", "B1", {Category::kBlackCaribbean}, Relationship::kEquivalent, ""},
      {"police-sde", "B2", {Category::kBlackAfrican}, Relationship::kEquivalent, ""},
      {"police-sde-16", "O1", {Category::kAsianChinese}, Relationship::kEquivalent, ""},
      {"police-sde-16", "01", {Category::kAsianChinese}, Relationship::kEquivalent, ""},
      {"ons-2021", "16", {Category::kWhiteRoma}, Relationship::kEquivalent, ""},
      {"snomed-ct", "92511000000107", {Category::kAsianChinese}, Relationship::kEquivalent, ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.system, " ", c.code));
    Normalized n = Code(c.system, c.code);
    EXPECT_EQ(n.outcome, Outcome::kCategories);
    EXPECT_EQ(n.category_set.ToVector(), c.set);
    EXPECT_EQ(n.relationship, c.relationship);
    EXPECT_EQ(n.detail, c.detail);
    EXPECT_THAT(n.explanation, HasSubstr(n.map_id));
    EXPECT_THAT(n.explanation, HasSubstr(n.map_version));
  }
}

TEST_F(NormalizerTest, SameLetterMeansWhatItsSystemSays) {
  EXPECT_NE(Code("nhs-ethnic-category", "B").category_set, Code("nhs-wales", "B").category_set);
  EXPECT_NE(Code("nhs-ethnic-category", "A").category_set, Code("nhs-wales", "A").category_set);
}

TEST_F(NormalizerTest, PoliceIcIsObservedAndOnlyRelated) {
  for (const char* code : {"IC1", "IC2", "IC3", "IC4", "IC5", "IC6"}) {
    Normalized n = Code("police-ic", code);
    EXPECT_EQ(n.relationship, Relationship::kRelatedTo) << code;
    EXPECT_EQ(n.basis, RecordingBasis::kObserved) << code;
  }
  EXPECT_EQ(Code("police-sde", "W1").basis, RecordingBasis::kSelfDefined);
}

TEST_F(NormalizerTest, NonAnswersAreNeverCategories) {
  const struct {
    const char* system;
    const char* code;
    Outcome outcome;
  } cases[] = {
      {"nhs-ethnic-category", "Z", Outcome::kNotStated}, {"nhs-ethnic-category", "99", Outcome::kNotKnown},
      {"dfe", "REFU", Outcome::kNotStated},              {"dfe", "NOBT", Outcome::kNotKnown},
      {"police-sde", "NS", Outcome::kNotStated},         {"police-ic", "IC9", Outcome::kNotKnown},
  };
  for (const auto& c : cases) {
    Normalized n = Code(c.system, c.code);
    EXPECT_EQ(n.outcome, c.outcome) << c.code;
    EXPECT_TRUE(n.categories.empty()) << c.code;
    EXPECT_TRUE(n.category_set.empty()) << c.code;
  }
}

TEST_F(NormalizerTest, CodesAreCaseInsensitiveWhereTheSystemSaysSo) {
  EXPECT_EQ(Code("dfe", " bsom ").code, "BSOM");
  EXPECT_THAT(normalizer_->Normalize({.system = "snomed-ct", .code = "92511000000107 "}),
              ::ethrec::testing::IsOkAndHolds(::testing::Field(&Normalized::code, "92511000000107")));
}

TEST_F(NormalizerTest, UnknownCodeWithTextLetsTheTextDecideAndSaysSo) {
  absl::StatusOr<Normalized> n =
      normalizer_->Normalize({.system = "dfe", .code = "XBLK", .text = "Black Caribbean"});
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_TRUE(n->decided_by_text);
  EXPECT_EQ(Cats(*n), std::vector<Category>{Category::kBlackCaribbean});
  EXPECT_THAT(n->notes, Contains(HasSubstr("\"XBLK\" is not in code system dfe")));
  EXPECT_EQ(n->basis, RecordingBasis::kSelfDefined);
}

TEST_F(NormalizerTest, KnownCodeWinsAndContradictingTextIsNoted) {
  absl::StatusOr<Normalized> n =
      normalizer_->Normalize({.system = "dfe", .code = "WBRI", .text = "Pakistani"});
  ASSERT_TRUE(n.ok());
  EXPECT_FALSE(n->decided_by_text);
  EXPECT_EQ(Cats(*n), std::vector<Category>{Category::kWhiteBritish});
  EXPECT_THAT(n->notes, Contains(HasSubstr("ASIAN_PAKISTANI")));

  absl::StatusOr<Normalized> agreeing =
      normalizer_->Normalize({.system = "dfe", .code = "WBRI", .text = "White - British"});
  ASSERT_TRUE(agreeing.ok());
  EXPECT_TRUE(agreeing->notes.empty());
}

TEST_F(NormalizerTest, BadRequestsNameTheProblem) {
  EXPECT_THAT(normalizer_->Normalize({}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("give a code")));
  EXPECT_THAT(normalizer_->Normalize({.code = "A"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("without its code system")));
  EXPECT_THAT(normalizer_->Normalize({.system = "nhs", .code = "A"}),
              StatusIs(absl::StatusCode::kNotFound,
                       ::testing::AllOf(HasSubstr("unknown code system \"nhs\""),
                                        HasSubstr("nhs-ethnic-category"), HasSubstr("police-ic"))));
  EXPECT_THAT(normalizer_->Normalize({.system = "dfe", .code = "WXYZ"}),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("code \"WXYZ\" is not in code system dfe")));
}

TEST_F(NormalizerTest, ErrorsNameTheRequestField) {
  EXPECT_EQ(FieldOf(normalizer_->Normalize({.system = "nhs", .code = "A"}).status()), "system");
  EXPECT_EQ(FieldOf(normalizer_->Normalize({.system = "dfe", .code = "WXYZ"}).status()), "code");
  EXPECT_EQ(FieldOf(normalizer_->Normalize({.text = "white \xC3"}).status()), "text");
  EXPECT_EQ(FieldOf(normalizer_->Translate("nope", "A", "dfe").status()), "from_system");
  EXPECT_EQ(FieldOf(normalizer_->Translate("dfe", "BAFR", "police-ic").status()), "to_system");
  EXPECT_EQ(FieldOf(normalizer_->SuggestCode(TaxonomyValue{Outcome::kNotKnown, {}, ""}, "police-sde").status()),
            "category");
}

TEST_F(NormalizerTest, SuggestCodeForDataEntry) {
  const struct {
    Category category;
    const char* detail;
    const char* system;
    const char* code;
    Relationship relationship;
  } cases[] = {
      {Category::kWhiteRoma, "", "dfe", "WROM", Relationship::kSourceIsBroaderThanTarget},
      {Category::kWhiteRoma, "", "nhs-ethnic-category", "C", Relationship::kSourceIsBroaderThanTarget},
      {Category::kWhiteRoma, "", "snomed-ct", "718958002", Relationship::kEquivalent},
      {Category::kWhiteRoma, "", "police-sde", "W9", Relationship::kSourceIsBroaderThanTarget},
      {Category::kBlackAfrican, "Somali", "dfe", "BSOM", Relationship::kEquivalent},
      {Category::kBlackAfrican, "", "dfe", "BAFR", Relationship::kEquivalent},
      {Category::kBlackAfrican, "Yoruba", "dfe", "BAFR", Relationship::kSourceIsBroaderThanTarget},
      {Category::kOtherArab, "", "nhs-ethnic-category", "S", Relationship::kSourceIsBroaderThanTarget},
      {Category::kOtherArab, "", "police-sde-16", "O9", Relationship::kSourceIsBroaderThanTarget},
      {Category::kOtherArab, "", "police-sde", "O2", Relationship::kEquivalent},
      {Category::kAsianChinese, "", "nhs-ethnic-category", "R", Relationship::kEquivalent},
      {Category::kWhiteBritish, "", "ons-2021", "WHITE_BRITISH", Relationship::kEquivalent},
  };
  for (const auto& c : cases) {
    absl::StatusOr<CodeSuggestion> s =
        normalizer_->SuggestCode(TaxonomyValue{Outcome::kCategories, c.category, c.detail}, c.system);
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(s->code, c.code) << CategoryName(c.category) << " " << c.detail << " in " << c.system;
    EXPECT_EQ(s->relationship, c.relationship) << s->code;
  }
}

TEST_F(NormalizerTest, TranslateGoesThroughTheTaxonomy) {
  absl::StatusOr<CodeSuggestion> s = normalizer_->Translate("dfe", "BCRB", "police-sde");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->code, "B1");
  EXPECT_EQ(s->relationship, Relationship::kEquivalent);

  s = normalizer_->Translate("nhs-wales", "B", "dfe");  // Wales B: Gypsy or Irish Traveller
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->category_set.contains(Category::kWhiteGypsyIrishTraveller));

  s = normalizer_->Translate("dfe", "WROR", "nhs-ethnic-category");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->code, "C");
  EXPECT_EQ(s->relationship, Relationship::kSourceIsNarrowerThanTarget);

  s = normalizer_->Translate("nhs-ethnic-category", "C", "dfe");  // nothing narrower covers all three
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->code, "WOTH");
  EXPECT_EQ(s->relationship, Relationship::kSourceIsBroaderThanTarget);
  EXPECT_THAT(s->explanation, HasSubstr("ask the person"));

  s = normalizer_->Translate("dfe", "REFU", "nhs-ethnic-category");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->code, "Z");
}

TEST_F(NormalizerTest, TranslateRefusesPerceivedEthnicity) {
  EXPECT_THAT(normalizer_->Translate("police-ic", "IC3", "dfe"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("police-ic")));
  EXPECT_THAT(normalizer_->Translate("dfe", "BAFR", "police-ic"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("police-ic")));
  EXPECT_THAT(normalizer_->Translate("dfe", "NOPE", "police-sde"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("NOPE")));
}

}  // namespace
}  // namespace ethrec
