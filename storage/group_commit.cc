#include "storage/group_commit.h"

#include <algorithm>
#include <array>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "storage/audit_tree.h"

namespace pwx::storage {
namespace {

// The last op of the batches accepted so far in a group on each key, per
// column: what they will leave behind. Views into the group's batches, which
// outlive it, so that no value is copied on the writer's thread.
using Overlay =
    std::array<std::map<std::string_view, const WriteBatch::Op*>, kColumnCount>;

// ColumnName() as the string_view absl takes, which this abseil build does
// not alias to std::string_view.
absl::string_view Name(Column column) {
  const std::string_view name = ColumnName(column);
  return absl::string_view(name.data(), name.size());
}

// INVALID_ARGUMENT when any op or precondition of `batch` names an unknown
// column, so that stores can index by column without checking, or when an op
// writes a key only the writer may write: the audit log is append-only, and
// only through WriteBatch::AppendAudit.
absl::Status CheckColumns(const WriteBatch& batch) {
  for (const WriteBatch::Op& op : batch.ops()) {
    if (absl::Status s = CheckColumn(op.column); !s.ok()) return s;
    if (IsWriterOwned(op.column, op.key) &&
        !(batch.writes_audit_index() && IsAuditIndexKey(op.column, op.key))) {
      return absl::InvalidArgumentError(
          absl::StrCat(Name(op.column), "/", absl::CEscape(op.key),
                       ": the audit log is written only by appending entries"));
    }
  }
  for (const WriteBatch::Precondition& p : batch.preconditions()) {
    if (absl::Status s = CheckColumn(p.column); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckColumn(Column column) {
  if (ColumnIndex(column) < static_cast<size_t>(kColumnCount)) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("column: unknown column ", ColumnIndex(column)));
}

GroupCommitter::GroupCommitter(int max_group_size, LookupFn lookup,
                               CommitFn commit,
                               domain::CompactRange audit_frontier,
                               size_t max_queued_bytes)
    : max_group_size_(static_cast<size_t>(std::max(max_group_size, 1))),
      max_queued_bytes_(max_queued_bytes),
      lookup_(std::move(lookup)),
      commit_(std::move(commit)),
      audit_frontier_(std::move(audit_frontier)) {
  writer_ = std::thread([this] { Run(); });
}

GroupCommitter::~GroupCommitter() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  work_ready_.Signal();
  writer_.join();
}

void GroupCommitter::Submit(WriteBatch batch, AuditWriteCallback done) {
  const size_t bytes = batch.ByteSize();
  size_t queued = 0;
  {
    absl::MutexLock lock(&mu_);
    queued = queued_bytes_;
    if (max_queued_bytes_ == 0 || queue_.empty() ||
        batch.writes_audit_index() || queued + bytes <= max_queued_bytes_) {
      const absl::Time deadline = absl::Now() + batch.max_delay();
      queued_bytes_ += bytes;
      queue_.push_back(Pending{std::move(batch), std::move(done), deadline});
      done = nullptr;
    }
  }
  if (done != nullptr) {
    done(absl::ResourceExhaustedError(
        absl::StrCat("the node is overloaded: ", queued,
                     " bytes of writes wait for their "
                     "commit (storage.max_queued_bytes ",
                     max_queued_bytes_, "); retry shortly")));
    return;
  }
  work_ready_.Signal();
}

void GroupCommitter::Run() {
  std::deque<Pending> group;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      while (!stopping_) {
        absl::Time wake;
        if (queue_.empty()) {
          work_ready_.Wait(&mu_);
        } else if (DueLocked(absl::Now(), &wake)) {
          break;
        } else {
          work_ready_.WaitWithDeadline(&mu_, wake);
        }
      }
      // Stops only once the queue is drained, so nothing submitted before
      // (or by a callback during) shutdown is lost.
      if (queue_.empty()) return;
      const size_t n = std::min(queue_.size(), max_group_size_);
      auto end = queue_.begin() + static_cast<std::ptrdiff_t>(n);
      group.assign(std::make_move_iterator(queue_.begin()),
                   std::make_move_iterator(end));
      queue_.erase(queue_.begin(), end);
      for (const Pending& p : group) queued_bytes_ -= p.batch.ByteSize();
    }
    CommitGroup(group);
    group.clear();
  }
}

bool GroupCommitter::DueLocked(absl::Time now, absl::Time* wake) const {
  if (queue_.size() >= max_group_size_) return true;
  absl::Time earliest = absl::InfiniteFuture();
  for (const Pending& p : queue_) earliest = std::min(earliest, p.deadline);
  if (earliest <= now) return true;
  *wake = earliest;
  return false;
}

void GroupCommitter::CommitGroup(std::deque<Pending>& group) {
  Overlay overlay;
  std::vector<absl::Status> results(group.size());
  // The leaf index of each batch's first audit entry.
  std::vector<uint64_t> first_audit_index(group.size());
  std::vector<const WriteBatch*> accepted;
  accepted.reserve(group.size());
  bool any_ops = false;
  // The audit log's edge before this group, restored if the commit fails.
  const domain::CompactRange committed_frontier = audit_frontier_;
  WriteBatch audit_writes;

  for (size_t i = 0; i < group.size(); ++i) {
    const WriteBatch& batch = group[i].batch;
    results[i] = CheckColumns(batch);
    if (!results[i].ok()) continue;
    for (const WriteBatch::Precondition& p : batch.preconditions()) {
      std::optional<std::string> committed;
      std::optional<std::string_view> current;
      const auto& pending = overlay[ColumnIndex(p.column)];
      if (auto it = pending.find(p.key); it != pending.end()) {
        if (it->second->kind == WriteBatch::OpKind::kPut) {
          current = it->second->value;
        }
      } else {
        absl::StatusOr<std::optional<std::string>> value =
            lookup_(p.column, p.key);
        if (!value.ok()) {
          results[i] = value.status();
          break;
        }
        committed = *std::move(value);
        if (committed.has_value()) current = *committed;
      }
      if (current.has_value() != p.expected.has_value() ||
          (current.has_value() && *current != *p.expected)) {
        results[i] = absl::AbortedError(
            absl::StrCat("precondition failed: ", Name(p.column), "/",
                         absl::CEscape(p.key), " changed"));
        break;
      }
    }
    if (!results[i].ok()) continue;

    accepted.push_back(&batch);
    first_audit_index[i] = audit_frontier_.size();
    if (!batch.audit_entries().empty()) {
      any_ops = true;
      AppendAuditEntries(batch.audit_entries(), batch.audit_leaf_hashes(),
                         &audit_frontier_, &audit_writes);
    }
    for (const WriteBatch::Op& op : batch.ops()) {
      any_ops = true;
      overlay[ColumnIndex(op.column)].insert_or_assign(op.key, &op);
    }
  }

  if (audit_frontier_.size() != committed_frontier.size()) {
    PutAuditSize(audit_frontier_.size(), &audit_writes);
    accepted.push_back(&audit_writes);
  }
  // Batches that only assert preconditions need no commit.
  if (any_ops) {
    absl::Status status = commit_(accepted);
    if (!status.ok()) {
      audit_frontier_ = committed_frontier;
      for (size_t i = 0; i < group.size(); ++i) {
        if (results[i].ok()) results[i] = status;
      }
    }
  }
  for (size_t i = 0; i < group.size(); ++i) {
    // Resolves the batch before its writer hears back, so whoever waits on
    // the write finds its OnResolved bookkeeping done.
    { WriteBatch resolved = std::move(group[i].batch); }
    if (results[i].ok()) {
      group[i].done(first_audit_index[i]);
    } else {
      group[i].done(std::move(results[i]));
    }
  }
}

}  // namespace pwx::storage
