#include "mapping/taxonomy.h"

namespace ethrec {
namespace {

constexpr std::array<absl::string_view, kNumCategories> kCategoryNames = {
    "ASIAN_BANGLADESHI",
    "ASIAN_CHINESE",
    "ASIAN_INDIAN",
    "ASIAN_PAKISTANI",
    "ASIAN_OTHER",
    "BLACK_AFRICAN",
    "BLACK_CARIBBEAN",
    "BLACK_OTHER",
    "MIXED_WHITE_ASIAN",
    "MIXED_WHITE_BLACK_AFRICAN",
    "MIXED_WHITE_BLACK_CARIBBEAN",
    "MIXED_OTHER",
    "WHITE_BRITISH",
    "WHITE_IRISH",
    "WHITE_GYPSY_IRISH_TRAVELLER",
    "WHITE_ROMA",
    "WHITE_OTHER",
    "OTHER_ARAB",
    "OTHER_ANY",
};

constexpr std::array<absl::string_view, kNumGroups> kGroupNames = {
    "ASIAN", "BLACK", "MIXED", "WHITE", "OTHER"};

constexpr std::array<absl::string_view, 5> kRelationshipNames = {
    "equivalent", "source-is-narrower-than-target", "source-is-broader-than-target",
    "related-to", "not-related-to"};

}  // namespace

CategorySet CategorySet::OfGroup(Group g) {
  CategorySet s;
  for (int i = 0; i < kNumCategories; ++i) {
    if (GroupOf(static_cast<Category>(i)) == g) s.Add(static_cast<Category>(i));
  }
  return s;
}

std::vector<Category> CategorySet::ToVector() const {
  std::vector<Category> out;
  for (int i = 0; i < kNumCategories; ++i) {
    if (contains(static_cast<Category>(i))) out.push_back(static_cast<Category>(i));
  }
  return out;
}

absl::string_view CategoryName(Category c) { return kCategoryNames[static_cast<int>(c)]; }
absl::string_view GroupName(Group g) { return kGroupNames[static_cast<int>(g)]; }

absl::string_view OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kCategories: return "CATEGORIES";
    case Outcome::kNotStated: return "NOT_STATED";
    case Outcome::kNotKnown: return "NOT_KNOWN";
    case Outcome::kUnrecognised: return "UNRECOGNISED";
  }
  return "UNRECOGNISED";
}

absl::string_view RelationshipName(Relationship r) {
  return kRelationshipNames[static_cast<int>(r)];
}

absl::string_view RecordingBasisName(RecordingBasis b) {
  switch (b) {
    case RecordingBasis::kSelfDefined: return "self-defined";
    case RecordingBasis::kObserved: return "observed";
    case RecordingBasis::kUnspecified: return "unspecified";
  }
  return "unspecified";
}

std::optional<Category> ParseCategory(absl::string_view name) {
  for (int i = 0; i < kNumCategories; ++i) {
    if (kCategoryNames[i] == name) return static_cast<Category>(i);
  }
  return std::nullopt;
}

std::optional<Group> ParseGroup(absl::string_view name) {
  for (int i = 0; i < kNumGroups; ++i) {
    if (kGroupNames[i] == name) return static_cast<Group>(i);
  }
  return std::nullopt;
}

std::optional<Relationship> ParseRelationship(absl::string_view name) {
  for (size_t i = 0; i < kRelationshipNames.size(); ++i) {
    if (kRelationshipNames[i] == name) return static_cast<Relationship>(i);
  }
  return std::nullopt;
}

Group GroupOf(Category c) {
  const int i = static_cast<int>(c);
  if (i <= static_cast<int>(Category::kAsianOther)) return Group::kAsian;
  if (i <= static_cast<int>(Category::kBlackOther)) return Group::kBlack;
  if (i <= static_cast<int>(Category::kMixedOther)) return Group::kMixed;
  if (i <= static_cast<int>(Category::kWhiteOther)) return Group::kWhite;
  return Group::kOther;
}

Category OtherCategoryOf(Group g) {
  switch (g) {
    case Group::kAsian: return Category::kAsianOther;
    case Group::kBlack: return Category::kBlackOther;
    case Group::kMixed: return Category::kMixedOther;
    case Group::kWhite: return Category::kWhiteOther;
    case Group::kOther: return Category::kOtherAny;
  }
  return Category::kOtherAny;
}

int RelationshipRank(Relationship r) { return static_cast<int>(r); }

}  // namespace ethrec
