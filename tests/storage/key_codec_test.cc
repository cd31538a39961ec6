#include "storage/key_codec.h"

#include <cstdint>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/storage/storage_test_util.h"

namespace pwx::storage {
namespace {

using ::testing::HasSubstr;

using std::string_literals::operator""s;

// Strings that stress the escaping: empty, embedded and trailing 0x00, 0x01
// (the terminator's second byte), 0xFF (the escape's second byte).
const std::vector<std::string>& TrickyStrings() {
  static const auto* strings = new std::vector<std::string>{
      ""s,    "\0"s,   "\0\0"s,  "\0\x01"s, "\0\xff"s, "\x01"s,     "a"s,
      "a\0"s, "a\0b"s, "a\0\0"s, "a\x01"s,  "a\xff"s,  "a\xff\0"s,  "ab"s,
      "b"s,   "\x7f"s, "\x80"s,  "\xff"s,   "\xff\0"s, "\xff\xff"s,
  };
  return *strings;
}

constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr uint64_t kUint64Max = std::numeric_limits<uint64_t>::max();

const std::vector<int64_t> kInts = {kInt64Min, kInt64Min + 1, -256, -1,       0,
                                    1,         255,           256,  kInt64Max};
const std::vector<uint64_t> kUints = {0,         1, 255, 256, kUint64Max - 1,
                                      kUint64Max};

template <typename T>
int Compare(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

TEST(KeyCodecTest, RoundTripsEveryComponentKind) {
  for (const std::string& s : TrickyStrings()) {
    for (int64_t i : kInts) {
      for (uint64_t u : kUints) {
        const std::string key =
            KeyBuilder().String(s).Int64(i).Uint64(u).String(s).Build();
        KeyReader reader(key);
        absl::StatusOr<std::string> s1 = reader.String();
        absl::StatusOr<int64_t> i1 = reader.Int64();
        absl::StatusOr<uint64_t> u1 = reader.Uint64();
        absl::StatusOr<std::string> s2 = reader.String();
        ASSERT_OK(s1);
        ASSERT_OK(i1);
        ASSERT_OK(u1);
        ASSERT_OK(s2);
        EXPECT_EQ(*s1, s);
        EXPECT_EQ(*i1, i);
        EXPECT_EQ(*u1, u);
        EXPECT_EQ(*s2, s);
        EXPECT_TRUE(reader.done());
      }
    }
  }
}

TEST(KeyCodecTest, EncodedOrderOfStringIntTuplesIsTupleOrder) {
  using Tuple = std::tuple<std::string, int64_t>;
  std::vector<Tuple> tuples;
  for (const std::string& s : TrickyStrings()) {
    for (int64_t i : kInts) tuples.emplace_back(s, i);
  }
  for (const Tuple& a : tuples) {
    const std::string ka =
        KeyBuilder().String(std::get<0>(a)).Int64(std::get<1>(a)).Build();
    for (const Tuple& b : tuples) {
      const std::string kb =
          KeyBuilder().String(std::get<0>(b)).Int64(std::get<1>(b)).Build();
      // std::string compares bytes as unsigned char, like RocksDB.
      ASSERT_EQ(Compare(ka, kb), Compare(a, b))
          << absl::CEscape(std::get<0>(a)) << "," << std::get<1>(a) << " vs "
          << absl::CEscape(std::get<0>(b)) << "," << std::get<1>(b);
    }
  }
}

TEST(KeyCodecTest, EncodedOrderOfUintStringStringTuplesIsTupleOrder) {
  using Tuple = std::tuple<uint64_t, std::string, std::string>;
  std::vector<Tuple> tuples;
  for (uint64_t u : kUints) {
    for (const std::string& s : TrickyStrings()) {
      for (const std::string& t : {""s, "\0"s, "x"s}) {
        tuples.emplace_back(u, s, t);
      }
    }
  }
  auto encode = [](const Tuple& t) {
    return KeyBuilder()
        .Uint64(std::get<0>(t))
        .String(std::get<1>(t))
        .String(std::get<2>(t))
        .Build();
  };
  for (const Tuple& a : tuples) {
    for (const Tuple& b : tuples) {
      ASSERT_EQ(Compare(encode(a), encode(b)), Compare(a, b))
          << std::get<0>(a) << "," << absl::CEscape(std::get<1>(a)) << ","
          << absl::CEscape(std::get<2>(a)) << " vs " << std::get<0>(b) << ","
          << absl::CEscape(std::get<1>(b)) << ","
          << absl::CEscape(std::get<2>(b));
    }
  }
}

TEST(KeyCodecTest, IntegersAreFixedWidthBigEndian) {
  EXPECT_EQ(KeyBuilder().Uint64(0x0102030405060708).Build(),
            "\x01\x02\x03\x04\x05\x06\x07\x08"s);
  EXPECT_EQ(KeyBuilder().Int64(kInt64Min).Build(), std::string(8, '\0'));
  EXPECT_EQ(KeyBuilder().Int64(-1).Build(), "\x7f" + std::string(7, '\xff'));
  EXPECT_EQ(KeyBuilder().Int64(0).Build(), "\x80" + std::string(7, '\0'));
  EXPECT_EQ(KeyBuilder().Uint64(kUint64Max).Build(), std::string(8, '\xff'));
}

TEST(KeyCodecTest, StringPrefixIsPrefixOfEveryStringStartingWithIt) {
  for (const std::string& s : TrickyStrings()) {
    for (const std::string& p : TrickyStrings()) {
      const std::string full = KeyBuilder().String("sector").String(s).Build();
      const std::string prefix =
          KeyBuilder().String("sector").StringPrefix(p).Build();
      const bool starts = s.starts_with(p);
      EXPECT_EQ(full.starts_with(prefix), starts)
          << absl::CEscape(s) << " / " << absl::CEscape(p);
      // The range scan [prefix, PrefixSuccessor(prefix)) finds exactly them.
      const std::string end = PrefixSuccessor(prefix);
      EXPECT_EQ(full >= prefix && (end.empty() || full < end), starts)
          << absl::CEscape(s) << " / " << absl::CEscape(p);
    }
  }
}

TEST(KeyCodecTest, PrefixSuccessor) {
  EXPECT_EQ(PrefixSuccessor("ab"), "ac");
  EXPECT_EQ(PrefixSuccessor("a\xff"), "b");
  EXPECT_EQ(PrefixSuccessor("a\x7f"), "a\x80");
  EXPECT_EQ(PrefixSuccessor("\xff\xff"), "");
  EXPECT_EQ(PrefixSuccessor(""), "");
}

TEST(KeyCodecTest, MalformedInputIsInvalidArgument) {
  struct Case {
    std::string key;
    std::string what;
  };
  for (const Case& c : std::vector<Case>{
           {"abc"s, "string without terminator"},
           {"abc\0"s, "string cut inside the terminator"},
           {"a\0\x02"s, "string with a bad escape"},
           {""s, "empty input"},
       }) {
    KeyReader reader(c.key);
    absl::StatusOr<std::string> s = reader.String();
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << c.what;
  }

  KeyReader short_uint("\x01\x02\x03\x04\x05\x06\x07"s);
  absl::StatusOr<uint64_t> u = short_uint.Uint64();
  EXPECT_EQ(u.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(u.status().message(), HasSubstr("8 bytes"));

  KeyReader short_int("\x80"s);
  EXPECT_EQ(short_int.Int64().status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(KeyCodecTest, ReaderStopsAtComponentBoundaries) {
  const std::string key = KeyBuilder().String("a\0"s).Uint64(7).Build();
  KeyReader reader(key);
  absl::StatusOr<std::string> s = reader.String();
  ASSERT_OK(s);
  EXPECT_EQ(*s, "a\0"s);
  EXPECT_FALSE(reader.done());
  absl::StatusOr<uint64_t> u = reader.Uint64();
  ASSERT_OK(u);
  EXPECT_EQ(*u, 7u);
  EXPECT_TRUE(reader.done());
}

}  // namespace
}  // namespace pwx::storage
