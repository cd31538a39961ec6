#include "server/domain/merkle.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <atomic>
#include <bit>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace pwx::domain {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

Hash H(absl::string_view hex) {
  absl::StatusOr<Hash> hash = HashFromHex("test", hex);
  EXPECT_TRUE(hash.ok()) << hash.status();
  return hash.value_or(Hash{});
}

// The leaves of the Certificate Transparency / Trillian reference tests.
std::vector<std::string> ReferenceLeaves() {
  return {
      std::string(),
      std::string("\x00", 1),
      "\x10",
      "\x20\x21",
      "\x30\x31",
      "\x40\x41\x42\x43",
      "\x50\x51\x52\x53\x54\x55\x56\x57",
      "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
  };
}

// Their published roots for tree sizes 1..8.
const char* const kReferenceRoots[] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

// The reference leaves followed by distinct generated ones.
std::vector<std::string> Entries(size_t count) {
  std::vector<std::string> entries = ReferenceLeaves();
  entries.resize(std::min(entries.size(), count));
  for (size_t i = entries.size(); i < count; ++i) {
    entries.push_back(absl::StrCat("audit entry ", i));
  }
  return entries;
}

// MTH, PATH and PROOF written straight from RFC 9162 §2.1, hashing with
// OpenSSL directly so that it shares no code with the implementation.
class ReferenceTree {
 public:
  explicit ReferenceTree(std::vector<std::string> entries)
      : entries_(std::move(entries)) {}

  // MTH(D[begin:end]).
  Hash Mth(size_t begin, size_t end) {
    auto [it, inserted] = memo_.try_emplace({begin, end});
    if (!inserted) return it->second;
    const size_t n = end - begin;
    Hash result;
    if (n == 0) {
      result = Sha256("");
    } else if (n == 1) {
      result = Sha256(std::string(1, '\x00') + entries_[begin]);
    } else {
      const size_t k = LargestPowerOfTwoBelow(n);
      result = Sha256(std::string(1, '\x01') + Bytes(Mth(begin, begin + k)) +
                      Bytes(Mth(begin + k, end)));
    }
    memo_[{begin, end}] = result;
    return result;
  }

  // PATH(m, D[n]).
  std::vector<Hash> Path(size_t m, size_t n) { return PathIn(m, 0, n); }

  // PROOF(m, D[n]); empty for m == 0.
  std::vector<Hash> Proof(size_t m, size_t n) {
    if (m == 0) return {};
    return Subproof(m, 0, n, true);
  }

 private:
  static Hash Sha256(const std::string& data) {
    Hash out;
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
           out.data());
    return out;
  }
  static std::string Bytes(const Hash& h) {
    return std::string(reinterpret_cast<const char*>(h.data()), h.size());
  }
  static size_t LargestPowerOfTwoBelow(size_t n) {
    size_t k = 1;
    while (k * 2 < n) k *= 2;
    return k;
  }

  std::vector<Hash> PathIn(size_t m, size_t begin, size_t end) {
    const size_t n = end - begin;
    if (n == 1) return {};
    const size_t k = LargestPowerOfTwoBelow(n);
    std::vector<Hash> path;
    if (m < k) {
      path = PathIn(m, begin, begin + k);
      path.push_back(Mth(begin + k, end));
    } else {
      path = PathIn(m - k, begin + k, end);
      path.push_back(Mth(begin, begin + k));
    }
    return path;
  }

  std::vector<Hash> Subproof(size_t m, size_t begin, size_t end, bool b) {
    const size_t n = end - begin;
    if (m == n) {
      if (b) return {};
      return {Mth(begin, end)};
    }
    const size_t k = LargestPowerOfTwoBelow(n);
    std::vector<Hash> proof;
    if (m <= k) {
      proof = Subproof(m, begin, begin + k, b);
      proof.push_back(Mth(begin + k, end));
    } else {
      proof = Subproof(m - k, begin + k, end, false);
      proof.push_back(Mth(begin, begin + k));
    }
    return proof;
  }

  std::vector<std::string> entries_;
  std::map<std::pair<size_t, size_t>, Hash> memo_;
};

