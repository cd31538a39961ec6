// A set of writes applied atomically, with optional preconditions. Plain
// data: build it on any thread, then hand it to KvStore::WriteAsync.
#ifndef PWX_STORAGE_WRITE_BATCH_H_
#define PWX_STORAGE_WRITE_BATCH_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "server/domain/merkle.h"

namespace pwx::storage {

// Column families. The numeric values are stable: they name the column
// family on disk (see ColumnName), so only ever append.
enum class Column : uint8_t {
  kMeta = 0,         // schema version, counters
  kCases = 1,        // case id -> pwx.v1.Case
  kIndex = 2,        // secondary indexes, values empty
  kBlobs = 3,        // content-addressed attachment chunks
  kRequests = 4,     // information requests (later issues)
  kPlans = 5,        // cooperation plans (later issues)
  kOutbox = 6,       // outgoing envelopes (later issues)
  kInbox = 7,        // dedup of received envelopes (later issues)
  kAuditLeaves = 8,  // audit log entries, written by the committer only
  kAuditTree = 9,    // schema 1 audit subtree hashes; empty since schema 2
};
inline constexpr int kColumnCount = 10;

// The on-disk name of a column family, e.g. "cases".
std::string_view ColumnName(Column column);

// The column's position in arrays of kColumnCount entries.
constexpr size_t ColumnIndex(Column column) {
  return static_cast<size_t>(column);
}

class WriteBatch {
 public:
  enum class OpKind : uint8_t { kPut, kDelete };
  struct Op {
    OpKind kind;
    Column column;
    std::string key;
    std::string value;  // empty for kDelete
  };
  // The current value of (column, key) must equal `expected`; std::nullopt
  // means the key must be absent.
  struct Precondition {
    Column column;
    std::string key;
    std::optional<std::string> expected;
  };

  WriteBatch() = default;
  WriteBatch(WriteBatch&& other) noexcept;
  WriteBatch& operator=(WriteBatch&& other) noexcept;
  WriteBatch(const WriteBatch&) = delete;
  WriteBatch& operator=(const WriteBatch&) = delete;
  // Runs the OnResolved functions.
  ~WriteBatch();

  void Put(Column column, std::string_view key, std::string_view value);
  void Delete(Column column, std::string_view key);
  void Require(Column column, std::string_view key,
               std::optional<std::string> expected);
  // Appends one entry (serialized pwx.v1.AuditEntry) to the audit log when
  // the batch commits. The writer gives the batch's entries the next leaf
  // indices in commit order, in the order appended; a batch that is refused
  // appends nothing. The entry's leaf hash is computed here, on the
  // caller's thread, to keep it off the writer's. (Entries are indexed by
  // object later, by the AuditIndexer.)
  void AppendAudit(std::string entry_bytes);

  // Moves everything `other` holds to the end of this batch: its writes,
  // preconditions, audit entries (after this batch's) and OnResolved
  // functions, which then run when this batch is destroyed. For a part of
  // an operation built on its own so that a failure leaves the caller's
  // batch untouched: drop the part, or append it once it is complete.
  // `other` must not write the audit index.
  void Append(WriteBatch&& other);

  // Runs `resolved` when the batch is destroyed: once it is committed (and
  // its writes are visible to readers), refused, or dropped unwritten; the
  // store destroys a batch only after its commit. For bookkeeping of what
  // may still be written, such as the outbox's scan floor. A batch moved
  // from runs nothing.
  void OnResolved(std::function<void()> resolved);

  // Lets the batch wait up to `delay` for other writes to share its commit
  // (one fsync), instead of starting a commit of its own. For writes nobody
  // waits on, such as the audit entries of reads. Default: zero.
  void set_max_delay(absl::Duration delay) { max_delay_ = delay; }
  absl::Duration max_delay() const { return max_delay_; }

  const std::vector<Op>& ops() const { return ops_; }
  const std::vector<Precondition>& preconditions() const {
    return preconditions_;
  }
  const std::vector<std::string>& audit_entries() const {
    return audit_entries_;
  }
  // RFC 6962 leaf hashes of audit_entries(), in the same order.
  const std::vector<domain::Hash>& audit_leaf_hashes() const {
    return audit_leaf_hashes_;
  }
  // True for the AuditIndexer's batches, the only ones that may write the
  // audit log's object index (audit_index.h).
  bool writes_audit_index() const { return writes_audit_index_; }
  // True when committing the batch would write nothing.
  bool empty() const { return ops_.empty() && audit_entries_.empty(); }
  // Bytes of keys and values, for batching limits.
  size_t ByteSize() const { return byte_size_; }

 private:
  std::vector<Op> ops_;
  std::vector<Precondition> preconditions_;
  std::vector<std::string> audit_entries_;
  std::vector<domain::Hash> audit_leaf_hashes_;
  bool writes_audit_index_ = false;
  friend class AuditIndexer;
  size_t byte_size_ = 0;
  absl::Duration max_delay_ = absl::ZeroDuration();
  std::vector<std::function<void()>> resolved_;
};

// The value the last op of `pending` on (column, key) leaves there: the
// value of a put, std::optional<std::string>() for a delete, or std::nullopt
// when `pending` (possibly null) does not touch the key. For reads that must
// see the writes of a batch not yet committed.
std::optional<std::optional<std::string>> PendingValue(
    const WriteBatch* pending, Column column, std::string_view key);

// Adds to `batch` the move of a record's index entries (column kIndex, empty
// values) from `old_keys` to `new_keys`: only those that change are written,
// so a transition touches a few entries, not all of them. Returns the keys
// it adds.
std::vector<std::string> MoveIndexEntries(std::vector<std::string> old_keys,
                                          std::vector<std::string> new_keys,
                                          WriteBatch* batch);

}  // namespace pwx::storage

#endif  // PWX_STORAGE_WRITE_BATCH_H_
