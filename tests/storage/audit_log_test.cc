// The audit log as the stores keep it: appended by the group-commit writer,
// read and proved by AuditLog, checked against the domain's in-memory tree.
#include "storage/audit_log.h"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pwx/v1/audit.pb.h"
#include "server/domain/merkle.h"
#include "storage/audit_index.h"
#include "storage/group_commit.h"
#include "storage/key_codec.h"
#include "storage/memory_store.h"
#include "storage/rocks_store.h"
#include "tests/storage/storage_test_util.h"

namespace pwx::storage {
namespace {

using ::testing::ElementsAreArray;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::string EntryBytes(int i) { return absl::StrCat("entry-", i); }

WriteBatch AuditBatch(const std::vector<std::string>& entries) {
  WriteBatch batch;
  for (const std::string& e : entries) batch.AppendAudit(e);
  return batch;
}

template <typename Factory>
class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    log_.reset();
    store_.reset();
    store_ = factory_.Open();
    ASSERT_NE(store_, nullptr);
    log_ = std::make_unique<AuditLog>(store_.get());
  }

  // Commits `entries` in one batch, and mirrors them in `expected_`.
  void Append(const std::vector<std::string>& entries) {
    ASSERT_OK(store_->Write(AuditBatch(entries)));
    for (const std::string& e : entries) {
      expected_.AppendEntry(e);
      expected_entries_.push_back(e);
    }
  }

  uint64_t Size() {
    absl::StatusOr<uint64_t> size = log_->Size();
    EXPECT_OK(size);
    return size.ok() ? *size : 0;
  }

  // The log holds exactly expected_entries_, with the roots of expected_.
  void ExpectMatchesMirror() {
    const uint64_t n = expected_.size();
    ASSERT_EQ(Size(), n);
    absl::StatusOr<std::vector<std::string>> all = log_->Entries(0, n);
    ASSERT_OK(all);
    EXPECT_THAT(*all, ElementsAreArray(expected_entries_));
    for (uint64_t size = 0; size <= n; ++size) {
      absl::StatusOr<domain::Hash> root = log_->Root(size);
      ASSERT_OK(root);
      EXPECT_EQ(*root, *domain::RootAt(expected_, size)) << "size " << size;
    }
  }

  Factory factory_;
  std::unique_ptr<KvStore> store_;
  std::unique_ptr<AuditLog> log_;
  domain::MemoryMerkleTree expected_;
  std::vector<std::string> expected_entries_;
};

using Factories = ::testing::Types<MemoryStoreFactory, RocksStoreFactory>;
TYPED_TEST_SUITE(AuditLogTest, Factories, StoreName);

TYPED_TEST(AuditLogTest, EmptyLogHasSizeZeroAndTheEmptyRoot) {
  EXPECT_EQ(this->Size(), 0u);
  EXPECT_EQ(*this->log_->Root(0), domain::EmptyRoot());
  EXPECT_EQ(this->log_->Entry(0).status().code(),
            absl::StatusCode::kOutOfRange);
}

TYPED_TEST(AuditLogTest, AppendsMatchTheInMemoryTree) {
  int next = 0;
  // Batches of 1 to 5 entries, so that subtrees complete inside a batch,
  // across batches, and several levels at once.
  for (int batch = 0; batch < 20; ++batch) {
    std::vector<std::string> entries;
    for (int i = 0; i <= batch % 5; ++i) entries.push_back(EntryBytes(next++));
    this->Append(entries);
  }
  this->ExpectMatchesMirror();
  for (int i = 0; i < next; ++i) {
    EXPECT_EQ(*this->log_->Entry(i), EntryBytes(i));
  }
  EXPECT_THAT(*this->log_->Entries(3, 7),
              ElementsAreArray({EntryBytes(3), EntryBytes(4), EntryBytes(5),
                                EntryBytes(6)}));
  EXPECT_TRUE(this->log_->Entries(5, 5)->empty());
}

TYPED_TEST(AuditLogTest, EntriesGoInTheSameCommitAsTheBatchesWrites) {
  WriteBatch batch;
  batch.Put(Column::kCases, "c1", "case one");
  batch.AppendAudit("created c1");
  ASSERT_OK(this->store_->Write(std::move(batch)));
  EXPECT_EQ(this->Size(), 1u);
  EXPECT_EQ(*this->log_->Entry(0), "created c1");
  EXPECT_EQ(**this->store_->Get(Column::kCases, "c1"), "case one");
}

