#include "storage/group_commit.h"

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/write_batch.h"
#include "tests/storage/storage_test_util.h"

namespace pwx::storage {
namespace {

using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Le;

// A committed state for the committer to read and write, which can hold the
// first commit until released so that later batches pile up into one group.
class FakeDb {
 public:
  explicit FakeDb(bool hold_first_commit = false) {
    if (!hold_first_commit) {
      entered_.Notify();
      release_.Notify();
    }
  }

  GroupCommitter::LookupFn Lookup() {
    return [this](Column column, std::string_view key)
               -> absl::StatusOr<std::optional<std::string>> {
      absl::MutexLock lock(&mu_);
      if (!lookup_error_.ok()) return lookup_error_;
      auto it = data_.find({column, std::string(key)});
      if (it == data_.end()) return std::nullopt;
      return it->second;
    };
  }

  GroupCommitter::CommitFn Commit() {
    return [this](std::span<const WriteBatch* const> batches) {
      if (!entered_.HasBeenNotified()) entered_.Notify();
      release_.WaitForNotification();
      absl::MutexLock lock(&mu_);
      group_sizes_.push_back(batches.size());
      if (!commit_error_.ok()) return commit_error_;
      for (const WriteBatch* batch : batches) {
        for (const WriteBatch::Op& op : batch->ops()) {
          if (op.kind == WriteBatch::OpKind::kPut) {
            data_[{op.column, op.key}] = op.value;
          } else {
            data_.erase({op.column, op.key});
          }
        }
      }
      return absl::OkStatus();
    };
  }

  // Waits until the held first commit has started; then lets it finish.
  void WaitUntilHeld() { entered_.WaitForNotification(); }
  void Release() { release_.Notify(); }

