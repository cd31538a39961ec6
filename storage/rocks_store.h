// The RocksDB implementation of KvStore, used by nodes.
#ifndef PWX_STORAGE_ROCKS_STORE_H_
#define PWX_STORAGE_ROCKS_STORE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "storage/kv_store.h"

namespace pwx::storage {

// The schema version this build writes and understands. Opening a database
// with a newer version fails rather than misreading it; an older one is
// migrated. 2: audit subtree hashes live in the leaf records (audit_tree.h).
inline constexpr uint32_t kSchemaVersion = 2;

struct RocksStoreOptions {
  // Directory of the database. Required.
  std::string path;
  // Create an empty pwx database when `path` holds none. Default: true.
  bool create_if_missing = true;
  // Largest number of batches committed by one fsync. Default: 256.
  int max_group_size = 256;
  // Shared LRU block cache. Default: 64 MiB.
  size_t block_cache_bytes = size_t{64} << 20;
  // Most bytes of batches waiting for their commit (GroupCommitter);
  // 0: unlimited. Default: 256 MiB.
  size_t max_queued_bytes = size_t{256} << 20;
  // fsync every commit group. Only benchmarks turn this off. Default: true.
  bool sync = true;
};

struct BackupInfo {
  uint32_t backup_id = 0;
  uint64_t size_bytes = 0;
};

// A KvStore on RocksDB that can also back itself up online.
class RocksStore : public KvStore {
 public:
  // Opens (or creates) the database at options.path.
  // Errors: FAILED_PRECONDITION naming the path when it holds a database of a
  // newer schema version or something that is not a pwx database;
  // DATA_LOSS when RocksDB reports corruption; INVALID_ARGUMENT for bad
  // options.
  static absl::StatusOr<std::unique_ptr<RocksStore>> Open(
      const RocksStoreOptions& options);

  // Takes an online, incremental backup into `backup_dir` (created if
  // needed) while reads and writes go on. Thread-safe.
  virtual absl::StatusOr<BackupInfo> Backup(const std::string& backup_dir) = 0;
};

// Restores the latest backup in `backup_dir` into `db_path`, which must not
// hold a database yet (FAILED_PRECONDITION otherwise). Offline: no store may
// have `db_path` open.
absl::Status RestoreLatestBackup(const std::string& backup_dir,
                                 const std::string& db_path);

}  // namespace pwx::storage

#endif  // PWX_STORAGE_ROCKS_STORE_H_