// Counts the reads made through it, to hold proofs to O(log n) reads.
class CountingReader final : public SubtreeHashReader {
 public:
  explicit CountingReader(const SubtreeHashReader& base) : base_(base) {}
  absl::StatusOr<Hash> Subtree(uint64_t level, uint64_t index) const override {
    reads_.fetch_add(1, std::memory_order_relaxed);
    return base_.Subtree(level, index);
  }
  int TakeReads() { return reads_.exchange(0); }

 private:
  const SubtreeHashReader& base_;
  mutable std::atomic<int> reads_{0};
};

MemoryMerkleTree TreeOf(const std::vector<std::string>& entries) {
  MemoryMerkleTree tree;
  for (const std::string& e : entries) tree.AppendEntry(e);
  return tree;
}

Hash FlipBit(Hash h, int byte, int bit) {
  h[byte] ^= static_cast<uint8_t>(1u << bit);
  return h;
}

std::vector<Hash> With(std::vector<Hash> proof, size_t at, const Hash& h) {
  proof.insert(proof.begin() + static_cast<std::ptrdiff_t>(at), h);
  return proof;
}

// Checks every RFC-style corruption of a valid inclusion proof fails
// (the probes of Trillian's verifier tests).
void ExpectTamperedInclusionFails(const Hash& leaf, uint64_t index,
                                  uint64_t size, const std::vector<Hash>& proof,
                                  const Hash& root) {
  const Hash other = LeafHash("some other entry");
  struct Probe {
    std::string desc;
    Hash leaf;
    uint64_t index, size;
    std::vector<Hash> proof;
    Hash root;
  };
  std::vector<Probe> probes = {
      {"index - 1", leaf, index - 1, size, proof, root},
      {"index + 1", leaf, index + 1, size, proof, root},
      {"index ^ 2", leaf, index ^ 2, size, proof, root},
      {"size * 2", leaf, index, size * 2, proof, root},
      {"size / 2", leaf, index, size / 2, proof, root},
      {"wrong leaf", other, index, size, proof, root},
      {"empty root", leaf, index, size, proof, EmptyRoot()},
      {"other root", leaf, index, size, proof, other},
      {"trailing root", leaf, index, size, With(proof, proof.size(), root),
       root},
      {"preceding root", leaf, index, size, With(proof, 0, root), root},
      {"preceding leaf", leaf, index, size, With(proof, 0, leaf), root},
  };
  for (size_t i = 0; i < proof.size(); ++i) {
    std::vector<Hash> flipped = proof;
    flipped[i] = FlipBit(flipped[i], static_cast<int>(i % kHashSize), 3);
    probes.push_back({absl::StrCat("flipped proof[", i, "]"), leaf, index, size,
                      flipped, root});
    probes.push_back({absl::StrCat("inserted at ", i), leaf, index, size,
                      With(proof, i, other), root});
  }
  if (!proof.empty()) {
    probes.push_back({"truncated", leaf, index, size,
                      std::vector<Hash>(proof.begin(), proof.end() - 1), root});
  }
  for (const Probe& p : probes) {
    if (p.index == index && p.size == size && p.proof == proof &&
        p.leaf == leaf && p.root == root) {
      continue;  // e.g. index ^ 2 wrapping back; not a corruption
    }
    EXPECT_FALSE(VerifyInclusion(p.leaf, p.index, p.size, p.proof, p.root).ok())
        << p.desc << " verified for leaf " << index << " size " << size;
  }
}

