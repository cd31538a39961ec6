// What only the RocksDB store does: persistence, the schema and format
// checks on open, backup and restore.
#include "storage/rocks_store.h"

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "tests/storage/storage_test_util.h"

namespace pwx::storage {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
using std::string_literals::operator""s;

class RocksStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<RocksStore> OpenOk(const std::string& path) {
    absl::StatusOr<std::unique_ptr<RocksStore>> store =
        RocksStore::Open({.path = path});
    EXPECT_OK(store);
    return store.ok() ? *std::move(store) : nullptr;
  }

  static void Put(KvStore& store, Column column, const std::string& key,
                  const std::string& value) {
    WriteBatch batch;
    batch.Put(column, key, value);
    ASSERT_OK(store.Write(std::move(batch)));
  }

  static std::optional<std::string> Get(const KvStore& store, Column column,
                                        const std::string& key) {
    absl::StatusOr<std::optional<std::string>> value = store.Get(column, key);
    EXPECT_OK(value);
    return value.ok() ? *value : std::nullopt;
  }

  // Creates a plain RocksDB at `path` with `families` (besides "default"),
  // holding `key` in "default" unless it is empty.
  static void MakeForeignDb(const std::string& path,
                            const std::vector<std::string>& families,
                            const std::string& key) {
    rocksdb::Options options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors = {
        {rocksdb::kDefaultColumnFamilyName, options}};
    for (const std::string& name : families) {
      descriptors.emplace_back(name, options);
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    rocksdb::Status s =
        rocksdb::DB::Open(options, path, descriptors, &handles, &db);
    ASSERT_TRUE(s.ok()) << s.ToString();
    if (!key.empty()) {
      ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), key, "v").ok());
    }
    for (rocksdb::ColumnFamilyHandle* h : handles) {
      ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
    }
    delete db;
  }

  static std::vector<std::string> FamiliesOf(const std::string& path) {
    std::vector<std::string> names;
    rocksdb::Status s =
        rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return names;
  }

  ScopedTempDir dir_;
  const std::string path_ = dir_.Sub("db");
};

TEST_F(RocksStoreTest, DataSurvivesCloseAndReopen) {
  {
    std::unique_ptr<RocksStore> store = OpenOk(path_);
    ASSERT_NE(store, nullptr);
    Put(*store, Column::kCases, "c1", "case one");
    Put(*store, Column::kPlans, "\0plan"s, "\xffplan"s);
  }
  std::unique_ptr<RocksStore> store = OpenOk(path_);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Get(*store, Column::kCases, "c1"), "case one");
  EXPECT_EQ(Get(*store, Column::kPlans, "\0plan"s), "\xffplan"s);
}

TEST_F(RocksStoreTest, NewDatabaseCarriesFormatAndSchemaVersion) {
  std::unique_ptr<RocksStore> store = OpenOk(path_);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Get(*store, Column::kMeta, "format"), "pwx");
  EXPECT_EQ(Get(*store, Column::kMeta, "schema_version"), "\0\0\0\x02"s);
  store.reset();
  std::vector<std::string> expected = {"default"};
  for (int i = 0; i < kColumnCount; ++i) {
    expected.emplace_back(ColumnName(static_cast<Column>(i)));
  }
  EXPECT_THAT(FamiliesOf(path_),
              ::testing::UnorderedElementsAreArray(expected));
}

TEST_F(RocksStoreTest, NewerSchemaIsRefusedWithBothVersions) {
  {
    std::unique_ptr<RocksStore> store = OpenOk(path_);
    ASSERT_NE(store, nullptr);
    Put(*store, Column::kMeta, "schema_version", "\0\0\0\x03"s);
  }
  absl::StatusOr<std::unique_ptr<RocksStore>> store =
      RocksStore::Open({.path = path_});
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store.status().message(),
            path_ +
                " was written by a newer pwx (schema 3); "
                "this build reads schema 2");
}

TEST_F(RocksStoreTest, RocksDbWithoutFormatMarkerIsRefusedUntouched) {
  MakeForeignDb(path_, {}, "someone else's key");
  absl::StatusOr<std::unique_ptr<RocksStore>> store =
      RocksStore::Open({.path = path_});
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(),
              HasSubstr(path_ + " is not a pwx database"));
  EXPECT_THAT(FamiliesOf(path_), UnorderedElementsAre("default"));
}

TEST_F(RocksStoreTest, InterruptedCreationIsCompleted) {
  // What a crash inside the first Open leaves: some of pwx's families, empty,
  // and no meta yet.
  MakeForeignDb(path_, {"meta", "cases"}, "");
  std::unique_ptr<RocksStore> store = OpenOk(path_);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Get(*store, Column::kMeta, "format"), "pwx");
  Put(*store, Column::kInbox, "k", "v");
  EXPECT_EQ(Get(*store, Column::kInbox, "k"), "v");
}

