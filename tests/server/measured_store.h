// A KvStore for tests that measures the writes going through it: the
// largest batch (bytes of keys and values) submitted, so a test can show that
// an operation's writes stay bounded whatever its size.
#ifndef PWX_TESTS_SERVER_MEASURED_STORE_H_
#define PWX_TESTS_SERVER_MEASURED_STORE_H_

#include <algorithm>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "storage/kv_store.h"

namespace pwx::testing {

// Reads and writes go to the inner store. Thread-safe.
class MeasuredStore final : public storage::KvStore {
 public:
  explicit MeasuredStore(std::unique_ptr<storage::KvStore> inner)
      : inner_(std::move(inner)) {}

  // The largest batch submitted, in bytes.
  size_t largest_write() const {
    absl::MutexLock lock(&mu_);
    return largest_;
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
    {
      absl::MutexLock lock(&mu_);
      largest_ = std::max(largest_, batch.ByteSize());
    }
    inner_->WriteAsyncWithAuditIndex(std::move(batch), std::move(done));
  }

 private:
  const std::unique_ptr<storage::KvStore> inner_;
  mutable absl::Mutex mu_;
  size_t largest_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace pwx::testing

#endif  // PWX_TESTS_SERVER_MEASURED_STORE_H_
