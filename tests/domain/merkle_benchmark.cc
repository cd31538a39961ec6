// Merkle tree costs that the audit log depends on: hashing and appending
// leaves, and inclusion and consistency proofs at 1M and 10M leaves (target:
// an inclusion proof at 10M entries in under 100 µs). Proofs are read from a
// MemoryMerkleTree, so they measure hashing and the O(log n) walk, not
// storage reads.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/domain/merkle.h"

namespace pwx::domain {
namespace {

constexpr uint64_t kLargestTree = 10'000'000;

// A typical audit entry: metadata and hashes, a few hundred bytes.
std::string Entry(uint64_t i) {
  return absl::StrCat(
      "{\"seq\":", i, ",\"kind\":\"CASE_UPDATED\",\"case\":\"FR-DGT-2026-",
      i % 1000000, "\",\"actor\":\"inspector-17\",\"digest\":\"",
      HashToHex(Hash{}), "\"}");
}

// Built once, on first use (about 10 s and 640 MB); proofs for smaller sizes
// are taken at that size from the same tree.
const MemoryMerkleTree& LargeTree() {
  static const MemoryMerkleTree* const tree = [] {
    auto* t = new MemoryMerkleTree;
    t->Reserve(kLargestTree);
    for (uint64_t i = 0; i < kLargestTree; ++i) t->AppendEntry(Entry(i));
    return t;
  }();
  return *tree;
}

void BM_LeafHash(benchmark::State& state) {
  const std::string entry = Entry(123456);
  for (auto _ : state) benchmark::DoNotOptimize(LeafHash(entry));
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(entry.size()));
}
BENCHMARK(BM_LeafHash);

void BM_NodeHash(benchmark::State& state) {
  Hash left = LeafHash("left");
  const Hash right = LeafHash("right");
  for (auto _ : state) {
    left = NodeHash(left, right);
    benchmark::DoNotOptimize(left);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NodeHash);

// What the log writer does per entry: hash the entry, extend the frontier
// and get the subtrees to store.
void BM_CompactRangeAppendEntry(benchmark::State& state) {
  CompactRange range;
  uint64_t i = 0;
  const std::string entry = Entry(42);
  for (auto _ : state) {
    std::vector<SubtreeNode> written = range.Append(LeafHash(entry));
    benchmark::DoNotOptimize(written.data());
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["size"] = static_cast<double>(i);
}
BENCHMARK(BM_CompactRangeAppendEntry);

void BM_CompactRangeRoot(benchmark::State& state) {
  absl::StatusOr<CompactRange> range =
      CompactRange::Load(LargeTree(), static_cast<uint64_t>(state.range(0)));
  if (!range.ok()) {
    state.SkipWithError(range.status().ToString().c_str());
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(range->Root());
}
BENCHMARK(BM_CompactRangeRoot)->Arg(1'000'000)->Arg(kLargestTree - 1);

void BM_MemoryTreeAppendLeafHash(benchmark::State& state) {
  MemoryMerkleTree tree;
  const Hash leaf = LeafHash(Entry(7));
  for (auto _ : state) tree.AppendLeafHash(leaf);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MemoryTreeAppendLeafHash);

// Proof generation plus verification for random leaves of a tree of
// state.range(0) leaves.
void BM_InclusionProofAndVerify(benchmark::State& state) {
  const MemoryMerkleTree& tree = LargeTree();
  const uint64_t size = static_cast<uint64_t>(state.range(0));
  const Hash root = *RootAt(tree, size);
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<uint64_t> pick(0, size - 1);
  for (auto _ : state) {
    const uint64_t index = pick(rng);
    absl::StatusOr<std::vector<Hash>> proof = InclusionProof(tree, index, size);
    const Hash leaf = *tree.Subtree(0, index);
    if (!proof.ok() || !VerifyInclusion(leaf, index, size, *proof, root).ok()) {
      state.SkipWithError("inclusion proof did not verify");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InclusionProofAndVerify)
    ->Arg(1'000'000)
    ->Arg(kLargestTree - 1)  // a ragged right edge, the costlier case
    ->Arg(kLargestTree)
    ->Unit(benchmark::kMicrosecond);

void BM_InclusionProofOnly(benchmark::State& state) {
  const MemoryMerkleTree& tree = LargeTree();
  const uint64_t size = static_cast<uint64_t>(state.range(0));
  std::mt19937_64 rng(2);
  std::uniform_int_distribution<uint64_t> pick(0, size - 1);
  for (auto _ : state) {
    benchmark::DoNotOptimize(InclusionProof(tree, pick(rng), size));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InclusionProofOnly)
    ->Arg(1'000'000)
    ->Arg(kLargestTree)
    ->Unit(benchmark::kMicrosecond);

// Old sizes at random below the new size; generation plus verification.
void BM_ConsistencyProofAndVerify(benchmark::State& state) {
  const MemoryMerkleTree& tree = LargeTree();
  const uint64_t size = static_cast<uint64_t>(state.range(0));
  const Hash root = *RootAt(tree, size);
  // The verifier already holds its old root: pick old sizes up front.
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<uint64_t> pick(1, size - 1);
  std::vector<std::pair<uint64_t, Hash>> olds;
  for (int i = 0; i < 1024; ++i) {
    const uint64_t old_size = pick(rng);
    olds.emplace_back(old_size, *RootAt(tree, old_size));
  }
  size_t next = 0;
  for (auto _ : state) {
    const auto& [old_size, old_root] = olds[next++ % olds.size()];
    absl::StatusOr<std::vector<Hash>> proof =
        ConsistencyProof(tree, old_size, size);
    if (!proof.ok() ||
        !VerifyConsistency(old_size, size, old_root, root, *proof).ok()) {
      state.SkipWithError("consistency proof did not verify");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ConsistencyProofAndVerify)
    ->Arg(1'000'000)
    ->Arg(kLargestTree)
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace pwx::domain

BENCHMARK_MAIN();