TEST_F(RocksStoreTest, DirectoryWithOtherFilesIsRefusedUntouched) {
  std::filesystem::create_directories(path_);
  std::ofstream(path_ + "/notes.txt") << "not a database";
  absl::StatusOr<std::unique_ptr<RocksStore>> store =
      RocksStore::Open({.path = path_});
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(),
              HasSubstr(path_ + " is not a pwx database"));
  EXPECT_TRUE(std::filesystem::exists(path_ + "/notes.txt"));
  EXPECT_FALSE(std::filesystem::exists(path_ + "/CURRENT"));
}

TEST_F(RocksStoreTest, CorruptionIsDataLossNamingThePath) {
  ASSERT_NE(OpenOk(path_), nullptr);
  std::ofstream(path_ + "/CURRENT", std::ios::trunc) << "garbage";
  absl::StatusOr<std::unique_ptr<RocksStore>> store =
      RocksStore::Open({.path = path_});
  EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss)
      << store.status();
  EXPECT_THAT(store.status().message(), HasSubstr(path_));
}

TEST_F(RocksStoreTest, MissingDatabaseWithoutCreateIsNotFound) {
  absl::StatusOr<std::unique_ptr<RocksStore>> store =
      RocksStore::Open({.path = path_, .create_if_missing = false});
  EXPECT_EQ(store.status().code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(RocksStoreTest, BadOptionsAreInvalidArgument) {
  EXPECT_EQ(RocksStore::Open({}).status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<std::unique_ptr<RocksStore>> store =
      RocksStore::Open({.path = path_, .max_group_size = 0});
  EXPECT_EQ(store.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(store.status().message(), HasSubstr("max_group_size"));
}

TEST_F(RocksStoreTest, RestoredBackupHoldsTheDataOfTheLatestBackup) {
  const std::string backups = dir_.Sub("backups");
  const std::string restored = dir_.Sub("restored");
  std::unique_ptr<RocksStore> store = OpenOk(path_);
  ASSERT_NE(store, nullptr);
  Put(*store, Column::kCases, "c1", "first");
  absl::StatusOr<BackupInfo> first = store->Backup(backups);
  ASSERT_OK(first);
  EXPECT_GT(first->size_bytes, 0u);
  Put(*store, Column::kCases, "c1", "second");
  Put(*store, Column::kBlobs, "b1", "blob");
  absl::StatusOr<BackupInfo> second = store->Backup(backups);
  ASSERT_OK(second);
  EXPECT_GT(second->backup_id, first->backup_id);
  Put(*store, Column::kCases, "after", "not in any backup");

  ASSERT_OK(RestoreLatestBackup(backups, restored));
  std::unique_ptr<RocksStore> copy = OpenOk(restored);
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(Get(*copy, Column::kCases, "c1"), "second");
  EXPECT_EQ(Get(*copy, Column::kBlobs, "b1"), "blob");
  EXPECT_EQ(Get(*copy, Column::kCases, "after"), std::nullopt);
  EXPECT_EQ(Get(*copy, Column::kMeta, "format"), "pwx");
  // They hold personal data: the directories made here are the owner's.
  for (const std::string& made : {path_, backups, restored}) {
    EXPECT_EQ(std::filesystem::status(made).permissions() &
                  std::filesystem::perms::all,
              std::filesystem::perms::owner_all)
        << made;
  }
  // The original goes on working.
  EXPECT_EQ(Get(*store, Column::kCases, "after"), "not in any backup");
}

TEST_F(RocksStoreTest, RestoreRefusesToOverwrite) {
  const std::string backups = dir_.Sub("backups");
  {
    std::unique_ptr<RocksStore> store = OpenOk(path_);
    ASSERT_NE(store, nullptr);
    Put(*store, Column::kCases, "c1", "backed up");
    ASSERT_OK(store->Backup(backups));
    Put(*store, Column::kCases, "c1", "current");
  }
  absl::Status s = RestoreLatestBackup(backups, path_);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr(path_));

  const std::string other = dir_.Sub("other");
  std::filesystem::create_directories(other);
  std::ofstream(other + "/keep.txt") << "keep";
  EXPECT_EQ(RestoreLatestBackup(backups, other).code(),
            absl::StatusCode::kFailedPrecondition);

  std::unique_ptr<RocksStore> store = OpenOk(path_);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Get(*store, Column::kCases, "c1"), "current");
}

TEST_F(RocksStoreTest, RestoreWithoutBackupsIsNotFound) {
  EXPECT_EQ(
      RestoreLatestBackup(dir_.Sub("nothing"), dir_.Sub("restored")).code(),
      absl::StatusCode::kNotFound);
}

TEST_F(RocksStoreTest, BackupInsideTheDatabaseIsRefused) {
  std::unique_ptr<RocksStore> store = OpenOk(path_);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->Backup(path_ + "/backup").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pwx::storage
