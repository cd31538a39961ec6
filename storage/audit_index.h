// Indexing the audit log by object (audit_tree.h: the "audit_obj" keys and
// meta/audit_indexed) after entries are committed, so that the index costs
// a durable write nothing. Readers (AuditLog::ObjectEntries) use the index
// below the marker and scan the few entries above it.
#ifndef PWX_STORAGE_AUDIT_INDEX_H_
#define PWX_STORAGE_AUDIT_INDEX_H_

#include <cstdint>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "storage/kv_store.h"

namespace pwx::storage {

// Thread-safe.
class AuditIndexer {
 public:
  // `kv` must outlive the indexer.
  explicit AuditIndexer(KvStore* kv) : kv_(kv) {}
  AuditIndexer(const AuditIndexer&) = delete;
  AuditIndexer& operator=(const AuditIndexer&) = delete;
  // Calls Stop().
  ~AuditIndexer();

  // Indexes up to `max_entries` committed entries after the indexed ones,
  // with the new marker, in one batch (a precondition on the marker makes a
  // concurrent call fail with ABORTED instead of indexing twice). Returns
  // how many were indexed.
  absl::StatusOr<uint64_t> IndexSome(uint64_t max_entries);

  // Runs IndexSome on a thread of its own every `interval`, and at once
  // again while it finds more; failures are logged. Stop() ends it.
  void Start(absl::Duration interval);
  void Stop();

 private:
  KvStore* const kv_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace pwx::storage

#endif  // PWX_STORAGE_AUDIT_INDEX_H_
