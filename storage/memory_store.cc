#include "storage/memory_store.h"

#include <array>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "storage/group_commit.h"

namespace pwx::storage {
namespace {

using Table = std::map<std::string, std::string, std::less<>>;

// Same as RocksStoreOptions::max_group_size's default, so groups look alike.
constexpr int kMaxGroupSize = 256;

// Iterates an immutable table that the store will never change again (the
// store copies a table before writing to it while an iterator shares it).
// Not thread-safe.
class MemoryIterator final : public Iterator {
 public:
  MemoryIterator(std::shared_ptr<const Table> table, absl::Status status)
      : table_(std::move(table)),
        status_(std::move(status)),
        it_(table_->end()) {}

  void Seek(std::string_view key) override { it_ = table_->lower_bound(key); }
  void SeekBefore(std::string_view key) override {
    auto it = key.empty() ? table_->end() : table_->lower_bound(key);
    it_ = it == table_->begin() ? table_->end() : std::prev(it);
  }
  bool Valid() const override { return it_ != table_->end(); }
  void Next() override {
    if (Valid()) ++it_;
  }
  std::string_view key() const override { return it_->first; }
  std::string_view value() const override { return it_->second; }
  absl::Status status() const override { return status_; }

 private:
  const std::shared_ptr<const Table> table_;
  const absl::Status status_;
  Table::const_iterator it_;
};

// One std::map per column under a mutex. Iterators share the current map;
// a write copies a map only while an iterator still shares it, so snapshots
// cost nothing until they are needed. Thread-safe.
class MemoryStore final : public KvStore {
 public:
  MemoryStore()
      : committer_(
            kMaxGroupSize,
            [this](Column column, std::string_view key) {
              return Get(column, key);
            },
            [this](std::span<const WriteBatch* const> batches) {
              Apply(batches);
              return absl::OkStatus();
            }) {}

  absl::StatusOr<std::optional<std::string>> Get(
      Column column, std::string_view key) const override {
    if (absl::Status s = CheckColumn(column); !s.ok()) return s;
    absl::MutexLock lock(&mu_);
    const Table& table = *tables_[ColumnIndex(column)];
    auto it = table.find(key);
    if (it == table.end()) return std::nullopt;
    return it->second;
  }

  std::unique_ptr<Iterator> NewIterator(Column column) const override {
    absl::Status status = CheckColumn(column);
    if (!status.ok()) {
      return std::make_unique<MemoryIterator>(std::make_shared<const Table>(),
                                              std::move(status));
    }
    absl::MutexLock lock(&mu_);
    return std::make_unique<MemoryIterator>(tables_[ColumnIndex(column)],
                                            absl::OkStatus());
  }

  void WriteAsyncWithAuditIndex(WriteBatch batch,
                                AuditWriteCallback done) override {
    committer_.Submit(std::move(batch), std::move(done));
  }

 private:
  void Apply(std::span<const WriteBatch* const> batches) {
    absl::MutexLock lock(&mu_);
    for (const WriteBatch* batch : batches) {
      for (const WriteBatch::Op& op : batch->ops()) {
        Table& table = MutableTable(op.column);
        if (op.kind == WriteBatch::OpKind::kPut) {
          table.insert_or_assign(op.key, op.value);
        } else if (auto it = table.find(op.key); it != table.end()) {
          table.erase(it);
        }
      }
    }
  }

  // The table of `column`, copied first if an iterator still reads it. An
  // iterator's copy of the pointer is only made under mu_, so a use count of
  // 1 seen under mu_ means nobody else can be reading the table.
  Table& MutableTable(Column column) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    std::shared_ptr<Table>& table = tables_[ColumnIndex(column)];
    if (table.use_count() > 1) table = std::make_shared<Table>(*table);
    return *table;
  }

  static std::array<std::shared_ptr<Table>, kColumnCount> EmptyTables() {
    std::array<std::shared_ptr<Table>, kColumnCount> tables;
    for (auto& table : tables) table = std::make_shared<Table>();
    return tables;
  }

  mutable absl::Mutex mu_;
  std::array<std::shared_ptr<Table>, kColumnCount> tables_
      ABSL_GUARDED_BY(mu_) = EmptyTables();
  // Last member: destroyed first, so its writer thread finishes while the
  // tables above still exist.
  GroupCommitter committer_;
};

}  // namespace

std::unique_ptr<KvStore> NewMemoryStore() {
  return std::make_unique<MemoryStore>();
}

}  // namespace pwx::storage
