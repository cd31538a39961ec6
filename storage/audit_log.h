// Reading the node's audit log: its entries, tree roots and RFC 6962 proofs,
// straight from the KvStore. Entries are appended only by the store's writer
// (WriteBatch::AppendAudit), so this is a read-only view.
#ifndef PWX_STORAGE_AUDIT_LOG_H_
#define PWX_STORAGE_AUDIT_LOG_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "server/domain/merkle.h"
#include "storage/audit_tree.h"
#include "storage/kv_store.h"

namespace pwx::storage {

// Thread-safe: reads a thread-safe KvStore, and keeps the hashes of the
// complete subtrees high in the tree that it read (they never change). Every size argument
// must be at most Size() (the committed size), else OUT_OF_RANGE naming the
// committed size; every proof reads O(log n) keys.
class AuditLog {
 public:
  // `kv` must outlive the AuditLog.
  explicit AuditLog(const KvStore* kv);
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;
  ~AuditLog();

  // The number of committed entries. One read.
  absl::StatusOr<uint64_t> Size() const;

  // The bytes of entry `index` (a serialized pwx.v1.AuditEntry).
  // OUT_OF_RANGE when index >= Size().
  absl::StatusOr<std::string> Entry(uint64_t index) const;

  // The bytes of entries [from, to), in index order, read by one scan.
  // OUT_OF_RANGE unless from <= to <= Size(). The caller bounds to - from.
  absl::StatusOr<std::vector<std::string>> Entries(uint64_t from,
                                                   uint64_t to) const;

  // The indices of the entries about `object_id` (their object_id or one of
  // their object_ids), in log order, starting at index `from`, at most
  // `limit` of them: a range scan of the object index, then a read of the
  // entries the AuditIndexer has not indexed yet.
  absl::StatusOr<std::vector<uint64_t>> ObjectEntries(
      const std::string& object_id, uint64_t from, size_t limit) const;

  // The root of the tree of the first `size` entries (EmptyRoot() for 0):
  // popcount(size) reads.
  absl::StatusOr<domain::Hash> Root(uint64_t size) const;

  // The inclusion proof of entry `index` in the tree of the first `size`
  // entries (RFC 9162 §2.1.3.1). INVALID_ARGUMENT when index >= size.
  absl::StatusOr<std::vector<domain::Hash>> InclusionProof(uint64_t index,
                                                           uint64_t size) const;

  // The consistency proof from the tree of `old_size` entries to the tree of
  // `new_size` entries (RFC 9162 §2.1.4.1). INVALID_ARGUMENT when
  // old_size > new_size.
  absl::StatusOr<std::vector<domain::Hash>> ConsistencyProof(
      uint64_t old_size, uint64_t new_size) const;

 private:
  // OK when `size` <= the committed size; OUT_OF_RANGE naming `what`
  // otherwise.
  absl::Status CheckSize(const char* what, uint64_t size) const;

  class SubtreeCache;

  const KvStore* const kv_;
  const AuditTreeReader tree_;
  const std::unique_ptr<SubtreeCache> cache_;

  // Runs `compute`, a root or proof over a domain::SubtreeHashReader, with
  // the subtrees it reads fetched beforehand in one batch.
  template <typename Compute>
  auto Prefetched(Compute compute) const -> decltype(compute(tree_));
};

}  // namespace pwx::storage

#endif  // PWX_STORAGE_AUDIT_LOG_H_