void ExpectTamperedConsistencyFails(uint64_t m, uint64_t n, const Hash& root1,
                                    const Hash& root2,
                                    const std::vector<Hash>& proof) {
  ASSERT_FALSE(proof.empty());
  const Hash other = LeafHash("some other entry");
  struct Probe {
    std::string desc;
    uint64_t m, n;
    Hash root1, root2;
    std::vector<Hash> proof;
  };
  std::vector<Probe> probes = {
      {"m - 1", m - 1, n, root1, root2, proof},
      {"m + 1", m + 1, n, root1, root2, proof},
      {"m ^ 2", m ^ 2, n, root1, root2, proof},
      {"n * 2", m, n * 2, root1, root2, proof},
      {"n / 2", m, n / 2, root1, root2, proof},
      {"wrong root1", m, n, other, root2, proof},
      {"wrong root2", m, n, root1, other, proof},
      {"swapped roots", m, n, root2, root1, proof},
      {"empty proof", m, n, root1, root2, {}},
      {"trailing root1", m, n, root1, root2, With(proof, proof.size(), root1)},
      {"trailing root2", m, n, root1, root2, With(proof, proof.size(), root2)},
      {"preceding root1", m, n, root1, root2, With(proof, 0, root1)},
      {"preceding root2", m, n, root1, root2, With(proof, 0, root2)},
      {"preceding proof[0]", m, n, root1, root2, With(proof, 0, proof[0])},
      {"truncated", m, n, root1, root2,
       std::vector<Hash>(proof.begin(), proof.end() - 1)},
  };
  for (size_t i = 0; i < proof.size(); ++i) {
    std::vector<Hash> flipped = proof;
    flipped[i] = FlipBit(flipped[i], static_cast<int>(i % kHashSize), 4);
    probes.push_back(
        {absl::StrCat("flipped proof[", i, "]"), m, n, root1, root2, flipped});
  }
  for (const Probe& p : probes) {
    EXPECT_FALSE(VerifyConsistency(p.m, p.n, p.root1, p.root2, p.proof).ok())
        << p.desc << " verified from " << m << " to " << n;
  }
}

