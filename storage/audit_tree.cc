#include "storage/audit_tree.h"

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "storage/key_codec.h"

namespace pwx::storage {
namespace {

absl::string_view ToAbsl(std::string_view s) { return {s.data(), s.size()}; }

std::string_view ToStd(absl::string_view s) { return {s.data(), s.size()}; }

}  // namespace

std::string AuditLeafKey(uint64_t index) {
  return KeyBuilder().Uint64(index).Build();
}

std::string AuditNodeKey(uint64_t level, uint64_t index) {
  return KeyBuilder().Uint64(level).Uint64(index).Build();
}

absl::StatusOr<uint64_t> ReadAuditSize(const ValueReader& read) {
  absl::StatusOr<std::optional<std::string>> value =
      read(Column::kMeta, kAuditSizeKey);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return 0;
  KeyReader reader(**value);
  absl::StatusOr<uint64_t> size = reader.Uint64();
  if (!size.ok() || !reader.done()) {
    return absl::DataLossError(absl::StrCat("meta/", ToAbsl(kAuditSizeKey),
                                            " is malformed (", (*value)->size(),
                                            " bytes)"));
  }
  return *size;
}

absl::StatusOr<domain::Hash> AuditTreeReader::Subtree(uint64_t level,
                                                      uint64_t index) const {
  if (level == 0) {
    // Leaf hashes are not stored: hashing the entry costs less than writing
    // a third key per append.
    absl::StatusOr<std::optional<std::string>> entry =
        read_(Column::kAuditLeaves, AuditLeafKey(index));
    if (!entry.ok()) return entry.status();
    if (!entry->has_value()) {
      return absl::NotFoundError(
          absl::StrCat("audit log has no entry ", index));
    }
    return domain::LeafHash(**entry);
  }
  absl::StatusOr<std::optional<std::string>> value =
      read_(Column::kAuditTree, AuditNodeKey(level, index));
  if (!value.ok()) return value.status();
  if (!value->has_value()) {
    return absl::NotFoundError(absl::StrCat(
        "audit tree has no subtree at level ", level, " index ", index));
  }
  absl::StatusOr<domain::Hash> hash =
      domain::HashFromBytes("audit_tree", ToAbsl(**value));
  if (!hash.ok()) {
    return absl::DataLossError(absl::StrCat("audit tree subtree at level ",
                                            level, " index ", index, ": ",
                                            hash.status().message()));
  }
  return *hash;
}

absl::StatusOr<domain::CompactRange> LoadAuditFrontier(
    const ValueReader& read) {
  absl::StatusOr<uint64_t> size = ReadAuditSize(read);
  if (!size.ok()) return size.status();
  absl::StatusOr<domain::CompactRange> frontier =
      domain::CompactRange::Load(AuditTreeReader(read), *size);
  if (absl::IsNotFound(frontier.status())) {
    // The size and the subtrees are written together: one without the other
    // means the database was damaged.
    return absl::DataLossError(absl::StrCat(
        "audit log of size ", *size,
        " lacks a frontier subtree: ", frontier.status().message()));
  }
  return frontier;
}

void AppendAuditEntries(std::span<const std::string> entries,
                        domain::CompactRange* frontier, WriteBatch* out) {
  for (const std::string& entry : entries) {
    out->Put(Column::kAuditLeaves, AuditLeafKey(frontier->size()), entry);
    for (const domain::SubtreeNode& node :
         frontier->Append(domain::LeafHash(entry))) {
      if (node.level == 0) continue;
      out->Put(Column::kAuditTree, AuditNodeKey(node.level, node.index),
               ToStd(domain::HashBytes(node.hash)));
    }
  }
}

void PutAuditSize(uint64_t size, WriteBatch* out) {
  out->Put(Column::kMeta, kAuditSizeKey, KeyBuilder().Uint64(size).Build());
}

}  // namespace pwx::storage
