#include "mapping/internal/text_hash.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace ethrec::mapping_internal {
namespace {

// Keys of every length the hash treats apart (0, 1-3, 4-7, 8-16, 17-32,
// 33+), and keys that differ in one byte anywhere it reads.
std::vector<std::string> Keys() {
  std::vector<std::string> keys;
  const std::string base = "mixed or multiple ethnic groups | white and black caribbean";
  for (size_t len = 0; len <= base.size(); ++len) keys.push_back(base.substr(0, len));
  for (size_t len : {1, 2, 3, 4, 7, 8, 9, 16, 17, 32, 33, 40}) {
    for (size_t at = 0; at < len; ++at) {
      std::string k = base.substr(0, len);
      k[at] = k[at] == 'z' ? 'y' : 'z';
      keys.push_back(k);
    }
  }
  return keys;
}

TEST(TextHashTest, EqualTextsHashEquallyWhateverTheirType) {
  const TextHash hash;
  for (const std::string& k : Keys()) {
    EXPECT_EQ(hash(k), hash(absl::string_view(k))) << k;
    EXPECT_EQ(hash(k), hash(std::string(k))) << k;  // a copy in other storage
  }
}

TEST(TextHashTest, KeysUpToThirtyTwoBytesDifferingInOneByteHashApart) {
  // Up to 32 bytes every byte is read, so one changed byte changes the hash
  // (a collision is possible in principle; none occurs among these keys).
  const TextHash hash;
  absl::flat_hash_set<size_t> seen;
  absl::flat_hash_set<std::string> distinct;
  for (const std::string& k : Keys()) {
    if (k.size() > 32 || !distinct.insert(k).second) continue;
    EXPECT_TRUE(seen.insert(hash(k)).second) << "'" << k << "' shares a hash";
  }
  EXPECT_GT(seen.size(), 100u);
}

TEST(TextHashTest, LongKeysThatShareAHashAreStillToldApartByTheTable) {
  // A byte the hash does not read (the middle of a long key, off its one
  // middle word) leaves the hash as it was; the table compares the keys.
  const TextHash hash;
  const std::string a = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  std::string b = a;
  b[20] = 'b';
  ASSERT_EQ(hash(a), hash(b));
  absl::flat_hash_map<std::string, int, TextHash, TextEq> map;
  map[a] = 1;
  map[b] = 2;
  EXPECT_EQ(map.size(), 2u);
  EXPECT_EQ(map.at(a), 1);
  EXPECT_EQ(map.at(b), 2);
  EXPECT_EQ(map.find(absl::string_view(b))->second, 2);
}

TEST(TextHashTest, SpreadsShortWordsOverTheTablesSlotsAndTags) {
  // The table picks a slot from the high bits and a tag from the low 7: both
  // must vary across ordinary words.
  const TextHash hash;
  absl::flat_hash_set<size_t> tags, slots;
  for (int i = 0; i < 2000; ++i) {
    const size_t h = hash(absl::StrCat("word", i));
    tags.insert(h & 0x7f);
    slots.insert((h >> 7) & 0x3ff);
  }
  EXPECT_EQ(tags.size(), 128u);
  EXPECT_GT(slots.size(), 800u);  // of 1024, for 2,000 keys
}

}  // namespace
}  // namespace ethrec::mapping_internal
