// The key-value interface the rest of pwx stores everything through. It
// exposes no RocksDB type: storage/ is the only place that knows RocksDB.
//
// Two implementations pass the same typed tests: the RocksDB store
// (rocks_store.h) for nodes and the in-memory store (memory_store.h) for fast
// tests of the layers above.
#ifndef PWX_STORAGE_KV_STORE_H_
#define PWX_STORAGE_KV_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/write_batch.h"

namespace pwx::storage {

// A forward iterator over one column, in key order. Not thread-safe; use one
// per thread. Reads a consistent snapshot taken when it was created.
class Iterator {
 public:
  virtual ~Iterator() = default;

  // Positions at the first key >= `key`.
  virtual void Seek(std::string_view key) = 0;
  // Positions at the last key < `key` (at the last key when `key` is empty).
  virtual void SeekBefore(std::string_view key) = 0;
  virtual bool Valid() const = 0;
  virtual void Next() = 0;
  // Valid only while Valid() and until the next move.
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  // OK unless the underlying store failed while iterating.
  virtual absl::Status status() const = 0;
};

// Called once when a write has been committed (or has failed).
using WriteCallback = std::function<void(absl::Status)>;
// Called once when a write has been committed, with the audit log leaf index
// its first entry got (its other entries follow, in the order appended; a
// batch without entries gets the index the next entry will take), or with
// the error.
using AuditWriteCallback =
    std::function<void(absl::StatusOr<uint64_t> first_audit_index)>;

// A durable, ordered key-value store with column families.
// Thread-safe: every method may be called concurrently.
class KvStore {
 public:
  KvStore() = default;
  KvStore(const KvStore&) = delete;
  KvStore& operator=(const KvStore&) = delete;
  virtual ~KvStore() = default;

  // Returns the value, std::nullopt when the key is absent, or an error.
  virtual absl::StatusOr<std::optional<std::string>> Get(
      Column column, std::string_view key) const = 0;

  // Get() of each of `keys`, in order. The RocksDB store reads them in one
  // batched lookup, cheaper than as many Gets; the default calls Get().
  virtual absl::StatusOr<std::vector<std::optional<std::string>>> MultiGet(
      Column column, std::span<const std::string> keys) const;

  // Returns a new iterator over `column`, not yet positioned. It must not
  // outlive the store.
  virtual std::unique_ptr<Iterator> NewIterator(Column column) const = 0;

  // Commits `batch` atomically and durably (fsync), grouped with concurrent
  // writes so one fsync serves many. Preconditions are checked in commit
  // order against the committed state plus the earlier batches of the same
  // group; if one fails, nothing of `batch` is written and ABORTED is
  // returned. `done` runs on the writer thread: keep it short.
  void WriteAsync(WriteBatch batch, WriteCallback done);

  // WriteAsync, also telling `done` where the batch's audit entries are in
  // the log, so that a caller need not look them up.
  virtual void WriteAsyncWithAuditIndex(WriteBatch batch,
                                        AuditWriteCallback done) = 0;

  // Blocking form of WriteAsync. Must not be called from a WriteCallback,
  // which runs on the writer thread it would wait for.
  absl::Status Write(WriteBatch batch);
};

// Whether the index version stored under `key` in the meta column is at
// least `version` (false when none is stored yet). A stored value that is
// not a version is DATA_LOSS naming `what`.
absl::StatusOr<bool> IndexVersionAtLeast(const KvStore& kv,
                                         std::string_view key, uint64_t version,
                                         std::string_view what);

}  // namespace pwx::storage

#endif  // PWX_STORAGE_KV_STORE_H_
