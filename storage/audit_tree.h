// How the audit log's Merkle tree lies in a KvStore, and how the writer
// extends it. The hashing and the proofs are domain code (merkle.h); this
// file only knows keys and encodings.
//
// Layout:
//   audit_leaves  Uint64(index)  -> entry bytes (a pwx.v1.AuditEntry)
//   audit_tree    Uint64(level) Uint64(index)
//                                -> the 32-byte hash of the complete subtree
//                                   (level, index), for level >= 1 only: a
//                                   leaf hash is the hash of its entry
//   meta          "audit_size"   -> Uint64(number of entries)
//
// All three change only in the group commit that appends entries (see
// GroupCommitter), in the same atomic write as the batches they belong to,
// so a reader that reads the size first finds every entry and subtree below
// it.
#ifndef PWX_STORAGE_AUDIT_TREE_H_
#define PWX_STORAGE_AUDIT_TREE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "server/domain/merkle.h"
#include "storage/write_batch.h"

namespace pwx::storage {

// The kMeta key of the number of entries in the log.
inline constexpr std::string_view kAuditSizeKey = "audit_size";

// The kAuditLeaves key of entry `index`.
std::string AuditLeafKey(uint64_t index);

// The kAuditTree key of the complete subtree (level, index).
std::string AuditNodeKey(uint64_t level, uint64_t index);

// Returns the committed value of (column, key), std::nullopt when absent.
using ValueReader = std::function<absl::StatusOr<std::optional<std::string>>(
    Column, std::string_view)>;

// The number of committed entries: 0 when the log was never written,
// DATA_LOSS when the stored size is malformed.
absl::StatusOr<uint64_t> ReadAuditSize(const ValueReader& read);

// Subtree hashes read from kAuditTree (level >= 1) or hashed from the entry
// in kAuditLeaves (level 0), one read each. Thread-safe when `read` is.
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

// Appends `entries` to the tree whose right edge is `frontier`, in order,
// and adds to `out` the writes that store them: each entry and each subtree
// above the leaves it completes (at most 1 + log2(n) writes per entry, 2 on
// average). The caller writes the new size once with PutAuditSize().
void AppendAuditEntries(std::span<const std::string> entries,
                        domain::CompactRange* frontier, WriteBatch* out);

// Adds to `out` the write of the log's size.
void PutAuditSize(uint64_t size, WriteBatch* out);

}  // namespace pwx::storage

#endif  // PWX_STORAGE_AUDIT_TREE_H_
