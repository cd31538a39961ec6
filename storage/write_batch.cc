#include "storage/write_batch.h"

#include <utility>


namespace pwx::storage {

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

}  // namespace pwx::storage
