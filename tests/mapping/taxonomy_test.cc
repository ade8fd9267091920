#include "mapping/taxonomy.h"

#include "gtest/gtest.h"
#include "mapping/registry.h"

namespace ethrec {
namespace {

TEST(TaxonomyTest, NamesRoundTrip) {
  for (int i = 0; i < kNumCategories; ++i) {
    const Category c = static_cast<Category>(i);
    EXPECT_EQ(ParseCategory(CategoryName(c)), c);
    EXPECT_EQ(Ts021Code(c), i + 1);
  }
  for (int i = 0; i < kNumGroups; ++i) {
    EXPECT_EQ(ParseGroup(GroupName(static_cast<Group>(i))), static_cast<Group>(i));
  }
  EXPECT_EQ(ParseCategory("NOT_STATED"), std::nullopt);  // a non-answer, never a category
  EXPECT_EQ(ParseCategory("white_roma"), std::nullopt);
  EXPECT_EQ(ParseRelationship("source-is-broader-than-target"),
            Relationship::kSourceIsBroaderThanTarget);
  EXPECT_EQ(ParseRelationship("wider"), std::nullopt);
}

TEST(TaxonomyTest, GroupsHoldTheirCategories) {
  const struct {
    Group group;
    int size;
    Category other;
  } cases[] = {
      {Group::kAsian, 5, Category::kAsianOther}, {Group::kBlack, 3, Category::kBlackOther},
      {Group::kMixed, 4, Category::kMixedOther}, {Group::kWhite, 5, Category::kWhiteOther},
      {Group::kOther, 2, Category::kOtherAny},
  };
  int total = 0;
  for (const auto& c : cases) {
    CategorySet set = CategorySet::OfGroup(c.group);
    EXPECT_EQ(set.size(), c.size) << GroupName(c.group);
    EXPECT_TRUE(set.contains(c.other));
    EXPECT_EQ(OtherCategoryOf(c.group), c.other);
    for (Category member : set.ToVector()) EXPECT_EQ(GroupOf(member), c.group);
    total += c.size;
  }
  EXPECT_EQ(total, kNumCategories);
  EXPECT_EQ(GroupOf(Category::kAsianChinese), Group::kAsian);
}

TEST(CategorySetTest, SetOperations) {
  CategorySet a;
  a.Add(Category::kWhiteOther);
  a.Add(Category::kWhiteRoma);
  const CategorySet roma = CategorySet::Of(Category::kWhiteRoma);
  EXPECT_TRUE(a.Meets(roma));
  EXPECT_TRUE(roma.IsSubsetOf(a));
  EXPECT_FALSE(a.IsSubsetOf(roma));
  EXPECT_FALSE(a.Meets(CategorySet::Of(Category::kWhiteIrish)));
  EXPECT_EQ(a.Intersect(roma), roma);
  EXPECT_EQ(a.size(), 2);
  EXPECT_EQ(a.ToVector(), (std::vector<Category>{Category::kWhiteRoma, Category::kWhiteOther}));
  EXPECT_TRUE(CategorySet().empty());
}

TEST(TaxonomyTest, LabelsAndOrderComeFromTheData) {
  auto registry = Registry::Load(LoadOptions());
  ASSERT_TRUE(registry.ok()) << registry.status();
  const Taxonomy& t = (*registry)->taxonomy();
  EXPECT_EQ(t.id(), "ons-2021-ew");
  EXPECT_EQ(t.category(Category::kWhiteRoma).label, "Roma");
  EXPECT_EQ(t.category(Category::kWhiteRoma).label_full, "White: Roma");
  EXPECT_EQ(t.group(Group::kMixed).label, "Mixed or Multiple ethnic groups");
  EXPECT_EQ(t.non_answer_label(Outcome::kNotStated), "Not stated");
  for (int i = 0; i < kNumCategories; ++i) {
    EXPECT_EQ(t.category(static_cast<Category>(i)).output_order, i + 1);
  }
}

}  // namespace
}  // namespace ethrec
