// A rate limit per hour on what one peer may send: a token bucket of
// events and one of bytes, each holding at most an hour's allowance and
// refilled continuously. Plain C++, no clock of its own (callers pass the
// time), so it is tested without waiting.
#ifndef PWX_SERVER_DOMAIN_QUOTA_H_
#define PWX_SERVER_DOMAIN_QUOTA_H_

#include <cstdint>

#include "absl/time/time.h"

namespace pwx::domain {

// Thread-compatible.
class HourlyQuota {
 public:
  // Allows `events_per_hour` events and `bytes_per_hour` bytes in any hour,
  // starting full at `now`. A limit of 0 means unlimited.
  HourlyQuota(uint64_t events_per_hour, uint64_t bytes_per_hour,
              absl::Time now);

  // Takes `events` and `bytes` from the allowance at `now` and returns
  // true, or takes nothing and returns false when either would be
  // exceeded. Times before the last call count as the last call's.
  bool TryTake(uint64_t events, uint64_t bytes, absl::Time now);

 private:
  struct Bucket {
    double limit = 0;  // per hour; 0: unlimited
    double tokens = 0;
  };
  void Refill(Bucket& b, absl::Duration elapsed) const;

  Bucket events_;
  Bucket bytes_;
  absl::Time last_;
};

}  // namespace pwx::domain

#endif  // PWX_SERVER_DOMAIN_QUOTA_H_