  void Set(Column column, const std::string& key, const std::string& value) {
    absl::MutexLock lock(&mu_);
    data_[{column, key}] = value;
  }
  std::optional<std::string> Value(Column column, const std::string& key) {
    absl::MutexLock lock(&mu_);
    auto it = data_.find({column, key});
    if (it == data_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<size_t> group_sizes() {
    absl::MutexLock lock(&mu_);
    return group_sizes_;
  }
  void FailLookups(absl::Status s) {
    absl::MutexLock lock(&mu_);
    lookup_error_ = std::move(s);
  }
  void FailCommits(absl::Status s) {
    absl::MutexLock lock(&mu_);
    commit_error_ = std::move(s);
  }

 private:
  absl::Notification entered_;
  absl::Notification release_;
  absl::Mutex mu_;
  std::map<std::pair<Column, std::string>, std::string> data_
      ABSL_GUARDED_BY(mu_);
  std::vector<size_t> group_sizes_ ABSL_GUARDED_BY(mu_);
  absl::Status lookup_error_ ABSL_GUARDED_BY(mu_);
  absl::Status commit_error_ ABSL_GUARDED_BY(mu_);
};

// Collects the results of callbacks, in submission order.
class Results {
 public:
  explicit Results(size_t n) : statuses_(n) {}

  AuditWriteCallback Slot(size_t i) {
    return [this, i](absl::StatusOr<uint64_t> s) {
      absl::MutexLock lock(&mu_);
      statuses_[i] = s.status();
      ++done_;
    };
  }
  // Waits for `n` callbacks.
  std::vector<std::optional<absl::Status>> Wait(size_t n) {
    absl::MutexLock lock(&mu_);
    want_ = n;
    mu_.Await(absl::Condition(this, &Results::AllDone));
    return statuses_;
  }

 private:
  bool AllDone() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return done_ >= want_;
  }

  absl::Mutex mu_;
  std::vector<std::optional<absl::Status>> statuses_ ABSL_GUARDED_BY(mu_);
  size_t done_ ABSL_GUARDED_BY(mu_) = 0;
  size_t want_ ABSL_GUARDED_BY(mu_) = 0;
};

WriteBatch PutBatch(const std::string& key, const std::string& value) {
  WriteBatch batch;
  batch.Put(Column::kCases, key, value);
  return batch;
}

TEST(GroupCommitterTest, ChecksPreconditionsAgainstEarlierBatchesOfTheGroup) {
  FakeDb db(/*hold_first_commit=*/true);
  db.Set(Column::kCases, "k", "v1");
  GroupCommitter committer(16, db.Lookup(), db.Commit());
  Results results(4);

  committer.Submit(PutBatch("blocker", "x"), results.Slot(0));
  db.WaitUntilHeld();
  // These four queue up behind the held commit and form the next group.
  WriteBatch a;
  a.Require(Column::kCases, "k", "v1");
  a.Put(Column::kCases, "k", "v2");
  committer.Submit(std::move(a), results.Slot(1));
  WriteBatch b;  // still expects v1, which `a` replaced
  b.Require(Column::kCases, "k", "v1");
  b.Put(Column::kCases, "k", "v3");
  b.Put(Column::kIndex, "from-b", "");
  committer.Submit(std::move(b), results.Slot(2));
  WriteBatch c;  // sees `a`'s write
  c.Require(Column::kCases, "k", "v2");
  c.Put(Column::kCases, "k", "v4");
  committer.Submit(std::move(c), results.Slot(3));
  WriteBatch d;  // `b` contributed nothing
  d.Require(Column::kIndex, "from-b", std::nullopt);
  committer.Submit(std::move(d), results.Slot(4));
  db.Release();

  std::vector<std::optional<absl::Status>> s = results.Wait(5);
  EXPECT_OK(*s[0]);
  EXPECT_OK(*s[1]);
  EXPECT_EQ(s[2]->code(), absl::StatusCode::kAborted);
  EXPECT_EQ(s[2]->message(), "precondition failed: cases/k changed");
  EXPECT_OK(*s[3]);
  EXPECT_OK(*s[4]);
  EXPECT_EQ(db.Value(Column::kCases, "k"), "v4");
  EXPECT_EQ(db.Value(Column::kIndex, "from-b"), std::nullopt);
  // One commit for the blocker, one for a, c and d together.
  EXPECT_THAT(db.group_sizes(), ElementsAre(1, 3));
}

TEST(GroupCommitterTest, GroupsAreAtMostMaxGroupSize) {
  FakeDb db(/*hold_first_commit=*/true);
  GroupCommitter committer(2, db.Lookup(), db.Commit());
  constexpr size_t kBatches = 7;
  Results results(kBatches);
  committer.Submit(PutBatch("k0", "v"), results.Slot(0));
  db.WaitUntilHeld();
  for (size_t i = 1; i < kBatches; ++i) {
    committer.Submit(PutBatch("k" + std::to_string(i), "v"), results.Slot(i));
  }
  db.Release();
  for (const auto& s : results.Wait(kBatches)) EXPECT_OK(*s);
  EXPECT_THAT(db.group_sizes(), ElementsAre(1, 2, 2, 2));
}

TEST(GroupCommitterTest, AFullQueueRefusesWritesInsteadOfGrowing) {
  FakeDb db(/*hold_first_commit=*/true);
  // Room for about two 1 KiB batches behind the one being committed.
  GroupCommitter committer(16, db.Lookup(), db.Commit(), {}, 2500);
  const std::string value(1000, 'v');
  Results results(5);
  committer.Submit(PutBatch("k0", value), results.Slot(0));
  db.WaitUntilHeld();  // k0 is being committed: no longer queued
  committer.Submit(PutBatch("k1", value), results.Slot(1));
  committer.Submit(PutBatch("k2", value), results.Slot(2));
  committer.Submit(PutBatch("k3", value), results.Slot(3));  // refused
  db.Release();
  std::vector<std::optional<absl::Status>> s = results.Wait(4);
  EXPECT_OK(*s[0]);
  EXPECT_OK(*s[1]);
  EXPECT_OK(*s[2]);
  EXPECT_EQ(s[3]->code(), absl::StatusCode::kResourceExhausted) << *s[3];
  EXPECT_THAT(std::string(s[3]->message()),
              ::testing::HasSubstr("storage.max_queued_bytes"));
  // Once the queue has drained, writes are taken again.
  Results later(1);
  committer.Submit(PutBatch("k3", value), later.Slot(0));
  const std::vector<std::optional<absl::Status>> again = later.Wait(1);
  EXPECT_OK(*again[0]);
}

TEST(GroupCommitterTest, DestructorCommitsEverythingQueued) {
  FakeDb db;
  constexpr size_t kBatches = 50;
  Results results(kBatches);
  {
    GroupCommitter committer(4, db.Lookup(), db.Commit());
    for (size_t i = 0; i < kBatches; ++i) {
      committer.Submit(PutBatch("k" + std::to_string(i), "v"), results.Slot(i));
    }
  }
  for (const auto& s : results.Wait(kBatches)) EXPECT_OK(*s);
  EXPECT_EQ(db.Value(Column::kCases, "k49"), "v");
  EXPECT_THAT(db.group_sizes(), Each(Le(4u)));
}

WriteBatch DelayedBatch(const std::string& key, absl::Duration delay) {
  WriteBatch batch = PutBatch(key, "read entry");
  batch.set_max_delay(delay);
  return batch;
}

TEST(GroupCommitterTest, DelayedBatchRidesWithTheNextWrite) {
  FakeDb db;
  Results results(2);
  GroupCommitter committer(16, db.Lookup(), db.Commit());
  // An hour: only the next write (or shutdown) can carry it.
  committer.Submit(DelayedBatch("read", absl::Hours(1)), results.Slot(0));
  committer.Submit(PutBatch("change", "v"), results.Slot(1));
  for (const auto& s : results.Wait(2)) EXPECT_OK(*s);
  EXPECT_THAT(db.group_sizes(), ElementsAre(2));
  EXPECT_EQ(db.Value(Column::kCases, "read"), "read entry");
}

TEST(GroupCommitterTest, DelayedBatchAloneIsCommittedWhenItsDelayEnds) {
  FakeDb db;
  Results results(1);
  GroupCommitter committer(16, db.Lookup(), db.Commit());
  committer.Submit(DelayedBatch("read", absl::Milliseconds(20)),
                   results.Slot(0));
  for (const auto& s : results.Wait(1)) EXPECT_OK(*s);
  EXPECT_THAT(db.group_sizes(), ElementsAre(1));
}

TEST(GroupCommitterTest, ShutdownDoesNotWaitForDelayedBatches) {
  FakeDb db;
  Results results(1);
  {
    GroupCommitter committer(16, db.Lookup(), db.Commit());
    committer.Submit(DelayedBatch("read", absl::Hours(1)), results.Slot(0));
  }
  for (const auto& s : results.Wait(1)) EXPECT_OK(*s);
  EXPECT_EQ(db.Value(Column::kCases, "read"), "read entry");
}

TEST(GroupCommitterTest, CommitErrorReachesAcceptedBatchesOnly) {
  FakeDb db(/*hold_first_commit=*/true);
  db.Set(Column::kCases, "k", "v1");
  GroupCommitter committer(16, db.Lookup(), db.Commit());
  Results results(3);
  committer.Submit(PutBatch("blocker", "x"), results.Slot(0));
  db.WaitUntilHeld();
  db.FailCommits(absl::ResourceExhaustedError("disk full"));
  committer.Submit(PutBatch("a", "1"), results.Slot(1));
  WriteBatch stale;
  stale.Require(Column::kCases, "k", "v0");
  stale.Put(Column::kCases, "k", "v2");
  committer.Submit(std::move(stale), results.Slot(2));
  db.Release();

  std::vector<std::optional<absl::Status>> s = results.Wait(3);
  EXPECT_EQ(s[0]->code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(s[1]->code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(s[2]->code(), absl::StatusCode::kAborted);
}

TEST(GroupCommitterTest, LookupErrorFailsOnlyThatBatch) {
  FakeDb db;
  db.FailLookups(absl::DataLossError("bad block"));
  GroupCommitter committer(16, db.Lookup(), db.Commit());
  Results results(2);
  WriteBatch checked;
  checked.Require(Column::kCases, "k", std::nullopt);
  checked.Put(Column::kCases, "k", "v");
  committer.Submit(std::move(checked), results.Slot(0));
  committer.Submit(PutBatch("plain", "v"), results.Slot(1));
  std::vector<std::optional<absl::Status>> s = results.Wait(2);
  EXPECT_EQ(s[0]->code(), absl::StatusCode::kDataLoss);
  EXPECT_OK(*s[1]);
  EXPECT_EQ(db.Value(Column::kCases, "k"), std::nullopt);
  EXPECT_EQ(db.Value(Column::kCases, "plain"), "v");
}

TEST(GroupCommitterTest, UnknownColumnIsInvalidArgument) {
  FakeDb db;
  GroupCommitter committer(16, db.Lookup(), db.Commit());
  Results results(1);
  WriteBatch batch;
  batch.Put(static_cast<Column>(200), "k", "v");
  committer.Submit(std::move(batch), results.Slot(0));
  std::vector<std::optional<absl::Status>> s = results.Wait(1);
  EXPECT_EQ(s[0]->code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s[0]->message(), HasSubstr("200"));
  EXPECT_TRUE(db.group_sizes().empty());
}

TEST(GroupCommitterTest, BatchesWithoutWritesDoNotCommit) {
  FakeDb db;
  GroupCommitter committer(16, db.Lookup(), db.Commit());
  Results results(2);
  committer.Submit(WriteBatch(), results.Slot(0));
  WriteBatch check;
  check.Require(Column::kCases, "k", std::nullopt);
  committer.Submit(std::move(check), results.Slot(1));
  for (const auto& s : results.Wait(2)) EXPECT_OK(*s);
  EXPECT_TRUE(db.group_sizes().empty());
}

}  // namespace
}  // namespace pwx::storage
