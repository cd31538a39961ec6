// Group commit: many concurrent writers share one durable commit (one fsync),
// so durability does not cost throughput. Used by every KvStore so that all
// of them check preconditions and group writes the same way.
#ifndef PWX_STORAGE_GROUP_COMMIT_H_
#define PWX_STORAGE_GROUP_COMMIT_H_

#include <deque>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/domain/merkle.h"
#include "storage/kv_store.h"
#include "storage/write_batch.h"

namespace pwx::storage {

// OK when `column` is one of the Column enumerators, INVALID_ARGUMENT
// otherwise (a value cast from a bad integer).
absl::Status CheckColumn(Column column);

// Commits WriteBatches in groups. One writer thread drains a queue: it takes
// up to `max_group_size` batches, checks each batch's preconditions in queue
// order against the committed state overlaid with the writes of the batches
// accepted before it in the same group, commits all accepted batches with one
// call of `commit`, then runs every batch's callback with its result. A batch
// whose precondition fails gets ABORTED and contributes nothing.
//
// The committer also owns the audit log's right edge (a CompactRange): the
// audit entries of the accepted batches get the next leaf indices, in queue
// order, and the group's commit carries the writes that store them (see
// audit_tree.h) as one more batch at the end. When the commit fails, the
// edge is restored, so the next group reuses those indices.
//
// Thread safety: Submit() may be called from any thread, including from a
// callback. `lookup` and `commit` run only on the writer thread, one call at
// a time. Batches naming an unknown column fail with INVALID_ARGUMENT before
// reaching `lookup` or `commit`. The owner must route every write through this
// object, so that the committed state cannot change between a precondition
// check and its commit.
class GroupCommitter {
 public:
  // Returns the committed value of (column, key), std::nullopt when absent.
  using LookupFn = std::function<absl::StatusOr<std::optional<std::string>>(
      Column, std::string_view)>;
  // Applies all `batches` atomically and durably, in order (a later batch's
  // write to a key wins). Never called with an empty span. The last batch
  // may be the committer's own, holding audit log writes.
  using CommitFn =
      std::function<absl::Status(std::span<const WriteBatch* const> batches)>;

  // Starts the writer thread. `max_group_size` must be >= 1.
  // `audit_frontier` is the right edge of the committed audit log (see
  // LoadAuditFrontier()); empty for a new store. `max_queued_bytes` bounds
  // the bytes of the batches waiting (0: unlimited).
  GroupCommitter(int max_group_size, LookupFn lookup, CommitFn commit,
                 domain::CompactRange audit_frontier = {},
                 size_t max_queued_bytes = 0);
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;
  // Commits everything already submitted, runs its callbacks, then stops the
  // writer thread. No Submit() may race with destruction.
  ~GroupCommitter();

  // Queues `batch`; a batch with a max_delay() waits up to that long for
  // other batches to share its commit (at shutdown it waits no more). `done`
  // runs once on the writer thread with the leaf index of the batch's first
  // audit entry when the batch is durable, ABORTED naming the column and key
  // when a precondition failed, or the error of the lookup or commit. When
  // the batches waiting already hold max_queued_bytes, `done` runs at once,
  // on the caller's thread, with RESOURCE_EXHAUSTED and nothing is queued
  // (back-pressure: the caller's client retries). A batch arriving at an
  // empty queue, and the AuditIndexer's, are always taken.
  void Submit(WriteBatch batch, AuditWriteCallback done);

 private:
  struct Pending {
    WriteBatch batch;
    AuditWriteCallback done;
    // When the batch must be in a commit at the latest: its submission time
    // plus its max_delay().
    absl::Time deadline;
  };

  // Whether the queue must be committed now: it holds a batch that may not
  // wait, a full group, or a batch whose delay ran out. Otherwise sets
  // `*wake` to the earliest deadline.
  bool DueLocked(absl::Time now, absl::Time* wake) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  void Run();
  void CommitGroup(std::deque<Pending>& group);

  const size_t max_group_size_;
  const size_t max_queued_bytes_;
  const LookupFn lookup_;
  const CommitFn commit_;
  // The committed audit log's right edge, plus the entries of the group
  // being committed. Touched by the writer thread only (and the constructor,
  // before it starts).
  domain::CompactRange audit_frontier_;

  absl::Mutex mu_;
  absl::CondVar work_ready_;  // signalled when queue_ grows or on stopping_
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  size_t queued_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;

  // Last member: started when everything above is initialized.
  std::thread writer_;
};

}  // namespace pwx::storage

#endif  // PWX_STORAGE_GROUP_COMMIT_H_
