// Helpers for the storage tests: status assertions and temporary directories.
#ifndef PWX_TESTS_STORAGE_STORAGE_TEST_UTIL_H_
#define PWX_TESTS_STORAGE_STORAGE_TEST_UTIL_H_

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "storage/kv_store.h"
#include "storage/memory_store.h"
#include "storage/rocks_store.h"

#define PWX_STATUS_CONCAT_INNER(a, b) a##b
#define PWX_STATUS_CONCAT(a, b) PWX_STATUS_CONCAT_INNER(a, b)
// `var` names a declaration and `fail` a macro: neither can be parenthesized.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define PWX_EXPECT_OK_IMPL(var, expr, fail) \
  if (const auto& var = (expr); var.ok()) { \
  } else                                    \
    fail() << #expr << ": " << ::pwx::storage::StatusOf(var)
// NOLINTEND(bugprone-macro-parentheses)

// Like EXPECT_TRUE(s.ok()), printing the status when it fails.
#define EXPECT_OK(expr) \
  PWX_EXPECT_OK_IMPL(PWX_STATUS_CONCAT(status_, __LINE__), expr, ADD_FAILURE)
#define ASSERT_OK(expr) \
  PWX_EXPECT_OK_IMPL(PWX_STATUS_CONCAT(status_, __LINE__), expr, FAIL)

namespace pwx::storage {

inline const absl::Status& StatusOf(const absl::Status& status) {
  return status;
}
template <typename T>
const absl::Status& StatusOf(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

// A fresh directory under ::testing::TempDir() named after the running test,
// unique per instance; removed with everything in it on destruction.
// Not thread-safe.
class ScopedTempDir {
 public:
  ScopedTempDir() {
    std::string name = "pwx_storage";
    if (const auto* info =
            ::testing::UnitTest::GetInstance()->current_test_info()) {
      name = std::string(info->test_suite_name()) + "." + info->name();
      std::replace(name.begin(), name.end(), '/', '_');
    }
    std::string pattern = ::testing::TempDir() + name + ".XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (mkdtemp(buffer.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp(" << pattern << ") failed";
    }
    path_ = buffer.data();
  }
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;
  ~ScopedTempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  const std::string& path() const { return path_; }
  // path()/name, not created.
  std::string Sub(std::string_view name) const {
    return path_ + "/" + std::string(name);
  }

 private:
  std::string path_;
};

// Factories for typed tests that run against both stores; a Rocks store
// lives in a temporary directory removed with the factory.
struct MemoryStoreFactory {
  std::unique_ptr<KvStore> Open() { return NewMemoryStore(); }
};

struct RocksStoreFactory {
  std::unique_ptr<KvStore> Open() {
    absl::StatusOr<std::unique_ptr<RocksStore>> store =
        RocksStore::Open({.path = dir.Sub("db")});
    EXPECT_OK(store);
    return store.ok() ? *std::move(store) : nullptr;
  }
  ScopedTempDir dir;
};

// A closed pwx database opened with plain RocksDB, to damage it or to write
// an older schema's layout, as no pwx code path may.
class RawPwxDb {
 public:
  explicit RawPwxDb(const std::string& path) {
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors = {
        {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()}};
    for (int i = 0; i < kColumnCount; ++i) {
      descriptors.emplace_back(std::string(ColumnName(static_cast<Column>(i))),
                               rocksdb::ColumnFamilyOptions());
    }
    rocksdb::Status s = rocksdb::DB::Open(rocksdb::DBOptions(), path,
                                          descriptors, &handles_, &db_);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  RawPwxDb(const RawPwxDb&) = delete;
  RawPwxDb& operator=(const RawPwxDb&) = delete;
  ~RawPwxDb() {
    for (rocksdb::ColumnFamilyHandle* h : handles_) {
      EXPECT_TRUE(db_->DestroyColumnFamilyHandle(h).ok());
    }
    delete db_;
  }

  void Put(Column column, std::string_view key, std::string_view value) {
    rocksdb::Status s = db_->Put(rocksdb::WriteOptions(), Handle(column),
                                 Slice(key), Slice(value));
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  void Delete(Column column, std::string_view key) {
    rocksdb::Status s =
        db_->Delete(rocksdb::WriteOptions(), Handle(column), Slice(key));
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  std::optional<std::string> Get(Column column, std::string_view key) {
    std::string value;
    rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), Handle(column), Slice(key), &value);
    if (s.IsNotFound()) return std::nullopt;
    EXPECT_TRUE(s.ok()) << s.ToString();
    return value;
  }
  // Every key of `column`, in order.
  std::vector<std::string> Keys(Column column) {
    std::vector<std::string> keys;
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), Handle(column)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      keys.push_back(it->key().ToString());
    }
    return keys;
  }

 private:
  static rocksdb::Slice Slice(std::string_view s) {
    return {s.data(), s.size()};
  }
  rocksdb::ColumnFamilyHandle* Handle(Column column) {
    return handles_[static_cast<size_t>(column) + 1];
  }

  rocksdb::DB* db_ = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

// Names the typed test instances "Memory" and "Rocks".
struct StoreName {
  template <typename T>
  static std::string GetName(int) {
    return std::is_same_v<T, MemoryStoreFactory> ? "Memory" : "Rocks";
  }
};

}  // namespace pwx::storage

#endif  // PWX_TESTS_STORAGE_STORAGE_TEST_UTIL_H_
