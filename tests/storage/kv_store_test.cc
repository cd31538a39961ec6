// The KvStore contract, run against every implementation.
#include "storage/kv_store.h"

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/memory_store.h"
#include "storage/rocks_store.h"
#include "tests/storage/storage_test_util.h"

namespace pwx::storage {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;
using std::string_literals::operator""s;

template <typename Factory>
class KvStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = factory_.Open();
    ASSERT_NE(store_, nullptr);
  }

  void Put(Column column, const std::string& key, const std::string& value) {
    WriteBatch batch;
    batch.Put(column, key, value);
    ASSERT_OK(store_->Write(std::move(batch)));
  }

  std::optional<std::string> Get(Column column, const std::string& key) {
    absl::StatusOr<std::optional<std::string>> value = store_->Get(column, key);
    EXPECT_OK(value);
    return value.ok() ? *value : std::nullopt;
  }

  // Every (key, value) of `column` from `it`'s current position on.
  static std::vector<std::pair<std::string, std::string>> Rest(Iterator& it) {
    std::vector<std::pair<std::string, std::string>> out;
    for (; it.Valid(); it.Next()) {
      out.emplace_back(std::string(it.key()), std::string(it.value()));
    }
    EXPECT_OK(it.status());
    return out;
  }

  std::vector<std::pair<std::string, std::string>> All(Column column) {
    std::unique_ptr<Iterator> it = store_->NewIterator(column);
    it->Seek("");
    return Rest(*it);
  }

  Factory factory_;
  std::unique_ptr<KvStore> store_;
};

using Stores = ::testing::Types<MemoryStoreFactory, RocksStoreFactory>;
TYPED_TEST_SUITE(KvStoreTest, Stores, StoreName);

TYPED_TEST(KvStoreTest, PutGetDelete) {
  EXPECT_EQ(this->Get(Column::kCases, "k"), std::nullopt);
  this->Put(Column::kCases, "k", "v1");
  EXPECT_EQ(this->Get(Column::kCases, "k"), "v1");
  this->Put(Column::kCases, "k", "v2");
  EXPECT_EQ(this->Get(Column::kCases, "k"), "v2");
  // Columns are separate key spaces.
  EXPECT_EQ(this->Get(Column::kIndex, "k"), std::nullopt);
  // Binary keys and values survive intact.
  this->Put(Column::kBlobs, "\0k\xff"s, "\0v\0"s);
  EXPECT_EQ(this->Get(Column::kBlobs, "\0k\xff"s), "\0v\0"s);
  EXPECT_EQ(this->Get(Column::kBlobs, "\0k"s), std::nullopt);

  WriteBatch del;
  del.Delete(Column::kCases, "k");
  del.Delete(Column::kCases, "never-written");
  ASSERT_OK(this->store_->Write(std::move(del)));
  EXPECT_EQ(this->Get(Column::kCases, "k"), std::nullopt);
  EXPECT_EQ(this->Get(Column::kBlobs, "\0k\xff"s), "\0v\0"s);
}

TYPED_TEST(KvStoreTest, BatchAppliesAllItsWritesInOrder) {
  this->Put(Column::kIndex, "old", "");
  WriteBatch batch;
  batch.Put(Column::kCases, "c1", "case");
  batch.Put(Column::kIndex, "new", "");
  batch.Delete(Column::kIndex, "old");
  batch.Put(Column::kCases, "twice", "first");
  batch.Put(Column::kCases, "twice", "second");
  ASSERT_OK(this->store_->Write(std::move(batch)));
  EXPECT_THAT(this->All(Column::kCases),
              ElementsAre(Pair("c1", "case"), Pair("twice", "second")));
  EXPECT_THAT(this->All(Column::kIndex), ElementsAre(Pair("new", "")));
}

TYPED_TEST(KvStoreTest, EmptyBatchSucceeds) {
  EXPECT_OK(this->store_->Write(WriteBatch()));
}

TYPED_TEST(KvStoreTest, UnknownColumnIsInvalidArgument) {
  const Column bad = static_cast<Column>(kColumnCount);
  EXPECT_EQ(this->store_->Get(bad, "k").status().code(),
            absl::StatusCode::kInvalidArgument);
  WriteBatch batch;
  batch.Put(bad, "k", "v");
  EXPECT_EQ(this->store_->Write(std::move(batch)).code(),
            absl::StatusCode::kInvalidArgument);
  std::unique_ptr<Iterator> it = this->store_->NewIterator(bad);
  it->Seek("");
  EXPECT_FALSE(it->Valid());
  EXPECT_EQ(it->status().code(), absl::StatusCode::kInvalidArgument);
}

