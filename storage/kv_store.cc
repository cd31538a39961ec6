#include "storage/kv_store.h"

#include <utility>

#include "absl/synchronization/notification.h"

namespace pwx::storage {

std::string_view ColumnName(Column column) {
  switch (column) {
    case Column::kMeta:
      return "meta";
    case Column::kCases:
      return "cases";
    case Column::kIndex:
      return "index";
    case Column::kBlobs:
      return "blobs";
    case Column::kRequests:
      return "requests";
    case Column::kPlans:
      return "plans";
    case Column::kOutbox:
      return "outbox";
    case Column::kInbox:
      return "inbox";
    case Column::kAuditLeaves:
      return "audit_leaves";
    case Column::kAuditTree:
      return "audit_tree";
  }
  return "unknown";
}

absl::Status KvStore::Write(WriteBatch batch) {
  // Must not be called from a WriteCallback: the writer thread would wait
  // for itself.
  absl::Notification done;
  absl::Status result;
  WriteAsync(std::move(batch), [&done, &result](absl::Status status) {
    result = std::move(status);
    done.Notify();
  });
  done.WaitForNotification();
  return result;
}

}  // namespace pwx::storage
