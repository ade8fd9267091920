#include "mapping/internal/taxonomy_builder.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace ethrec {

using mapping_internal::Child;
using mapping_internal::Index;
using mapping_internal::OptionalArray;
using mapping_internal::OptionalBool;
using mapping_internal::OptionalString;
using mapping_internal::ProblemSink;
using mapping_internal::PropertyInt;
using mapping_internal::PropertyValue;
using mapping_internal::StringMember;
using mapping_internal::RequiredArray;
using mapping_internal::RequiredString;

void TaxonomyBuilder::Build(const rapidjson::Value& doc, ProblemSink& sink, Taxonomy* taxonomy) {
  const std::string root = "$";
  taxonomy->id_ = RequiredString(doc, root, "id", sink).value_or("");
  taxonomy->version_ = RequiredString(doc, root, "version", sink).value_or("");
  if (taxonomy->id_ != kTaxonomyId) {
    sink.Add(Child(root, "id"), absl::StrCat("taxonomy id must be \"", kTaxonomyId, "\", not \"",
                                             taxonomy->id_, "\""));
  }
  const rapidjson::Value* concepts = RequiredArray(doc, root, "concept", sink);
  if (concepts == nullptr) return;
  std::array<bool, kNumCategories> seen_category{};
  std::array<bool, kNumGroups> seen_group{};
  bool seen_not_stated = false, seen_not_known = false;
  for (rapidjson::SizeType i = 0; i < concepts->Size(); ++i) {
    const std::string path = Index(Child(root, "concept"), i);
    const rapidjson::Value& c = (*concepts)[i];
    auto code = RequiredString(c, path, "code", sink);
    auto display = RequiredString(c, path, "display", sink);
    if (!code || !display) continue;
    std::string label_full, kind;
    int order = 0;
    if (const rapidjson::Value* props = OptionalArray(c, path, "property", sink)) {
      for (const rapidjson::Value& p : props->GetArray()) {
        const std::optional<absl::string_view> code_of = StringMember(p, "code");
        if (!code_of) continue;
        const absl::string_view name = *code_of;
        if (name == "labelFull") label_full = PropertyValue(p).value_or("");
        if (name == "kind") kind = PropertyValue(p).value_or("");
        if (name == "order") order = PropertyInt(p).value_or(0);
      }
    }
    if (auto cat = ParseCategory(*code)) {
      CategoryInfo& info = taxonomy->categories_[static_cast<int>(*cat)];
      info = CategoryInfo{*cat, *display, label_full.empty() ? *display : label_full, order};
      seen_category[static_cast<int>(*cat)] = true;
    } else if (auto group = ParseGroup(*code)) {
      taxonomy->groups_[static_cast<int>(*group)] = GroupInfo{*group, *display, order};
      seen_group[static_cast<int>(*group)] = true;
    } else if (*code == "NOT_STATED") {
      taxonomy->not_stated_label_ = *display;
      seen_not_stated = true;
    } else if (*code == "NOT_KNOWN") {
      taxonomy->not_known_label_ = *display;
      seen_not_known = true;
    } else {
      sink.Add(Child(path, "code"), absl::StrCat("\"", *code, "\" is not a taxonomy name"));
    }
  }
  for (int i = 0; i < kNumCategories; ++i) {
    if (!seen_category[i]) {
      sink.Add(Child(root, "concept"), absl::StrCat("category ", CategoryName(static_cast<Category>(i)),
                                                    " is missing"));
    }
  }
  for (int i = 0; i < kNumGroups; ++i) {
    if (!seen_group[i]) {
      sink.Add(Child(root, "concept"),
               absl::StrCat("group ", GroupName(static_cast<Group>(i)), " is missing"));
    }
  }
  if (!seen_not_stated) sink.Add(Child(root, "concept"), "NOT_STATED is missing");
  if (!seen_not_known) sink.Add(Child(root, "concept"), "NOT_KNOWN is missing");
}

}  // namespace ethrec