TYPED_TEST(KvStoreTest, IteratesInByteOrderWithinOneColumn) {
  for (const std::string& key : {"b"s, "\xff"s, "a"s, "bb"s, "a\0"s, "c"s}) {
    this->Put(Column::kRequests, key, "v" + key);
  }
  this->Put(Column::kPlans, "b0", "other column");

  std::unique_ptr<Iterator> it = this->store_->NewIterator(Column::kRequests);
  EXPECT_FALSE(it->Valid());  // not positioned yet
  it->Seek("");
  EXPECT_THAT(
      this->Rest(*it),
      ElementsAre(Pair("a", "va"), Pair("a\0"s, "va\0"s), Pair("b", "vb"),
                  Pair("bb", "vbb"), Pair("c", "vc"), Pair("\xff", "v\xff")));

  it->Seek("b");  // exact hit
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "b");
  it->Seek("b0");  // between keys: the next one
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "bb");
  it->Seek("\xff\x01");  // past the end
  EXPECT_FALSE(it->Valid());
}

TYPED_TEST(KvStoreTest, SeekBeforeFindsLastSmallerKey) {
  for (const std::string& key : {"a"s, "b"s, "bb"s, "d"s}) {
    this->Put(Column::kOutbox, key, "");
  }
  std::unique_ptr<Iterator> it = this->store_->NewIterator(Column::kOutbox);

  it->SeekBefore("c");  // between keys
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "bb");
  it->Next();  // moves forward from there
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "d");

  it->SeekBefore("bb");  // exact key: strictly before it
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "b");

  it->SeekBefore("a");  // nothing before the first key
  EXPECT_FALSE(it->Valid());

  it->SeekBefore("zzz");  // past the end: the last key
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "d");

  it->SeekBefore("");  // empty means the last key
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "d");
  EXPECT_OK(it->status());

  std::unique_ptr<Iterator> empty = this->store_->NewIterator(Column::kPlans);
  empty->SeekBefore("");
  EXPECT_FALSE(empty->Valid());
}

TYPED_TEST(KvStoreTest, IteratorReadsTheSnapshotOfItsCreation) {
  this->Put(Column::kCases, "a", "1");
  this->Put(Column::kCases, "b", "1");
  std::unique_ptr<Iterator> before = this->store_->NewIterator(Column::kCases);

  WriteBatch batch;
  batch.Delete(Column::kCases, "a");
  batch.Put(Column::kCases, "b", "2");
  batch.Put(Column::kCases, "c", "2");
  ASSERT_OK(this->store_->Write(std::move(batch)));

  before->Seek("");
  EXPECT_THAT(this->Rest(*before), ElementsAre(Pair("a", "1"), Pair("b", "1")));
  EXPECT_THAT(this->All(Column::kCases),
              ElementsAre(Pair("b", "2"), Pair("c", "2")));
}

TYPED_TEST(KvStoreTest, PreconditionOnAbsentKey) {
  WriteBatch create;
  create.Require(Column::kCases, "k", std::nullopt);
  create.Put(Column::kCases, "k", "v1");
  ASSERT_OK(this->store_->Write(std::move(create)));

  WriteBatch again;
  again.Require(Column::kCases, "k", std::nullopt);
  again.Put(Column::kCases, "k", "v2");
  again.Put(Column::kIndex, "again", "");
  absl::Status s = this->store_->Write(std::move(again));
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(s.message(), "precondition failed: cases/k changed");
  EXPECT_EQ(this->Get(Column::kCases, "k"), "v1");
  EXPECT_EQ(this->Get(Column::kIndex, "again"), std::nullopt);
}

