#include "storage/audit_log.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "storage/key_codec.h"

namespace pwx::storage {
namespace {

// Which subtrees a computation reads: the roots and proofs read the same
// subtrees whatever their hashes are, so a dry run with made-up hashes names
// them all.
class RecordingReader final : public domain::SubtreeHashReader {
 public:
  absl::StatusOr<domain::Hash> Subtree(uint64_t level,
                                       uint64_t index) const override {
    wanted_.push_back({level, index});
    return domain::Hash{};
  }
  std::vector<std::pair<uint64_t, uint64_t>>& wanted() const {
    return wanted_;
  }

 private:
  mutable std::vector<std::pair<uint64_t, uint64_t>> wanted_;
};

// Subtrees read beforehand; anything else (none, if the dry run was right)
// from `fallback`.
class PrefetchedReader final : public domain::SubtreeHashReader {
 public:
  PrefetchedReader(const domain::SubtreeHashReader* fallback)
      : fallback_(fallback) {}
  void Add(uint64_t level, uint64_t index, absl::StatusOr<domain::Hash> hash) {
    hashes_.push_back({{level, index}, std::move(hash)});
  }
  absl::StatusOr<domain::Hash> Subtree(uint64_t level,
                                       uint64_t index) const override {
    for (const auto& [id, hash] : hashes_) {
      if (id.first == level && id.second == index) return hash;
    }
    return fallback_->Subtree(level, index);
  }

 private:
  const domain::SubtreeHashReader* const fallback_;
  std::vector<std::pair<std::pair<uint64_t, uint64_t>,
                        absl::StatusOr<domain::Hash>>>
      hashes_;
};

}  // namespace

// Complete subtrees never change, so the ones high in the tree, which every
// proof reads, are kept once read. Bounded: past kMaxSubtrees it stops
// adding.
class AuditLog::SubtreeCache {
 public:
  // Level 8 and up: 1 subtree per 256 entries, 48 bytes each.
  static constexpr uint64_t kMinLevel = 8;
  static constexpr size_t kMaxSubtrees = 1 << 20;

