// A KvStore for tests that holds writes back on request: what a slow disk
// looks like to the layers above, so a test can look at the moment between
// a write being submitted and its commit.
#ifndef PWX_TESTS_SERVER_GATED_STORE_H_
#define PWX_TESTS_SERVER_GATED_STORE_H_

#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "storage/kv_store.h"

namespace pwx::testing {

// Reads go straight to the inner store. While closed, writes are held in
// submission order, uncommitted and their callbacks not run; Open()
// submits them in that order and lets later writes through. FailWrites()
// makes writes fail instead, the way a failing disk does. Thread-safe.
class GatedStore final : public storage::KvStore {
 public:
  explicit GatedStore(std::unique_ptr<storage::KvStore> inner)
      : inner_(std::move(inner)) {}

  // Holds every write submitted from now on.
  void Close() {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }

  // Submits the held writes, in order, and passes writes through again.
  void Open() {
    std::deque<Held> held;
    {
      absl::MutexLock lock(&mu_);
      closed_ = false;
      held.swap(held_);
    }
    for (Held& h : held) {
      inner_->WriteAsyncWithAuditIndex(std::move(h.batch), std::move(h.done));
    }
  }

  // From now on, every write fails with `error` without committing (OK:
  // writes commit again).
  void FailWrites(absl::Status error) {
    absl::MutexLock lock(&mu_);
    error_ = std::move(error);
  }

  // The writes held now.
  size_t held() const {
    absl::MutexLock lock(&mu_);
    return held_.size();
  }

  // The max_delay() of each write held now, in order.
  std::vector<absl::Duration> held_delays() const {
    absl::MutexLock lock(&mu_);
    std::vector<absl::Duration> delays;
    for (const Held& h : held_) delays.push_back(h.batch.max_delay());
    return delays;
  }

  absl::StatusOr<std::optional<std::string>> Get(
      storage::Column column, std::string_view key) const override {
    return inner_->Get(column, key);
  }
  absl::StatusOr<std::vector<std::optional<std::string>>> MultiGet(
      storage::Column column,
      std::span<const std::string> keys) const override {
    return inner_->MultiGet(column, keys);
  }
  std::unique_ptr<storage::Iterator> NewIterator(
      storage::Column column) const override {
    return inner_->NewIterator(column);
  }
  void WriteAsyncWithAuditIndex(storage::WriteBatch batch,
                                storage::AuditWriteCallback done) override {
    absl::Status error;
    {
      absl::MutexLock lock(&mu_);
      if (closed_) {
        held_.push_back({std::move(batch), std::move(done)});
        return;
      }
      error = error_;
    }
    if (!error.ok()) {
      done(error);
      return;
    }
    inner_->WriteAsyncWithAuditIndex(std::move(batch), std::move(done));
  }

 private:
  struct Held {
    storage::WriteBatch batch;
    storage::AuditWriteCallback done;
  };

  const std::unique_ptr<storage::KvStore> inner_;
  mutable absl::Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status error_ ABSL_GUARDED_BY(mu_);
  std::deque<Held> held_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pwx::testing

#endif  // PWX_TESTS_SERVER_GATED_STORE_H_
