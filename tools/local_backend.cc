#include "tools/backend.h"

namespace ethrec::tools {
namespace {

class LocalBackend final : public Backend {
 public:
  explicit LocalBackend(std::unique_ptr<Normalizer> normalizer) : normalizer_(std::move(normalizer)) {
    for (int i = 0; i < kNumCategories; ++i) {
      labels_[i] = normalizer_->registry().taxonomy().category(static_cast<Category>(i)).label_full;
    }
  }

  const CategoryLabels& labels() const override { return labels_; }

  absl::StatusOr<Normalized> Normalize(const NormalizeRequest& request) override {
    return normalizer_->Normalize(request);
  }

  std::vector<absl::StatusOr<Normalized>> NormalizeMany(
      const std::vector<NormalizeRequest>& requests) override {
    std::vector<absl::StatusOr<Normalized>> out;
    out.reserve(requests.size());
    for (const NormalizeRequest& r : requests) out.push_back(normalizer_->Normalize(r));
    return out;
  }

  absl::StatusOr<CodeSuggestion> Translate(absl::string_view from, absl::string_view code,
                                           absl::string_view to) override {
    return normalizer_->Translate(from, code, to);
  }

  absl::StatusOr<CodeSuggestion> SuggestCode(const TaxonomyValue& value, absl::string_view system) override {
    return normalizer_->SuggestCode(value, system);
  }

  absl::StatusOr<SystemsListing> ListSystems() override {
    const Registry& registry = normalizer_->registry();
    SystemsListing out{std::string(registry.taxonomy().id()), std::string(registry.taxonomy().version()),
                       registry.lexicon().versions(), {}};
    for (const auto& s : registry.systems()) {
      out.systems.push_back(SystemInfo{s->id, s->version, s->title, s->basis,
                                       static_cast<int>(s->concepts.size()), s->map_id, s->map_version,
                                       s->origin == "built-in"});
    }
    return out;
  }

 private:
  std::unique_ptr<Normalizer> normalizer_;
  CategoryLabels labels_;
};

}  // namespace

std::unique_ptr<Backend> NewLocalBackend(std::unique_ptr<Normalizer> normalizer) {
  return std::make_unique<LocalBackend>(std::move(normalizer));
}

}  // namespace ethrec::tools
