// The users' records: the language preference round trip on both stores,
// and records written before the field existed.
#include "storage/user_store.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/key_codec.h"
#include "tests/storage/storage_test_util.h"

namespace pwx::storage {
namespace {

using ::testing::ElementsAre;

template <typename Factory>
class UserStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kv_ = factory_.Open();
    ASSERT_NE(kv_, nullptr);
  }

  Factory factory_;
  std::unique_ptr<KvStore> kv_;
};

using Stores = ::testing::Types<MemoryStoreFactory, RocksStoreFactory>;
TYPED_TEST_SUITE(UserStoreTest, Stores, StoreName);

TYPED_TEST(UserStoreTest, KeepsTheLanguageWithTheRoles) {
  UserStore users(this->kv_.get());
  pwx::v1::User ines;
  ines.set_name("ines");
  ines.add_roles(pwx::v1::ROLE_INSPECTOR);
  ines.set_language("pl-PL");
  WriteBatch batch;
  users.Put(ines, nullptr, &batch);
  ASSERT_OK(this->kv_->Write(std::move(batch)));

  absl::StatusOr<std::optional<StoredUser>> read = users.Get("ines");
  ASSERT_OK(read);
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->record.language(), "pl-PL");
  EXPECT_THAT((*read)->record.roles(), ElementsAre(pwx::v1::ROLE_INSPECTOR));

  // Cleared: stored as the empty string, read back as none.
  pwx::v1::User cleared = (*read)->record;
  cleared.clear_language();
  WriteBatch clear;
  users.Put(cleared, &**read, &clear);
  ASSERT_OK(this->kv_->Write(std::move(clear)));
  absl::StatusOr<std::vector<pwx::v1::User>> all = users.List();
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].language(), "");
  EXPECT_THAT((*all)[0].roles(), ElementsAre(pwx::v1::ROLE_INSPECTOR));
}

TEST(UserStoreCompatibilityTest, ARecordFromBeforeLanguagesReadsWithNone) {
  ScopedTempDir dir;
  {
    absl::StatusOr<std::unique_ptr<RocksStore>> created =
        RocksStore::Open({.path = dir.Sub("db")});
    ASSERT_OK(created);
  }
  {
    // The bytes an earlier pwx wrote for "ines", inspector and auditor:
    // name (field 1) and packed roles (field 2), nothing else.
    const std::string old_record =
        std::string("\x0a\x04ines", 6) + std::string("\x12\x02\x01\x03", 4);
    RawPwxDb raw(dir.Sub("db"));
    raw.Put(Column::kMeta, KeyBuilder().String("user").String("ines").Build(),
            old_record);
  }
  absl::StatusOr<std::unique_ptr<RocksStore>> store =
      RocksStore::Open({.path = dir.Sub("db")});
  ASSERT_OK(store);
  UserStore users(store->get());
  absl::StatusOr<std::optional<StoredUser>> read = users.Get("ines");
  ASSERT_OK(read);
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->record.name(), "ines");
  EXPECT_THAT((*read)->record.roles(),
              ElementsAre(pwx::v1::ROLE_INSPECTOR, pwx::v1::ROLE_AUDITOR));
  EXPECT_EQ((*read)->record.language(), "");
}

}  // namespace
}  // namespace pwx::storage
