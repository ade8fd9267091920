// api/convert: every enum of both sides is in its table, times keep the
// microsecond the stores keep, and values come back as they went.
#include "api/convert.h"

#include <string>

#include "gtest/gtest.h"
#include "tests/testing/builtin_data.h"

namespace ethrec::api {
namespace {

// Every value of proto enum P (but UNSPECIFIED) converts to a domain value
// and back, and every domain value 0..last converts to a proto value and back.
template <typename D, typename P>
void ExpectTableComplete(const google::protobuf::EnumDescriptor* descriptor, D last) {
  for (int i = 0; i < descriptor->value_count(); ++i) {
    const int number = descriptor->value(i)->number();
    if (number == 0) {
      EXPECT_EQ(FromProto(static_cast<P>(0)), std::nullopt) << descriptor->name();
      continue;
    }
    const std::optional<D> d = FromProto(static_cast<P>(number));
    ASSERT_TRUE(d.has_value()) << descriptor->value(i)->full_name() << " has no domain value";
    EXPECT_EQ(ToProto(*d), static_cast<P>(number)) << descriptor->value(i)->full_name();
  }
  for (int v = 0; v <= static_cast<int>(last); ++v) {
    const P p = ToProto(static_cast<D>(v));
    EXPECT_NE(static_cast<int>(p), 0) << descriptor->name() << " lacks domain value " << v;
    EXPECT_EQ(FromProto(p), static_cast<D>(v)) << descriptor->name();
  }
  EXPECT_EQ(FromProto(static_cast<P>(999)), std::nullopt) << "a number this build does not know";
}

TEST(ConvertTest, EveryFindingsEnumIsInItsTableBothWays) {
  ExpectTableComplete<FindingKind, v1::FindingKind>(v1::FindingKind_descriptor(), FindingKind::kMissing);
  ExpectTableComplete<Severity, v1::Severity>(v1::Severity_descriptor(), Severity::kHigh);
  ExpectTableComplete<FindingStatus, v1::FindingStatus>(v1::FindingStatus_descriptor(), FindingStatus::kCleared);
  ExpectTableComplete<FindingAction, v1::FindingEvent::Action>(v1::FindingEvent::Action_descriptor(),
                                                              FindingAction::kResolved);
  ExpectTableComplete<Verdict, v1::Verdict>(v1::Verdict_descriptor(), Verdict::kUnconfirmed);
  const google::protobuf::EnumDescriptor* review = v1::ReviewFindingRequest::Action_descriptor();
  for (int i = 0; i < review->value_count(); ++i) {
    const int number = review->value(i)->number();
    EXPECT_EQ(FromProto(static_cast<v1::ReviewFindingRequest::Action>(number)).has_value(), number != 0)
        << review->value(i)->name();
  }
}

TEST(ConvertTest, SuppliedByAndCategoriesRoundTrip) {
  for (int v = 0; v <= static_cast<int>(SuppliedBy::kUnknown); ++v) {
    EXPECT_EQ(FromProto(ToProto(static_cast<SuppliedBy>(v))), static_cast<SuppliedBy>(v));
  }
  EXPECT_EQ(FromProto(v1::SUPPLIED_BY_UNSPECIFIED), std::nullopt);
  for (int c = 0; c < kNumCategories; ++c) {
    EXPECT_EQ(FromProto(ToProto(static_cast<Category>(c))), static_cast<Category>(c));
  }
}

TEST(ConvertTest, TimesKeepTheMicrosecondTheStoresKeep) {
  const absl::Time t = absl::FromUnixNanos(1764000000123456789);
  google::protobuf::Timestamp p;
  ToProto(t, &p);
  EXPECT_EQ(p.seconds(), 1764000000);
  EXPECT_EQ(p.nanos(), 123456000);
  EXPECT_EQ(FromProto(p), absl::FromUnixMicros(1764000000123456));
  // Before 1970: toward the past, nanos in 0..999,999,999.
  ToProto(absl::FromUnixMicros(-1), &p);
  EXPECT_EQ(p.seconds(), -1);
  EXPECT_EQ(p.nanos(), 999999000);
  EXPECT_EQ(FromProto(p), absl::FromUnixMicros(-1));
  // A message finer than the microsecond is truncated toward the past.
  p.set_seconds(1764000000);
  p.set_nanos(123456789);
  EXPECT_EQ(FromProto(p), absl::FromUnixMicros(1764000000123456));
  p.set_seconds(-1);
  p.set_nanos(999999999);
  EXPECT_EQ(FromProto(p), absl::FromUnixMicros(-1));
}

TEST(ConvertTest, EveryCodesValueComesBackFromItsMessage) {
  const Normalizer& normalizer = ::ethrec::testing::BuiltinNormalizer();
  int checked = 0;
  for (const CodeSystem* s : normalizer.registry().systems()) {
    for (const Concept& c : s->concepts) {
      absl::StatusOr<Normalized> n = normalizer.Normalize({.system = s->id, .code = c.code});
      ASSERT_TRUE(n.ok()) << s->id << " " << c.code;
      v1::NormalizedValue message;
      ToProto(*n, &message);
      const Normalized back = FromProto(message);
      EXPECT_EQ(back.outcome, n->outcome) << s->id << " " << c.code;
      EXPECT_EQ(back.category_set, n->category_set) << s->id << " " << c.code;
      EXPECT_EQ(back.detail, n->detail) << s->id << " " << c.code;
      EXPECT_EQ(back.relationship, n->relationship) << s->id << " " << c.code;
      EXPECT_EQ(back.basis, n->basis) << s->id << " " << c.code;
      EXPECT_EQ(back.explanation, n->explanation) << s->id << " " << c.code;
      v1::NormalizedValue basic = message;
      ToBasicView(&basic);
      EXPECT_TRUE(basic.explanation().empty() && basic.display().empty());
      EXPECT_EQ(basic.categories_size(), message.categories_size());
      ++checked;
    }
  }
  EXPECT_GT(checked, 1000);
}

}  // namespace
}  // namespace ethrec::api