TEST(MerkleHashTest, MatchesRfc6962KnownAnswers) {
  EXPECT_EQ(HashToHex(EmptyRoot()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HashToHex(LeafHash("")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  EXPECT_EQ(HashToHex(LeafHash("L123456")),
            "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56");
  // printf '\x01' + 32 zero bytes + 32 0xff bytes | sha256sum
  Hash zeros{};
  Hash ones;
  ones.fill(0xff);
  EXPECT_EQ(HashToHex(NodeHash(zeros, ones)),
            "bc6b943b820c449acf880d293c216a24a8066b153f87f2361fae2beda3a72641");
  // The two-leaf reference tree: leaf hashes of "" and "\x00".
  EXPECT_EQ(HashToHex(NodeHash(LeafHash(""), LeafHash(std::string(1, '\0')))),
            kReferenceRoots[1]);
}

TEST(MerkleHashTest, HexRoundTripsAndRejectsBadInput) {
  const Hash h = LeafHash("x");
  EXPECT_EQ(H(HashToHex(h)), h);
  absl::StatusOr<Hash> upper =
      HashFromHex("root", absl::AsciiStrToUpper(HashToHex(h)));
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(*upper, h);

  absl::Status short_hex = HashFromHex("tree_head.root", "abcd").status();
  EXPECT_TRUE(absl::IsInvalidArgument(short_hex));
  EXPECT_THAT(short_hex.message(), HasSubstr("tree_head.root"));
  std::string bad = HashToHex(h);
  bad[10] = 'g';
  EXPECT_TRUE(absl::IsInvalidArgument(HashFromHex("root", bad).status()));

  absl::StatusOr<Hash> from_bytes = HashFromBytes("value", HashBytes(h));
  ASSERT_TRUE(from_bytes.ok());
  EXPECT_EQ(*from_bytes, h);
  EXPECT_TRUE(
      absl::IsInvalidArgument(HashFromBytes("value", "short").status()));
}

class MerkleTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kMaxSize = 64;

  MerkleTest() : entries_(Entries(kMaxSize)), reference_(entries_) {
    tree_ = TreeOf(entries_);
  }

  Hash Leaf(uint64_t i) const { return LeafHash(entries_[i]); }

  std::vector<std::string> entries_;
  ReferenceTree reference_;
  MemoryMerkleTree tree_;
};

TEST_F(MerkleTest, RootsMatchPublishedReferenceRoots) {
  for (uint64_t size = 1; size <= 8; ++size) {
    SCOPED_TRACE(size);
    absl::StatusOr<Hash> root = RootAt(tree_, size);
    ASSERT_TRUE(root.ok()) << root.status();
    EXPECT_EQ(HashToHex(*root), kReferenceRoots[size - 1]);
    EXPECT_EQ(reference_.Mth(0, size), *root);
    EXPECT_EQ(TreeOf(Entries(size)).Root(), *root);
  }
  EXPECT_EQ(*RootAt(tree_, 0), EmptyRoot());
  EXPECT_EQ(MemoryMerkleTree().Root(), EmptyRoot());
}

TEST_F(MerkleTest, InclusionProofsMatchPublishedVectors) {
  struct Vector {
    uint64_t index, size;
    std::vector<const char*> proof;
  };
  // From Trillian's verifier tests (there with 1-based leaf numbers).
  const std::vector<Vector> vectors = {
      {0, 1, {}},
      {0,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {5,
       8,
       {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2,
       3,
       {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
      {1,
       5,
       {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  for (const Vector& v : vectors) {
    SCOPED_TRACE(absl::StrCat("leaf ", v.index, " size ", v.size));
    std::vector<Hash> want;
    for (const char* hex : v.proof) want.push_back(H(hex));
    absl::StatusOr<std::vector<Hash>> proof =
        InclusionProof(tree_, v.index, v.size);
    ASSERT_TRUE(proof.ok()) << proof.status();
    EXPECT_THAT(*proof, ElementsAreArray(want));
    const Hash root = H(kReferenceRoots[v.size - 1]);
    EXPECT_TRUE(
        VerifyInclusion(Leaf(v.index), v.index, v.size, want, root).ok());
    ExpectTamperedInclusionFails(Leaf(v.index), v.index, v.size, want, root);
  }
}

TEST_F(MerkleTest, ConsistencyProofsMatchPublishedVectors) {
  struct Vector {
    uint64_t m, n;
    std::vector<const char*> proof;
  };
  // From Trillian's verifier tests.
  const std::vector<Vector> vectors = {
      {1, 1, {}},
      {1,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {6,
       8,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2,
       5,
       {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
      {6,
       7,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
  };
  for (const Vector& v : vectors) {
    SCOPED_TRACE(absl::StrCat("from ", v.m, " to ", v.n));
    std::vector<Hash> want;
    for (const char* hex : v.proof) want.push_back(H(hex));
    absl::StatusOr<std::vector<Hash>> proof = ConsistencyProof(tree_, v.m, v.n);
    ASSERT_TRUE(proof.ok()) << proof.status();
    EXPECT_THAT(*proof, ElementsAreArray(want));
    const Hash root1 = H(kReferenceRoots[v.m - 1]);
    const Hash root2 = H(kReferenceRoots[v.n - 1]);
    EXPECT_TRUE(VerifyConsistency(v.m, v.n, root1, root2, want).ok());
    if (!want.empty()) {
      ExpectTamperedConsistencyFails(v.m, v.n, root1, root2, want);
    }
  }
}

TEST_F(MerkleTest, EveryProofUpTo64LeavesMatchesRfcAndVerifies) {
  for (uint64_t n = 0; n <= kMaxSize; ++n) {
    SCOPED_TRACE(absl::StrCat("size ", n));
    const Hash root = reference_.Mth(0, n);
    ASSERT_EQ(*RootAt(tree_, n), root);
    // A tree that is exactly this size answers the same as a larger one.
    const MemoryMerkleTree exact = TreeOf(Entries(n));
    ASSERT_EQ(exact.Root(), root);

    for (uint64_t i = 0; i < n; ++i) {
      SCOPED_TRACE(absl::StrCat("leaf ", i));
      const std::vector<Hash> want = reference_.Path(i, n);
      absl::StatusOr<std::vector<Hash>> proof = InclusionProof(tree_, i, n);
      ASSERT_TRUE(proof.ok()) << proof.status();
      ASSERT_EQ(*proof, want);
      ASSERT_EQ(*InclusionProof(exact, i, n), want);
      ASSERT_EQ(InclusionProofLength(i, n), want.size());
      absl::Status verified = VerifyInclusion(Leaf(i), i, n, want, root);
      ASSERT_TRUE(verified.ok()) << verified;
      ExpectTamperedInclusionFails(Leaf(i), i, n, want, root);
    }

    for (uint64_t m = 0; m <= n; ++m) {
      SCOPED_TRACE(absl::StrCat("old size ", m));
      const std::vector<Hash> want = reference_.Proof(m, n);
      absl::StatusOr<std::vector<Hash>> proof = ConsistencyProof(tree_, m, n);
      ASSERT_TRUE(proof.ok()) << proof.status();
      ASSERT_EQ(*proof, want);
      ASSERT_EQ(*ConsistencyProof(exact, m, n), want);
      ASSERT_EQ(ConsistencyProofLength(m, n), want.size());
      const Hash old_root = reference_.Mth(0, m);
      absl::Status verified = VerifyConsistency(m, n, old_root, root, want);
      ASSERT_TRUE(verified.ok()) << verified;
      if (!want.empty()) {
        ExpectTamperedConsistencyFails(m, n, old_root, root, want);
      }
    }
  }
}

TEST(MerkleLargeTest, ThousandLeavesSpotChecksWithLogarithmicReads) {
  constexpr uint64_t kSize = 1000;
  const std::vector<std::string> entries = Entries(kSize);
  ReferenceTree reference(entries);
  const MemoryMerkleTree tree = TreeOf(entries);
  CountingReader reader(tree);
  // ceil(log2(1000)) = 10: at most one complete sibling per level plus the
  // complete subtrees of one right-edge sibling.
  constexpr int kMaxReads = 2 * 10 + 1;

  EXPECT_EQ(tree.Root(), reference.Mth(0, kSize));
  EXPECT_EQ(*RootAt(reader, kSize), tree.Root());
  EXPECT_LE(reader.TakeReads(), 10);

  for (uint64_t n : std::vector<uint64_t>{1, 511, 512, 513, 777, 999, 1000}) {
    const Hash root = reference.Mth(0, n);
    for (uint64_t i : std::vector<uint64_t>{0, 1, n / 3, n / 2, n - 2, n - 1}) {
      if (i >= n) continue;
      SCOPED_TRACE(absl::StrCat("leaf ", i, " size ", n));
      absl::StatusOr<std::vector<Hash>> proof = InclusionProof(reader, i, n);
      EXPECT_LE(reader.TakeReads(), kMaxReads);
      ASSERT_TRUE(proof.ok()) << proof.status();
      EXPECT_EQ(*proof, reference.Path(i, n));
      EXPECT_TRUE(
          VerifyInclusion(LeafHash(entries[i]), i, n, *proof, root).ok());
    }
    for (uint64_t m : std::vector<uint64_t>{1, 2, 3, 100, 256, 500, n - 1, n}) {
      if (m > n) continue;
      SCOPED_TRACE(absl::StrCat("from ", m, " to ", n));
      absl::StatusOr<std::vector<Hash>> proof = ConsistencyProof(reader, m, n);
      EXPECT_LE(reader.TakeReads(), kMaxReads + 1);
      ASSERT_TRUE(proof.ok()) << proof.status();
      EXPECT_EQ(*proof, reference.Proof(m, n));
      EXPECT_TRUE(
          VerifyConsistency(m, n, reference.Mth(0, m), root, *proof).ok());
    }
  }
}

TEST(MerkleFrontierTest, AppendWritesExactlyTheNewCompleteSubtrees) {
  const std::vector<std::string> entries = Entries(300);
  MemoryMerkleTree tree;
  CompactRange range;
  size_t stored = 0;
  for (uint64_t i = 0; i < entries.size(); ++i) {
    SCOPED_TRACE(i);
    const Hash leaf = LeafHash(entries[i]);
    tree.AppendLeafHash(leaf);
    const std::vector<SubtreeNode> written = range.Append(leaf);

    // The leaf plus one parent per trailing one bit of the old size.
    ASSERT_EQ(written.size(), 1u + std::countr_one(i));
    for (const SubtreeNode& node : written) {
      absl::StatusOr<Hash> want = tree.Subtree(node.level, node.index);
      ASSERT_TRUE(want.ok()) << want.status();
      EXPECT_EQ(node.hash, *want);
      // Newly complete: the subtree ends at the new last leaf.
      EXPECT_EQ((node.index + 1) << node.level, i + 1);
    }
    stored += written.size();
    ASSERT_EQ(range.size(), i + 1);
    ASSERT_EQ(range.Root(), tree.Root());
    ASSERT_EQ(range.frontier().size(), std::popcount(i + 1));
  }
  // The frontier writes add up to every complete subtree there is.
  size_t complete = 0;
  for (uint64_t level = 0; level < 64; ++level) {
    complete += entries.size() >> level;
  }
  EXPECT_EQ(stored, complete);
}

TEST(MerkleFrontierTest, LoadsFromStoredSubtreesAndResumes) {
  const std::vector<std::string> entries = Entries(100);
  MemoryMerkleTree tree =
      TreeOf(std::vector<std::string>(entries.begin(), entries.begin() + 77));
  CountingReader reader(tree);
  absl::StatusOr<CompactRange> range = CompactRange::Load(reader, 77);
  ASSERT_TRUE(range.ok()) << range.status();
  EXPECT_EQ(reader.TakeReads(), std::popcount(77u));
  EXPECT_EQ(range->Root(), tree.Root());

  for (size_t i = 77; i < entries.size(); ++i) {
    tree.AppendEntry(entries[i]);
    range->Append(LeafHash(entries[i]));
  }
  EXPECT_EQ(range->Root(), tree.Root());

  absl::StatusOr<CompactRange> copy =
      CompactRange::FromFrontier(range->size(), range->frontier());
  ASSERT_TRUE(copy.ok()) << copy.status();
  EXPECT_EQ(copy->Root(), tree.Root());

  EXPECT_TRUE(absl::IsInvalidArgument(
      CompactRange::FromFrontier(6, {LeafHash("a")}).status()));
  EXPECT_TRUE(absl::IsNotFound(CompactRange::Load(tree, 101).status()));
  EXPECT_EQ(CompactRange().Root(), EmptyRoot());
}

TEST(MerkleFrontierTest, FrontierSubtreesDecomposeTheTree) {
  EXPECT_TRUE(FrontierSubtrees(0).empty());
  EXPECT_THAT(FrontierSubtrees(13), ElementsAreArray(std::vector<SubtreeId>{
                                        {3, 0}, {2, 2}, {0, 12}}));
}

TEST_F(MerkleTest, ProofsBeyondTheTreeAreNotFound) {
  EXPECT_TRUE(absl::IsNotFound(InclusionProof(tree_, 64, 65).status()));
  EXPECT_TRUE(absl::IsNotFound(InclusionProof(tree_, 3, 65).status()));
  EXPECT_TRUE(absl::IsNotFound(ConsistencyProof(tree_, 10, 65).status()));
  EXPECT_TRUE(absl::IsNotFound(ConsistencyProof(tree_, 65, 65).status()));
  EXPECT_TRUE(absl::IsNotFound(ConsistencyProof(tree_, 0, 65).status()));
  EXPECT_TRUE(absl::IsNotFound(RootAt(tree_, 65).status()));
  EXPECT_TRUE(absl::IsNotFound(tree_.Subtree(7, 0).status()));
}

TEST_F(MerkleTest, BadArgumentsAreInvalid) {
  absl::Status s = InclusionProof(tree_, 8, 8).status();
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_THAT(s.message(), HasSubstr("out of range"));
  EXPECT_TRUE(absl::IsInvalidArgument(InclusionProof(tree_, 0, 0).status()));
  s = ConsistencyProof(tree_, 9, 8).status();
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_THAT(s.message(), HasSubstr("larger than new size"));
}

TEST_F(MerkleTest, VerificationErrorsSayWhatIsWrong) {
  const Hash root = *RootAt(tree_, 8);
  const std::vector<Hash> proof = *InclusionProof(tree_, 5, 8);

  absl::Status s = VerifyInclusion(Leaf(5), 8, 8, proof, root);
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_THAT(s.message(), HasSubstr("leaf index out of range"));

  s = VerifyInclusion(Leaf(5), 5, 8, {proof[0], proof[1]}, root);
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_THAT(s.message(), HasSubstr("wrong inclusion proof length: got 2"));

  s = VerifyInclusion(Leaf(4), 5, 8, proof, root);
  EXPECT_TRUE(absl::IsDataLoss(s));
  EXPECT_THAT(s.message(), HasSubstr("root mismatch"));
  EXPECT_THAT(s.message(), HasSubstr(HashToHex(root)));

  const Hash old_root = *RootAt(tree_, 6);
  const std::vector<Hash> consistency = *ConsistencyProof(tree_, 6, 8);
  s = VerifyConsistency(8, 6, root, old_root, consistency);
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_THAT(s.message(), HasSubstr("larger than new size"));

  s = VerifyConsistency(6, 8, old_root, root, {});
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_THAT(s.message(), HasSubstr("wrong consistency proof length"));

  s = VerifyConsistency(6, 8, root, root, consistency);
  EXPECT_TRUE(absl::IsDataLoss(s));
  EXPECT_THAT(s.message(), HasSubstr("old root mismatch"));

  s = VerifyConsistency(6, 8, old_root, old_root, consistency);
  EXPECT_TRUE(absl::IsDataLoss(s));
  EXPECT_THAT(s.message(), HasSubstr("new root mismatch"));
}

TEST_F(MerkleTest, TrivialConsistencyNeedsMatchingRootsAndNoProof) {
  const Hash root = *RootAt(tree_, 5);
  const Hash empty = EmptyRoot();
  EXPECT_TRUE(VerifyConsistency(0, 0, empty, empty, {}).ok());
  EXPECT_TRUE(VerifyConsistency(0, 5, empty, root, {}).ok());
  EXPECT_TRUE(VerifyConsistency(5, 5, root, root, {}).ok());

  EXPECT_TRUE(absl::IsDataLoss(VerifyConsistency(0, 0, empty, root, {})));
  EXPECT_TRUE(absl::IsDataLoss(VerifyConsistency(0, 5, root, root, {})));
  EXPECT_TRUE(absl::IsDataLoss(VerifyConsistency(5, 5, root, empty, {})));
  EXPECT_TRUE(
      absl::IsInvalidArgument(VerifyConsistency(5, 5, root, root, {root})));
  EXPECT_TRUE(
      absl::IsInvalidArgument(VerifyConsistency(0, 5, empty, root, {root})));
  EXPECT_TRUE(
      absl::IsInvalidArgument(VerifyConsistency(1, 0, root, empty, {})));
}

TEST(MerkleVerifyTest, SingleLeafTreeHasEmptyProofAndRootEqualToLeaf) {
  const Hash leaf = LeafHash("data");
  EXPECT_TRUE(VerifyInclusion(leaf, 0, 1, {}, leaf).ok());
  EXPECT_TRUE(absl::IsDataLoss(VerifyInclusion(leaf, 0, 1, {}, EmptyRoot())));
  EXPECT_TRUE(absl::IsInvalidArgument(VerifyInclusion(leaf, 0, 0, {}, leaf)));
  EXPECT_TRUE(absl::IsInvalidArgument(VerifyInclusion(leaf, 1, 1, {}, leaf)));
  EXPECT_TRUE(
      absl::IsInvalidArgument(VerifyInclusion(leaf, 0, 1, {leaf}, leaf)));
}

}  // namespace
}  // namespace pwx::domain
