// mapping/status_field.h: the field and batch item an error is about, and
// the wire path the edge makes of them and a client reads back.
#include "mapping/status_field.h"

#include "gtest/gtest.h"

namespace ethrec {
namespace {

TEST(StatusFieldTest, FieldAndItemTravelOnTheStatusAndNotOnOk) {
  absl::Status s = WithBatchItem(WithField(absl::InvalidArgumentError("bad"), "record_version"), 3);
  EXPECT_EQ(FieldOf(s), "record_version");
  EXPECT_EQ(BatchItemOf(s), 3u);
  EXPECT_EQ(BatchItemOf(absl::InvalidArgumentError("no item")), std::nullopt);
  EXPECT_TRUE(WithBatchItem(absl::OkStatus(), 1).ok());
  EXPECT_EQ(BatchItemOf(WithBatchItem(absl::OkStatus(), 1)), std::nullopt);
}

TEST(StatusFieldTest, BatchFieldPathsRoundTrip) {
  struct Case {
    size_t index;
    std::string field;
    std::string path;
  };
  for (const Case& c : {Case{3, "record_version", "observations[3].record_version"},
                        Case{0, "child.nhs_number", "observations[0].child.nhs_number"},
                        Case{12, "", "observations[12]"}}) {
    EXPECT_EQ(BatchFieldPath("observations", c.index, c.field), c.path);
    std::optional<std::pair<size_t, std::string>> back = ParseBatchFieldPath("observations", c.path);
    ASSERT_TRUE(back.has_value()) << c.path;
    EXPECT_EQ(back->first, c.index);
    EXPECT_EQ(back->second, c.field);
  }
  for (const char* other : {"observation.record_version", "observations", "observations[x].a", "observations[3]a",
                            "items[3].id", "observations[3"}) {
    EXPECT_EQ(ParseBatchFieldPath("observations", other), std::nullopt) << other;
  }
}

}  // namespace
}  // namespace ethrec
