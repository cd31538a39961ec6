// How the audit log's Merkle tree lies in a KvStore, and how the writer
// extends it. The hashing and the proofs are domain code (merkle.h); this
// file only knows keys and encodings.
//
// Layout (schema 2):
//   audit_leaves  Uint64(index)  -> a leaf record: one byte n, then the
//                                   32-byte hashes of the n complete subtrees
//                                   whose last leaf is this one (levels 1 to
//                                   n, lowest first; n = trailing one bits of
//                                   index), then the entry bytes (a
//                                   pwx.v1.AuditEntry)
//   meta          "audit_size"   -> Uint64(number of entries)
//   index         String("audit_obj") String(object id) Uint64(index) -> ""
//                                   for the entry's object_id and each of its
//                                   object_ids, so an object's entries are
//                                   one range scan, in log order; written
//                                   after the commit by the AuditIndexer
//   meta          "audit_indexed" -> Uint64(entries indexed so far)
// So one append writes one key, and any subtree hash is one read: the
// subtree (level, index) is stored with leaf ((index + 1) << level) - 1. A
// leaf's own hash is the hash of its entry. Schema 1 kept the subtree hashes
// in the audit_tree column, one key each; RocksStore migrates it on open.
//
// All of it changes only in the group commit that appends entries (see
// GroupCommitter), in the same atomic write as the batches they belong to,
// so a reader that reads the size first finds every entry and subtree below
// it. Batches from callers may not write these keys (IsWriterOwned).
#ifndef PWX_STORAGE_AUDIT_TREE_H_
#define PWX_STORAGE_AUDIT_TREE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "server/domain/merkle.h"
#include "storage/write_batch.h"

namespace pwx::storage {

// The kMeta key of the number of entries in the log.
inline constexpr std::string_view kAuditSizeKey = "audit_size";
// The kMeta key of the number of entries indexed by object.
inline constexpr std::string_view kAuditIndexedKey = "audit_indexed";

// The kAuditLeaves key of entry `index`.
std::string AuditLeafKey(uint64_t index);

// The kIndex key that lists entry `index` under `object_id`, and the prefix
// of every such key (of every object: kAuditObjectPrefix(""), which the
// writer alone writes).
std::string AuditObjectKey(std::string_view object_id, uint64_t index);
std::string AuditObjectPrefix(std::string_view object_id);
std::string_view AuditObjectIndexPrefix();

// The object ids an entry is indexed under: the object_id and object_ids
// fields of a serialized pwx.v1.AuditEntry, read straight off the wire
// (without parsing the whole message), empty ones skipped. Bytes that are
// not an AuditEntry give none.
std::vector<std::string> AuditObjectIds(std::string_view entry);

// The kAuditTree key of the complete subtree (level, index) in schema 1.
std::string AuditNodeKey(uint64_t level, uint64_t index);

// True for the keys only the writer may write: the audit columns, the log's
// size, and the object index with its marker. Batches handed to a KvStore
// that write them are refused, except the AuditIndexer's, which may write
// the keys of IsAuditIndexKey().
bool IsWriterOwned(Column column, std::string_view key);
bool IsAuditIndexKey(Column column, std::string_view key);

// The number of subtrees that appending leaf `index` completes above it:
// the trailing one bits of `index`.
int CompletedLevels(uint64_t index);

// A leaf record: `subtrees` must hold CompletedLevels(index) hashes.
std::string EncodeAuditLeaf(std::span<const domain::Hash> subtrees,
                            std::string_view entry);

// The parts of a leaf record, viewing `record`.
struct AuditLeafView {
  std::string_view entry;
  // The hashes of levels 1..n, 32 bytes each.
  std::string_view subtrees;
};
// DATA_LOSS when `record` is shorter than its hashes.
absl::StatusOr<AuditLeafView> DecodeAuditLeaf(uint64_t index,
                                              std::string_view record);

// Returns the committed value of (column, key), std::nullopt when absent.
using ValueReader = std::function<absl::StatusOr<std::optional<std::string>>(
    Column, std::string_view)>;

// The number of committed entries: 0 when the log was never written,
// DATA_LOSS when the stored size is malformed.
absl::StatusOr<uint64_t> ReadAuditSize(const ValueReader& read);

// The hash of subtree `level` stored in the record of leaf `leaf` (its last
// leaf): the entry's hash for level 0. NOT_FOUND when the record holds no
// such level; DATA_LOSS when it is malformed.
absl::StatusOr<domain::Hash> SubtreeFromLeafRecord(uint64_t leaf,
                                                   uint64_t level,
                                                   std::string_view record);

// Subtree hashes read from the leaf records (level 0: the entry, hashed),
// one read each. Thread-safe when `read` is.
class AuditTreeReader final : public domain::SubtreeHashReader {
 public:
  explicit AuditTreeReader(ValueReader read) : read_(std::move(read)) {}

  // NOT_FOUND when the subtree is not complete (or not stored); DATA_LOSS
  // when the stored value is not a hash.
  absl::StatusOr<domain::Hash> Subtree(uint64_t level,
                                       uint64_t index) const override;

 private:
  const ValueReader read_;
};

// The frontier of the committed log: ReadAuditSize() then popcount(size)
// reads. DATA_LOSS when a frontier subtree the size promises is missing.
absl::StatusOr<domain::CompactRange> LoadAuditFrontier(const ValueReader& read);

// Appends `entries`, whose leaf hashes are `leaf_hashes`, to the tree whose
// right edge is `frontier`, in order, and adds to `out` one leaf record per
// entry. The caller writes the new size once with PutAuditSize().
void AppendAuditEntries(std::span<const std::string> entries,
                        std::span<const domain::Hash> leaf_hashes,
                        domain::CompactRange* frontier, WriteBatch* out);

// The number of entries indexed by object (0 when never written), from
// meta/audit_indexed; DATA_LOSS when malformed.
absl::StatusOr<uint64_t> ReadAuditIndexed(const ValueReader& read);

// Adds to `out` the write of the log's size.
void PutAuditSize(uint64_t size, WriteBatch* out);

}  // namespace pwx::storage

#endif  // PWX_STORAGE_AUDIT_TREE_H_
