// The audit log's Merkle tree: RFC 6962 / RFC 9162 hashing, the frontier
// that appends in O(log n), and inclusion and consistency proofs built from
// the hashes of complete subtrees, so that a tree kept in storage answers
// every question with O(log n) reads.
//
// Tree shape (RFC 9162 §2.1.1): MTH({}) = SHA-256(""), MTH({d}) =
// SHA-256(0x00 || d), and for n > 1 with k the largest power of two below n,
// MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])). Every node of
// that tree is either a complete subtree of 2^level leaves starting at leaf
// index * 2^level, which never changes once complete, or lies on the right
// edge and is recomputed from complete subtrees when needed.
#ifndef PWX_SERVER_DOMAIN_MERKLE_H_
#define PWX_SERVER_DOMAIN_MERKLE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace pwx::domain {

inline constexpr size_t kHashSize = 32;

// A SHA-256 digest: a leaf hash, a node hash or a tree root.
using Hash = std::array<uint8_t, kHashSize>;

// Lower-case hex of `hash`, 64 characters.
std::string HashToHex(const Hash& hash);

// Parses 64 hex digits (either case). INVALID_ARGUMENT naming `field`
// otherwise.
absl::StatusOr<Hash> HashFromHex(absl::string_view field,
                                 absl::string_view hex);

// The bytes of `hash` as a string_view over its storage (valid while `hash`
// lives), for storage keys and values.
absl::string_view HashBytes(const Hash& hash);

// Copies 32 raw bytes into a Hash. INVALID_ARGUMENT naming `field` when
// `bytes` is not exactly kHashSize long.
absl::StatusOr<Hash> HashFromBytes(absl::string_view field,
                                   absl::string_view bytes);

// SHA-256(""): the root of the empty tree.
Hash EmptyRoot();

// SHA-256(0x00 || entry): the hash of one log entry. Thread-safe.
Hash LeafHash(absl::string_view entry);

// SHA-256(0x01 || left || right): the hash of an interior node. Thread-safe.
Hash NodeHash(const Hash& left, const Hash& right);

// Read access to the hashes of complete subtrees of one append-only tree.
// Implemented in memory (MemoryMerkleTree) and over the storage layer.
// Implementations must be safe to call concurrently from several threads.
class SubtreeHashReader {
 public:
  virtual ~SubtreeHashReader() = default;

  // The hash of the complete subtree of 2^level leaves whose first leaf is
  // index * 2^level; level 0 is the leaf hash itself. NOT_FOUND when the tree
  // does not (yet) hold all of those leaves. Once returned, a subtree hash
  // never changes.
  virtual absl::StatusOr<Hash> Subtree(uint64_t level,
                                       uint64_t index) const = 0;
};

// Names the complete subtree of 2^level leaves starting at index * 2^level.
struct SubtreeId {
  uint64_t level = 0;
  uint64_t index = 0;

  friend bool operator==(const SubtreeId&, const SubtreeId&) = default;
};

// One complete subtree and its hash: what a store writes when the tree grows.
struct SubtreeNode {
  uint64_t level = 0;
  uint64_t index = 0;
  Hash hash{};

  friend bool operator==(const SubtreeNode&, const SubtreeNode&) = default;
};

// The complete subtrees that together cover leaves [0, size), largest
// (leftmost) first: one per set bit of `size`.
std::vector<SubtreeId> FrontierSubtrees(uint64_t size);

// The right edge of a tree of some size: the hashes of the complete subtrees
// covering [0, size), largest first (at most 64, popcount(size)). Enough to
// append a leaf and to compute the root without reading anything else.
// A value type; not thread-safe for concurrent mutation.
class CompactRange {
 public:
  // The empty tree.
  CompactRange() = default;

  // A range of `size` leaves from its frontier hashes, ordered like
  // FrontierSubtrees(size). INVALID_ARGUMENT unless there are exactly
  // popcount(size) hashes.
  static absl::StatusOr<CompactRange> FromFrontier(uint64_t size,
                                                   std::vector<Hash> frontier);

  // Reads the popcount(size) frontier subtrees of a tree of `size` leaves
  // from `reader`. Propagates the reader's errors (NOT_FOUND when the tree
  // is smaller than `size`).
  static absl::StatusOr<CompactRange> Load(const SubtreeHashReader& reader,
                                           uint64_t size);

  // Appends one leaf and returns the subtrees that became complete: the leaf
  // itself at level 0, then each parent it completed, lowest first (at most
  // 1 + log2(size) entries, 2 on average). A store writes exactly these.
  std::vector<SubtreeNode> Append(const Hash& leaf_hash);

  // The root of the tree of size() leaves; EmptyRoot() when empty.
  // O(log n) hashing.
  Hash Root() const;

  uint64_t size() const { return size_; }
  const std::vector<Hash>& frontier() const { return frontier_; }

 private:
  CompactRange(uint64_t size, std::vector<Hash> frontier)
      : size_(size), frontier_(std::move(frontier)) {}

