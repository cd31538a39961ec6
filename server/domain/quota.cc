#include "server/domain/quota.h"

#include <algorithm>

namespace pwx::domain {

HourlyQuota::HourlyQuota(uint64_t events_per_hour, uint64_t bytes_per_hour,
                         absl::Time now)
    : events_{static_cast<double>(events_per_hour),
              static_cast<double>(events_per_hour)},
      bytes_{static_cast<double>(bytes_per_hour),
             static_cast<double>(bytes_per_hour)},
      last_(now) {}

void HourlyQuota::Refill(Bucket& b, absl::Duration elapsed) const {
  b.tokens = std::min(
      b.limit,
      b.tokens + b.limit * absl::FDivDuration(elapsed, absl::Hours(1)));
}

bool HourlyQuota::TryTake(uint64_t events, uint64_t bytes, absl::Time now) {
  if (now > last_) {
    Refill(events_, now - last_);
    Refill(bytes_, now - last_);
    last_ = now;
  }
  const auto fits = [](const Bucket& b, uint64_t n) {
    return b.limit == 0 || static_cast<double>(n) <= b.tokens;
  };
  if (!fits(events_, events) || !fits(bytes_, bytes)) return false;
  if (events_.limit != 0) events_.tokens -= static_cast<double>(events);
  if (bytes_.limit != 0) bytes_.tokens -= static_cast<double>(bytes);
  return true;
}

}  // namespace pwx::domain
