#include "storage/write_batch.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace pwx::storage {

WriteBatch::WriteBatch(WriteBatch&& other) noexcept
    : ops_(std::move(other.ops_)),
      preconditions_(std::move(other.preconditions_)),
      audit_entries_(std::move(other.audit_entries_)),
      audit_leaf_hashes_(std::move(other.audit_leaf_hashes_)),
      writes_audit_index_(other.writes_audit_index_),
      byte_size_(other.byte_size_),
      max_delay_(other.max_delay_),
      resolved_(std::exchange(other.resolved_, {})) {}

WriteBatch& WriteBatch::operator=(WriteBatch&& other) noexcept {
  if (this == &other) return *this;
  for (std::function<void()>& f : resolved_) f();
  ops_ = std::move(other.ops_);
  preconditions_ = std::move(other.preconditions_);
  audit_entries_ = std::move(other.audit_entries_);
  audit_leaf_hashes_ = std::move(other.audit_leaf_hashes_);
  writes_audit_index_ = other.writes_audit_index_;
  byte_size_ = other.byte_size_;
  max_delay_ = other.max_delay_;
  resolved_ = std::exchange(other.resolved_, {});
  return *this;
}

WriteBatch::~WriteBatch() {
  for (std::function<void()>& f : resolved_) f();
}

void WriteBatch::OnResolved(std::function<void()> resolved) {
  resolved_.push_back(std::move(resolved));
}

void WriteBatch::Put(Column column, std::string_view key,
                     std::string_view value) {
  ops_.push_back(
      Op{OpKind::kPut, column, std::string(key), std::string(value)});
  byte_size_ += key.size() + value.size();
}

void WriteBatch::Delete(Column column, std::string_view key) {
  ops_.push_back(Op{OpKind::kDelete, column, std::string(key), std::string()});
  byte_size_ += key.size();
}

void WriteBatch::Require(Column column, std::string_view key,
                         std::optional<std::string> expected) {
  preconditions_.push_back(
      Precondition{column, std::string(key), std::move(expected)});
}

void WriteBatch::AppendAudit(std::string entry_bytes) {
  byte_size_ += entry_bytes.size();
  audit_leaf_hashes_.push_back(domain::LeafHash(entry_bytes));
  audit_entries_.push_back(std::move(entry_bytes));
}

void WriteBatch::Append(WriteBatch&& other) {
  if (this == &other) return;
  std::move(other.ops_.begin(), other.ops_.end(), std::back_inserter(ops_));
  std::move(other.preconditions_.begin(), other.preconditions_.end(),
            std::back_inserter(preconditions_));
  std::move(other.audit_entries_.begin(), other.audit_entries_.end(),
            std::back_inserter(audit_entries_));
  audit_leaf_hashes_.insert(audit_leaf_hashes_.end(),
                            other.audit_leaf_hashes_.begin(),
                            other.audit_leaf_hashes_.end());
  std::move(other.resolved_.begin(), other.resolved_.end(),
            std::back_inserter(resolved_));
  byte_size_ += other.byte_size_;
  other.ops_.clear();
  other.preconditions_.clear();
  other.audit_entries_.clear();
  other.audit_leaf_hashes_.clear();
  other.resolved_.clear();
  other.byte_size_ = 0;
}

std::vector<std::string> MoveIndexEntries(std::vector<std::string> old_keys,
                                          std::vector<std::string> new_keys,
                                          WriteBatch* batch) {
  std::sort(old_keys.begin(), old_keys.end());
  std::sort(new_keys.begin(), new_keys.end());
  std::vector<std::string> gone;
  std::set_difference(old_keys.begin(), old_keys.end(), new_keys.begin(),
                      new_keys.end(), std::back_inserter(gone));
  for (const std::string& k : gone) batch->Delete(Column::kIndex, k);
  std::vector<std::string> added;
  std::set_difference(new_keys.begin(), new_keys.end(), old_keys.begin(),
                      old_keys.end(), std::back_inserter(added));
  for (const std::string& k : added) batch->Put(Column::kIndex, k, "");
  return added;
}

std::optional<std::optional<std::string>> PendingValue(
    const WriteBatch* pending, Column column, std::string_view key) {
  if (pending == nullptr) return std::nullopt;
  const auto& ops = pending->ops();
  for (auto op = ops.rbegin(); op != ops.rend(); ++op) {
    if (op->column != column || op->key != key) continue;
    if (op->kind == WriteBatch::OpKind::kDelete) {
      return std::optional<std::string>();
    }
    return std::optional<std::string>(op->value);
  }
  return std::nullopt;
}

}  // namespace pwx::storage
