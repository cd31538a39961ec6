#include "storage/index_floors.h"

#include <algorithm>

namespace pwx::storage {

void IndexFloors::Adding(
    std::vector<std::pair<std::string, std::string>> entries,
    WriteBatch* batch) const {
  if (entries.empty()) return;
  {
    absl::MutexLock lock(&state_->mu);
    for (const auto& [prefix, position] : entries) {
      Range& r = state_->ranges[prefix];
      if (r.empty) {
        r.empty = false;
        r.floor = position;
      } else {
        r.floor = std::min(r.floor, position);
      }
      ++r.in_flight;
    }
  }
  batch->OnResolved([state = state_, entries = std::move(entries)] {
    absl::MutexLock lock(&state->mu);
    for (const auto& entry : entries) {
      Range& r = state->ranges[entry.first];
      --r.in_flight;
      ++r.generation;
    }
  });
}

IndexFloors::Before IndexFloors::Floor(const std::string& prefix) const {
  Before before;
  absl::MutexLock lock(&state_->mu);
  auto it = state_->ranges.find(prefix);
  if (it == state_->ranges.end()) {
    // Never written to since start: the floor is the start, and nothing
    // can be in flight.
    before.settled = true;
    return before;
  }
  const Range& r = it->second;
  before.floor = r.floor;
  before.empty = r.empty;
  before.settled = r.in_flight == 0;
  before.generation = r.generation;
  return before;
}

void IndexFloors::Found(const std::string& prefix, const Before& before,
                        std::optional<std::string_view> first) const {
  if (!before.settled) return;
  absl::MutexLock lock(&state_->mu);
  Range& r = state_->ranges[prefix];
  // A write that added to the range since the scan's iterator was made
  // may have put an entry below `first` that the scan did not see.
  if (r.in_flight != 0 || r.generation != before.generation) return;
  if (first.has_value()) {
    r.floor = std::string(*first);
  } else {
    r.empty = true;
  }
}

}  // namespace pwx::storage
