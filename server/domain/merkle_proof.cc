// Roots and proofs read from complete subtrees, and their verification
// (RFC 9162 §2.1.3 and §2.1.4).
//
// A node of the RFC 9162 tree of n leaves at height `level` covers leaves
// [i * 2^level, min((i + 1) * 2^level, n)). If that range is full the node is
// a stored complete subtree; otherwise it is on the right edge and its hash is
// folded from the complete subtrees that decompose the range. A node whose
// sibling would start at or beyond n has no sibling: RFC 9162 splits at the
// largest power of two below n, so that node is promoted to the level above
// unchanged. PATH and SUBPROOF are the siblings met on the way up.
#include <array>
#include <bit>

#include "absl/strings/str_cat.h"
#include "server/domain/merkle.h"

namespace pwx::domain {
namespace {

// The hash of the node covering leaves [begin, end), where `begin` is a
// multiple of a power of two that is at least end - begin (any node of the
// tree qualifies). popcount(end - begin) reads.
absl::StatusOr<Hash> RangeRoot(const SubtreeHashReader& reader, uint64_t begin,
                               uint64_t end) {
  std::array<Hash, 64> parts;
  size_t count = 0;
  const uint64_t width = end - begin;
  uint64_t position = begin;
  for (int level = 63; level >= 0; --level) {
    const uint64_t bit = uint64_t{1} << level;
    if ((width & bit) == 0) continue;
    absl::StatusOr<Hash> part =
        reader.Subtree(static_cast<uint64_t>(level), position >> level);
    if (!part.ok()) return part.status();
    parts[count++] = *part;
    position += bit;
  }
  // The complete subtrees decompose the range largest first; RFC 9162 pairs
  // them from the right.
  Hash root = parts[count - 1];
  for (size_t i = count - 1; i-- > 0;) root = NodeHash(parts[i], root);
  return root;
}

// Appends to `proof` the siblings on the way from node (level, index) up to
// the root of the tree of `tree_size` leaves, lowest first.
absl::Status AppendSiblings(const SubtreeHashReader& reader, uint64_t level,
                            uint64_t index, uint64_t tree_size,
                            std::vector<Hash>* proof) {
  const uint64_t last = tree_size - 1;
  // The node covers all leaves once it is the only node at its level.
  for (; level < 64 && (last >> level) != 0; ++level, index >>= 1) {
    const uint64_t sibling = index ^ 1;
    if (sibling > (last >> level)) continue;  // promoted: no sibling here
    const uint64_t begin = sibling << level;
    const uint64_t width = uint64_t{1} << level;
    absl::StatusOr<Hash> hash = tree_size - begin >= width
                                    ? reader.Subtree(level, sibling)
                                    : RangeRoot(reader, begin, tree_size);
    if (!hash.ok()) return hash.status();
    proof->push_back(*hash);
  }
  return absl::OkStatus();
}

// Fails unless the tree behind `reader` holds at least `tree_size` leaves.
absl::Status CheckHasLeaves(const SubtreeHashReader& reader,
                            uint64_t tree_size) {
  if (tree_size == 0) return absl::OkStatus();
  return reader.Subtree(0, tree_size - 1).status();
}

// The number of proof hashes the RFC 9162 verification loops consume when
// starting from fn and sn: one per iteration until sn reaches 0.
size_t PathLength(uint64_t fn, uint64_t sn) {
  size_t length = 0;
  while (sn != 0) {
    if ((fn & 1) == 0 && fn == sn) {
      while (fn != 0 && (fn & 1) == 0) {
        fn >>= 1;
        sn >>= 1;
      }
    }
    ++length;
    fn >>= 1;
    sn >>= 1;
  }
  return length;
}

}  // namespace

absl::StatusOr<Hash> RootAt(const SubtreeHashReader& reader, uint64_t size) {
  if (size == 0) return EmptyRoot();
  return RangeRoot(reader, 0, size);
}

absl::StatusOr<std::vector<Hash>> InclusionProof(
    const SubtreeHashReader& reader, uint64_t leaf_index, uint64_t tree_size) {
  if (leaf_index >= tree_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("leaf_index: ", leaf_index,
                     " is out of range for tree size ", tree_size));
  }
  // Every leaf but the last lies in some sibling that is read below; the last
  // one only does when it is not the proven leaf.
  if (leaf_index == tree_size - 1) {
    if (absl::Status s = CheckHasLeaves(reader, tree_size); !s.ok()) return s;
  }
  std::vector<Hash> proof;
  proof.reserve(InclusionProofLength(leaf_index, tree_size));
  if (absl::Status s = AppendSiblings(reader, 0, leaf_index, tree_size, &proof);
      !s.ok()) {
    return s;
  }
  return proof;
}