  uint64_t size_ = 0;
  std::vector<Hash> frontier_;
};

// A whole tree in memory: every complete subtree hash, level by level
// (about 2n hashes for n leaves). For tests and for verifying an exported
// log offline. Appends are not thread-safe; const methods may run
// concurrently with each other but not with an append. Movable, not
// copyable (copying a large tree by accident would be costly).
class MemoryMerkleTree final : public SubtreeHashReader {
 public:
  MemoryMerkleTree() = default;
  MemoryMerkleTree(const MemoryMerkleTree&) = delete;
  MemoryMerkleTree& operator=(const MemoryMerkleTree&) = delete;
  MemoryMerkleTree(MemoryMerkleTree&&) = default;
  MemoryMerkleTree& operator=(MemoryMerkleTree&&) = default;

  // Appends a leaf by its hash; amortised O(1) hashing.
  void AppendLeafHash(const Hash& leaf_hash);

  // Appends LeafHash(entry).
  void AppendEntry(absl::string_view entry) { AppendLeafHash(LeafHash(entry)); }

  // Reserves room for `leaves` leaves at every level.
  void Reserve(uint64_t leaves);

  // The number of leaves.
  uint64_t size() const;

  // The root of the current tree; EmptyRoot() when empty.
  Hash Root() const;

  absl::StatusOr<Hash> Subtree(uint64_t level, uint64_t index) const override;

 private:
  // levels_[l][i] is the hash of the complete subtree (l, i).
  std::vector<std::vector<Hash>> levels_;
};

// The root of the first `size` leaves of the tree behind `reader`:
// popcount(size) reads. EmptyRoot() for size 0.
absl::StatusOr<Hash> RootAt(const SubtreeHashReader& reader, uint64_t size);

// PATH(leaf_index, D[tree_size]) of RFC 9162 §2.1.3.1, ordered from the
// leaf's sibling up to the root's child: at most 2 * log2(tree_size) reads.
// INVALID_ARGUMENT when leaf_index >= tree_size; the reader's error
// (NOT_FOUND) when the tree holds fewer than tree_size leaves.
absl::StatusOr<std::vector<Hash>> InclusionProof(
    const SubtreeHashReader& reader, uint64_t leaf_index, uint64_t tree_size);

// PROOF(old_size, D[new_size]) of RFC 9162 §2.1.4.1 (SUBPROOF with the
// flag set): at most 2 * log2(new_size) + 1 reads. Empty for old_size 0 or
// old_size == new_size. INVALID_ARGUMENT when old_size > new_size; the
// reader's error (NOT_FOUND) when the tree holds fewer than new_size leaves.
absl::StatusOr<std::vector<Hash>> ConsistencyProof(
    const SubtreeHashReader& reader, uint64_t old_size, uint64_t new_size);

// The number of hashes in an inclusion proof for `leaf_index` in a tree of
// `tree_size` leaves (0 when the index is out of range).
size_t InclusionProofLength(uint64_t leaf_index, uint64_t tree_size);

// The number of hashes in a consistency proof from `old_size` to `new_size`
// (0 when old_size is 0, old_size >= new_size).
size_t ConsistencyProofLength(uint64_t old_size, uint64_t new_size);

// Verifies that the leaf with hash `leaf_hash` is at `leaf_index` in the tree
// of `tree_size` leaves whose root is `root` (RFC 9162 §2.1.3.2). Pure; no
// reads. Returns:
//   INVALID_ARGUMENT "leaf index out of range" when leaf_index >= tree_size,
//   INVALID_ARGUMENT "wrong inclusion proof length" when the proof does not
//     have InclusionProofLength() hashes,
//   DATA_LOSS "root mismatch" when the proof leads to another root: the
//     leaf, the proof or the root is not what the log holds.
absl::Status VerifyInclusion(const Hash& leaf_hash, uint64_t leaf_index,
                             uint64_t tree_size, const std::vector<Hash>& proof,
                             const Hash& root);

// Verifies that the tree of `new_size` leaves with root `new_root` extends
// the tree of `old_size` leaves with root `old_root` (RFC 9162 §2.1.4.2).
// Pure; no reads. Equal sizes need equal roots and an empty proof; size 0
// needs EmptyRoot() and an empty proof. Returns:
//   INVALID_ARGUMENT "old size ... is larger than new size" when shrinking,
//   INVALID_ARGUMENT "wrong consistency proof length" when the proof does
//     not have ConsistencyProofLength() hashes,
//   DATA_LOSS "old root mismatch" / "new root mismatch" when the proof leads
//     to other roots: the log was rewritten, or a root or the proof is not
//     what the log holds.
absl::Status VerifyConsistency(uint64_t old_size, uint64_t new_size,
                               const Hash& old_root, const Hash& new_root,
                               const std::vector<Hash>& proof);

}  // namespace pwx::domain

#endif  // PWX_SERVER_DOMAIN_MERKLE_H_
