// Where the first live entry of each index range is, at the least. An index
// range whose records move out of it (a request leaving a state) fills with
// deletions at its start, and a scan from the start steps over every one of
// them until a compaction drops them: at thousands of moves a second, most
// of a list's time. A scan seeks to the range's floor instead, and raises it
// to the first live entry it found, unless a write adding to the range may
// have been in flight meanwhile (its entry could lie below and be unseen).
//
// One IndexFloors must see every write that adds to the ranges it covers;
// a range it has not seen yet has its floor at the start. Thread-safe.
#ifndef PWX_STORAGE_INDEX_FLOORS_H_
#define PWX_STORAGE_INDEX_FLOORS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "storage/write_batch.h"

namespace pwx::storage {

class IndexFloors {
 public:
  // A range as a scan found it before making its iterator.
  struct Before {
    // Seek here (after the range's prefix): no live entry lies below.
    std::string floor;
    // No live entry at all: the scan may skip the range.
    bool empty = false;

   private:
    friend class IndexFloors;
    bool settled = false;
    uint64_t generation = 0;
  };

  IndexFloors() : state_(std::make_shared<State>()) {}

  // Before `batch` is written: it adds these entries, each (range prefix,
  // position in the range).
  void Adding(std::vector<std::pair<std::string, std::string>> entries,
              WriteBatch* batch) const;
  // Before a scan of range `prefix` makes its iterator.
  Before Floor(const std::string& prefix) const;
  // After the scan sought to `before.floor`: `first` is the position of the
  // first live entry it found there, std::nullopt when there was none.
  void Found(const std::string& prefix, const Before& before,
             std::optional<std::string_view> first) const;

 private:
  struct Range {
    std::string floor;
    bool empty = false;
    // Writes adding to the range, built and not yet resolved.
    uint64_t in_flight = 0;
    // Counts resolved writes adding to the range.
    uint64_t generation = 0;
  };
  struct State {
    absl::Mutex mu;
    absl::flat_hash_map<std::string, Range> ranges ABSL_GUARDED_BY(mu);
  };
  // Shared with the batches' OnResolved functions, which may outlive this.
  std::shared_ptr<State> state_;
};

}  // namespace pwx::storage

#endif  // PWX_STORAGE_INDEX_FLOORS_H_
