#include "server/domain/merkle.h"

#include <bit>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "server/domain/digest.h"

namespace pwx::domain {
namespace {

constexpr char kLeafPrefix = 0x00;
constexpr char kNodePrefix = 0x01;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string HashToHex(const Hash& hash) {
  return absl::BytesToHexString(HashBytes(hash));
}

absl::StatusOr<Hash> HashFromHex(absl::string_view field,
                                 absl::string_view hex) {
  if (hex.size() != 2 * kHashSize) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": a SHA-256 hash is ", 2 * kHashSize,
                     " hex digits, got ", hex.size(), " characters"));
  }
  Hash out{};
  for (size_t i = 0; i < kHashSize; ++i) {
    const int high = HexValue(hex[2 * i]);
    const int low = HexValue(hex[2 * i + 1]);
    if (high < 0 || low < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": '", hex.substr(2 * i, 2), "' at offset ",
                       2 * i, " is not a hex digit pair"));
    }
    out[i] = static_cast<uint8_t>(high << 4 | low);
  }
  return out;
}

absl::string_view HashBytes(const Hash& hash) {
  return absl::string_view(reinterpret_cast<const char*>(hash.data()),
                           hash.size());
}

absl::StatusOr<Hash> HashFromBytes(absl::string_view field,
                                   absl::string_view bytes) {
  if (bytes.size() != kHashSize) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": a SHA-256 hash is ", kHashSize, " bytes, got ",
                     bytes.size()));
  }
  Hash out{};
  for (size_t i = 0; i < kHashSize; ++i) {
    out[i] = static_cast<uint8_t>(bytes[i]);
  }
  return out;
}

Hash EmptyRoot() {
  static const Hash empty = Sha256({});
  return empty;
}

Hash LeafHash(absl::string_view entry) {
  return Sha256({absl::string_view(&kLeafPrefix, 1), entry});
}

Hash NodeHash(const Hash& left, const Hash& right) {
  return Sha256(
      {absl::string_view(&kNodePrefix, 1), HashBytes(left), HashBytes(right)});
}

std::vector<SubtreeId> FrontierSubtrees(uint64_t size) {
  std::vector<SubtreeId> ids;
  ids.reserve(std::popcount(size));
  uint64_t begin = 0;
  for (int level = 63; level >= 0; --level) {
    const uint64_t width = uint64_t{1} << level;
    if ((size & width) == 0) continue;
    ids.push_back(SubtreeId{static_cast<uint64_t>(level), begin >> level});
    begin += width;
  }
  return ids;
}

absl::StatusOr<CompactRange> CompactRange::FromFrontier(
    uint64_t size, std::vector<Hash> frontier) {
  const size_t want = std::popcount(size);
  if (frontier.size() != want) {
    return absl::InvalidArgumentError(
        absl::StrCat("frontier: a tree of size ", size, " has ", want,
                     " frontier hashes, got ", frontier.size()));
  }
  return CompactRange(size, std::move(frontier));
}

absl::StatusOr<CompactRange> CompactRange::Load(const SubtreeHashReader& reader,
                                                uint64_t size) {
  std::vector<Hash> frontier;
  frontier.reserve(std::popcount(size));
  for (const SubtreeId& id : FrontierSubtrees(size)) {
    absl::StatusOr<Hash> hash = reader.Subtree(id.level, id.index);
    if (!hash.ok()) return hash.status();
    frontier.push_back(*hash);
  }
  return CompactRange(size, std::move(frontier));
}

std::vector<SubtreeNode> CompactRange::Append(const Hash& leaf_hash) {
  std::vector<SubtreeNode> completed;
  completed.reserve(1 + std::countr_one(size_));
  Hash hash = leaf_hash;
  completed.push_back(SubtreeNode{0, size_, hash});
  // Each trailing one bit of the old size is a frontier subtree of the same
  // height as the one being carried: merge them, like binary addition.
  uint64_t level = 0;
  for (uint64_t rest = size_; (rest & 1) != 0; rest >>= 1) {
    hash = NodeHash(frontier_.back(), hash);
    frontier_.pop_back();
    ++level;
    completed.push_back(SubtreeNode{level, size_ >> level, hash});
  }
  frontier_.push_back(hash);
  ++size_;
  return completed;
}

Hash CompactRange::Root() const {
  if (frontier_.empty()) return EmptyRoot();
  Hash root = frontier_.back();
  for (size_t i = frontier_.size() - 1; i-- > 0;) {
    root = NodeHash(frontier_[i], root);
  }
  return root;
}

void MemoryMerkleTree::AppendLeafHash(const Hash& leaf_hash) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(leaf_hash);
  for (size_t level = 0; levels_[level].size() % 2 == 0; ++level) {
    if (level + 1 == levels_.size()) levels_.emplace_back();
    const std::vector<Hash>& below = levels_[level];
    const Hash parent =
        NodeHash(below[below.size() - 2], below[below.size() - 1]);
    levels_[level + 1].push_back(parent);
  }
}

void MemoryMerkleTree::Reserve(uint64_t leaves) {
  for (size_t level = 0; level < 64 && (leaves >> level) != 0; ++level) {
    if (level == levels_.size()) levels_.emplace_back();
    levels_[level].reserve(leaves >> level);
  }
}

uint64_t MemoryMerkleTree::size() const {
  return levels_.empty() ? 0 : levels_[0].size();
}

Hash MemoryMerkleTree::Root() const {
  const std::vector<SubtreeId> ids = FrontierSubtrees(size());
  if (ids.empty()) return EmptyRoot();
  Hash root = levels_[ids.back().level][ids.back().index];
  for (size_t i = ids.size() - 1; i-- > 0;) {
    root = NodeHash(levels_[ids[i].level][ids[i].index], root);
  }
  return root;
}

absl::StatusOr<Hash> MemoryMerkleTree::Subtree(uint64_t level,
                                               uint64_t index) const {
  if (level >= levels_.size() || index >= levels_[level].size()) {
    return absl::NotFoundError(absl::StrCat("no complete subtree at level ",
                                            level, " index ", index,
                                            " in a tree of size ", size()));
  }
  return levels_[level][index];
}

}  // namespace pwx::domain
