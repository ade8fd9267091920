#include "mapping/internal/text_hash.h"

#include <algorithm>
#include <cstddef>
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

// The hash of `key` copied into a buffer at `offset`, with `guard` in every
// byte around it: a read outside the key would see the guard.
size_t HashInBuffer(const std::string& key, size_t offset, char guard) {
  std::string buffer(key.size() + offset + 16, guard);
  std::copy(key.begin(), key.end(), buffer.begin() + static_cast<std::ptrdiff_t>(offset));
  return TextHash()(absl::string_view(buffer.data() + offset, key.size()));
}

TEST(TextHashTest, ReadsOnlyTheKeysBytes) {
  for (const std::string& k : Keys()) {
    const size_t h = TextHash()(k);
    EXPECT_EQ(HashInBuffer(k, 1, '\0'), h) << k;
    EXPECT_EQ(HashInBuffer(k, 7, '\xff'), h) << k;
    EXPECT_EQ(HashInBuffer(k, 8, 'z'), h) << k;
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

TEST(TextHashTest, LongerKeysDependOnTheirEndsMiddleAndLength) {
  const TextHash hash;
  for (size_t n : {33, 40, 64, 200}) {
    const std::string key(n, 'a');
    std::vector<size_t> read;  // the bytes the hash promises to read
    for (size_t i = 0; i < 16; ++i) read.push_back(i);
    for (size_t i = n - 16; i < n; ++i) read.push_back(i);
    for (size_t i = n / 2 - 4; i < n / 2 + 4; ++i) read.push_back(i);
    for (size_t at : read) {
      std::string changed = key;
      changed[at] = 'b';
      EXPECT_NE(hash(changed), hash(key)) << "length " << n << ", byte " << at;
    }
    EXPECT_NE(hash(key + "a"), hash(key)) << "length " << n;
  }
}

TEST(TextHashTest, TheTableTellsApartKeysThatShareAHash) {
  // Whatever the hash, keys that share one are compared by TextEq. A
  // constant hash makes every key share it.
  struct SameHash {
    using is_transparent = void;
    size_t operator()(absl::string_view) const { return 42; }
  };
  absl::flat_hash_map<std::string, int, SameHash, TextEq> map;
  const std::vector<std::string> keys = {"", "a", "ab", "abcd", "abce", "abcdefgh", "abcdefgi",
                                         std::string(40, 'a'), std::string(40, 'a') + "b"};
  for (size_t i = 0; i < keys.size(); ++i) map[keys[i]] = static_cast<int>(i);
  ASSERT_EQ(map.size(), keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    auto it = map.find(absl::string_view(keys[i]));
    ASSERT_NE(it, map.end()) << keys[i];
    EXPECT_EQ(it->second, static_cast<int>(i)) << keys[i];
  }
  EXPECT_EQ(map.find(absl::string_view("abc")), map.end());
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