  std::optional<domain::Hash> Find(uint64_t level, uint64_t index) const {
    if (level < kMinLevel) return std::nullopt;
    absl::ReaderMutexLock lock(&mu_);
    auto it = hashes_.find({level, index});
    if (it == hashes_.end()) return std::nullopt;
    return it->second;
  }
  void Add(uint64_t level, uint64_t index, const domain::Hash& hash) {
    if (level < kMinLevel) return;
    absl::MutexLock lock(&mu_);
    if (hashes_.size() < kMaxSubtrees) hashes_.emplace(std::pair{level, index}, hash);
  }

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::pair<uint64_t, uint64_t>, domain::Hash> hashes_
      ABSL_GUARDED_BY(mu_);
};

// Runs `compute` (a root or proof over a SubtreeHashReader) with every
// subtree it needs read beforehand: from the cache, or by one MultiGet of
// their leaf records rather than one Get each.
template <typename Compute>
auto AuditLog::Prefetched(Compute compute) const -> decltype(compute(tree_)) {
  RecordingReader recorder;
  if (auto dry = compute(recorder); !dry.ok()) return dry;
  PrefetchedReader reader(&tree_);
  std::vector<std::string> keys;
  std::vector<std::pair<uint64_t, uint64_t>> fetched;
  for (const auto& [level, index] : recorder.wanted()) {
    if (level >= 64 || (level > 0 && index >= (uint64_t{1} << (64 - level)))) {
      return compute(tree_);  // let the reader report it
    }
    if (std::optional<domain::Hash> hash = cache_->Find(level, index)) {
      reader.Add(level, index, *hash);
      continue;
    }
    fetched.push_back({level, index});
    keys.push_back(AuditLeafKey(((index + 1) << level) - 1));
  }
  absl::StatusOr<std::vector<std::optional<std::string>>> records =
      kv_->MultiGet(Column::kAuditLeaves, keys);
  if (!records.ok()) return records.status();
  for (size_t i = 0; i < keys.size(); ++i) {
    const auto [level, index] = fetched[i];
    const std::optional<std::string>& record = (*records)[i];
    if (!record.has_value()) {
      reader.Add(level, index,
                 absl::NotFoundError(absl::StrCat(
                     "audit tree has no subtree at level ", level, " index ",
                     index)));
      continue;
    }
    absl::StatusOr<domain::Hash> hash =
        SubtreeFromLeafRecord(((index + 1) << level) - 1, level, *record);
    if (hash.ok()) cache_->Add(level, index, *hash);
    reader.Add(level, index, std::move(hash));
  }
  return compute(reader);
}

AuditLog::AuditLog(const KvStore* kv)
    : kv_(kv),
      tree_([kv](Column column, std::string_view key) {
        return kv->Get(column, key);
      }),
      cache_(std::make_unique<SubtreeCache>()) {}

AuditLog::~AuditLog() = default;

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

absl::StatusOr<std::vector<uint64_t>> AuditLog::ObjectEntries(
    const std::string& object_id, uint64_t from, size_t limit) const {
  // The marker first: index keys below it are complete; entries at or above
  // it are found by reading them.
  absl::StatusOr<uint64_t> indexed =
      ReadAuditIndexed([this](Column column, std::string_view key) {
        return kv_->Get(column, key);
      });
  if (!indexed.ok()) return indexed.status();
  const std::string prefix = AuditObjectPrefix(object_id);
  std::vector<uint64_t> indices;
  std::unique_ptr<Iterator> it = kv_->NewIterator(Column::kIndex);
  for (it->Seek(AuditObjectKey(object_id, from));
       it->Valid() && indices.size() < limit && it->key().starts_with(prefix);
       it->Next()) {
    KeyReader reader(it->key().substr(prefix.size()));
    absl::StatusOr<uint64_t> index = reader.Uint64();
    if (!index.ok() || !reader.done()) {
      return absl::DataLossError(absl::StrCat(
          "audit object index of ", object_id, " has a malformed key"));
    }
    if (*index >= *indexed) break;  // written after the marker was read
    indices.push_back(*index);
  }
  if (absl::Status s = it->status(); !s.ok()) return s;
  if (indices.size() >= limit) return indices;
  absl::StatusOr<uint64_t> size = Size();
  if (!size.ok()) return size.status();
  constexpr uint64_t kTailChunk = 1024;
  for (uint64_t next = std::max(from, *indexed);
       next < *size && indices.size() < limit;) {
    const uint64_t end = std::min(*size, next + kTailChunk);
    absl::StatusOr<std::vector<std::string>> entries = Entries(next, end);
    if (!entries.ok()) return entries.status();
    for (const std::string& entry : *entries) {
      for (const std::string& id : AuditObjectIds(entry)) {
        if (id == object_id) {
          indices.push_back(next);
          break;
        }
      }
      ++next;
      if (indices.size() >= limit) break;
    }
  }
  return indices;
}

absl::StatusOr<domain::Hash> AuditLog::Root(uint64_t size) const {
  if (absl::Status s = CheckSize("size", size); !s.ok()) return s;
  return Prefetched([size](const domain::SubtreeHashReader& r) {
    return domain::RootAt(r, size);
  });
}

absl::StatusOr<std::vector<domain::Hash>> AuditLog::InclusionProof(
    uint64_t index, uint64_t size) const {
  if (absl::Status s = CheckSize("size", size); !s.ok()) return s;
  return Prefetched([index, size](const domain::SubtreeHashReader& r) {
                      return domain::InclusionProof(r, index, size);
                    });
}

absl::StatusOr<std::vector<domain::Hash>> AuditLog::ConsistencyProof(
    uint64_t old_size, uint64_t new_size) const {
  if (absl::Status s = CheckSize("new_size", new_size); !s.ok()) return s;
  return Prefetched([old_size, new_size](const domain::SubtreeHashReader& r) {
                      return domain::ConsistencyProof(r, old_size, new_size);
                    });
}

}  // namespace pwx::storage
