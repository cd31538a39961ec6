#include "storage/audit_index.h"

#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "storage/audit_log.h"
#include "storage/audit_tree.h"
#include "storage/key_codec.h"

namespace pwx::storage {

AuditIndexer::~AuditIndexer() { Stop(); }

absl::StatusOr<uint64_t> AuditIndexer::IndexSome(uint64_t max_entries) {
  ValueReader read = [this](Column column, std::string_view key) {
    return kv_->Get(column, key);
  };
  absl::StatusOr<uint64_t> indexed = ReadAuditIndexed(read);
  if (!indexed.ok()) return indexed.status();
  AuditLog log(kv_);
  absl::StatusOr<uint64_t> size = log.Size();
  if (!size.ok()) return size.status();
  if (*indexed > *size) {
    return absl::DataLossError(absl::StrCat(
        "meta/audit_indexed (", *indexed, ") is beyond the log of ", *size,
        " entries"));
  }
  const uint64_t end = std::min(*size, *indexed + max_entries);
  if (end == *indexed) return 0;
  absl::StatusOr<std::vector<std::string>> entries = log.Entries(*indexed, end);
  if (!entries.ok()) return entries.status();
  WriteBatch batch;
  batch.writes_audit_index_ = true;
  batch.Require(Column::kMeta, kAuditIndexedKey,
                *indexed == 0 ? std::nullopt
                              : std::optional<std::string>(
                                    KeyBuilder().Uint64(*indexed).Build()));
  for (uint64_t i = *indexed; i < end; ++i) {
    for (const std::string& id : AuditObjectIds((*entries)[i - *indexed])) {
      batch.Put(Column::kIndex, AuditObjectKey(id, i), "");
    }
  }
  batch.Put(Column::kMeta, kAuditIndexedKey, KeyBuilder().Uint64(end).Build());
  // The index is rebuilt from the log if lost, so it need not wait long for
  // a commit of its own.
  batch.set_max_delay(absl::Milliseconds(50));
  if (absl::Status s = kv_->Write(std::move(batch)); !s.ok()) return s;
  return end - *indexed;
}

void AuditIndexer::Start(absl::Duration interval) {
  thread_ = std::thread([this, interval] {
    constexpr uint64_t kChunk = 4096;
    while (true) {
      absl::StatusOr<uint64_t> n = IndexSome(kChunk);
      if (!n.ok()) {
        std::fprintf(stderr, "audit index: %s\n", n.status().ToString().c_str());
      }
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      if (n.ok() && *n == kChunk) continue;
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), interval);
      if (stopping_) return;
    }
  });
}

void AuditIndexer::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace pwx::storage
