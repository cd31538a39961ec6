#include "storage/audit_log.h"

#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace pwx::storage {

AuditLog::AuditLog(const KvStore* kv)
    : kv_(kv), tree_([kv](Column column, std::string_view key) {
        return kv->Get(column, key);
      }) {}

absl::StatusOr<uint64_t> AuditLog::Size() const {
  return ReadAuditSize([this](Column column, std::string_view key) {
    return kv_->Get(column, key);
  });
}

absl::Status AuditLog::CheckSize(const char* what, uint64_t size) const {
  absl::StatusOr<uint64_t> committed = Size();
  if (!committed.ok()) return committed.status();
  if (size > *committed) {
    return absl::OutOfRangeError(absl::StrCat(what, ": ", size,
                                              " is beyond the audit log of ",
                                              *committed, " entries"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> AuditLog::Entry(uint64_t index) const {
  absl::StatusOr<std::optional<std::string>> entry =
      kv_->Get(Column::kAuditLeaves, AuditLeafKey(index));
  if (!entry.ok()) return entry.status();
  if (entry->has_value()) {
    absl::StatusOr<AuditLeafView> view = DecodeAuditLeaf(index, **entry);
    if (!view.ok()) return view.status();
    return std::string(view->entry);
  }
  // Entries are never deleted: a missing one is past the end, unless the
  // size says otherwise.
  absl::StatusOr<uint64_t> size = Size();
  if (!size.ok()) return size.status();
  if (index < *size) {
    return absl::DataLossError(
        absl::StrCat("audit log entry ", index, " is missing"));
  }
  return absl::OutOfRangeError(absl::StrCat(
      "index: ", index, " is beyond the audit log of ", *size, " entries"));
}

absl::StatusOr<std::vector<std::string>> AuditLog::Entries(uint64_t from,
                                                           uint64_t to) const {
  if (from > to) {
    return absl::OutOfRangeError(
        absl::StrCat("from: ", from, " is after to: ", to));
  }
  if (absl::Status s = CheckSize("to", to); !s.ok()) return s;
  std::vector<std::string> entries;
  entries.reserve(to - from);
  std::unique_ptr<Iterator> it = kv_->NewIterator(Column::kAuditLeaves);
  // Keys are big-endian indices: one scan reads them in order. The size was
  // read first, so every entry below it is already in the iterator's view.
  uint64_t want = from;
  for (it->Seek(AuditLeafKey(from)); it->Valid() && want < to; it->Next()) {
    if (it->key() != AuditLeafKey(want)) break;
    absl::StatusOr<AuditLeafView> view = DecodeAuditLeaf(want, it->value());
    if (!view.ok()) return view.status();
    entries.emplace_back(view->entry);
    ++want;
  }
  if (absl::Status s = it->status(); !s.ok()) return s;
  if (want != to) {
    return absl::DataLossError(
        absl::StrCat("audit log entry ", want, " is missing"));
  }
  return entries;
}

absl::StatusOr<domain::Hash> AuditLog::Root(uint64_t size) const {
  if (absl::Status s = CheckSize("size", size); !s.ok()) return s;
  return domain::RootAt(tree_, size);
}

absl::StatusOr<std::vector<domain::Hash>> AuditLog::InclusionProof(
    uint64_t index, uint64_t size) const {
  if (absl::Status s = CheckSize("size", size); !s.ok()) return s;
  return domain::InclusionProof(tree_, index, size);
}

absl::StatusOr<std::vector<domain::Hash>> AuditLog::ConsistencyProof(
    uint64_t old_size, uint64_t new_size) const {
  if (absl::Status s = CheckSize("new_size", new_size); !s.ok()) return s;
  return domain::ConsistencyProof(tree_, old_size, new_size);
}

}  // namespace pwx::storage
