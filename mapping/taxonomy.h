// The common taxonomy: ONS 2021 Census ethnic groups for England and Wales.
//
// Nineteen categories in five groups, plus two non-answers (NOT_STATED,
// NOT_KNOWN) that are never categories. The names below are part of the API:
// they appear in JSON output and in the gRPC messages. Display labels and the
// official order come from the taxonomy data file (see Taxonomy).
//
// A normalised record stands for a *set* of categories (CategorySet): an NHS
// 'C' code stands for {WHITE_GYPSY_IRISH_TRAVELLER, WHITE_ROMA, WHITE_OTHER}.
#ifndef ETHREC_MAPPING_TAXONOMY_H_
#define ETHREC_MAPPING_TAXONOMY_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

namespace ethrec {

// The taxonomy version that the enum below encodes.
inline constexpr absl::string_view kTaxonomyId = "ons-2021-ew";

// The 19 categories, in ONS TS021 output order (TS021 code = value + 1).
enum class Category : uint8_t {
  kAsianBangladeshi = 0,
  kAsianChinese,
  kAsianIndian,
  kAsianPakistani,
  kAsianOther,
  kBlackAfrican,
  kBlackCaribbean,
  kBlackOther,
  kMixedWhiteAsian,
  kMixedWhiteBlackAfrican,
  kMixedWhiteBlackCaribbean,
  kMixedOther,
  kWhiteBritish,
  kWhiteIrish,
  kWhiteGypsyIrishTraveller,
  kWhiteRoma,
  kWhiteOther,
  kOtherArab,
  kOtherAny,
};
inline constexpr int kNumCategories = 19;

// The five high-level groups, in ONS output order.
enum class Group : uint8_t { kAsian = 0, kBlack, kMixed, kWhite, kOther };
inline constexpr int kNumGroups = 5;

// What a normalised value says: some categories, one of the two non-answers,
// or (for free text only) nothing that could be placed.
enum class Outcome : uint8_t {
  kCategories = 0,
  kNotStated,     // asked, declined or refused: the person's choice
  kNotKnown,      // not asked, not obtained, unknown
  kUnrecognised,  // free text that could not be placed; never guessed
};

// FHIR R5 ConceptMap relationship of a source concept to its target(s).
enum class Relationship : uint8_t {
  kEquivalent = 0,
  kSourceIsNarrowerThanTarget,
  kSourceIsBroaderThanTarget,
  kRelatedTo,
  kNotRelatedTo,
};

// Whether a code system records how people define themselves or how someone
// else perceived them (police IC codes).
enum class RecordingBasis : uint8_t { kSelfDefined = 0, kObserved, kUnspecified };

// A set of categories as a bitmask; cheap to copy and compare.
class CategorySet {
 public:
  constexpr CategorySet() = default;
  static constexpr CategorySet Of(Category c) {
    return CategorySet(uint32_t{1} << static_cast<int>(c));
  }
  static CategorySet OfGroup(Group g);

  constexpr bool contains(Category c) const {
    return (bits_ >> static_cast<int>(c)) & 1u;
  }
  constexpr bool empty() const { return bits_ == 0; }
  int size() const { return __builtin_popcount(bits_); }
  constexpr uint32_t bits() const { return bits_; }
  void Add(Category c) { bits_ |= uint32_t{1} << static_cast<int>(c); }
  // True when the two sets share at least one category.
  constexpr bool Meets(CategorySet o) const { return (bits_ & o.bits_) != 0; }
  constexpr bool IsSubsetOf(CategorySet o) const { return (bits_ & ~o.bits_) == 0; }
  constexpr CategorySet Intersect(CategorySet o) const { return CategorySet(bits_ & o.bits_); }
  constexpr CategorySet Union(CategorySet o) const { return CategorySet(bits_ | o.bits_); }
  // Members in taxonomy order.
  std::vector<Category> ToVector() const;

  friend constexpr bool operator==(CategorySet a, CategorySet b) { return a.bits_ == b.bits_; }

 private:
  constexpr explicit CategorySet(uint32_t bits) : bits_(bits) {}
  uint32_t bits_ = 0;
};

// API names, e.g. "WHITE_ROMA", "ASIAN", "NOT_STATED", "source-is-broader-than-target".
absl::string_view CategoryName(Category c);
absl::string_view GroupName(Group g);
absl::string_view OutcomeName(Outcome o);
absl::string_view RelationshipName(Relationship r);
absl::string_view RecordingBasisName(RecordingBasis b);

// Parse the API names. Return nullopt for anything else (exact, upper case).
std::optional<Category> ParseCategory(absl::string_view name);
std::optional<Group> ParseGroup(absl::string_view name);
std::optional<Relationship> ParseRelationship(absl::string_view name);

Group GroupOf(Category c);
// The "any other" category of a group (WHITE_OTHER for kWhite, OTHER_ANY for kOther).
Category OtherCategoryOf(Group g);
// The ONS TS021 numeric code, 1-19.
inline int Ts021Code(Category c) { return static_cast<int>(c) + 1; }

// Order of precision, most exact first: used to combine relationships.
int RelationshipRank(Relationship r);

// Display labels and order of the taxonomy, read from its data file.
struct CategoryInfo {
  Category category;
  std::string label;       // "Roma"
  std::string label_full;  // "White: Roma"
  int output_order = 0;
};
struct GroupInfo {
  Group group;
  std::string label;  // "White"
  int output_order = 0;
};

class Taxonomy {
 public:
  absl::string_view id() const { return id_; }
  absl::string_view version() const { return version_; }
  const CategoryInfo& category(Category c) const { return categories_[static_cast<int>(c)]; }
  const GroupInfo& group(Group g) const { return groups_[static_cast<int>(g)]; }
  const std::string& non_answer_label(Outcome o) const {
    return o == Outcome::kNotStated ? not_stated_label_ : not_known_label_;
  }

 private:
  friend class TaxonomyBuilder;
  std::string id_;
  std::string version_;
  std::array<CategoryInfo, kNumCategories> categories_;
  std::array<GroupInfo, kNumGroups> groups_;
  std::string not_stated_label_;
  std::string not_known_label_;
};

}  // namespace ethrec

#endif  // ETHREC_MAPPING_TAXONOMY_H_
