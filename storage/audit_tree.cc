#include "storage/audit_tree.h"

#include <bit>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"
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

std::string AuditObjectKey(std::string_view object_id, uint64_t index) {
  return KeyBuilder().String("audit_obj").String(object_id).Uint64(index).Build();
}

std::string AuditObjectPrefix(std::string_view object_id) {
  return KeyBuilder().String("audit_obj").String(object_id).Build();
}

std::string_view AuditObjectIndexPrefix() {
  static const std::string* const prefix =
      new std::string(KeyBuilder().String("audit_obj").Build());
  return *prefix;
}

std::vector<std::string> AuditObjectIds(std::string_view entry) {
  // pwx.v1.AuditEntry: string object_id = 4; repeated string object_ids = 8.
  constexpr uint32_t kObjectId = 4;
  constexpr uint32_t kObjectIds = 8;
  std::vector<std::string> ids;
  google::protobuf::io::CodedInputStream in(
      reinterpret_cast<const uint8_t*>(entry.data()),
      static_cast<int>(entry.size()));
  while (uint32_t tag = in.ReadTag()) {
    const uint32_t field = google::protobuf::internal::WireFormatLite::
        GetTagFieldNumber(tag);
    const auto type =
        google::protobuf::internal::WireFormatLite::GetTagWireType(tag);
    if ((field == kObjectId || field == kObjectIds) &&
        type == google::protobuf::internal::WireFormatLite::
                    WIRETYPE_LENGTH_DELIMITED) {
      std::string id;
      uint32_t length = 0;
      if (!in.ReadVarint32(&length) ||
          !in.ReadString(&id, static_cast<int>(length))) {
        return {};
      }
      if (!id.empty()) ids.push_back(std::move(id));
      continue;
    }
    if (!google::protobuf::internal::WireFormatLite::SkipField(&in, tag)) {
      return {};
    }
  }
  // ReadTag also gives 0 for a malformed tag: only the end is the end.
  if (in.CurrentPosition() != static_cast<int>(entry.size())) return {};
  return ids;
}

bool IsAuditIndexKey(Column column, std::string_view key) {
  return (column == Column::kMeta && key == kAuditIndexedKey) ||
         (column == Column::kIndex && key.starts_with(AuditObjectIndexPrefix()));
}

bool IsWriterOwned(Column column, std::string_view key) {
  return column == Column::kAuditLeaves || column == Column::kAuditTree ||
         (column == Column::kMeta && key == kAuditSizeKey) ||
         IsAuditIndexKey(column, key);
}

int CompletedLevels(uint64_t index) { return std::countr_one(index); }

std::string EncodeAuditLeaf(std::span<const domain::Hash> subtrees,
                            std::string_view entry) {
  std::string record;
  record.reserve(1 + subtrees.size() * sizeof(domain::Hash) + entry.size());
  record.push_back(static_cast<char>(subtrees.size()));
  for (const domain::Hash& hash : subtrees) {
    record.append(ToStd(domain::HashBytes(hash)));
  }
  record.append(entry);
  return record;
}

absl::StatusOr<AuditLeafView> DecodeAuditLeaf(uint64_t index,
                                              std::string_view record) {
  const size_t n =
      record.empty() ? 0 : static_cast<unsigned char>(record.front());
  const size_t hashes = n * sizeof(domain::Hash);
  if (record.empty() || record.size() - 1 < hashes ||
      n != static_cast<size_t>(CompletedLevels(index))) {
    return absl::DataLossError(absl::StrCat(
        "audit log entry ", index, " is malformed (", record.size(), " bytes)"));
  }
  return AuditLeafView{.entry = record.substr(1 + hashes),
                       .subtrees = record.substr(1, hashes)};
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

absl::StatusOr<uint64_t> ReadAuditIndexed(const ValueReader& read) {
  absl::StatusOr<std::optional<std::string>> value =
      read(Column::kMeta, kAuditIndexedKey);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return 0;
  KeyReader reader(**value);
  absl::StatusOr<uint64_t> n = reader.Uint64();
  if (!n.ok() || !reader.done()) {
    return absl::DataLossError(absl::StrCat(
        "meta/", ToAbsl(kAuditIndexedKey), " is malformed"));
  }
  return *n;
}

absl::StatusOr<domain::Hash> SubtreeFromLeafRecord(uint64_t leaf,
                                                   uint64_t level,
                                                   std::string_view record) {
  absl::StatusOr<AuditLeafView> view = DecodeAuditLeaf(leaf, record);
  if (!view.ok()) return view.status();
  if (level == 0) return domain::LeafHash(ToAbsl(view->entry));
  constexpr size_t kHashSize = sizeof(domain::Hash);
  if (level * kHashSize > view->subtrees.size()) {
    return absl::NotFoundError(absl::StrCat("audit tree has no subtree at level ",
                                            level, " ending at leaf ", leaf));
  }
  return *domain::HashFromBytes(
      "audit_leaves",
      ToAbsl(view->subtrees.substr((level - 1) * kHashSize, kHashSize)));
}

absl::StatusOr<domain::Hash> AuditTreeReader::Subtree(uint64_t level,
                                                      uint64_t index) const {
  // The subtree's last leaf must be a uint64_t.
  if (level >= 64 || (level > 0 && index >= (uint64_t{1} << (64 - level)))) {
    return absl::NotFoundError(absl::StrCat(
        "audit tree has no subtree at level ", level, " index ", index));
  }
  const uint64_t leaf = ((index + 1) << level) - 1;
  absl::StatusOr<std::optional<std::string>> record =
      read_(Column::kAuditLeaves, AuditLeafKey(leaf));
  if (!record.ok()) return record.status();
  if (!record->has_value()) {
    return absl::NotFoundError(absl::StrCat(
        "audit tree has no subtree at level ", level, " index ", index));
  }
  return SubtreeFromLeafRecord(leaf, level, **record);
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
                        std::span<const domain::Hash> leaf_hashes,
                        domain::CompactRange* frontier, WriteBatch* out) {
  std::vector<domain::Hash> subtrees;
  for (size_t i = 0; i < entries.size(); ++i) {
    const uint64_t index = frontier->size();
    subtrees.clear();
    for (const domain::SubtreeNode& node : frontier->Append(leaf_hashes[i])) {
      if (node.level > 0) subtrees.push_back(node.hash);
    }
    out->Put(Column::kAuditLeaves, AuditLeafKey(index),
             EncodeAuditLeaf(subtrees, entries[i]));
  }
}

void PutAuditSize(uint64_t size, WriteBatch* out) {
  out->Put(Column::kMeta, kAuditSizeKey, KeyBuilder().Uint64(size).Build());
}

}  // namespace pwx::storage
