// An in-memory KvStore with the same semantics as the RocksDB store (ordering,
// atomic batches, preconditions, grouping), for fast tests of upper layers.
#ifndef PWX_STORAGE_MEMORY_STORE_H_
#define PWX_STORAGE_MEMORY_STORE_H_

#include <memory>

#include "storage/kv_store.h"

namespace pwx::storage {

// Returns an empty store. Thread-safe like every KvStore.
std::unique_ptr<KvStore> NewMemoryStore();

}  // namespace pwx::storage

#endif  // PWX_STORAGE_MEMORY_STORE_H_
