#include "storage/kv_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "storage/key_codec.h"

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

void KvStore::WriteAsync(WriteBatch batch, WriteCallback done) {
  WriteAsyncWithAuditIndex(
      std::move(batch),
      [done = std::move(done)](absl::StatusOr<uint64_t> first_audit_index) {
        done(first_audit_index.status());
      });
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

absl::StatusOr<std::vector<std::optional<std::string>>> KvStore::MultiGet(
    Column column, std::span<const std::string> keys) const {
  std::vector<std::optional<std::string>> values;
  values.reserve(keys.size());
  for (const std::string& key : keys) {
    absl::StatusOr<std::optional<std::string>> value = Get(column, key);
    if (!value.ok()) return value.status();
    values.push_back(*std::move(value));
  }
  return values;
}

absl::StatusOr<bool> IndexVersionAtLeast(const KvStore& kv,
                                         std::string_view key, uint64_t version,
                                         std::string_view what) {
  absl::StatusOr<std::optional<std::string>> stored =
      kv.Get(Column::kMeta, key);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return false;
  KeyReader reader(**stored);
  absl::StatusOr<uint64_t> v = reader.Uint64();
  if (!v.ok()) {
    return absl::DataLossError(
        absl::StrCat("malformed ", absl::string_view(what.data(), what.size()),
                     " index version"));
  }
  return *v >= version;
}

}  // namespace pwx::storage