absl::StatusOr<std::vector<Hash>> ConsistencyProof(
    const SubtreeHashReader& reader, uint64_t old_size, uint64_t new_size) {
  if (old_size > new_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("old_size: ", old_size, " is larger than new size ",
                     new_size, "; a log only grows"));
  }
  std::vector<Hash> proof;
  if (old_size == 0 || old_size == new_size) {
    if (absl::Status s = CheckHasLeaves(reader, new_size); !s.ok()) return s;
    return proof;
  }
  proof.reserve(ConsistencyProofLength(old_size, new_size));
  // SUBPROOF descends to the highest node whose range ends at old_size: the
  // complete subtree at the height of old_size's lowest set bit. When
  // old_size is a power of two that node is the old tree itself, which the
  // verifier already holds, so it is left out.
  const uint64_t level = std::countr_zero(old_size);
  const uint64_t index = (old_size - 1) >> level;
  if (!std::has_single_bit(old_size)) {
    absl::StatusOr<Hash> node = reader.Subtree(level, index);
    if (!node.ok()) return node.status();
    proof.push_back(*node);
  }
  if (absl::Status s = AppendSiblings(reader, level, index, new_size, &proof);
      !s.ok()) {
    return s;
  }
  return proof;
}

size_t InclusionProofLength(uint64_t leaf_index, uint64_t tree_size) {
  if (leaf_index >= tree_size) return 0;
  return PathLength(leaf_index, tree_size - 1);
}

size_t ConsistencyProofLength(uint64_t old_size, uint64_t new_size) {
  if (old_size == 0 || old_size >= new_size) return 0;
  const int level = std::countr_zero(old_size);
  return (std::has_single_bit(old_size) ? 0 : 1) +
         PathLength((old_size - 1) >> level, (new_size - 1) >> level);
}

absl::Status VerifyInclusion(const Hash& leaf_hash, uint64_t leaf_index,
                             uint64_t tree_size, const std::vector<Hash>& proof,
                             const Hash& root) {
  if (leaf_index >= tree_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("leaf index out of range: leaf ", leaf_index,
                     " is not in a tree of size ", tree_size));
  }
  const size_t want = InclusionProofLength(leaf_index, tree_size);
  if (proof.size() != want) {
    return absl::InvalidArgumentError(absl::StrCat(
        "wrong inclusion proof length: got ", proof.size(), " hashes, want ",
        want, " for leaf ", leaf_index, " in a tree of size ", tree_size));
  }
  // RFC 9162 §2.1.3.2; the length check above stands in for its sn == 0
  // checks.
  uint64_t fn = leaf_index;
  uint64_t sn = tree_size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if ((fn & 1) != 0 || fn == sn) {
      r = NodeHash(p, r);
      while (fn != 0 && (fn & 1) == 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (r != root) {
    return absl::DataLossError(
        absl::StrCat("root mismatch: the inclusion proof for leaf ", leaf_index,
                     " in a tree of size ", tree_size, " leads to root ",
                     HashToHex(r), ", not ", HashToHex(root)));
  }
  return absl::OkStatus();
}

absl::Status VerifyConsistency(uint64_t old_size, uint64_t new_size,
                               const Hash& old_root, const Hash& new_root,
                               const std::vector<Hash>& proof) {
  if (old_size > new_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("old size ", old_size, " is larger than new size ",
                     new_size, "; a log only grows"));
  }
  const size_t want = ConsistencyProofLength(old_size, new_size);
  if (proof.size() != want) {
    return absl::InvalidArgumentError(absl::StrCat(
        "wrong consistency proof length: got ", proof.size(), " hashes, want ",
        want, " from size ", old_size, " to size ", new_size));
  }
  if (old_size == 0) {
    const Hash empty = EmptyRoot();
    if (old_root != empty || (new_size == 0 && new_root != empty)) {
      return absl::DataLossError(absl::StrCat(
          old_root != empty ? "old" : "new",
          " root mismatch: a tree of size 0 has root ", HashToHex(empty),
          ", not ", HashToHex(old_root != empty ? old_root : new_root)));
    }
    return absl::OkStatus();
  }
  if (old_size == new_size) {
    if (old_root != new_root) {
      return absl::DataLossError(
          absl::StrCat("new root mismatch: two trees of size ", old_size,
                       " have different roots ", HashToHex(old_root), " and ",
                       HashToHex(new_root)));
    }
    return absl::OkStatus();
  }
  // RFC 9162 §2.1.4.2, with its step 4 done by shifting out the trailing
  // ones of old_size - 1 at once. The proof is non-empty here.
  const int level = std::countr_zero(old_size);
  uint64_t fn = (old_size - 1) >> level;
  uint64_t sn = (new_size - 1) >> level;
  size_t next = 0;
  Hash fr = std::has_single_bit(old_size) ? old_root : proof[next++];
  Hash sr = fr;
  for (; next < proof.size(); ++next) {
    const Hash& c = proof[next];
    if ((fn & 1) != 0 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      while (fn != 0 && (fn & 1) == 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (fr != old_root) {
    return absl::DataLossError(
        absl::StrCat("old root mismatch: the consistency proof from size ",
                     old_size, " to size ", new_size, " leads to old root ",
                     HashToHex(fr), ", not ", HashToHex(old_root)));
  }
  if (sr != new_root) {
    return absl::DataLossError(
        absl::StrCat("new root mismatch: the consistency proof from size ",
                     old_size, " to size ", new_size, " leads to new root ",
                     HashToHex(sr), ", not ", HashToHex(new_root)));
  }
  return absl::OkStatus();
}

}  // namespace pwx::domain