TYPED_TEST(AuditLogTest, ProofsVerifyAgainstTheDomainTree) {
  constexpr int kEntries = 37;
  for (int i = 0; i < kEntries; ++i) this->Append({EntryBytes(i)});
  for (uint64_t size = 1; size <= kEntries; ++size) {
    const domain::Hash root = *this->log_->Root(size);
    for (uint64_t index = 0; index < size; ++index) {
      absl::StatusOr<std::vector<domain::Hash>> proof =
          this->log_->InclusionProof(index, size);
      ASSERT_OK(proof);
      EXPECT_EQ(*proof, *domain::InclusionProof(this->expected_, index, size));
      EXPECT_OK(domain::VerifyInclusion(
          domain::LeafHash(EntryBytes(static_cast<int>(index))), index, size,
          *proof, root));
    }
    for (uint64_t old_size = 0; old_size <= size; ++old_size) {
      absl::StatusOr<std::vector<domain::Hash>> proof =
          this->log_->ConsistencyProof(old_size, size);
      ASSERT_OK(proof);
      EXPECT_OK(domain::VerifyConsistency(
          old_size, size, *this->log_->Root(old_size), root, *proof))
          << old_size << " -> " << size;
    }
  }
}

TYPED_TEST(AuditLogTest, SizesBeyondTheCommittedLogAreOutOfRange) {
  this->Append({EntryBytes(0), EntryBytes(1), EntryBytes(2)});
  EXPECT_EQ(this->log_->Root(4).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(this->log_->InclusionProof(0, 4).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(this->log_->ConsistencyProof(1, 4).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(this->log_->Entries(0, 4).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(this->log_->Entry(3).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(this->log_->InclusionProof(3, 3).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(this->log_->ConsistencyProof(3, 2).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TYPED_TEST(AuditLogTest, RefusedBatchAppendsNothing) {
  ASSERT_OK(this->store_->Write([] {
    WriteBatch batch;
    batch.Put(Column::kCases, "taken", "x");
    return batch;
  }()));
  // Three batches submitted together, so that they usually share a group:
  // the refused one in the middle must not take an index.
  std::vector<absl::StatusOr<uint64_t>> results(3);
  absl::Notification done[3];
  for (int i = 0; i < 3; ++i) {
    WriteBatch batch = AuditBatch({EntryBytes(i)});
    if (i == 1) batch.Require(Column::kCases, "taken", std::nullopt);
    this->store_->WriteAsyncWithAuditIndex(
        std::move(batch),
        [&results, &done, i](absl::StatusOr<uint64_t> first_index) {
          results[i] = std::move(first_index);
          done[i].Notify();
        });
  }
  for (absl::Notification& n : done) n.WaitForNotification();
  ASSERT_OK(results[0]);
  EXPECT_EQ(*results[0], 0u);
  EXPECT_EQ(results[1].status().code(), absl::StatusCode::kAborted);
  ASSERT_OK(results[2]);
  EXPECT_EQ(*results[2], 1u);
  this->expected_.AppendEntry(EntryBytes(0));
  this->expected_.AppendEntry(EntryBytes(2));
  this->expected_entries_ = {EntryBytes(0), EntryBytes(2)};
  this->ExpectMatchesMirror();
}

TYPED_TEST(AuditLogTest, ConcurrentWritersGetContiguousIndicesOnce) {
  constexpr int kThreads = 8;
  constexpr int kBatchesPerThread = 40;
  std::vector<std::thread> threads;
  // Each batch's entries and the index its first entry was reported at.
  absl::Mutex mu;
  std::vector<std::pair<uint64_t, std::vector<std::string>>> reported;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatchesPerThread; ++b) {
        // One or two entries per batch.
        std::vector<std::string> entries = {absl::StrCat(t, "/", b, "/a")};
        if (b % 2 == 1) entries.push_back(absl::StrCat(t, "/", b, "/b"));
        absl::Notification done;
        absl::StatusOr<uint64_t> first_index;
        this->store_->WriteAsyncWithAuditIndex(
            AuditBatch(entries), [&](absl::StatusOr<uint64_t> index) {
              first_index = std::move(index);
              done.Notify();
            });
        done.WaitForNotification();
        ASSERT_OK(first_index);
        absl::MutexLock lock(&mu);
        reported.emplace_back(*first_index, std::move(entries));
      }
    });
  }
  for (std::thread& t : threads) t.join();

  constexpr uint64_t kTotal = kThreads * kBatchesPerThread * 3 / 2;
  ASSERT_EQ(this->Size(), kTotal);
  absl::StatusOr<std::vector<std::string>> all = this->log_->Entries(0, kTotal);
  ASSERT_OK(all);
  std::set<std::string> distinct(all->begin(), all->end());
  EXPECT_EQ(distinct.size(), kTotal);
  // A batch's entries are adjacent and in order; each writer's in its order.
  std::map<int, int> last_batch;
  for (size_t i = 0; i < all->size(); ++i) {
    const std::string& e = (*all)[i];
    if (e.ends_with("/b")) {
      EXPECT_EQ((*all)[i - 1], e.substr(0, e.size() - 1) + "a");
      continue;
    }
    const int thread = std::stoi(e.substr(0, e.find('/')));
    const int batch = std::stoi(e.substr(e.find('/') + 1));
    auto [it, first] = last_batch.emplace(thread, batch);
    if (!first) {
      EXPECT_EQ(batch, it->second + 1) << e;
      it->second = batch;
    }
  }
  // Each writer was told where its entries are.
  for (const auto& [first, entries] : reported) {
    for (size_t k = 0; k < entries.size(); ++k) {
      ASSERT_LT(first + k, all->size());
      EXPECT_EQ((*all)[first + k], entries[k]);
    }
  }
  for (const std::string& e : *all) this->expected_.AppendEntry(e);
  this->expected_entries_ = *all;
  this->ExpectMatchesMirror();
}

// Subtrees high in the tree are cached once read; proofs stay right as the
// log grows past them.
TYPED_TEST(AuditLogTest, ProofsStayRightAsTheLogGrowsPastCachedSubtrees) {
  std::vector<std::string> entries;
  for (int i = 0; i < 1200; ++i) entries.push_back("e" + std::to_string(i));
  this->Append({entries.begin(), entries.begin() + 600});
  for (uint64_t index : {0, 255, 256, 511, 599}) {
    EXPECT_EQ(*this->log_->InclusionProof(index, 600),
              *domain::InclusionProof(this->expected_, index, 600));
  }
  this->Append({entries.begin() + 600, entries.end()});
  for (uint64_t size : {600, 768, 1024, 1200}) {
    for (uint64_t index : {0, 300, 599, 1023}) {
      if (index >= size) continue;
      EXPECT_EQ(*this->log_->InclusionProof(index, size),
                *domain::InclusionProof(this->expected_, index, size))
          << index << " in " << size;
    }
    EXPECT_EQ(*this->log_->ConsistencyProof(600, size),
              *domain::ConsistencyProof(this->expected_, 600, size));
    EXPECT_EQ(*this->log_->Root(size), *domain::RootAt(this->expected_, size));
  }
}

// A serialized AuditEntry about `object_id` and `object_ids`.
std::string ObjectEntry(int n, const std::string& object_id,
                        const std::vector<std::string>& object_ids = {}) {
  pwx::v1::AuditEntry entry;
  entry.set_user("user" + std::to_string(n));
  entry.set_action("case.read");
  entry.set_object_id(object_id);
  for (const std::string& id : object_ids) entry.add_object_ids(id);
  entry.set_content_sha256(std::string(64, 'a'));
  return entry.SerializeAsString();
}

TEST(AuditObjectIdsTest, ReadsObjectIdAndObjectIdsOffTheWire) {
  EXPECT_THAT(AuditObjectIds(ObjectEntry(1, "C-1", {"C-2", "C-3"})),
              ElementsAre("C-1", "C-2", "C-3"));
  EXPECT_THAT(AuditObjectIds(ObjectEntry(1, "", {"C-2"})), ElementsAre("C-2"));
  EXPECT_THAT(AuditObjectIds(ObjectEntry(1, "")), IsEmpty());
  EXPECT_THAT(AuditObjectIds("kept-0"), IsEmpty());
  const std::string whole = ObjectEntry(1, "C-1");
  EXPECT_THAT(AuditObjectIds(whole.substr(0, whole.size() - 3)), IsEmpty());
}

// An object's entries are found in log order whether the AuditIndexer has
// indexed them yet or not (or only some); an object whose id is a prefix of
// another's gets only its own.
TYPED_TEST(AuditLogTest, ObjectEntriesAreFoundBeforeAndAfterIndexing) {
  this->Append({ObjectEntry(0, "FR-1"), ObjectEntry(1, "FR-10"),
                ObjectEntry(2, "", {"FR-10", "FR-1"})});
  this->Append({ObjectEntry(3, "FR-2"), ObjectEntry(4, "FR-1")});
  AuditIndexer indexer(this->store_.get());
  auto check = [&] {
    EXPECT_THAT(*this->log_->ObjectEntries("FR-1", 0, 100),
                ElementsAre(0u, 2u, 4u));
    EXPECT_THAT(*this->log_->ObjectEntries("FR-10", 0, 100),
                ElementsAre(1u, 2u));
    EXPECT_THAT(*this->log_->ObjectEntries("FR-1", 1, 1), ElementsAre(2u));
    EXPECT_THAT(*this->log_->ObjectEntries("FR-1", 3, 100), ElementsAre(4u));
    EXPECT_THAT(*this->log_->ObjectEntries("FR-3", 0, 100), IsEmpty());
  };
  check();  // nothing indexed: every entry is read
  EXPECT_EQ(*indexer.IndexSome(3), 3u);
  check();  // three indexed, two read
  EXPECT_EQ(*indexer.IndexSome(100), 2u);
  EXPECT_EQ(*indexer.IndexSome(100), 0u);
  check();  // all indexed
  EXPECT_EQ(**this->store_->Get(Column::kIndex, AuditObjectKey("FR-10", 2)),
            "");
  // A refused batch indexes nothing.
  WriteBatch refused;
  refused.Require(Column::kCases, "c", std::string("absent"));
  refused.AppendAudit(ObjectEntry(5, "FR-3"));
  EXPECT_EQ(this->store_->Write(std::move(refused)).code(),
            absl::StatusCode::kAborted);
  EXPECT_THAT(*this->log_->ObjectEntries("FR-3", 0, 100), IsEmpty());
  this->ExpectMatchesMirror();
}

// The indexer's thread keeps up with appends, and never indexes twice.
TYPED_TEST(AuditLogTest, IndexerThreadIndexesNewEntries) {
  AuditIndexer indexer(this->store_.get());
  indexer.Start(absl::Milliseconds(5));
  for (int i = 0; i < 20; ++i) this->Append({ObjectEntry(i, "C-" + std::to_string(i % 3))});
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  absl::StatusOr<std::optional<std::string>> marker;
  do {
    absl::SleepFor(absl::Milliseconds(5));
    marker = this->store_->Get(Column::kMeta, kAuditIndexedKey);
  } while (absl::Now() < deadline &&
           !(marker.ok() && marker->has_value() &&
             KeyReader(**marker).Uint64().value_or(0) == 20));
  indexer.Stop();
  EXPECT_THAT(*this->log_->ObjectEntries("C-1", 0, 100),
              ElementsAre(1u, 4u, 7u, 10u, 13u, 16u, 19u));
  EXPECT_EQ(*indexer.IndexSome(100), 0u);
}

// The log is append-only for everyone but the writer: a batch that writes
// its keys directly is refused whole, naming the key, and changes nothing.
TYPED_TEST(AuditLogTest, BatchesCannotWriteTheLogDirectly) {
  this->Append({"a", "b", "c"});
  const std::vector<std::pair<Column, std::string>> owned = {
      {Column::kAuditLeaves, AuditLeafKey(1)},
      {Column::kAuditLeaves, AuditLeafKey(7)},
      {Column::kAuditTree, AuditNodeKey(1, 0)},
      {Column::kMeta, std::string(kAuditSizeKey)},
      {Column::kIndex, AuditObjectKey("c1", 0)},
      {Column::kIndex, AuditObjectKey("forged", 9)},
      {Column::kMeta, std::string(kAuditIndexedKey)},
  };
  for (const auto& [column, key] : owned) {
    for (bool del : {false, true}) {
      WriteBatch batch;
      batch.Put(Column::kCases, "c1", "a case");
      if (del) {
        batch.Delete(column, key);
      } else {
        batch.Put(column, key, "forged");
      }
      absl::Status s = this->store_->Write(std::move(batch));
      EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
      EXPECT_THAT(std::string(s.message()),
                  ::testing::HasSubstr(
                      "the audit log is written only by appending entries"));
      EXPECT_EQ(*this->store_->Get(Column::kCases, "c1"), std::nullopt);
    }
  }
  // Other meta keys stay writable.
  WriteBatch batch;
  batch.Put(Column::kMeta, "counter", "1");
  EXPECT_OK(this->store_->Write(std::move(batch)));
  this->ExpectMatchesMirror();
}

// What only the RocksDB store can show: the frontier survives a restart.
class RocksAuditLogTest : public AuditLogTest<RocksStoreFactory> {};

TEST_F(RocksAuditLogTest, ReopeningContinuesTheLogWithTheSameRoot) {
  for (int i = 0; i < 13; ++i) Append({EntryBytes(i)});
  const domain::Hash root = *log_->Root(13);
  Reopen();
  EXPECT_EQ(Size(), 13u);
  EXPECT_EQ(*log_->Root(13), root);
  Append({EntryBytes(13), EntryBytes(14), EntryBytes(15)});
  for (int i = 16; i < 21; ++i) Append({EntryBytes(i)});
  ExpectMatchesMirror();
  EXPECT_OK(domain::VerifyConsistency(13, 21, root, *log_->Root(21),
                                      *log_->ConsistencyProof(13, 21)));
}

TEST_F(RocksAuditLogTest, SizeWithoutItsSubtreesIsRefusedOnOpen) {
  Append({EntryBytes(0), EntryBytes(1), EntryBytes(2)});
  log_.reset();
  store_.reset();
  // Claim a fourth entry that was never written.
  RawPwxDb(factory_.dir.Sub("db"))
      .Put(Column::kMeta, kAuditSizeKey, std::string("\0\0\0\0\0\0\0\4", 8));
  absl::StatusOr<std::unique_ptr<RocksStore>> reopened =
      RocksStore::Open({.path = factory_.dir.Sub("db")});
  EXPECT_EQ(reopened.status().code(), absl::StatusCode::kDataLoss)
      << reopened.status();
}

// A commit that fails must give its indices back: the next group reuses
// them, so the log has no gap and no entry of the failed group.
TEST(AuditGroupCommitTest, FailedCommitRollsTheFrontierBack) {
  absl::Mutex mu;
  std::map<std::pair<Column, std::string>, std::string> data;
  bool fail = true;
  GroupCommitter committer(
      16,
      [&](Column column,
          std::string_view key) -> absl::StatusOr<std::optional<std::string>> {
        absl::MutexLock lock(&mu);
        auto it = data.find({column, std::string(key)});
        if (it == data.end()) return std::nullopt;
        return it->second;
      },
      [&](std::span<const WriteBatch* const> batches) -> absl::Status {
        absl::MutexLock lock(&mu);
        if (fail) {
          fail = false;
          return absl::UnavailableError("disk on fire");
        }
        for (const WriteBatch* batch : batches) {
          for (const WriteBatch::Op& op : batch->ops()) {
            data[{op.column, op.key}] = op.value;
          }
        }
        return absl::OkStatus();
      });
  auto write = [&committer](WriteBatch batch) {
    absl::Notification done;
    absl::StatusOr<uint64_t> result;
    committer.Submit(std::move(batch), [&](absl::StatusOr<uint64_t> s) {
      result = std::move(s);
      done.Notify();
    });
    done.WaitForNotification();
    return result;
  };
  EXPECT_EQ(write(AuditBatch({"lost-0", "lost-1", "lost-2"})).status().code(),
            absl::StatusCode::kUnavailable);
  absl::StatusOr<uint64_t> kept = write(AuditBatch({"kept-0"}));
  ASSERT_OK(kept);
  // The failed batch's indices are given again.
  EXPECT_EQ(*kept, 0u);

  ValueReader read =
      [&](Column column,
          std::string_view key) -> absl::StatusOr<std::optional<std::string>> {
    absl::MutexLock lock(&mu);
    auto it = data.find({column, std::string(key)});
    if (it == data.end()) return std::nullopt;
    return it->second;
  };
  EXPECT_EQ(*ReadAuditSize(read), 1u);
  EXPECT_EQ(DecodeAuditLeaf(0, **read(Column::kAuditLeaves, AuditLeafKey(0)))
                ->entry,
            "kept-0");
  EXPECT_EQ(*read(Column::kAuditLeaves, AuditLeafKey(1)), std::nullopt);
  domain::MemoryMerkleTree expected;
  expected.AppendEntry("kept-0");
  EXPECT_EQ(*domain::RootAt(AuditTreeReader(read), 1), expected.Root());
  absl::StatusOr<domain::CompactRange> frontier = LoadAuditFrontier(read);
  ASSERT_OK(frontier);
  EXPECT_EQ(frontier->Root(), expected.Root());
}

}  // namespace
}  // namespace pwx::storage

namespace pwx::storage {
namespace {

// Rewrites the audit log of the closed database at `path` into schema 1's
// layout: bare entries in audit_leaves, subtree hashes in audit_tree.
void RewriteAsSchema1(const std::string& path, uint64_t from, uint64_t size) {
  RawPwxDb db(path);
  for (uint64_t i = from; i < size; ++i) {
    const std::string key = AuditLeafKey(i);
    std::optional<std::string> record = db.Get(Column::kAuditLeaves, key);
    ASSERT_TRUE(record.has_value()) << i;
    absl::StatusOr<AuditLeafView> view = DecodeAuditLeaf(i, *record);
    ASSERT_OK(view);
    for (int level = 1; level <= CompletedLevels(i); ++level) {
      db.Put(Column::kAuditTree, AuditNodeKey(level, i >> level),
             view->subtrees.substr((level - 1) * 32, 32));
    }
    db.Put(Column::kAuditLeaves, key, std::string(view->entry));
    for (const std::string& id : AuditObjectIds(view->entry)) {
      db.Delete(Column::kIndex, AuditObjectKey(id, i));
    }
  }
  db.Put(Column::kMeta, "schema_version", std::string("\0\0\0\x01", 4));
  if (from > 0) {
    // A migration that stopped after rewriting [0, from).
    db.Put(Column::kMeta, "audit_v2_migrated",
           std::string(AuditLeafKey(from)));
  }
}

class AuditMigrationTest : public AuditLogTest<RocksStoreFactory> {
 protected:
  void AppendMany(int n) {
    std::vector<std::string> entries;
    for (int i = 0; i < n; ++i) entries.push_back("entry-" + std::to_string(i));
    this->Append(entries);
  }
  void Close() {
    log_.reset();
    store_.reset();
  }
};

TEST_F(AuditMigrationTest, Schema1LogIsMigratedWithTheSameEntriesAndRoots) {
  Append({ObjectEntry(0, "FR-1"), ObjectEntry(1, "", {"FR-2", "FR-1"})});
  AppendMany(35);
  Close();
  RewriteAsSchema1(factory_.dir.Sub("db"), 0, 37);
  Reopen();
  ExpectMatchesMirror();
  for (uint64_t i = 0; i < 37; ++i) {
    absl::StatusOr<std::vector<domain::Hash>> proof =
        log_->InclusionProof(i, 37);
    ASSERT_OK(proof);
    EXPECT_EQ(*proof, *domain::InclusionProof(expected_, i, 37)) << i;
  }
  AppendMany(5);
  ExpectMatchesMirror();
  EXPECT_THAT(*log_->ObjectEntries("FR-1", 0, 10), ElementsAre(0u, 1u));
  EXPECT_THAT(*log_->ObjectEntries("FR-2", 0, 10), ElementsAre(1u));
  AuditIndexer indexer(store_.get());
  EXPECT_EQ(*indexer.IndexSome(100), 42u);
  EXPECT_THAT(*log_->ObjectEntries("FR-1", 0, 10), ElementsAre(0u, 1u));
  Close();
  RawPwxDb db(factory_.dir.Sub("db"));
  EXPECT_EQ(db.Get(Column::kMeta, "schema_version"),
            std::string("\0\0\0\x02", 4));
  EXPECT_EQ(db.Get(Column::kMeta, "audit_v2_migrated"), std::nullopt);
  EXPECT_THAT(db.Keys(Column::kAuditTree), IsEmpty());
}

// A migration cut short by a crash resumes after the last chunk it
// committed (4096 records per chunk).
TEST_F(AuditMigrationTest, InterruptedMigrationResumes) {
  AppendMany(5000);
  Close();
  RewriteAsSchema1(factory_.dir.Sub("db"), 4096, 5000);
  Reopen();
  ExpectMatchesMirror();
}

TEST_F(AuditMigrationTest, Schema1LogMissingASubtreeIsDataLoss) {
  AppendMany(8);
  Close();
  RewriteAsSchema1(factory_.dir.Sub("db"), 0, 8);
  RawPwxDb(factory_.dir.Sub("db")).Delete(Column::kAuditTree,
                                          AuditNodeKey(2, 1));
  absl::StatusOr<std::unique_ptr<RocksStore>> store =
      RocksStore::Open({.path = factory_.dir.Sub("db")});
  EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(store.status().message()),
              ::testing::HasSubstr("audit subtree at level 2 index 1"));
}

}  // namespace
}  // namespace pwx::storage