TYPED_TEST(KvStoreTest, PreconditionOnValue) {
  this->Put(Column::kCases, "k", "v1");

  WriteBatch equal;
  equal.Require(Column::kCases, "k", "v1");
  equal.Put(Column::kCases, "k", "v2");
  ASSERT_OK(this->store_->Write(std::move(equal)));

  WriteBatch stale;  // still expects v1
  stale.Require(Column::kCases, "k", "v1");
  stale.Put(Column::kCases, "k", "v3");
  absl::Status s = this->store_->Write(std::move(stale));
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(s.message(), "precondition failed: cases/k changed");
  EXPECT_EQ(this->Get(Column::kCases, "k"), "v2");

  WriteBatch gone;  // expects a value, but the key is absent
  gone.Require(Column::kPlans, "p", "v");
  gone.Put(Column::kPlans, "p", "w");
  EXPECT_EQ(this->store_->Write(std::move(gone)).code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(this->Get(Column::kPlans, "p"), std::nullopt);
}

TYPED_TEST(KvStoreTest, AnAppendedPartCommitsWithItsBatchAndResolvesOnce) {
  this->Put(Column::kCases, "k", "v1");
  int resolved = 0;
  WriteBatch batch;
  batch.Put(Column::kCases, "a", "1");
  {
    WriteBatch part;
    part.Require(Column::kCases, "k", "v1");
    part.Put(Column::kCases, "b", "2");
    part.AppendAudit("entry");
    part.OnResolved([&resolved] { ++resolved; });
    batch.Append(std::move(part));
    EXPECT_TRUE(part.empty());
  }
  // The part's bookkeeping now waits for the batch it joined.
  EXPECT_EQ(resolved, 0);
  EXPECT_EQ(batch.preconditions().size(), 1u);
  EXPECT_EQ(batch.audit_entries().size(), 1u);
  EXPECT_EQ(batch.audit_leaf_hashes().size(), 1u);
  ASSERT_OK(this->store_->Write(std::move(batch)));
  EXPECT_EQ(resolved, 1);
  EXPECT_EQ(this->Get(Column::kCases, "a"), "1");
  EXPECT_EQ(this->Get(Column::kCases, "b"), "2");

  // The part's precondition holds for the whole batch.
  WriteBatch stale;
  stale.Put(Column::kCases, "c", "3");
  WriteBatch part;
  part.Require(Column::kCases, "k", "v0");
  stale.Append(std::move(part));
  EXPECT_EQ(this->store_->Write(std::move(stale)).code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(this->Get(Column::kCases, "c"), std::nullopt);
}

TYPED_TEST(KvStoreTest, SecondBatchOfOneGroupSeesTheFirst) {
  this->Put(Column::kCases, "k", "old");

  // Callbacks run on the writer thread: holding one keeps the writer busy
  // while the next batches queue up, so they are committed as one group.
  absl::Notification held, release;
  WriteBatch blocker;
  blocker.Put(Column::kMeta, "blocker", "");
  this->store_->WriteAsync(std::move(blocker), [&](const absl::Status& s) {
    EXPECT_OK(s);
    held.Notify();
    release.WaitForNotification();
  });
  held.WaitForNotification();

  struct Outcome {
    absl::Status status;
    absl::Notification done;
  };
  Outcome first, second, third;
  auto record = [](Outcome& o) {
    return [&o](const absl::Status& s) {
      o.status = s;
      o.done.Notify();
    };
  };
  WriteBatch b1;
  b1.Require(Column::kCases, "k", "old");
  b1.Put(Column::kCases, "k", "new1");
  this->store_->WriteAsync(std::move(b1), record(first));
  WriteBatch b2;  // requires the value b1 replaced
  b2.Require(Column::kCases, "k", "old");
  b2.Put(Column::kCases, "k", "new2");
  b2.Put(Column::kIndex, "from-b2", "");
  this->store_->WriteAsync(std::move(b2), record(second));
  WriteBatch b3;  // requires b1's value, and b2's write to be absent
  b3.Require(Column::kCases, "k", "new1");
  b3.Require(Column::kIndex, "from-b2", std::nullopt);
  b3.Put(Column::kIndex, "from-b3", "");
  this->store_->WriteAsync(std::move(b3), record(third));
  release.Notify();

  first.done.WaitForNotification();
  second.done.WaitForNotification();
  third.done.WaitForNotification();
  EXPECT_OK(first.status);
  EXPECT_EQ(second.status.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(second.status.message(), "precondition failed: cases/k changed");
  EXPECT_OK(third.status);
  EXPECT_EQ(this->Get(Column::kCases, "k"), "new1");
  EXPECT_THAT(this->All(Column::kIndex), ElementsAre(Pair("from-b3", "")));
}

TYPED_TEST(KvStoreTest, ConcurrentWritersAllSucceedAndAreVisible) {
  constexpr int kThreads = 16;
  constexpr int kWritesPerThread = 25;
  constexpr size_t kWrites = size_t{kThreads} * kWritesPerThread;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t, &failures] {
      for (int i = 0; i < kWritesPerThread; ++i) {
        const std::string key = absl::StrCat("t", t, "-", i);
        WriteBatch batch;
        batch.Require(Column::kCases, key, std::nullopt);
        batch.Put(Column::kCases, key, "case " + key);
        batch.Put(Column::kIndex, "by-writer/" + key, "");
        if (!this->store_->Write(std::move(batch)).ok()) ++failures[t];
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_THAT(failures, ::testing::Each(0));

  const auto cases = this->All(Column::kCases);
  EXPECT_EQ(cases.size(), kWrites);
  for (const auto& [key, value] : cases) EXPECT_EQ(value, "case " + key);
  EXPECT_EQ(this->All(Column::kIndex).size(), kWrites);
}

TYPED_TEST(KvStoreTest, CompareAndSwapCounterLosesNoIncrement) {
  constexpr int kThreads = 8;
  constexpr int kIncrements = 10;
  this->Put(Column::kMeta, "counter", "0");
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this] {
      for (int done = 0; done < kIncrements;) {
        absl::StatusOr<std::optional<std::string>> current =
            this->store_->Get(Column::kMeta, "counter");
        ASSERT_TRUE(current.ok() && current->has_value());
        WriteBatch batch;
        batch.Require(Column::kMeta, "counter", **current);
        batch.Put(Column::kMeta, "counter",
                  std::to_string(std::stoi(**current) + 1));
        absl::Status s = this->store_->Write(std::move(batch));
        if (s.ok()) {
          ++done;
        } else {
          ASSERT_EQ(s.code(), absl::StatusCode::kAborted) << s;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(this->Get(Column::kMeta, "counter"),
            std::to_string(kThreads * kIncrements));
}

}  // namespace
}  // namespace pwx::storage
